"""Every validation error at once, in the one error shape (real uvicorn, real SQLite file)."""
from __future__ import annotations

import time
import tracemalloc

import httpx
import pytest

from api import json_body
from hostile_files import deep_repeated_keys_json
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
    assert messages["context.bereaved"] == "'maybe' is text, not true or false: send true or false, without quotes"


def test_query_strings_name_every_wrong_parameter(server):
    r = httpx.get(f"{server.url}/api/v1/letters", params={"verdict": "awful", "limit": 0, "offset": "x"},
                  headers=auth(server.token), timeout=30)
    assert r.status_code == 422
    assert sorted(d["field"] for d in r.json()["error"]["details"]) == [
        "query.limit", "query.offset", "query.verdict"]
    assert r.json()["error"]["message"].startswith("3 problems: ")


@pytest.mark.parametrize("raw, kind", [("[1,2,3]", "a list"), ('"hello"', "text"), ("123", "a number"),
                                       ("null", "null"), ("true", "true or false")])
def test_a_body_that_is_not_an_object_is_named_in_plain_words(server, raw, kind):
    """Report item 15: `[1,2,3]` got pydantic's 'Input should be a valid dictionary or object to
    extract fields from', with field null."""
    r = httpx.post(f"{server.url}/api/v1/check", content=raw.encode(), timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 422
    err = r.json()["error"]
    message = f'must be a JSON object ({{"name": value, ...}}), not {kind}'
    assert err["details"] == [{"field": "body", "message": message}]
    assert err["message"] == f"body: {message}"


@pytest.mark.parametrize("body, field, message", [
    ({"text": 123}, "text", "must be text in double quotes, not a number"),
    ({"text": ["Dear"]}, "text", "must be text in double quotes, not a list"),
    ({"text": TEXT, "context": [1]}, "context", 'must be a JSON object ({"name": value, ...}), not a list'),
    ({"text": TEXT, "context": "discontinued"}, "context", 'must be a JSON object ({"name": value, ...}), not text'),
])
def test_a_field_of_the_wrong_json_type_says_what_it_must_be(server, body, field, message):
    r = post(server, "/check", body)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": field, "message": message}]
    assert "Input should" not in r.text


def test_an_empty_body_is_named(server):
    r = httpx.post(f"{server.url}/api/v1/check", content=b"", timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "body", "message": "is empty: send a JSON object"}]


@pytest.mark.parametrize("raw", ["[" * 100_000, '{"text": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_json_nested_too_deeply_says_so(server, raw):
    """Report item 15: 'There was an error parsing the body' said nothing about what was wrong."""
    r = httpx.post(f"{server.url}/api/v1/check", content=raw.encode(), timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "malformed_json", "details": [], "message":
                                  "the request body could not be read: its lists or objects are nested"
                                  " inside one another too deeply (over about 1,000 levels)"}}


def test_a_body_that_is_not_utf8_says_so(server):
    r = httpx.post(f"{server.url}/api/v1/check", content=b'{"text": "caf\xe9"}', timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 400
    # where: the byte (from 1), and its line and column (an integrator's review)
    assert r.json()["error"]["message"] == (
        "the request body is not valid JSON: it is not UTF-8 text: byte 14 (0xE9; line 1, column 14) is not "
        "UTF-8 (a character written in Latin-1 or Windows-1252?): send the body as UTF-8")


def test_a_body_in_utf16_is_read_as_json_readers_read_it(server):
    """JSON readers recognise UTF-16 and UTF-32 by the body's first bytes, and so does the API
    (docs/api.md, as it now says: it said any body not in UTF-8 was refused)."""
    body = '{"text": "Dear Ms Okafor\\n\\nWe have decided to stop the case against Mr Lane.\\n"}'
    for encoding in ("utf-16", "utf-16-le", "utf-32"):
        r = httpx.post(f"{server.url}/api/v1/check", content=body.encode(encoding), timeout=30,
                       headers={**auth(server.token), "Content-Type": "application/json"})
        assert r.status_code == 200, (encoding, r.text)
        assert r.json()["metrics"]["words"] > 5


# Review 6: errors that named the wrong field.
def test_team_put_inside_context_is_named_where_it_is_and_where_it_goes(server):
    before = letters_stored(server)
    r = post(server, "/letters", {"text": TEXT, "context": {"team": "north"}})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"][0]["field"] == "context.team"
    assert "top of the body" in err["message"]
    assert letters_stored(server) == before


def test_dates_out_of_order_are_named_at_the_letter_date(server):
    r = post(server, "/letters", {"text": TEXT, "context": {"decision_date": "2024-12-19", "letter_date": "2024-12-18"}})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "context.letter_date",
                                             "message": "decision_date 2024-12-19 is after letter_date 2024-12-18"}]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_a_body_that_is_not_json_says_so_once(server, content_type):
    r = httpx.post(f"{server.url}/api/v1/letters", content=b"text=hello", timeout=30,
                   headers={**auth(server.token), "content-type": content_type})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "not JSON" in message and "not not" not in message and "application/json" in message


