"""Backups and restores of the database file, safe while the server is serving.

A backup is SQLite's online backup API run in one step: a consistent snapshot taken under a
read transaction, so writers carry on meanwhile (WAL). The copy is a single file (no WAL beside
it), readable only by its owner (0600), checked with `PRAGMA integrity_check`, and described by
a JSON manifest beside it (`NAME.json`). A restore checks the copy first (an SQLite file that is not a vcl-qa database is refused),
takes the service's writer lock, copies the current database aside and writes the copy into the
target with the same API, holding the lock from before the copy aside until the swap is done:
a running server sees either the old database or the restored one, never a mixture, and every
write it confirmed is in the restored database or in the copy put aside.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from vcl_qa import __version__, clock
from vcl_qa.config import BUSY_TIMEOUT_MS
from vcl_qa.db import ids
from vcl_qa.db.schema import VERSION_FLOOR_COLUMN, add_version_floor

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
    stamp = (now or clock.now()).replace(microsecond=0)
    if not is_database(source):
        raise BackupError(f"No database at {source.resolve()}")
    folder = str(dest).endswith(("/", os.sep))
    dest = Path(dest)
    try:
        return _back_up(source, dest, folder, stamp)
    except OSError as exc:
        # A folder the service may not write in (its owner, as a scheduled backup meets after a
        # change of user), or not a folder at all: said in words, not a traceback.
        where = exc.filename or dest
        raise BackupError(f"Cannot write the backup at {where}: {exc.strerror or exc}") from None


# A folder's dated file is named by the second; two backups in one second (a scheduled one and
# one by hand, or a quick machine's two in a row) take the next free second's name rather than
# fail: names still sort in the order the backups were taken (`ls ... | tail -n 1` is the last).
DATED_NAME_TRIES = 60


def _dated(folder: Path, stamp: dt.datetime, taken: Path | None = None) -> Path:
    """The folder's first free dated name from `stamp` on (after `taken`, a name just lost to
    another backup)."""
    for k in range(DATED_NAME_TRIES):
        dest = folder / f"vcl_qa-{(stamp + dt.timedelta(seconds=k)).strftime('%Y%m%dT%H%M%SZ')}.db"
        if taken is not None:
            if dest == taken:
                taken = None
            continue
        if not dest.exists() and not manifest_path(dest).exists():
            return dest
    raise BackupError(f"{folder} has a backup for every second of the last minute: give a new file name")


def _back_up(source: Path, dest: Path, folder: bool, stamp) -> dict:
    if folder and not dest.exists():
        dest.mkdir(mode=0o700, parents=True)
    dated = dest.is_dir()
    if dated:
        dest = _dated(dest, stamp)
    if dest.exists() or manifest_path(dest).exists():
        raise BackupError(f"{dest} already exists: give a new file name, or a folder for a dated file")
    if not dest.parent.is_dir():
        raise BackupError(f"There is no folder {dest.parent}")
    # (the process's own: two backups at once must not take each other's copy away)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
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
        while True:
            try:
                os.link(partial, dest)  # never in place of a file made meanwhile (another backup)
                break
            except FileExistsError:
                if not dated:
                    raise BackupError(f"{dest} already exists: give a new file name, or a folder for a "
                                      "dated file") from None
                dest = _dated(dest.parent, stamp, taken=dest)
            except OSError:
                # a file system with no hard links (some network shares): put in place by name,
                # as before, once more checked not to be there
                if dest.exists():
                    raise BackupError(f"{dest} already exists: give a new file name, or a folder for a "
                                      "dated file") from None
                os.replace(partial, dest)
                break
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


# What makes a file a vcl-qa database (the first release's core tables): a restore refuses
# any other SQLite file instead of putting it in place of the letters.
REQUIRED_TABLES = ("_sqlite_migrations", "users", "letters", "versions", "results")
CORE_MIGRATION = "core:0001_core"


def check(path: Path) -> dict:
    """What a restore would check: the file is SQLite, matches its manifest if there is one,
    passes its integrity check and is a vcl-qa database (its core tables and their migration).
    Returns the copy's facts (row counts, schema); raises BackupError saying what is wrong."""
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
        if not isinstance(manifest, dict):
            raise BackupError(f"The manifest {manifest_path(path)} cannot be read")
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
    missing = [t for t in REQUIRED_TABLES if t not in facts["row_counts"]]
    if missing:
        raise BackupError(f"{path} is not a vcl-qa database: it has no {', '.join(missing)} "
                          f"table{'s' if len(missing) > 1 else ''} (a vcl-qa database has "
                          f"{', '.join(REQUIRED_TABLES)}). Nothing was changed")
    if CORE_MIGRATION not in facts["schema"]:
        raise BackupError(f"{path} is not a vcl-qa database: its _sqlite_migrations table does not "
                          f"record {CORE_MIGRATION}. Nothing was changed")
    return {**facts, "manifest": manifest}


