"""A letter with thousands of findings in a real browser: the page lists the first ones and
counts the rest (as the server does, tests/test_long_letter_page.py), still does after a check
made while typing (letter.js lists them the same way), and passes axe."""
from __future__ import annotations

import pytest

from browser_helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LINE = "Please note u must attend the court in relation to the case."


def _long_draft(site, lines: int = 1000) -> int:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    text = "Dear Ms Okafor\n\n" + "\n".join([LINE] * lines) + "\n\nYours sincerely\n\nSam Staff\n"
    db = open_db(site["db"])
    try:
        user = user_by_name(db, "Sam Staff")
        return service.submit(db, user, text, {"decision": "discontinued"}, team="north", source="test")["id"]
    finally:
        db.close()


def test_a_long_letter_lists_the_first_problems_before_and_after_typing(page, site):
    from api.web.session import settings

    most, alike = int(settings()["findings_listed_most"]), int(settings()["findings_listed_alike"])
    letter_id = _long_draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    cards = page.locator("#findings > li")
    listed = cards.count()
    assert listed <= most
    total = int(page.locator("#findings-count").inner_text())
    assert total > 3000
    assert page.locator("#findings-listed").is_visible()
    assert page.get_by_role("heading", name=f"Not listed here ({total - listed:,})").is_visible()
    assert page.locator(".finding-more").count() == 3
    assert_accessible(page)

    # a check made while typing lists them the same way (not all 3,000 again)
    before = page.locator("#edit-status").get_attribute("data-checks") or "0"
    editor = page.get_by_label("The letter", exact=True)
    editor.press("Control+End")
    editor.type(" Thank you.")
    page.wait_for_function("n => (document.getElementById('edit-status').getAttribute('data-checks')"
                           " || '0') !== n", arg=before, timeout=60_000)
    after, now = cards.count(), int(page.locator("#findings-count").inner_text())
    assert after <= most and now > 3000
    assert page.get_by_role("heading", name=f"Not listed here ({now - after:,})").is_visible()
    assert page.locator(".finding-more").count() == 3
    assert page.locator("#findings .show-words", has_text="“u”").count() == alike
    assert_accessible(page)
