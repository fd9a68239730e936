"""The audit log: who read or changed what, and when. Never personal data in `detail`.

Nor a panel member's judgement: the log keeps that a named member rated an item or answered a
finding, and when, but not the rating or the answer. Nobody who may read the log may see a named
member's ratings (docs/panel.md: the period page shows how far each member has got, never their
ratings; feedback names raters "Panel member A", "B"), and the item's period list maps the item
to its letter. So those values are left out when an entry is written, and out of entries an
earlier release wrote when they are read (`PRIVATE_DETAIL`)."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from vcl_qa.db.connection import now, write_tx


# Detail keys that hold a panel member's judgement (scores, overall rating, verdict, notes):
# never kept in, nor shown from, the entry that names the member.
PRIVATE_DETAIL = {
    "panel.rate": {"overall", "scores", "comment", "marks"},
    "panel.verdict": {"verdict", "note"},
}


def without_private(action: str, detail: dict | None) -> dict | None:
    """`detail` without what the log must not show for this action."""
    hidden = PRIVATE_DETAIL.get(action)
    if not hidden or not isinstance(detail, dict):
        return detail
    return {k: v for k, v in detail.items() if k not in hidden}


def record(db: Database, user: Any, action: str, object_type: str | None = None,
           object_id: int | None = None, detail: dict | None = None) -> None:
    """Append one entry: inside the write transaction of the change it describes, if any."""
    detail = without_private(action, detail)
    with write_tx(db):
        db.execute(
            "INSERT INTO audit_log (at, user_id, user_name, action, object_type, object_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [now(), getattr(user, "id", None), getattr(user, "name", None), action, object_type,
             object_id, json.dumps(detail) if detail else None],
        )


def entries(db: Database, object_type: str | None = None, object_id: int | None = None,
            limit: int = 100, offset: int = 0, before_id: int | None = None) -> tuple[list[dict], int]:
    """Entries newest first, with the count of all that match. `before_id`: only entries with a
    lower id, to page back through a log that grows as it is read (an offset shifts by every
    entry added meanwhile, so a page repeats some of the one before)."""
    where, params = [], []
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    if object_type:
        where.append("object_type = ?")
        params.append(object_type)
    if object_id is not None:
        where.append("object_id = ?")
        params.append(object_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = list(db.query(
        f"SELECT * FROM audit_log {clause} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
    ))
    for r in rows:
        r["detail"] = without_private(r["action"], json.loads(r["detail"]) if r["detail"] else None)
    count = db.execute(f"SELECT count(*) FROM audit_log {clause}", params).fetchone()[0]
    return rows, count
