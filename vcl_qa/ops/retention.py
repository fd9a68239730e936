"""Retention: how long letter text, personal details and audit entries are kept, and applying it.

The settings live in vcl_qa/config.py (VCL_QA_KEEP_LETTERS_DAYS, VCL_QA_KEEP_AUDIT_DAYS). The
letters purge itself is vcl_qa/letters/bulk.py's; this module decides the cut-offs, removes old
audit entries, and then scrubs the file so that the purged words are gone from it, not merely
unlinked (deleted content zeroed, the search index rewritten, the write-ahead log emptied).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from vcl_qa import config
from vcl_qa.db import audit
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
    return db.execute("SELECT count(*) FROM letters WHERE purged_at IS NULL"
                      " AND COALESCE(sent_date, substr(created_at, 1, 10)) < ?", [limit]).fetchone()[0]


def audit_due(db: Database, days: int | None, today: dt.date | None = None) -> int:
    limit = cutoff(days, today)
    if limit is None:
        return 0
    return db.execute("SELECT count(*) FROM audit_log WHERE at < ?", [limit]).fetchone()[0]


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
                db.execute("DELETE FROM audit_log WHERE at < ?", [report["audit_cutoff"]])
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
    if "versions_fts" in db.table_names():
        with write_tx(db):
            db.execute("INSERT INTO versions_fts(versions_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
