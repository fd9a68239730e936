"""One error shape everywhere: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import datetime as dt
import email.message
import json
from typing import Any, Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from vcl_qa.config import MAX_LETTER_BYTES
from vcl_qa.engine.dates import written_otherwise
from vcl_qa.errors import MOST_PROBLEMS, LetterError
from vcl_qa.letters.store import Conflict, NotFound
from vcl_qa.db.users import UserExists

from . import json_body

# Letter text is limited to 200 KB (vcl_qa.config.MAX_LETTER_BYTES). Sent as UTF-8 JSON, escaping
# at most doubles it (\n, \", \\: 2 bytes for 1; only control characters other than line breaks
# and tabs, which letters do not hold, take 6), so any letter within the text limit fits. A
# client that writes every non-ASCII character as \uXXXX takes 6 bytes for 2 or 3 (an accented
# letter, a curly quote), and for a letter of over about 170 KB goes over: the 413 says how to
# send it instead. Not raised to the worst case (6 bytes for each byte of text, 1,200 KB): a
# body of hostile fields costs the worker time in proportion to its size (review 11b, finding 9).
MAX_REQUEST_BYTES = 512 * 1024
TOO_LARGE_API = ("the request body is over {limit} KB{size}. A letter's text may be up to {text} KB, "
                 "and fits when the JSON is sent as UTF-8 text: write accented letters, curly quotes "
                 "and other characters as they are, not as \\u escapes (each takes 6 bytes; in "
                 "Python, json.dumps(..., ensure_ascii=False))")
# The pages' forms (a pasted letter, an uploaded Word file) may be larger: a form re-encodes
# the text, and a letter over the text limit is better refused by the page itself, which keeps
# the text in the box and says what is wrong.
MAX_PAGE_REQUEST_BYTES = 4 * 1024 * 1024
# The check page's form, which takes a Word file, may be larger again: a Word file over the 2 MB
# it reads (pictures in it) is then refused by the page, naming the file beside its field, with
# the case details kept. Turned away here, a 4.3 MB file met a general error page that named no
# file, and everything typed in the form was lost (an audit). The page reads no more of the file
# than it takes (api/uploads.py MAX_UPLOAD); the rest is spooled to disk, not held.
MAX_UPLOAD_REQUEST_BYTES = 16 * 1024 * 1024
UPLOAD_PATHS = ("/check",)
# The API's routes that take a letter as a file (multipart/form-data, api/file_body.py) take it
# within the check page's limit, so that a file over the 2 MB read is refused naming the file.
API_UPLOAD_PATHS = ("/api/v1/letters", "/api/v1/check")


def _api_upload(scope: Scope) -> bool:
    if scope["method"] != "POST" or not scope["path"].rstrip("/").endswith(API_UPLOAD_PATHS):
        return False
    from .file_body import is_multipart

    return is_multipart(Headers(scope=scope).get("content-type"))


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(BaseModel):
    error: ErrorInfo


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def _doc(text: str) -> dict:
    return {"model": ErrorBody, "description": text}


# Documented on every /api/v1 route, so the OpenAPI schema lists each status a client can get.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("Malformed JSON"),
    401: _doc("No token, or a token that is not valid or has expired (the message says when)"),
    403: _doc("The user's role may not do this"),
    413: _doc(f"Request body over {MAX_REQUEST_BYTES // 1024} KB"),
    422: _doc("A field is missing or not valid; `details` name each field"),
    429: _doc("This user already has letters waiting to be checked, the most one person may have waiting at "
              "once (16; routes that check or score a letter); nothing was done. Send it again after the "
              "seconds the Retry-After header gives"),
    503: _doc("The database is busy or cannot be written to just now; nothing was saved. Send it again "
              "after the seconds the Retry-After header gives (POST /letters: with the same Idempotency-Key)"),
}
NOT_FOUND = {404: _doc("No such item (or not visible to this user)")}
CONFLICT = {409: _doc("The item's state does not allow this (for example, already sent)")}

STATUS_CODES = {400: "malformed_json", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid"}


def error_response(status: int, code: str, message: str, details: list[dict] | None = None,
                   headers: dict | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_path(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    broken = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if broken is not None:
        return _malformed(_not_json(broken, getattr(exc, "body", None)))
    details: dict[str | None, str] = {}
    for e in errors:  # one entry per field (a field can fail several ways; the first says it)
        # An error about the body as a whole (a list, a string, nothing) names `body`.
        details.setdefault(_field_path(e.get("loc", ())) or _whole(e), _plain(e))
    for field, message in _context_problems(getattr(exc, "body", None), details):
        details.setdefault(field, message)
    for field, message in _range_problems(request, details):
        details.setdefault(field, message)
    for field, message in _as_of_problems(request, details):
        details.setdefault(field, message)
    return invalid([{"field": f, "message": m} for f, m in details.items()])


# Query parameters that go in pairs, a range's start and end (the routes' own check_range).
RANGES = (("date_from", "date_to"), ("decided_from", "decided_to"), ("due_from", "due_to"))


def _range_problems(request: Request, found: dict) -> list[tuple[str, str]]:
    """A range that ends before it starts, in a query whose other fields failed their checks (the
    route, which checks ranges, is then not reached): one answer names every wrong field (an
    integrator's review found `verdict=x` with date_to before date_from named only `verdict`)."""
    out = []
    for low_name, high_name in RANGES:
        low, high = request.query_params.get(low_name), request.query_params.get(high_name)
        if low is None or high is None or {f"query.{low_name}", f"query.{high_name}"} & set(found):
            continue
        try:
            problem = range_problem(low_name, dt.date.fromisoformat(low), high_name, dt.date.fromisoformat(high))
        except ValueError:
            continue
        if problem:
            out.append(problem)
    return out


def as_of_problem(as_of: Any) -> tuple[str, str] | None:
    """(query.as_of, message) for a day still to come, else None (vcl_qa.decisions.register)."""
    from vcl_qa.decisions import register

    if as_of is None:
        return None
    try:
        register.check_as_of(as_of, "query.as_of")
    except LetterError as exc:
        return ("query.as_of", exc.message)
    return None


def _as_of_problems(request: Request, found: dict) -> list[tuple[str, str]]:
    """A future `as_of`, in a query whose other fields failed their checks (the route, which
    checks it, is then not reached): named with them (an integrator's review found it named
    only once the others were put right), on the routes that take it."""
    value = request.query_params.get("as_of")
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if value is None or "query.as_of" in found or dependant is None or \
            not any(p.alias == "as_of" for p in dependant.query_params):
        return []
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return []
    problem = as_of_problem(day)
    return [problem] if problem else []


def _context_problems(body: Any, found: dict) -> list[tuple[str, str]]:
    """A letter's `context` is checked after the body's own fields; when those fail, check it
    here too, so that one answer names every wrong field."""
    if not isinstance(body, dict) or not isinstance(body.get("context"), dict):
        return []
    if any(f and (f == "context" or f.startswith("context.")) for f in found):
        return []
    from .schemas import json_context_problems

    return json_context_problems(body["context"])


def _whole(e: dict) -> str | None:
    """`body` for an error about the request body as a whole, else None (the request)."""
    loc = tuple(e.get("loc", ()))
    return "body" if loc and loc[0] == "body" else None


def _json_kind(value: Any) -> str:
    """What a JSON value is, in words: 'a list', 'a number', 'text', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (bytes, bytearray)):
        return "not JSON (send it with Content-Type: application/json)"
    return "something else"


OBJECT_TYPES = ("model_attributes_type", "model_type", "dict_type")


def _malformed(message: str) -> JSONResponse:
    return error_response(400, "malformed_json", message)


def _not_json(e: dict, doc: Any) -> str:
    """Where and why a body is not JSON (FastAPI's json_invalid: `loc` ("body", position),
    `ctx.error` the json module's reason, the exception's body the text read). It said only
    "the request body is not valid JSON": a client with a comma after the last field, or a line
    break typed inside a letter's text, was not told which, nor where (an integrator's review)."""
    loc, reason = tuple(e.get("loc", ())), (e.get("ctx") or {}).get("error")
    said = "the request body is not valid JSON"
    if isinstance(doc, str) and len(loc) == 2 and isinstance(loc[1], int) and isinstance(reason, str):
        return f"{said}: {json_body.syntax_problem(doc, loc[1], reason)}"
    return f"{said}: {reason}" if isinstance(reason, str) else said


def _plain(e: dict) -> str:
    """pydantic's message in the words the rest of the service uses."""
    kind, value = e.get("type", ""), e.get("input")
    whole = len(tuple(e.get("loc", ()))) <= 1
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is empty: send a JSON object" if whole else "is required"
    if kind in OBJECT_TYPES and isinstance(value, (bytes, bytearray)):
        return 'is not JSON: send a JSON object ({"name": value, ...}) with Content-Type: application/json'
    if kind in OBJECT_TYPES:
        return f'must be a JSON object ({{"name": value, ...}}), not {_json_kind(value)}'
    if kind == "string_type":
        return f"must be text in double quotes, not {_json_kind(value)}"
    if kind == "string_unicode":  # "\ud800" in JSON: half of a UTF-16 pair, no character at all
        return ("has a character that is not valid Unicode (a lone UTF-16 surrogate such as \\ud800: half of a "
                "pair); send the text as it is written")
    if kind == "list_type":
        return f"must be a list ([...]), not {_json_kind(value)}"
    if isinstance(value, bool) and (kind.startswith("int") or kind.startswith("float")):
        return f"must be a {'whole ' if kind.startswith('int') else ''}number, not true or false"
    if kind.startswith("float"):
        return f"'{_shown(value)}' is not a number"
    if kind in ("enum", "literal_error"):
        return f"'{_shown(value)}' is not one of {e.get('ctx', {}).get('expected', 'the allowed values')}"
    if kind.startswith("date"):
        return written_otherwise(value) or f"'{_shown(value)}' is not a real date (use YYYY-MM-DD)"
    if kind.startswith("bool"):
        return f"'{_shown(value)}' is not true or false"
    # A strict field's refusal (api/validation.py): "43" and 43.0 in JSON are not read as 43.
    if kind == "int_type" and isinstance(value, str):
        return f"'{_shown(value)}' is text, not a whole number: send the number without quotes"
    if kind == "int_type" and isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value!r} is not a whole number: send it without a decimal point ({int(value)})"
    if kind.startswith("int"):
        return f"'{_shown(value)}' is not a whole number"
    ctx = e.get("ctx", {})
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}"
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(ctx.get("pattern", ""), "'{value}' is not in the form this field takes "
                                  "(see /openapi.json)")
        return words.format(value=_shown(value))
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters long"
    if kind == "string_too_long":
        length = f"is {len(value):,} characters long; " if isinstance(value, str) else ""
        return f"{length}the limit is {ctx.get('max_length', 0):,}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} items"
    if kind == "too_long":
        actual = f"has {ctx['actual_length']:,} items; " if ctx.get("actual_length") is not None else ""
        return f"{actual}the limit is {ctx.get('max_length', 0):,}"
    return e.get("msg", "is not valid").removeprefix("Value error, ")


