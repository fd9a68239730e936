"""The audit log: who read or changed what, and when. Never personal data in `detail`."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from vcl_qa.db.connection import now, write_tx


def record(db: Database, user: Any, action: str, object_type: str | None = None,
           object_id: int | None = None, detail: dict | None = None) -> None:
    """Append one entry: inside the write transaction of the change it describes, if any."""
    with write_tx(db):
        db.execute(
            "INSERT INTO audit_log (at, user_id, user_name, action, object_type, object_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [now(), getattr(user, "id", None), getattr(user, "name", None), action, object_type,
             object_id, json.dumps(detail) if detail else None],
        )


def entries(db: Database, object_type: str | None = None, object_id: int | None = None,
            limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    where, params = [], []
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
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    count = db.execute(f"SELECT count(*) FROM audit_log {clause}", params).fetchone()[0]
    return rows, count
