"""Deleting a sent letter does not unsend it: the decision it was the letter for keeps the day
it went out, so the register, the dashboard's figures and the digest count it as sent that day,
as before the delete (before, the decision turned "overdue" and counted as never sent in past
figures). A letter that never went out is unmarked first (undo sent), then deleted, and its
decision is open again. Real SQLite files; the API through the real server."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from vcl_qa.db.users import add_user
from vcl_qa.decisions import register
from vcl_qa.decisions import store as decisions_store
from vcl_qa.letters import service
from vcl_qa.letters import store as letters
from vcl_qa.reports import timeliness

from live_server import LiveServer, auth, make_user

TEXT = ("Dear Ms Okafor\n\nI am writing to tell you that we have decided to stop the case against "
        "Mr Lane. I know this is hard news.\n\nYours sincerely\n\nSam Staff\n")
URN = "90ZZ0000431"
# Decided Thursday 19 December 2024, enhanced rights: due Friday 20 December.
ENTRY = {"urn": URN, "decision": "discontinued", "decision_date": "2024-12-19",
         "victim_category": "enhanced", "team": "north"}
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced",
           "urn": URN, "victim_name": "Ms Jane Okafor"}
LATER = dt.date(2025, 1, 6)
WHY = "posted first, saved here afterwards to record it"

# `db`: a fresh migrated database (tests/conftest.py)


@pytest.fixture
def manager(db):
    return add_user(db, "mo", "manager", "north")[0]


def register_entry(db, manager, **fields):
    decisions_store.upsert_many(db, manager, [register.record_from_mapping({**ENTRY, **fields})])


def sent_letter(db, user, day: str, *, urn: str = URN, decision_date: str = "2024-12-19") -> int:
    r = service.submit(db, user, TEXT, {**CONTEXT, "urn": urn, "decision_date": decision_date,
                                        "letter_date": day}, team="north")
    service.mark_sent(db, user, r["id"], dt.date.fromisoformat(day), before_saved_reason=WHY)
    return r["id"]


def entry(db) -> dict:
    return next(r for r in register.register(db, today=LATER) if r["urn"] == URN)


def figures(db) -> tuple:
    t = timeliness.figures(timeliness.rows_for(db, today=LATER), LATER)
    return t.due, t.on_time, t.late, t.missing


def audit_actions(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id").fetchall()]


def test_a_deleted_sent_letter_is_still_counted_as_sent_that_day(db, manager):
    register_entry(db, manager)
    letter_id = sent_letter(db, manager, "2024-12-20")
    before = entry(db)
    assert (before["status"], before["sent_on"], before["letter_ids"]) == ("sent_on_time", "2024-12-20", [letter_id])
    assert figures(db) == (1, 1, 0, 0)

    kept = service.delete(db, manager, letter_id)

    assert kept == [{"decision_id": before["id"], "letter_date": "2024-12-20", "was": None}]
    with pytest.raises(letters.NotFound):
        letters.get_letter(db, letter_id)
    after = entry(db)
    assert (after["status"], after["sent_on"], after["letter_ids"], after["letter_date"]) == (
        "sent_on_time", "2024-12-20", [], "2024-12-20")
    assert figures(db) == (1, 1, 0, 0)  # not "1 due, 0 on time, 1 never sent"
    assert audit_actions(db)[-2:] == ["decision.letter_date_kept", "letter.delete"]
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'decision.letter_date_kept'").fetchone()[0]
    assert "2024-12-20" in detail and URN not in detail  # the day, never the case reference


def test_a_late_letter_deleted_stays_late(db, manager):
    register_entry(db, manager)
    letter_id = sent_letter(db, manager, "2024-12-23")
    assert entry(db)["status"] == "sent_late"
    service.delete(db, manager, letter_id)
    assert (entry(db)["status"], entry(db)["sent_on"]) == ("sent_late", "2024-12-23")
    assert figures(db) == (1, 0, 1, 0)


def test_a_letter_that_never_went_out_is_unmarked_first_and_its_decision_is_open_again(db, manager):
    register_entry(db, manager)
    letter_id = sent_letter(db, manager, "2024-12-20")
    service.undo_sent(db, manager, letter_id)  # marked sent by mistake: it never went out
    assert service.delete(db, manager, letter_id) == []
    after = entry(db)
    assert (after["status"], after["letter_date"]) == ("overdue", None)
    assert figures(db) == (1, 0, 0, 1)
    assert "decision.letter_date_kept" not in audit_actions(db)


def test_nothing_changes_when_another_letter_or_the_register_gives_the_same_day(db, manager):
    register_entry(db, manager)
    first = sent_letter(db, manager, "2024-12-20")
    second = sent_letter(db, manager, "2024-12-20")
    assert service.delete(db, manager, first) == []  # the second still gives the day
    assert (entry(db)["letter_date"], entry(db)["sent_on"]) == (None, "2024-12-20")
    assert service.delete(db, manager, second)[0]["letter_date"] == "2024-12-20"  # the last one: kept
    assert (entry(db)["status"], entry(db)["sent_on"]) == ("sent_on_time", "2024-12-20")

    register_entry(db, manager, urn="90ZZ0000432", letter_date="2024-12-19")  # the case system's own day
    third = sent_letter(db, manager, "2024-12-20", urn="90ZZ0000432")
    assert service.delete(db, manager, third) == []
    row = next(r for r in register.register(db, today=LATER) if r["urn"] == "90ZZ0000432")
    assert (row["letter_date"], row["sent_on"]) == ("2024-12-19", "2024-12-19")


def test_an_earlier_sent_day_replaces_a_later_one_in_the_register(db, manager):
    """The case system recorded the letter on 23 December (late); it went out on the 20th (on
    time), as this service knew. Deleting it keeps the 20th, the register's day kept in the audit."""
    register_entry(db, manager, letter_date="2024-12-23")
    letter_id = sent_letter(db, manager, "2024-12-20")
    assert entry(db)["status"] == "sent_on_time"
    assert service.delete(db, manager, letter_id)[0]["was"] == "2024-12-23"
    assert (entry(db)["status"], entry(db)["letter_date"]) == ("sent_on_time", "2024-12-20")


