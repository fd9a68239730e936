"""Places in the letter as the server counts them (characters) and as the page's scripts do
(JavaScript counts an emoji twice), and the decision's place followed through edits. Found in a
staff review pressing every button on real letters, in Chromium against the real server:

- an emoji early in a letter put every one-click change after it two places early ("I am
  writing ttellrm you ... decided tstopue the case");
- after "Use “stop”" changed the decision's words, "I understand this decision will be
  disappointing" went in before the decision (the page looked for the words as they were);
- a Word file's letter (one line a paragraph) with a blank line under its page header got a
  blank line with every paragraph inserted before the sign-off."""
from __future__ import annotations

import pytest

from browser_helpers import checks_made, draft, shot, sign_in, wait_for_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONTEXT = {"decision": "discontinued", "decision_date": "2026-11-02", "letter_date": "2026-11-03",
           "victim_category": "standard", "victim_name": "Ms Rosa Brennan"}
EMOJI = """Dear Ms Brennan

He sent you a message saying "watch out \U0001F621\U0001F621" on 3 November, and you told the police at once.

I am writing to inform you that we have decided to discontinue the case against Mr Lee Carr. We made this decision prior to the hearing because your phone records could not be obtained in time.

If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of receiving this letter.

Yours sincerely
Sam Staff
"""


def _use(page, label: str) -> None:
    page.get_by_role("button", name=label).first.click()


def test_one_click_changes_after_an_emoji_go_where_the_words_are(page, site):
    letter_id = draft(site, EMOJI, CONTEXT)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    # the marks sit on the words (an emoji counted once by the server, twice here)
    marked = page.evaluate("""() => Array.from(document.querySelectorAll('#editor-marks mark'))
                              .map(m => m.textContent)""")
    assert "inform" in marked and "discontinue" in marked, marked
    _use(page, "Use “tell”")
    assert "I am writing to tell you that we have decided" in editor.input_value()
    # after a check made as it was typed, the places come from the server again: still right
    before = checks_made(page)
    editor.press("Control+End")  # (the caret stays after the changed words, as after typing them)
    editor.type(" ")
    wait_for_check(page, before)
    for label in ("Use “stop”", "Use “before”"):
        if page.get_by_role("button", name=label).count():
            _use(page, label)
    text = editor.input_value()
    assert "decided to stop the case against Mr Lee Carr" in text
    assert "We made this decision before the hearing because" in text
    assert text.replace("tell", "inform", 1).replace("stop the case", "discontinue the case", 1) \
        .replace("before the hearing", "prior to the hearing", 1).rstrip() == EMOJI.rstrip()
    shot(page, "letter-emoji-changes")


def test_the_places_of_characters_beyond_u_ffff_in_both_counts(page, site):
    sign_in(page, site["tokens"]["staff"])
    page.goto("/letters")
    got = page.evaluate("""() => {
        const t = 'a\\u{1F621}b\\u{1F621}\\u{1F621}c', p = window.vclQaPlaces(t);
        const plain = window.vclQaPlaces('abc');
        return {units: [0, 1, 2, 3, 4, 5, 6].map(p.units), chars: [0, 1, 3, 4, 6, 8, 9].map(p.chars),
                plain: [plain.units(2), plain.chars(2)],
                listed: p.findings([{start: 2, end: 5, replace_start: null}])[0]};
    }""")
    assert got["units"] == [0, 1, 3, 4, 6, 8, 9]  # server place -> script place
    assert got["chars"] == [0, 1, 2, 3, 4, 5, 6]  # and back
    assert got["plain"] == [2, 2]
    assert got["listed"] == {"start": 3, "end": 8, "replace_start": None}


DECISION_LATER = """Dear Ms Brennan

Thank you for your patience while we looked at the file the police sent us.

I am writing about the case against Mr Lee Carr, who was charged with assault.

We have decided to discontinue the case against Mr Carr.

The medical report does not show the injury was caused as described.

Yours sincerely
Sam Staff
"""


def test_a_paragraph_goes_after_the_decision_after_its_words_were_changed(page, site):
    letter_id = draft(site, DECISION_LATER, {**CONTEXT, "letter_date": "2026-11-20"})  # late: an apology is due
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    _use(page, "Use “stop”")  # the decision's own words change
    assert "We have decided to stop the case against Mr Carr." in editor.input_value()
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="Feelings not acknowledged"))
    value = card.locator("button.insert").get_attribute("data-value")
    card.locator("button.insert").click()
    assert "after the paragraph that gives the decision" in card.locator(".finding-done").inner_text()
    assert f"We have decided to stop the case against Mr Carr.\n\n{value}\n\nThe medical report" in editor.input_value()


WORD_WITH_HEADER = """Crown Prosecution Service, Area Office

Dear Ms Brennan
I am writing to tell you that we have decided to stop the case against Mr Lee Carr.
The medical report does not show the injury was caused as described.
If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of receiving this letter.
Yours sincerely
Sam Staff
"""


def test_a_word_letter_with_a_page_header_gets_no_blank_lines(page, site):
    letter_id = draft(site, WORD_WITH_HEADER, CONTEXT)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="No support services"))
    value = card.locator("button.insert").get_attribute("data-value")
    card.locator("button.insert").click()
    text = editor.input_value()
    assert f"receiving this letter.\n{value}\nYours sincerely" in text
    assert text.count("\n\n") == 1  # only the one under the page header
