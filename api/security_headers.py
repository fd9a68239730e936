"""The headers that keep an answer out of caches, unsniffed and unframed, on every answer: the
one place they are set. Pages, downloads (a letter's Word file, the CSV exports, the panel's
board report) and the API's answers carry letter text, names, case references and comments,
which no browser, proxy or shared cache should keep, and which a browser must never read as
another kind of file than the one sent (a review found the Word download, the board report's
CSV and the API's HTML report without them: each route set its own, and these did not)."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles from this server only, no framing, forms post only here.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
# The panel's printable board report: one HTML file with its styles inline, no scripts at all.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# What may be kept by a cache: the stylesheets, scripts and icon every page uses, which hold
# nothing of anyone's. Kept, but asked about again each time (STATIC_CACHE; the answer is a
# short "not modified" while the file is the same): with no Cache-Control a browser kept a
# script for days by its own reckoning, and after an upgrade could place a paragraph with last
# week's api/static/insert.js on this week's page.
CACHEABLE = ("/static/", "/favicon.ico")
STATIC_CACHE = "no-cache"
# The interactive API docs (off unless VCL_QA_API_DOCS=1) load their scripts from an outside host:
# these paths keep no policy only while the docs are on (off, each is a 404 like any other, and
# a path such as /docs-anything never was the docs).
OWN_POLICY = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer: Cache-Control: no-store replaces any other
    (CACHEABLE paths: STATIC_CACHE unless they give their own); the others are added where the answer has none of its own (the
    board report gives REPORT_POLICY). Answers made by the outermost error handler (a 500 page)
    do not pass here: `render` gives pages the same headers (api/web/session.py)."""

    def __init__(self, app: ASGIApp) -> None:
        from vcl_qa import config

        self.app = app
        self.docs = config.api_docs_enabled()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        cacheable = path.startswith(CACHEABLE)
        own_policy = self.docs and path in OWN_POLICY

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not cacheable:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                elif not any(h[0].lower() == b"cache-control" for h in headers):
                    headers.append((b"cache-control", STATIC_CACHE.encode()))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    key = name.lower().encode()
                    if key in present or (key == b"content-security-policy" and own_policy) \
                            or (key == b"cache-control" and cacheable):
                        continue
                    headers.append((key, value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)
