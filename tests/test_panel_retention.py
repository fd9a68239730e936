"""Purging a letter (vcl-qa purge) also empties the panel's copy of it: the anonymised text and
the panel's free text about it (comments, marked passages' notes, verdict notes), which can
quote the letter. Ratings, scores and verdicts stay, so the period's figures are unchanged; the
board report, the period page and the member's page say the text was removed."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from panel_setup import good_rating, seeded_db
from vcl_qa.letters import bulk
from vcl_qa.letters.store import Conflict
from vcl_qa.panel import agreement, feedback, rating, report, sampling

COMMENT = "The paragraph about the trial is hard to follow and the ending feels cold."


@pytest.fixture()
def rated(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    sampling.draw(db, users["manager"], "2024Q4")
    for n, overall in ((0, 4), (1, 2)):
        member = users[f"panel{n}"]
        for q in rating.queue(db, member, period="2024Q4"):
            body = good_rating(overall, COMMENT)
            body["marks"] = [{"start": 0, "end": 4, "comment": "Quoted: " + COMMENT}]
            rating.rate(db, member, q["item_id"], body)
            found = rating.reveal(db, member, q["item_id"])
            if found:
                rating.judge(db, member, q["item_id"], found[0]["number"], "agree", "As the letter says: " + COMMENT)
    yield db, users
    db.close()


def test_purge_empties_the_panel_copy_and_comments_and_keeps_the_figures(rated):
    db, users = rated
    before = agreement.agreement(db, "2024Q4")
    summary_before = report.build(db, "2024Q4")["summary"]
    assert COMMENT in report.render_html(report.build(db, "2024Q4"))
    purged = bulk.purge(db, 0, today=dt.date(2025, 1, 1))  # every letter sent in 2024
    items = [r for r in db.query("SELECT id, letter_id, text, redactions FROM panel_items")
             if r["letter_id"] in purged]
    assert items and all(r["text"] == "" and r["redactions"] == "[]" for r in items)
    free_text = [v for (v,) in db.execute(
        "SELECT comment FROM panel_ratings UNION ALL SELECT comment FROM panel_marks"
        " UNION ALL SELECT note FROM panel_verdicts") if v]
    assert not any(COMMENT in v for v in free_text)
    assert db.execute("SELECT count(*) FROM panel_verdicts").fetchone()[0] > 0  # the answers stay
    assert agreement.agreement(db, "2024Q4") == before
    data = report.build(db, "2024Q4")
    assert data["summary"] == summary_before and data["purged_letters"] == len(items)
    html = report.render_html(data)
    assert COMMENT not in html and 'id="purged-line"' in html
    assert "purged under the retention rules" in html and "ratings still count" in html
    assert "Letters purged under the retention rules" in report.render_csv(data)
    # The member's page data and the writer's feedback say so, and rating it again is refused.
    member = users["panel0"]
    code = rating.queue(db, member, period="2024Q4")[0]["item_id"]
    item = rating.open_item(db, member, code)
    assert item["text"] == "" and item["text_removed"] is True
    with pytest.raises(Conflict, match="retention rules"):
        rating.rate(db, member, code, good_rating(3))
    fb = feedback.feedback(db, items[0]["letter_id"])
    assert fb["ratings"] and all(r["text_removed"] and r["comment"] is None for r in fb["ratings"])
    assert all(m["comment"] == "" and m["passage"] == "" for r in fb["ratings"] for m in r["marks"])
    assert not any(COMMENT in json.dumps(p) for p in sampling.preview_items(db, "2024Q4"))
    assert all(p["text_removed"] for p in sampling.preview_items(db, "2024Q4"))


def test_a_letter_not_purged_keeps_its_panel_copy(rated):
    db, _ = rated
    bulk.purge(db, 0, today=dt.date(2024, 1, 1))  # nothing that old
    assert all(r["text"] for r in db.query("SELECT text FROM panel_items"))
    assert COMMENT in report.render_html(report.build(db, "2024Q4"))
