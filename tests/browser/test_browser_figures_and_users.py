"""Managers, panel members and admins in a real browser, at desktop and phone widths (issue 12):
the on-time headline and the letters not sent, chart labels at least 12 px on screen, a wrong
filter's message, the panel's questions and findings in plain words, the guide, and an admin
adding a panel member who signs in with a one-time link. Screenshots of each page."""
from __future__ import annotations

import re

import pytest

from browser_helpers import assert_accessible, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
AS_OF = "2025-12-29"  # a day when the sample register has overdue, due-today and due letters

# On-screen height of every chart label: its font size times the scale the SVG is drawn at.
LABEL_PX = """() => [...document.querySelectorAll('.chart svg')].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
})"""


@pytest.fixture(scope="module", autouse=True)
def register(site):
    """The sample decisions register, so that letters never sent are counted."""
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register as reg

    db = open_db(site["db"])
    try:
        reg.import_sample(db)
        # The browser site's letters are team north's: the register's cases are theirs too.
        db.execute("UPDATE decisions SET team = 'north' WHERE team = 'demo'")
    finally:
        db.close()


def _page(browser, site, size: str):
    context = browser.new_context(viewport=WIDTHS[size], base_url=site["url"], locale="en-GB",
                                  reduced_motion="reduce")
    from conftest import AXE

    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize("size", WIDTHS)
def test_manager_sees_honest_figures_and_the_letters_not_sent(browser, site, size):
    context, page = _page(browser, site, size)
    try:
        sign_in(page, site["tokens"]["manager"])
        page.goto(f"/dashboard?as_of={AS_OF}")
        headline = page.locator("#timeliness-headline").inner_text()
        assert re.search(r"\d+(\.\d)?% on time", headline)
        assert re.search(r"\d+ of the \d+ letters that were due before Monday 29 December 2025", headline)
        sizes = page.evaluate(LABEL_PX)
        assert sizes and min(sizes) >= 12, min(sizes)
        # The sample letters were stored today: on that day none had been checked, and it says so.
        assert "No letter had been checked by Monday 29 December 2025" in page.locator("#as-of-note").inner_text()
        shot(page, f"dashboard-{size}")
        assert_accessible(page)

        page.locator("#missing-link").click()
        page.wait_for_url(re.compile(r"/decisions\?status=overdue"))
        assert page.locator("#tab-overdue").get_attribute("aria-current") == "page"
        first = page.locator("#decisions-table tbody tr").first
        assert re.search(r"\d+ working days? overdue", first.inner_text())
        shot(page, f"decisions-overdue-{size}")
        assert_accessible(page)
        first.get_by_role("link", name=re.compile("Write the letter")).click()
        assert page.url.endswith("/letter") and page.get_by_label("Case reference (URN)").input_value()

        page.goto("/dashboard")
        assert page.locator("#suggestions").get_attribute("open") is None
        for name, (day, month, year) in (("From", ("1", "3", "2025")), ("To", ("31", "1", "2025"))):
            group = page.get_by_role("group", name=name, exact=True)  # day, month and year boxes
            group.get_by_label("Day").fill(day)
            group.get_by_label("Month").fill(month)
            group.get_by_label("Year").fill(year)
        page.get_by_role("button", name="Show").click()
        summary = page.locator("#error-summary")
        assert "is before the From date" in summary.inner_text()
        assert page.locator("#date_to-error").is_visible()
        summary.get_by_role("link").first.click()  # the summary's link goes to the boxes
        assert page.evaluate("document.activeElement.id") == "date_to-day"
        assert page.locator(".chart").count() == 0
        shot(page, f"dashboard-error-{size}")
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize("size", WIDTHS)
def test_every_decisions_cell_names_its_column_on_a_phone(browser, site, size):
    """A manager's review at 390 px: the table's headers went off screen and the due date sat
    with no label. On a phone each cell shows its column's name before it; on a desktop the
    headers are there and the cells show no name."""
    context, page = _page(browser, site, size)
    try:
        sign_in(page, site["tokens"]["manager"])
        page.goto(f"/decisions?status=overdue&as_of={AS_OF}")
        due = page.locator("#decisions-table tbody tr").first.locator("td").nth(3)
        before = due.evaluate("td => getComputedStyle(td, '::before').content")
        header = page.locator("#decisions-table thead th").nth(3)
        if size == "phone":
            assert before == '"Due: "'
            box = header.bounding_box()
            assert box is None or box["x"] + box["width"] <= 0  # off screen
            labels = page.locator("#decisions-table tbody tr").first.locator("td").evaluate_all(
                "tds => tds.map(td => getComputedStyle(td, '::before').content)")
            assert labels == ['"Case reference: "', '"Team: "', '"Decision: "', '"Due: "', '"Status: "', '"Letter: "']
        else:
            assert before in ("none", "normal") and header.is_visible()
        shot(page, f"decisions-labels-{size}")
        assert_accessible(page)
    finally:
        context.close()


