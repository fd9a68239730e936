"""The API's team filter and `as_of`, against the real server (review 6, items 5 and 6).

Before: `?team=North` (teams are lower case) answered `{"data": [], "count": 0}` on
/decisions, /reports/timeliness and /letters, which a script reads as "nothing overdue";
`/decisions?as_of=` listed decisions made after that day as due, `/reports/timeliness?as_of=`
counted them as pending, `POST /decisions` took a decision dated after today, and /metrics
counted it as due while the morning digest left it out."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from live_server import LiveServer, auth, make_user
from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.decisions import register, store
from vcl_qa.letters import bulk

AS_OF = "2024-12-23"  # a Monday
LATER = (clock.today() + dt.timedelta(days=30)).isoformat()  # stored before future dates were refused
TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
KNOWN = "the teams are 'east', 'north', 'south'"


def decision(urn, decided, category="enhanced", **extra):
    return {"urn": urn, "decision": "discontinued", "decision_date": decided, "victim_category": category,
            **extra}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("filters") / "vcl_qa.db"
    tokens = {"manager": make_user(path, "manager", "manager"),
              "north": make_user(path, "north-staff", "staff", "north"),
              "south": make_user(path, "south-staff", "staff", "south"),
              "east": make_user(path, "east-staff", "staff", "east"),  # a team with nothing stored yet
              "panel": make_user(path, "panel", "panel")}
    # A decision dated after today, as an earlier release let POST /decisions store it.
    db = open_db(path)
    store.upsert_many(db, bulk.Actor("test"), [{**decision("90AA0000003", LATER), "team": "north", "victim_name": None,
                                                "letter_date": None, "bereaved": None, "offence": None,
                                                "letter_required": True, "no_letter_reason": None}])
    db.close()
    srv = LiveServer(path).start()
    srv.tokens = tokens
    srv.path = path
    r = call(srv, "north", "POST", "/decisions", json={"decisions": [
        decision("90AA0000001", "2024-12-19"),  # due Friday 20th: overdue on the 23rd
        decision("90AA0000002", "2024-12-24"),  # made the day after AS_OF
        decision("90AA0000004", "2024-12-20", category="standard")]})
    assert r.status_code == 201, r.text
    r = call(srv, "north", "POST", "/letters", json={"text": TEXT, "context": {
        "decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20", "urn": "90AA0000009"}})
    assert r.status_code == 201, r.text
    yield srv
    srv.stop()


def call(server, who, method, path, **kw):
    headers = auth(server.tokens[who]) if who else {}
    return httpx.request(method, f"{server.url}/api/v1{path}", headers=headers, timeout=60, **kw)


TEAM_ROUTES = ["/decisions", "/reports/timeliness", "/letters"]


@pytest.mark.parametrize("path", TEAM_ROUTES)
def test_a_team_that_does_not_exist_is_an_error_not_an_empty_list(server, path):
    for params in ({"team": "North"}, {"team": "North", "format": "csv"} if "reports" in path else {"team": "North"}):
        r = call(server, "manager", "GET", path, params=params)
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        message = f"there is no team called 'North' (did you mean 'north'?); {KNOWN}"
        assert err == {"code": "invalid", "message": f"query.team: {message}",
                       "details": [{"field": "query.team", "message": message}]}


@pytest.mark.parametrize("path", TEAM_ROUTES)
def test_a_team_that_exists_still_answers(server, path):
    north = call(server, "manager", "GET", path, params={"team": "north", "as_of": "2025-01-06"})
    assert north.status_code == 200 and north.json()["count"] > 0
    east = call(server, "manager", "GET", path, params={"team": "east"})  # users, nothing stored yet
    assert east.status_code == 200 and east.json()["count"] == 0


@pytest.mark.parametrize("path", TEAM_ROUTES)
def test_staff_naming_another_team_are_told_which_they_see(server, path):
    for team in ("south", "North"):
        r = call(server, "north", "GET", path, params={"team": team})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"] == [{"field": "query.team", "message": (
            f"'{team}' is not your team: staff see their own team's only, team 'north' "
            "(leave team out, or give 'north')")}]
    assert call(server, "north", "GET", path, params={"team": "north"}).status_code == 200


def test_a_wrong_team_is_named_with_every_other_wrong_parameter(server):
    r = call(server, "manager", "GET", "/letters", params={"team": "North", "limit": 0, "status": "lost"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert [d["field"] for d in err["details"]] == ["query.team", "query.status", "query.limit"]
    assert err["message"] == "3 problems: query.team, query.status, query.limit (see details)"


@pytest.mark.parametrize("who, status", [("panel", 403), (None, 401)])
def test_who_may_not_list_learns_no_team_names(server, who, status):
    for path in TEAM_ROUTES:
        r = call(server, who, "GET", path, params={"team": "North"})
        assert r.status_code == status
        assert "north" not in r.text


def test_as_of_leaves_out_decisions_made_after_that_day_as_the_digest_does(server):
    r = call(server, "north", "GET", "/decisions", params={"as_of": AS_OF})
    assert r.status_code == 200
    out = r.json()
    assert [(d["urn"], d["status"]) for d in out["data"]] == [("90AA0000001", "overdue"), ("90AA0000004", "due")]
    assert (out["count"], out["decided_later"]) == (2, 2)
    db = open_db(server.path)
    digest = register.digest_for(db, today=dt.date.fromisoformat(AS_OF), team="north")
    db.close()
    assert [r["urn"] for r in digest.rows] == [d["urn"] for d in out["data"] if d["status"] in register.OPEN]
    assert digest.decided_later == out["decided_later"]
    # Today: the decision dated after today is not listed as due either.
    today = call(server, "north", "GET", "/decisions").json()
    assert "90AA0000003" not in [d["urn"] for d in today["data"]] and today["decided_later"] == 1


def test_timeliness_as_of_counts_only_decisions_made_by_that_day(server):
    r = call(server, "north", "GET", "/reports/timeliness", params={"as_of": AS_OF})
    assert r.status_code == 200
    out = r.json()
    assert {d["month"] for d in out["data"]} == {"2024-12"}
    every = [d for d in out["data"] if d["working_day_limit"] is None][0]
    assert (every["required"], every["missing"], every["pending"]) == (2, 1, 1)  # not the one of the 24th
    assert out["decided_later"] == 2
    csv = call(server, "north", "GET", "/reports/timeliness", params={"as_of": AS_OF, "format": "csv"}).text
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == ["2024-12"] * 3


@pytest.mark.parametrize("body, field", [
    (decision("91BB0000001", LATER), "decision_date"),
    ({"decisions": [decision("91BB0000002", "2024-12-19"), decision("91BB0000003", LATER)]},
     "decisions.1.decision_date"),
])
def test_a_decision_dated_after_today_is_refused_as_a_letters_is(server, body, field):
    before = call(server, "manager", "GET", "/decisions", params={"team": "north"}).json()
    r = call(server, "north", "POST", "/decisions", json=body)
    assert r.status_code == 422, r.text
    later = dt.date.fromisoformat(LATER)
    message = (f"the decision date ({later.strftime('%A')} {later.day} {later.strftime('%B %Y')}) is after today "
               f"({clock.today().strftime('%A')} {clock.today().day} {clock.today().strftime('%B %Y')}): "
               "register a decision once it is made; check the date")
    assert r.json()["error"]["details"] == [{"field": field, "message": message}]
    assert call(server, "manager", "GET", "/decisions", params={"team": "north"}).json() == before  # nothing stored


def test_a_letter_date_after_today_is_refused(server):
    """A letter recorded as sent on a day still to come would count as on time before it went."""
    before = call(server, "manager", "GET", "/decisions", params={"team": "north"}).json()
    r = call(server, "north", "POST", "/decisions", json=decision("91BB0000009", "2024-12-19", letter_date=LATER))
    assert r.status_code == 422, r.text
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "letter_date" and "record the letter once it is sent" in detail["message"]
    assert call(server, "manager", "GET", "/decisions", params={"team": "north"}).json() == before


def test_metrics_count_what_the_digest_counts(server):
    r = httpx.get(f"{server.url}/metrics", timeout=30)  # from the server's own machine
    assert r.status_code == 200
    found = {tuple(sorted(s.labels.items())): s.value for f in text_string_to_metric_families(r.text)
             if f.name == "vcl_qa_decisions" for s in f.samples}
    db = open_db(server.path)
    digest = register.digest_for(db)
    db.close()
    for status in register.OPEN:
        assert found[(("status", status),)] == sum(1 for row in digest.rows if row["status"] == status), status
    assert found[(("status", "due"),)] == 0  # the decision dated after today is not due


def test_import_decisions_refuses_a_date_after_today(tmp_path, monkeypatch):
    monkeypatch.setenv("VCL_QA_DB", str(tmp_path / "cli.db"))
    path = tmp_path / "d.csv"
    path.write_text("urn,decision,decision_date,victim_category,team\n"
                    "92CC0000001,discontinued,2024-12-19,enhanced,north\n"
                    f"92CC0000002,discontinued,{LATER},enhanced,north\n")
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    make_user(tmp_path / "cli.db", "north-staff", "staff", "north")  # a team there is
    result = CliRunner().invoke(main, ["import-decisions", str(path)])
    assert result.exit_code == 1
    words = " ".join(result.output.split())  # the console wraps long lines
    assert "row 3" in words and "is after today" in words and "register a decision once it is made" in words
    assert "Registered 1 new" in words
