"""The letter page by keyboard (review 10a, finding 19): the layer that draws the marks under the
words (`#editor-marks`, hidden from screen readers) took a Tab stop of its own, because it
scrolls; Tab now goes from "Compare versions" straight to the text box. Chromium against the
real server."""
from __future__ import annotations

import pytest

from browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = ("Dear Ms Okafor\n\nWe have decided to stop the case against Mr Lane.\n\n"
        + "\n\n".join(f"Paragraph {i} of a letter long enough for the box to scroll." for i in range(40))
        + "\n\nYours sincerely\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}


def _two_versions(site) -> int:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = open_db(site["db"])
    try:
        user = user_by_name(db, "Sam Staff")
        letter_id = service.submit(db, user, TEXT, CONTEXT, team="north", source="test")["id"]
        service.submit(db, user, TEXT.replace("Mr Lane.", "Mr Lane. I know this is hard news."), {},
                       letter_id=letter_id, source="test")
        return letter_id
    finally:
        db.close()


def test_tab_goes_from_compare_versions_to_the_text_box(page, site):
    letter_id = _two_versions(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    marks = page.locator("#editor-marks")
    assert marks.get_attribute("aria-hidden") == "true" and marks.get_attribute("tabindex") == "-1"
    page.get_by_role("link", name="Compare versions").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "compare"
