"""The board report's trend against the previous period gave a change for every figure, however
few letters it rested on: with one letter rated this period, members' agreement "fell" by 0.95
and the panel's average moved beside a share held back as too few letters (an audit of every
figure against a hand count). A change now needs as many letters behind both periods' figures
as the report needs to put a figure into words; the summary says how many of the sampled letters
the panel rated. Real SQLite file."""
from __future__ import annotations

import csv
import io

from panel_setup import good_rating, seeded_db
from vcl_qa.panel import rating, report, sampling
from vcl_qa.panel.agreement import min_answers_for_share, min_letters_for_agreement


def _rate(db, users, period, letters=None):
    for n in (0, 1):
        member = users[f"panel{n}"]
        item_of = dict(db.execute("SELECT code, item_id FROM panel_assignments"))
        queue = sorted(rating.queue(db, member, period=period), key=lambda q: item_of[q["item_id"]])
        for i, q in enumerate(queue[:letters]):
            rating.rate(db, member, q["item_id"], good_rating((4, 3, 5, 2)[(i + n) % 4]))


def test_a_change_resting_on_too_few_letters_is_not_given(tmp_path):
    db, users, _ = seeded_db(tmp_path / "vcl_qa.db", panel_members=2)
    try:
        sampling.draw(db, users["manager"], "2024Q4")
        _rate(db, users, "2024Q4")
        sampling.draw(db, users["manager"], "2025Q1")
        _rate(db, users, "2025Q1", letters=1)  # one letter rated, by both members
        data = report.build(db, "2025Q1")
        before = report.build(db, "2024Q4")["summary"]
    finally:
        db.close()
    assert before["letters_rated"] >= max(min_answers_for_share(), min_letters_for_agreement())  # the set-up
    summary = data["summary"]
    assert summary["letters_rated"] == 1 and summary["letters"] > 1
    trend = {t["measure"]: t for t in data["trend"]}
    for measure in ("mean_overall", "alpha_overall"):
        t = trend[measure]
        assert t["value"] is not None and t["previous"] is not None, measure  # both figures, no change
        assert t["change"] is None, measure
        assert t["words"]["change"].startswith("too few letters to compare (1 "), t["words"]["change"]
        assert " this period, " in t["words"]["change"] and " the period before; " in t["words"]["change"]
    # one letter rated has no rank order to compare: no figure this period, and no change
    assert trend["spearman_overall_vs_score"]["value"] is None
    assert trend["spearman_overall_vs_score"]["words"]["change"] == ""
    assert trend["alpha_overall"]["words"]["change"].startswith("too few letters to compare (1 rated by more than "
                                                                "one member this period, ")
    assert trend["alpha_overall"]["words"]["change"].endswith(f"; {min_letters_for_agreement()} needed)")
    # the sample itself is as large as before: the automatic score's change stands
    assert trend["mean_score"]["change"] is not None or trend["mean_score"]["value"] is None
    html = report.render_html(data)
    assert "too few letters to compare (1 rated this period," in html
    # the figure itself, on one letter, says so beside it, as the summary does
    assert trend["alpha_overall"]["words"]["value"].endswith(" (too few letters to say)")
    assert not trend["alpha_overall"]["words"]["previous"].endswith("(too few letters to say)")
    assert f'id="letters-rated">1 of {summary["letters"]}<' in html
    rows = list(csv.reader(io.StringIO(report.render_csv(data))))
    (row,) = [r for r in rows if r[0] == "Trend" and r[-1] == "alpha_overall"]
    assert row[4].startswith("too few letters to compare")
    assert ["Summary", "Letters the panel rated", "1"] == rows[[r[1] for r in rows].index("Letters the panel rated")][:3]
