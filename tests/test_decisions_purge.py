"""Purging and the decisions register (review 6, item 1).

Before: `vcl-qa purge --older-than 365` replaced the case reference and victim's name of every
register entry decided before the cut-off, open or not, and of every entry one of whose letters
was purged. An overdue case became `purged-...` (nobody could tell which case still needed its
letter), a draft stored since lost its link (`letter_ids` []), marking it sent left the entry
overdue for good, registering the case again added a second entry, and the summary said
"Purged 0 letters" while the register had changed.

Real SQLite files, the real `vcl-qa` commands, and the real server for the API."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from click.testing import CliRunner

from live_server import LiveServer, auth, make_user
from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.db.users import user_by_name
from vcl_qa.engine.dates import long_date
from vcl_qa.decisions import register, store
from vcl_qa.letters import bulk, service

TODAY = clock.today()
DECIDED = TODAY - dt.timedelta(days=400)  # older than the 365-day cut-off
SENT = DECIDED + dt.timedelta(days=1)  # within 5 working days: on time
TEXT = ("Private - to be opened by addressee only\n\nDear Mrs Lee\n\nI am writing to tell you that we have "
        "decided to stop the case against Mr Smith. I know this is not the news you hoped for.\n\n"
        "Yours sincerely\nA Prosecutor\n")
HEADER = "urn,decision,decision_date,victim_category,team,victim_name,letter_date,letter_required,no_letter_reason\n"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def dbfile(tmp_path, monkeypatch):
    path = tmp_path / "purge.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    make_user(path, "writer", "staff", "north")
    return path


def import_decisions(tmp_path, *rows: str) -> str:
    csv = tmp_path / "decisions.csv"
    csv.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    result = run("import-decisions", str(csv))
    assert result.exit_code == 0, result.output
    return result.output


def row(urn: str, decided: dt.date = DECIDED, name: str = "Mrs Ann Lee", letter_date: str = "",
        category: str = "standard") -> str:
    return f"{urn},discontinued,{decided},{category},north,{name},{letter_date},,"


def letter(path, urn: str, *, sent: dt.date | None = None) -> int:
    """A letter for the case, stored today: sent on `sent` (then as old as that), else a draft."""
    db = open_db(path)
    try:
        writer = user_by_name(db, "writer")
        ctx = {"decision": "discontinued", "decision_date": DECIDED.isoformat(), "letter_date": SENT.isoformat(),
               "victim_category": "standard", "victim_name": "Mrs Ann Lee", "urn": urn}
        return service.submit(db, writer, TEXT, ctx, team="north", sent_date=sent and sent.isoformat())["id"]
    finally:
        db.close()


def entries(path) -> list[dict]:
    """The whole register with statuses today, as the API and the digest read it."""
    db = open_db(path)
    try:
        return sorted(register.register(db), key=lambda r: r["id"])
    finally:
        db.close()


def sql(path, query: str, params=()) -> list[tuple]:
    db = open_db(path)
    try:
        out = db.execute(query, list(params)).fetchall()
        db.conn.commit()
        return out
    finally:
        db.close()


def dumped(path) -> str:
    db = open_db(path)
    try:
        return "\n".join(db.conn.iterdump())
    finally:
        db.close()


def purge(*extra: str) -> str:
    result = run("purge", "--older-than", "365", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stderr


CUTOFF = (TODAY - dt.timedelta(days=365)).isoformat()


def test_an_overdue_decision_keeps_its_reference_and_its_draft(dbfile, tmp_path):
    """The review's reproduction, step by step."""
    import_decisions(tmp_path, row("71PG0000001"))
    draft = letter(dbfile, "71PG0000001")  # written today, not sent yet
    out = purge()
    assert "Purged 0 letters older than 365 days." in out
    assert (f"Register: 1 entry decided before {long_date(CUTOFF)} keeps its case reference and victim's name: still "
            "open (no letter sent yet) or with letters not purged.") in out
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["victim_name"], entry["letter_ids"], entry["status"]) == (
        "71PG0000001", "Mrs Ann Lee", [draft], "overdue")
    # The draft goes out on its date: the decision is sent on time, not overdue for good.
    db = open_db(dbfile)
    service.mark_sent(db, user_by_name(db, "writer"), draft, SENT,
                      before_saved_reason="posted first, saved here afterwards to record it")
    db.close()
    assert [(e["status"], e["letter_ids"]) for e in entries(dbfile)] == [("sent_on_time", [draft])]
    # The case management system registers the case again: still one entry.
    assert "Registered 0 new, updated 0, unchanged 1, failed 0." in import_decisions(tmp_path, row("71PG0000001"))
    assert len(entries(dbfile)) == 1


