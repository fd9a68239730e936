"""Review 11a, finding 8: a "Figures as on" / `as_of` / `--today` day still to come was taken,
and its figures shown as fact: a letter not yet due counted as never sent, working days counted
that had not passed. Now the dashboard (page and CSV), the API's /decisions and
/reports/timeliness, and `vcl-qa digest --today` refuse a day after today (the UK date,
vcl_qa.clock), naming the field and today's date; today itself and past days still work."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from click.testing import CliRunner

from live_server import LiveServer, auth, make_user
from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.engine.dates import long_date
from web_site import field_error, signed_in, visible_text

TODAY = clock.today()
TOMORROW = TODAY + dt.timedelta(days=1)
NEXT_YEAR = TODAY.replace(year=TODAY.year + 1, day=min(TODAY.day, 28))  # a mistyped year


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("as-of") / "vcl_qa.db"
    tokens = {"manager": make_user(path, "manager", "manager")}
    srv = LiveServer(path).start()
    srv.tokens, srv.path = tokens, path
    yield srv
    srv.stop()


@pytest.mark.parametrize("day", [TOMORROW, NEXT_YEAR], ids=["tomorrow", "next year"])
def test_the_dashboard_refuses_a_day_still_to_come(server, day):
    client = signed_in({"url": server.url, "tokens": server.tokens}, "manager")
    for params in ({"as_of": day.isoformat()},
                   {"as_of-day": str(day.day), "as_of-month": str(day.month), "as_of-year": str(day.year)}):
        page = client.get("/dashboard", params=params)
        assert page.status_code == 400
        message = field_error(page.text, "as_of")
        assert message == (f"The 'Figures as on' date ({long_date(day)}) is after today ({long_date(TODAY)}): "
                           "the figures would count letters as late or never sent before their time. "
                           "Choose today or an earlier day.")
        assert "There is a problem with the filters" in visible_text(page.text)
        assert "% on time" not in visible_text(page.text)  # no figures shown
    csv = client.get("/dashboard.csv", params={"as_of": day.isoformat()})
    assert csv.status_code == 400 and f"after today ({long_date(TODAY)})" in csv.text


def test_the_dashboard_takes_today_and_a_past_day(server):
    client = signed_in({"url": server.url, "tokens": server.tokens}, "manager")
    for day in (TODAY, TODAY - dt.timedelta(days=400)):
        assert client.get("/dashboard", params={"as_of": day.isoformat()}).status_code == 200
        assert client.get("/dashboard.csv", params={"as_of": day.isoformat()}).status_code == 200


@pytest.mark.parametrize("path", ["/decisions", "/reports/timeliness"])
def test_the_api_refuses_a_day_still_to_come_naming_the_field_and_today(server, path):
    headers = auth(server.tokens["manager"])
    r = httpx.get(f"{server.url}/api/v1{path}", params={"as_of": TOMORROW.isoformat()}, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    [detail] = body["details"]
    assert detail["field"] == "query.as_of"
    assert detail["message"].startswith(f"{long_date(TOMORROW)} is after today ({long_date(TODAY)}, the date in the UK)")
    assert body["message"].startswith("query.as_of: ")
    for day in (TODAY, TODAY - dt.timedelta(days=30)):
        assert httpx.get(f"{server.url}/api/v1{path}", params={"as_of": day.isoformat()},
                         headers=headers).status_code == 200


def test_the_digest_refuses_a_day_still_to_come(tmp_path):
    env = {"VCL_QA_DB": str(tmp_path / "vcl_qa.db")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    result = runner.invoke(main, ["digest", "--today", TOMORROW.isoformat()], env=env)
    assert result.exit_code == 2
    words = " ".join(result.output.split())
    assert "Invalid value for --today" in words and f"is after today ({long_date(TODAY)}, the date in the UK)" in words
    assert "Counting" not in words
    ok = runner.invoke(main, ["digest", "--today", TODAY.isoformat()], env=env)
    assert ok.exit_code == 0 and f"Counting {long_date(TODAY)} as today (the day asked for)" in ok.output
