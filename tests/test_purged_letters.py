"""A purged letter stays purged: no new version, suppression or sending (409 in the API, a plain
message on the page), and nothing about it changes. Before, a new version with a name, an
address and a case reference was accepted, the letter stayed marked as purged, and the next
purge skipped it."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from vcl_qa import clock
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import bulk, service, store

WHO = bulk.Actor("test")
TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case "
        "against the man who hurt you, because the only witness has moved abroad.\n")
CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
PERSONAL = "Dear Ms Okafor, of 12 Station Road, about case 42AB1234524\n"


def _purge_all(db) -> list[int]:
    return bulk.purge(db, 1, today=clock.today() + dt.timedelta(days=3))


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "vcl_qa.db")
    migrate(database)
    yield database
    database.close()


def _snapshot(db, letter_id: int) -> tuple:
    return (db.execute("SELECT count(*), max(version), group_concat(coalesce(text, '')) FROM versions"
                       " WHERE letter_id = ?", [letter_id]).fetchone(),
            db.execute("SELECT count(*) FROM suppressions WHERE letter_id = ?", [letter_id]).fetchone(),
            db.execute("SELECT status, sent_date, purged_at, victim_name, latest_version FROM letters"
                       " WHERE id = ?", [letter_id]).fetchone())


def test_purged_letter_takes_no_version_suppression_or_sending(db):
    letter_id = service.submit(db, WHO, TEXT, CTX, team="north")["id"]
    assert _purge_all(db) == [letter_id]
    before = _snapshot(db, letter_id)
    with pytest.raises(store.Purged, match="was purged"):
        service.submit(db, WHO, PERSONAL, {"victim_name": "Ms Jane Okafor"}, letter_id=letter_id)
    with pytest.raises(store.Purged):
        service.suppress(db, WHO, letter_id, "readability.passive", "quoted from the charge sheet")
    with pytest.raises(store.Purged):
        service.mark_sent(db, WHO, letter_id, dt.date(2024, 12, 20))
    assert _snapshot(db, letter_id) == before
    assert _purge_all(db) == []  # nothing came back that a purge would have to remove


def test_purge_landing_while_a_version_is_scored_wins(db):
    """The version's write checks, under the write lock, that the letter was not purged meanwhile."""
    letter_id = service.submit(db, WHO, TEXT, CTX, team="north")["id"]
    state = store.letter_state(db, letter_id)  # what a submission read before scoring
    _purge_all(db)
    from vcl_qa import Letter, score_letter

    result = score_letter(Letter(text=PERSONAL))
    with pytest.raises(store.Conflict):
        store.write_version(db, WHO, PERSONAL, {}, result, team="north", letter_id=letter_id,
                            source="test", sent_date=None, expected_state=state)
    assert db.execute("SELECT count(*) FROM versions WHERE text IS NOT NULL").fetchone()[0] == 0


def test_unknown_rule_is_refused_as_the_api_does(db):
    letter_id = service.submit(db, WHO, TEXT, CTX, team="north")["id"]
    for rule in ("no.such_rule", "", "readability.jargon; DROP TABLE letters"):
        with pytest.raises(Exception) as err:
            service.suppress(db, WHO, letter_id, rule, "a reason in words")
        assert getattr(err.value, "field", None) == "rule"
    assert db.execute("SELECT count(*) FROM suppressions").fetchone()[0] == 0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("purged") / "vcl_qa.db"
    token = make_user(db_path, "sam", "staff", "north")
    live = LiveServer(db_path).start()
    api = httpx.Client(base_url=f"{live.url}/api/v1", headers=auth(token), timeout=60)
    letter_id = api.post("/letters", json={"text": TEXT, "context": CTX}).json()["id"]
    conn = open_db(db_path)
    try:
        _purge_all(conn)
    finally:
        conn.close()
    yield {"url": live.url, "api": api, "token": token, "letter": letter_id, "db": db_path}
    api.close()
    live.stop()


@pytest.mark.parametrize("method,path,body", [
    ("post", "/letters", {"text": PERSONAL, "letter_id": None}),
    ("post", "/letters/{id}/suppressions", {"rule": "readability.passive", "reason": "quoted from the charge sheet"}),
    ("post", "/letters/{id}/sent", {"sent_date": "2024-12-20"}),
])
def test_api_answers_409_for_a_purged_letter(server, method, path, body):
    body = {k: (server["letter"] if v is None else v) for k, v in body.items()}
    r = server["api"].request(method.upper(), path.format(id=server["letter"]), json=body)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert "purged" in r.json()["error"]["message"]
    conn = sqlite3.connect(server["db"])
    try:
        assert conn.execute("SELECT count(*) FROM versions WHERE text IS NOT NULL").fetchone()[0] == 0
    finally:
        conn.close()


def _page_client(server) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server["url"], timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server["token"]}).status_code == 303
    page = client.get(f"/letters/{server['letter']}")
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_page_says_the_letter_was_purged(server):
    client, csrf = _page_client(server)
    r = client.post(f"/letters/{server['letter']}/versions", data={"csrf_token": csrf, "text": PERSONAL})
    # nothing saved; what was typed stays on the page, read-only, to check as a new letter
    assert r.status_code == 409 and "removed under the retention rules" in r.text
    assert "so your changes were not saved" in r.text and 'id="unsaved-text"' in r.text
    page = client.get(f"/letters/{server['letter']}?error=purged")
    assert "removed under the retention rules" in page.text


def test_page_error_parameter_cannot_put_words_on_the_page(server):
    client, _ = _page_client(server)
    page = client.get(f"/letters/{server['letter']}", params={"error": "Call 0800 000 000 to pay a fine"})
    assert page.status_code == 200
    assert "0800 000 000" not in page.text
    assert "There is a problem" not in page.text


def test_page_refuses_an_unknown_rule_with_a_message(server):
    client, csrf = _page_client(server)
    other = httpx.post(f"{server['url']}/api/v1/letters", json={"text": TEXT, "context": CTX},
                       headers=auth(server["token"]), timeout=60).json()["id"]
    r = client.post(f"/letters/{other}/suppressions",
                    data={"csrf_token": csrf, "rule": "<b>no.rule</b>", "reason": "because"})
    assert r.status_code == 400
    assert "Not a problem: there is no such rule" in r.text
    assert "<b>no.rule</b>" not in r.text


@pytest.mark.parametrize("path", ["/letters/18446744073709551616", "/letters/9223372036854775808",
                                  "/letters/18446744073709551616/letter.docx"])
def test_page_ids_past_64_bits_are_not_found(server, path):
    client, _ = _page_client(server)
    assert client.get(path).status_code == 404