def test_a_decision_with_a_letter_newer_than_the_cut_off_keeps_its_reference(dbfile, tmp_path):
    import_decisions(tmp_path, row("72PG0000002"))
    old = letter(dbfile, "72PG0000002", sent=SENT)  # went out 400 days ago: purged
    new = letter(dbfile, "72PG0000002")  # a copy written today: kept
    out = purge()
    assert "Purged 1 letters older than 365 days." in out
    assert "Register: 0 entries decided before" in out and "1 entry decided before" in out
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["victim_name"], entry["status"], entry["sent_on"]) == (
        "72PG0000002", "Mrs Ann Lee", "sent_on_time", SENT.isoformat())
    assert entry["letter_ids"] == [old, new]  # the purged letter too, by its pseudonym
    assert sql(dbfile, "SELECT urn FROM letters ORDER BY id") == [(bulk.case_pseudonym("72PG0000002"),),
                                                                   ("72PG0000002",)]


def test_a_closed_decision_whose_letters_are_all_purged_is_purged_and_stays_linked(dbfile, tmp_path):
    import_decisions(tmp_path, row("73PG0000003"),
                     f"73PG0000004,discontinued,{DECIDED},standard,north,Mr No Letter,,no,"
                     "The victim asked in writing not to be contacted.")
    sent = letter(dbfile, "73PG0000003", sent=SENT)
    out = purge()
    assert (f"Register: 2 entries decided before {long_date(CUTOFF)} purged (closed, every letter purged): case "
            "reference and victim's name removed, status kept.") in out
    first, second = entries(dbfile)
    assert (first["urn"], first["victim_name"], first["status"], first["letter_ids"]) == (
        bulk.case_pseudonym("73PG0000003"), None, "sent_on_time", [sent])
    assert (second["urn"], second["victim_name"], second["status"]) == (
        bulk.case_pseudonym("73PG0000004"), None, "not_required")
    dump = dumped(dbfile)
    assert "73PG0000003" not in dump and "Ann Lee" not in dump and "No Letter" not in dump
    assert "asked in writing" not in dump  # the reason no letter was needed may name people
    assert sql(dbfile, "SELECT no_letter_reason FROM decisions WHERE urn = ?",
               [bulk.case_pseudonym("73PG0000004")]) == [("(purged)",)]
    # Registered again (a nightly feed sends every case): matched, not stored twice, and the
    # closed entry stays purged; a changed detail still updates it.
    again = import_decisions(tmp_path, row("73PG0000003"))
    assert "Registered 0 new, updated 0, unchanged 1, failed 0." in again
    changed = import_decisions(tmp_path, row("73PG0000003", category="enhanced"))
    assert "Registered 0 new, updated 1, unchanged 0, failed 0." in changed
    first, _ = entries(dbfile)
    assert (first["urn"], first["victim_name"], first["victim_category"], len(entries(dbfile))) == (
        bulk.case_pseudonym("73PG0000003"), None, "enhanced", 2)
    dump = dumped(dbfile)
    assert "73PG0000003" not in dump and "Ann Lee" not in dump


