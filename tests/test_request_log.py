"""The request log: one JSON line per request, naming the route template and the user's id,
and never letter text, names, case references, search words, tokens or cookies."""
from __future__ import annotations

import json
import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user

NAME, SURNAME, URN = "Ms Zinnia Pocklington", "Pocklington", "77XY4455126"
TEXT = (f"Private - to be opened by addressee only\n\nDear Ms {SURNAME}\n\nWe have decided to stop "
        "the case about the stolen harmonium at 14 Larkspur Crescent.\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2025-03-03", "victim_category": "standard",
           "victim_name": NAME, "urn": URN}
KEYS = {"time", "method", "route", "status", "ms", "user_id"}


@pytest.fixture
def logged(tmp_path):
    db, log = tmp_path / "log.db", tmp_path / "server.log"
    staff = make_user(db, "Writer One", "staff", "north")
    server = LiveServer(db, log=log).start()
    yield server, staff, log
    server.stop()


def log_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_one_line_per_request_with_no_personal_data(logged):
    server, staff, log = logged
    api = f"{server.url}/api/v1"
    sent = 0
    with httpx.Client(timeout=30) as http:
        r = http.post(f"{api}/letters", json={"text": TEXT, "context": CONTEXT, "team": "north"},
                      headers=auth(staff))
        assert r.status_code == 201
        letter_id = r.json()["id"]
        calls = [
            ("GET", f"{api}/letters?q={SURNAME}&team=north", None, auth(staff)),
            ("GET", f"{api}/letters/{letter_id}", None, auth(staff)),
            ("POST", f"{api}/check", {"text": TEXT, "context": CONTEXT}, auth(staff)),
            ("POST", f"{api}/letters", {"text": TEXT, "context": {**CONTEXT, "offence": SURNAME}}, auth(staff)),
            ("GET", f"{api}/letters", None, auth("not-a-token-" + SURNAME)),
            ("GET", f"{server.url}/letters/{SURNAME}", None, {}),
            ("GET", f"{server.url}/{SURNAME}/{URN}", None, {}),
        ]
        sent = 1
        for method, url, body, headers in calls:
            http.request(method, url, json=body, headers=headers)
            sent += 1
        # The pages: sign in with the token through the form, then search by name.
        page = http.get(f"{server.url}/sign-in")
        pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
        signed = http.post(f"{server.url}/sign-in", data={"pre_token": pre, "token": staff, "next": ""})
        assert signed.status_code == 303
        session = signed.cookies.get("vclqa_session")
        assert http.get(f"{server.url}/letters?q={SURNAME}").status_code == 200
        sent += 3
    server.stop()  # everything written out

    lines = [line for line in log_lines(log) if line["route"] != "/api/v1/health"]  # start-up polls
    assert len(lines) == sent
    assert all(set(line) == KEYS for line in lines)
    text = log.read_text()
    secrets = [SURNAME, SURNAME.lower(), "Zinnia", URN, "harmonium", "Larkspur", staff, session,
               "q=", "?"]
    assert [s for s in secrets if s in text] == []
    routes = [(line["method"], line["route"], line["status"]) for line in lines]
    assert ("POST", "/api/v1/letters", 201) in routes
    assert ("GET", "/api/v1/letters/{letter_id}", 200) in routes
    assert ("GET", "/api/v1/letters", 401) in routes
    assert ("GET", "(no route)", 404) in routes
    assert ("GET", "/letters", 200) in routes
    # The signed-in user's id (API token or page session), and none for the unknown token.
    ids = {(line["method"], line["route"], line["status"]): line["user_id"] for line in lines}
    assert ids[("POST", "/api/v1/letters", 201)] == ids[("GET", "/letters", 200)] == 1
    assert ids[("GET", "/api/v1/letters", 401)] is None
    assert all(isinstance(line["ms"], float) and line["ms"] >= 0 for line in lines)