def restore(path: Path, target: Path, *, force: bool = False, allow_no_letters: bool = False,
            now: dt.datetime | None = None) -> dict:
    """Put the backup at `path` in place of the database at `target` (only with `force` when one
    is there, which is first copied aside as TARGET.before-restore-TIME). Returns the backup's
    facts plus "previous" (the path of the copy kept aside, if any), "damaged" (the reason,
    when the database there could not be read: it was copied aside byte for byte) and
    "replaced_file" (True when the file itself had to be replaced, not rewritten in place).

    The service's writer lock is taken before anything of the target is read or copied and
    held until the backup is in place: a write the server confirmed is either in the copy put
    aside or waits and goes into the restored database (or, if it waits longer than the busy
    timeout, gets "database is locked", a 503 saying nothing was saved). `allow_no_letters`:
    replace a database that holds letters with a backup that holds none (refused otherwise).

    No id the replaced database handed out is handed out again: its highest ids (rows, counters,
    earlier restores' marks) are read from the copy put aside and the restored database's
    counters raised above them, still under the lock ("ids_kept": table -> highest id kept
    back, None when the database replaced could not be read). "letters_lost": ids of letters
    in the database replaced that the backup does not hold; "letters_changed": ids of letters
    in both whose versions, sending or purge differ (changes made after the backup).

    Nor is a version number: a letter in both that had been given higher version numbers than
    the backup holds keeps the highest as its `version_floor`, and its next version is numbered
    after it ("versions_kept": letter id -> highest version kept back, None when the database
    replaced could not be read)."""
    path, target = Path(path), Path(target)
    facts = check(path)
    if path.resolve() == target.resolve():
        raise BackupError("The backup and the database are the same file")
    stamp, aside = _free_aside(target, now or clock.now())
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    previous = damaged = raw = None
    marks: dict[str, int] | None = {}
    versions_kept: dict[int, int] | None = {}
    with _writer_lock(target):
        try:
            if force and _something_there(target):
                # Byte for byte, before SQLite opens it: were it damaged, even reading it could
                # change its -wal and -shm files. Kept only if it turns out to be damaged.
                raw = _copy_aside(target, target.with_name(f".{target.name}.restore-raw-{stamp}"))
            state, live = _live_state(target, thorough=not force)
            if state != "none" and not force:
                if state == "damaged":
                    raise BackupError(
                        f"The database at {target.resolve()} is damaged ({live}). To put the backup "
                        "in its place, run the restore again with --force: the damaged file (with its "
                        "-wal and -shm files, if any) is first copied aside byte for byte as "
                        f"{target.name}.before-restore-TIME. Stop the server first if you can")
                raise BackupError(f"There is already a database at {target.resolve()}. Restoring would "
                                  "replace everything in it: stop the server if you can, then run the "
                                  "restore again with --force (the current database is kept aside first)")
            if state == "ok" and live and not facts["row_counts"].get("letters") and not allow_no_letters:
                raise BackupError(
                    f"The backup {path} holds no letters, but the database at {target.resolve()} "
                    f"holds {live}: restoring would leave none. Nothing was changed. If that is really "
                    "what you want, run the restore again with --allow-no-letters (the current "
                    "database is still copied aside first)")
            if state == "ok":
                try:
                    previous = backup(target, aside)["path"]
                except BackupError as exc:
                    if "integrity check" not in str(exc):
                        raise
                    state, damaged = "damaged", str(exc)
                except sqlite3.OperationalError as exc:
                    if "locked" in str(exc).lower():
                        raise BackupError("The database is busy (a write that does not queue on the "
                                          "service's lock is holding it); nothing was changed. Try "
                                          "again, or stop the server first") from None
                    state, damaged = "damaged", f"it cannot be read: {exc}"
                except sqlite3.DatabaseError as exc:
                    state, damaged = "damaged", f"it cannot be read: {exc}"
            elif state == "damaged":
                damaged = live
            if state == "damaged":
                previous = _rename_aside(raw, aside)
                raw = None
            elif state == "none" and not target.exists():
                _new_private_file(target)
            marks = _issued(Path(previous), damaged=state == "damaged") if previous else {}
            replaced = False
            try:
                after = _write_in_place(path, target)
            except sqlite3.DatabaseError:
                if state != "damaged":
                    raise
                after = _write_new_file(path, target)  # not even SQLite can open what is there
                replaced = True
            if marks:  # before the lock goes: the next write must not take an id issued before
                with connect(target) as conn:
                    ids.ensure(conn, raise_to=marks)
            if previous:  # ... nor a letter a version number it had handed out
                versions_kept = _keep_version_numbers(
                    target, _versions_issued(Path(previous), damaged=state == "damaged"))
        finally:
            if raw:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{raw}{suffix}").unlink(missing_ok=True)
    if after["integrity_check"] != "ok" or after["row_counts"] != facts["row_counts"]:
        raise BackupError(f"The restored database does not match the backup ({after['integrity_check']}); "
                          f"the previous database is kept at {previous}")
    lost, changed = _letters_lost(Path(previous), target, damaged=bool(damaged)) if previous else ([], [])
    return {**facts, "previous": previous, "target": str(target.resolve()), "damaged": damaged,
            "replaced_file": replaced, "ids_kept": marks, "versions_kept": versions_kept,
            "letters_lost": lost, "letters_changed": changed}


