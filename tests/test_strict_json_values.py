"""Review 11b, findings 1 and 9: a JSON id, count or date is read as sent, never guessed at.

`"letter_id": true` added a version to letter 1 (another victim's letter); "43" and 43.0 were
read as 43, `"expires_days": true` as 1; a date and time, or a number, was read as a date; list
filters took years 1 and 9999. Each is now a 422 naming the field, and nothing is stored.
Against the real server, with its own SQLite file.
"""
from __future__ import annotations

import json

import httpx
import pytest
from fastapi.routing import APIRoute

from live_server import LiveServer, auth, make_user

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
WRONG_IDS = [(True, "must be a whole number, not true or false"),
             ("1", "'1' is text, not a whole number: send the number without quotes"),
             (1.0, "1.0 is not a whole number: send it without a decimal point (1)"),
             # a review: 1e300 was answered with its 301 digits written out
             (1e300, "'1e+300' is not a whole number")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("strict") / "vcl_qa.db").start()
    srv.tokens = {"staff": make_user(srv.db, "north-staff", "staff", "north"),
                  "manager": make_user(srv.db, "manager", "manager"),
                  "admin": make_user(srv.db, "admin", "admin")}
    first = call(srv, "staff", "POST", "/letters", json={"text": TEXT, "context": CONTEXT})
    assert first.status_code == 201, first.text
    assert first.json()["id"] == 1  # the letter a `true` would have reached
    yield srv
    srv.stop()


def call(server, role, method, path, **kw) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/v1{path}", headers=auth(server.tokens[role]),
                         timeout=60, **kw)


def refused(r: httpx.Response, field: str) -> str:
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == field, r.text
    return detail["message"]


def versions_of_letter_1(server) -> int:
    return call(server, "staff", "GET", "/letters/1").json()["latest_version"]


@pytest.mark.parametrize("value, message", WRONG_IDS)
def test_letter_id_that_is_not_a_json_number_is_refused(server, value, message):
    for role in ("staff", "manager"):
        r = call(server, role, "POST", "/letters", json={"letter_id": value, "text": TEXT.replace("Okafor", "Nowak"),
                                                         "context": {"victim_name": "Mr Tomasz Nowak"}})
        assert refused(r, "letter_id") == message
        assert r.json()["error"]["message"] == f"letter_id: {message}"
    assert versions_of_letter_1(server) == 1


@pytest.mark.parametrize("value, message", WRONG_IDS)
def test_base_version_that_is_not_a_json_number_is_refused(server, value, message):
    r = call(server, "staff", "POST", "/letters", json={"letter_id": 1, "base_version": value, "text": TEXT})
    assert refused(r, "base_version") == message
    assert versions_of_letter_1(server) == 1


def test_a_json_number_id_still_adds_a_version(server):
    r = call(server, "staff", "POST", "/letters", json={"letter_id": 1, "base_version": 1, "text": TEXT + "\n"})
    assert r.status_code == 201, r.text
    assert (r.json()["id"], r.json()["version"]) == (1, 2)


@pytest.mark.parametrize("value, message", [*WRONG_IDS, ("30", "'30' is text, not a whole number: send "
                                                                "the number without quotes")])
def test_expires_days_that_is_not_a_json_number_is_refused(server, value, message):
    r = call(server, "admin", "POST", "/users", json={"name": f"tia-{value!r}", "role": "staff", "team": "north",
                                                      "expires_days": value})
    assert refused(r, "expires_days") == message
    users = call(server, "admin", "GET", "/users").json()["data"]
    assert not [u for u in users if u["name"].startswith("tia-")]  # nobody was added
    north = next(u for u in users if u["name"] == "north-staff")
    r = call(server, "admin", "POST", f"/users/{north['id']}/token", json={"expires_days": value})
    assert refused(r, "expires_days") == message


def test_panel_and_training_ids_and_seeds_are_json_numbers(server):
    r = call(server, "manager", "POST", "/panel/periods/2025Q1/items", json={"letter_id": True, "reason": "by hand"})
    assert refused(r, "letter_id") == "must be a whole number, not true or false"
    r = call(server, "manager", "POST", "/panel/periods/2025Q1/draw", json={"seed": True})
    assert refused(r, "seed") == "must be a whole number (0 or more) or text, not true or false"
    r = call(server, "manager", "POST", "/panel/periods/2025Q1/draw", json={"seed": 4.0})
    assert refused(r, "seed") == "must be a whole number (0 or more) or text, not a number with a decimal point"
    r = call(server, "manager", "PUT", "/panel/policy", json={"seed": False})
    assert refused(r, "seed") == "must be a whole number (0 or more) or text, not true or false"
    r = call(server, "manager", "POST", "/training/exercises/preview", json={"letter_id": True})
    assert refused(r, "letter_id") == "must be a whole number, not true or false"


