"""Every validation error at once, in the one error shape (real uvicorn, real SQLite file)."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from vcl_qa.engine.letter import CONTEXT_FIELDS

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"
ALLOWED = ", ".join(CONTEXT_FIELDS)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("errors") / "vcl_qa.db").start()
    srv.token = make_user(srv.db, "north-staff", "staff", "north")
    yield srv
    srv.stop()


def post(server, path, body):
    return httpx.post(f"{server.url}/api/v1{path}", json=body, headers=auth(server.token), timeout=30)


def letters_stored(server) -> int:
    r = httpx.get(f"{server.url}/api/v1/letters", headers=auth(server.token), timeout=30)
    return r.json()["count"]


def test_a_letter_with_three_wrong_fields_gets_three_details(server):
    context = {"decison": "discontinued", "victim_category": "vulnerable", "decision_date": "2024-02-30"}
    r = post(server, "/letters", {"text": TEXT, "context": context})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid"
    assert err["details"] == [
        {"field": "context.decison", "message": f"unknown field (allowed: {ALLOWED})"},
        {"field": "context.victim_category", "message": "'vulnerable' is not one of 'enhanced' or 'standard'"},
        {"field": "context.decision_date", "message": "'2024-02-30' is not a real date (use YYYY-MM-DD)"},
    ]
    assert err["message"] == ("3 problems: context.decison, context.victim_category, context.decision_date "
                              "(see details)")
    assert letters_stored(server) == 0


def test_one_wrong_field_keeps_the_short_message(server):
    r = post(server, "/letters", {"text": TEXT, "context": {"decision": "dropped"}})
    assert r.status_code == 422
    err = r.json()["error"]
    assert len(err["details"]) == 1 and err["details"][0]["field"] == "context.decision"
    assert err["message"].startswith("context.decision: 'dropped' is not one of")


def test_body_fields_and_context_fields_are_named_together(server):
    r = post(server, "/letters", {"txt": TEXT, "context": {"bereaved": "maybe", "offence": "arson"}})
    assert r.status_code == 422
    fields = [d["field"] for d in r.json()["error"]["details"]]
    assert fields == ["text", "txt", "context.bereaved", "context.offence"]
    messages = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert messages["text"] == "is required" and messages["txt"] == "unknown field"
    assert messages["context.bereaved"] == "'maybe' is not true or false"


def test_query_strings_name_every_wrong_parameter(server):
    r = httpx.get(f"{server.url}/api/v1/letters", params={"verdict": "awful", "limit": 0, "offset": "x"},
                  headers=auth(server.token), timeout=30)
    assert r.status_code == 422
    assert sorted(d["field"] for d in r.json()["error"]["details"]) == [
        "query.limit", "query.offset", "query.verdict"]
    assert r.json()["error"]["message"].startswith("3 problems: ")
