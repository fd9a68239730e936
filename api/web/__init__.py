"""HTML pages for staff, panel members and managers (one module per page kind).

`install(app)` adds the pages, the static files and the page-style answers to "sign in first"
and "not allowed"; the JSON API under /api/v1 is unchanged.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import errors as api_errors

from . import auth, check, dashboard, letters, panel
from . import guide, training
from . import admin, decisions
from .session import NotAllowed, SignInRequired, redirect, render, sign_in_url

STATIC = Path(__file__).resolve().parent.parent / "static"
ROUTERS = [auth.router, check.router, letters.router, panel.router, dashboard.router,
           guide.router, training.router, decisions.router, admin.router]


async def _sign_in_first(request: Request, exc: SignInRequired):
    return redirect(sign_in_url(request))


async def _not_allowed(request: Request, exc: NotAllowed):
    if exc.args and exc.args[0] == "csrf":
        return render(request, "error.html", {
            "heading": "The form had expired",
            "message": "For your security the form could not be sent. Go back, reload the page and try again."}, 403)
    return render(request, "error.html", {
        "heading": "You cannot open this page",
        "message": "Your role does not give you access to this page."}, 403)


async def _page_not_found(request: Request, exc: letters.PageNotFound):
    return render(request, "error.html", {
        "heading": exc.heading or "Page not found",
        "message": exc.message or "There is no such letter, or it belongs to another team."}, 404)


# Pages answer errors with a page; the API (and machine addresses) keep the JSON error shape.
MACHINE_PATHS = ("/api/", "/metrics", "/openapi.json", "/docs", "/redoc", "/static/")
ERROR_PAGES = {
    403: ("You cannot open this page", "Your role does not give you access to this page."),
    404: ("Page not found", "There is no page at this address. Check the address, or go to your start page."),
    405: ("Page not found", "There is no page at this address. Check the address, or go to your start page."),
    413: ("That was too much to send", "What you sent is larger than the service accepts: a Word file "
          "can be up to 2 MB, and a letter pasted as text up to 200 KB. A Word letter larger than that "
          "usually has pictures in it: save a copy without them (or copy the letter's words into a new "
          "Word document) and choose that. A pasted letter: go back and shorten it."),
    500: ("Sorry, something went wrong", "Nothing was saved. Go back and try again; if it happens "
          "again, tell your manager what you were doing."),
}


def is_page(request_path: str) -> bool:
    return not request_path.startswith(MACHINE_PATHS)


def error_page(request: Request, status: int):
    heading, message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render(request, "error.html", {"heading": heading, "message": message}, status)


async def _http_error(request: Request, exc: StarletteHTTPException):
    if is_page(request.url.path) and exc.status_code in ERROR_PAGES:
        page = error_page(request, exc.status_code)
        if exc.status_code == 405:  # a 405 names what the address takes (RFC 9110), page or not
            page.headers["Allow"] = api_errors.allow_header(request, exc)
        return page
    return await api_errors._http(request, exc)


async def _invalid(request: Request, exc: RequestValidationError):
    """A page address with a part that cannot be (`/letters/abc`): no such page."""
    if is_page(request.url.path):
        return error_page(request, 404)
    return await api_errors._validation(request, exc)


async def _server_error(request: Request, exc: Exception):
    if is_page(request.url.path):
        return error_page(request, 500)
    return await api_errors._server_error(request, exc)


class PageTooLarge:
    """The body limit's 413 (api/errors.py) as a page for a page's form."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_page(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                replaced = True
                response = error_page(Request(scope), 413)
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
                return
            if replaced:
                return  # the JSON body of the 413 is not sent
            await send(message)

        await self.app(scope, receive, send_page)


async def _favicon(request: Request):
    """Browsers ask for /favicon.ico whatever the page says: the same small icon."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})


def install(app: FastAPI) -> None:
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(letters.PageNotFound, _page_not_found)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(PageTooLarge)
