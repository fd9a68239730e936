"""Where "Insert this paragraph" puts a paragraph (review 10a, finding 7): an acknowledgement of
feelings, condolences and an apology for a late letter go after the first paragraph under the
greeting (the decision), never in the last lines; other missing content still goes just before
the sign-off. A Word file's letter (one line a paragraph, a "Re:" line under the greeting) and a
pasted one (blank lines between paragraphs), in Chromium against the real server."""
from __future__ import annotations

import pytest

from browser_helpers import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = ("The police sent us a file asking us to decide whether Mr Whitby should be charged with causing "
         "the death of your husband, Peter, by dangerous driving. We have decided not to charge him.")
WORD_STYLE = f"""Private - to be opened by addressee only
Mrs Susan Hale
12 Mill Lane
Norwich
NR1 4AB
Our reference: 36JK8642026
Dear Mrs Hale
Re: The case against Mr Carl Whitby
{FIRST}
The evidence does not show that his driving fell far below the standard of a careful driver.
If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of receiving this letter.
I would like to offer you a meeting to explain our decision.
Yours sincerely
Martin Gale
Crown Prosecutor
"""
PASTED = f"""Private - to be opened by addressee only

Dear Mrs Hale

The case against Mr Carl Whitby

{FIRST}

The evidence does not show that his driving fell far below the standard of a careful driver.

I would like to offer you a meeting to explain our decision.

Yours sincerely
Martin Gale
"""
# Bereaved, and dated after the due date: acknowledgement, condolences and an apology are missing.
CONTEXT = {"decision": "not_charged", "decision_date": "2024-12-02", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "bereaved": True, "victim_name": "Mrs Susan Hale"}
EARLY = ("Feelings not acknowledged", "No condolences", "No apology for lateness")


def _draft(site, text: str) -> int:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = open_db(site["db"])
    try:
        return service.submit(db, user_by_name(db, "Sam Staff"), text, CONTEXT, team="north",
                              source="test")["id"]
    finally:
        db.close()


def _insert(page, title: str) -> str:
    """Press the card's "Insert this paragraph"; the paragraph it put in."""
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text=title))
    value = card.locator("button.insert").get_attribute("data-value")
    card.locator("button.insert").click()
    assert "Paragraph inserted" in card.locator(".finding-done").inner_text()
    return value


def test_feelings_condolences_and_apology_go_after_the_first_paragraph(page, site):
    letter_id = _draft(site, WORD_STYLE)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    inserted = [_insert(page, title) for title in EARLY]
    lines = editor.input_value().split("\n")
    at = lines.index(FIRST)
    # each went just after the decision, on a line of its own as the letter's paragraphs are
    # (the last one pressed nearest the decision)
    assert lines[at + 1:at + 4] == list(reversed(inserted))
    assert lines[at - 1] == "Re: The case against Mr Carl Whitby" and lines[at - 2] == "Dear Mrs Hale"
    assert lines[at + 4].startswith("The evidence does not show")
    # other missing content still goes just before the sign-off
    support = _insert(page, "No support services")
    text = editor.input_value()
    assert text.index(support) > text.index("I would like to offer you a meeting")
    assert text.index(support) + len(support) + 2 == text.index("Yours sincerely")
    assert "after the first paragraph under the greeting" in page.locator(
        "#findings > li", has=page.locator(".finding-title", has_text=EARLY[0])).locator(".finding-done").inner_text()
    shot(page, "letter-insert-early")


def test_in_a_letter_with_blank_lines_it_is_a_paragraph_of_its_own(page, site):
    letter_id = _draft(site, PASTED)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    value = _insert(page, EARLY[0])
    # after the decision (the heading under the greeting passed over), set apart by blank lines
    assert f"{FIRST}\n\n{value}\n\nThe evidence does not show" in editor.input_value()
