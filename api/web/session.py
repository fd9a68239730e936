"""Web sign-in: the session cookie, the signed-in user, CSRF checks and page rendering."""
from __future__ import annotations

import hmac
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from vcl_qa.engine.rules_data import load_yaml
from vcl_qa.db.users import User
from vcl_qa.db.web_sessions import csrf_token, session_user

from .. import db_pool
from ..concurrency import requester
from ..security_headers import SECURITY_HEADERS

COOKIE = "vclqa_session"
MAX_FORM_FIELD_BYTES = 4 * 1024 * 1024
PRE_COOKIE = "vclqa_signin"  # the sign-in form's own CSRF token (before there is a session)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
ROLE_HOME = {"staff": "/check", "manager": "/dashboard", "panel": "/panel", "admin": "/admin/users"}


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    return load_yaml("web.yml") or {}


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""


class NotAllowed(Exception):
    """The signed-in user's role may not open this page (403 page)."""


class WebUser:
    """The signed-in user plus the session's CSRF token for forms."""

    def __init__(self, user: User, csrf: str):
        self.user, self.csrf = user, csrf
        self.id, self.name, self.role, self.team = user.id, user.name, user.role, user.team


def secure_cookie(request: Request) -> bool:
    return request.url.scheme == "https"


async def signed_in(request: Request) -> WebUser:
    session_id = request.cookies.get(COOKIE, "")
    if session_id:
        with db_pool.borrowed(request.app.state.db_path) as db:
            user = session_user(db, session_id)
        if user is not None:
            request.state.user_id = user.id  # for the request log (api/request_log.py)
            requester.set(user.id)  # whose turn at the scoring slot (api/concurrency.py)
            return WebUser(user, csrf_token(session_id))
    raise SignInRequired()


def role(*roles: str):
    async def check(user: Annotated[WebUser, Depends(signed_in)]) -> WebUser:
        if user.role not in roles:
            raise NotAllowed()
        return user
    return check


PageUser = Annotated[WebUser, Depends(signed_in)]
StaffOrManager = Annotated[WebUser, Depends(role("staff", "manager"))]
Manager = Annotated[WebUser, Depends(role("manager"))]
Panel = Annotated[WebUser, Depends(role("panel"))]


async def check_csrf(request: Request, user: WebUser) -> dict:
    """The posted form, after checking its CSRF token against the session's."""
    # A pasted letter can be over the 1 MB a form field may otherwise hold: read it, so that
    # the page can say it is too long and keep it in the box (the body limit still applies).
    form = await request.form(max_part_size=MAX_FORM_FIELD_BYTES)
    sent = str(form.get("csrf_token", ""))
    if not hmac.compare_digest(sent, user.csrf):
        raise NotAllowed("csrf")
    return form


async def posted_form(request: Request, user: Annotated[WebUser, Depends(signed_in)]) -> Any:
    """The posted form, read on the event loop and CSRF-checked, for a handler that is a plain
    `def`: such handlers run in the thread pool, so scoring or waiting for the database's write
    lock never holds up other requests."""
    return await check_csrf(request, user)


PostedForm = Annotated[Any, Depends(posted_form)]


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200,
           user: WebUser | None = None) -> HTMLResponse:
    ctx = {"user": user, "csrf": user.csrf if user else "", "path": request.url.path, **context}
    response = TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)
    # api/security_headers.py gives every answer these; the 500 page is made outside it.
    response.headers.update(SECURITY_HEADERS)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def sign_in_url(request: Request) -> str:
    """The sign-in page, then back to this page. A form posted while signed out (a session
    that ended while a letter was being typed) goes back to the page the form is on, the
    nearest path above its address that is a page (/letters/7/versions -> /letters/7): its own
    address takes no GET, and signing in would end on "Method Not Allowed"."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = _page_above(request)
    return f"/sign-in?next={quote(target, safe='')}"


def _page_above(request: Request) -> str:
    from starlette.routing import Match

    parts = request.url.path.rstrip("/").split("/")
    while len(parts) > 1:
        path = "/".join(parts)
        scope = {**request.scope, "method": "GET", "path": path}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            return path
        parts.pop()
    return "/"


def safe_next(target: str | None, user: User) -> str:
    """Only local paths (no //host or scheme) are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ROLE_HOME.get(user.role, "/")