def test_a_letter_sent_before_the_decision_was_not_its_letter_and_changes_nothing(db, manager):
    register_entry(db, manager, decision_date="2024-12-19")
    early = sent_letter(db, manager, "2024-12-18", decision_date="2024-12-18")
    assert entry(db)["status"] == "overdue" and entry(db)["letter_warning"]
    assert service.delete(db, manager, early) == []
    assert (entry(db)["status"], entry(db)["letter_date"]) == ("overdue", None)


def test_another_teams_decision_for_the_same_case_is_not_touched(db, manager):
    register_entry(db, manager, team="south")
    letter_id = sent_letter(db, manager, "2024-12-20")  # a north letter: south's entry is not its decision
    assert service.delete(db, manager, letter_id) == []
    south = next(r for r in register.register(db, today=LATER) if r["team"] == "south")
    assert (south["status"], south["letter_date"]) == ("overdue", None)


def test_a_refused_delete_changes_no_decision(db, manager):
    register_entry(db, manager)
    with pytest.raises(letters.NotFound):
        service.delete(db, manager, 999)
    assert entry(db)["letter_date"] is None and "decision.letter_date_kept" not in audit_actions(db)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("delete-sent") / "vcl_qa.db"
    srv = LiveServer(db_path).start()
    srv.tokens = {role: make_user(db_path, f"{role.title()} User", role, "north") for role in ("staff", "manager")}
    yield srv
    srv.stop()


def test_the_api_delete_keeps_the_sent_day_on_the_register(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["staff"]), timeout=60) as api:
        assert api.post("/decisions", json={"decisions": [ENTRY]}).status_code == 201
        r = api.post("/letters", json={"text": TEXT, "context": {**CONTEXT, "letter_date": "2024-12-20"}})
        assert r.status_code == 201, r.text
        letter_id = r.json()["id"]
        sent = api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-20",
                                                            "sent_before_saved_reason": WHY})
        assert sent.status_code == 200, sent.text
        assert api.delete(f"/letters/{letter_id}").status_code == 403  # staff may not delete
        manager = {"headers": auth(server.tokens["manager"])}
        assert api.delete(f"/letters/{letter_id}", **manager).status_code == 204
        assert api.get(f"/letters/{letter_id}").status_code == 404
        row = next(d for d in api.get("/decisions", params={"as_of": LATER.isoformat()}).json()["data"]
                   if d["urn"] == URN)
        assert (row["status"], row["sent_on"], row["letter_date"]) == ("sent_on_time", "2024-12-20", "2024-12-20")
        # the case system, not knowing the day, sends null: the day stays, and the answer says so
        again = api.post("/decisions", json={**ENTRY, "letter_date": None})
        assert again.status_code == 200, again.text
        [stored] = again.json()["data"]
        assert (stored["letter_date"], stored["changed"], stored["not_cleared"]) == ("2024-12-20", [], ["letter_date"])


