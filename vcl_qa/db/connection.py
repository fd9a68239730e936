"""Opening the database: one connection per request or command, WAL, waits on locks."""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from vcl_qa import clock
from vcl_qa.config import BUSY_TIMEOUT_MS, DEFAULT_DB, db_path  # noqa: F401 (re-exported)


def open_db(path: str | Path | None = None) -> Database:
    """Open (creating if needed) the database in WAL mode with foreign keys on."""
    path = Path(path) if path else db_path()
    if str(path) != ":memory:":
        private_file(path)
    # check_same_thread=False: FastAPI may run a request's dependency and its handler on
    # different pool threads; a connection is still used by one request at a time.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn, execute_plugins=False)
    add_functions(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    # synchronous=NORMAL in WAL is durable against a killed process (only not a power cut).
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def add_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the queries use: `uk_day(stamp)`, the UK date (YYYY-MM-DD) of a stored
    UTC timestamp, so that a letter checked at 00:30 on 1 July in summer counts on 1 July, not
    30 June (`substr(stamp, 1, 10)` is the UTC date)."""
    conn.create_function("uk_day", 1, _uk_day, deterministic=True)


def _uk_day(stamp: str | None) -> str | None:
    if not stamp:
        return None
    from vcl_qa.clock import uk_date

    try:
        return uk_date(stamp).isoformat()
    except ValueError:
        return stamp[:10]


def private_file(path: Path) -> None:
    """The database holds every letter: only its owner may read it. A folder made for it is
    0700; the file is created 0600 (SQLite gives its -wal and -shm files the same mode), and an
    existing file, -wal or -shm that others could read is made 0600."""
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # whatever the umask
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = p.stat()
        except OSError:
            continue
        if st.st_mode & 0o077 and st.st_uid == os.getuid() and p.is_file():
            os.chmod(p, 0o600)


@contextlib.contextmanager
def write_tx(db: Database, wait_ms: int | None = None) -> Iterator[Database]:
    """One write transaction. Writers queue on a lock (threads, then processes) before taking
    SQLite's write lock: SQLite's own busy wait polls, and under load a writer can starve
    for many seconds while others keep winning. `wait_ms`: wait no longer than this for the
    locks (default BUSY_TIMEOUT_MS), for a write a read makes on the way (an audit entry, a
    result kept to save work), which should give up rather than hold the read up."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    # One wait in all, whether for the writers' lock or then for SQLite's own: a lock held
    # elsewhere for longer gives "database is locked" after BUSY_TIMEOUT_MS, not twice that.
    deadline = time.monotonic() + min(wait_ms or BUSY_TIMEOUT_MS, BUSY_TIMEOUT_MS) / 1000
    with _writer_lock(db, deadline):
        _begin_immediate(db, deadline)
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")




@contextlib.contextmanager
def writers_lock(db: Database) -> Iterator[None]:
    """The writers' lock alone, for work that must manage its own transaction (a schema change
    with foreign keys off: vcl_qa/db/ids.py); waits no longer than a write would."""
    with _writer_lock(db, time.monotonic() + BUSY_TIMEOUT_MS / 1000):
        yield


def _begin_immediate(db: Database, deadline: float) -> None:
    left_ms = int((deadline - time.monotonic()) * 1000)
    if left_ms >= BUSY_TIMEOUT_MS:
        db.conn.execute("BEGIN IMMEDIATE")
        return
    db.conn.execute(f"PRAGMA busy_timeout = {max(left_ms, 1)}")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def _writer_lock(db: Database, deadline: float) -> Iterator[None]:
    row = db.execute("PRAGMA database_list").fetchone()
    filename = row[2] if row else ""
    if not filename:  # in memory: this connection alone
        yield
        return
    # Every writer, thread or process, opens the lock file itself and queues for its flock.
    fd = _flock_within(filename + "-writelock", max(deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases its lock


def _flock_within(lock_path: str, seconds: float) -> int:
    """The writers' lock (an open file holding an exclusive flock), waiting in the kernel's
    queue but no longer than SQLite would wait for its own lock: a writer stuck elsewhere then
    gives "database is locked" (503 from the server) instead of an endless wait. Each holder
    has its own open file, so a waiter that gave up can never release someone else's lock."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    got, gave_up, guard = threading.Event(), threading.Event(), threading.Lock()

    def wait() -> None:  # blocks in the kernel's queue, as a plain flock would
        fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if gave_up.is_set():
                os.close(fd)  # too late: let the next writer have it
            else:
                got.set()

    threading.Thread(target=wait, name="vcl-qa-writelock", daemon=True).start()
    if got.wait(seconds):
        return fd
    with guard:
        if got.is_set():
            return fd
        gave_up.set()
    raise sqlite3.OperationalError("database is locked")


def now() -> str:
    """UTC timestamp as ISO text, to the second."""
    return clock.now().replace(microsecond=0).isoformat()
