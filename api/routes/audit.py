"""GET /api/v1/audit: who read or changed what, and when (managers and admins)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from vcl_qa.db import audit as store

from ..deps import AuditUser, DbDep
from ..errors import COMMON_RESPONSES

router = APIRouter(tags=["audit"], responses=COMMON_RESPONSES)


class AuditEntry(BaseModel):
    id: int
    at: str
    user_id: int | None
    user_name: str | None
    action: str
    object_type: str | None
    object_id: int | None
    detail: dict[str, Any] | None


class AuditList(BaseModel):
    data: list[AuditEntry]
    count: int


@router.get("/audit", response_model=AuditList)
def audit_log(db: DbDep, user: AuditUser,
              object_type: Literal["letter", "user"] | None = None,
              object_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
                  "Only entries with a lower id: to page back while entries are being added (every "
                  "read of a letter adds one), pass the last id of the page before instead of an offset"))] = None):
    """Who read or changed what, and when, newest first (by id) as {data, count}; `count`
    counts what the filters (and `before_id`) give."""
    rows, count = store.entries(db, object_type, object_id, limit, offset, before_id=before_id)
    return {"data": rows, "count": count}
