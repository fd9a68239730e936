"""A yes-or-no detail given as a number or text is refused in the same words for `bereaved` and
`withdrawal`, saying what to send (real uvicorn, real SQLite file). An integrator's review:
`"withdrawal": 1` was "'1' is not true, false or unknown" (its quotes made a number look like
text, and it did not say what to send) while `"bereaved": 1` was "1 is a number, not true or
false: send true or false, without quotes"."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"
BEREAVED = "send true or false, without quotes"
WITHDRAWAL = 'send true or false without quotes, or "unknown"'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("yes_or_no") / "vcl_qa.db").start()
    srv.token = make_user(srv.db, "north-staff", "staff", "north")
    yield srv
    srv.stop()


@pytest.mark.parametrize("path", ["/check", "/letters"])
@pytest.mark.parametrize("field, value, message", [
    ("withdrawal", 1, f"1 is a number, not true or false: {WITHDRAWAL}"),
    ("withdrawal", 0, f"0 is a number, not true or false: {WITHDRAWAL}"),
    ("withdrawal", 2.5, f"2.5 is a number, not true or false: {WITHDRAWAL}"),
    ("withdrawal", "1", f"'1' is text, not true or false: {WITHDRAWAL}"),
    ("withdrawal", "maybe", f"'maybe' is text, not true or false: {WITHDRAWAL}"),
    ("withdrawal", [True], f"must be true or false, not a list: {WITHDRAWAL}"),
    ("bereaved", 2, f"2 is a number, not true or false: {BEREAVED}"),  # was "'2' is not true or false"
    ("bereaved", "2", f"'2' is text, not true or false: {BEREAVED}"),
    ("bereaved", {}, f"must be true or false, not an object: {BEREAVED}"),
])
def test_a_number_or_text_for_a_yes_or_no_detail_says_what_to_send(server, path, field, value, message):
    r = httpx.post(f"{server.url}/api/v1{path}", json={"text": TEXT, "context": {field: value}},
                   headers=auth(server.token), timeout=30)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": f"context.{field}", "message": message}]
    assert r.json()["error"]["message"] == f"context.{field}: {message}"


def test_named_with_the_other_wrong_fields(server):
    """The body's own fields fail too: the context is checked in api/errors.py, the same words."""
    r = httpx.post(f"{server.url}/api/v1/letters", json={"txt": TEXT, "context": {"withdrawal": 1}},
                   headers=auth(server.token), timeout=30)
    assert r.status_code == 422
    assert r.json()["error"]["details"][-1] == {"field": "context.withdrawal",
                                                "message": f"1 is a number, not true or false: {WITHDRAWAL}"}


@pytest.mark.parametrize("value", [True, False, "unknown", None])
def test_true_false_unknown_and_null_are_taken(server, value):
    r = httpx.post(f"{server.url}/api/v1/check", json={"text": TEXT, "context": {"withdrawal": value}},
                   headers=auth(server.token), timeout=30)
    assert r.status_code == 200, r.text