# Review 9: "bereaved": "yes" was taken as true. The yes-or-no details are JSON booleans.
@pytest.mark.parametrize("path", ["/letters", "/check"])
@pytest.mark.parametrize("field, value, message", [
    ("bereaved", "yes", "'yes' is text, not true or false: send true or false, without quotes"),
    ("bereaved", "false", "'false' is text, not true or false: send true or false, without quotes"),
    ("bereaved", 1, "1 is a number, not true or false: send true or false, without quotes"),
    ("withdrawal", "no", "'no' is text, not true or false: send true or false without quotes, or \"unknown\""),
])
def test_a_yes_or_no_detail_given_as_text_is_refused(server, path, field, value, message):
    before = letters_stored(server)
    r = post(server, path, {"text": TEXT, "context": {field: value}})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": f"context.{field}", "message": message}]
    assert r.json()["error"]["message"] == f"context.{field}: {message}"
    assert letters_stored(server) == before


@pytest.mark.parametrize("context", [{"bereaved": True}, {"bereaved": False}, {"bereaved": None},
                                     {"withdrawal": True}, {"withdrawal": "unknown"}, {"withdrawal": None}])
def test_yes_or_no_details_as_json_booleans_are_taken(server, context):
    assert post(server, "/check", {"text": TEXT, "context": context}).status_code == 200


def test_a_text_yes_is_named_with_every_other_wrong_field(server):
    r = post(server, "/letters", {"text": TEXT, "context": {"decision": "dropped", "bereaved": "yes"}})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["context.decision", "context.bereaved"]
    # and beside a wrong field of the body itself
    r = post(server, "/letters", {"txt": TEXT, "context": {"bereaved": "yes"}})
    assert [d["field"] for d in r.json()["error"]["details"]] == ["text", "txt", "context.bereaved"]
    assert "without quotes" in r.json()["error"]["details"][2]["message"]


# Review 9: a malformed rule id got pydantic's "String should match pattern '^[a-z_]+\\.[a-z_]+$'".
def stored_letter(server) -> int:
    r = post(server, "/letters", {"text": TEXT, "context": {"decision": "discontinued"}})
    assert r.status_code == 201
    return r.json()["id"]


@pytest.mark.parametrize("rule", ["NOT A RULE!", "readability.no_such_rule", "jargon"])
def test_a_malformed_rule_id_gets_the_same_plain_message_as_an_unknown_one(server, rule):
    letter = stored_letter(server)
    r = post(server, f"/letters/{letter}/suppressions", {"rule": rule, "reason": "quoted from the court order"})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {"field": "rule", "message": "there is no such rule; use a rule id such as readability.jargon"}]


