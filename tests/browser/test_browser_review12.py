"""Review 12, on the letter page in Chromium against the real server: a knight's letter greeted
"Dear Sir," gets the button "Use “Dear Sir John,”", which puts his greeting in and clears the
finding (it used to offer "Dear Sir Smith", or nothing); a letter with a right-to-left mark
("You \u202edeliaf\u202c to attend", which shows as "You failed to attend") gets a must-fix card
with no button, its words quoted inside <bdi>, and the text after the card reads the right way
round; at desktop and phone widths, with no serious accessibility fault."""
from __future__ import annotations

import re

import pytest

from browser_helpers import LETTER_BODY, LETTER_CONTEXT, assert_accessible, draft, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BODY, CONTEXT = LETTER_BODY, LETTER_CONTEXT


def _card(page, message: str):
    return page.locator("#findings > li", has=page.locator(".finding-message", has_text=message))


def test_a_knight_greeted_dear_sir_gets_his_own_greeting_in_one_click(page, site):
    letter_id = draft(site, "Dear Sir,\n\n" + BODY, {**CONTEXT, "victim_name": "Sir John Smith"})
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = _card(page, 'The greeting "Dear Sir," is impersonal.')
    button = card.get_by_role("button", name="Use “Dear Sir John,”")
    assert button.count() == 1 and "Sir Smith" not in page.locator("#findings").inner_text()
    before = page.locator("#edit-status").get_attribute("data-checks") or "0"
    button.click()
    editor = page.get_by_label("The letter", exact=True)
    assert editor.input_value() == "Dear Sir John,\n\n" + BODY
    page.wait_for_function("n => (document.getElementById('edit-status').getAttribute('data-checks')"
                           " || '0') !== n", arg=before)
    assert _card(page, "The greeting").count() == 0
    shot(page, "letter-knight-greeting")


@pytest.mark.parametrize("width", [390, 1280])
def test_words_behind_a_right_to_left_mark_are_a_must_fix_with_no_button(page, site, width):
    text = BODY.replace("cannot be traced.", "cannot be traced. You \u202edeliaf\u202c to attend court.")
    letter_id = draft(site, "Dear Ms Okafor,\n\n" + text, {**CONTEXT, "victim_name": "Ms Jane Okafor"})
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = _card(page, "Hidden characters here make these words show in a different order")
    assert card.count() == 1
    assert "Must fix" in card.inner_text()
    assert card.locator("button.apply").count() == 0  # no button: the words are typed again
    assert card.locator(".finding-text bdi").inner_text() == "\u202edeliaf\u202c"
    # the quote closes after the words, the right way round
    assert re.search("”$", card.locator(".finding-text a").inner_text())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    shot(page, f"letter-hidden-order-{width}")
