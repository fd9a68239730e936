"""HTML pages for staff, panel members and managers (one module per page kind).

`install(app)` adds the pages, the static files and the page-style answers to "sign in first"
and "not allowed"; the JSON API under /api/v1 is unchanged.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

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
        "heading": "Page not found",
        "message": "There is no such letter, or it belongs to another team."}, 404)


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(letters.PageNotFound, _page_not_found)