@pytest.mark.parametrize("method, path, body, field, message", [
    ("post", "/letters/{letter}/suppressions", {"rule": "readability.jargon", "reason": ""},
     "reason", "must not be empty"),
    ("post", "/letters/{letter}/suppressions", {"rule": "readability.jargon", "reason": "why " * 501},
     "reason", "is 2,004 characters long; the limit is 2,000"),
    ("get", "/letters?q=" + "x" * 501, None, "query.q", "is 501 characters long; the limit is 500"),
    ("get", "/training/exercises/NOPE!", None, "path.exercise_id",
     "'NOPE!' is not an exercise id (such as khan-brother or panel-3)"),
    ("get", "/reports/timeliness?month_from=2025-13", None, "query.month_from",
     "'2025-13' is not a month (use YYYY-MM, such as 2025-01)"),
])
def test_length_and_form_limits_are_said_in_plain_words(server, method, path, body, field, message):
    url = f"{server.url}/api/v1" + path.format(letter=stored_letter(server))
    r = httpx.request(method, url, json=body, headers=auth(server.token), timeout=30)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": field, "message": message}]
    assert "should" not in r.text


def test_every_pattern_in_the_api_has_plain_words(server):
    """pydantic's message for a pattern quotes the regular expression; each one the OpenAPI
    document lists says in words what is wanted."""
    from api.errors import PATTERN_WORDS

    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert found and found <= set(PATTERN_WORDS), found - set(PATTERN_WORDS)


def test_a_request_with_thousands_of_problems_gets_a_small_answer(server):
    """Review 10b, finding 13: 30,000 unknown context fields (a 488 KB request) got a 6 MB answer."""
    import json

    raw = json.dumps({"text": TEXT, "context": {f"k{i}": i for i in range(30_000)}})
    r = httpx.post(f"{server.url}/api/v1/letters", content=raw, timeout=60,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert len(r.content) < 20_000, len(r.content)
    err = r.json()["error"]
    assert err["code"] == "invalid"
    assert err["message"].startswith("30,000 problems: context.k0, context.k1, context.k2")
    assert err["message"].endswith("context.k49 and 29,950 more (the first 50 are in details)")
    assert [d["field"] for d in err["details"]] == [f"context.k{i}" for i in range(50)]
    assert err["details"][0]["message"] == f"unknown field (allowed: {ALLOWED})"


def test_a_huge_field_name_is_not_echoed_whole(server):
    r = post(server, "/letters", {"text": TEXT, "context": {"k" * 300_000: 1}})
    assert r.status_code == 422
    assert len(r.content) < 2_000, len(r.content)
    (detail,) = r.json()["error"]["details"]
    assert detail["field"].startswith("context.kkkk") and detail["field"].endswith("...")
    assert detail["message"].startswith("unknown field")


def test_a_wrong_value_and_a_backwards_range_are_named_in_one_answer(server):
    """Found in an integrator's review: with a wrong `verdict` the answer named only that, and the
    range that ended before it started came back on the next try."""
    for path, params, wrong in (
            ("/letters", {"verdict": "x", "date_from": "2025-02-01", "date_to": "2025-01-01"}, "query.verdict"),
            ("/decisions", {"status": "x", "decided_from": "2025-02-01", "decided_to": "2025-01-01"}, "query.status")):
        r = httpx.get(f"{server.url}/api/v1{path}", params=params, headers=auth(server.token), timeout=30)
        assert r.status_code == 422, r.text
        fields = [d["field"] for d in r.json()["error"]["details"]]
        assert wrong in fields and any(f.endswith("_to") for f in fields), fields
        ranged = next(d for d in r.json()["error"]["details"] if d["field"].endswith("_to"))
        assert ranged["message"].startswith("'2025-01-01' is before query.")
    # a range alone is still the route's own 422, worded the same
    r = httpx.get(f"{server.url}/api/v1/letters", params={"date_from": "2025-02-01", "date_to": "2025-01-01"},
                  headers=auth(server.token), timeout=30)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"field": "query.date_to", "message": "'2025-01-01' is before query.date_from '2025-02-01': date_to must be "
                                              "the same as date_from or later"}]


