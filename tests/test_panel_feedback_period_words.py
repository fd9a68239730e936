"""The staff letter page's panel feedback names the period as every other page does, "October to
December 2026", never its code (a user review read "Panel member A (2026Q4)"). The real server
on a real SQLite file, the page as staff read it."""
from __future__ import annotations

import re

import pytest
from panel_letter_site import RATING, start
from web_site import signed_in, visible_text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "feedback_words")
    yield s
    s["server"].stop()


def test_the_feedback_heading_gives_the_period_in_words(site):
    page = signed_in(site, "staff").get(f"/letters/{site['letter_id']}")
    assert page.status_code == 200
    feedback = re.search(r'<details class="panel-feedback">(.*?)</details>', page.text, re.S).group(1)
    text = visible_text(feedback)
    assert f"Panel member A (October to December 2026): {RATING['overall']} out of 5 overall" in text
    assert "2026Q4" not in text


def test_the_feedback_gives_the_same_words_as_the_panel_pages(site):
    """The words come from the helper the other pages use (panel/periods.period_words)."""
    from vcl_qa.db import open_db
    from vcl_qa.panel import feedback, periods

    db = open_db(site["db"])
    try:
        (r,) = feedback.feedback(db, site["letter_id"])["ratings"]
        assert r["period"] == "2026Q4"  # the code stays for the JSON API
        assert r["period_words"] == periods.period_words(periods.get_period(db, "2026Q4")) == "October to December 2026"
    finally:
        db.close()
