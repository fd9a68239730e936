"""Register entries belong to a team: registering another team's case reference neither links
nor shows that team's letter, and no answer tells whether the reference exists elsewhere.

Before, north could register south's case reference and then see south's letter (its id and
whether and when it was sent), and a refusal said "is registered for another team"."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

URN = "52EE0000124"
TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": URN}
DECISION = {"urn": URN, "decision": "discontinued", "decision_date": "2024-12-19",
            "victim_category": "enhanced"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("teams") / "vcl_qa.db").start()
    srv.tokens = {"north": make_user(srv.db, "north-staff", "staff", "north"),
                  "south": make_user(srv.db, "south-staff", "staff", "south"),
                  "manager": make_user(srv.db, "manager", "manager")}
    yield srv
    srv.stop()


def call(server, who, method, path, **kw):
    return httpx.request(method, f"{server.url}/api/v1{path}", headers=auth(server.tokens[who]),
                         timeout=60, **kw)


def test_another_teams_letter_is_never_linked_or_shown(server):
    letter = call(server, "south", "POST", "/letters", json={"text": TEXT, "context": CTX}).json()["id"]
    assert call(server, "south", "POST", f"/letters/{letter}/sent", json={"sent_date": "2024-12-20", **SAID_WHY}).status_code == 200
    r = call(server, "north", "POST", "/decisions", json=DECISION)
    assert r.status_code == 201
    row = r.json()["data"][0]
    assert row["team"] == "north"
    assert row["letter_ids"] == [] and row.get("letter_sent_on") is None
    assert row["status"] not in ("sent_on_time", "sent_late")
    listed = call(server, "north", "GET", "/decisions", params={"urn": URN, "as_of": "2025-01-06"}).json()
    assert [(d["team"], d["letter_ids"]) for d in listed["data"]] == [("north", [])]
    assert letter not in [i for d in listed["data"] for i in d["letter_ids"]]
    assert call(server, "north", "GET", f"/letters/{letter}").status_code == 404
    # South's own entry links south's letter.
    south = call(server, "south", "POST", "/decisions", json=DECISION).json()["data"][0]
    assert south["letter_ids"] == [letter] and south["status"] == "sent_on_time"


def test_answers_do_not_tell_whether_a_reference_exists_elsewhere(server):
    fresh = {**DECISION, "urn": "52EE0000999"}
    assert call(server, "south", "POST", "/decisions", json=fresh).status_code == 201
    taken = call(server, "north", "POST", "/decisions", json=fresh)
    unknown = call(server, "north", "POST", "/decisions", json={**fresh, "urn": "52EE0000888"})
    assert taken.status_code == unknown.status_code == 201
    assert taken.json()["created"] == unknown.json()["created"] == 1
    other_team = call(server, "north", "POST", "/decisions", json={**fresh, "team": "south"})
    assert other_team.status_code == 403 and "own team" in other_team.json()["error"]["message"]
    assert "52EE0000999" not in other_team.text


def test_manager_sees_both_teams_entries(server):
    rows = call(server, "manager", "GET", "/decisions", params={"urn": URN, "as_of": "2025-01-06"}).json()["data"]
    assert sorted(r["team"] for r in rows) == ["north", "south"]


def test_upgrade_keeps_old_register_rows(tmp_path):
    """A register made before the per-team change is carried over whole."""
    import sqlite3

    from vcl_qa.db import migrate, open_db

    db_path = tmp_path / "old.db"
    db = open_db(db_path)
    try:
        migrate(db)
        db.execute("INSERT INTO decisions (urn, decision, decision_date, victim_category, team, created_at,"
                   " updated_at) VALUES ('X1', 'discontinued', '2024-12-19', 'standard', 'north', 'now', 'now')")
        db.conn.commit()
    finally:
        db.close()
    conn = sqlite3.connect(db_path)
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'decisions'").fetchone()[0]
        assert "UNIQUE (team, urn, decision)" in sql
        assert conn.execute("SELECT urn, team FROM decisions").fetchall() == [("X1", "north")]
    finally:
        conn.close()
