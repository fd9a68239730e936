"""A manager's review: with two letters rated, the dashboard and the board report said panel
members agreed "strongly" and the score matched the panel "closely (1.00)" (a rank correlation
of two letters is always 1 or -1). Below `min_letters_for_agreement` (rules/panel.yml) letters
the figure stays and the words say there are too few letters to say: on the dashboard, the board
report's page and CSV, the JSON API and `vcl-qa panel agreement`. The dashboard's chart draws
the agreement figure on its own scale (0.70, not 70 on an axis read as percent), a grey bar for
a figure on too few letters. Real SQLite file, real server."""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from click.testing import CliRunner

from live_server import LiveServer, auth
from panel_setup import good_rating, seeded_db
from vcl_qa.cli import main
from vcl_qa.db.users import add_user
from vcl_qa.panel import agreement, rating, sampling
from web_site import signed_in, visible_text

SVG = "{http://www.w3.org/2000/svg}"
MEMBERS = "too few letters to say (2 rated by more than one member; 5 needed)"
SCORE = "too few letters to say (2 rated; 5 needed)"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("few") / "vcl_qa.db"
    db, users, _ = seeded_db(path, panel_members=2)
    sampling.draw(db, users["manager"], "2025Q1")
    scores = dict(db.execute("SELECT a.code, i.score FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"))
    # Both members rate the same two letters only, in the score's order: 1.00 and a high alpha.
    for n in (0, 1):
        member = users[f"panel{n}"]
        queue = sorted(rating.queue(db, member, period="2025Q1"), key=lambda q: scores[q["item_id"]])
        for overall, q in zip((2, 5), (queue[0], queue[-1])):
            rating.rate(db, member, q["item_id"], good_rating(overall if n == 0 else min(5, overall + 1)))
    figures = agreement.agreement(db, "2025Q1")
    token = add_user(db, "board-manager", "manager")[1]
    db.close()
    assert figures["letters_with_two_or_more_ratings"] == figures["spearman_pairs"] == 2  # as the review had it
    assert figures["alpha_overall"] >= 0.667 and figures["spearman_overall_vs_score"] == 1.0
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "figures": figures, "db": path}
    server.stop()


def test_too_few_letters_in_words():
    assert agreement.min_letters_for_agreement() == 5  # rules/panel.yml
    assert agreement.members_agree_words(0.7, 2) == MEMBERS
    assert agreement.score_agrees_words(1.0, 2) == SCORE
    assert agreement.score_agrees_words(-1.0, 4) == "too few letters to say (4 rated; 5 needed)"
    assert agreement.members_agree_words(0.7, 5) == "strongly" and agreement.score_agrees_words(1.0, 5) == "closely"
    assert agreement.members_agree_words(None, 0) == "not yet enough ratings"


def test_the_dashboard_says_too_few_letters_and_keeps_the_figures(site):
    page = signed_in(site, "manager").get("/dashboard").text
    section = re.search(r'aria-labelledby="h-panel">(.*?)</section>', page, re.S).group(1)
    row = [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", section.split("<tbody>")[1], re.S)]
    f = site["figures"]
    assert row[2] == f"{MEMBERS} ({agreement.figure_words(f['alpha_overall'])})"
    assert row[3] == f"{SCORE} (1.00)"
    assert "strongly" not in row[2] and "closely" not in row[3]


def test_the_dashboard_chart_draws_the_agreement_figure_on_its_own_scale(site):
    page = signed_in(site, "manager").get("/dashboard").text
    svg = ET.fromstring(re.search(r'(<svg[^>]*id="chart-panel".*?</svg>)', page, re.S).group(1))
    shown = agreement.figure_words(site["figures"]["alpha_overall"])
    [bar] = svg.iter(f"{SVG}rect")
    assert bar.find(f"{SVG}title").text == f"January to March 2025: {shown} (too few letters)"
    assert bar.get("fill") == "#6f777b"  # grey: the hint above the chart says what a grey bar is
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert f"{shown} (too few letters)" in texts  # above the bar
    assert str(round(100 * site["figures"]["alpha_overall"])) not in texts  # 0.70, never 70
    assert [t for t in texts if t in ("0", "0.25", "0.5", "0.75", "1")] == ["0", "0.25", "0.5", "0.75", "1"]
    assert "Agreement figure, \u22121 to 1 (not a percentage)" in texts  # the axis says what it is
    hint = visible_text(re.search(r'id="panel-chart-scale">(.*?)</p>', page, re.S).group(1))
    assert "not a percentage" in hint and "A grey bar rests on fewer than 5 letters" in hint


def test_the_board_report_page_csv_and_json_say_too_few_letters(site):
    manager = signed_in(site, "manager")
    html = manager.get("/panel-periods/2025Q1/report").text
    assert re.search(r'id="members-agree">' + re.escape(MEMBERS), html)
    assert re.search(r'id="score-agrees">' + re.escape(SCORE), html)
    assert "1.00 this period" in visible_text(html)  # the figure is kept, in the footnote
    base = f"{site['url']}/api/v1/panel/periods/2025Q1"
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/report", params={"format": "csv"},
                                                     headers=auth(site["tokens"]["manager"])).text)))
    said = {r["Item code"]: r for r in rows if r["Section code"] == "summary"}
    assert (said["alpha_overall"]["Detail"], said["spearman_overall_vs_score"]["Detail"]) == (MEMBERS, SCORE)
    assert said["spearman_overall_vs_score"]["Value"] == "1.00"
    data = httpx.get(f"{base}/report", params={"format": "json"}, headers=auth(site["tokens"]["manager"])).json()
    assert data["agreement_words"] == {"members": MEMBERS, "score": SCORE}
    figures = httpx.get(f"{base}/agreement", headers=auth(site["tokens"]["manager"])).json()
    assert (figures["members_agree_words"], figures["score_agrees_words"], figures["min_letters"]) == (MEMBERS, SCORE, 5)
    assert figures["spearman_overall_vs_score"] == 1.0


