"""Server-side SVG charts and the dashboard figures behind them."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from vcl_qa import Letter, score_letter
from vcl_qa.reports import charts, dashboard
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service
from vcl_qa.db.users import add_user

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bar_chart_has_one_bar_per_value_and_an_accessible_name():
    root = _parse(charts.bar_chart("c1", "On time", ["2024-11", "2024-12", "2025-01"], [50, None, 100],
                                   unit="%", max_value=100))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "On time"
    assert root.find(f"{SVG}desc").text == "2024-11: 50%; 2024-12: no data; 2025-01: 100%"
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2
    heights = sorted(float(b.get("height")) for b in bars)
    assert heights[1] == 2 * heights[0]  # 100% is twice as tall as 50%


def test_labels_are_escaped():
    svg = charts.hbar_chart("c2", "Rules <top>", ["a<b & c"], [3])
    root = _parse(svg)  # would not parse if the label broke the markup
    assert root.find(f"{SVG}title").text == "Rules <top>"
    assert any(t.text == "a<b & c" for t in root.iter(f"{SVG}text"))


def test_hbar_chart_without_data_says_so():
    root = _parse(charts.hbar_chart("c3", "Rules", [], []))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data"]


def test_stacked_bars_stack_to_the_total():
    root = _parse(charts.stacked_bar_chart("c4", "Verdicts", ["2025-01"], [
        ("Good", [2], "#00703c"), ("Needs work", [1], "#b58105"), ("Poor", [1], "#b10e1e")]))
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == 3
    top = min(float(r.get("y")) for r in rects)
    bottom = max(float(r.get("y")) + float(r.get("height")) for r in rects)
    total_height = sum(float(r.get("height")) for r in rects)
    assert round(bottom - top, 1) == round(total_height, 1)
    assert any(t.text == "4" for t in root.iter(f"{SVG}text"))


def test_axis_top_is_a_round_number():
    assert [charts._nice_max(v) for v in (0, 3, 7, 12, 48, 101)] == [1, 5, 10, 20, 50, 200]


def test_dashboard_figures_by_month(tmp_path):
    db = open_db(tmp_path / "d.db")
    migrate(db)
    user, _ = add_user(db, "mia", "manager")
    text = "Dear Ms Grant\n\nWe have decided to stop the case.\n\nYours sincerely\nJ Whitcombe\n"
    base = {"decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced"}
    on_time = service.submit(db, user, text, {**base, "letter_date": "2024-12-20"}, team="north")["id"]
    late = service.submit(db, user, text, {**base, "letter_date": "2024-12-24"}, team="north")["id"]  # 2 days late
    service.submit(db, user, text, {"letter_date": "2024-12-27"}, team="south")          # not judged: no due date
    service.submit(db, user, text, {**base, "letter_date": "2024-12-20"}, team="north")  # a draft: not judged
    # Only letters sent are judged for time (review 11a, finding 6).
    service.mark_sent(db, user, on_time, dt.date(2024, 12, 20),
                      before_saved_reason="posted first, saved here afterwards to record it")
    service.mark_sent(db, user, late, dt.date(2024, 12, 24),
                      before_saved_reason="posted first, saved here afterwards to record it")
    rows = dashboard.letters_in_scope(db)
    months = dashboard.by_month(rows)
    assert [(m["month"], m["letters"], m["judged_for_time"], m["on_time"], m["timeliness_rate"])
            for m in months] == [("2024-12", 4, 2, 1, 50.0)]
    assert dashboard.summary(dashboard.letters_in_scope(db, team="south"))["letters"] == 1
    assert dashboard.letters_in_scope(db, date_from=dt.date(2025, 1, 1)) == []
    bands = dict(dashboard.score_bands(rows))
    assert sum(bands.values()) == 4 and list(bands)[-1] == "90-100"
    rules = dashboard.frequent_rules(db, rows)
    late = next(r for r in rules if r["rule"] == "timeliness.late")
    assert late == {"rule": "timeliness.late", "title": "Letter late", "severity": "error", "findings": 1,
                    "letters": 1}


def test_letters_as_on_a_past_day(tmp_path):
    """`as_of` bounds what is counted: letters stored by then, their result then, sent only if
    marked sent by then."""
    db = open_db(tmp_path / "d.db")
    migrate(db)
    user, _ = add_user(db, "mia", "manager")
    text = "Dear Ms Grant\n\nWe have decided to stop the case.\n\nYours sincerely\nJ Whitcombe\n"
    base = {"decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced",
            "letter_date": "2024-12-20"}
    first = service.submit(db, user, text, base, team="north")["id"]
    second = service.submit(db, user, text, base, team="north")["id"]
    service.mark_sent(db, user, first, dt.date(2024, 12, 20),
                      before_saved_reason="posted first, saved here afterwards to record it")
    # Stored on 2 and 10 January 2025; the first marked sent on 5 January, its result of then kept.
    with db.conn:
        db.execute("UPDATE letters SET created_at = '2025-01-02T09:00:00', sent_marked_at = '2025-01-05T09:00:00'"
                   " WHERE id = ?", [first])
        db.execute("UPDATE results SET created_at = '2025-01-02T09:00:00' WHERE letter_id = ?", [first])
        db.execute("UPDATE letters SET created_at = '2025-01-10T09:00:00' WHERE id = ?", [second])
        db.execute("UPDATE results SET created_at = '2025-01-10T09:00:00' WHERE letter_id = ?", [second])
    assert dashboard.letters_in_scope(db, as_of=dt.date(2025, 1, 1)) == []
    on_3rd = dashboard.letters_in_scope(db, as_of=dt.date(2025, 1, 3))
    assert [(r["id"], r["status"]) for r in on_3rd] == [(first, "draft")]
    on_6th = dashboard.letters_in_scope(db, as_of=dt.date(2025, 1, 6))
    assert [(r["id"], r["status"]) for r in on_6th] == [(first, "sent")]
    later = dashboard.letters_in_scope(db, as_of=dt.date(2025, 2, 1))
    assert sorted(r["id"] for r in later) == [first, second]
    assert dashboard.summary(later) == dashboard.summary(dashboard.letters_in_scope(db))
    assert dashboard.first_stored(db) == dt.date(2025, 1, 2)
    # Filters still apply beside as_of.
    assert dashboard.letters_in_scope(db, team="south", as_of=dt.date(2025, 2, 1)) == []


def test_due_date_in_words_uses_working_days():
    from api.web.letters import due_in_words

    def words(letter_date: str, status: str = "draft") -> str:
        letter = Letter.from_text("Dear Mr Jones\n\nWe have stopped the case.\n", decision="discontinued",
                                  decision_date="2024-12-19", letter_date=letter_date, victim_category="standard")
        metrics = score_letter(letter).metrics
        return due_in_words(metrics, status, None, today=dt.date(2024, 12, 1))

    # Decision Thu 19 December 2024, 5 working days (25 and 26 December are holidays): Mon 30th.
    assert words("2024-12-20") == "due by Monday 30 December: 4 working days left"
    assert words("2024-12-27") == "due by Monday 30 December: 1 working day left"
    assert words("2024-12-30") == "due by Monday 30 December: due on the letter's date, no working days left"
    assert words("2025-01-01") == "1 working day late (it was due by Monday 30 December)"
    assert words("2025-01-02") == "2 working days late (it was due by Monday 30 December)"
    assert words("2024-12-23", "sent") == "sent on time (due by Monday 30 December)"


def test_the_problems_chart_shows_should_fix_problems_beside_many_must_fix_ones():
    """Review 6: with ten kinds of must-fix problem the chart (cut at ten, must-fix first) showed
    no should-fix problem, though one was in 17 letters; now the most frequent of each."""
    problems = ([{"rule": f"e{i}", "severity": "error", "letters": 20 - i} for i in range(10)]
                + [{"rule": "w0", "severity": "warning", "letters": 17}, {"rule": "w1", "severity": "warning", "letters": 3}])
    charted = dashboard.charted_problems(problems)
    assert [r["rule"] for r in charted] == [f"e{i}" for i in range(8)] + ["w0", "w1"]
    assert len(problems) - len(charted) == 2


def test_many_bars_get_no_figures_on_top_and_thinned_labels():
    """Review 9: with many months, the figures above the bars ran together ("100100100") and the
    month labels overlapped; the figures stay in each bar's title, the description and the table."""
    months = [f"M{i:02d}" for i in range(40)]
    root = _parse(charts.bar_chart("c9", "On time", months, [100] * 39 + [None], unit="%", max_value=100))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "100" not in texts and "no data" not in texts
    labels = [t for t in texts if t and t.startswith("M")]
    assert 0 < len(labels) < 40 and labels[0] == "M00"
    assert len(list(root.iter(f"{SVG}rect"))) >= 39
    few = _parse(charts.bar_chart("c10", "On time", ["a", "b"], [100, None], unit="%", max_value=100))
    assert [t.text for t in few.iter(f"{SVG}text")].count("100") >= 1  # room for the figures


