"""With one problem, a 422's message is "FIELD: " and the detail's message, word for word
(docs/api.md, Errors), whichever check found it (real uvicorn, real SQLite file).

An integrator's review: `team` inside `context` was "context.team: the team is not one of the
letter's details: put "team" at the top of the body ..." over a detail "goes at the top of the
body, not inside context", and a bad Idempotency-Key "Idempotency-Key: use 1 to 200 printable
characters with no spaces (a UUID is usual)" over field header.Idempotency-Key and "1 to 200
printable characters, no spaces".
"""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("one_problem") / "vcl_qa.db").start()
    srv.tokens = {"staff": make_user(srv.db, "north-staff", "staff", "north"),
                  "manager": make_user(srv.db, "a-manager", "manager")}
    yield srv
    srv.stop()


CASES = [
    # the routes' own refusals
    ("staff", "POST", "/letters", {"text": TEXT, "context": {"team": "north"}}, {}, "context.team",
     "the team is not one of the letter's details: put \"team\" at the top of the body, beside \"text\" and "
     "\"context\" (staff can leave it out: their own team is used)"),
    ("staff", "POST", "/letters", {"text": TEXT}, {"Idempotency-Key": "two words"}, "header.Idempotency-Key",
     "use 1 to 200 printable characters with no spaces (a UUID is usual)"),
    ("manager", "POST", "/letters", {"text": TEXT}, {}, "team", "managers must say which team the letter is for"),
    ("manager", "POST", "/letters", {"text": TEXT, "team": "Nroth"}, {}, "team", None),
    # the field checks', the library's, a range's and a path's
    ("staff", "POST", "/letters", {"text": 1}, {}, "text", "must be text in double quotes, not a number"),
    ("staff", "POST", "/check", {"text": TEXT, "context": {"decision": "dropped"}}, {}, "context.decision", None),
    ("staff", "GET", "/letters?date_from=2025-01-02&date_to=2025-01-01", None, {}, "query.date_to", None),
    ("staff", "GET", "/letters/01", None, {}, "path.letter_id", None),
]


@pytest.mark.parametrize("role, method, path, body, headers, field, message", CASES)
def test_one_problem_is_said_the_same_at_the_top_and_in_its_detail(server, role, method, path, body, headers,
                                                                   field, message):
    r = httpx.request(method, f"{server.url}/api/v1{path}", json=body, timeout=30,
                      headers={**auth(server.tokens[role]), **headers})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert [d["field"] for d in error["details"]] == [field]
    said = error["details"][0]["message"]
    assert error["message"] == f"{field}: {said}"
    if message is not None:
        assert said == message
