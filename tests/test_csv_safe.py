"""CSV exports cannot carry a spreadsheet formula: a text cell starting with =, +, -, @, a tab
or a carriage return gets a leading apostrophe (letters, findings, the letters page, the
dashboard, the board report, the decisions digest and report)."""
from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from live_server import LiveServer, make_user
from panel_setup import good_rating, seeded_db
from vcl_qa import csv_safe
from vcl_qa.decisions import register
from vcl_qa.letters import bulk, service
from vcl_qa.panel import rating, report, sampling

FORMULAS = ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_become_text(value):
    assert csv_safe.cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Okafor", "", None, -3, 4.5, "2024-12-19", "a=b"])
def test_other_cells_are_untouched(value):
    assert csv_safe.cell(value) == value


@pytest.mark.parametrize("value", ["-0.94", "+0.68", "-12", "+3"])
def test_numbers_written_as_text_stay_numbers(value):
    """A manager's review: the board report's CSV wrote a rise "'+0.68" (text) beside a fall
    -0.94 (a number). A plain number is nothing a spreadsheet would run: it stays a number."""
    assert csv_safe.cell(value) == value


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _assert_safe(text: str) -> None:
    for c in _cells(text):
        assert not c.startswith(csv_safe.FORMULA_START), repr(c)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "p.db"
    db, users, ids = seeded_db(path, panel_members=2, q1_letters=24)
    team = "=cmd|' /C calc'!A0"
    body = "Dear Ms Okafor\n\nWe have decided to stop the case.\n"
    service.submit(db, bulk.Actor(), body, {"urn": "@SUM(1+1)", "decision": "discontinued"}, team=team)
    from vcl_qa.decisions import store

    store.upsert_many(db, bulk.Actor(), [register.record_from_mapping(
        {"urn": "+44AB", "decision": "discontinued", "decision_date": "2025-01-02",
         "victim_category": "standard", "team": team})])
    sampling.draw(db, users["manager"], "2025Q1")
    for n in (0, 1):
        user = users[f"panel{n}"]
        for q in rating.queue(db, user, period="2025Q1"):
            rating.rate(db, user, q["item_id"], good_rating(2, "=HYPERLINK(\"http://evil\",\"see\")"))
    yield db, users, path, team
    db.close()


def test_results_and_findings_exports(env):
    db, *_ = env
    for what in ("results", "findings"):
        rows, columns = bulk.rows_for(what, db)
        out = io.StringIO()
        bulk.write_export(rows, columns, "csv", out)
        _assert_safe(out.getvalue())
    rows, columns = bulk.rows_for("results", db)
    out = io.StringIO()
    bulk.write_export(rows, columns, "csv", out)
    assert "'=cmd|' /C calc'!A0" in _cells(out.getvalue())


def test_board_report_csv(env):
    db, *_ = env
    text = report.render_csv(report.build(db, "2025Q1"))
    _assert_safe(text)
    # a comment is in quotes in its Detail ("“=HYPERLINK(...)” (given 12 times ...)"): never a cell's start
    assert any(c.startswith("“=HYPERLINK") for c in _cells(text))


def test_decisions_digest_and_report_csv(env):
    db, _, _, team = env
    import datetime as dt

    out = io.StringIO()
    register.write_digest_csv(register.digest(db, today=dt.date(2025, 1, 6), team=team), out)
    _assert_safe(out.getvalue())
    assert "'+44AB" in _cells(out.getvalue())
    _assert_safe(register.report_csv(register.timeliness_report(db, today=dt.date(2025, 1, 6))))


def test_letters_page_and_dashboard_csv(env):
    db, users, path, team = env
    token = make_user(path, "mia", "manager")
    server = LiveServer(path).start()
    try:
        client = httpx.Client(base_url=server.url, timeout=60)
        pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        assert client.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
        letters = client.get("/letters.csv")
        assert letters.status_code == 200
        _assert_safe(letters.text)
        assert "'" + team in _cells(letters.text)
        dashboard = client.get("/dashboard.csv")
        assert dashboard.status_code == 200
        _assert_safe(dashboard.text)
    finally:
        server.stop()
