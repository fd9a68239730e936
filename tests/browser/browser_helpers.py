"""Helpers for the browser tests: sign in, screenshots, the axe-core accessibility check."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Every run writes screenshots to var/screenshots (not tracked); `make screenshots` sets
# VCL_QA_SCREENSHOTS=docs/screenshots to refresh the ones the README shows.
SHOTS = ROOT / os.environ.get("VCL_QA_SCREENSHOTS", "var/screenshots")


# A short letter's body under its greeting (a decision, its reason, feelings, the review right),
# and the details of its case, for tests that need a plain letter to act on.
LETTER_BODY = ("I am writing to tell you that we have decided to stop the case against Mr Lane. The only witness "
               "has moved abroad and cannot be traced.\n\nI understand that this will be disappointing.\n\n"
               "If you are not happy with this decision, you can ask us to look at it again. This is called the "
               "Victims' Right to Review. Please ask within 10 working days of receiving this letter.\n\n"
               "Yours sincerely\n\nSam Staff\n")
LETTER_CONTEXT = {"decision": "discontinued", "decision_date": "2025-03-03", "letter_date": "2025-03-04",
                  "victim_category": "standard", "bereaved": False, "offence": "assault"}


def draft(site, text: str, context: dict, *, author: str = "Sam Staff", team: str = "north") -> int:
    """A draft letter stored straight into the test site's database, as `author` of `team`."""
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = open_db(site["db"])
    try:
        return service.submit(db, user_by_name(db, author), text, context, team=team, source="test")["id"]
    finally:
        db.close()


def checks_made(page) -> str:
    """How many checks made while typing have come back (the letter page counts them)."""
    return page.locator("#edit-status").get_attribute("data-checks") or "0"


def wait_for_check(page, before: str) -> None:
    """Wait for the next check made while typing to come back (`before`: checks_made before)."""
    page.wait_for_function("n => (document.getElementById('edit-status').getAttribute('data-checks')"
                           " || '0') !== n", arg=before)


def sign_in(page, token: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Your sign-in token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Serious and critical accessibility violations (WCAG 2.0-2.2 A and AA rules) on the page."""
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_accessible(page) -> None:
    # A click that submits a form returns once the next page has started loading; axe run on
    # a page whose style sheets are not yet applied measures bare links (a full run once found
    # the header's links "too small to touch" that way). Wait for the page to finish loading.
    page.wait_for_load_state("load")
    problems = axe_violations(page)
    assert problems == [], f"{page.url}: {problems}"


def placed(page, text: str, value: str, where: str, context: dict) -> tuple[str, str]:
    """The letter with `value` put in as "Insert this paragraph" puts it (`where`: the rule's
    place), worked out by api/static/insert.js on `page` (conftest `script_page`) with the data
    the letter page gives it, and what the page says of where it went."""
    from api.web.letter_view import insert_data
    from vcl_qa.engine.rules import load_rules

    data = insert_data(load_rules().rules, text, context)
    at = page.evaluate(
        "([text, value, where, data]) => { const d = window.VclInsert.withDecision(data, data.decision_place, text,"
        " data.read_together); return window.VclInsert.place(text, value, where, d); }",
        [text, value, where, data])
    return text[:at["pos"]] + at["text"] + text[at["pos"]:], at["said"]
