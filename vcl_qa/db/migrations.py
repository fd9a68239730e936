"""Runs every area's migrations at start-up, one area after another, each in a transaction.

An area registers its tables by putting `migrations = sqlite_utils.migrations.Migrations("area")`
in its own module (decorated functions, applied once, recorded in `_sqlite_migrations`) and
adding it to `migration_sets` below. Core comes first: later areas may refer to its tables.

After them, every table with an integer id is made AUTOINCREMENT (vcl_qa/db/ids.py), so that no
id is ever handed out twice; a table added by a later migration is covered the next time.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations


def migration_sets() -> list[Migrations]:
    """Every area's migrations, in order: core first (later areas refer to its tables).
    A new area adds its module's `migrations` here."""
    from vcl_qa.db import schema as core, web_sessions
    from vcl_qa.decisions import store as decisions
    from vcl_qa.panel import schema as panel
    from vcl_qa.training import store as training
    from vcl_qa.db import sign_in_links

    return [core.migrations, panel.migrations, decisions.migrations, web_sessions.migrations,
            training.migrations, sign_in_links.migrations]


def migrate(db: Database) -> list[str]:
    """Apply pending migrations of every registered area; returns 'area:name' of those applied.
    Then make sure no table's ids can be handed out again (`ids.ensure`: a no-op once done)."""
    from vcl_qa.db import ids
    from vcl_qa.db.connection import writers_lock

    applied: list[str] = []
    with _migration_lock(db):
        for mset in migration_sets():
            pending = [m.name for m in mset.pending(db)]
            mset.apply(db)
            applied.extend(f"{mset.name}:{n}" for n in pending)
        if ids.needed(db.conn):
            with writers_lock(db):
                ids.ensure(db.conn)
    return applied


@contextlib.contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    """Serialise migrations between processes (several server workers start at once)."""
    row = db.execute("PRAGMA database_list").fetchone()
    filename = row[2] if row else ""
    if not filename:  # in-memory database: one process only
        yield
        return
    lock = Path(filename).with_name(Path(filename).name + ".migrate-lock")
    with os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT, 0o600), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
