"""A letter sent as a file (multipart/form-data) to POST /letters and POST /check.

The contract lets a Word letter carry its details "as fields in the API request". A request of
multipart/form-data with a `file` part (.docx, .txt or .md) and a `context` part (the JSON object
the JSON body's `context` is) is read here: the token and role first, as the JSON route checks
them, then every part, then the file, through the check page's own reader (api/uploads.py: the
same size and type limits, a Word file read in a child process with a time limit). The parts then
become the JSON body the route takes, which is answered by the JSON route itself, so the answer
is the one the JSON body would get, with `word_warning` added: what a Word file still carries
(tracked changes, comments, hidden text), as the pages say it, else null. In an error answer the
letter's text is the file's (`text` is named `file`).
"""
from __future__ import annotations

import email.message
import json
from typing import Any, Awaitable, Callable

import anyio
from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from vcl_qa.engine.letter import CONTEXT_FIELDS, context_from_mapping
from vcl_qa.errors import MOST_PROBLEMS, LetterError

from . import db_pool, json_body
from .deps import _path_number, bearer, scoring_slot
from .errors import MAX_REQUEST_BYTES, ApiError, invalid_error, replaying
from .schemas import json_context_problems
from .uploads import uploaded_text
from .validation import MAX_ID

Authorize = Callable[..., Awaitable[Any]]