@pytest.mark.parametrize("value, message", [
    (1734566400, "1734566400 is a number, not a date: send the date as text, YYYY-MM-DD"),
    ("2024-12-19T00:00:00", "'2024-12-19T00:00:00' is a date and time: give the day alone, YYYY-MM-DD"),
])
def test_a_letters_dates_are_text_days(server, value, message):
    for path in ("/letters", "/check"):
        r = call(server, "staff", "POST", path, json={"text": TEXT, "context": {**CONTEXT, "decision_date": value}})
        assert refused(r, "context.decision_date") == message
    r = call(server, "staff", "POST", "/decisions", json={"urn": "42AB1234524", "decision": "discontinued",
                                                          "decision_date": value, "victim_category": "enhanced"})
    assert refused(r, "decision_date") == message
    assert call(server, "staff", "GET", "/decisions").json()["count"] == 0


def test_a_sent_date_is_a_day_within_the_years_taken(server):
    letter = call(server, "staff", "POST", "/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    r = call(server, "staff", "POST", f"/letters/{letter}/sent", json={"sent_date": "2024-12-20T00:00:00"})
    assert refused(r, "sent_date") == "'2024-12-20T00:00:00' is a date and time: give the day alone, YYYY-MM-DD"
    r = call(server, "staff", "POST", f"/letters/{letter}/sent", json={"sent_date": "0001-01-01"})
    message = refused(r, "sent_date")
    assert message == "'0001-01-01' is not between 2000-01-01 and 2099-12-31; check the year"
    assert call(server, "staff", "GET", f"/letters/{letter}").json()["status"] == "draft"
    r = call(server, "staff", "POST", f"/letters/{letter}/sent", json={"sent_date": "2024-12-20", **SAID_WHY})
    assert r.status_code == 200 and r.json()["sent_date"] == "2024-12-20"


@pytest.mark.parametrize("path, name", [("/letters", "date_from"), ("/letters", "date_to"),
                                        ("/decisions", "decided_from"), ("/decisions", "decided_to")])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_list_filters_take_the_years_other_dates_take(server, path, name, day):
    r = call(server, "manager", "GET", path, params={name: day})
    assert refused(r, f"query.{name}") == f"'{day}' is not between 2000-01-01 and 2099-12-31; check the year"
    within = call(server, "manager", "GET", path, params={name: "2024-12-20"})
    assert within.status_code == 200, within.text


def test_a_letter_escaped_past_the_body_limit_is_told_how_to_fit(server):
    """A 180 KB letter (within the 200 KB text limit) whose JSON writes each accent as \\u00e9 is
    527 KB; the 413 says how to send it so that it fits: as UTF-8, not escaped."""
    text = "Dear Ms Okafor\n\n" + "é" * 90_000
    escaped = json.dumps({"text": text, "context": {"victim_category": "surely"}})
    assert len(escaped) > 512 * 1024
    r = httpx.post(f"{server.url}/api/v1/letters", content=escaped.encode(), timeout=60,
                   headers={**auth(server.tokens["staff"]), "Content-Type": "application/json"})
    assert r.status_code == 413
    message = r.json()["error"]["message"]
    assert message.startswith(f"the request body is over 512 KB (it is {-(-len(escaped) // 1024)} KB). "
                              "A letter's text may be up to 200 KB")
    assert "not as \\u escapes" in message and "ensure_ascii=False" in message
    plain = json.dumps({"text": text, "context": {"victim_category": "surely"}}, ensure_ascii=False).encode()
    assert len(plain) < 512 * 1024
    r = httpx.post(f"{server.url}/api/v1/letters", content=plain, timeout=60,
                   headers={**auth(server.tokens["staff"]), "Content-Type": "application/json"})
    # Through the size limit: refused only for the detail made wrong on purpose (nothing is scored).
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "context.victim_category"


def _loose_numbers(schema, path=()):
    """Where a pydantic core schema holds an int or bool that is not strict."""
    if isinstance(schema, dict):
        if schema.get("type") in ("int", "bool") and not schema.get("strict"):
            yield "/".join(map(str, path))
        for key, value in schema.items():
            yield from _loose_numbers(value, (*path, key))
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _loose_numbers(value, (*path, i))


def test_every_json_request_model_reads_whole_numbers_strictly():
    """No request body model takes `true` for 1 or "43" for 43: every int (and bool) is strict."""
    from api.main import ROUTERS

    loose = {}
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or route.body_field is None:
                continue
            annotation = route.body_field.field_info.annotation
            models = [a for a in getattr(annotation, "__args__", (annotation,)) if hasattr(a, "__pydantic_core_schema__")]
            for model in models:
                found = list(_loose_numbers(model.__pydantic_core_schema__))
                if found:
                    loose[f"{route.path} {model.__name__}"] = found
    assert not loose
