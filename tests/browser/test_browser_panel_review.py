"""A panel member and a manager's pages as a lay reader meets them, in Chromium against the real
server: every label of the guide explained, a rating sent after the session ended kept and offered
back, a sign-in link opened again by someone signed in, what comes after a saved rating and after
the last letter, and a rating sent once the findings were seen."""
from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from browser_helpers import assert_accessible, shot, sign_in
from conftest import AXE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PERIOD = "2024Q4"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
QUESTIONS = ("Clarity", "Empathy", "Explanation of the decision", "Next steps", "Overall")
_names = itertools.count(1)


def _member(site) -> dict:
    """A new panel member with every letter of the period in their list: their token and id."""
    from live_server import make_user
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.panel import sampling

    name = f"Robin Reader {next(_names)}"
    token = make_user(site["db"], name, "panel")
    db = open_db(site["db"])
    try:
        members = db.execute("SELECT count(*) FROM users WHERE role = 'panel' AND disabled = 0").fetchone()[0]
        sampling.assign(db, PERIOD, raters=members)
        return {"name": name, "token": token, "user": user_by_name(db, name)}
    finally:
        db.close()


def _link(site, member) -> str:
    """A one-time sign-in link for the member, as a manager makes one."""
    from vcl_qa.db import open_db
    from vcl_qa.db import sign_in_links
    from vcl_qa.db.users import user_by_name

    db = open_db(site["db"])
    try:
        code, _ = sign_in_links.issue(db, member["user"].id, user_by_name(db, "Mo Manager"))
        return f"/sign-in/link/{code}"
    finally:
        db.close()


def _rate_in_library(site, member, keep: int) -> None:
    """Rate all but the last `keep` letters of the member's list, as if done earlier."""
    from vcl_qa.db import open_db
    from vcl_qa.panel import rating

    db = open_db(site["db"])
    try:
        rows = rating.queue(db, member["user"])
        for r in rows[:len(rows) - keep]:
            rating.rate(db, member["user"], r["item_id"], {
                "scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3,
                "comment": None, "marks": []})
    finally:
        db.close()


def _context(browser, site, viewport):
    context = browser.new_context(viewport=viewport, base_url=site["url"], locale="en-GB", reduced_motion="reduce")
    context.add_init_script(path=str(AXE))
    return context


def _answer(page, point: str) -> None:
    for group in QUESTIONS:
        page.get_by_role("group", name=group).get_by_label(point, exact=False).first.check()


def _end_session(site, context) -> None:
    """The member's session ends (its hours are up) while the page stays open."""
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "vclqa_session")
    conn = sqlite3.connect(site["db"])
    conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", [hashlib.sha256(cookie.encode()).hexdigest()])
    conn.commit()
    conn.close()


def _in_view(page, selector: str) -> bool:
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                   return r.top >= 0 && r.bottom <= innerHeight; }""", selector)


def test_every_label_in_the_guide_is_said_in_plain_words(browser, site):
    """A review found "[OTHER CASE REF]: other case ref", "[BANK DETAILS]: bank" and
    "[NUMBER]: number": the tag's own code, which tells a lay reader nothing."""
    from vcl_qa.panel.redact import load_rules

    context = _context(browser, site, PHONE)
    page = context.new_page()
    try:
        sign_in(page, _member(site)["token"])
        page.goto("/panel/guide")
        expect(page).to_have_title(re.compile("^Guide for panel members"))
        rows = dict(tuple(t.strip() for t in row.split("\t")) for row in
                    page.locator("table.tags tbody tr").all_inner_texts())
        for kind, tag in load_rules().tags.items():
            words = rows[tag]
            code = set(re.findall(r"[a-z]+", f"{kind} {tag}".lower().replace("_", " ")))
            assert set(re.findall(r"[a-z']+", words.lower())) - code, (tag, words)  # more than its code
        assert "different case" in rows["[OTHER CASE REF]"]
        assert "passport" in rows["[ID NUMBER]"]
        assert "account" in rows["[BANK DETAILS]"]
        assert "different people" in rows["[NAME]"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "panel-guide-labels-390")
        assert_accessible(page)
    finally:
        context.close()


