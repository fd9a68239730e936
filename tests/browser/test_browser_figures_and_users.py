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


# The pager's two links and where the rows stand: on screen, each at least 44 px high, and on a
# phone the line saying where the rows stand above the two links, which share the line under it.
PAGER = """() => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
                      return {x: r.x, y: r.y, right: r.right, height: r.height}; };
  const nav = document.querySelector('nav.pager');
  return {prev: box(nav.querySelector('a[rel=prev]')), next: box(nav.querySelector('a[rel=next]')),
          where: box(nav.querySelector('.pager-position')), width: document.documentElement.scrollWidth,
          view: window.innerWidth};
}"""


def _pager_fits(page, size: str) -> dict:
    at = page.evaluate(PAGER)
    assert at["width"] <= at["view"], at  # the page does not scroll sideways
    links = [b for b in (at["prev"], at["next"]) if b]
    assert links and all(b["x"] >= 0 and b["right"] <= at["view"] and b["height"] >= 44 for b in links), at
    if size == "phone" and at["prev"] and at["next"]:
        assert at["where"]["y"] < at["prev"]["y"] and abs(at["prev"]["y"] - at["next"]["y"]) < 2, at
        assert at["next"]["right"] > at["view"] - 40, at  # at the right-hand side
    return at


def _ids(page) -> list[int]:
    return [int(t.split()[-1]) for t in page.locator("tbody tr td:first-child a").all_inner_texts()]


@pytest.mark.parametrize("size", WIDTHS)
def test_paging_through_the_letters_and_the_register_while_others_write(browser, site, size):
    """Both lists page by place: a letter saved by someone else between page 1 and page 2 makes
    page 2 neither repeat nor skip a letter, the links keep the filters, and the pager is usable
    at 390 px. Screenshots of both pages of each list."""
    from browser_helpers import LETTER_BODY, LETTER_CONTEXT, draft

    context, page = _page(browser, site, size)
    try:
        sign_in(page, site["tokens"]["manager"])
        page.goto("/letters?team=north")
        count = int(re.match(r"(\d+) letters found", page.locator("#letters-count").inner_text()).group(1))
        assert count > 25  # the sample letters, at least: two pages
        first = _ids(page)
        assert len(first) == 25 and f"1 to 25 of {count} letters" in page.locator("nav.pager").inner_text()
        _pager_fits(page, size)
        shot(page, f"letters-page-1-{size}")
        assert_accessible(page)
        added = draft(site, "Dear Ms Okafor\n\n" + LETTER_BODY, LETTER_CONTEXT)  # someone saves one meanwhile
        page.get_by_role("link", name="Older letters").click()
        page.wait_for_url(re.compile(r"before_id="))
        assert "team=north" in page.url
        second = _ids(page)
        assert second and not set(first) & set(second) and max(second) < min(first)
        assert len(first) + len(second) == min(count, 50)  # none skipped either
        assert f"Showing 27 to {26 + len(second)}, newest first." in page.locator("#letters-count").inner_text()
        _pager_fits(page, size)
        shot(page, f"letters-page-2-{size}")
        assert_accessible(page)
        page.get_by_role("link", name="Newer letters").click()  # page 1 as it was, one letter above it now
        page.wait_for_url(re.compile(r"after_id="))
        assert _ids(page) == first and "2 to 26 of" in page.locator("nav.pager").inner_text()
        _pager_fits(page, size)  # both links: on a phone, one at each side of the line
        shot(page, f"letters-between-{size}")
        page.get_by_role("link", name="Newer letters").click()  # the first page as it is now
        assert _ids(page) == [added, *first[:24]] and page.get_by_role("link", name="Newer letters").count() == 0

        page.goto("/letters?team=north&page=2")  # a bookmark from before: page 2 as it is now, said
        assert "old link to page 2" in page.locator("#old-page-note").inner_text()
        assert _ids(page) == first[24:] + second[:24]
        page.goto("/letters?team=north&before_id=12abc")  # a link cut or changed by hand: said
        assert "starts from the newest letter" in page.locator("#list-note").inner_text()
        assert _ids(page)[0] == added
        shot(page, f"letters-odd-place-{size}")
        assert_accessible(page)

        page.goto("/decisions?team=north")  # the whole register, as today: 52 decisions, two pages
        rows = page.locator("#decisions-table tbody tr")
        top = rows.first.locator("td").first.inner_text()
        assert rows.count() == 50 and page.get_by_role("link", name="Previous page").count() == 0
        _pager_fits(page, size)
        shot(page, f"decisions-page-1-{size}")
        page.get_by_role("link", name="Next page").click()
        page.wait_for_url(re.compile(r"after="))
        assert "team=north" in page.url
        assert "Showing 51 to" in page.locator("#decisions-count").inner_text()
        _pager_fits(page, size)
        shot(page, f"decisions-page-2-{size}")
        assert_accessible(page)
        page.get_by_role("link", name="Previous page").click()
        assert page.locator("#decisions-table tbody tr").first.locator("td").first.inner_text() == top
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
            # (the card listed first, must-fix first, is not always the letter's first finding)
            card = "#" + first.get_attribute("id")
            first.get_by_role("button", name=re.compile("^Not a problem")).click()
            chosen = page.locator(card).get_by_role("button", name=re.compile("^✓ Not a problem|^Not a problem"))
            assert chosen.get_attribute("aria-pressed") == "true"
            assert page.locator(card).get_by_role("button", name=re.compile("^Agree")).get_attribute(
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