def test_the_dashboard_charts_run_over_every_month_in_the_same_span():
    """Review 9: months with nothing due were left out, so bars five months apart sat side by
    side, and the two month charts had different months."""
    from api.web.dashboard import _every_month

    time = [{"month": "2024-11", "rate": 50.0}, {"month": "2025-02", "rate": 100.0}]
    verdicts = [{"month": "2024-10", "good": 1, "needs_work": 0, "poor": 0}]
    span = [m["month"] for m in time + verdicts]
    filled = _every_month(time, {"rate": None}, span)
    assert [m["month"] for m in filled] == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
    assert [m["rate"] for m in filled] == [None, 50.0, None, None, 100.0]
    assert [m["month"] for m in _every_month(verdicts, {"good": 0, "needs_work": 0, "poor": 0}, span)] == \
        [m["month"] for m in filled]
    assert _every_month([], {"rate": None}, []) == []


def test_a_stacked_chart_with_many_months_labels_neither_zeros_nor_every_month():
    months = [f"M{i:02d}" for i in range(40)]
    root = _parse(charts.stacked_bar_chart("c11", "Results", months, [
        ("Good", [1 if i % 5 == 0 else 0 for i in range(40)], "#00703c")]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "0" not in texts[5:] and "1" not in [t for t in texts if t and not t.startswith("M")][5:]
    assert 0 < len([t for t in texts if t and t.startswith("M")]) < 40
    assert "M01: Good 0" not in root.find(f"{SVG}desc").text  # empty months are not described


def test_a_bar_of_zero_is_drawn_and_a_month_with_no_data_is_not():
    """Found using the dashboard: a month with every letter late (0% on time) drew a bar of no
    height, the same blank as a month with nothing due; 0 is now a dark mark on the zero line."""
    months = [f"M{i:02d}" for i in range(24)]  # narrow slots: no figures above the bars
    values = [None, 0, 50] + [100] * 21
    root = _parse(charts.bar_chart("c11", "On time", months, values, unit="%", max_value=100))
    rects = {r.find(f"{SVG}title").text.split(":")[0]: r for r in root.iter(f"{SVG}rect")}
    assert "M00" not in rects  # no data: nothing drawn
    zero, half = rects["M01"], rects["M02"]
    assert float(zero.get("height")) >= 3 and zero.get("fill") == charts.INK
    assert zero.find(f"{SVG}title").text == "M01: 0%"
    assert half.get("fill") == charts.BAR and float(half.get("height")) > float(zero.get("height"))
    # it stands on the zero line, as the other bars do
    assert float(zero.get("y")) + float(zero.get("height")) == float(half.get("y")) + float(half.get("height"))


def test_an_empty_score_band_is_not_marked():
    """A count by score band: a band with no letters is empty, not a mark (`zero_mark=False`)."""
    root = _parse(charts.bar_chart("c12", "Letters by score", ["0-59", "60-79", "80-100"], [0, 3, 5],
                                   zero_mark=False))
    assert len(list(root.iter(f"{SVG}rect"))) == 3
    assert [float(r.get("height")) for r in root.iter(f"{SVG}rect")][0] == 0


def _axis_figures(svg: str) -> list[str]:
    """The figures beside the grid lines (the y axis), bottom to top."""
    root = _parse(svg)
    return [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]


def test_a_count_axis_has_whole_numbers_only():
    """Found in a manager's review: one letter in a band drew an axis "0, 0.2, 0.5, 0.8, 1" (and
    "Results by month" 0.5 and 1.5 letters). Counts are marked in whole numbers; a rate or an
    average keeps its finer steps."""
    for values, expected in (([1, 0, 0], ["0", "1"]), ([2, 1], ["0", "1", "2"]), ([3], ["0", "1", "2", "3", "4", "5"]),
                             ([7], ["0", "2", "4", "6", "8", "10"])):
        figures = _axis_figures(charts.bar_chart("c", "Letters by score", ["a"] * len(values), values,
                                                 zero_mark=False, whole=True))
        assert figures == expected, values
    stacked = charts.stacked_bar_chart("s", "Results by month", ["Jan 25", "Feb 25"],
                                       [("Good", [1, 0], "#00703c"), ("Poor", [0, 1], "#b10e1e")])
    assert _axis_figures(stacked) == ["0", "1"]
    assert _axis_figures(charts.bar_chart("r", "Average", ["a"], [1.5]))[1] == "0.5"  # not a count


def test_an_agreement_figure_reads_the_same_on_the_chart_the_table_and_the_report():
    """Found in a manager's review: alpha -0.1555 (stored to three places as -0.155) was -16 on
    the dashboard's chart, (-0.15) in its table and -0.155 in the board report."""
    from vcl_qa.panel import agreement

    assert agreement.shown(-0.155) == -0.16 and agreement.shown(0.145) == 0.15 and agreement.shown(None) is None
    assert agreement.figure_words(-0.155) == "\u22120.16"
    assert round(100 * agreement.shown(-0.155)) == -16
    assert agreement.change_words(0.5, -0.155) == "+0.66" and agreement.change_words(-0.155, 0.5) == "\u22120.66"
    assert agreement.change_words(0.5, None) == "" and agreement.change_words(0.5, 0.5) == "0.00"


def test_a_rate_bar_carries_its_counts_and_months_read_as_months():
    """A manager's review: "Dec 25" read as 25 December, and an on-time bar said "25" with no
    "of how many". A bar's figure in words ("25% (1 of 4)") is in its title, the description and
    above it when there is room; a month on a chart is "Dec 2025"."""
    from vcl_qa import labels

    assert labels.short_month_words("2025-12") == "Dec 2025" and labels.short_month_words("2026-01") == "Jan 2026"
    root = _parse(charts.bar_chart("r", "On time", ["Nov 2025", "Dec 2025"], [25, None], unit="%", max_value=100,
                                   figures=["25% (1 of 4)", None]))
    assert [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")] == ["Nov 2025: 25% (1 of 4)"]
    assert root.find(f"{SVG}desc").text == "Nov 2025: 25% (1 of 4); Dec 2025: no data"
    assert "25% (1 of 4)" in [t.text for t in root.iter(f"{SVG}text")]  # room above the bar
    crowded = _parse(charts.bar_chart("r", "On time", [f"M{i}" for i in range(12)], [25] * 12, unit="%",
                                      max_value=100, figures=["25% (1 of 4)"] * 12))
    above = [t.text for t in crowded.iter(f"{SVG}text") if t.get("text-anchor") == "middle" and t.text.startswith("25")]
    assert above and set(above) == {"25"}  # no room for the words: the figure alone, the words in the title


def test_an_agreement_chart_is_on_its_own_scale_and_says_so():
    """A manager's review: the panel chart drew alpha times 100 ("8", "76") on an unlabelled
    0-100 axis that read as percent. It draws the figure itself, to two places, on a -1 to 1
    scale whose name is written above it."""
    root = _parse(charts.bar_chart("p", "Agreement", ["Q4", "Q1"], [0.08, -0.16], max_value=1, places=2,
                                   axis_label="Agreement figure (not a percentage)"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "0.08" in texts and "\u22120.16" in texts and "8" not in texts
    assert {"0", "0.25", "0.5", "0.75", "1", "\u22120.25"} <= set(texts)
    assert texts[0] == "Agreement figure (not a percentage)"
    assert root.find(f"{SVG}desc").text == "Q4: 0.08; Q1: \u22120.16"


def test_a_long_bar_label_goes_on_two_lines_inside_the_chart():
    """A screenshot review: "No reassurance about reporting in future (should fix)" began off the
    left edge of the problems chart at both widths. A label longer than the room beside the bars
    goes on two lines, split between words; the bar's title keeps it whole."""
    import re as _re

    from vcl_qa.reports import charts as _charts

    long = "No reassurance about reporting in future (should fix)"
    svg = _charts.hbar_chart("c", "Problems", [long, "Short"], [28, 3])
    spans = _re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert spans == ["No reassurance about reporting in", "future (should fix)"]
    assert all(len(s) <= _charts.HBAR_LABEL_CHARS for s in spans)
    assert f"<title>{long}: 28</title>" in svg and ">Short</text>" in svg
    # a label too long for two lines is cut short there, never past the chart's edge
    words = _charts._label_lines("word " * 30, _charts.HBAR_LABEL_CHARS)
    assert len(words) == 2 and words[1].endswith("\u2026") and max(map(len, words)) <= _charts.HBAR_LABEL_CHARS


def test_a_bar_says_how_serious_only_when_its_twin_is_on_the_chart():
    """A screenshot review: "Legal or official words (should fix)" sent a manager looking for a
    must-fix bar that was never there (its other row was a suggestion, off the chart). Only a
    check with a bar at each of two severities says which is which."""
    from api.web.dashboard import _chart_title

    def row(rule, severity, letters):
        return {"rule": rule, "title": rule.title(), "severity": severity, "letters": letters, "findings": letters}

    problems = [row("reason", "error", 2), row("reason", "warning", 1), row("jargon", "warning", 5)]
    suggestions = [row("jargon", "suggestion", 9)]
    charted = dashboard.charted_problems(problems)
    twice = dashboard.at_two_severities(charted)
    assert [_chart_title(r, twice) for r in charted] == ["Reason (must fix)", "Reason (should fix)", "Jargon"]
    assert dashboard.at_two_severities(problems + suggestions) == {"reason", "jargon"}  # (the tables')
