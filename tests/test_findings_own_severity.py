"""Each finding is counted and labelled by the severity it was stored with, never by its rule's
default (a user review).

content.reason ("No reason that fits the case") is must-fix, but when the sentence classifier's
second opinion only doubts the reason the patterns accepted, the finding is stored should-fix
(rules/content.yml `doubted_severity`). The dashboard's "Most frequent problems" put such a
letter in the red must-fix group (3 letters where the truth was 2) and the 2026Q4 board report
listed it as "Must fix". Now a check found at two severities has a row for each, with its own
letters and times, on the page, in the chart, in the board report and in its CSV.

A real SQLite file, letters scored by the real engine (the concept model `make model` builds),
the real server for the dashboard page."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from live_server import LiveServer, make_user
from web_site import signed_in, visible_text

from vcl_qa import clock
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user, user_by_name
from vcl_qa.engine import classifier
from vcl_qa.letters import service
from vcl_qa.reports import dashboard

TITLE = "No reason that fits the case"
# The patterns accept this reason; the classifier doubts it: a should-fix content.reason.
DOUBTED = "This decision was made because of the way one of the witness accounts developed in this case."
# A reason that could fit any case: a must-fix content.reason.
GENERIC = "We have decided to stop the case due to difficulties with the evidence."


def body(reason: str) -> str:
    return ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\n"
            "I am writing to tell you that we have stopped the case against Mr Hale. "
            "I am sorry to bring you this news.\n\n"
            f"{reason}\n\n"
            "If you think we got this wrong, you can ask another prosecutor to look at the case again. "
            "Please ask within 10 working days of getting this letter, and at the latest within 3 months.\n\n"
            "Victim Support can help you on 0808 168 9111. You can call me on 0113 496 0000.\n\n"
            "Yours sincerely\n\nAmy Price\nVictim Liaison Unit")


def context(sent: dt.date, **more) -> dict:
    return {"decision": "discontinued", "decision_date": (sent - dt.timedelta(days=1)).isoformat(),
            "letter_date": sent.isoformat(), "victim_category": "standard", "offence": "assault",
            "victim_name": "Ms Jane Okafor", **more}


@pytest.fixture(scope="module", autouse=True)
def model():
    assert classifier.load_model() is not None, "no concept model: run `make model` (make test does)"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two letters sent in October 2026 with a must-fix content.reason, one with a should-fix
    one, all three in the 2026Q4 panel sample; the real server on the file."""
    from vcl_qa.panel import sampling

    path = tmp_path_factory.mktemp("own_severity") / "vcl_qa.db"
    tokens = {"manager": make_user(path, "Mo Manager", "manager")}
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    ids = {}
    for name, reason, sent in (("generic1", GENERIC, dt.date(2026, 10, 6)), ("generic2", GENERIC, dt.date(2026, 10, 13)),
                               ("doubted", DOUBTED, dt.date(2026, 10, 20))):
        ids[name] = service.submit(db, staff, body(reason), context(sent), team="east")["id"]
        service.mark_sent(db, staff, ids[name], sent, before_saved_reason="posted first, saved here afterwards to record it")
    manager = user_by_name(db, "Mo Manager")
    sampling.draw(db, manager, "2026Q4")
    drawn = {r[0] for r in db.execute("SELECT letter_id FROM panel_items WHERE removed_at IS NULL")}
    for letter_id in set(ids.values()) - drawn:
        sampling.add_letter(db, manager, "2026Q4", letter_id, "to read a letter whose reason was doubted")
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": tokens, "db": path, "ids": ids}
    server.stop()


@pytest.fixture
def db(site):
    database = open_db(site["db"])
    yield database
    database.close()


def test_the_letters_are_stored_with_the_severities_the_review_found(site, db):
    stored = {letter_id: sev for letter_id, sev in db.execute(
        "SELECT f.letter_id, f.severity FROM findings f JOIN letters l ON l.id = f.letter_id"
        " WHERE f.rule = 'content.reason' AND f.suppressed = 0"
        " AND f.result_id = (SELECT max(r.id) FROM results r WHERE r.letter_id = l.id)")}
    assert stored == {site["ids"]["generic1"]: "error", site["ids"]["generic2"]: "error",
                      site["ids"]["doubted"]: "warning"}


