"""Checking as one types, and the findings set aside as 'not a problem'.

`POST /check` scores a letter and stores nothing. The letter page calls it while the writer
types, with the signed-in session (cookie) and the page's CSRF token in `X-CSRF-Token`
instead of an API token; other clients send their token as usual.
"""
from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from vcl_qa.db.users import User, user_by_token
from vcl_qa.db.web_sessions import csrf_token, session_user
from vcl_qa.engine.result import Result
from vcl_qa.errors import LetterError
from vcl_qa.letters import service, store

from ..concurrency import requester
from ..deps import DbDep, LetterUser, bearer, check_visible, scoring_slot, token_refused, visible_team
from ..errors import COMMON_RESPONSES, NOT_FOUND, ApiError
from ..file_body import file_route, multipart_openapi
from ..schemas import CheckIn, SetAsideList, check_context_types

router = APIRouter(tags=["check"], responses=COMMON_RESPONSES)
SESSION_COOKIE = "vclqa_session"  # the pages' session (api/web/session.py)


async def checking_user(request: Request, db: DbDep,
                        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    """A token user, or the signed-in page user whose request carries the page's CSRF token."""
    if creds is not None and creds.credentials:
        user = user_by_token(db, creds.credentials)
        if user is None:
            raise token_refused(db, creds.credentials)
    else:
        session_id = request.cookies.get(SESSION_COOKIE, "")
        user = session_user(db, session_id) if session_id else None
        if user is None:
            raise ApiError(401, "unauthorized", "send your API token as 'Authorization: Bearer TOKEN'")
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, csrf_token(session_id)):
            raise ApiError(403, "forbidden", "a page's request needs its form token in the X-CSRF-Token header")
    if user.role not in ("staff", "manager"):
        raise ApiError(403, "forbidden", f"the {user.role} role may not do this")
    request.state.user_id = user.id
    requester.set(user.id)  # whose turn at the scoring slot (api/concurrency.py)
    return user


def check_letter(body: CheckIn, user: Annotated[User, Depends(checking_user)], db: DbDep):
    """Score a letter (the submit body: text and context) and return the result; nothing is
    stored. For checking a draft as it is typed."""
    check_context_types(body.context)  # bereaved and withdrawal are JSON true or false, not "yes"
    if body.marks_of is not None:
        check_visible(db, user, body.marks_of)  # another team's letter, or none: 404
    try:
        with scoring_slot:
            result = service.check(body.text, body.context, db=db, marks_of=body.marks_of)
    except LetterError as exc:
        if exc.field not in ("text",):  # everything else is a context field
            exc.field = f"context.{exc.field}" if exc.field else "context"
        raise
    return JSONResponse(result.model_dump(mode="json"))



# A letter may come as a file (multipart/form-data), its details in the parts (api/file_body.py).
CHECK_PARTS = {"file": "file", "context": "json", "marks_of": "number"}
router.add_api_route(
    "/check", check_letter, methods=["POST"], response_model=Result, responses=NOT_FOUND,
    route_class_override=file_route(CHECK_PARTS, checking_user, letter=False),
    openapi_extra=multipart_openapi(CHECK_PARTS, {
        "file": "The letter: a Word (.docx), .txt or .md file (at most 2 MB)",
        "context": "The letter's details: the JSON object the JSON body's context is",
        "marks_of": "A stored letter whose marks apply (digits)"}))

@router.get("/set-aside", response_model=SetAsideList)
def set_aside(db: DbDep, user: LetterUser,
              severity: Literal["error", "warning", "suggestion"] = "error",
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
                  "Only marks with a lower id: to page newest first while marks are being made, pass "
                  "the last id of the page before (an offset shifts as they are made or restored)"))] = None):
    """Findings marked 'not a problem' in the latest result of each letter (default: the
    must-fix ones), with the reason, who and when, newest mark first; staff see their own
    team's. `count` counts what `before_id` leaves."""
    rows, count = store.set_aside(db, team=visible_team(user), severity=severity, limit=limit, offset=offset,
                                  before_id=before_id)
    return {"data": rows, "count": count}
