"""Retention: `vcl-qa purge` with no options applies the settings, and the purged words are
gone from the file itself; `vcl-qa status` says what is overdue."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from live_server import make_user
from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.db.users import user_by_name
from vcl_qa.letters import service

OLD_NAME, NEW_NAME = "Quixleford", "Thistlewaite"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def letter(name: str, urn: str) -> tuple[str, dict]:
    text = (f"Private - to be opened by addressee only\n\nDear Ms {name}\n\nWe have decided to stop the "
            f"case against the man who took your bicycle. I am sorry, Ms {name}.\n")
    return text, {"decision": "discontinued", "decision_date": "2025-03-03", "victim_category": "standard",
                  "victim_name": f"Ms Zara {name}", "urn": urn}


@pytest.fixture
def dbfile(tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    make_user(path, "writer", "staff", "north")
    db = open_db(path)
    writer = user_by_name(db, "writer")
    old = service.submit(db, writer, *letter(OLD_NAME, "01OLD0000025"), team="north")["id"]
    service.submit(db, writer, *letter(NEW_NAME, "01NEW0000025"), team="north")
    # The first letter went out long ago; so did some audit entries.
    db.execute("UPDATE letters SET status = 'sent', sent_date = '2020-02-03' WHERE id = ?", [old])
    db.execute("UPDATE audit_log SET at = '2019-01-01T09:00:00+00:00' WHERE id IN (SELECT min(id) FROM audit_log)")
    db.conn.commit()
    db.close()
    return path


def raw_bytes(path) -> bytes:
    """Everything on disk for the database: the file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_purge_without_options_applies_the_retention_settings(dbfile, monkeypatch):
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "400")
    monkeypatch.setenv("VCL_QA_KEEP_AUDIT_DAYS", "1000")
    dry = run("purge", "--dry-run")
    assert dry.exit_code == 0
    assert "Would purge 1 letters older than 400 days" in dry.stderr
    assert "Would remove 1 audit entries older than 1000 days" in dry.stderr
    assert OLD_NAME.encode() in raw_bytes(dbfile)  # a dry run changes nothing

    result = run("purge")
    assert result.exit_code == 0, result.stderr
    assert "Purged 1 letters older than 400 days" in result.stderr
    assert "Removed 1 audit entries older than 1000 days" in result.stderr
    db = open_db(dbfile)
    try:
        rows = db.execute("SELECT victim_name, purged_at IS NOT NULL FROM letters ORDER BY id").fetchall()
        oldest_audit = db.execute("SELECT min(at) FROM audit_log").fetchone()[0]
        actions = [r[0] for r in db.execute("SELECT action FROM audit_log")]
    finally:
        db.close()
    assert rows == [(None, 1), (f"Ms Zara {NEW_NAME}", 0)]
    assert oldest_audit > "2019-12-31" and "audit.purge" in actions
    # The purged letter's words are gone from the file, not only from the tables (search index
    # rewritten, deleted space zeroed, log emptied); the kept letter is untouched.
    disk = raw_bytes(dbfile)
    for gone in (OLD_NAME, OLD_NAME.lower(), "01OLD0000025"):
        assert gone.encode() not in disk, gone
    assert NEW_NAME.encode() in disk


def test_never_keeps_everything(dbfile, monkeypatch):
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "never")
    monkeypatch.setenv("VCL_QA_KEEP_AUDIT_DAYS", "never")
    result = run("purge")
    assert result.exit_code == 0
    assert "kept until purged by hand" in result.stderr and "kept for good" in result.stderr
    assert OLD_NAME.encode() in raw_bytes(dbfile)


@pytest.mark.parametrize("value", ["0", "-5", "a year", "3.5"])
def test_a_bad_retention_setting_is_named(dbfile, monkeypatch, value):
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", value)
    result = run("purge")
    assert result.exit_code == 2
    assert "VCL_QA_KEEP_LETTERS_DAYS must be a whole number of days" in result.stderr
    assert run("status").exit_code == 2


def test_purge_with_older_than_still_works_and_scrubs(dbfile):
    result = run("purge", "--older-than", "400")
    assert result.exit_code == 0 and "Purged 1 letters older than 400 days" in result.stderr
    assert OLD_NAME.encode() not in raw_bytes(dbfile)