@contextlib.contextmanager
def _read_aside(path: Path, damaged: bool) -> Iterator[sqlite3.Connection]:
    """The copy put aside, read without changing it (a damaged one as it lies, without its
    write-ahead log being replayed into it)."""
    if damaged:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro&immutable=1", uri=True)
        try:
            yield conn
        finally:
            conn.close()
    else:
        with connect(path, read_only=True) as conn:
            yield conn


def _issued(path: Path, damaged: bool) -> dict[str, int] | None:
    """The highest id of each table the database put aside had handed out (None when it cannot
    be read: a damaged database may not tell)."""
    try:
        with _read_aside(path, damaged) as conn:
            return ids.high_water(conn)
    except sqlite3.DatabaseError:
        return None


def _versions_issued(path: Path, damaged: bool) -> dict[int, int] | None:
    """Each letter's highest version number in the database put aside: its versions, or the
    floor an earlier restore kept (None when it cannot be read)."""
    try:
        with _read_aside(path, damaged) as conn:
            floors: dict[int, int] = {}
            if VERSION_FLOOR_COLUMN in [r[1] for r in conn.execute("PRAGMA table_info(letters)")]:
                floors = {i: n for i, n in conn.execute(
                    f"SELECT id, {VERSION_FLOOR_COLUMN} FROM letters WHERE {VERSION_FLOOR_COLUMN} IS NOT NULL")}
            for letter_id, top in conn.execute("SELECT letter_id, max(version) FROM versions GROUP BY letter_id"):
                floors[letter_id] = max(top or 0, floors.get(letter_id, 0))
            return floors
    except sqlite3.DatabaseError:
        return None


def _keep_version_numbers(target: Path, issued: dict[int, int] | None) -> dict[int, int] | None:
    """Set the restored letters' `version_floor` to the highest version the database replaced
    had given each, where that is above what the backup holds (the column added first if the
    backup predates it). Returns letter id -> the number kept back; the caller holds the
    writers' lock."""
    if issued is None:
        return None
    kept: dict[int, int] = {}
    with connect(target) as conn:
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        try:
            add_version_floor(conn)
            for letter_id, held, floor in conn.execute(
                    f"SELECT l.id, (SELECT COALESCE(max(v.version), 0) FROM versions v WHERE v.letter_id = l.id),"
                    f" COALESCE(l.{VERSION_FLOOR_COLUMN}, 0) FROM letters l").fetchall():
                top = issued.get(letter_id, 0)
                if top > max(held, floor):
                    conn.execute(f"UPDATE letters SET {VERSION_FLOOR_COLUMN} = ? WHERE id = ?", [top, letter_id])
                    kept[letter_id] = top
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return kept


LETTER_STATE = "SELECT id, latest_version, status, purged_at IS NOT NULL FROM letters"


def _letters_lost(aside: Path, target: Path, damaged: bool) -> tuple[list[int], list[int]]:
    """Letters of the database replaced that the restored one lacks, and those it holds in
    another state (a version, a sent mark or a purge made after the backup)."""
    try:
        with _read_aside(aside, damaged) as conn:
            before = {r[0]: r[1:] for r in conn.execute(LETTER_STATE)}
    except sqlite3.DatabaseError:
        return [], []
    with connect(target, read_only=True) as conn:
        now = {r[0]: r[1:] for r in conn.execute(LETTER_STATE)}
    lost = sorted(i for i in before if i not in now)
    changed = sorted(i for i, state in before.items() if i in now and now[i] != state)
    return lost, changed


def backups_recorded(path: Path, damaged: bool = False) -> list[dict]:
    """The backups the audit log of the database at `path` records ({"at", "detail"}, oldest
    first); [] when it cannot be read."""
    try:
        with _read_aside(path, damaged) as conn:
            return [{"at": at, "detail": json.loads(detail or "{}")} for at, detail in conn.execute(
                "SELECT at, detail FROM audit_log WHERE action = 'database.backup' ORDER BY at, id")]
    except (sqlite3.DatabaseError, ValueError):
        return []


