"""The FastAPI app: one router per resource under /api/v1. Run with `vcl-qa serve`."""
from __future__ import annotations

import inspect
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import Depends, FastAPI

from vcl_qa import __version__, config
from vcl_qa.db import db_path, migrate, open_db

from . import errors
from .errors import capped_error
from .deps import checked_team_filter, filters_by_team
from .routes import audit, decisions, health, letters, users
from .routes import panel
from .routes import training
from .routes import check
from .routes import metrics as metrics_routes
from . import concurrency, unavailable
from .security_headers import SecurityHeaders
from .request_log import RequestLog
from .root_path import RootPathLinks
from . import web

API_PREFIX = "/api/v1"
# Other areas add their routers here (module with a `router`).
ROUTERS = [health.router, letters.router, users.router, audit.router, decisions.router, panel.router,
           training.router, check.router]


def create_app(database: str | Path | None = None) -> FastAPI:
    path = Path(database) if database else db_path()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = open_db(path)
        try:
            migrate(db)
        finally:
            db.close()
        # Threads for the plain `def` routes: enough that one person's requests waiting for the
        # scoring slot (at most VCL_QA_MOST_WAITING, api/concurrency.py) leave most of them free.
        anyio.to_thread.current_default_thread_limiter().total_tokens = config.SERVER_THREADS
        yield
        # Entries for reads held while the database was busy (vcl_qa/db/audit.py record_read)
        from vcl_qa.db import audit

        if audit.pending_count():
            db = open_db(path)
            try:
                left = audit.flush_pending(db)
            finally:
                db.close()
            if left:
                logging.getLogger("vcl_qa.audit").warning(
                    "audit: %d entries for reads could not be written before the server stopped", left)

    # The interactive docs (/docs, /redoc) load their scripts from an outside host: off unless
    # VCL_QA_API_DOCS=1. /openapi.json, the machine-readable description, is always served.
    docs = config.api_docs_enabled()
    app = FastAPI(title="vcl-qa", version=__version__, lifespan=lifespan,
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  description="Quality checks for letters to victims of crime (CPS VCL scheme).")
    app.state.db_path = path
    errors.install(app)
    for router in ROUTERS:
        # A team filter naming no team is a 422, not an empty list (api/deps.py).
        checks = [Depends(checked_team_filter)] if filters_by_team(router) else []
        app.include_router(router, prefix=API_PREFIX, dependencies=checks)
    web.install(app)  # the HTML pages (api/web/)
    unavailable.install(app)  # a locked or full database: 503 with Retry-After, not 500
    concurrency.install(app)  # one user with too many letters waiting to be checked: 429, Retry-After
    app.include_router(metrics_routes.router)  # GET /metrics (outside /api/v1, where Prometheus looks)
    _cap_error_answers(app)  # after every handler is in place (the pages replace some)
    app.add_middleware(RootPathLinks)  # links under `vcl-qa serve --root-path`
    app.add_middleware(SecurityHeaders)  # no cache keeps an answer (they carry letters), nothing sniffed
    app.add_middleware(RequestLog)  # one JSON line per request, and the request metrics
    return app


def _cap_error_answers(app: FastAPI) -> None:
    """Every error handler's answer (api/errors.py) kept small: see `capped_error`."""
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _capping(handler)


def _capping(handler):
    async def capped(request, exc):
        response = handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        return capped_error(response)
    return capped


app = create_app()