def test_a_rating_sent_after_the_session_ended_is_offered_back(browser, site):
    """A member rated a letter, was signed out meanwhile, and pressed "Save my rating": the page
    asked for a token they never had, and their answers were gone. Now the sign-in page says what
    to do, and the letter's page (opened from a new link, in a new tab) offers the answers back."""
    member = _member(site)
    context = _context(browser, site, PHONE)
    page = context.new_page()
    try:
        page.goto(_link(site, member))
        page.locator("#use-link").click()
        page.wait_for_url(re.compile("/panel$"))
        page.get_by_role("link", name="Rate letter 2", exact=True).click()
        code = page.url.rsplit("/", 1)[1]
        expect(page.locator("h1")).to_have_text(re.compile(r"^Review letter 2 of \d+$"))
        expect(page).to_have_title(re.compile(r"^Review letter 2 of \d+ - "))
        _answer(page, "4")
        page.get_by_label("Your comments for the writer").fill("Kind, and the next steps are clear.")
        quote = page.locator("#anonymised-letter").inner_text().strip().splitlines()[0].strip()
        page.locator("#mark_quote_0").fill(quote)
        page.locator("#mark_comment_0").fill("A personal greeting.")
        _end_session(site, context)
        page.locator("#save-rating").click()
        page.wait_for_url(re.compile(r"/sign-in\?next="))
        said = page.locator("#sign-in-again").inner_text()
        assert "signed out after 8 hours" in said and "Put my answers back" in said
        assert "ask the person who sent it for a new one" in page.locator("main").inner_text()
        shot(page, "panel-signed-out-390")
        assert_accessible(page)

        tab = context.new_page()  # the new link, opened from an email, comes in a new tab
        tab.goto(_link(site, member))
        tab.locator("#use-link").click()
        tab.wait_for_url(re.compile("/panel$"))
        row = tab.locator("tr", has=tab.get_by_role("link", name="Rate letter 2", exact=True))
        assert "answers not saved yet" in row.inner_text()
        tab.get_by_role("link", name="Rate letter 2", exact=True).click()
        kept = tab.locator("#rating-kept")
        expect(kept).to_be_visible()
        assert _in_view(tab, "#rating-kept")  # above the letter, not under it on a phone
        shot(tab, "panel-answers-kept-390")
        assert_accessible(tab)
        tab.get_by_role("button", name="Put my answers back").click()
        for group in QUESTIONS:
            assert tab.get_by_role("group", name=group).locator("input[value='4']").is_checked(), group
        assert tab.get_by_label("Your comments for the writer").input_value() == "Kind, and the next steps are clear."
        assert tab.locator("#mark_quote_0").input_value() == quote
        assert tab.locator("#mark_comment_0").input_value() == "A personal greeting."
        tab.locator("#save-rating").click()
        tab.wait_for_url(re.compile(rf"/panel/{code}\?saved=rating"))
        # the news is where a saved rating lands, on a phone too
        expect(tab.locator("#rating-saved")).to_contain_text("Your rating is saved")
        assert _in_view(tab, "#rating-saved")
        assert "A personal greeting." in tab.locator(".marks-list").inner_text()
        tab.reload()
        expect(tab.locator("#rating-kept")).to_be_hidden()  # saved: nothing is offered again
    finally:
        context.close()


def test_a_used_link_opened_by_someone_signed_in_says_so(browser, site):
    """A member who comes back by opening the link in their email again was told only that it
    "does not work any more" and to ask for a new one, though they were still signed in."""
    member = _member(site)
    context = _context(browser, site, PHONE)
    page = context.new_page()
    try:
        link = _link(site, member)
        page.goto(link)
        page.locator("#use-link").click()
        page.wait_for_url(re.compile("/panel$"))
        page.goto(link)
        expect(page.locator("h1")).to_have_text("You are already signed in")
        expect(page).to_have_title(re.compile("^You are already signed in"))
        assert member["name"] in page.locator("#already-signed-in").inner_text()
        assert page.locator("#error-summary").count() == 0
        shot(page, "panel-link-again-390")
        assert_accessible(page)
        page.get_by_role("link", name="Go to your letters to review").click()
        page.wait_for_url(re.compile("/panel$"))

        other = _context(browser, site, PHONE)  # someone not signed in still learns the link is spent
        try:
            spent = other.new_page()
            spent.goto(link)
            assert "does not work any more" in spent.locator("#error-summary").inner_text()
        finally:
            other.close()
    finally:
        context.close()


