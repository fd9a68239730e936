"""A manager's review of the board report's trend: the Change column used a hyphen both for a
minus and for "no figure"; figures had mixed places ("3.2" beside "4.14", "70.0" beside "92.33");
the CSV wrote a rise as text ("'+0.68", the formula guard) and a fall as a number (-0.94). Now a
fall has a true minus sign on the page, a missing figure says "no figure", each measure has its
own places everywhere (rules/panel.yml `places_rating`, `places_score`), and the CSV gives every
figure as a number. Real SQLite file, the report's page over HTTP."""
from __future__ import annotations

import csv
import io
import re

import pytest

from live_server import LiveServer
from panel_setup import good_rating, seeded_db
from vcl_qa.db.users import add_user
from vcl_qa.panel import rating, report, sampling
from web_site import signed_in, visible_text

NUMBER = {"mean_overall": r"\d\.\d\d", "mean_score": r"\d{1,3}\.\d", "alpha_overall": r"\u2212?\d\.\d\d",
          "spearman_overall_vs_score": r"\u2212?\d\.\d\d"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """2024Q4: members never agree (one says 5 where the other says 4), an average of 4.50
    exactly; 2025Q1: they always agree, ratings of 3 and 2. So the overall rating falls and
    members' agreement rises."""
    path = tmp_path_factory.mktemp("trend") / "vcl_qa.db"
    db, users, _ = seeded_db(path, panel_members=2)
    for period, marks in (("2024Q4", ((5, 4), (4, 5))), ("2025Q1", ((3, 2), (3, 2)))):
        sampling.draw(db, users["manager"], period)
        for n in (0, 1):
            member = users[f"panel{n}"]
            # in the items' order (a queue's item_id is the member's own random code)
            item_of = dict(db.execute("SELECT code, item_id FROM panel_assignments"))
            for i, q in enumerate(sorted(rating.queue(db, member, period=period), key=lambda q: item_of[q["item_id"]])):
                rating.rate(db, member, q["item_id"], good_rating(marks[n][i % len(marks[n])]))
    data = report.build(db, "2025Q1")
    token = add_user(db, "board-manager", "manager")[1]
    db.close()
    trend = {t["measure"]: t for t in data["trend"]}
    assert trend["mean_overall"]["change"] < 0 < trend["alpha_overall"]["change"]  # the set-up does what it says
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "data": data}
    server.stop()


def _trend_rows(html: str) -> list[list[str]]:
    table = re.search(r"<h2>Trend against the previous period</h2>.*?<table>(.*?)</table>", html, re.S).group(1)
    return [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]


def test_the_trend_says_minus_and_no_figure_apart_to_each_measures_places(site):
    manager = signed_in(site, "manager")
    rows = _trend_rows(manager.get("/panel-periods/2025Q1/report").text)
    trend = site["data"]["trend"]
    assert len(rows) == len(trend)
    for t, (label, value, previous, change) in zip(trend, rows):
        assert "-" not in (value, previous, change), (label, value, previous, change)
        if t["measure"] == "share_poor":
            continue
        places = NUMBER.get(t["measure"], r"\d\.\d\d")  # the rubric's averages: two places
        for cell in (value, previous):
            assert re.fullmatch(places, cell) or cell == "no figure", (label, cell)
        assert re.fullmatch(r"[+\u2212]" + places.replace("\\u2212?", "") + r"|0\.0+|no figure", change), (label, change)
    said = {t["measure"]: r for t, r in zip(trend, rows)}
    now = next(t for t in trend if t["measure"] == "mean_overall")["value"]
    assert said["mean_overall"][1:] == [f"{now:.2f}", "4.50", f"\u2212{4.5 - now:.2f}"]  # "4.5" and "-1.98" before
    assert said["alpha_overall"][3].startswith("+")
    first = _trend_rows(manager.get("/panel-periods/2024Q4/report").text)  # no earlier period
    assert all(r[2] == "no figure" and r[3] == "no figure" for r in first)


def test_the_summary_and_rubric_give_their_averages_to_the_same_places(site):
    html = signed_in(site, "manager").get("/panel-periods/2025Q1/report").text
    summary = visible_text(re.search(r"<h2>Summary</h2>(.*?)</table>", html, re.S).group(1))
    now = site["data"]["summary"]["mean_overall"]
    assert f"Panel's overall rating (average, 1 to 5) {now:.2f}" in summary
    assert re.search(r"Automatic score \(average, 0 to 100\) \d{1,3}\.\d Letters", summary)
    rubric = re.search(r"<h2>Rubric: lowest-rated first</h2>(.*?)</table>", html, re.S).group(1)
    means = re.findall(r'<td class="num">([^<]*)</td><td class="num">\d+</td>', rubric)
    assert means and all(re.fullmatch(r"\d\.\d\d", m) for m in means), means


def test_the_csv_gives_every_trend_figure_as_a_number(site):
    rows = list(csv.DictReader(io.StringIO(report.render_csv(site["data"]))))
    trend = {r["Item code"]: r for r in rows if r["Section code"] == "trend"}
    now = site["data"]["summary"]["mean_overall"]
    assert (trend["mean_overall"]["Value"], trend["mean_overall"]["Previous"], trend["mean_overall"]["Change"]) == \
        (f"{now:.2f}", "4.50", f"-{4.5 - now:.2f}")  # "4.5" before
    rise = trend["alpha_overall"]["Change"]
    assert not rise.startswith("'") and float(rise) > 0  # was "'+0.68": text, beside falls as numbers
    for code, r in trend.items():
        if code == "share_poor":
            continue
        for cell in (r["Value"], r["Previous"], r["Change"]):
            assert cell == "" or float(cell) == float(cell), (code, cell)  # a number, never "'..." or "\u2212..."
    summary = {r["Item code"]: r for r in rows if r["Section code"] == "summary"}
    assert summary["mean_overall"]["Value"] == f"{now:.2f}" and re.fullmatch(r"\d{1,3}\.\d", summary["mean_score"]["Value"])
