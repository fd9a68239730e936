"""Times and days in the API's messages are the UK's, as the pages show them (review 11a, finding
11): a stored timestamp is UTC, so 23:30 UTC on 1 July is 00:30 on Thursday 2 July in the UK.
Before, the 409 "newer version" message said "at 23:30 on Wednesday 1 July 2026", and the
duplicate "not a problem" mark, the "already restored" and the "purged" messages gave the UTC day.
Against the real server and SQLite file (tests/live_server.py)."""
from __future__ import annotations

import sqlite3

import pytest

from vcl_qa import clock

from live_server import SAMPLES, api_client, users_server

SAMPLE = SAMPLES / "14_flawed_late_no_apology.txt"
LATE_EVENING_UTC = "2026-07-01T23:30:00+00:00"  # 00:30 on Thursday 2 July 2026, UK summer time


def sample_body() -> dict:
    from vcl_qa import Letter

    letter = Letter.from_file(SAMPLE)
    return {"text": letter.text, "context": letter.context.model_dump(mode="json", exclude_none=True)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "uktimes", {"mo": ("Mo Manager", "manager"),
                                                          "sam": ("Sam Staff", "staff", "north")})
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with api_client(server, "mo") as client:
        yield client


def set_column(server, sql: str, params: list) -> None:
    with sqlite3.connect(server.db) as db:
        assert db.execute(sql, params).rowcount == 1


def new_letter(api) -> int:
    r = api.post("/letters", json={**sample_body(), "team": "north"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_helpers_give_the_uk_clock():
    assert clock.uk_when(LATE_EVENING_UTC) == "Thursday 2 July 2026, 00:30"
    assert clock.uk_when("2026-12-01T23:30:00+00:00") == "Tuesday 1 December 2026, 23:30"  # GMT
    assert clock.uk_long_date("2026-07-01T23:30:00") == "Thursday 2 July 2026"  # no zone: UTC


def test_newer_version_message_gives_uk_time(api, server):
    letter_id = new_letter(api)
    body = sample_body()
    assert api.post("/letters", json={"letter_id": letter_id, "base_version": 1,
                                      "text": body["text"] + "\nA second version.\n"}).status_code == 201
    set_column(server, "UPDATE versions SET created_at = ? WHERE letter_id = ? AND version = 2",
               [LATE_EVENING_UTC, letter_id])
    stale = api.post("/letters", json={"letter_id": letter_id, "base_version": 1, "text": body["text"] + "\nMine.\n"})
    assert stale.status_code == 409
    message = stale.json()["error"]["message"]
    assert "(saved by Mo Manager on Thursday 2 July 2026, 00:30, UK time)" in message
    assert "23:30" not in message and "1 July" not in message


def test_duplicate_not_a_problem_message_gives_the_uk_day(api, server):
    letter_id = new_letter(api)
    finding = next(f for f in api.get(f"/letters/{letter_id}").json()["result"]["findings"]
                   if f["rule"] == "empathy.delay_apology")
    mark = {"rule": finding["rule"], "reason": "the apology is in the covering note sent with it"}
    first = api.post(f"/letters/{letter_id}/suppressions", json=mark)
    assert first.status_code == 201, first.text
    set_column(server, "UPDATE suppressions SET created_at = ? WHERE id = ?", [LATE_EVENING_UTC, first.json()["id"]])
    again = api.post(f"/letters/{letter_id}/suppressions", json={**mark, "reason": "said again by someone else"})
    assert again.status_code == 409
    message = again.json()["error"]["message"]
    assert "(by Mo Manager on Thursday 2 July 2026:" in message and "1 July" not in message
    # restored twice: the first restore's time, UK
    assert api.delete(f"/letters/{letter_id}/suppressions/{first.json()['id']}").status_code == 200
    set_column(server, "UPDATE suppressions SET revoked_at = ? WHERE id = ?", [LATE_EVENING_UTC, first.json()["id"]])
    twice = api.delete(f"/letters/{letter_id}/suppressions/{first.json()['id']}")
    assert twice.status_code == 409
    assert "was already restored on Thursday 2 July 2026, 00:30, UK time" in twice.json()["error"]["message"]


def test_purged_message_gives_the_uk_day(api, server):
    letter_id = new_letter(api)
    set_column(server, "UPDATE letters SET purged_at = ? WHERE id = ?", [LATE_EVENING_UTC, letter_id])
    r = api.post(f"/letters/{letter_id}/sent")
    assert r.status_code == 409
    assert f"letter {letter_id} was purged on Thursday 2 July 2026 (its text" in r.json()["error"]["message"]