def test_the_pages_say_what_comes_next_up_to_the_last_letter(browser, site):
    """After a rating was saved and its findings answered, the page ended with the last finding:
    nothing said where to go, and after the last letter nothing said the work was done."""
    member = _member(site)
    _rate_in_library(site, member, keep=2)
    for viewport in (PHONE, DESKTOP):
        context = _context(browser, site, viewport)
        page = context.new_page()
        try:
            sign_in(page, member["token"])
            if viewport is PHONE:
                rows = page.get_by_role("link", name=re.compile(r"^Rate letter \d+$"))
                assert rows.count() == 2
                first, last = (rows.nth(i).inner_text() for i in (0, 1))
                rows.first.click()
                _answer(page, "3")
                page.locator("#save-rating").click()
                what_next = page.locator("#what-next + p")
                assert "1 letter still to rate" in what_next.inner_text()
                page.locator("#reveal").click()
                assert page.locator("#next-letter").inner_text() == last
                shot(page, "panel-what-next-390")
                assert_accessible(page)
                page.locator("#next-letter").click()
                expect(page.locator("h1")).to_have_text(re.compile(rf"^Review letter {last.split()[-1]} of \d+$"))
                assert first != last
            else:
                page.get_by_role("link", name=re.compile(r"^Rate letter \d+$")).click()
                _answer(page, "5")
                page.locator("#save-rating").click()
                assert "rated every letter in your list" in page.locator("#all-rated").inner_text()
                assert page.locator("#next-letter").count() == 0
                shot(page, "panel-all-rated")
                assert_accessible(page)
                page.get_by_role("link", name="Letters to review", exact=True).click()
                assert page.locator("main").get_by_text("0 of", exact=False).count() >= 1
                assert "rated every letter in your list" in page.locator("#all-rated").inner_text()
                assert_accessible(page)
        finally:
            context.close()


def test_a_rating_sent_after_the_findings_were_seen_says_so_plainly(browser, site):
    """The same letter open in two tabs: the findings seen in one, "Save my rating" pressed in
    the other. The error read "the automatic findings were revealed; ..." and its link went to
    a question no longer on the page."""
    member = _member(site)
    context = _context(browser, site, PHONE)
    try:
        first = context.new_page()
        sign_in(first, member["token"])
        first.get_by_role("link", name="Rate letter 1", exact=True).click()
        _answer(first, "2")
        second = context.new_page()
        second.goto(first.url)
        _answer(second, "4")
        second.locator("#save-rating").click()
        second.locator("#reveal").click()
        first.locator("#save-rating").click()
        summary = first.locator("#error-summary")
        expect(summary).to_be_focused()
        said = summary.inner_text()
        assert said.count("There is a problem") == 1
        message = summary.locator("li").inner_text()
        assert message.startswith("You have already looked at the automatic findings")
        assert "were not saved" in message
        target = summary.locator("a").get_attribute("href")
        assert first.locator(target).count() == 1, target
        summary.locator("a").click()
        assert _in_view(first, target)
        assert "You rated this letter 4 out of 5" in first.locator("main").inner_text()
        shot(first, "panel-rating-locked-390")
        assert_accessible(first)
    finally:
        context.close()


def test_a_period_page_heading_names_the_period_and_what_the_letters_are(browser, site):
    """A period drawn straight to the panel was headed "Check the letters before the panel reads
    them", though the panel was reading them already, and no heading named the period."""
    context = _context(browser, site, PHONE)
    page = context.new_page()
    try:
        sign_in(page, site["tokens"]["manager"])
        page.goto(f"/panel-periods/{PERIOD}")  # drawn straight to the panel (tests/browser/conftest.py)
        expect(page.locator("h1")).to_have_text("The letters as the panel reads them: October to December 2024")
        expect(page).to_have_title(re.compile("^The letters as the panel reads them, October to December 2024"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "panel-period-letters-390")
        assert_accessible(page)
    finally:
        context.close()
