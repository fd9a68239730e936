"""The audit log: who read or changed what, and when. Never personal data in `detail`.

Nor a panel member's judgement: the log keeps that a named member rated an item or answered a
finding, and when, but not the rating or the answer. Nobody who may read the log may see a named
member's ratings (docs/panel.md: the period page shows how far each member has got, never their
ratings; feedback names raters "Panel member A", "B"), and the item's period list maps the item
to its letter. So those values are left out when an entry is written, and out of entries an
earlier release wrote when they are read (`PRIVATE_DETAIL`)."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import deque
from typing import Any

from sqlite_utils import Database

from vcl_qa.db.connection import now, write_tx

log = logging.getLogger("vcl_qa.audit")

# A read (a letter opened, the register listed) is audited on the way, and must not wait long
# for the database: another writer holding it (a purge, a large import) kept every letter page
# and GET waiting 30 s, then answered 503 "nothing was saved" (an integrator's review). Its entry
# waits at most READ_WAIT_MS; then it is held here, with the time of the read, and written with
# the next read's entry (`record_read`), or at shutdown (`flush_pending`). At most PENDING_MOST
# are held; past that the oldest go, counted in the log.
READ_WAIT_MS = 2_000
PENDING_MOST = 10_000
_pending: deque[list] = deque()
_pending_lock = threading.Lock()


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


INSERT = ("INSERT INTO audit_log (at, user_id, user_name, action, object_type, object_id, detail)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)")


def _row(user: Any, action: str, object_type: str | None, object_id: int | None, detail: dict | None) -> list:
    detail = without_private(action, detail)
    return [now(), getattr(user, "id", None), getattr(user, "name", None), action, object_type,
            object_id, json.dumps(detail) if detail else None]


def record(db: Database, user: Any, action: str, object_type: str | None = None,
           object_id: int | None = None, detail: dict | None = None) -> None:
    """Append one entry: inside the write transaction of the change it describes, if any."""
    with write_tx(db):
        db.execute(INSERT, _row(user, action, object_type, object_id, detail))


def record_read(db: Database, user: Any, action: str, object_type: str | None = None,
                object_id: int | None = None, detail: dict | None = None) -> None:
    """Append one entry for a read, waiting at most READ_WAIT_MS for the database: held in
    memory when it is busy longer (its time the read's), and written, with any held before,
    the next time it is not. Never raises for a busy or read-only database: the read goes on."""
    row = _row(user, action, object_type, object_id, detail)
    if db.conn.in_transaction:  # (inside a change's own transaction: written with it)
        db.execute(INSERT, row)
        return
    with _pending_lock:
        _pending.append(row)
        while len(_pending) > PENDING_MOST:
            _pending.popleft()
            log.warning("audit: an entry for a read was dropped: %d were waiting for a busy database", PENDING_MOST)
    _flush(db, READ_WAIT_MS)


def pending_count() -> int:
    return len(_pending)


def flush_pending(db: Database) -> int:
    """Write the entries held for reads while the database was busy (at shutdown, and after
    each read); how many are still held."""
    _flush(db, None)
    return len(_pending)


def _flush(db: Database, wait_ms: int | None) -> None:
    with _pending_lock:
        rows = list(_pending)
        _pending.clear()
    if not rows:
        return
    try:
        with write_tx(db, wait_ms=wait_ms):
            db.conn.executemany(INSERT, rows)
    except sqlite3.OperationalError:
        with _pending_lock:  # busy, or a disk that cannot be written: kept, the oldest first
            _pending.extendleft(reversed(rows))
            while len(_pending) > PENDING_MOST:
                _pending.popleft()
        log.warning("audit: %d entries for reads wait for the database, busy or not writable", len(rows))


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
