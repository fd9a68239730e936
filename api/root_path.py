"""Pages behind a reverse proxy under a path prefix (`vcl-qa serve --root-path /vcl-qa`).

The pages write their links, forms, redirects and cookie paths from the site root (`/letters`).
When the server runs under a prefix, this middleware puts the prefix in front of each of them
on the way out: `href`, `src`, `action` and `formaction` attributes of HTML pages, `Location`
headers and cookie `Path`s. Without a root path it passes everything through untouched. Letter
text cannot be mistaken for a link: the pages escape quotes and angle brackets in it.
"""
from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LINK = re.compile(rb'(\s(?:href|src|action|formaction)=")(/[^"]*)"')
COOKIE_PATH = re.compile(r"(;\s*path=)(/[^;]*)", re.IGNORECASE)


def prefixed(root: str, path: str) -> str:
    """`path` (from the site root) under `root`, unless it already is, or names another host."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    if path == root or path.startswith(root + "/") or path.startswith(root + "?"):
        return path
    return root + path


class RootPathLinks:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = (scope.get("root_path") or "").rstrip("/")
        if scope["type"] != "http" or not root:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "location" in headers:
                    headers["location"] = prefixed(root, headers["location"])
                cookies = headers.getlist("set-cookie")
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        headers.append("set-cookie", COOKIE_PATH.sub(
                            lambda m: m.group(1) + prefixed(root, m.group(2)), cookie))
                if headers.get("content-type", "").startswith("text/html"):
                    start = message  # held until the whole page is here
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = LINK.sub(lambda m: m.group(1) + prefixed(root, m.group(2).decode()).encode() + b'"',
                                b"".join(body))
                headers = MutableHeaders(scope=start)
                headers["content-length"] = str(len(page))
                await send(start)
                await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, rewrite)