def _something_there(target: Path) -> bool:
    """A file with content at `target`, or a write-ahead log beside it."""
    wal = Path(f"{target}-wal")
    return (target.exists() and not (target.is_file() and target.stat().st_size == 0)) or (
        wal.is_file() and wal.stat().st_size > 0)


def _live_state(target: Path, thorough: bool) -> tuple[str, object]:
    """("none", None): nothing there (no file, or an empty one with no write-ahead log);
    ("ok", letters): a database holding that many letters; ("damaged", why). Read through a
    read-only connection. `thorough` adds SQLite's quick check (so that a refusal can say the
    database is damaged)."""
    if not _something_there(target):
        return "none", None
    if not target.is_file():
        return "damaged", "it is not a file"
    if not is_database(target):
        return "damaged", "it is not an SQLite database file"
    try:
        with connect(target, read_only=True) as conn:
            if thorough:
                problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
                if problems != ["ok"]:
                    return "damaged", "its check found: " + "; ".join(problems[:3])
            has_letters = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'letters'").fetchone()
            letters = conn.execute("SELECT count(*) FROM letters").fetchone()[0] if has_letters else 0
    except sqlite3.DatabaseError as exc:
        return "damaged", f"it cannot be read: {exc}"
    return "ok", letters


def _copy_aside(target: Path, dest: Path) -> Path:
    """The database file copied byte for byte, with its -wal and -shm files when there (named
    so that SQLite would pair them again), each 0600. Returns `dest`."""
    for suffix in ("", "-wal", "-shm"):
        src, out = Path(f"{target}{suffix}"), Path(f"{dest}{suffix}")
        out.unlink(missing_ok=True)
        if not src.is_file():
            continue
        _new_private_file(out)
        with open(src, "rb") as fin, open(out, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
    _fsync(dest.parent)
    return dest


def _free_aside(target: Path, moment: dt.datetime) -> tuple[str, Path]:
    """The time stamp and the name a restore sets the database aside under: the moment's
    second, or the next one free (a second restore within the same second was refused: "... already
    exists: give a new file name", and a test that restored twice failed on a fast machine). The
    name stays NAME.before-restore-TIME, which retention reads."""
    for _ in range(3600):
        stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        aside = target.with_name(f"{target.name}.before-restore-{stamp}")
        taken = [Path(f"{aside}{suffix}") for suffix in ("", "-wal", "-shm", ".json")]
        taken += [manifest_path(aside), target.with_name(f".{target.name}.restore-raw-{stamp}")]
        if not any(p.exists() for p in taken):
            return stamp, aside
        moment += dt.timedelta(seconds=1)
    raise BackupError(f"An hour of restores' copies is already set aside beside {target}: remove "
                      "some (vcl-qa purge) and run the restore again")


def _rename_aside(raw: Path, aside: Path) -> str:
    """The byte-for-byte copy (and its -wal, -shm) under the name kept aside."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{aside}{suffix}").exists():
            raise BackupError(f"{aside}{suffix} already exists: wait a second and run the restore again")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{raw}{suffix}").exists():
            os.replace(f"{raw}{suffix}", f"{aside}{suffix}")
    _fsync(aside.parent)
    return str(aside.resolve())


def _write_in_place(path: Path, target: Path) -> dict:
    """The backup written into the target's own file with SQLite's backup API, in one step:
    connections already open (a running server's) see the restored content at once."""
    with connect(path, read_only=True) as src, connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        return describe(dst)


def _write_new_file(path: Path, target: Path) -> dict:
    """For a target SQLite cannot open at all: the backup goes into a new file beside it, which
    then takes the target's name (its stale -wal and -shm, already copied aside, are removed so
    that they are never read with it)."""
    partial = target.with_name(f".{target.name}.restoring")
    partial.unlink(missing_ok=True)
    try:
        _new_private_file(partial)
        with connect(path, read_only=True) as src, connect(partial) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        _fsync(partial)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    with connect(target) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        return describe(conn)


def describe(conn: sqlite3.Connection) -> dict:
    """Integrity check result, rows per table, the migrations applied and the rules versions
    the stored results were scored with."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    schema = []
    rules = {}
    try:  # a file that is not a vcl-qa database may have tables of these names, not their columns
        if "_sqlite_migrations" in counts:
            schema = [f"{s}:{n}" for s, n in conn.execute(
                "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()]
        if "letters" in counts:
            rules = {v or "none": n for v, n in conn.execute(
                "SELECT rules_version, count(*) FROM letters GROUP BY rules_version ORDER BY 1").fetchall()}
    except sqlite3.OperationalError as exc:
        if "no such column" not in str(exc):
            raise
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
    fd = os.open(f"{Path(target).resolve()}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
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
