"""Every wrong thing of a request named in one answer (an integrator's review, s35): another team's
decision in a staff member's batch (403 naming decisions.N.team, with the batch's other problems),
a future as_of with the query's other errors, a token sent to /metrics from the server itself, and
a JSON body that is not UTF-8 (where) or declares another charset. The real server and SQLite file."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from live_server import LiveServer, auth, make_user

FUTURE = (dt.date.today() + dt.timedelta(days=40)).isoformat()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("at_once") / "vcl_qa.db").start()
    srv.tokens = {"staff": make_user(srv.db, "north-staff", "staff", "north"),
                  "south": make_user(srv.db, "south-staff", "staff", "south"),
                  "admin": make_user(srv.db, "admin", "admin")}
    yield srv
    srv.stop()


def call(server, role, method, path, **kw):
    headers = {**(auth(server.tokens[role]) if role else {}), **kw.pop("headers", {})}
    return httpx.request(method, f"{server.url}{path}", headers=headers, timeout=30, **kw)


def fields(r) -> list[str]:
    return [d["field"] for d in r.json()["error"]["details"]]


def test_another_teams_decision_is_named_with_the_batchs_other_problems(server):
    good = {"urn": "A1", "decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced"}
    batch = {"decisions": [good, {**good, "urn": "A2", "decision": "dropped", "team": "south"},
                           {"decision": "discontinued"}]}
    r = call(server, "staff", "POST", "/api/v1/decisions", json=batch)
    assert r.status_code == 403, r.text
    error = r.json()["error"]
    assert error["code"] == "forbidden"
    got = fields(r)
    assert got[0] == "decisions.1.team" and "decisions.1.decision" in got and "decisions.2.urn" in got
    assert "decisions.1.team" in error["message"] and "other problem" in error["message"]
    assert "'south' is not your team" in error["details"][0]["message"]
    # the same batch with the team taken out: 422 naming the rest, as before
    del batch["decisions"][1]["team"]
    r = call(server, "staff", "POST", "/api/v1/decisions", json=batch)
    assert r.status_code == 422 and "decisions.1.team" not in fields(r)
    # one decision on its own names `team`; nothing was stored
    r = call(server, "staff", "POST", "/api/v1/decisions", json={**good, "team": "south"})
    assert r.status_code == 403 and fields(r) == ["team"]
    assert call(server, "staff", "GET", "/api/v1/decisions").json()["count"] == 0


def test_a_future_as_of_is_named_with_the_querys_other_errors(server):
    r = call(server, "staff", "GET", f"/api/v1/reports/timeliness?month_from=2021-05&month_to=2021-03&as_of={FUTURE}")
    assert r.status_code == 422 and set(fields(r)) == {"query.month_to", "query.as_of"}, r.text
    r = call(server, "staff", "GET", f"/api/v1/decisions?as_of={FUTURE}&status=bogus&decided_from=2021-02-01"
                                     "&decided_to=2021-01-01&limit=-1")
    assert r.status_code == 422
    assert set(fields(r)) == {"query.status", "query.limit", "query.decided_to", "query.as_of"}, r.text
    r = call(server, "staff", "GET", f"/api/v1/decisions?as_of={FUTURE}&decided_from=2021-02-01&decided_to=2021-01-01")
    assert set(fields(r)) == {"query.decided_to", "query.as_of"}
    # a route without as_of never names it
    r = call(server, "staff", "GET", f"/api/v1/letters?as_of={FUTURE}&limit=-1")
    assert fields(r) == ["query.limit"]


@pytest.mark.parametrize("role,status", [(None, 200), ("admin", 200), ("staff", 403), ("wrong", 401)])
def test_metrics_from_this_machine_judge_a_token_sent(server, role, status):
    headers = {"Authorization": "Bearer " + ("x" * 43 if role == "wrong" else server.tokens[role])} if role else {}
    r = httpx.get(f"{server.url}/metrics", headers=headers, timeout=30)
    assert r.status_code == status, r.text
    if status != 200:
        assert r.json()["error"]["code"] == ("forbidden" if status == 403 else "unauthorized")


def test_a_body_not_utf8_says_where_and_another_charset_is_refused(server):
    body = '{"text": "Dear Ms Ok\u00e1for", "context": {}}'
    r = call(server, "staff", "POST", "/api/v1/check", content=body.encode("latin-1"),
             headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    assert "byte 21" in r.json()["error"]["message"] and "0xE1" in r.json()["error"]["message"]
    r = call(server, "staff", "POST", "/api/v1/check", content=body.encode("latin-1"),
             headers={"Content-Type": "application/json; charset=latin-1"})
    assert r.status_code == 400 and "charset" in r.json()["error"]["message"], r.text
    ok = call(server, "staff", "POST", "/api/v1/check", content=body.encode("utf-8"),
              headers={"Content-Type": "application/json; charset=UTF-8"})
    assert ok.status_code == 200, ok.text
    # ASCII is UTF-8's first 128 characters (a review found a body declared so refused)
    plain = '{"text": "Dear Ms Okafor", "context": {}}'
    for name in ("us-ascii", "US-ASCII", "ascii"):
        ok = call(server, "staff", "POST", "/api/v1/check", content=plain.encode("ascii"),
                  headers={"Content-Type": f"application/json; charset={name}"})
        assert ok.status_code == 200, (name, ok.text)


def test_a_batch_too_long_says_how_many_and_a_repeated_case_names_the_row_it_repeats(server):
    """An integrator's review: a batch of 1,001 was told only the limit, and a case given twice
    with different values was not told which row it repeats."""
    good = {"urn": "B1", "decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced"}
    many = call(server, "staff", "POST", "/api/v1/decisions",
                json={"decisions": [{**good, "urn": f"B{n}"} for n in range(1001)]})
    assert many.status_code == 422
    assert many.json()["error"]["details"] == [
        {"field": "decisions", "message": "must be a list of 1 to 1000 decisions (it has 1,001: send the rest in "
                                          "another batch)"}]
    same = call(server, "staff", "POST", "/api/v1/decisions", json={"decisions": [
        good, {**good, "urn": "B2"}, {**good}, {**good, "victim_category": "standard"}]})
    assert same.status_code == 422
    assert same.json()["error"]["details"] == [
        {"field": "decisions.3.urn", "message": "repeats the case reference and decision of decisions.0 with "
                                                "different values"}]