def test_a_closed_entry_registered_again_without_its_letter_date_stays_purged(dbfile, tmp_path):
    """Review 9, item 1: a row leaving out letter_date cleared it, so the purged entry looked
    open and its real case reference was stored again."""
    import_decisions(tmp_path, row("77PG0000001", letter_date=SENT.isoformat()))
    purge()
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["status"]) == (bulk.case_pseudonym("77PG0000001"), "sent_on_time")
    bare = tmp_path / "bare.csv"
    bare.write_text(f"urn,decision,decision_date,victim_category,team\n77PG0000001,discontinued,{DECIDED},"
                    "standard,north\n", encoding="utf-8")
    result = run("import-decisions", str(bare))
    assert "Registered 0 new, updated 0, unchanged 1, failed 0." in result.stderr
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["victim_name"], entry["status"], entry["letter_date"]) == (
        bulk.case_pseudonym("77PG0000001"), None, "sent_on_time", SENT.isoformat())
    assert "77PG0000001" not in dumped(dbfile)


def test_a_dry_run_says_what_would_change_and_changes_nothing(dbfile, tmp_path):
    import_decisions(tmp_path, row("74PG0000001", letter_date=SENT.isoformat()), row("74PG0000002"))
    before = sql(dbfile, "SELECT urn, victim_name FROM decisions ORDER BY id")
    out = purge("--dry-run")
    assert f"Register: 1 entry decided before {long_date(CUTOFF)} would be purged" in out
    assert f"Register: 1 entry decided before {long_date(CUTOFF)} would keep its case reference" in out
    assert sql(dbfile, "SELECT urn, victim_name FROM decisions ORDER BY id") == before


def test_the_retention_settings_say_what_the_register_lost(dbfile, tmp_path, monkeypatch):
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "365")
    import_decisions(tmp_path, row("75PG0000001", letter_date=SENT.isoformat()), row("75PG0000002"))
    result = run("purge")
    assert result.exit_code == 0, result.stderr
    assert f"Register: 1 entry decided before {long_date(CUTOFF)} purged (closed, every letter purged)" in result.stderr
    assert f"Register: 1 entry decided before {long_date(CUTOFF)} keeps its case reference" in result.stderr
    assert [e["urn"] for e in entries(dbfile)] == [bulk.case_pseudonym("75PG0000001"), "75PG0000002"]


def damage_as_an_earlier_release_did(path, urn: str) -> None:
    """What the old purge did to an open entry: reference and name gone, nothing else."""
    sql(path, "UPDATE decisions SET urn = ?, victim_name = NULL WHERE urn = ?", [bulk.case_pseudonym(urn), urn])


def test_an_open_entry_purged_by_an_earlier_release_takes_its_reference_back_when_registered(dbfile, tmp_path):
    import_decisions(tmp_path, row("76PG0000001"))
    damage_as_an_earlier_release_did(dbfile, "76PG0000001")
    assert "Registered 0 new, updated 1, unchanged 0, failed 0." in import_decisions(tmp_path, row("76PG0000001"))
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["victim_name"], entry["status"]) == ("76PG0000001", "Mrs Ann Lee", "overdue")
    # Once its letter is sent and purged, the next purge closes it for good.
    db = open_db(dbfile)
    db.execute("UPDATE decisions SET letter_date = ? WHERE urn = ?", [SENT.isoformat(), "76PG0000001"])
    db.conn.commit()
    db.close()
    purge()
    assert [e["urn"] for e in entries(dbfile)] == [bulk.case_pseudonym("76PG0000001")]


def test_purge_mends_what_earlier_purges_did_to_the_register(dbfile, tmp_path):
    """An open entry purged with a draft stored since gets its reference back from the draft;
    a purged entry whose case was registered again beside it is removed (the case counted once)."""
    import_decisions(tmp_path, row("77PG0000001"), row("77PG0000002", name="Mr Second Case"))
    damage_as_an_earlier_release_did(dbfile, "77PG0000001")
    damage_as_an_earlier_release_did(dbfile, "77PG0000002")
    draft = letter(dbfile, "77PG0000001")
    # The earlier release stored the case registered again as a second entry.
    sql(dbfile, "INSERT INTO decisions (urn, decision, decision_date, victim_category, team, victim_name,"
                " letter_required, urn_key, created_at, updated_at) VALUES (?, 'discontinued', ?, 'standard',"
                " 'north', 'Mr Second Case', 1, ?, 'now', 'now')",
        ["77PG0000002", DECIDED.isoformat(), bulk.case_pseudonym("77PG0000002")])
    assert len(entries(dbfile)) == 3
    out = purge()
    assert "Register: 1 entry purged earlier took its case reference back from a letter not purged" in out
    assert ("Register: 1 entry purged earlier was removed: the same case had been registered again "
            "beside it, and is counted once.") in out
    assert [(e["urn"], e["victim_name"], e["letter_ids"]) for e in entries(dbfile)] == [
        ("77PG0000001", "Mrs Ann Lee", [draft]), ("77PG0000002", "Mr Second Case", [])]
    actions = [a for (a,) in sql(dbfile, "SELECT action FROM audit_log WHERE action = 'decisions.purge'")]
    assert actions == ["decisions.purge"]