def test_half_a_surrogate_pair_is_named_where_it_is(server):
    """Found in an integrator's review: "\\ud800" in the text gave a 422 naming no field, and in
    another field pydantic's own words ("unable to parse raw data as a unicode string")."""
    text = b'{"text": "Dear Ms Okafor,\\n\\nWe have decided \\ud800 to stop the case."}'
    r = httpx.post(f"{server.url}/api/v1/check", content=text, timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "text", "message": (
        "the text has a character that is not valid Unicode at character 34 (a lone UTF-16 surrogate: half of a "
        "pair); send the text as it is written")}]
    body = b'{"text": "Dear Ms Okafor,\\n\\nWe have decided to stop the case.", "context": {"victim_name": "Ms \\udc00"}}'
    r = httpx.post(f"{server.url}/api/v1/check", content=body, timeout=30,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "context.victim_name" and "not valid Unicode (a lone UTF-16 surrogate" in detail["message"]


# Review: JSON that json.loads reads wrongly, or not at all. One reading of every JSON body
# (api/json_body.py, api/errors.py StrictJson) names each place.
def post_raw(server, path, raw: str):
    return httpx.post(f"{server.url}/api/v1{path}", content=raw.encode(), timeout=30,
                      headers={**auth(server.token), "Content-Type": "application/json"})


def too_long(digits: int) -> str:
    return (f"is a number {digits:,} digits long, too long to read (the most is 4,300 digits); no field takes "
            "a number anywhere near that long")


TWICE = "is given twice in the same object: keep only the one you mean"
QUOTED_TEXT = '"Dear Ms Okafor\\n\\nWe have decided to stop the case.\\n"'
GOOD_DECISION = ('{"urn": "42AB1234524", "decision": "discontinued", "decision_date": "2024-12-19", '
                 '"victim_category": "enhanced"}')


@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
@pytest.mark.parametrize("path, raw, field", [
    ("/letters", '{"text": ' + QUOTED_TEXT + ', "letter_id": NUMBER}', "letter_id"),
    ("/check", '{"text": ' + QUOTED_TEXT + ', "context": {"urn": NUMBER}}', "context.urn"),
    ("/decisions", '{"urn": "42AB1234524", "decision": "discontinued", "decision_date": "2024-12-19", '
                   '"victim_category": "enhanced", "bereaved": NUMBER}', "bereaved"),
])
def test_a_number_too_long_to_read_is_named_where_it_is(server, path, raw, field, digits):
    """A whole number of more than 4,300 digits (Python's limit for turning digits into a number)
    was answered 400 malformed_json, "the request body could not be read as JSON", naming nothing,
    though the JSON is valid."""
    before = letters_stored(server)
    r = post_raw(server, path, raw.replace("NUMBER", "1" * digits))
    assert r.status_code == 422, r.text
    assert r.json() == {"error": {"code": "invalid", "message": f"{field}: {too_long(digits)}",
                                  "details": [{"field": field, "message": too_long(digits)}]}}
    assert letters_stored(server) == before


def test_a_number_of_4000_digits_is_still_refused_by_the_field_s_own_check(server):
    r = post_raw(server, "/letters", '{"text": ' + QUOTED_TEXT + ', "letter_id": ' + "1" * 4000 + "}")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "letter_id", "message": "must be 9223372036854775807 or less"}]
    r = post_raw(server, "/check", '{"text": ' + QUOTED_TEXT + ', "context": {"urn": ' + "1" * 4000 + "}}")
    assert r.status_code == 422 and [d["field"] for d in r.json()["error"]["details"]] == ["context.urn"]


def test_a_negative_number_too_long_deep_in_a_batch_is_named_by_its_path(server):
    good = GOOD_DECISION
    bad = good[:-1] + ', "bereaved": -' + "9" * 4400 + "}"
    r = post_raw(server, "/decisions", '{"decisions": [' + good + ", " + bad + "]}")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "decisions.1.bereaved", "message": too_long(4400)}]


