"""A body that is not JSON is told where and why (real uvicorn, real SQLite file).

An integrator's review: `{"text": "Dear", }` and a line break typed inside a letter's text were
both answered "the request body is not valid JSON", naming neither the slip nor its place; and
NaN, Infinity and -Infinity, which are not JSON, were read as numbers ("letter_id: 'nan' is not a
whole number"; a panel policy's NaN share "must be 1.0 or less").
"""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

NOT_JSON = "the request body is not valid JSON: "
NO_CONSTANTS = "is not a JSON value (JSON has no NaN, Infinity or -Infinity): send a number, written in digits"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("not_json") / "vcl_qa.db").start()
    srv.token = make_user(srv.db, "north-staff", "staff", "north")
    srv.admin = make_user(srv.db, "an-admin", "admin")
    yield srv
    srv.stop()


def send(server, method, path, raw: str | bytes, token=None):
    body = raw.encode() if isinstance(raw, str) else raw
    return httpx.request(method, f"{server.url}/api/v1{path}", content=body, timeout=30,
                         headers={**auth(token or server.token), "Content-Type": "application/json"})


def letters_stored(server) -> int:
    return httpx.get(f"{server.url}/api/v1/letters", headers=auth(server.token), timeout=30).json()["count"]


@pytest.mark.parametrize("raw, where", [
    ('{"text": "Dear", }', "line 1, column 16: a comma with nothing after it before the closing }: take the "
                           "comma out (JSON has no comma after the last item)"),
    ('{"text": "Dear",\n "context": {"bereaved": true,\n }}',
     "line 2, column 30: a comma with nothing after it before the closing }: take the comma out (JSON has no "
     "comma after the last item)"),
    ('{"text": "Dear\nMs Okafor"}', "line 1, column 15: a line break inside text in double quotes: write it as \\n"),
    ('{"text": "Dear\tMs Okafor"}', "line 1, column 15: a tab inside text in double quotes: write it as \\t"),
    ('{"text": "Dear', 'line 1, column 10: text in double quotes starts here and has no closing " (is the body cut '
                      'short?)'),
    ('{"text": "Dear",', "line 1, column 17: the body ends here, before the JSON is complete (is it cut short?)"),
    ("{'text': 'Dear'}", 'line 1, column 2: a field name in single quotes: JSON takes double quotes ("name")'),
    ('{"text": "Dear" "context": {}}', "line 1, column 17: expected a comma (,) before the next item, or the end of "
                                       "the list or object, found '\"'"),
    ('{"text": "he said "no""}', "line 1, column 20: expected a comma (,) before the next item, or the end of the "
                                 "list or object, found 'no' (a double quote inside text is written \\\")"),
    ('{"text": "Dear", "context": {"bereaved": yes}}',
     "line 1, column 42: expected a value (text in double quotes, a number, true, false, null, a list [...] or an "
     "object {...}), found 'yes'"),
    ('{"text": "C:\\images"}', "line 1, column 13: '\\i' is not an escape JSON has (\\n, \\t, \\\", \\\\, \\/, \\b, \\f, \\r, \\uXXXX): "
     "write a backslash itself as \\\\"),
    ('{"text": "Dear"} {}', "line 1, column 18: more after the end of the JSON value, starting '{': send one "
                            "JSON object"),
])
def test_json_that_does_not_read_says_where_and_why(server, raw, where):
    r = send(server, "POST", "/letters", raw)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "malformed_json", "message": NOT_JSON + where, "details": []}}


def test_the_place_is_counted_in_characters_as_an_editor_counts(server):
    """Column 14 is the line break's, after '{"text": "Zoë' (13 characters, 14 bytes in UTF-8)."""
    r = send(server, "POST", "/check", '{"text": "Zoë\n"}')
    assert r.status_code == 400
    assert r.json()["error"]["message"] == NOT_JSON + ("line 1, column 14: a line break inside text in double "
                                                       "quotes: write it as \\n")


@pytest.mark.parametrize("word, raw, column", [
    ("NaN", '{"text": "Dear Ms Okafor", "letter_id": NaN}', 41),
    ("Infinity", '{"text": "Dear Ms Okafor", "letter_id": Infinity}', 41),
    ("-Infinity", '{"text": "Dear Ms Okafor", "letter_id": -Infinity}', 41),
    # the word inside text is not a value: the one after it is named
    ("NaN", '{"text": "NaN, Infinity \\" NaN", "letter_id": NaN}', 47),
])
def test_nan_and_infinity_are_not_json(server, word, raw, column):
    r = send(server, "POST", "/letters", raw)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "malformed_json", "details": [],
                                  "message": f"{NOT_JSON}line 1, column {column}: {word} {NO_CONSTANTS}"}}
    assert letters_stored(server) == 0


def test_nan_in_a_policy_share_is_not_json(server):
    """It said 'random_share: must be 1.0 or less', as if NaN were a number too large."""
    r = send(server, "PUT", "/panel/policy", '{\n  "random_share": NaN\n}', token=server.admin)
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "malformed_json", "details": [],
                                 "message": f"{NOT_JSON}line 2, column 19: NaN {NO_CONSTANTS}"}


def test_nan_is_refused_before_the_token_is_checked(server):
    """As a repeated key is (the answer holds nothing the request did not)."""
    r = httpx.post(f"{server.url}/api/v1/check", content=b'{"text": "x", "context": {"bereaved": NaN}}',
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


def test_nan_in_a_body_in_utf16_is_placed_in_characters(server):
    r = send(server, "POST", "/check", '{"text": "Dear",\n"letter_id": Infinity}'.encode("utf-16"))
    assert r.status_code == 400
    assert r.json()["error"]["message"] == f"{NOT_JSON}line 2, column 14: Infinity {NO_CONSTANTS}"
