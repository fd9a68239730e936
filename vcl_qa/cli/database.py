"""Which database a command works on, said out loud; only some commands may create one.

A command that reads or changes stored data and is pointed at a path with no database stops
(exit 2) instead of quietly making an empty one and reporting on nothing. Only `init`, `serve`,
`demo-setup`, `users add` and `import` create the file. Every command names the full path of
the database in its first line of output.
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from sqlite_utils import Database

from vcl_qa.db import db_path, migrate, open_db

SQLITE_HEADER = b"SQLite format 3\x00"
HINT = "(set VCL_QA_DB, or run `vcl-qa init`)"


def database_path() -> Path:
    """The full path of the database file (VCL_QA_DB, else ./vcl_qa.db)."""
    return db_path().expanduser().resolve()


def announce(path: Path, *, machine: bool = False) -> None:
    """The first line of output: which database this is. `machine`: the command's standard
    output is for programs (CSV, JSON, a token), so the line goes to standard error."""
    click.echo(f"Database: {path}", err=machine)


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


def problem(path: Path) -> str | None:
    """Why `path` is not a vcl-qa database, or None when it is one."""
    if not path.exists():
        return f"No database at {path} {HINT}"
    if not path.is_file():
        return f"{path} is a folder, not a database file {HINT}"
    if path.stat().st_size == 0:
        return f"No database at {path}: the file is empty {HINT}"
    if not _is_sqlite(path):
        return f"{path} is not a database file {HINT}"
    try:  # mode=rw: never creates the file
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"{path} cannot be read as a database ({exc}) {HINT}"
    if "letters" not in tables:
        return f"No vcl-qa database at {path}: the file holds no letters table {HINT}"
    return None


def _is_sqlite(path: Path) -> bool:
    """An empty file counts: SQLite makes a database of it (that is what `init` does)."""
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_HEADER))
    return head in (b"", SQLITE_HEADER)


def existing(*, machine: bool = False) -> Database:
    """The database, brought up to date; stops with exit 2 when there is none at the path."""
    path = database_path()
    why = problem(path)
    if why:
        fail(why)
    announce(path, machine=machine)
    return _open(path)


def create_or_open(*, machine: bool = False) -> Database:
    """The database, created (with its folder) when there is none yet: for `init`, `serve`,
    `demo-setup`, `users add` and `import`."""
    path = database_path()
    if path.exists() and (not path.is_file() or not _is_sqlite(path)):
        fail(f"{path} is not a database file: refusing to write to it {HINT}")
    announce(path, machine=machine)
    return _open(path)


def _open(path: Path) -> Database:
    try:
        db = open_db(path)
    except (OSError, sqlite3.Error) as exc:  # a read-only folder or file, a missing mount
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        fail(f"The database at {path} cannot be opened: {reason}. Check that the folder exists "
             "and that this user may read and write it (or set VCL_QA_DB to another path).")
    try:
        migrate(db)
    except sqlite3.Error as exc:
        db.close()
        if "readonly" in str(exc) or "read-only" in str(exc):
            fail(f"The database at {path} is read-only for this user: it cannot be brought up to "
                 "date or changed. Check the file's owner and permissions.")
        fail(f"The database at {path} cannot be brought up to date: {exc}")
    return db
