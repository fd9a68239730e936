"""A letter a panel member has open, taken out of the panel's sample meanwhile: the page says so in
the member's words (a review: it said "There is no such letter, or it belongs to another team",
the staff's wording), for the letter and for a code that is no code.
The real server on a real SQLite file."""
from __future__ import annotations

import html
import re

import pytest
from panel_letter_site import start
from web_site import signed_in


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "panel_gone")
    yield s
    s["server"].stop()


def _said(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_letter_taken_out_of_the_sample_says_so_in_the_members_words(site):
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.panel import sampling

    panel = signed_in(site, "panel")
    assert panel.get(f"/panel/{site['code']}").status_code == 200
    db = open_db(site["db"])
    try:
        sampling.remove_letter(db, user_by_name(db, "Mo Manager"), "2026Q4", site["letter_id"],
                               "sent to the wrong address, so not what the victim read")
    finally:
        db.close()
    for page in (panel.get(f"/panel/{site['code']}"), panel.get("/panel/0000000000000000"), panel.get("/panel/x")):
        assert page.status_code == 404
        said = _said(page.text)
        assert "This letter is not in your list" in said
        assert ("It may have been taken out of the panel's list since you opened it: if so, you do not need to "
                "rate it. Go back to your list of letters to see what is left to rate.") in said
        assert "another team" not in said
