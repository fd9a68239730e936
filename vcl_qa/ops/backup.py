"""Backups and restores of the database file, safe while the server is serving.

A backup is SQLite's online backup API run in one step: a consistent snapshot taken under a
read transaction, so writers carry on meanwhile (WAL). The copy is a single file (no WAL beside
it), readable only by its owner (0600), checked with `PRAGMA integrity_check`, and described by
a JSON manifest beside it (`NAME.json`). A restore checks the copy first and writes it into the
target with the same API, under the service's writer lock, so a running server sees either the
old database or the restored one, never a mixture.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from vcl_qa import __version__
from vcl_qa.config import BUSY_TIMEOUT_MS

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """Something about the backup or its target is wrong; the message says what, in words."""


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def backup(source: Path, dest: Path | str, *, now: dt.datetime | None = None) -> dict:
    """Copy the database at `source` to `dest` (a new file, or a folder that gets a dated file:
    an existing one, or a path ending in / made 0700) and write its manifest beside it;
    returns the manifest."""
    source = Path(source)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    if not is_database(source):
        raise BackupError(f"No database at {source.resolve()}")
    folder = str(dest).endswith(("/", os.sep))
    dest = Path(dest)
    if folder and not dest.exists():
        dest.mkdir(mode=0o700, parents=True)
    if dest.is_dir():
        dest = dest / f"vcl_qa-{stamp.strftime('%Y%m%dT%H%M%SZ')}.db"
    if dest.exists() or manifest_path(dest).exists():
        raise BackupError(f"{dest} already exists: give a new file name, or a folder for a dated file")
    if not dest.parent.is_dir():
        raise BackupError(f"There is no folder {dest.parent}")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _new_private_file(partial)
        with connect(source) as src, connect(partial) as copy:
            src.backup(copy)  # pages=-1: the whole database in one step, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            facts = describe(copy)
        if facts["integrity_check"] != "ok":
            raise BackupError("The copy failed its integrity check, so the database itself may be "
                              f"damaged: {facts['integrity_check']}")
        _fsync(partial)
        os.replace(partial, dest)
        _fsync(dest.parent)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "created_at": stamp.isoformat(),
        "backup": dest.name,
        "bytes": dest.stat().st_size,
        "sha256": sha256(dest),
        "source": str(source.resolve()),
        "app_version": __version__,
        "rules_version": current_rules_version(),
        **facts,
    }
    _write_private(manifest_path(dest), json.dumps(manifest, indent=2) + "\n")
    manifest["path"] = str(dest.resolve())
    return manifest


def check(path: Path) -> dict:
    """What a restore would check: the file is SQLite, matches its manifest if there is one, and
    passes its integrity check. Returns the copy's facts (row counts, schema); raises
    BackupError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path.resolve()}")
    if not is_database(path):
        raise BackupError(f"{path} is not a database backup (not an SQLite file)")
    manifest = None
    if manifest_path(path).is_file():
        try:
            manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise BackupError(f"The manifest {manifest_path(path)} cannot be read") from None
        if manifest.get("sha256") and manifest["sha256"] != sha256(path):
            raise BackupError(f"{path} has changed since the backup was made (its checksum does not "
                              "match the manifest): it may be damaged or incomplete")
    try:
        with connect(path, read_only=True) as conn:
            facts = describe(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a database ({exc})") from None
    if facts["integrity_check"] != "ok":
        raise BackupError(f"{path} failed its integrity check: {facts['integrity_check']}")
    return {**facts, "manifest": manifest}


def restore(path: Path, target: Path, *, force: bool = False, now: dt.datetime | None = None) -> dict:
    """Put the backup at `path` in place of the database at `target` (only with `force` when one
    is there, which is first copied aside as TARGET.before-restore-TIME). Returns the backup's
    facts plus "previous" (the path of the copy kept aside, if any)."""
    path, target = Path(path), Path(target)
    facts = check(path)
    if path.resolve() == target.resolve():
        raise BackupError("The backup and the database are the same file")
    previous = None
    if target.exists():
        if not force:
            raise BackupError(f"There is already a database at {target.resolve()}. Restoring would "
                              "replace everything in it: stop the server if you can, then run the "
                              "restore again with --force (the current database is kept aside first)")
        stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        previous = backup(target, target.with_name(f"{target.name}.before-restore-{stamp}"))["path"]
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        _new_private_file(target)
    with connect(path, read_only=True) as src, _writer_lock(target), connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        after = describe(dst)
    if after["integrity_check"] != "ok" or after["row_counts"] != facts["row_counts"]:
        raise BackupError(f"The restored database does not match the backup ({after['integrity_check']}); "
                          f"the previous database is kept at {previous}")
    return {**facts, "previous": previous, "target": str(target.resolve())}


def describe(conn: sqlite3.Connection) -> dict:
    """Integrity check result, rows per table, the migrations applied and the rules versions
    the stored results were scored with."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    schema = []
    if "_sqlite_migrations" in counts:
        schema = [f"{s}:{n}" for s, n in conn.execute(
            "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()]
    rules = {}
    if "letters" in counts:
        rules = {v or "none": n for v, n in conn.execute(
            "SELECT rules_version, count(*) FROM letters GROUP BY rules_version ORDER BY 1").fetchall()}
    return {"integrity_check": "ok" if problems == ["ok"] else "; ".join(problems[:5]),
            "row_counts": counts, "schema": schema, "letters_by_rules_version": rules}


def current_rules_version() -> str | None:
    try:
        from vcl_qa.engine.rules import load_rules

        return load_rules().version
    except Exception:  # a broken rules folder must not stop a backup
        return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_HEADER
    except OSError:
        return False


@contextlib.contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain connection that never creates a file (the callers made it, or it must exist)."""
    mode = "ro" if read_only else "rw"
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode={mode}", uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def _writer_lock(target: Path) -> Iterator[None]:
    """The lock the service's writers queue on (vcl_qa/db/connection.py): the restore waits
    for the write in progress and the next ones wait for the restore."""
    fd = os.open(f"{target}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _new_private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_private(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