def test_status_warns_when_retention_is_overdue_and_no_backup_was_made(dbfile, monkeypatch, tmp_path):
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "400")
    monkeypatch.setenv("VCL_QA_KEEP_AUDIT_DAYS", "1000")
    result = run("status")
    assert result.exit_code == 1  # something needs doing
    out = result.stdout
    assert f"Database {dbfile.resolve()}" in out
    assert "Letters: 1 draft, 1 sent; none purged" in out
    assert "Oldest letter still holding its text: 3 February 2020" in out
    assert "Retention is overdue: 1 letter is older than 400 days and still holds its text" in out
    assert "Retention is overdue: 1 audit entry is older than 1000 days" in out
    assert "No backup has been made" in out

    run("purge")
    run("backup", str(tmp_path / "b.db"))
    after = run("status")
    assert after.exit_code == 0, after.stdout
    # the purged letter was sent: counted as sent, as the dashboard counts it (it read "0 sent, 1 purged")
    assert "Letters: 1 draft, 1 sent; 1 of them purged (text and personal details removed)" in after.stdout
    assert "Last backup:" in after.stdout and "integrity check ok" in after.stdout
    assert "Nothing needs doing." in after.stdout
    facts = json.loads(run("status", "--format", "json").stdout)
    assert facts["letters"] == {"draft": 1, "sent": 0, "purged": 1}
    assert facts["letters_by_status"] == {"draft": 1, "sent": 1}
    assert facts["retention"] == {"letters_days": 400, "audit_days": 1000, "letters_due": 0, "audit_due": 0}
    assert facts["bytes"] > 0 and facts["warnings"] == []


def test_status_warns_about_an_old_backup(dbfile, tmp_path):
    run("backup", str(tmp_path / "b.db"))
    db = open_db(dbfile)
    db.execute("UPDATE audit_log SET at = '2021-05-01T02:00:00+00:00' WHERE action = 'database.backup'")
    db.conn.commit()
    db.close()
    result = run("status")
    assert result.exit_code == 1
    assert "The last backup is" in result.stdout and "days old" in result.stdout


def test_copies_set_aside_by_a_restore_are_listed_and_removed_once_past_retention(dbfile, monkeypatch, tmp_path):
    """Review 10b, finding 7: the before-restore copies kept purged letters' text for ever and
    `status` did not mention them."""
    import datetime as dt

    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "30")
    monkeypatch.setenv("VCL_QA_KEEP_AUDIT_DAYS", "never")
    run("purge")  # the live database is clean: only the copies hold the old letter now
    backup = tmp_path / "b.db"
    assert run("backup", str(backup)).exit_code == 0
    assert run("restore", str(backup), "--force").exit_code == 0
    (first,) = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name and not p.name.endswith(".json")]
    # Stand-in for 40 days passing: the copy's name carries when it was set aside. Counted back
    # from the service's clock, not the machine's: the run's clock is set to noon (conftest),
    # and from the machine's clock after noon 40 days back is 39 days and some hours on it.
    old_stamp = (clock.now() - dt.timedelta(days=40)).strftime("%Y%m%dT%H%M%SZ")
    old = first.with_name(f"{dbfile.name}.before-restore-{old_stamp}")
    first.rename(old)
    Path(f"{first}.json").rename(f"{old}.json")
    db = open_db(dbfile)  # a letter with the old name again, so that the copy set aside next holds it
    service.submit(db, user_by_name(db, "writer"), *letter(OLD_NAME, "01OLD0000026"), team="north")
    db.close()
    assert run("restore", str(backup), "--force").exit_code == 0
    (young,) = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name
                and not p.name.endswith(".json") and p != old]
    assert OLD_NAME.encode() in young.read_bytes()

    status = run("status")
    assert status.exit_code == 1
    assert f"Set aside by a restore: {old} (" in status.stdout and "40 days ago" in status.stdout
    assert f"Set aside by a restore: {young} (" in status.stdout
    assert f"({old}) is older than the 30 days letters are kept" in status.stdout
    assert f"({young}) is older" not in status.stdout
    facts = json.loads(run("status", "--format", "json").stdout)
    assert [(c["path"], c["age_days"]) for c in facts["set_aside"]] == [(str(old), 40), (str(young), 0)]

    dry = run("purge", "--dry-run")
    assert "Would remove the copy set aside by the restore of" in dry.stderr and old.name in dry.stderr
    assert old.exists()
    done = run("purge")
    assert done.exit_code == 0
    assert "Removed the copy set aside" in done.stderr and "Kept 1 copy set aside" in done.stderr
    assert not old.exists() and not Path(f"{old}.json").exists()
    assert young.exists() and Path(f"{young}.json").exists()
    after = run("status")
    assert str(old) not in after.stdout and f"Set aside by a restore: {young}" in after.stdout
    db = open_db(dbfile)
    try:
        removed = [json.loads(d) for (d,) in db.execute(
            "SELECT detail FROM audit_log WHERE action = 'database.set_aside_removed'")]
    finally:
        db.close()
    assert [r["path"] for r in removed] == [str(old)]


# --- the cut-off is a UK day ----------------------------------------------------------------
# Stored times are UTC. A letter stored at 00:30 on 1 June in summer (BST) is stored as 23:30 on
# 31 May: retention read its first ten characters and removed it a day before its time.

