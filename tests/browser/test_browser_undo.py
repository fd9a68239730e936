"""A one-click change can be taken back (a staff review, session 19): the page set the editor's
text afresh, which wiped the browser's own Undo, and once the letter was checked again the
card, with the note of what was changed, was gone (on a phone, with the change out of sight
in the editor, nothing showed what had happened). Now the change is made as typing is (Ctrl+Z
takes it back), and where its card stood a note says what was changed, with "Undo this
change", until the next one-click change. In Chromium against the real server."""
from __future__ import annotations

import pytest

from browser_helpers import LETTER_BODY, LETTER_CONTEXT, checks_made, draft, shot, sign_in, wait_for_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BODY = LETTER_BODY.replace("I am writing to tell you that", "I am writing to inform you that")
TEXT = "Dear Ms Okafor\n\n" + BODY
CONTEXT = {**LETTER_CONTEXT, "victim_name": "Ms Jane Okafor"}
CHANGED = TEXT.replace("to inform you", "to tell you")


def _open(page, site):
    assert BODY != LETTER_BODY
    letter_id = draft(site, TEXT, CONTEXT)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    return page.get_by_label("The letter", exact=True)


def _use_tell(page):
    button = page.get_by_role("button", name="Use “tell”")
    assert button.count() == 1
    before = checks_made(page)
    button.click()
    return before


def _undone(page, editor, undo) -> None:
    """`undo()` takes the change back: the letter as it was, no second Undo offered (a review:
    after Ctrl+Z it stayed, then said the words had changed), and once checked again the
    finding back with its button and the note gone."""
    before = checks_made(page)
    undo()
    assert editor.input_value() == TEXT
    assert page.locator("#findings").get_by_role("button", name="Undo this change").count() == 0
    assert "Undone" in page.locator("#findings").inner_text()
    wait_for_check(page, before)
    assert page.get_by_role("button", name="Use “tell”").count() == 1
    assert page.locator("#findings > li.change-note").count() == 0


def test_undo_this_change_puts_the_words_back_after_the_letter_is_checked_again(page, site):
    editor = _open(page, site)
    before = _use_tell(page)
    assert editor.input_value() == CHANGED
    card = page.locator("#findings > li", has=page.locator(".finding-done", has_text="Changed “inform” to “tell”"))
    assert card.get_by_role("button", name="Undo this change").count() == 1
    wait_for_check(page, before)
    note = page.locator("#findings > li.change-note")
    assert note.count() == 1 and "Changed “inform” to “tell”" in note.inner_text()
    assert note.is_visible()
    shot(page, "letter-change-undo")
    _undone(page, editor, lambda: note.get_by_role("button", name="Undo this change").click())


def test_the_browsers_own_undo_takes_a_one_click_change_back(page, site):
    editor = _open(page, site)
    before = _use_tell(page)
    assert editor.input_value() == CHANGED
    wait_for_check(page, before)
    editor.focus()
    _undone(page, editor, lambda: page.keyboard.press("Control+z"))


def test_typing_before_the_change_moves_it_and_typing_in_it_stops_the_undo(page, site):
    editor = _open(page, site)
    before = _use_tell(page)
    wait_for_check(page, before)
    # typed above the change: Undo still finds the words, further on
    editor.focus()
    editor.press("Control+Home")
    page.keyboard.type("Private. ")
    assert editor.input_value() == "Private. " + CHANGED
    page.locator("#findings > li.change-note").get_by_role("button", name="Undo this change").click()
    assert editor.input_value() == "Private. " + TEXT

    # changed again, then its own words typed over: Undo says so and changes nothing
    editor = page.get_by_label("The letter", exact=True)
    before = checks_made(page)
    wait_for_check(page, before)
    before = _use_tell(page)
    wait_for_check(page, before)
    at = editor.input_value().index("to tell you") + len("to te")
    editor.evaluate("(el, at) => { el.focus(); el.setSelectionRange(at, at); }", at)
    page.keyboard.type("X")
    changed = editor.input_value()
    assert "to teXll you" in changed
    note = page.locator("#findings > li", has=page.get_by_role("button", name="Undo this change"))
    note.get_by_role("button", name="Undo this change").click()
    assert editor.input_value() == changed
    assert "cannot be undone here" in page.locator("#findings").inner_text()


def test_on_a_phone_the_note_stands_where_the_button_was(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=site["url"], locale="en-GB",
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        editor = _open(page, site)
        button = page.get_by_role("button", name="Use “tell”")
        button.scroll_into_view_if_needed()
        y = button.bounding_box()["y"]
        before = checks_made(page)
        button.tap()
        assert editor.input_value() == CHANGED
        wait_for_check(page, before)
        note = page.locator("#findings > li.change-note")
        box = note.bounding_box()
        assert box is not None and abs(box["y"] - y) < 844  # on the screen the button was on
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "letter-change-undo-phone")
        note.get_by_role("button", name="Undo this change").tap()
        assert editor.input_value() == TEXT
    finally:
        context.close()


def test_an_inserted_paragraph_is_taken_out_whole_by_its_undo(page, site):
    editor = _open(page, site)
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="No support services named"))
    before = checks_made(page)
    card.get_by_role("button", name="Insert this paragraph").click()
    inserted = editor.input_value()
    assert inserted != TEXT and "Victim Support" in inserted
    wait_for_check(page, before)
    note = page.locator("#findings > li.change-note")
    assert "Paragraph inserted" in note.inner_text()
    note.get_by_role("button", name="Undo this change").click()
    assert editor.input_value() == TEXT