def test_a_context_field_given_twice_is_refused_not_the_last_one_taken(server):
    """Review: "victim_category" given as standard, then as enhanced, was scored as enhanced (a due
    date of 1 working day), and nobody was told."""
    raw = ('{"text": ' + QUOTED_TEXT + ', "context": {"decision": "discontinued", "decision_date": "2024-12-19", '
           '"letter_date": "2024-12-23", "victim_category": "standard", "victim_category": "enhanced"}}')
    r = post_raw(server, "/check", raw)
    assert r.status_code == 422, r.text
    assert r.json() == {"error": {"code": "invalid", "message": f"context.victim_category: {TWICE}",
                                  "details": [{"field": "context.victim_category", "message": TWICE}]}}


def test_a_second_content_type_does_not_pass_a_repeated_key_by(server):
    """A review: the strict reading went by the last Content-Type header and the app by the
    first, so "application/json" then "text/plain" had the body read as JSON, unchecked."""
    raw = ('{"text": ' + QUOTED_TEXT + ', "context": {"victim_category": "standard", "victim_category": "enhanced"}}')
    headers = [*auth(server.token).items(), ("Content-Type", "application/json"), ("Content-Type", "text/plain")]
    r = httpx.post(f"{server.url}/api/v1/check", content=raw.encode(), headers=headers, timeout=30)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"] == [{"field": "context.victim_category", "message": TWICE}]


def test_the_text_given_twice_is_refused_and_nothing_stored(server):
    before = letters_stored(server)
    # the same key however it is written: "te\u0078t" is "text"
    for second in ('"text": "Dear Sir"', '"te\\u0078t": "x"'):
        raw = '{"text": ' + QUOTED_TEXT + ", " + second + "}"
        r = post_raw(server, "/letters", raw)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"] == [{"field": "text", "message": TWICE}]
    assert letters_stored(server) == before


def test_every_repeated_key_and_long_number_is_named_in_one_answer(server):
    good = GOOD_DECISION
    thrice = '{"urn": "A1", "urn": "A2", "urn": "A3", "decision": "discontinued", "bereaved": ' + "1" * 4301 + "}"
    r = post_raw(server, "/decisions", '{"decisions": [' + good + ", " + thrice + "]}")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"] == [
        {"field": "decisions.1.urn", "message": "is given 3 times in the same object: keep only the one you mean"},
        {"field": "decisions.1.bereaved", "message": too_long(4301)}]
    assert err["message"] == "2 problems: decisions.1.urn, decisions.1.bereaved (see details)"


def test_thousands_of_repeated_keys_get_a_small_answer(server):
    raw = '{"text": ' + QUOTED_TEXT + ', "context": {' + ", ".join(f'"k{i}": 1, "k{i}": 2' for i in range(20_000)) + "}}"
    r = post_raw(server, "/check", raw)
    assert r.status_code == 422
    err = r.json()["error"]
    assert len(err["details"]) == 50 and len(r.content) < 16 * 1024
    assert err["details"][:2] == [{"field": "context.k0", "message": TWICE}, {"field": "context.k1", "message": TWICE}]
    assert err["message"].startswith("20,000 problems: context.k0, context.k1, ")


def test_the_same_key_in_different_objects_is_not_a_repeat(server):
    r = post_raw(server, "/decisions", '{"decisions": [{"urn": "42AB1234524", "decision": "discontinued", '
                 '"decision_date": "2024-12-19", "victim_category": "enhanced"}, {"urn": "42AB1234525", '
                 '"decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced"}]}')
    assert r.status_code in (200, 201), r.text


def test_json_that_cannot_be_read_is_still_400(server):
    r = post_raw(server, "/check", '{"text": "a", "text": ')
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


def test_json_posted_to_a_page_is_not_read(server):
    """A review: a JSON body to a page (outside /api/, where a body may be 4 MB) was read
    strictly before anything else: 3.1 MB of repeated keys 900 objects deep to /sign-in took
    12.7 s and 2 GB, and held up every other request. The pages read forms only: the body is
    left unread and the page answers as for a form without its fields."""
    body = deep_repeated_keys_json()
    began = time.monotonic()
    r = httpx.post(f"{server.url}/sign-in", content=body, timeout=60,
                   headers={"Content-Type": "application/json"})
    took = time.monotonic() - began
    assert r.status_code == 400 and "The sign-in form had expired" in r.text
    assert took < 2, f"{took:.1f} s"
    assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200


