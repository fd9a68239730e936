"""The staff letter page's "Checks not done yet" box says plainly what answering each question
does (a user review read "Did the victim withdraw support? Lets these be checked: The victim's
own views not mentioned.": "Lets" with no apostrophe, and the check's title read as something said
of the letter). The real server on a real SQLite file, the page as staff read it."""
from __future__ import annotations

import re

import pytest
from live_server import LiveServer, make_user
from web_site import signed_in, visible_text

TEXT = ("Dear Ms Grant\n\nWe have decided to stop the case, because the only witness has moved abroad and "
        "cannot be traced.\n\nI am sorry to bring you this news.\n\nYours sincerely\n\nJ Whitcombe\n")
# No decision date, nothing said of a bereaved relative or of the victim withdrawing support.
CONTEXT = {"decision": "discontinued", "victim_category": "standard", "victim_name": "Ms Olivia Grant"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    path = tmp_path_factory.mktemp("missing_details") / "vcl_qa.db"
    tokens = {"staff": make_user(path, "Sam Staff", "staff", "east")}
    db = open_db(path)
    try:
        letter_id = service.submit(db, user_by_name(db, "Sam Staff"), TEXT, CONTEXT, team="east")["id"]
    finally:
        db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": tokens, "letter_id": letter_id}
    server.stop()


def _box(site) -> str:
    page = signed_in(site, "staff").get(f"/letters/{site['letter_id']}")
    assert page.status_code == 200
    # (to the end of the box: each date question is a fieldset of its own inside it)
    return re.search(r'<fieldset class="missing-details" id="missing-details">(.*?)</fieldset>\s*(?=<div|<button)',
                     page.text, re.S).group(1)


def _hint(box: str, field: str) -> str:
    return visible_text(re.search(rf'id="detail-{field}-hint"[^>]*>(.*?)</(p|div|span)>', box, re.S).group(1)).strip()


def test_each_question_says_what_answering_it_lets_us_check(site):
    box = _box(site)
    assert "Lets these be checked" not in visible_text(box)
    assert _hint(box, "withdrawal") == ("Answering it lets us check the letter for this problem: "
                                        "“The victim's own views not mentioned”.")
    assert _hint(box, "bereaved") == ("Answering it lets us check the letter for these problems: "
                                      "“No condolences”, “No offer to meet”.")


def test_a_date_question_says_the_same_then_how_to_type_the_date(site):
    text = visible_text(_box(site))
    assert ("Answering it lets us check the letter for these problems: “Letter late”, “No apology for "
            "lateness”. For example, 27 3 2025.") in text
