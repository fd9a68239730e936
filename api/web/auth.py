"""Sign in with an API token or a one-time sign-in link, sign out, and the home page that sends
each role to its start page."""
from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from vcl_qa.db import open_db
from vcl_qa.db import audit
from vcl_qa.db import sign_in_links

from ..deps import DbDep
from vcl_qa import clock
from vcl_qa.db.users import token_expired_at, user_by_token
from vcl_qa.db.web_sessions import create_session, csrf_token, end_session, session_user

from .session import (COOKIE, PRE_COOKIE, ROLE_HOME, PageUser, WebUser, check_csrf, new_pre_token,
                      redirect, render, safe_next, secure_cookie, settings)

router = APIRouter(include_in_schema=False)


def _sign_in_page(request: Request, error: str | None = None, status: int = 200, target: str | None = None):
    """The sign-in form; `target`, the page to go on to, is the posted one when a try failed."""
    token = new_pre_token()
    response = render(request, "sign_in.html", {"error": error, "pre_token": token,
                                                "next": request.query_params.get("next", "") if target is None else target,
                                                "hours": f'{float(settings().get("session_hours", 8)):g}'}, status)
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookie(request),
                        path="/sign-in")
    return response


@router.get("/sign-in")
def sign_in_form(request: Request):
    return _sign_in_page(request)


@router.post("/sign-in")
async def sign_in(request: Request):
    form = await request.form()
    target = str(form.get("next", ""))
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(str(form.get("pre_token", "")), expected):
        return _sign_in_page(request, "The sign-in form had expired. Please paste your token again.", 400, target)
    token = str(form.get("token", "")).strip()
    if not token:
        return _sign_in_page(request, "Paste your sign-in token.", 400, target)
    # In the thread pool: starting a session writes, and the write lock may be held elsewhere.
    signed = await run_in_threadpool(_start_session, request.app.state.db_path, token)
    if isinstance(signed, str):  # a token that has expired: when, so its holder asks for a new one
        return _sign_in_page(request, f"That token expired on {clock.uk_when(signed)}, UK time. "
                                      "Ask your administrator for a new one.", 400, target)
    if signed is None:
        return _sign_in_page(request, "That token is not valid. Check you copied all of it, "
                                      "or ask your administrator for a new one.", 400, target)
    user, session_id = signed
    return _signed_in(request, user, session_id, target)


def _signed_in(request: Request, user, session_id: str, target: str):
    response = redirect(safe_next(target, user))
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="lax", secure=secure_cookie(request),
                        path="/", max_age=int(float(settings().get("session_hours", 8)) * 3600))
    response.delete_cookie(PRE_COOKIE, path="/sign-in")
    return response


LINK_GONE = ("This sign-in link does not work any more: it has been used, it is more than a day old, "
             "or a newer one was made. Ask the person who sent it for a new link.")


def _link_page(request: Request, name: str | None, error: str | None = None, status: int = 200):
    token = new_pre_token()
    # Someone signed in already (a member who opens the link in their email again to come back)
    # is told so, and where to go, rather than only that the link does not work.
    session_id = request.cookies.get(COOKIE, "")
    current = _session_user(request.app.state.db_path, session_id) if error else None
    response = render(request, "sign_in_link.html", {
        "name": name, "error": error, "pre_token": token, "current": current,
        "home": ROLE_HOME.get(current.role, "/account") if current else None}, status,
        WebUser(current, csrf_token(session_id)) if current else None)  # the header, with "Sign out"
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookie(request),
                        path="/sign-in")
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in this page's address
    return response


def _session_user(db_path, session_id: str):
    """The user of a live session, or None (no cookie, or the session has ended)."""
    if not session_id:
        return None
    db = open_db(db_path)
    try:
        return session_user(db, session_id)
    finally:
        db.close()


def _peek(db_path, code: str):
    db = open_db(db_path)
    try:
        return sign_in_links.peek(db, code)
    finally:
        db.close()


@router.get("/sign-in/link/{code}")
def sign_in_link_page(request: Request, code: str):
    """Opening a link only asks; the button uses it (so a mail scanner opening it uses nothing)."""
    user = _peek(request.app.state.db_path, code)
    if user is None:
        return _link_page(request, None, LINK_GONE, 400)
    return _link_page(request, user.name)


@router.post("/sign-in/link/{code}")
async def sign_in_with_link(request: Request, code: str):
    form = await request.form()
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(str(form.get("pre_token", "")), expected):
        return _link_page(request, None, "The page had expired. Open the link again.", 400)
    signed = await run_in_threadpool(_link_session, request.app.state.db_path, code)
    if signed is None:
        return _link_page(request, None, LINK_GONE, 400)
    user, session_id = signed
    return _signed_in(request, user, session_id, "")


def _link_session(db_path, code: str):
    """(user, session id) for a live link, which is then used up; else None."""
    db = open_db(db_path)
    try:
        user = sign_in_links.redeem(db, code)
        if user is None:
            return None
        return user, create_session(db, user.id, float(settings().get("session_hours", 8)))
    finally:
        db.close()


def _start_session(db_path, token: str):
    """(user, session id) for a valid token; when it expired (an enabled user's), the time it
    did, as the API's 401 says it (api/deps.py token_refused); else None."""
    db = open_db(db_path)
    try:
        user = user_by_token(db, token)
        if user is None:
            return token_expired_at(db, token)
        session_id = create_session(db, user.id, float(settings().get("session_hours", 8)))
        audit.record(db, user, "web.sign_in", "user", user.id)
        return user, session_id
    finally:
        db.close()


def _end_session(db_path, session_id: str) -> None:
    db = open_db(db_path)
    try:
        end_session(db, session_id)
    finally:
        db.close()


@router.post("/sign-out")
async def sign_out(request: Request, user: PageUser):
    await check_csrf(request, user)
    await run_in_threadpool(_end_session, request.app.state.db_path, request.cookies.get(COOKIE, ""))
    response = redirect("/sign-in?signed_out=1")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(user: PageUser):
    return redirect(ROLE_HOME.get(user.role, "/account"))


@router.get("/account")
def account(request: Request, user: PageUser, db: DbDep):
    return render(request, "account.html", {"home": ROLE_HOME.get(user.role), "links": link_rows(db, user),
                                            "link_days": sign_in_links.SHOWN_DAYS}, user=user)


def link_rows(db, user) -> list[dict[str, str]]:
    """The sign-in links made for the user lately, in words, for their account page and the
    panel's queue (vcl_qa/db/sign_in_links.py `made_for`)."""
    from .letter_view import when

    out = []
    for link in sign_in_links.made_for(db, user.id):
        used = when(link["used_at"]) if link["used_at"] else "Not used"
        out.append({"made_by": link["made_by"] or "someone no longer listed", "made_at": when(link["made_at"]),
                    "used": used})
    return out