def test_the_agreement_command_says_too_few_letters(site, monkeypatch):
    monkeypatch.setenv("VCL_QA_DB", str(site["db"]))
    r = CliRunner().invoke(main, ["panel", "agreement", "--period", "2025Q1"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["members_agree_words"], out["score_agrees_words"]) == (MEMBERS, SCORE)


def test_a_figure_that_rounds_to_nothing_has_no_minus_sign():
    """An agreement of -0.004 was shown "\u22120.00" beside its words and on the chart's bar, as if
    a negative figure: to two places it is 0.00, as +0.004 is."""
    from vcl_qa.reports import charts

    for tiny in (-0.004, -0.0, 0.004):
        assert agreement.shown(tiny) == 0.0 and str(agreement.shown(tiny)) == "0.0"
        assert agreement.figure_words(tiny) == "0.00"
        assert charts.figure(agreement.shown(tiny), 2) == "0.00"
    assert agreement.figure_words(-0.005) == "\u22120.01"
    svg = charts.bar_chart("c", "t", ["Q1"], [agreement.shown(-0.004)], max_value=1, places=2)
    assert "\u22120.00" not in svg


def test_every_rating_the_same_is_said_as_complete_agreement(tmp_path):
    """A review: with every member giving every letter the same rating, alpha has no value, and
    the words said "not yet enough ratings" over a full period of ratings."""
    db, users, _ = seeded_db(tmp_path / "same.db", panel_members=2)
    sampling.draw(db, users["manager"], "2025Q1")
    for n in (0, 1):
        for q in rating.queue(db, users[f"panel{n}"], period="2025Q1"):
            rating.rate(db, users[f"panel{n}"], q["item_id"], good_rating(4))
    figures = agreement.agreement(db, "2025Q1")
    db.close()
    assert figures["letters_with_two_or_more_ratings"] >= 5 and figures["alpha_overall"] is None
    assert figures["members_agree_words"] == agreement.EVERY_RATING_THE_SAME
    assert agreement.members_agree_words(None, 0) == "not yet enough ratings"


def test_every_letter_rated_the_same_is_said_as_no_order_to_compare(tmp_path):
    """An audit: one member rated every letter 3 and the other every letter 4, so each letter's
    mean rating is the same and the score cannot be ranked against it; the board report said
    "The automatic score matched the panel's view: not yet enough ratings" over 7 letters and
    14 ratings."""
    db, users, _ = seeded_db(tmp_path / "flat.db", panel_members=2)
    sampling.draw(db, users["manager"], "2025Q1")
    for n, overall in ((0, 3), (1, 4)):
        for q in rating.queue(db, users[f"panel{n}"], period="2025Q1"):
            rating.rate(db, users[f"panel{n}"], q["item_id"], good_rating(overall))
    figures = agreement.agreement(db, "2025Q1")
    db.close()
    assert figures["spearman_pairs"] >= 5 and figures["spearman_overall_vs_score"] is None
    assert figures["score_agrees_words"] == agreement.NO_ORDER_TO_COMPARE
    assert agreement.score_agrees_words(None, 0) == "not yet enough ratings"
