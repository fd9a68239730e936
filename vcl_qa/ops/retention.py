"""Retention: how long letter text, personal details and audit entries are kept, and applying it.

The settings live in vcl_qa/config.py (VCL_QA_KEEP_LETTERS_DAYS, VCL_QA_KEEP_AUDIT_DAYS). The
letters purge itself is vcl_qa/letters/bulk.py's; this module decides the cut-offs, removes old
audit entries, and then scrubs the file so that the purged words are gone from it, not merely
unlinked (deleted content zeroed, the search index rewritten, the write-ahead log emptied).

The copies a restore sets aside beside the database (`NAME.before-restore-TIME`, with their
manifest, and a damaged one's -wal and -shm) hold every letter's text and names as they were,
purged letters too. `set_aside_copies` finds them (for `vcl-qa status`); `remove_set_aside`
removes those older than the letters' retention period (run by `vcl-qa purge`).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from vcl_qa import config
from vcl_qa.db import audit, search
from vcl_qa.db.connection import write_tx
from vcl_qa.letters import bulk
from vcl_qa import clock


@dataclass(frozen=True)
class Retention:
    letters_days: int | None  # None: kept until purged by hand
    audit_days: int | None


def settings() -> Retention:
    """The retention settings from the environment (ValueError names a bad variable)."""
    return Retention(config.keep_days("VCL_QA_KEEP_LETTERS_DAYS", config.KEEP_LETTERS_DAYS),
                     config.keep_days("VCL_QA_KEEP_AUDIT_DAYS", config.KEEP_AUDIT_DAYS))


def cutoff(days: int | None, today: dt.date | None = None) -> str | None:
    """The first day still kept, as ISO text (None: everything is kept)."""
    if days is None:
        return None
    return ((today or clock.today()) - dt.timedelta(days=days)).isoformat()


def letters_due(db: Database, days: int | None, today: dt.date | None = None) -> int:
    """Letters whose text and personal details are older than the retention period."""
    limit = cutoff(days, today)
    if limit is None:
        return 0
    # the purge's own test of age (bulk.LETTER_AGE), so the count is what a purge would remove
    return db.execute("SELECT count(*) FROM letters WHERE purged_at IS NULL"
                      f" AND {bulk.LETTER_AGE.format(a='')} < ?", [limit]).fetchone()[0]


# An audit entry's age: the UK day it was made. `at` is UTC, and compared with a day as text
# (`at < '2026-06-01'`) an entry made at 00:30 on 1 June in summer (23:30 UTC on 31 May) was
# removed with the day before. It is compared with the moment the UK day began, in UTC as `at`
# is written: the same answer as the UK day of each entry, without working that out for each
# of millions of entries (every page a person reads is in the log) at each `status` and scrape.
AUDIT_OLDER = "at < ?"


def uk_day_began(day: str) -> str:
    """The moment (UTC, as stored timestamps are written) the UK day `day` (ISO) began."""
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=clock.UK)
    return start.astimezone(dt.timezone.utc).isoformat()


def audit_due(db: Database, days: int | None, today: dt.date | None = None) -> int:
    limit = cutoff(days, today)
    if limit is None:
        return 0
    return db.execute(f"SELECT count(*) FROM audit_log WHERE {AUDIT_OLDER}", [uk_day_began(limit)]).fetchone()[0]


def apply(db: Database, keep: Retention | None = None, *, today: dt.date | None = None,
          dry_run: bool = False) -> dict:
    """Purge letters and remove audit entries past their retention; returns what was (or, with
    dry_run, would be) done: {"letters", "letters_cutoff", "audit", "audit_cutoff", "register"}
    ("register": what happened to the decisions register, a bulk.RegisterPurge, or None when
    letters are kept until purged by hand)."""
    keep = keep or settings()
    report = {"letters": 0, "letters_cutoff": cutoff(keep.letters_days, today),
              "audit": 0, "audit_cutoff": cutoff(keep.audit_days, today), "register": None}
    if keep.letters_days is not None:
        db.execute("PRAGMA secure_delete = ON")  # this connection zeroes what it deletes
        purged = bulk.purge_all(db, keep.letters_days, today=today, dry_run=dry_run)
        report["letters"], report["register"] = len(purged.letters), purged.register
    if keep.audit_days is not None:
        report["audit"] = audit_due(db, keep.audit_days, today)
        if report["audit"] and not dry_run:
            db.execute("PRAGMA secure_delete = ON")
            with write_tx(db):
                db.execute(f"DELETE FROM audit_log WHERE {AUDIT_OLDER}", [uk_day_began(report["audit_cutoff"])])
                audit.record(db, bulk.Actor("retention"), "audit.purge", detail={
                    "removed": report["audit"], "before": report["audit_cutoff"]})
    changed = report["register"].changed if report["register"] else 0
    if not dry_run and (report["letters"] or report["audit"] or changed):
        scrub(db)
    return report


def scrub(db: Database) -> None:
    """Make purged words unrecoverable from the file: rewrite the full-text index (its old
    segments still hold the words of purged text), then empty the write-ahead log."""
    db.execute("PRAGMA secure_delete = ON")
    tables = db.table_names()
    for index in ("versions_fts", search.PLAIN_TABLE):  # (the second: texts as search reads them)
        if index in tables:
            with write_tx(db):
                db.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


SET_ASIDE = re.compile(r"\.before-restore-(\d{8}T\d{6}Z)$")
RAW_LEFT_OVER = re.compile(r"\.restore-raw-(\d{8}T\d{6}Z)$")  # a restore that was killed mid-way
COMPANIONS = ("", "-wal", "-shm", ".json")


@dataclass
class SetAside:
    """A copy of the database set aside by a restore: the main file and what goes with it."""
    path: Path
    made: dt.datetime
    files: list[Path] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(f.stat().st_size for f in self.files if f.exists())

    def age_days(self, now: dt.datetime) -> int:
        return (now - self.made).days

    def as_dict(self, now: dt.datetime) -> dict:
        return {"path": str(self.path), "made": self.made.isoformat(), "age_days": self.age_days(now),
                "bytes": self.bytes}


def set_aside_copies(db_path: Path) -> list[SetAside]:
    """The copies restores set aside beside the database at `db_path`, oldest first."""
    db_path = Path(db_path).resolve()
    folder, name = db_path.parent, db_path.name
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        for prefix, pattern in ((name, SET_ASIDE), (f".{name}", RAW_LEFT_OVER)):
            if not entry.name.startswith(prefix):
                continue
            match = pattern.fullmatch(entry.name[len(prefix):]) if entry.is_file(follow_symlinks=False) else None
            if not match:
                continue
            made = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
            main = folder / entry.name
            files = [Path(f"{main}{s}") for s in COMPANIONS if Path(f"{main}{s}").is_file()]
            found.append(SetAside(main, made, files))
    return sorted(found, key=lambda c: (c.made, c.path.name))


def set_aside_due(db_path: Path, days: int | None, now: dt.datetime | None = None) -> list[SetAside]:
    """Set-aside copies older than `days` (none when letters are kept until purged by hand)."""
    if days is None:
        return []
    now = now or clock.now()
    return [c for c in set_aside_copies(db_path) if now - c.made > dt.timedelta(days=days)]


def remove_set_aside(db: Database, db_path: Path, days: int | None, *, now: dt.datetime | None = None,
                     dry_run: bool = False) -> list[SetAside]:
    """Remove the set-aside copies older than the letters' retention period, each with its
    manifest, -wal and -shm; the audit log notes each (its name and date, nothing it held).
    Returns those removed (or, with dry_run, that would be)."""
    due = set_aside_due(db_path, days, now)
    if dry_run:
        return due
    for copy in due:
        for f in copy.files:
            f.unlink(missing_ok=True)
        audit.record(db, bulk.Actor("retention"), "database.set_aside_removed", detail={
            "path": str(copy.path), "made": copy.made.isoformat(), "older_than_days": days})
    if due:
        fd = os.open(Path(db_path).resolve().parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return due
