"""The period report for the board (HTML and CSV) with the trend against the previous period,
and the `vcl-qa panel` commands."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from figures import half_up
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
    for heading in ("The most serious problems found automatically", "Rubric: lowest-rated first",
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
    assert words in ("strongly", "somewhat", "hardly at all", "not yet enough ratings", "completely")
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
    assert (trend["Value"], trend["Previous"], trend["Change"]) == ("4.00", "2.00", "2.00")  # places_rating
    assert trend["Section"] == "Trend" and trend["What"] == "Panel's overall rating (average, 1 to 5)"
    problem = next(r for r in rows if r["Section code"] == "failed_rule")
    assert "." not in problem["What"] and "." in problem["Item code"]  # a title for people, the id for programs
    assert rows[0]["What"] == "January to March 2025"



def test_csv_shares_carry_their_counts_and_counts_their_plural(env):
    """Review 2, item 13: the CSV gave the share of the sample found poor as a bare decimal
    ("0.0") where the page and docs/panel.md promise "25% (3 of 12 letters)", and said
    "found 1 times"."""
    db, _, _ = env
    data = report.build(db, "2025Q1")
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    summary = {r["Item code"]: r for r in rows if r["Section code"] == "summary"}
    letters, poor = data["summary"]["letters"], data["summary"]["poor"]
    assert letters >= 5 and int(summary["poor"]["Value"]) == poor
    share = summary["share_poor"]["Value"]
    assert share == f"{half_up(poor, letters, 0)}% ({poor} of {letters} letters)", share
    trend = next(r for r in rows if r["Section code"] == "trend" and r["Item code"] == "share_poor")
    assert trend["Value"] == share and trend["Previous"].endswith(" letters)")
    assert re.fullmatch(r"(up|down) \d+ percentage points?|no change", trend["Change"]), trend["Change"]
    for r in rows:
        for value in (r["Value"], r["Previous"], r["Change"], r["Detail"]):
            assert not re.search(r"\b1 (times|ratings|answers|letters)\b", value), value
    singles = [r for r in rows if r["Section code"] == "failed_rule" and "found 1 time;" in r["Detail"]]
    assert singles or all(f["findings"] != 1 for f in data["failed_rules"])
    assert all(re.search(r"found (1 time|\d[\d,]* times);", r["Detail"])
               for r in rows if r["Section code"] == "failed_rule")
    html = report.render_html(data)
    assert re.search(r'id="share-poor">' + re.escape(share) + "<", html)
    assert f"<td class=\"num\">{share}</td>" in html  # the trend row too, never a bare decimal


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



@pytest.mark.parametrize("drawn, said", [
    ("2026-07-01T23:30:00+00:00", "drawn Thursday 2 July 2026, 00:30"),  # summer: BST, the next UK day
    ("2026-01-15T23:30:00+00:00", "drawn Thursday 15 January 2026, 23:30"),  # winter: GMT
])
def test_the_periods_command_says_when_a_sample_was_drawn_on_the_uk_clock(tmp_path, monkeypatch, drawn, said):
    """`vcl-qa panel periods` gave the stored UTC text ("drawn 2026-07-01T23:30:00+00:00"), the
    evening before the night a manager drew the sample in summer; the pages and `vcl-qa status`
    give times on the UK's clock."""
    from vcl_qa.db import migrate, open_db
    from vcl_qa.panel import periods

    path = tmp_path / "vcl_qa.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    db = open_db(path)
    try:
        migrate(db)
        periods.create_period(db, None, "2026Q2")
        periods.create_period(db, None, "2026Q3")
        db.execute("UPDATE panel_periods SET drawn_at = ? WHERE name = '2026Q2'", [drawn])
        db.conn.commit()
    finally:
        db.close()
    r = CliRunner().invoke(main, ["panel", "periods"])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.stdout.splitlines() if line.startswith("2026Q")]
    assert lines == ["2026Q2\t2026-04-01\t2026-06-30\t0 letters\t" + said,
                     "2026Q3\t2026-07-01\t2026-09-30\t0 letters\tnot drawn"], lines


def _one_member_reveals(path, answer_first: str | None):
    """One panel member rates and reveals every 2024Q4 letter; marks only the first finding
    of the first letter (`answer_first`), or nothing."""
    db, users, _ = seeded_db(path, panel_members=1, q1_letters=24)
    sampling.draw(db, users["manager"], "2024Q4")
    user = users["panel0"]
    answered = None
    for q in rating.queue(db, user, period="2024Q4"):
        rating.rate(db, user, q["item_id"], good_rating(3))
        findings = rating.reveal(db, user, q["item_id"])
        if findings and answer_first and answered is None:
            rating.judge(db, user, q["item_id"], findings[0]["number"], answer_first)
            answered = findings[0]["rule"]
    return db, users, answered


