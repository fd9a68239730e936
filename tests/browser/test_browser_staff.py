"""Staff in a real browser: paste a flawed letter, see highlights, apply a suggested word, insert
a suggested paragraph, save a new version and see the score rise; keyboard-only use of the form."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from vcl_qa import clock
from browser_helpers import assert_accessible, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FLAWED = (Path(__file__).resolve().parent / "letters" / "flawed.txt").read_text(encoding="utf-8")


def _score(page) -> int:
    return int(page.locator("#score").inner_text())


def test_staff_check_fix_and_save(page, site):
    page.goto("/check")
    assert "/sign-in" in page.url  # signed-out visitors are sent to sign in
    shot(page, "sign-in")
    assert_accessible(page)
    sign_in(page, site["tokens"]["staff"])
    assert page.url.endswith("/check")
    shot(page, "check")
    assert_accessible(page)

    page.get_by_label("The letter", exact=True).fill(FLAWED)
    _fill_details(page)
    page.get_by_label("Case reference (URN)").fill("41HT1099424")
    page.get_by_role("button", name="Check the letter").click()
    page.wait_for_url(re.compile(r"/letters/\d+$"))

    first_score = _score(page)
    assert page.locator("#editor-marks mark.sev-warning").count() >= 2  # the two jargon phrases
    assert "in relation to" in page.locator("#editor-marks mark.sev-warning").all_inner_texts()
    assert re.match(r"Due by \w+day \d+ \w+", page.locator("#due").inner_text())
    assert page.get_by_text("Victims' Right to Review", exact=False).first.is_visible()
    shot(page, "letter-result")
    assert_accessible(page)

    # One click applies a checked replacement (with the capital letter "Prior to" had).
    page.get_by_role("button", name="Use “about”").click()
    page.get_by_role("button", name="Use “Before”").click()
    text = page.get_by_label("The letter", exact=True).input_value()
    assert "I am writing about the case" in text and "Before the trial" in text
    assert "in relation to" not in text and "Prior to" not in text
    assert "in relation to" not in page.locator("#editor-marks").inner_text()

    # The missing review-right paragraph goes in before the sign-off, selected for editing.
    review = page.locator(".finding").filter(has_text="Victims' Right to Review")
    review.get_by_role("button", name="Insert this paragraph").click()
    text = page.get_by_label("The letter", exact=True).input_value()
    assert text.index("Victims' Right to Review") < text.index("Yours sincerely")
    assert page.evaluate("document.activeElement.id") == "text"
    shot(page, "letter-editing")

    page.get_by_role("button", name="Save as a new version and check again").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Saved as version 2").is_visible()
    second_score = _score(page)
    assert second_score > first_score
    assert "Since version 1:" in page.locator("#since").inner_text()
    shot(page, "letter-version-2")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download (Word)").click()
    assert download.value.suggested_filename.endswith("-version-2.docx")

    page.get_by_role("link", name="Compare versions").click()
    page.locator("#fixed-list").wait_for()  # (the list is read once the page has come: under load it came late)
    fixed = page.locator("#fixed-list li").all_inner_texts()
    assert any("Right to Review" in f for f in fixed)
    page.get_by_role("link", name="Back to the letter").click()

    page.get_by_role("link", name="Mark as sent").click()
    page.get_by_label("Day").fill(str(clock.today().day))
    page.get_by_label("Month").fill(str(clock.today().month))
    page.get_by_label("Year").fill(str(clock.today().year))
    if page.get_by_label(re.compile("I confirm it was sent")).count():
        page.get_by_label(re.compile("I confirm it was sent")).check()
    page.get_by_role("button", name="Mark as sent").click()
    if page.locator("#error-summary").count():  # sent today, it has problems its own date had not
        assert "Tick the box" in page.locator("#error-summary").inner_text()
        page.get_by_label(re.compile("I confirm it was sent")).check()
        page.get_by_role("button", name="Mark as sent").click()
    assert page.get_by_role("status").filter(has_text="Marked as sent").is_visible()
    assert page.get_by_role("button", name="Save as a new version and check again").count() == 0


@pytest.mark.parametrize("sign_off", ["With deepest sympathy,", "Regards", "Yn gywir,\n\nYours sincerely,"])
def test_a_paragraph_goes_in_before_any_sign_off_the_checker_knows(page, site, sign_off):
    """The editor's list of sign-offs is the checker's own (rules/structure.yml), so a letter
    signed "With deepest sympathy" or "Regards", or bilingually, gets its paragraph above the
    sign-off and never after the writer's name."""
    sign_in(page, site["tokens"]["staff"])
    page.goto("/check")
    page.get_by_label("The letter", exact=True).fill(FLAWED.replace("Yours sincerely", sign_off))
    _fill_details(page)
    page.get_by_role("button", name="Check the letter").click()
    page.wait_for_url(re.compile(r"/letters/\d+$"))
    review = page.locator(".finding").filter(has_text="Victims' Right to Review")
    review.get_by_role("button", name="Insert this paragraph").click()
    text = page.get_by_label("The letter", exact=True).input_value()
    first_sign_off = sign_off.split("\n")[0]
    assert text.index("Victims' Right to Review") < text.index(first_sign_off) < text.index("J Whitcombe")


