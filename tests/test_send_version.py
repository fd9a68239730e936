"""Marking a letter sent is tied to the version the sender read (a review): staff opened the
send page on version 1, a manager saved version 2 ("stop the case" became "continue the case"),
and the send form already open marked the letter sent, version 2 recorded as sent by the staff
member, with no warning; the API's mark-sent took no version at all. Now the send form carries
the version it showed (`base_version`) and the API takes an optional `base_version`: when the
latest version is another one, nothing is marked (API: 409, code conflict, field base_version;
page: the check before sending shown again for the latest version, saying who saved it and
when). Without it, both mark the latest as before. The real server on a real SQLite file; the
check made again inside the write, on the service and the SQLite file."""
from __future__ import annotations

import html
import json
import re
import sqlite3

import pytest

from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.letters import service
from vcl_qa.letters import store

from live_server import api_client, page_words, signed_in_client, users_server

TEXT = ("Dear Ms Lovelace\n\nI am writing to tell you that we have decided to stop the case against the "
        "man who assaulted you. I am sorry to give you this news.\n\nYours sincerely\n\nJ Smith\n")
CHANGED = TEXT.replace("we have decided to stop the case", "we have decided to continue the case")
# a change that leaves the must-fix problems as they were (the tick stands for them)
REWORDED = TEXT.replace("I am sorry to give you", "I am very sorry to give you")
# an undated draft: marked sent today by default (no reason asked for: first saved today)
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-02", "victim_category": "standard",
           "victim_name": "Ms Ada Lovelace"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "sendversion",
                       {"ann": ("Ann Staff", "staff", "north"), "bob": ("Bob Manager", "manager")})
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with api_client(server, "ann") as client:
        yield client


@pytest.fixture
def bob(server):
    with api_client(server, "bob") as client:
        yield client


def new_letter(api) -> int:
    r = api.post("/letters", json={"text": TEXT, "context": CONTEXT})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def save_v2(client, letter_id: int, text: str = CHANGED) -> None:
    r = client.post("/letters", json={"letter_id": letter_id, "base_version": 1, "text": text})
    assert r.status_code == 201 and r.json()["version"] == 2, r.text


def sent_row(server, letter_id: int) -> tuple:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT l.status, l.sent_date, u.name FROM letters l LEFT JOIN users u"
                          " ON u.id = l.sent_by WHERE l.id = ?", [letter_id]).fetchone()


def audit_of(server, letter_id: int, action: str) -> list[dict]:
    with sqlite3.connect(server.db) as db:
        return [json.loads(d or "{}") for (d,) in db.execute(
            "SELECT detail FROM audit_log WHERE action = ? AND object_type = 'letter' AND object_id = ?",
            [action, letter_id])]