def test_opening_the_findings_is_not_agreeing_with_them(tmp_path):
    """Report item 11: one member revealed the findings and marked one "not a problem"; the
    board report said the panel agreed with 100% of every check."""
    db, _, answered = _one_member_reveals(tmp_path / "p.db", "not_a_problem")
    data = report.build(db, "2024Q4")
    rules = {r["rule"]: r for r in data["rules"]}
    assert rules[answered]["judged"] == 1 and rules[answered]["agreed"] == 0
    assert rules[answered]["precision"] == 0.0 and rules[answered]["words"] == "0 of 1 answer"
    others = [r for r in data["rules"] if r["rule"] != answered]
    assert others and all(r["precision"] is None and r["words"] == "no answers yet" for r in others)
    assert all(r["unanswered"] == r["shown"] for r in others)
    html = report.render_html(data)
    body = html.split("</style>")[1]
    assert "100%" not in body and "no answers yet" in body and "0 of 1 answer" in body
    assert "counts neither way" in html
    failed = {r["rule"]: r for r in data["failed_rules"]}
    assert all(r["panel_words"] in ("no answers yet", "0 of 1 answer") for r in failed.values())
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    for r in rows:
        if r["Section code"] == "failed_rule":
            assert "%" not in r["Detail"].split("the panel agreed")[1]
        if r["Section code"] == "rule_precision":
            assert r["Value"] in ("no answers yet", "0 of 1 answer")
            assert "not answered (not counted)" in r["Detail"]
    db.close()


def test_nobody_answered_gives_no_percentage(tmp_path):
    db, _, _ = _one_member_reveals(tmp_path / "p.db", None)
    data = report.build(db, "2024Q4")
    assert data["rules"] and all(r["judged"] == 0 and r["precision"] is None for r in data["rules"])
    html = report.render_html(data)
    body = html.split("<h2>Automatic checks as the panel judged them</h2>")[1]
    assert "%" not in body.split('<div class="notes">')[0]
    db.close()


def test_enough_answers_give_a_percentage_with_its_count(tmp_path):
    """Five or more explicit answers: a percentage, always with the answers behind it."""
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=1, q1_letters=24)
    sampling.draw(db, users["manager"], "2024Q4")
    user = users["panel0"]
    counts: dict[str, list[str]] = {}
    for q in rating.queue(db, user, period="2024Q4"):
        rating.rate(db, user, q["item_id"], good_rating(3))
        for f in rating.reveal(db, user, q["item_id"]):
            verdict = "not_a_problem" if len(counts.setdefault(f["rule"], [])) % 4 == 3 else "agree"
            rating.judge(db, user, q["item_id"], f["number"], verdict)
            counts[f["rule"]].append(verdict)
    data = report.build(db, "2024Q4")
    for r in data["rules"]:
        given = counts[r["rule"]]
        agreed = given.count("agree")
        assert (r["judged"], r["agreed"], r["unanswered"]) == (len(given), agreed, 0)
        if len(given) >= 5:
            assert r["words"] == f"{half_up(agreed, len(given), 0)}% ({agreed} of {len(given)} answers)"
        else:
            assert "%" not in r["words"] and r["words"].endswith(f"of {len(given)} answer" + ("s" if len(given) > 1 else ""))
    assert any(len(v) >= 5 for v in counts.values())
    db.close()


def test_pages_show_the_counts_behind_the_panel_and_on_time_figures(tmp_path):
    """The report page and the dashboard over HTTP (real server, no decisions register): the
    panel's agreement as counts with no answers, and the checked letters' on-time share with
    the letters behind it."""
    import re

    from live_server import LiveServer
    from vcl_qa.db.users import add_user
    from web_site import signed_in, visible_text

    path = tmp_path / "p.db"
    db, _, _ = _one_member_reveals(path, "not_a_problem")
    token = add_user(db, "manager-2", "manager")[1]
    db.close()
    server = LiveServer(path).start()
    try:
        client = signed_in({"url": server.url, "tokens": {"manager": token}}, "manager")
        text = visible_text(client.get("/panel-periods/2024Q4/report").text)
        assert "of these" not in text and "no answers yet" in text and "0 of 1 answer" in text
        dash = client.get("/dashboard")
        assert dash.status_code == 200
        # sent letters only: a draft is not on time (review 11a, finding 6)
        m = re.search(r"(\d+) of the (\d+) sent letters? with a due date (?:was|were) sent on or before",
                      visible_text(dash.text))
        share = re.search(r"([\d.]+)% of sent letters on time", visible_text(dash.text))
        assert m and share and float(share.group(1)) == half_up(int(m.group(1)), int(m.group(2)))
    finally:
        server.stop()