def test_check_form_errors_are_next_to_fields(page, site):
    sign_in(page, site["tokens"]["staff"])
    page.goto("/check")
    _fill_date(page, "decision_date", dt.date(2024, 12, 20))
    _fill_date(page, "letter_date", dt.date(2024, 12, 19))
    page.get_by_role("button", name="Check the letter").click()
    summary = page.locator("#error-summary")
    summary.wait_for()  # (the answer page: is_visible does not wait, and read the form before it once)
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Paste the letter" in page.locator("#text-error").inner_text()
    assert ("The letter is dated Thursday 19 December 2024, before the decision (Friday 20 December 2024)"
            in page.locator("#letter_date-error").inner_text())  # in words, not the API's field names
    assert page.get_by_label("The letter", exact=True).get_attribute("aria-invalid") == "true"
    shot(page, "check-errors")
    assert_accessible(page)


def test_a_letter_sent_for_checking_after_the_session_ended_is_offered_back(page, site):
    """The session ended while the letter was pasted and the details filled in: sending it goes
    to the sign-in page and back to the empty form, which offers the letter and its details
    back (kept in the tab only); checked, the next empty form offers nothing."""
    import hashlib
    import sqlite3

    sign_in(page, site["tokens"]["staff"])
    page.goto("/check")
    assert page.locator("#check-kept").is_hidden()
    page.get_by_label("The letter", exact=True).fill(FLAWED)
    _fill_details(page)
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "vclqa_session")
    conn = sqlite3.connect(site["db"])
    conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", [hashlib.sha256(cookie.encode()).hexdigest()])
    conn.commit()
    conn.close()
    page.get_by_role("button", name="Check the letter").click()
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Fcheck$"))
    page.get_by_label("Your sign-in token").fill(site["tokens"]["staff"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/check$"))

    box = page.locator("#check-kept")
    assert box.is_visible() and "was not checked" in box.inner_text()
    assert page.get_by_label("The letter", exact=True).input_value() == ""
    page.get_by_role("button", name="Put it back in the form").click()
    assert box.is_hidden()
    assert page.get_by_label("The letter", exact=True).input_value() == FLAWED
    assert page.get_by_label("Offence", exact=True).input_value() == "harassment"
    assert page.get_by_label("Name the letter should greet").input_value() == "Ms Olivia Grant"
    page.get_by_label("Case reference (URN)").fill("41HT1099424")
    page.get_by_role("button", name="Check the letter").click()
    page.wait_for_url(re.compile(r"/letters/\d+$"))
    page.goto("/check")
    assert page.locator("#check-kept").is_hidden()  # checked: nothing to offer


def _fill_details(page) -> None:
    """The check form's details for the flawed letter (decided today, standard, harassment)."""
    page.get_by_label("What did we decide?").select_option("discontinued")
    _fill_date(page, "decision_date", clock.today())
    page.get_by_label("Victim's rights").select_option("standard")
    page.get_by_label("Writing to a bereaved family member?").select_option("no")
    page.get_by_label("Offence", exact=True).select_option("harassment")
    page.get_by_label("Name the letter should greet").fill("Ms Olivia Grant")


def _fill_date(page, name: str, day: dt.date) -> None:
    """A date as day, month and year (three boxes under one legend)."""
    group = page.get_by_role("group", name=re.compile({"decision_date": "^Date of the decision",
                                                       "letter_date": "^Date the letter"}[name]))
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name")


def _tab_to(page, element_id: str, limit: int = 6) -> None:
    """Press Tab until the field has focus (a date field takes one Tab per part of the date)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}; focus is on {_focused(page)!r}")


def _type_date(page, day: dt.date) -> None:
    """Type a date by keyboard into the focused day box, then the month and year boxes."""
    kb = page.keyboard
    kb.type(str(day.day))
    kb.press("Tab")
    kb.type(str(day.month))
    kb.press("Tab")
    kb.type(str(day.year))


def test_keyboard_only_check_form(page, site):
    sign_in(page, site["tokens"]["staff"])
    page.goto("/check")
    kb = page.keyboard
    kb.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    kb.press("Enter")
    order: list[str] = []
    while not order or order[-1] != "check-button":
        kb.press("Tab")
        if _focused(page) != (order[-1] if order else None):
            order.append(_focused(page))
        assert len(order) < 20
    assert order == ["text", "file", "decision", "decision_date-day", "decision_date-month",
                     "decision_date-year", "letter_date-day", "letter_date-month", "letter_date-year",
                     "victim_category", "bereaved", "offence", "victim_name", "urn", "withdrawal",
                     "reader", "check-button"]
    # Focus is visible: an outline or a focus ring on the focused element.
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.boxShadow]; }""")
    assert style[0] != "none" or style[1] != "none"

    kb.press("Shift+Tab")
    while _focused(page) != "text":  # back to the letter box, by keyboard
        kb.press("Shift+Tab")
    kb.insert_text(FLAWED)
    _tab_to(page, "decision")
    kb.type("Stop")  # type-ahead picks "Stop the case (discontinued)"
    _tab_to(page, "decision_date-day")
    _type_date(page, clock.today())
    assert page.input_value("#decision_date-year") == str(clock.today().year)
    _tab_to(page, "victim_category")
    kb.type("Standard")
    _tab_to(page, "victim_name")
    kb.type("Ms Olivia Grant")
    _tab_to(page, "check-button")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/letters/\d+$"))
    assert page.locator("#editor-marks mark").count() > 0
    assert "Stop the case" in page.locator(".facts").inner_text()
    assert page.locator("#due-words").count() == 1
