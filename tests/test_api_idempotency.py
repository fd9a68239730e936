"""A case management system that retries a submission (a timeout, a double click) must not
store the letter twice: with an `Idempotency-Key`, the same request sent again answers the
letter the first one stored. Against the real server and SQLite file."""
from __future__ import annotations

import concurrent.futures
import sqlite3

import httpx
import pytest

from vcl_qa import clock
from live_server import auth, users_server

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the "
        "case against Mr Lane. I know this is hard news.\n\nYours sincerely\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "idem", {"ann": ("Ann Staff", "staff", "north"),
                                                  "cat": ("Cat Staff", "staff", "north")})
    yield srv
    srv.stop()


def client(server, who: str) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens[who]), timeout=60)


def letters_count(server) -> int:
    with sqlite3.connect(server.db) as conn:
        return conn.execute("SELECT count(*) FROM letters").fetchone()[0]


def test_the_same_submission_sent_again_with_its_key_stores_one_letter(server):
    before = letters_count(server)
    with client(server, "ann") as api:
        first = api.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-1"})
        again = api.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-1"})
    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert letters_count(server) == before + 1


def test_without_a_key_each_submission_is_a_letter_and_keys_are_per_user(server):
    before = letters_count(server)
    with client(server, "ann") as ann, client(server, "cat") as cat:
        a = ann.post("/letters", json={"text": TEXT, "context": CONTEXT})
        b = ann.post("/letters", json={"text": TEXT, "context": CONTEXT})
        c = cat.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-1"})
    assert {a.status_code, b.status_code, c.status_code} == {201}
    assert len({a.json()["id"], b.json()["id"], c.json()["id"]}) == 3
    assert letters_count(server) == before + 3


def test_a_key_used_again_for_a_different_letter_is_refused_and_stores_nothing(server):
    with client(server, "ann") as api:
        first = api.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-2"})
        before = letters_count(server)
        other = api.post("/letters", json={"text": TEXT.replace("hard news", "hard to hear"), "context": CONTEXT},
                         headers={"Idempotency-Key": "cms-2"})
    assert other.status_code == 409
    body = other.json()["error"]
    assert f"letter {first.json()['id']}" in body["message"] and "new key" in body["message"]
    assert body["details"][0]["field"] == "header.Idempotency-Key"
    assert letters_count(server) == before


def test_a_new_version_with_a_key_is_not_stored_twice(server):
    with client(server, "ann") as api:
        letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
        body = {"text": TEXT.replace("hard news", "hard to hear"), "letter_id": letter_id}
        v2 = api.post("/letters", json=body, headers={"Idempotency-Key": "cms-v2"})
        again = api.post("/letters", json=body, headers={"Idempotency-Key": "cms-v2"})
        detail = api.get(f"/letters/{letter_id}").json()
    assert v2.json()["version"] == again.json()["version"] == 2
    assert detail["latest_version"] == 2


def test_the_same_key_sent_twice_at_once_stores_one_letter(server):
    before = letters_count(server)

    def send(_):
        with client(server, "ann") as api:
            return api.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-race"})

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in answers) == 3
    assert letters_count(server) == before + 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 201, "é"])
def test_a_malformed_key_is_refused_naming_the_header(server, key):
    with client(server, "ann") as api:
        r = api.post("/letters", json={"text": TEXT, "context": CONTEXT},
                     headers={"Idempotency-Key": key.encode("utf-8")})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "header.Idempotency-Key"


# The check page: each form carries its own `submission` value, so pressing the button twice
# (or the browser sending the form again) stores one letter.
def _form(page: str) -> dict:
    import re

    return {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrf_token", "submission")}


def test_the_check_form_sent_twice_stores_one_letter_and_a_changed_letter_is_new(server):
    from live_server import signed_in_client

    fields = {"text": TEXT, **CONTEXT}
    with signed_in_client(server.url, server.tokens["ann"]) as browser:
        page = browser.get("/check").text
        form = _form(page)
        before = letters_count(server)
        first = browser.post("/check", data={**form, **fields})
        again = browser.post("/check", data={**form, **fields})
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        assert letters_count(server) == before + 1
        changed = {**form, **fields, "text": TEXT.replace("hard news", "hard to hear")}
        once, twice = browser.post("/check", data=changed), browser.post("/check", data=changed)
        assert once.status_code == twice.status_code == 303
        assert once.headers["location"] == twice.headers["location"] != first.headers["location"]
        assert letters_count(server) == before + 2  # the changed letter, pressed twice, stored once
        assert _form(browser.get("/check").text)["submission"] != form["submission"]  # a new form, a new value


def test_a_new_version_sent_several_times_at_once_with_its_key_is_saved_once_and_never_refused(server):
    """Review 7: copies of a new version (letter_id and base_version) sent at once could get a
    409 saying nothing was saved, when the first copy had saved it."""
    with client(server, "ann") as api:
        letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    body = {"text": TEXT.replace("hard news", "hard to take in"), "letter_id": letter_id, "base_version": 1}

    def send(_):
        with client(server, "ann") as api:
            return api.post("/letters", json=body, headers={"Idempotency-Key": f"cms-v-{letter_id}"})

    for _ in range(3):
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(send, range(6)))
        assert {r.status_code for r in answers} == {201}, [r.text[:120] for r in answers]
        assert {r.json()["version"] for r in answers} == {2}
    with client(server, "ann") as api:
        assert api.get(f"/letters/{letter_id}").json()["latest_version"] == 2


def test_a_purged_letter_keeps_no_key_or_hash_that_would_confirm_a_guess_at_it(server):
    """Review 7: after purge, resending the original text with the key answered 'replayed' and any
    other guess 409, so the purged words could be confirmed; the versions kept the text's hash."""
    import datetime as dt

    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk

    with client(server, "ann") as api:
        letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT},
                             headers={"Idempotency-Key": "cms-purge"}).json()["id"]
    db = open_db(server.db)
    try:
        assert letter_id in bulk.purge(db, 30, today=clock.today() + dt.timedelta(days=60))
        assert db.execute("SELECT count(*) FROM idempotency_keys WHERE letter_id = ?", [letter_id]).fetchone()[0] == 0
        assert db.execute("SELECT DISTINCT text_hash FROM versions WHERE letter_id = ?", [letter_id]).fetchall() == [("",)]
    finally:
        db.close()
    with client(server, "ann") as api:
        again = api.post("/letters", json={"text": TEXT, "context": CONTEXT}, headers={"Idempotency-Key": "cms-purge"})
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers  # a new letter, nothing confirmed
        assert api.get(f"/letters/{letter_id}").json()["versions"][0]["text_hash"] == ""

