"""A paragraph put in by "Insert this paragraph" takes the letter's own apostrophes: in a letter
typed in Word, every apostrophe curly, the review-right paragraph came in with straight ones
("Victims' Right to Review" beside "don’t"; a review of the Word round trip). The letter page in
Chromium against the real server; a letter with a straight apostrophe anywhere is left as it was."""
from __future__ import annotations

import pytest

from browser_helpers import LETTER_CONTEXT, draft, sign_in

pytestmark = [pytest.mark.browser]

CURLY = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\n"
         "I am writing to tell you that we have decided to stop the case against Mr Lane. I know this isn’t "
         "the news you hoped for, and I am sorry.\n\n"
         "The only witness has moved abroad and the police can’t find her, so we cannot prove who started "
         "the fight. Please report anything else that happens to the police.\n\n"
         "Victim Support can help you, free, on 0808 168 9111.\n\n"
         "If you have any questions, please call me on 01632 960214.\n\nYours sincerely\n\nSam Staff\n")


def _insert_review_right(page, site, text: str) -> str:
    letter_id = draft(site, text, {**LETTER_CONTEXT, "victim_name": "Ms Jane Okafor"})
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = page.locator("#findings > li").filter(has_text="Right to review missing")
    card.locator("button.insert").click()
    return page.locator("#text").input_value()


def test_the_review_right_comes_in_with_the_letters_curly_apostrophes(page, site):
    after = _insert_review_right(page, site, CURLY)
    assert "Victims\u2019 Right to Review" in after and "'" not in after


def test_a_letter_with_a_straight_apostrophe_gets_the_paragraph_as_it_is(page, site):
    after = _insert_review_right(page, site, CURLY.replace("isn’t", "isn't"))
    assert "Victims' Right to Review" in after
