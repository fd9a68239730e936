"""A letter saved before control characters were refused (b208eeb) could not be saved again from
its page: the editor gave them back (ESC, BELL, NEXT LINE, and a NUL as U+FFFD), the check as
you type said "Not checked", and every save was refused over a character nobody could see,
however the letter was changed. Now the page shows each as a space, says so, and the next save
keeps the letter without them. In Chromium against the real server."""
from __future__ import annotations

import sqlite3

import pytest

from browser_helpers import LETTER_BODY, LETTER_CONTEXT, checks_made, draft, sign_in, wait_for_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = "Dear Ms Okafor\n\n" + LETTER_BODY
HELD = TEXT.replace("Dear Ms Okafor", "Dear Ms Okafor\x1b[0m", 1) + "\nEnd\x85 of letter\x07.\n"


def test_a_letter_stored_with_control_characters_can_be_edited_and_saved(page, site):
    letter_id = draft(site, TEXT, {**LETTER_CONTEXT, "victim_name": "Ms Jane Okafor"})
    with sqlite3.connect(site["db"]) as db:  # as an earlier release stored it
        db.execute("UPDATE versions SET text = ? WHERE letter_id = ?", [HELD, letter_id])
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    note = page.locator("#control-characters")
    assert note.is_visible()
    assert "3 control characters (such as U+001B ESCAPE, the first at line 1, column 15)" in note.inner_text()
    editor = page.get_by_label("The letter", exact=True)
    shown = editor.input_value()
    assert len(shown) == len(HELD) and not any(c in shown for c in "\x1b\x85\x07\ufffd")
    before = checks_made(page)
    editor.press("End")
    editor.type(" Thank you.")
    wait_for_check(page, before)  # checked as typed: before, "Not checked: text: line 1, column 15: ..."
    assert "Not checked" not in page.locator("#edit-status").inner_text()
    page.get_by_role("button", name="Save as a new version").first.click()
    page.wait_for_load_state()
    assert "saved=" in page.url and page.locator("#control-characters").count() == 0
    with sqlite3.connect(site["db"]) as db:
        text, = db.execute("SELECT text FROM versions WHERE letter_id = ? ORDER BY version DESC LIMIT 1",
                           [letter_id]).fetchone()
    assert "Thank you." in text
    assert not any(c in text for c in "\x1b\x85\x07\ufffd")