def test_thousands_of_repeated_keys_deep_in_the_body_are_counted_quickly(server):
    """The same shape under the API's 512 KB: each repeated key's path was built whole before
    the answer kept 50 (1.6 s for 520 KB; work of problems times depth). Only the places named
    are put together now, and the answer still counts them all."""
    body = deep_repeated_keys_json(keys=23_000)
    assert len(body) < 512 * 1024
    began = time.monotonic()
    r = httpx.post(f"{server.url}/api/v1/letters", content=body, timeout=60,
                   headers={**auth(server.token), "Content-Type": "application/json"})
    took = time.monotonic() - began
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["message"].startswith("23,000 problems: ") and err["message"].endswith(
        "and 22,950 more (the first 50 are in details)")
    assert len(err["details"]) == 50 and len(r.content) < 16 * 1024
    assert err["details"][0] == {"field": "a." * 50 + "...", "message": TWICE}
    assert took < 0.8, f"{took:.2f} s"


def test_reading_repeated_keys_deep_in_a_body_takes_little_memory():
    """Memory as well as time: every repeated key 900 objects deep carried a copy of its path
    (a 3.1 MB body took 2 GB)."""
    body = deep_repeated_keys_json(keys=23_000)
    tracemalloc.start()
    try:
        answer = json_body.problems(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"{peak / 2**20:.0f} MB"
    found, total = answer
    assert total == 23_000 and len(found) == 50
    assert found[1] == ("a." * 499 + "a...", TWICE)  # 900 objects deep, cut to 1,000 characters


def _allowed(r: httpx.Response) -> list[str]:
    return [m.strip() for m in r.headers.get("allow", "").split(",") if m.strip()]


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/decisions", ["GET", "POST"]),  # two routes on one path: both named
    ("PUT", "/api/v1/letters/1", ["GET", "DELETE"]),
    ("PATCH", "/check", ["GET", "POST"]),  # a page: its 405 names them too
    ("DELETE", "/api/v1/audit", ["GET"]),  # one route: that one
])
def test_a_405_lists_every_method_the_address_takes(server, method, path, allowed):
    """RFC 9110: a 405's Allow header lists the methods the address takes. It named only those
    of the first route whose path matched (GET /decisions and POST /decisions: `Allow: POST`),
    and a page's 405 had no Allow header at all."""
    r = httpx.request(method, f"{server.url}{path}", headers=auth(server.token), timeout=30)
    assert r.status_code == 405
    assert _allowed(r) == allowed
    if path.startswith("/api/"):
        err = r.json()["error"]
        assert err["code"] == "method_not_allowed"
        assert err["message"] == (f"this address does not take {method}: it takes {' and '.join(allowed)} "
                                  "(the Allow header lists them)")


@pytest.mark.parametrize("text", ["\ufeff", "\u200b\u2060\ufeff\u00ad", "\u00ad\u00ad", "\u202e\u202e", "\u0301\u0308",
                                  " \u200b\n\u200b "])
def test_a_text_of_only_characters_nobody_sees_is_refused_and_nothing_kept(server, text):
    """Text that shows nothing (zero-width characters, a byte-order mark, direction marks,
    accents with no letter) is no letter (an audit: it was stored and scored 25-55, and counted
    on the dashboard as a poor letter checked); whitespace alone was already refused."""
    before = letters_stored(server)
    for path in ("/letters", "/check"):
        r = post(server, path, {"text": text, "context": {"decision": "discontinued"}})
        assert r.status_code == 422, (path, r.text)
        [detail] = r.json()["error"]["details"]
        assert detail["field"] == "text" and "cannot be seen" in detail["message"]
    assert letters_stored(server) == before
    ok = post(server, "/check", {"text": "\u200bDear Ms Okafor\u200b", "context": {"decision": "discontinued"}})
    assert ok.status_code == 200  # (a letter with a hidden character in it is still a letter)