def _stored_at(db, stamps: dict[str, str]) -> dict[str, int]:
    """One stored draft for each label, its letter row stored at the given UTC time."""
    from vcl_qa.letters.bulk import Actor

    ids = {}
    for label, stamp in stamps.items():
        ids[label] = service.submit(db, Actor("test"), *letter(NEW_NAME, "01UK0000025"), team="north")["id"]
        db.execute("UPDATE letters SET created_at = ? WHERE id = ?", [stamp, ids[label]])
    db.conn.commit()
    return ids


def _purged(db) -> set[int]:
    return {i for (i,) in db.execute("SELECT id FROM letters WHERE purged_at IS NOT NULL")}


@pytest.mark.parametrize("today, stamps, kept, removed", [
    # summer: cut-off (the first day kept) 1 June, BST
    ("2026-07-01", {"00:30 BST on 1 June": "2026-05-31T23:30:00+00:00",
                    "23:59 BST on 31 May": "2026-05-31T22:59:00+00:00",
                    "00:30 BST on 31 May": "2026-05-30T23:30:00+00:00"},
     ["00:30 BST on 1 June"], ["23:59 BST on 31 May", "00:30 BST on 31 May"]),
    # winter: cut-off 1 December, GMT (the UK day is the UTC day)
    ("2026-12-31", {"00:30 GMT on 1 December": "2026-12-01T00:30:00+00:00",
                    "23:30 GMT on 30 November": "2026-11-30T23:30:00+00:00"},
     ["00:30 GMT on 1 December"], ["23:30 GMT on 30 November"]),
])
def test_retention_keeps_a_letter_stored_on_the_cut_off_day_by_the_uk_clock(db, today, stamps, kept, removed):
    import datetime as dt

    from vcl_qa.ops import retention

    ids = _stored_at(db, stamps)
    day, keep = dt.date.fromisoformat(today), retention.Retention(letters_days=30, audit_days=None)
    due = retention.letters_due(db, 30, day)
    dry = retention.apply(db, keep, today=day, dry_run=True)
    assert _purged(db) == set()
    report = retention.apply(db, keep, today=day)
    assert _purged(db) == {ids[label] for label in removed}, report
    assert due == dry["letters"] == report["letters"] == len(removed)  # status counts what a purge does
    assert db.execute(f"SELECT count(*) FROM letters WHERE victim_name IS NOT NULL AND id IN "
                      f"({', '.join(str(ids[label]) for label in kept)})").fetchone()[0] == len(kept)


def test_an_audit_entry_made_after_midnight_in_summer_is_kept_with_its_uk_day(db):
    import datetime as dt

    from vcl_qa.db import audit
    from vcl_qa.ops import retention

    stamps = {"2026-05-31T23:30:00+00:00": "kept: 00:30 BST on 1 June, the cut-off day",
              "2026-05-31T22:59:00+00:00": "removed: 23:59 BST on 31 May",
              "2026-12-01T00:30:00+00:00": "kept: long after"}
    for stamp in stamps:
        audit.record(db, None, "test.entry", detail={"at": stamp})
        db.execute("UPDATE audit_log SET at = ? WHERE id = (SELECT max(id) FROM audit_log)", [stamp])
    db.conn.commit()
    day, keep = dt.date(2026, 7, 1), retention.Retention(letters_days=None, audit_days=30)
    assert retention.audit_due(db, 30, day) == 1
    report = retention.apply(db, keep, today=day)
    assert report["audit"] == 1 and report["audit_cutoff"] == "2026-06-01"
    left = {json.loads(d)["at"] for (d,) in db.execute("SELECT detail FROM audit_log WHERE action = 'test.entry'")}
    assert left == {"2026-05-31T23:30:00+00:00", "2026-12-01T00:30:00+00:00"}


@pytest.mark.parametrize("stamp, day", [
    ("20260701T233000Z", "2 July 2026"),  # 00:30 on 2 July, UK summer time (BST)
    ("20260115T233000Z", "15 January 2026"),  # winter: the UK is on UTC (GMT)
])
def test_the_purge_names_the_uk_day_of_the_restore_that_set_a_copy_aside(tmp_path, monkeypatch, stamp, day):
    """`vcl-qa purge` named the UTC day of a copy set aside by a restore (its file name's time, in
    UTC): a restore at 00:30 on a summer's night was "the restore of 1 July", where `vcl-qa status`
    says 2 July for the same copy."""
    path = tmp_path / "r.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "30")
    make_user(path, "writer", "staff", "north")
    aside = tmp_path / f"r.db.before-restore-{stamp}"
    aside.write_bytes(b"a copy")
    dry = run("purge", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert f"Would remove the copy set aside by the restore of {day} ({aside.name})" in dry.stderr, dry.stderr
    assert f"restore of {day} (" in run("status").stdout
