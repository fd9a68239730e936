"""The period report for the board (HTML and CSV) with the trend against the previous period,
and the `vcl-qa panel` commands."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from panel_setup import good_rating, seeded_db
from vcl_qa.cli import main
from vcl_qa.panel import rating
from vcl_qa.panel import report
from vcl_qa.panel import sampling


def rate_all(db, users, period: str, overall: int, comment: str) -> None:
    for n in (0, 1):
        user = users[f"panel{n}"]
        for q in rating.queue(db, user, period=period):
            rating.rate(db, user, q["item_id"], good_rating(overall, comment, empathy=max(1, overall - 1)))
            rating.reveal(db, user, q["item_id"])


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "p.db"
    db, users, _ = seeded_db(path, panel_members=2, q1_letters=24)
    sampling.draw(db, users["manager"], "2024Q4")
    rate_all(db, users, "2024Q4", 2, "The letter reads like a template and never says sorry.")
    sampling.draw(db, users["manager"], "2025Q1")
    rate_all(db, users, "2025Q1", 4, "Warm and clear; the review right is easy to act on.")
    yield db, users, path
    db.close()


def test_report_data_has_the_board_themes(env):
    db, _, _ = env
    data = report.build(db, "2025Q1")
    assert data["previous_period"] == "2024Q4"
    rank = {"error": 0, "warning": 1, "suggestion": 2}
    order = [(rank[r["severity"]], -r["letters"]) for r in data["failed_rules"]]
    assert order and order == sorted(order)  # the most serious first, then the most letters
    assert data["rubric"][0]["item"] == "empathy"  # rated one point lower than the rest
    assert data["rubric"][0]["mean"] == 3.0
    assert [c["band"] for c in data["comments"]] == ["high"]
    trend = {t["measure"]: t for t in data["trend"]}
    assert (trend["mean_overall"]["value"], trend["mean_overall"]["previous"], trend["mean_overall"]["change"]) == (4.0, 2.0, 2.0)
    assert trend["rubric.empathy"]["change"] == 2.0


def test_first_period_has_no_trend(env):
    db, _, _ = env
    data = report.build(db, "2024Q4")
    assert data["previous_period"] is None
    assert all(t["previous"] is None and t["change"] is None for t in data["trend"])
    assert data["comments"][0]["band"] == "low"


def test_html_is_printable_and_complete(env):
    db, _, _ = env
    html = report.render_html(report.build(db, "2025Q1"))
    for heading in ("Most frequent problems found automatically", "Rubric: lowest-rated first",
                    "What the panel said", "Trend against the previous period", "@media print"):
        assert heading in html
    assert "Warm and clear" in html and "+2" in html
    assert "January to March 2025" in html and "Compared with October to December 2024" in html


def test_board_report_in_plain_words(env):
    """No rule ids, codes or seed in the body; agreement in words with the statistic in a note."""
    import re

    db, _, _ = env
    data = report.build(db, "2025Q1")
    html = report.render_html(data)
    body, notes = html.split('<div class="notes">')
    assert not re.search(r"\b(content|readability|empathy|timeliness)\.[a-z_]+\b", html)
    for jargon in ("Krippendorff", "Spearman", "alpha", "seed", "2025Q1", "needs_work", "not_charged",
                   "precision", "rubric."):
        assert jargon not in body, jargon
    assert "Krippendorff" in notes and "Spearman" in notes
    words = re.search(r'id="members-agree">([a-z ]+)', html).group(1).strip()
    assert words in ("strongly", "somewhat", "hardly at all", "not yet enough ratings")
    alpha = data["summary"]["alpha_overall"]
    if alpha is not None:
        assert words == ("strongly" if alpha >= 0.667 else "somewhat" if alpha >= 0.4 else "hardly at all")
        assert str(alpha) in notes
    assert data["failed_rules"][0]["title"] in body


def test_csv_rows(env):
    db, _, _ = env
    rows = list(csv.DictReader(io.StringIO(report.render_csv(report.build(db, "2025Q1")))))
    sections = {r["Section code"] for r in rows}
    assert {"period", "summary", "failed_rule", "rubric", "trend", "comment"} <= sections
    trend = next(r for r in rows if r["Section code"] == "trend" and r["Item code"] == "mean_overall")
    assert (trend["Value"], trend["Previous"], trend["Change"]) == ("4.0", "2.0", "2.0")
    assert trend["Section"] == "Trend" and trend["What"] == "Panel's overall rating (average, 1 to 5)"
    problem = next(r for r in rows if r["Section code"] == "failed_rule")
    assert "." not in problem["What"] and "." in problem["Item code"]  # a title for people, the id for programs
    assert rows[0]["What"] == "January to March 2025"


def test_cli_draw_report_and_agreement(env, tmp_path, monkeypatch):
    db, _, path = env
    monkeypatch.setenv("VCL_QA_DB", str(path))
    runner = CliRunner()
    r = runner.invoke(main, ["panel", "draw", "--period", "2024-12", "--seed", "5"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f"Database: {path.resolve()}"
    assert "period 2024-12:" in r.stdout and "seed 5" in r.stdout
    out = tmp_path / "report.html"
    r = runner.invoke(main, ["panel", "report", "--period", "2025Q1", "--format", "html", "-o", str(out)])
    assert r.exit_code == 0 and "Trend against the previous period" in out.read_text()
    r = runner.invoke(main, ["panel", "report", "--period", "2025Q1", "--format", "csv"])
    assert r.stdout.startswith("Section,What,Value,Previous,Change,Detail,Section code,Item code\n")  # database line: stderr
    assert r.stderr.splitlines()[0] == f"Database: {path.resolve()}"
    r = runner.invoke(main, ["panel", "agreement", "--period", "2025Q1"])
    assert json.loads(r.stdout)["ratings"] > 0
    r = runner.invoke(main, ["panel", "agreement", "--period", "2025Q1", "--format", "csv"])
    assert r.stdout.splitlines()[0] == "measure,name,value,count"
    r = runner.invoke(main, ["panel", "report", "--period", "1999Q1"])
    assert r.exit_code == 2 and "no panel period" in r.output
    r = runner.invoke(main, ["panel", "periods"])
    assert "2024Q4" in r.stdout and "2025Q1" in r.stdout
