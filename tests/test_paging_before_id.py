"""The API's newest-first lists page by the last id of the page before (`before_id`), as GET
/letters and GET /audit do: GET /set-aside (marks) and GET /decisions/unlinked-letters
(letters) paged only by offset, so a mark made, or a letter saved, between two pages moved
every later row along one and the next page repeated one. Real uvicorn, real SQLite file."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}
TEXT = ("Dear Ms Okafor\n\nI am writing to tell you that we have decided to stop the case against "
        "Mr Smith. The indictment was considered.\n\nYours sincerely\nA Prosecutor\n")
REASON = "quoted from the court order itself"


@pytest.fixture
def api(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    staff = make_user(db_path, "sam", "staff", "north")
    live = LiveServer(db_path).start()
    try:
        with httpx.Client(base_url=f"{live.url}/api/v1", headers=auth(staff), timeout=60) as client:
            yield client
    finally:
        live.stop()


def _letter(api, n: int) -> int:
    r = api.post("/letters", json={"text": TEXT, "context": {**CONTEXT, "urn": f"42AB{n:07d}"}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _mark(api, letter_id: int) -> int:
    r = api.post(f"/letters/{letter_id}/suppressions",
                 json={"rule": "readability.jargon", "term": "indictment", "reason": REASON})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def _pages(api, path: str, between, **params) -> list[int]:
    """Every id the list gives, two a page, each page after the last id of the one before;
    `between()` run after the first page."""
    got, before = [], None
    for _ in range(20):  # (a list that ignored before_id would give its first page for ever)
        page = api.get(path, params={**params, "limit": 2, **({"before_id": before} if before else {})})
        assert page.status_code == 200, page.text
        ids = [row["id"] for row in page.json()["data"]]
        got += ids
        if not got[2:] and len(got) == 2:
            between()
        if len(ids) < 2:
            return got
        before = ids[-1]
    return got


def test_set_aside_pages_by_the_last_mark_seen(api):
    letters = [_letter(api, n) for n in range(6)]
    marks = [_mark(api, letter) for letter in letters[:5]]
    got = _pages(api, "/set-aside", lambda: _mark(api, letters[5]), severity="warning")
    assert got == sorted(marks, reverse=True)  # each once: none repeated, none skipped


def test_unlinked_letters_page_by_the_last_letter_seen(api):
    letters = [_letter(api, n) for n in range(5)]
    got = _pages(api, "/decisions/unlinked-letters", lambda: _letter(api, 9))
    assert got == sorted(letters, reverse=True)