def is_multipart(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_type() == "multipart/form-data"


def _problem(field: str, message: str) -> dict:
    return {"field": field, "message": message}


def _refused(problems: list[dict]) -> ApiError:
    """The 422 naming every problem, in the words `invalid` puts them (api/errors.py)."""
    return invalid_error(problems)


def _json_part(name: str, raw: str) -> tuple[Any, list[dict]]:
    """A part holding JSON (`context`), read as strictly as a JSON body is (api/json_body.py):
    each key given twice named; NaN, and what is not JSON, said where."""
    data = raw.encode("utf-8")
    try:
        found, total = json_body.problems(data, MOST_PROBLEMS)
    except json_body.NotJson as exc:
        return None, [_problem(name, f"is not JSON: {exc}")]
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [_problem(name, "is not JSON: " + json_body.syntax_problem(raw, exc.pos, exc.msg))]
    except (ValueError, RecursionError):
        return None, [_problem(name, "is not JSON: it could not be read (nested too deeply)")]
    if total:
        return None, [_problem(f"{name}.{f}" if f != "body" else name, m) for f, m in found]
    return value, []


def _number_part(name: str, raw: str) -> tuple[int | None, list[dict]]:
    """An id or a version: digits alone, as an address takes it (api/deps.py)."""
    try:
        return _path_number(MAX_ID)(raw.strip()), []
    except ValueError as exc:
        return None, [_problem(name, str(exc))]


def _file_details(meta: dict, letter: bool) -> tuple[dict, list[dict]]:
    """A .txt or .md file's own front matter as JSON context values (dates as YYYY-MM-DD), or
    what is wrong with it, named `file` as the check page names it."""
    if not meta:
        return {}, []
    unknown = [str(k) for k in meta if k not in CONTEXT_FIELDS]
    if unknown:
        return {}, [_problem("file", f"the file's front matter has {'fields' if len(unknown) > 1 else 'a field'} "
                                     f"this service does not know: {', '.join(unknown)}; the fields are "
                                     f"{', '.join(CONTEXT_FIELDS)}")]
    if letter and meta.get("suppress"):
        return {}, [_problem("file", "the file's front matter sets findings aside ('suppress'), which a stored "
                                     "letter cannot carry: take those lines out, store the letter, then mark each "
                                     "finding not a problem with POST /letters/{id}/suppressions")]
    try:
        read = context_from_mapping(meta).model_dump(mode="json")
    except LetterError as exc:
        return {}, [_problem("file", f"the file's front matter: {f + ': ' if f else ''}{m}") for f, m in exc.details]
    return {k: read[k] for k in meta if k in read}, []


async def _form(request: Request):
    try:
        return await request.form(max_files=4, max_fields=16, max_part_size=MAX_REQUEST_BYTES), None
    except Exception as exc:  # noqa: BLE001 - starlette's MultiPartException, as an HTTPException or not
        said = getattr(exc, "detail", None) or getattr(exc, "message", None) or "it could not be read"
        return None, [_problem("body", f"is not multipart/form-data that can be read: {said}")]


async def json_from_parts(request: Request, parts: dict[str, str], letter: bool) -> tuple[dict, str | None]:
    """The JSON body the parts stand for, and the Word file's warning (None when none). 422
    naming each part (or `context.FIELD`) that is wrong, all at once; the file is read only when
    the rest is right, under the scoring slot the check page reads it under."""
    form, problems = await _form(request)
    if problems:
        raise _refused(problems)
    seen: dict[str, list] = {}
    for key, value in form.multi_items():
        seen.setdefault(key, []).append(value)
    body: dict[str, Any] = {}
    problems = []
    for key, values in seen.items():
        if key not in parts:
            problems.append(_problem(key, f"unknown part (the parts are {', '.join(parts)})"))
        elif len(values) > 1:
            problems.append(_problem(key, f"is given {len(values)} times: send it once"))
    upload = seen.get("file", [None])[0]
    if upload is None:
        problems.append(_problem("file", "is required: send the letter as a part named file (a .docx, .txt or "
                                         ".md file)"))
    elif not isinstance(upload, UploadFile):
        problems.append(_problem("file", "must be a file (a part with a filename, such as letter.docx), not text "
                                         "(to send the letter's text, send a JSON body)"))
    for key, kind in parts.items():
        if key == "file" or key not in seen or len(seen[key]) > 1:
            continue
        value = seen[key][0]
        if isinstance(value, UploadFile):
            value = (await value.read(MAX_REQUEST_BYTES + 1)).decode("utf-8", "replace")
        if kind == "json":
            read, found = _json_part(key, value)
            if not found and not isinstance(read, dict):
                found = [_problem(key, f"must be a JSON object ({{\"name\": value, ...}}), as the JSON body's {key} is")]
        elif kind == "number":
            read, found = _number_part(key, value)
        else:
            read, found = value, []
        problems += found
        if not found:
            body[key] = read
    if isinstance(body.get("context"), dict):
        if letter and "team" in body["context"]:
            problems.append(_problem("context.team", "goes in a part of its own named team, not inside context"))
        problems += [_problem(f, m) for f, m in json_context_problems(body["context"])]
    if problems or not isinstance(upload, UploadFile):
        raise _refused(problems)
    try:
        def read() -> tuple[str, dict, str | None]:
            with scoring_slot:  # a Word file can take 200 MB to read: one at a time
                return uploaded_text(upload)

        text, meta, warning = await anyio.to_thread.run_sync(read)
    except LetterError as exc:
        raise _refused([_problem("file", exc.message)]) from None
    details, problems = _file_details(meta, letter)
    if problems:
        raise _refused(problems)
    # The request's own context wins over the file's front matter, as the page's boxes do.
    body["context"] = {**details, **body.get("context", {})}
    body["text"] = text
    return body, warning


def _with_warning(response: Response, warning: str | None) -> Response:
    """A JSON route's answer with `word_warning` added (its errors are raised, never returned)."""
    if response.status_code >= 400 or "json" not in response.headers.get("content-type", ""):
        return response
    try:
        data = json.loads(response.body)
    except (ValueError, AttributeError):
        return response
    if not isinstance(data, dict):
        return response
    data["word_warning"] = warning
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
    return JSONResponse(data, status_code=response.status_code, headers=headers)


def file_route(parts: dict[str, str], authorize: Authorize, letter: bool) -> type[APIRoute]:
    """An APIRoute that also takes multipart/form-data: `parts` maps each part's name to how it
    is read ("file", "json", "number", "text"); `authorize(request, db, creds)` is the route's
    token and role check, run before anything of the body is read."""

    class FileOrJsonRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            json_handler = super().get_route_handler()

            async def handler(request: Request) -> Response:
                if not is_multipart(request.headers.get("content-type")):
                    return await json_handler(request)
                path = request.app.state.db_path
                db = db_pool.take(path)
                try:
                    await authorize(request, db, await bearer(request))
                finally:
                    db_pool.give_back(path, db)
                try:
                    body, warning = await json_from_parts(request, parts, letter)
                finally:
                    await request.close()  # the spooled file parts
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                headers = [(k, v) for k, v in request.scope["headers"]
                           if k not in (b"content-type", b"content-length", b"transfer-encoding")]
                headers += [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
                as_json = Request({**request.scope, "headers": headers}, replaying(data, request.receive))
                try:
                    response = await json_handler(as_json)
                except LetterError as exc:  # the letter's text is the file's: name the file
                    if exc.field == "text":
                        exc.field = "file"
                    raise
                except ApiError as exc:
                    exc.details = [{**d, "field": "file"} if d.get("field") == "text" else d for d in exc.details]
                    if exc.message.startswith("text: "):
                        exc.message = "file: " + exc.message.removeprefix("text: ")
                    raise
                return _with_warning(response, warning)

            return handler

    return FileOrJsonRoute


def multipart_openapi(parts: dict[str, str], described: dict[str, str]) -> dict:
    """The route's OpenAPI requestBody entry for multipart/form-data."""
    types = {"file": {"type": "string", "format": "binary"}, "json": {"type": "string"},
             "number": {"type": "integer"}, "text": {"type": "string"}}
    return {"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {name: {**types[kind], "description": described.get(name, "")} for name, kind in parts.items()},
    }}}}}
