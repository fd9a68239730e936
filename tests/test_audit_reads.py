"""Every read of personal data leaves an audit row naming who read which letters or register
entries: lists, searches, comparisons, panel feedback, the decisions register. The row never
holds the words searched for, names or case references."""
from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest

from live_server import LiveServer, auth, make_user

URN = "61FF0000124"
TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": URN}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("audit") / "vcl_qa.db"
    token = make_user(db, "sam", "staff", "north")
    srv = LiveServer(db).start()
    api = httpx.Client(base_url=f"{srv.url}/api/v1", headers=auth(token), timeout=60)
    letter = api.post("/letters", json={"text": TEXT, "context": CTX}).json()["id"]
    api.post("/letters", json={"text": TEXT + "\nYours sincerely\n", "letter_id": letter})
    api.post("/decisions", json={k: CTX[k] for k in ("urn", "decision", "decision_date", "victim_category")})
    yield {"url": srv.url, "api": api, "token": token, "db": db, "letter": letter}
    api.close()
    srv.stop()


def _new_rows(server, since: int) -> list[dict]:
    conn = sqlite3.connect(server["db"])
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [since])]
    finally:
        conn.close()


def _last_id(server) -> int:
    conn = sqlite3.connect(server["db"])
    try:
        return conn.execute("SELECT COALESCE(max(id), 0) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("path,params,action", [
    ("/letters", {}, "letters.list"),
    ("/letters", {"q": "Okafor"}, "letters.search"),
    ("/letters/{id}/compare", {}, "letter.compare"),
    ("/panel/feedback", {}, "feedback.list"),
    ("/panel/feedback/{id}", {}, "feedback.read"),
    ("/decisions", {"as_of": "2025-01-06"}, "decisions.list"),
    ("/decisions", {"urn": URN}, "decisions.search"),
    ("/decisions/unlinked-letters", {}, "decisions.unlinked_letters"),
])
def test_api_reads_are_audited(server, path, params, action):
    since = _last_id(server)
    r = server["api"].get(path.format(id=server["letter"]), params=params)
    assert r.status_code == 200, r.text
    rows = _new_rows(server, since)
    assert [row["action"] for row in rows] == [action]
    assert rows[0]["user_name"] == "sam"
    text = json.dumps(rows)
    for secret in ("Okafor", URN, "Jane"):
        assert secret not in text


def test_list_rows_name_the_letters_read(server):
    since = _last_id(server)
    server["api"].get("/letters")
    detail = json.loads(_new_rows(server, since)[0]["detail"])
    assert detail["ids"] == [server["letter"]] and detail["count"] == 1


def test_letters_page_list_and_search_are_audited(server):
    client = httpx.Client(base_url=server["url"], timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"pre_token": pre, "token": server["token"]})
    since = _last_id(server)
    assert client.get("/letters").status_code == 200
    assert client.get("/letters", params={"q": "Okafor"}).status_code == 200
    rows = _new_rows(server, since)
    assert [r["action"] for r in rows] == ["letters.list", "letters.search"]
    assert "Okafor" not in json.dumps(rows)


def test_decisions_page_is_audited(server):
    client = httpx.Client(base_url=server["url"], timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"pre_token": pre, "token": server["token"]})
    since = _last_id(server)
    assert client.get("/decisions", params={"urn": URN}).status_code == 200
    rows = _new_rows(server, since)
    assert [r["action"] for r in rows] == ["decisions.list"]
    assert URN not in json.dumps(rows) and json.loads(rows[0]["detail"])["count"] == 1