# What a value must look like, in words, for each pattern a route or schema gives (pydantic's
# own message quotes the regular expression). tests/test_api_errors.py checks every pattern in
# the OpenAPI document is here.
PATTERN_WORDS = {
    # The same words as a rule id that is well formed but unknown (letters/service.py).
    r"^[a-z_]+\.[a-z_]+$": "there is no such rule; use a rule id such as readability.jargon",
    r"^[0-9a-f]{16}$": "'{value}' is not an item code: use the code of an item in your review queue "
                       "(16 characters, 0 to 9 and a to f)",
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$": "'{value}' is not a period name: at most 32 letters, digits, "
                                           "'.', '_' or '-', starting with a letter or digit (such as 2025Q1)",
    r"^[a-z0-9][a-z0-9-]{1,60}$": "'{value}' is not an exercise id (such as khan-brother or panel-3)",
    r"^\d{4}-(0[1-9]|1[0-2])$": "'{value}' is not a month (use YYYY-MM, such as 2025-01)",
}


def _shown(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def invalid(details: list[dict]) -> JSONResponse:
    """422 with one entry in `details` per field that is wrong; the message names them all."""
    return error_response(422, "invalid", invalid_message(details), details)


def invalid_error(details: list[dict]) -> "ApiError":
    """`invalid` as an exception to raise."""
    return ApiError(422, "invalid", invalid_message(details), details)


def invalid_message(details: list[dict]) -> str:
    """The message of `invalid`: the one problem, or how many there are and the fields named."""
    if len(details) == 1:
        d = details[0]
        message = f"{d['field']}: {d['message']}" if d["field"] else d["message"]
    else:
        named = [d["field"] for d in details if d["field"]]
        message = (f"{len(details)} problems: " + ", ".join(named) if named
                   else "; ".join(d["message"] for d in details))
        if named and len(named) < len(details):
            message += " and the request as a whole"
        message += " (see details)" if named else ""
    return message


def letter_error_details(exc: LetterError) -> list[dict]:
    """Every problem of a LetterError, each with its field path. A route may have re-based
    `exc.field` onto its own shape (`context.decision`, `decisions.2.urn`); the same prefix is
    then given to every problem."""
    if len(exc.details) == 1:
        return [{"field": exc.field, "message": exc.message}]
    prefix = ""
    if exc.field:  # several problems carry field None at the top: a route named where they are
        prefix = exc.field + "."
    return [{"field": f"{prefix}{f}" if f else (exc.field or None), "message": m} for f, m in exc.details]


async def _letter_error(request: Request, exc: LetterError) -> JSONResponse:
    return invalid(letter_error_details(exc))


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's words for a body that json could not read for a reason other than bad syntax.
        cause = exc.__cause__
        if isinstance(cause, RecursionError):
            return _malformed("the request body could not be read: its lists or objects are nested inside"
                              " one another too deeply (over about 1,000 levels)")
        if isinstance(cause, UnicodeDecodeError):
            return _malformed("the request body is not valid JSON: it is not UTF-8 text")
        return _malformed("the request body could not be read as JSON")
    if exc.status_code == 405:
        allow = allow_header(request, exc)
        *others, last = allow.split(", ")
        said = f"{', '.join(others)} and {last}" if others else last
        return error_response(405, "method_not_allowed", f"this address does not take {request.method}: "
                              f"it takes {said} (the Allow header lists them)", headers={"Allow": allow})
    code = STATUS_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


# The order an Allow header lists methods in (any order is valid; one order reads better).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allow_header(request: Request, exc: StarletteHTTPException) -> str:
    """Every method the request's address takes, for a 405's Allow header (RFC 9110 15.5.6: it
    must list them all). Starlette's 405 names only the methods of the first route whose path
    matched, so an address with a GET route and a POST route said `Allow: GET`, and a client
    that believed it never tried the POST. Each method is tried against the app's routes as the
    router tries them, on a copy of the request's scope (routing notes its progress there)."""
    given = {m.strip() for m in ((exc.headers or {}).get("Allow") or "").split(",") if m.strip()}
    routes = request.app.router.routes
    taken = {method for method in METHODS if any(
        route.matches(_probe(request.scope, method))[0] is Match.FULL for route in routes)}
    return ", ".join(sorted(taken | given, key=lambda m: (METHODS.index(m) if m in METHODS else len(METHODS), m)))


def _probe(scope: Scope, method: str) -> dict:
    """The request's scope as routing first saw it, with another method."""
    skipped = ("fastapi", "route", "endpoint", "path_params")
    return {**{k: v for k, v in scope.items() if k not in skipped}, "method": method}


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    message, details = one_problem(exc.message, exc.details) if exc.status == 422 else (exc.message, exc.details)
    return error_response(exc.status, exc.code, message, details, headers)


def one_problem(message: str, details: list[dict]) -> tuple[str, list[dict]]:
    """A 422 of one problem as every other says it (docs/api.md, Errors): `message` is
    "FIELD: WHAT", and the detail's message is WHAT, word for word. A route's own refusal gave the
    two in different words ("context.team: the team is not one of the letter's details: put
    "team" at the top of the body ..." over "goes at the top of the body, not inside context";
    "Idempotency-Key: use 1 to 200 ... (a UUID is usual)" over the field header.Idempotency-Key
    and "1 to 200 printable characters, no spaces"; an integrator's review), so a client showing
    either lost part of it. The message's own words, the fuller, are kept for both when it names
    the field (or the field's last part); else the detail's are put after the field."""
    if len(details) != 1 or not details[0].get("field"):
        return message, details
    field = details[0]["field"]
    label, said, rest = message.partition(": ")
    if said and rest and (label == field or field.endswith("." + label)):
        return f"{field}: {rest}", [{**details[0], "message": rest}]
    return f"{field}: {details[0]['message']}", details


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    # the field to blame, when there is one (base_version, status), for a program to act on
    field = getattr(exc, "field", None)
    return error_response(409, "conflict", str(exc), [{"field": field, "message": str(exc)}] if field else None)


async def _bad_unicode(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
    return error_response(422, "invalid", "the request contains characters that are not valid Unicode")


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # The message never echoes the exception: it could carry letter text. Made by the outermost
    # error handler, outside api/security_headers.py, so it carries the headers itself (an API
    # 500 had no no-store, nosniff or policy).
    from .security_headers import SECURITY_HEADERS

    return error_response(500, "internal", "something went wrong on the server; nothing was saved",
                          headers=dict(SECURITY_HEADERS))


# An error answer names at most MOST_PROBLEMS problems (vcl_qa/errors.py; it counts the rest),
# cuts a field's path and a message to these lengths, and so never echoes a large request back:
# 30,000 unknown fields in a 488 KB request got a 6 MB answer (review 10b, finding 13).
LONGEST_FIELD = 100
LONGEST_MESSAGE = 400
SMALL_ANSWER = 16 * 1024  # answers below this are passed on as they are


def _cut(text, limit: int):
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit].rstrip() + "..."


def capped_error(response: Response, total: int | None = None) -> Response:
    """An error answer of more than SMALL_ANSWER bytes with its details cut to the first
    MOST_PROBLEMS (the message names those and counts the others) and every field path and
    message cut short; anything else as it is. `total`: how many problems there are, when the
    details hold only the first of them."""
    body = getattr(response, "body", b"")
    if (len(body) <= SMALL_ANSWER and total is None) or "json" not in response.headers.get("content-type", ""):
        return response
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return response
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    shown = [{"field": _cut(d.get("field"), LONGEST_FIELD), "message": _cut(d.get("message"), LONGEST_MESSAGE)}
             for d in details[:MOST_PROBLEMS]]
    message = _cut(error.get("message"), LONGEST_MESSAGE)
    total = max(total or 0, len(details))
    if total > len(shown):
        named = [d["field"] for d in shown if d["field"]]
        message = (f"{total:,} problems: {', '.join(named)} and {total - len(shown):,} more "
                   f"(the first {len(shown)} are in details)")
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
    return JSONResponse({"error": {"code": error.get("code"), "message": message, "details": shown}},
                        status_code=response.status_code, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(LetterError, _letter_error)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(UserExists, _conflict)
    app.add_exception_handler(UnicodeEncodeError, _bad_unicode)
    app.add_exception_handler(Exception, _server_error)
    # StrictJson inside BodyLimit: it reads only a body within the limit.
    app.add_middleware(StrictJson)
    app.add_middleware(BodyLimit, limit=MAX_REQUEST_BYTES, page_limit=MAX_PAGE_REQUEST_BYTES,
                       upload_limit=MAX_UPLOAD_REQUEST_BYTES)


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI reads this request's body as JSON: a Content-Type of application/json or
    application/...+json (a body without one is not read as JSON: strict_content_type)."""
    if scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    # The first Content-Type, as Starlette reads it (a request with two must not pass here as
    # text and be read by the app as JSON: a review found the check passed over so)
    value = Headers(scope=scope).get("content-type")
    if not value:
        return False
    message = email.message.Message()
    message["content-type"] = value
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


# The charsets a JSON body may declare: JSON is Unicode (RFC 8259), read as UTF-8, or as UTF-16 or
# UTF-32 recognised by its first bytes. Any other (latin-1, windows-1252) was ignored unsaid.
# ASCII is UTF-8's first 128 characters: a body declared so is read as UTF-8 (a review).
UNICODE_CHARSETS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be",
                    "us-ascii", "ascii"}


def _charset_problem(scope: Scope) -> str | None:
    """Why a JSON body's declared charset is refused, else None."""
    message = email.message.Message()
    message["content-type"] = Headers(scope=scope).get("content-type") or ""
    charset = message.get_param("charset")
    if not isinstance(charset, str) or charset.strip().lower() in UNICODE_CHARSETS:
        return None
    shown = charset.strip()[:40]
    return (f"the request body is declared as charset={shown}, which this API does not read: JSON is read as "
            "UTF-8 (or UTF-16 or UTF-32, recognised by its first bytes); nothing was read. Send the body as "
            "UTF-8 with Content-Type: application/json (charset=utf-8, or no charset)")


def _not_utf8(body: bytes) -> str | None:
    """Where a body read as UTF-8 stops being UTF-8 (byte, line and column), else None."""
    try:
        if json.detect_encoding(body) != "utf-8":
            return None  # UTF-16 or UTF-32, read as such
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[:exc.start].decode("utf-8")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return (f"the request body is not valid JSON: it is not UTF-8 text: byte {exc.start + 1:,} (0x"
                f"{body[exc.start]:02X}; line {line}, column {column}) is not UTF-8 (a character written in "
                "Latin-1 or Windows-1252?): send the body as UTF-8")
    return None


def replaying(body: bytes, receive: Receive) -> Callable[[], Awaitable[dict]]:
    """An ASGI receive that gives `body`, whole, first (a body read already, or made afresh),
    then what `receive` gives (a client going away)."""
    given = False

    async def replay() -> dict:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class StrictJson:
    """Answers 422, naming each place, for a JSON body with a key given twice in one object or a
    number too long to read (api/json_body.py), which json.loads would read as the last of the
    two or not at all ("could not be read as JSON"), and 400 malformed_json, naming the word and
    where, for NaN, Infinity or -Infinity, which json.loads reads as numbers though they are not
    JSON. Every JSON body the app reads passes here,
    before its fields are checked: the API's, under /api/ (at most 512 KB). The pages read
    forms only, never JSON, so a body sent to a page is passed on untouched, unread, whatever
    its Content-Type (a review found 3.1 MB of JSON posted to /sign-in read here for 12.7 s)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        refused = _charset_problem(scope) or _not_utf8(body)
        if refused:
            await _malformed(refused)(scope, receive, send)
            return
        try:
            found, total = json_body.problems(body, MOST_PROBLEMS) if body else ([], 0)
        except json_body.NotJson as not_json:  # NaN or Infinity, which json.loads reads
            await _malformed(f"the request body is not valid JSON: {not_json}")(scope, receive, send)
            return
        if total:
            counted = total if total > len(found) else None  # only the first are named
            response = capped_error(invalid([{"field": f, "message": m} for f, m in found]), counted)
            await response(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


class BodyLimit:
    """Answers 413 for a request body over `limit` bytes, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, limit: int, page_limit: int | None = None, upload_limit: int | None = None):
        self.app, self.api_limit = app, limit
        self.page_limit = max(page_limit or limit, limit)
        self.upload_limit = max(upload_limit or self.page_limit, self.page_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The API's limit under /api, the upload form's on its page, the pages' elsewhere.
        path = scope["path"]
        limit = (self.upload_limit if _api_upload(scope) else self.api_limit if path.startswith("/api/") else
                 self.upload_limit if path.rstrip("/").endswith(UPLOAD_PATHS) else self.page_limit)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            # The server delivers no more than the declared length.
            if not length.isdigit() or int(length) > limit:
                await self._reject(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b""):
            await self.app(scope, receive, send)
            return
        # Streamed body: read it here (up to the limit), then hand it on in one piece.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await self._reject(scope, receive, send, limit)
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        message = f"the request body is over {limit // 1024} KB"
        if _api_upload(scope):  # a letter sent as a file
            message += " (a letter's file may be up to 2 MB)"
        elif scope["path"].startswith("/api/"):  # said for the API's clients, whose JSON may escape
            length = dict(scope["headers"]).get(b"content-length", b"")
            size = f" (it is {-(-int(length) // 1024):,} KB)" if length.isdigit() else ""
            message = TOO_LARGE_API.format(limit=limit // 1024, size=size, text=MAX_LETTER_BYTES // 1024)
        response = error_response(413, "too_large", message, headers={"Connection": "close"})
        await response(scope, receive, send)


def range_problem(low_name: str, low: object, high_name: str, high: object) -> tuple[str, str] | None:
    """(field, message) when a range ends before it starts, else None."""
    if low is not None and high is not None and str(high) < str(low):
        return (f"query.{high_name}", f"'{high}' is before query.{low_name} '{low}': {high_name} must be the same as"
                                      f" {low_name} or later")
    return None


def check_range(low_name: str, low: object, high_name: str, high: object, *more: tuple[str, str] | None) -> None:
    """422 naming both query parameters when a range ends before it starts, with `more` (other
    (field, message) problems of the query, such as a future as_of) in the same answer."""
    problems = [p for p in (range_problem(low_name, low, high_name, high), *more) if p]
    if problems:
        raise invalid_error([{"field": f, "message": m} for f, m in problems])
