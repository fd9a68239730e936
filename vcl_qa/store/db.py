"""Opening the database: one connection per request or command, WAL, waits on locks."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

DEFAULT_DB = "vcl_qa.db"
BUSY_TIMEOUT_MS = 30_000


def db_path() -> Path:
    """The SQLite file from VCL_QA_DB, or ./vcl_qa.db."""
    return Path(os.environ.get("VCL_QA_DB") or DEFAULT_DB)


def open_db(path: str | Path | None = None) -> Database:
    """Open (creating if needed) the database in WAL mode with foreign keys on."""
    path = Path(path) if path else db_path()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: FastAPI may run a request's dependency and its handler on
    # different pool threads; a connection is still used by one request at a time.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    # synchronous=NORMAL in WAL is durable against a killed process (only not a power cut).
    db.execute("PRAGMA synchronous = NORMAL")
    return db


@contextlib.contextmanager
def write_tx(db: Database) -> Iterator[Database]:
    """One write transaction, taking the write lock up front so concurrent writers queue
    on busy_timeout instead of failing when a read turns into a write."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def now() -> str:
    """UTC timestamp as ISO text, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