def send_form(page: str) -> dict:
    """The send form's hidden fields as a browser sends them, with the tick given (the short
    letter has must-fix problems: the tick is for those listed, `seen`)."""
    form = page[page.index('action="/letters/'):]
    form = form[:form.index("</form>")]
    fields = {m.group(1): html.unescape(m.group(2))
              for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    return {**fields, "confirm": "yes"}


def summary(page: str) -> str:
    return page_words(re.search(r'id="error-summary"(.*?)</div>', page, re.S).group(1))


# --- the API -----------------------------------------------------------------------------------

def test_api_a_stale_base_version_is_refused_and_nothing_changes(server, api, bob):
    letter_id = new_letter(api)
    save_v2(bob, letter_id)
    r = api.post(f"/letters/{letter_id}/sent", json={"base_version": 1})
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict"
    assert error["details"] == [{"field": "base_version", "message": error["message"]}]
    message = error["message"]
    assert f"letter {letter_id} is now at version 2 (saved by Bob Manager on " in message
    assert ", UK time), not version 1, which was read before marking it sent; nothing was marked" in message
    assert "mark it sent again with base_version 2" in message
    assert sent_row(server, letter_id) == ("draft", None, None)
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["status"] == "draft" and letter["sent_by"] is None and letter["latest_version"] == 2
    assert audit_of(server, letter_id, "letter.sent") == []
    # a version not held (ahead of the latest) is refused the same way
    r = api.post(f"/letters/{letter_id}/sent", json={"base_version": 3})
    assert r.status_code == 409 and "has no version 3: its latest is version 2" in r.json()["error"]["message"]
    assert sent_row(server, letter_id)[0] == "draft"


def test_api_the_current_base_version_marks_it_sent(server, api, bob):
    letter_id = new_letter(api)
    save_v2(bob, letter_id)
    r = api.post(f"/letters/{letter_id}/sent", json={"base_version": 2})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sent" and r.json()["latest_version"] == 2
    assert sent_row(server, letter_id)[::2] == ("sent", "Ann Staff")
    assert len(audit_of(server, letter_id, "letter.sent")) == 1  # recorded as before
    # sent again (a retry after a timeout): 409 already sent, as before, whatever the version
    again = api.post(f"/letters/{letter_id}/sent", json={"base_version": 2})
    assert again.status_code == 409 and "was already marked sent" in again.json()["error"]["message"]
    stale = api.post(f"/letters/{letter_id}/sent", json={"base_version": 1})
    assert stale.status_code == 409 and "was already marked sent" in stale.json()["error"]["message"]
    assert len(audit_of(server, letter_id, "letter.sent")) == 1


def test_api_without_base_version_marks_the_latest_as_before(server, api, bob):
    letter_id = new_letter(api)
    save_v2(bob, letter_id)
    r = api.post(f"/letters/{letter_id}/sent", json={})
    assert r.status_code == 200 and r.json()["latest_version"] == 2
    other = new_letter(api)
    assert api.post(f"/letters/{other}/sent").status_code == 200  # no body at all
    assert sent_row(server, other)[0] == "sent"


def test_api_base_version_is_a_row_id(api):
    letter_id = new_letter(api)
    for bad in ("1", 0, -1, 1.5, True):
        r = api.post(f"/letters/{letter_id}/sent", json={"base_version": bad})
        assert r.status_code == 422, (bad, r.text)
        assert [d["field"] for d in r.json()["error"]["details"]] == ["base_version"]
    assert api.get(f"/letters/{letter_id}").json()["status"] == "draft"


# --- the page's send form ----------------------------------------------------------------------

def test_page_a_send_form_opened_on_an_older_version_is_refused_and_shows_the_new_one(server, api, bob):
    letter_id = new_letter(api)
    with signed_in_client(server.url, server.tokens["ann"]) as ann:
        page = ann.get(f"/letters/{letter_id}/send").text
        assert re.search(r'id="send-score">1,', page)
        form = send_form(page)
        assert form["base_version"] == "1"
        save_v2(bob, letter_id)
        r = ann.post(f"/letters/{letter_id}/sent", data=form)
        assert r.status_code == 409
        said = summary(r.text)
        assert "Nothing was marked as sent: Bob Manager saved version 2 of this letter on " in said
        assert "after you opened version 1 to mark it as sent" in said
        assert "The letter changed since you opened this page" not in said  # (it said the same twice)
        assert "This page now shows version 2: read it" in said
        assert "This page now shows version 2: read it, and if it is the letter that went out, mark it as sent again" in said
        assert 'href="#newer-version"' in r.text
        newer = r.text[r.text.index('id="newer-version"'):]
        newer = newer[:newer.index("</details>")]
        assert "Version 2, as Bob Manager saved it" in page_words(newer)
        assert "we have decided to continue the case" in newer
        assert f'href="/letters/{letter_id}/compare?from=1&amp;to=2"' in newer
        assert re.search(r'id="send-score">2,', r.text)
        assert sent_row(server, letter_id) == ("draft", None, None)
        assert audit_of(server, letter_id, "letter.sent") == []
        # the form shown now carries version 2: read, it marks it sent
        again = send_form(r.text)
        assert again["base_version"] == "2"
        done = ann.post(f"/letters/{letter_id}/sent", data=again)
        assert done.status_code == 303 and done.headers["location"].endswith("?saved=sent")
    assert sent_row(server, letter_id)[::2] == ("sent", "Ann Staff")
    assert len(audit_of(server, letter_id, "letter.sent")) == 1


def test_page_the_date_typed_is_kept_and_a_date_error_never_rebases_the_form(server, api, bob):
    """The version is checked before the date: a stale form with a wrong date says the letter
    changed (not only that the date is wrong, with a form carrying version 2 unread)."""
    letter_id = new_letter(api)
    with signed_in_client(server.url, server.tokens["ann"]) as ann:
        form = send_form(ann.get(f"/letters/{letter_id}/send").text)
        save_v2(bob, letter_id)
        r = ann.post(f"/letters/{letter_id}/sent",
                     data={**form, "sent_date-day": "31", "sent_date-month": "2", "sent_date-year": "2025"})
        assert r.status_code == 409
        assert "Bob Manager saved version 2 of this letter" in summary(r.text)
        assert re.search(r'name="sent_date-day"[^>]*value="31"', r.text)
    assert sent_row(server, letter_id)[0] == "draft"


def test_page_ones_own_save_in_another_tab_is_said_as_such(server, api):
    letter_id = new_letter(api)
    with signed_in_client(server.url, server.tokens["ann"]) as ann:
        form = send_form(ann.get(f"/letters/{letter_id}/send").text)
        save_v2(api, letter_id)  # Ann, through the API (another tab, another program)
        r = ann.post(f"/letters/{letter_id}/sent", data=form)
        assert r.status_code == 409
        assert "Nothing was marked as sent: you, in another tab or window, saved version 2 of this letter" in summary(r.text)
        assert "Version 2, as you saved it" in page_words(r.text)
    assert sent_row(server, letter_id)[0] == "draft"


def test_page_a_send_form_on_the_latest_version_and_one_without_it_mark_sent(server, api, bob):
    letter_id = new_letter(api)
    save_v2(bob, letter_id)
    with signed_in_client(server.url, server.tokens["ann"]) as ann:
        form = send_form(ann.get(f"/letters/{letter_id}/send").text)
        assert form["base_version"] == "2"
        r = ann.post(f"/letters/{letter_id}/sent", data=form)
        assert r.status_code == 303 and r.headers["location"].endswith("?saved=sent")
        # a page opened before the form carried its version: the latest is marked, as before
        old = new_letter(api)
        form = send_form(ann.get(f"/letters/{old}/send").text)
        form.pop("base_version")
        save_v2(bob, old, REWORDED)
        r = ann.post(f"/letters/{old}/sent", data=form)
        assert r.status_code == 303 and r.headers["location"].endswith("?saved=sent")
    assert sent_row(server, letter_id)[0] == sent_row(server, old)[0] == "sent"


# --- inside the write: a version saved between the check and the mark --------------------------

@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "send.db")
    migrate(database)
    yield database
    database.close()


