"""GET /api/v1/audit: who read or changed what, and when (managers and admins)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from vcl_qa.db import audit as store

from ..deps import AuditUser, DbDep
from ..errors import COMMON_RESPONSES

router = APIRouter(tags=["audit"], responses=COMMON_RESPONSES)

# Every object_type the log is written with (audit.record's callers; tests/test_api_audit_types.py
# finds them in the code and fails when one is missing). The filter took 'letter' and 'user'
# only, so a manager asking for the register's entries (`decision`) was told the log had no such
# thing, though it records them (an integrator's review). Entries about no one object (a backup,
# a restore, an audit purge) have none, and are listed without the filter.
OBJECT_TYPES = ("letter", "user", "decision", "panel_period", "panel_item", "panel_policy", "training_exercise")
ObjectType = Literal[OBJECT_TYPES]  # type: ignore[valid-type]


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
              object_type: ObjectType | None = None,
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