def test_the_problem_table_says_what_it_lists_and_how_many_it_leaves_out(env, monkeypatch):
    """Review 9: the table lists the `top_rules` most serious kinds; the rest are counted and
    the one in the most letters is named, so a should-fix problem in many letters is never
    hidden without a word."""
    db, _, _ = env
    full = report.build(db, "2025Q1")["failed_rules"]
    assert len(full) > 2
    rules = report.load_panel_rules()
    monkeypatch.setitem(rules.report, "top_rules", 2)
    data = report.build(db, "2025Q1")
    assert [r["rule"] for r in data["failed_rules"]] == [r["rule"] for r in full[:2]]
    everything = report._all_failed_rules(db, {"id": db.execute(
        "SELECT id FROM panel_periods WHERE name = '2025Q1'").fetchone()[0]})
    # (kinds, not rows: a kind listed at one severity and left out at another is listed)
    listed = {r["rule"] for r in everything[:2]}
    rest = [r for r in everything[2:] if r["rule"] not in listed]
    kinds = len({r["rule"] for r in rest})
    assert data["failed_rules_unlisted"]["count"] == kinds
    common = max(rest, key=lambda r: (r["letters"], r["findings"]))
    html = report.render_html(data)
    assert "The 2 most serious kinds of problem" in html and "The most serious problems found automatically" in html
    line = re.search(r'<p id="unlisted-problems">(.*?)</p>', html).group(1)
    assert f"{kinds} more kinds of problem were found in the sample and are not in this table" in line
    assert common["title"].replace("'", "&#39;") in line and common["share_words"] in line
    assert "Other kinds of problem found, not listed" in report.render_csv(data)
    monkeypatch.setitem(rules.report, "top_rules", 1000)
    data = report.build(db, "2025Q1")
    assert data["failed_rules_unlisted"]["count"] == 0 and 'id="unlisted-problems"' not in report.render_html(data)


def test_every_board_table_scrolls_in_a_focusable_named_box_with_a_hint(env):
    """docs/web.md: the board report's tables scroll sideways in a box that is focusable and
    named for screen readers (as on the dashboard), and a line says so on a small screen."""
    db, _, _ = env
    html = report.render_html(report.build(db, "2025Q1"))
    boxes = re.findall(r'<div class="table-scroll"[^>]*>', html)
    assert len(boxes) >= 4
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box
        assert re.search(r'aria-label="[^"]+ \(scrolls sideways on a small screen\)"', box), box
    labels = re.findall(r'aria-label="([^"]+)"', "".join(boxes))
    assert len(set(labels)) == len(labels)  # each box its own name
    assert 'id="scroll-hint"' in html and "scroll sideways" in html
    assert ".table-scroll:focus-visible" in html and "@media (max-width: 48em) { .scroll-hint { display: block; } }" in html


def test_the_same_words_in_two_bands_are_shown_in_each_with_how_often(tmp_path):
    """Found in a manager's review: comments were kept apart across bands, so "ok" given with a
    1 hid every "ok" given with a 4 or 5, and the high band showed nothing. Each band shows its
    own comments; the same words given more than once in a band are shown once, counted."""
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    try:
        sampling.draw(db, users["manager"], "2024Q4")
        for n, overall in ((0, 1), (1, 5)):
            user = users[f"panel{n}"]
            for q in rating.queue(db, user, period="2024Q4"):
                rating.rate(db, user, q["item_id"], good_rating(overall, "ok"))
        items = len(rating.queue(db, users["panel0"], period="2024Q4"))
        data = report.build(db, "2024Q4")
        shown = [(c["band"], c["comment"], c["times"], c["overall"]) for c in data["comments"]]
        assert shown == [("low", "ok", items, 1), ("high", "ok", items, 5)]
        assert items > 1
        html = report.render_html(data)
        assert f"Given {items} times in this band, first rated 5 out of 5 overall" in html
    finally:
        db.close()


def test_agreement_figures_are_shown_to_two_places_as_on_the_dashboard(env):
    from vcl_qa.panel import agreement

    db, _, _ = env
    data = report.build(db, "2025Q1")
    rows = {t["measure"]: t for t in data["trend"]}
    for measure in ("alpha_overall", "spearman_overall_vs_score"):
        t = rows[measure]
        assert t["words"]["value"] == agreement.figure_words(t["value"])
        assert t["words"]["previous"] == agreement.figure_words(t["previous"])
        assert t["words"]["change"] == agreement.change_words(t["value"], t["previous"])
    assert data["alpha_words"] == agreement.figure_words(data["summary"]["alpha_overall"])