def test_a_feeds_null_does_not_clear_a_day_kept_from_a_deleted_letter(db, manager):
    """A case system that does not know the letter's day sends `"letter_date": null`; after the
    sent letter was deleted that day is the only record that it went out: the entry stays sent
    on time (not overdue), and the answer says which null was not applied. Another day given
    replaces it, and from then on it is the register's own (a null clears it)."""
    register_entry(db, manager)
    service.delete(db, manager, sent_letter(db, manager, "2024-12-20"))
    held: list[list[str]] = []
    changes: list[list[str]] = []
    [(_, outcome)] = decisions_store.upsert_many(
        db, manager, [register.record_from_mapping({**ENTRY, "letter_date": None})], changes=changes, not_cleared=held)
    assert (outcome, changes, held) == ("unchanged", [[]], [["letter_date"]])
    assert (entry(db)["status"], entry(db)["letter_date"]) == ("sent_on_time", "2024-12-20")
    assert figures(db) == (1, 1, 0, 0)
    # left out, or the same day: nothing is held back
    held.clear()
    decisions_store.upsert_many(db, manager, [register.record_from_mapping(ENTRY)], not_cleared=held)
    assert held == [[]]
    # another day replaces it, and is then the register's own
    register_entry(db, manager, letter_date="2024-12-23")
    assert (entry(db)["status"], entry(db)["letter_date"]) == ("sent_late", "2024-12-23")
    register_entry(db, manager, letter_date=None)
    assert entry(db)["letter_date"] is None and entry(db)["status"] == "overdue"


def test_a_day_the_register_was_given_is_cleared_by_null_as_before(db, manager):
    register_entry(db, manager, letter_date="2024-12-20")
    held: list[list[str]] = []
    decisions_store.upsert_many(db, manager, [register.record_from_mapping({**ENTRY, "letter_date": None})],
                                not_cleared=held)
    assert held == [[]] and entry(db)["letter_date"] is None


def test_days_kept_before_the_column_are_found_in_the_audit_log(tmp_path):
    """The migration marks entries whose letter_date a deletion kept before this release, from
    the audit log's decision.letter_date_kept (the same day only: a day given since is the
    register's own)."""
    import sqlite3

    from vcl_qa.db import migrate, open_db

    path = tmp_path / "old.db"
    db = open_db(path)
    migrate(db)
    user = add_user(db, "mo", "manager", "north")[0]
    register_entry(db, user)
    decisions_store.upsert_many(db, user, [register.record_from_mapping({**ENTRY, "urn": "90ZZ0000432",
                                                                         "letter_date": "2024-12-27"})])
    service.delete(db, user, sent_letter(db, user, "2024-12-20"))
    ids = {r[1]: r[0] for r in db.execute("SELECT id, urn FROM decisions").fetchall()}
    # (the second entry's audit entry names a day it no longer has)
    db.execute("INSERT INTO audit_log (at, action, object_type, object_id, detail) VALUES"
               " ('2025-01-01', 'decision.letter_date_kept', 'decision', ?, '{\"letter_date\": \"2024-12-21\"}')",
               [ids["90ZZ0000432"]])
    db.close()
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE decisions DROP COLUMN letter_date_kept")
    raw.execute("DELETE FROM _sqlite_migrations WHERE migration_set = 'decisions' AND name = '0005_letter_date_kept'")
    raw.commit()
    raw.close()
    db = open_db(path)
    assert "decisions:0005_letter_date_kept" in migrate(db)
    assert dict(db.execute("SELECT urn, letter_date_kept FROM decisions").fetchall()) == {URN: 1, "90ZZ0000432": 0}