def test_panel_member_sees_named_questions_and_plain_findings(browser, site):
    for size in WIDTHS:
        context, page = _page(browser, site, size)
        try:
            sign_in(page, site["tokens"]["panel2"])
            page.goto("/panel/guide")
            assert page.get_by_role("heading", name=re.compile("^Clarity")).is_visible()
            shot(page, f"panel-guide-{size}")
            assert_accessible(page)
            page.goto("/panel")
            assert "October to December 2024" in page.locator("table").inner_text()
            links = page.get_by_role("link", name=re.compile(r"^(Rate|Open) letter"))
            links.nth(0 if size == "desktop" else 1).click()
            page.get_by_role("button", name=re.compile("Save my rating|Change my rating")).click()
            errors = page.locator("#error-summary li").all_inner_texts()
            assert len(errors) == 5 and len(set(errors)) == 5
            assert [e.split(":")[0] for e in errors] == ["Clarity", "Empathy", "Explanation of the decision",
                                                         "Next steps", "Overall"]
            shot(page, f"panel-rating-errors-{size}")
            for group, point in (("Clarity", "4"), ("Empathy", "2"), ("Explanation of the decision", "3"),
                                 ("Next steps", "3"), ("Overall", "3")):
                page.get_by_role("group", name=group).get_by_label(point, exact=False).first.check()
            radio = page.get_by_role("group", name="Clarity").locator("input[value='4']")
            box = radio.bounding_box()  # the drawn circle is the input's size (GOV.UK: 40 px)
            assert radio.is_checked() and box["height"] >= 39 and box["width"] >= 39
            page.get_by_role("button", name="Save my rating").click()
            page.get_by_role("button", name="Show the automatic findings").click()
            assert "A finding you leave unmarked is not counted either way" in page.locator("#unmarked-rule").inner_text()
            first = page.locator("#findings .finding").first
            assert first.locator(".finding-title").inner_text().strip()
            assert "Why it matters:" in first.inner_text()
            first.get_by_role("button", name=re.compile("^Not a problem")).click()
            chosen = page.locator("#finding-1").get_by_role("button", name=re.compile("^✓ Not a problem|^Not a problem"))
            assert chosen.get_attribute("aria-pressed") == "true"
            assert page.locator("#finding-1").get_by_role("button", name=re.compile("^Agree")).get_attribute(
                "aria-pressed") == "false"
            shot(page, f"panel-findings-{size}")
            assert_accessible(page)
        finally:
            context.close()


def test_admin_adds_a_panel_member_who_signs_in_with_a_link(browser, site):
    from live_server import make_user

    token = make_user(site["db"], "Addy Admin", "admin")
    for size in WIDTHS:
        context, page = _page(browser, site, size)
        try:
            sign_in(page, token)
            assert page.url.endswith("/admin/users")
            shot(page, f"admin-users-{size}")
            assert_accessible(page)
            page.get_by_label("Name").fill(f"Nia New {size}")
            page.get_by_label("What they will do").select_option("panel")
            page.get_by_role("button", name="Add the user").click()
            assert "It is shown only this once" in page.locator("main").inner_text()
            page.get_by_role("link", name="Back to users").click()
            page.get_by_role("button", name=f"Sign-in link for Nia New {size}").click()
            link = page.locator("#secret").input_value()
            shot(page, f"admin-sign-in-link-{size}")
            assert_accessible(page)
        finally:
            context.close()
        visitor, vpage = _page(browser, site, size)
        try:
            vpage.goto(link)
            vpage.get_by_role("button", name=f"Sign in as Nia New {size}").click()
            vpage.wait_for_url(re.compile(r"/panel$"))
            assert f"Nia New {size}" in vpage.locator(".who").inner_text()
            vpage.goto(link)  # used: someone signed in is told so, not only that the link is spent
            assert vpage.locator("h1").inner_text() == "You are already signed in"
            vpage.context.clear_cookies()
            vpage.goto(link)
            assert "does not work any more" in vpage.locator("#error-summary").inner_text()
            shot(vpage, f"sign-in-link-used-{size}")
        finally:
            visitor.close()