def test_a_version_saved_while_the_mark_is_made_is_never_marked_unread(db, tmp_path, monkeypatch):
    """The version is checked when the mark starts and again inside the write (the letter's
    state, its latest version with it): a save landing in between makes the mark start again,
    and then refuse."""
    ann = add_user(db, "ann", "staff", "north")[0]
    bob = add_user(db, "bob", "manager")[0]
    letter_id = service.submit(db, ann, TEXT, CONTEXT, team="north")["id"]
    real = store.record_sent
    calls = []

    def saved_meanwhile(*args, **kwargs):
        if not calls:  # the other person's save, on its own connection, just before the write
            other = open_db(tmp_path / "send.db")
            try:
                service.submit(other, bob, CHANGED, letter_id=letter_id, base_version=1)
            finally:
                other.close()
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "record_sent", saved_meanwhile)
    with pytest.raises(service.SendOutdated) as refused:
        service.mark_sent(db, ann, letter_id, base_version=1)
    assert refused.value.field == "base_version" and (refused.value.base, refused.value.latest) == (1, 2)
    assert len(calls) == 1  # the write found the letter moved (Stale); the retry refused it
    row = store.letter_row(db, letter_id)
    assert (row["status"], row["sent_by"], row["latest_version"]) == ("draft", None, 2)
    monkeypatch.setattr(store, "record_sent", real)
    service.mark_sent(db, ann, letter_id, base_version=2)
    assert store.letter_row(db, letter_id)["status"] == "sent"
