"""GET /metrics: Prometheus text, for an admin's token or a request from this machine that
sends no token (a token sent is judged wherever the request comes from).

"From this machine" means a loopback client with no proxy header: behind nginx every request
comes from 127.0.0.1, and uvicorn puts the real client address in its place only for proxies
it trusts, so a forwarded request is never taken for a local one.
"""
from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response

from vcl_qa.db import open_db
from vcl_qa.db.users import user_by_token
from vcl_qa.ops import metrics

from ..deps import token_refused
from ..errors import ApiError

router = APIRouter(tags=["metrics"])
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def from_this_machine(request: Request) -> bool:
    if any(h in request.headers for h in PROXY_HEADERS) or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def check_allowed(request: Request) -> None:
    """A local request without a token passes; a token sent is always judged, locally too (a
    staff token from the server itself got the metrics, and a wrong one too, where the roles
    table says 403 and 401: an integrator's review)."""
    sent = "authorization" in request.headers
    if from_this_machine(request) and not sent:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send an admin's API token as 'Authorization: Bearer "
                       "TOKEN', or read the metrics from the server itself")
    db = open_db(request.app.state.db_path)
    try:
        user = user_by_token(db, token.strip())
        refused = token_refused(db, token.strip()) if user is None else None
    finally:
        db.close()
    if refused is not None:
        raise refused
    request.state.user_id = user.id
    if user.role != "admin":
        raise ApiError(403, "forbidden", f"the {user.role} role may not read the metrics")


@router.get("/metrics", include_in_schema=False)
def read_metrics(request: Request) -> Response:
    """Requests, latency, letters scored and scoring time, queue and overdue counts."""
    check_allowed(request)
    return Response(metrics.exposition(request.app.state.db_path), media_type=metrics.CONTENT_TYPE)