def test_the_dashboards_problems_count_each_finding_under_its_own_severity(db):
    rows = dashboard.letters_in_scope(db)
    problems, _suggestions = dashboard.problems_and_suggestions(db, rows)
    reason = {r["severity"]: r for r in problems if r["rule"] == "content.reason"}
    assert {k: (r["letters"], r["findings"]) for k, r in reason.items()} == {"error": (2, 2), "warning": (1, 1)}
    assert dashboard.at_two_severities(problems) == {"content.reason"}
    # the chart: the must-fix bar counts 2 letters, the should-fix one 1, each named as such
    charted = dashboard.charted_problems(problems)
    assert [(r["severity"], r["letters"]) for r in charted if r["rule"] == "content.reason"] == [
        ("error", 2), ("warning", 1)]


def _problem_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table id="problems-table">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_the_dashboard_page_shows_the_should_fix_reason_as_should_fix(site):
    page = signed_in(site, "manager").get("/dashboard")
    assert page.status_code == 200
    rows = [r for r in _problem_rows(page.text) if r[0] == TITLE]
    assert rows == [[TITLE, "Must fix", "2", "2"], [TITLE, "Should fix", "1", "1"]]
    chart = re.search(r'<svg[^>]*id="chart-rules".*?</svg>', page.text, re.S).group(0)
    assert f"<title>{TITLE} (must fix): 2</title>" in chart.replace("&#39;", "'")
    assert f"<title>{TITLE} (should fix): 1</title>" in chart.replace("&#39;", "'")


def test_the_board_report_lists_the_doubted_reason_as_should_fix(db):
    from vcl_qa.panel import report

    data = report.build(db, "2026Q4")
    assert data["period"]["words"] == "October to December 2026"
    reason = [(r["severity_words"], r["letters"], r["findings"]) for r in data["failed_rules"]
              if r["rule"] == "content.reason"]
    assert reason == [("Must fix", 2, 2), ("Should fix", 1, 1)]
    html = report.render_html(data)
    table = re.search(r"The most serious problems found automatically</h2>.*?<table>(.*?)</table>", html, re.S).group(1)
    cells = [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
             for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert [c[:3] for c in cells if c and c[0] == TITLE] == [[TITLE, "Must fix", "2"], [TITLE, "Should fix", "1"]]
    # the CSV says the same as the page
    rows = [r for r in csv.DictReader(io.StringIO(report.render_csv(data)))
            if r["Section"] == "Most serious problem" and r["Item code"] == "content.reason"]
    assert [(r["Value"], r["Detail"].split(";")[0]) for r in rows] == [("2", "Must fix"), ("1", "Should fix")]
    # which row is which without reading the detail; and kinds counted as kinds, not rows (a
    # screenshot review: "The 8 most serious kinds" over a table of 7 kinds in 8 rows)
    assert [r["What"] for r in rows] == [f"{TITLE} (must fix)", f"{TITLE} (should fix)"]
    kinds = len({r["rule"] for r in data["failed_rules"]})
    assert kinds == len(data["failed_rules"]) - 1
    said = visible_text(html)
    assert f"The {kinds} most serious kind{'' if kinds == 1 else 's'} of problem the automatic checks found in " \
           f"the sample, in {len(data['failed_rules'])} rows:" in " ".join(said.split())


def test_an_undated_draft_judged_today_keeps_its_findings_own_severity(tmp_path, monkeypatch):
    """An undated draft is judged as of the day counted (dashboard.judge_undated_drafts), from
    a kept result's head that names the rules only: its doubted reason stays should-fix, and a
    problem the day brings ("Letter late") takes its rule's severity."""
    database = open_db(tmp_path / "store.db")
    migrate(database)
    try:
        staff = add_user(database, "east-staff", "staff", "east")[0]
        monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 2))
        ctx = context(dt.date(2026, 10, 31))
        ctx.pop("letter_date")
        letter_id = service.submit(database, staff, body(DOUBTED), ctx, team="east")["id"]
        database.execute("UPDATE results SET created_at = '2026-11-02T09:00:00+00:00'")
        database.execute("UPDATE letters SET created_at = '2026-11-02T09:00:00+00:00'")
        database.conn.commit()
        monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 20))  # well past its due date
        rows = dashboard.letters_in_scope(database)
        (row,) = [r for r in rows if r["id"] == letter_id]
        assert row["judged_as_of"] == "2026-11-20"
        assert ("content.reason", "warning") in row["finding_severities"]
        assert ("timeliness.late", "error") in row["finding_severities"]
        problems, _ = dashboard.problems_and_suggestions(database, rows)
        assert [(r["severity"], r["letters"]) for r in problems if r["rule"] == "content.reason"] == [("warning", 1)]
    finally:
        database.close()