def test_a_case_reference_cannot_pose_as_a_purged_one(dbfile, tmp_path):
    csv = tmp_path / "decisions.csv"
    csv.write_text(HEADER + row(bulk.case_pseudonym("79PG0000001")) + "\n", encoding="utf-8")
    result = run("import-decisions", str(csv))
    assert result.exit_code == 1
    assert "a case reference cannot begin with 'purged-': that is how the register marks a purged one" in " ".join(
        result.output.split())
    assert entries(dbfile) == []


def test_the_api_matches_a_purged_case_registered_again(tmp_path):
    """POST /decisions of a purged case answers the purged entry (200, unchanged), never a
    second entry counted beside it."""
    db_path = tmp_path / "vcl_qa.db"
    token = make_user(db_path, "manager", "manager")
    make_user(db_path, "writer", "staff", "north")  # a manager registers for a team there is
    server = LiveServer(db_path).start()
    try:
        body = {"urn": "78PG0000001", "decision": "discontinued", "decision_date": DECIDED.isoformat(),
                "victim_category": "standard", "team": "north", "victim_name": "Mrs Ann Lee",
                "letter_date": SENT.isoformat()}
        api = f"{server.url}/api/v1"
        assert httpx.post(f"{api}/decisions", headers=auth(token), json=body, timeout=30).status_code == 201
        db = open_db(db_path)
        report = bulk.purge_all(db, 365)  # as the nightly timer would, while the server runs
        db.close()
        assert (len(report.letters), report.register.purged) == (0, 1)
        again = httpx.post(f"{api}/decisions", headers=auth(token), json=body, timeout=30)
        assert again.status_code == 200, again.text
        out = again.json()
        assert (out["created"], out["updated"], out["unchanged"]) == (0, 0, 1)
        assert out["data"][0]["urn"] == store.case_pseudonym("78PG0000001")
        assert out["data"][0]["victim_name"] is None and out["data"][0]["status"] == "sent_on_time"
        listed = httpx.get(f"{api}/decisions", headers=auth(token), timeout=30,
                           params={"decided_from": DECIDED.isoformat(), "decided_to": DECIDED.isoformat()}).json()
        assert listed["count"] == 1
    finally:
        server.stop()


def test_a_decision_whose_only_letter_came_before_it_stays_open_and_keeps_its_reference(dbfile, tmp_path):
    """A letter sent before the decision is not its letter (it does not count as sent), so the
    entry is still open, and a purge must not take its case reference: staff still need to
    know which case is waiting for its letter. The same for a register letter_date before it."""
    import_decisions(tmp_path, row("71PG0000009"))
    early = DECIDED - dt.timedelta(days=10)
    db = open_db(dbfile)
    try:
        writer = user_by_name(db, "writer")
        ctx = {"decision": "discontinued", "decision_date": (early - dt.timedelta(days=1)).isoformat(),
               "letter_date": early.isoformat(), "victim_category": "standard", "victim_name": "Mrs Ann Lee",
               "urn": "71PG0000009"}
        service.submit(db, writer, TEXT, ctx, team="north", sent_date=early.isoformat())
    finally:
        db.close()
    [entry] = entries(dbfile)
    assert entry["status"] == "overdue"
    purge()
    [entry] = entries(dbfile)
    assert (entry["urn"], entry["victim_name"], entry["status"]) == ("71PG0000009", "Mrs Ann Lee", "overdue")
