"""One JSON log line per request, and the request metrics.

The line holds the method, the route template (`/api/v1/letters/{letter_id}`, never the path
as sent, nor its query string), the status, the time taken and the signed-in user's id: never
letter text, names, search words, tokens or cookies. The dependencies that identify the user
put their id in `request.state.user_id`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcl_qa.ops import metrics

LOGGER = "vcl_qa.requests"
UNMATCHED = "(no route)"
LITERAL = re.compile(r"(/[A-Za-z0-9_.-]+)*")  # a router prefix has no parameters


def request_logger() -> logging.Logger:
    """The request log: one JSON object a line on standard error (journald, docker logs)."""
    log = logging.getLogger(LOGGER)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def route_template(scope: Scope, path: str, root: str = "") -> str:
    """The matched route's template with the prefix of the router it was included under
    (`/api/v1` + `/letters/{letter_id}`). `path` is the request path without the root path.
    The route knows only its own part; the prefix is the literal start of the path before it."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(template, str) or not template or regex is None:
        return _mount(scope, root)
    for i, char in enumerate(path):
        if char == "/" and regex.match(path[i:]):
            prefix = path[:i]
            return (prefix if LITERAL.fullmatch(prefix) else "(prefix)") + template
    return template


def _mount(scope: Scope, root: str) -> str:
    """A mounted app (the static files) leaves its prefix in the root path: `/static/{path}`."""
    mounted = (scope.get("root_path") or "").removeprefix(root)
    return mounted + "/{path}" if mounted and LITERAL.fullmatch(mounted) else UNMATCHED


class RequestLog:
    """Pure ASGI middleware (no response buffering): times the request, then logs and counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = request_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state = scope.setdefault("state", {})
        root = scope.get("root_path") or ""
        path = scope["path"].removeprefix(root) if root and scope["path"].startswith(root) else scope["path"]
        status = 500  # an exception with no response sent is answered 500 by the outer layer

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - start
            route = route_template(scope, path, root)
            metrics.observe_request(scope["method"], route, status, seconds)
            self.log.info(json.dumps({
                "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                "method": scope["method"], "route": route, "status": status,
                "ms": round(seconds * 1000, 1), "user_id": state.get("user_id"),
            }))
