"""When the database cannot take a request for now: 503 with Retry-After, never a 500.

A write lock held elsewhere for longer than the wait (vcl_qa.config.BUSY_TIMEOUT_MS), a full
disk, a disk error or a database that cannot be written to all surface from SQLite as an
OperationalError. The API answers in its error shape, the pages with a plain page; other
database errors stay 500s (a fault here, not a passing state).
"""
from __future__ import annotations

import sqlite3

from fastapi import FastAPI, Request

from .errors import error_response

RETRY_AFTER_SECONDS = 30
# SQLite's words for the passing or outside causes (sqlite3 gives no error codes before 3.11's
# sqlite_errorcode, and the words are stable across SQLite versions).
PASSING = ("database is locked", "database table is locked", "database or disk is full",
           "disk i/o error", "attempt to write a readonly database", "unable to open database file")


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(w in str(exc).lower() for w in PASSING)


async def _database_error(request: Request, exc: Exception):
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    api = request.url.path.startswith("/api/")
    if not is_unavailable(exc):
        if api:
            return error_response(500, "internal", "something went wrong on the server; nothing was saved")
        return _page(request, 500, "Sorry, something went wrong",
                     "Nothing was saved. Go back and try again.", {})
    message = ("the database is busy or cannot be written to just now; nothing was saved. "
               f"Try again in {RETRY_AFTER_SECONDS} seconds")
    if api:
        return error_response(503, "unavailable", message, headers=headers)
    return _page(request, 503, "The service is busy",
                 f"Nothing was saved. Please try again in {RETRY_AFTER_SECONDS} seconds. If this "
                 "keeps happening, tell whoever runs this service (the disk may be full).", headers)


def _page(request: Request, status: int, heading: str, message: str, headers: dict):
    from .web.session import render

    response = render(request, "error.html", {"heading": heading, "message": message}, status)
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(sqlite3.OperationalError, _database_error)
