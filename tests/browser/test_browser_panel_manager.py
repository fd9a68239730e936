"""Panel members and managers in a real browser: the review queue, rating with the rubric,
revealing the automatic findings; the dashboard, letters list, panel periods and report."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import assert_accessible, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Where to drag the mouse to select the "Dear ..." line of the (not yet marked) letter.
SELECT_GREETING = """() => {
  const letter = document.getElementById('anonymised-letter'), node = letter.firstChild;
  letter.scrollIntoView();
  const text = node.textContent, start = text.indexOf('Dear '), end = text.indexOf('\\n', start);
  const range = document.createRange();
  range.setStart(node, start); range.setEnd(node, start + 1);
  const first = range.getBoundingClientRect();
  range.setStart(node, end - 1); range.setEnd(node, end);
  const last = range.getBoundingClientRect();
  return {x1: first.left + 1, x2: last.right - 1, y: first.top + first.height / 2,
          start: start, want: text.slice(start, end)};
}"""


def test_panel_member_rates_then_reveals(page, site):
    sign_in(page, site["tokens"]["panel"])
    assert page.url.endswith("/panel")
    shot(page, "panel-queue")
    assert_accessible(page)
    assert page.locator("#queue-table thead").is_visible()  # the whole table shows on a desktop
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone, each letter a block
    status = page.locator("#queue-table tbody tr").first.locator("td[data-label='Status']")
    box = status.bounding_box()
    assert box and box["x"] + box["width"] <= 390 and status.inner_text().strip()  # its status in view
    assert status.evaluate("td => getComputedStyle(td, '::before').content") == '"Status: "'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "panel-queue-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Rate letter 1").click()
    letter = page.locator("#anonymised-letter").inner_text()
    assert "[VICTIM]" in letter or "[NAME]" in letter
    # The rubric shows every point's description beside the scale.
    assert page.get_by_label("1 Very hard to follow", exact=False).count() == 1
    assert page.get_by_role("button", name="Show the automatic findings").count() == 0  # not before rating
    shot(page, "panel-rating")
    assert_accessible(page)

    for group, point in (("Clarity", "4"), ("Empathy", "2"), ("Explanation of the decision", "3"),
                         ("Next steps", "3"), ("Overall", "3")):
        page.get_by_role("group", name=group).get_by_label(point, exact=False).first.check()
    page.get_by_label("Your comments for the writer").fill("Kind, but the reason is vague.")
    # Mark a passage by dragging the mouse over the greeting line of the letter.
    drag = page.evaluate(SELECT_GREETING)
    assert drag["want"].startswith("Dear ")
    page.mouse.move(drag["x1"], drag["y"])
    page.mouse.down()
    page.mouse.move(drag["x2"], drag["y"], steps=4)
    page.mouse.up()
    expect(page.locator("#mark_quote_0")).to_have_value(drag["want"])  # after the script's short wait
    assert page.locator("#mark_start_0").input_value() == str(drag["start"])
    assert page.get_by_role("status").filter(has_text="the words you selected").is_visible()
    page.locator("#mark_comment_0").fill("A personal greeting: good.")
    page.get_by_role("button", name="Save my rating").click()
    assert page.get_by_role("status").filter(has_text="Your rating is saved").is_visible()
    assert page.locator("#anonymised-letter mark.panel-mark").inner_text() == drag["want"]
    assert "A personal greeting: good." in page.locator(".marks-list").inner_text()

    page.get_by_role("button", name="Show the automatic findings").click()
    findings = page.locator("#findings .finding")
    assert findings.count() >= 1
    # (the card listed first, must-fix first, is not always the letter's first finding)
    card = "#" + findings.first.get_attribute("id")
    findings.first.get_by_role("button", name="Not a problem").click()
    assert "Your answer: Not a problem" in page.locator(card).inner_text()
    assert page.get_by_role("button", name="Save my rating").count() == 0  # rating is now fixed
    shot(page, "panel-findings")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})  # the findings on a phone: nothing wider
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "panel-findings-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_manager_dashboard_and_reports(page, site):
    sign_in(page, site["tokens"]["manager"])
    assert page.url.endswith("/dashboard")
    charts = page.locator(".chart svg[role=img]")
    assert charts.count() == 5
    headline = page.locator("#headline").inner_text()
    assert "letters checked" in headline
    shot(page, "dashboard")
    assert_accessible(page)

    page.get_by_label("Decision", exact=True).select_option("charge_altered")
    page.get_by_role("button", name="Show").click()
    assert "decision=charge_altered" in page.url
    assert page.locator("#headline").inner_text() != headline

    page.get_by_role("link", name="Letters", exact=True).click()
    page.get_by_label("Words in the letter").fill("bereaved")
    page.get_by_role("button", name="Show letters").click()
    assert "found" in page.locator("#letters-count").inner_text()
    shot(page, "letters")
    assert_accessible(page)

    page.get_by_role("link", name="Panel reviews").click()
    page.get_by_label("Review period").fill("2025Q2")
    page.get_by_role("button", name="Draw the sample").click()
    # The manager checks each anonymised letter first (hide more words), then approves.
    assert page.get_by_role("heading", name="Check the letters before the panel reads them").is_visible()
    assert "April to June 2025" in page.locator("main").inner_text()
    shot(page, "panel-preview")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Approve all")).click()
    assert "still to approve" in page.locator("#waiting").inner_text()
    assert page.locator("#waiting").inner_text().startswith("0 of")
    page.get_by_role("link", name="Back to panel reviews").click()
    shot(page, "panel-periods")
    assert_accessible(page)
    page.get_by_role("link", name="Report for October to December 2024").click()
    assert "Community Involvement Panel" in page.locator("h1").inner_text()
    shot(page, "panel-report")


def test_the_board_report_has_its_content_in_a_main_landmark(page, site):
    """The printable board report is a page of its own (no header, no scripts): axe found its
    content outside any landmark and no main one (moderate: region, landmark-one-main), which a
    screen reader's "go to main content" cannot reach. Now no violation of any impact."""
    sign_in(page, site["tokens"]["manager"])
    page.goto("/panel-periods/2024Q4/report")
    assert page.locator("main h1").count() == 1
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})).violations
        .map(v => v.id)""")
    assert found == []
