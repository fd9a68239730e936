"""Review 11a, finding 9: an automatic score that ranked letters the opposite way to the panel
(Spearman's rho -1) was reported as agreeing "hardly at all", with no number on the dashboard,
and the dashboard's chart drew a negative alpha (members agreeing less than chance) as 0.
Now rho at -0.4 or below is "the opposite way", the dashboard shows each figure beside its
words, and the chart draws a negative value below its zero line. Real SQLite file, real
server."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from live_server import LiveServer, auth
from panel_setup import good_rating, seeded_db
from vcl_qa.db.users import add_user
from vcl_qa.panel import agreement, rating, sampling
from web_site import signed_in, visible_text

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("rho,words", [(1.0, "closely"), (0.7, "closely"), (0.5, "somewhat"), (0.1, "hardly at all"),
                                       (-0.148, "hardly at all"), (-0.39, "hardly at all"),
                                       (-0.4, "the opposite way"), (-1.0, "the opposite way"),
                                       (None, "not yet enough ratings")])
def test_score_agreement_in_words(rho, words):
    assert agreement.score_agrees_words(rho) == words


@pytest.mark.parametrize("alpha,words", [(2 / 3, "strongly"), (0.6651, "strongly"), (0.6649, "somewhat"),
                                         (0.3951, "somewhat"), (0.3949, "hardly at all")])
def test_members_agreement_in_words_as_its_figure_is_shown(alpha, words):
    """The words are judged on the figure shown beside them (two places): alpha of exactly 2/3
    was "somewhat" beside "0.67" and a threshold of 0.667."""
    assert agreement.members_agree_words(alpha) == words


@pytest.mark.parametrize("rho,words", [(0.6951, "closely"), (0.6949, "somewhat"), (-0.3951, "the opposite way"),
                                       (-0.3949, "hardly at all")])
def test_score_agreement_in_words_as_its_figure_is_shown(rho, words):
    assert agreement.score_agrees_words(rho) == words
    assert agreement.figure_words(rho) == {0.6951: "0.70", 0.6949: "0.69", -0.3951: "\u22120.40",
                                           -0.3949: "\u22120.39"}[rho]


def test_figures_keep_their_sign():
    assert agreement.figure_words(-1.0) == "\u22121.00" and agreement.figure_words(0.148) == "0.15"
    assert agreement.figure_words(None) == ""


def _overall_against_score(score: int) -> int:
    """The panel's rating going the other way from the score: the best-scored letters rated 1."""
    return 1 if score >= 95 else 2 if score >= 85 else 3 if score >= 70 else 4 if score >= 50 else 5


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("opposite") / "vcl_qa.db"
    db, users, _ = seeded_db(path, panel_members=2)
    # 2024Q4: both members rate every letter the opposite way to its score.
    # 2025Q1: the members disagree with each other on purpose (one says 1 where the other says 5).
    for period in ("2024Q4", "2025Q1"):
        sampling.draw(db, users["manager"], period)
    scores = dict(db.execute("SELECT a.code, i.score FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"))
    for n in (0, 1):
        member = users[f"panel{n}"]
        for q in rating.queue(db, member, period="2024Q4"):
            rating.rate(db, member, q["item_id"], good_rating(_overall_against_score(scores[q["item_id"]])))
        for i, q in enumerate(sorted(rating.queue(db, member, period="2025Q1"), key=lambda q: scores[q["item_id"]])):
            low_first = 1 if i % 2 == 0 else 5
            rating.rate(db, member, q["item_id"], good_rating(low_first if n == 0 else 6 - low_first))
    q4, q1 = agreement.agreement(db, "2024Q4"), agreement.agreement(db, "2025Q1")
    token = add_user(db, "board-manager", "manager")[1]
    db.close()
    assert q4["spearman_overall_vs_score"] <= -0.4  # the set-up does what it says
    assert q1["alpha_overall"] < 0
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "q4": q4, "q1": q1}
    server.stop()


def test_the_dashboard_says_the_opposite_way_and_shows_the_figures(site):
    page = signed_in(site, "manager").get("/dashboard").text
    section = re.search(r'aria-labelledby="h-panel">(.*?)</section>', page, re.S).group(1)
    rows = {visible_text(tr.split("</td>")[0]).strip(): [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)}
    q4 = rows["October to December 2024"]
    rho = site["q4"]["spearman_overall_vs_score"]
    assert q4[3] == f"the opposite way ({agreement.figure_words(rho)})"
    assert "hardly at all" not in q4[3]
    q1 = rows["January to March 2025"]
    assert q1[2] == f"hardly at all ({agreement.figure_words(site['q1']['alpha_overall'])})"
    assert "\u2212" in q1[2]  # the minus sign is shown


def test_the_chart_draws_a_negative_alpha_below_zero(site):
    page = signed_in(site, "manager").get("/dashboard").text
    svg = ET.fromstring(re.search(r'(<svg[^>]*id="chart-panel".*?</svg>)', page, re.S).group(1))
    value = agreement.figure_words(site["q1"]["alpha_overall"])  # the figure itself, as in the table
    assert value.startswith("\u2212")
    bars = {r.find(f"{SVG}title").text.split(": ")[1]: r for r in svg.iter(f"{SVG}rect")}
    bar = bars[value]  # not cut to 0
    zero = next(line for line in svg.iter(f"{SVG}line") if line.get("stroke-width") == "1.5")
    assert float(bar.get("height")) > 0
    assert float(bar.get("y")) == pytest.approx(float(zero.get("y1")), abs=0.05)  # hangs down from the zero line
    ticks = [t.text for t in svg.iter(f"{SVG}text")]
    assert "0" in ticks and any(t.startswith("\u2212") for t in ticks)  # the axis goes below 0 and says so


def test_the_board_report_says_the_opposite_way(site):
    r = httpx.get(f"{site['url']}/api/v1/panel/periods/2024Q4/report", params={"format": "json"},
                  headers=auth(site["tokens"]["manager"]))
    assert r.status_code == 200, r.text
    assert r.json()["agreement_words"]["score"] == "the opposite way"
    html = signed_in(site, "manager").get("/panel-periods/2024Q4/report").text
    assert re.search(r'id="score-agrees">the opposite way', html)
    assert '"the opposite way" means -0.4 or less' in visible_text(html)
