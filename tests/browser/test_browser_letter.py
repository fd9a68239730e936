"""The letter page in a real browser, as a Victim Liaison Unit officer uses it: one editor with
the problems marked, checked again while typing; checked one-click replacements; a field for
template text; 'not a problem' kept in view and restored; the send check (the letter's date,
must-fix confirmation) and its undo; Word downloads; the word-by-word comparison; error pages;
a phone-width layout with no sideways scrolling."""
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from browser_helpers import ROOT, assert_accessible, checks_made, shot, sign_in, wait_for_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SAMPLE = ROOT / "sample_letters" / "28_flawed_sir_madam_placeholder.txt"


def _draft(site, path: Path = SAMPLE) -> int:
    """A draft letter (the session's samples are all sent) stored by Sam Staff."""
    from vcl_qa import Letter
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    letter = Letter.from_file(path)
    db = open_db(site["db"])
    try:
        user = user_by_name(db, "Sam Staff")
        ctx = letter.context.model_dump(mode="json", exclude_none=True)
        return service.submit(db, user, letter.text, ctx, team="north", source="test")["id"]
    finally:
        db.close()


def _score(page) -> int:
    return int(page.locator("#score").inner_text())


def _checked(page, before: str) -> None:
    """Wait for the next check made while typing to come back, and see that it says so."""
    wait_for_check(page, before)
    assert page.locator("#edit-status").inner_text().startswith("Checked as you typed")


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_fix_a_letter_in_the_editor(page, site):
    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    # The letter once, in the editor; score, due date and actions above it.
    assert page.locator("textarea").count() == 1 and page.locator("#letter-view").count() == 0
    assert page.locator("#mark-sent").bounding_box()["y"] < 400
    assert "Due by Monday 30 December 2024" in page.locator("#due").inner_text()
    assert page.locator("#editor-marks mark.sev-error").count() >= 2
    _no_sideways_scroll(page)
    shot(page, "letter-fixing")
    assert_accessible(page)
    first = _score(page)

    # A checked replacement: the greeting with the victim's name.
    checks = checks_made(page)
    page.get_by_role("button", name="Use “Dear Mr Hart”").click()
    editor = page.get_by_label("The letter", exact=True)
    assert "Dear Mr Hart\n" in editor.input_value() and "Sir/Madam" not in editor.input_value()
    _checked(page, checks)
    assert "greeting" not in page.locator("#findings").inner_text().lower()
    assert _score(page) > first

    # Template text is never replaced by advice: a field asks for the real words.
    assert page.get_by_role("button", name=re.compile("fill in or delete")).count() == 0
    checks = checks_made(page)
    page.get_by_label("Officer name").fill("DC Amy Cole")
    page.get_by_label("Officer name").press("Enter")
    assert "The officer in the case, DC Amy Cole, will contact you" in editor.input_value()
    _checked(page, checks)

    # Typing is checked too: text-speak is found within a moment, and the score changes.
    before, checks = _score(page), checks_made(page)
    editor.press("Control+End")
    editor.type("\nPls call me if u need to.\n")
    _checked(page, checks)
    assert _score(page) < before
    assert "Text-speak" in page.locator("#findings").inner_text()
    # the cards the script drew after the check are headed by the checks' plain titles, as the
    # server drew them (they were headed by rule ids such as "content.vrr")
    headings = page.locator("#findings .finding-title").all_inner_texts()
    assert "Text-speak" in headings and "No reassurance about reporting in future" in headings
    assert not [h for h in headings if re.fullmatch(r"[a-z_]+\.[a-z_]+", h.strip())]

    # Filter by severity: the list and the marks follow.
    page.get_by_label(re.compile("^Worth a look")).uncheck()
    assert page.locator("#findings > li[data-severity=suggestion]:visible").count() == 0
    page.get_by_label(re.compile("^Worth a look")).check()

    page.get_by_role("button", name="Save as a new version").first.click()
    page.wait_for_url(re.compile(rf"/letters/{letter_id}\?saved=version"))
    assert "version 2" in page.locator("h1").inner_text()
    text = page.get_by_label("The letter", exact=True).input_value()
    assert "Dear Mr Hart" in text and "DC Amy Cole" in text and "Pls call me" in text

    # Versions word by word.
    page.get_by_role("link", name="Compare versions").click()
    assert page.locator("del.diff-del", has_text="Sir/Madam").count() == 1
    assert page.locator("ins.diff-ins", has_text="Hart").count() == 1
    assert page.locator("ins.diff-ins", has_text="DC Amy Cole").count() == 1
    shot(page, "letter-compare")
    assert_accessible(page)


def test_not_a_problem_stays_in_view_and_can_be_restored(page, site):
    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = page.locator("#findings > li", has_text="Template text left in").filter(has_text="XXXX")
    card.get_by_text("Not a problem in this letter?").click()
    card.get_by_label("Why is it fine here?").fill("The hearing date is added by hand after printing")
    card.get_by_role("button", name="Mark as not a problem").click()
    page.wait_for_url(re.compile(r"saved=suppressed"))
    kept = page.locator("#set-aside li", has_text="XXXX")
    assert kept.locator("s").count() == 1
    assert "Sam Staff" in kept.inner_text() and "added by hand" in kept.inner_text()
    shot(page, "letter-not-a-problem")

    # Managers see it in their list, from the dashboard, and in the spreadsheet.
    sign_in(page, site["tokens"]["manager"])
    page.goto("/dashboard")
    page.get_by_role("link", name="Must-fix problems marked “not a problem”").click()
    row = page.locator("tr", has=page.get_by_role("link", name=f"Letter {letter_id}"))
    assert "added by hand" in row.inner_text() and "Sam Staff" in row.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (CSV)").click()
    assert "added by hand" in Path(download.value.path()).read_text(encoding="utf-8")
    assert_accessible(page)

    page.goto(f"/letters/{letter_id}")
    page.locator("#set-aside li", has_text="XXXX").get_by_role("button", name="Restore: count it again").click()
    page.wait_for_url(re.compile(r"saved=restored"))
    assert page.locator("#set-aside li", has_text="XXXX").count() == 0
    assert page.locator("#findings > li", has_text="XXXX").count() == 1


def test_a_safe_send_and_its_undo(page, site):
    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    page.get_by_role("link", name="Mark as sent").click()
    # The letter's own date, the due date, lateness that day, the must-fix problems left.
    assert (page.get_by_label("Day", exact=True).input_value(), page.get_by_label("Month", exact=True).input_value(),
            page.get_by_label("Year", exact=True).input_value()) == ("24", "12", "2024")
    assert "Monday 30 December 2024" in page.locator("#send-due").inner_text()
    assert "on time" in page.locator("#send-late").inner_text()
    assert "must-fix" in page.locator("#must-fix-left").inner_text()
    # Dated long before it was saved here today: why it went out first is asked for.
    why = page.get_by_label(re.compile("This letter was first saved here on .*, after the date filled in above"))
    assert why.input_value() == ""
    shot(page, "letter-send-check")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as sent").click()
    summary = page.locator("#error-summary").inner_text()
    assert "Tick the box" in summary and "say why it went out first" in summary
    page.locator("#error-summary a[href='#sent_before_saved_reason']").click()
    assert page.evaluate("document.activeElement.id") == "sent_before_saved_reason"
    assert_accessible(page)
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label(re.compile("If it went out before it was saved here")).fill(
        "Written in Word and posted that day, saved here later to record it")
    page.get_by_label(re.compile("I confirm it was sent")).check()
    page.get_by_role("button", name="Mark as sent").click()
    # Sent on the 31st it is late: the problems that day brings were not listed when the box was
    # ticked, so they are listed now and the tick is asked for again (the reason typed is kept).
    assert "not all of them listed" in page.locator("#error-summary").inner_text()
    assert "say why" not in page.locator("#error-summary").inner_text()
    assert page.locator("#sent_before_saved_reason").input_value().startswith("Written in Word")
    assert "late" in page.locator("#send-late").inner_text()
    assert "31 December" in page.locator("#must-fix-left h2").inner_text()
    page.get_by_label(re.compile("I confirm it was sent")).check()
    page.get_by_role("button", name="Mark as sent").click()
    page.wait_for_url(re.compile(r"saved=sent"))
    assert "Marked as sent on Tuesday 31 December 2024" in page.get_by_role("status").first.inner_text()
    assert "late" in page.locator("#due").inner_text()
    assert page.locator("#sent-before-saved").inner_text().startswith(
        "Marked sent on Tuesday 31 December 2024, before it was first saved here on ")
    assert page.locator("#sent-before-saved").inner_text().endswith(
        ": “Written in Word and posted that day, saved here later to record it”, by Sam Staff.")
    assert page.locator("textarea").count() == 0  # a sent letter cannot change

    page.get_by_role("button", name="Undo “sent”").click()
    page.wait_for_url(re.compile(r"saved=unsent"))
    assert "draft" in page.locator("h1").inner_text()
    assert page.locator("textarea").count() == 1


def test_word_downloads(page, site):
    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    with page.expect_download() as clean:
        page.get_by_role("link", name="Download (Word)").click()
    with page.expect_download() as commented:
        page.get_by_role("link", name="Download with comments").click()
    assert commented.value.suggested_filename.endswith("-with-comments.docx")
    for download, comments in ((clean, False), (commented, True)):
        data = Path(download.value.path()).read_bytes()
        document = docx.Document(io.BytesIO(data))
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert document.core_properties.author == "Sam Staff"
        assert document.core_properties.language == "en-GB"
        assert (len(list(document.comments)) > 0) == comments
        from vcl_qa.engine.letter import docx_text
        assert docx_text(data) == page.get_by_label("The letter", exact=True).input_value()


def test_error_pages_and_a_huge_paste(page, site):
    sign_in(page, site["tokens"]["staff"])
    for address in ("/no-such-page", "/letters/abc", "/letters/999999"):
        response = page.goto(address)
        assert response.status == 404 and "text/html" in response.headers["content-type"]
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    page.goto("/check")
    huge = ("We have decided to stop the case. " * 31_000)[:1_050_000]
    page.get_by_label("The letter", exact=True).fill(huge)
    page.get_by_role("button", name="Check the letter").click()
    page.wait_for_load_state()
    assert "the most the checker can take is 200 KB" in page.locator("#error-summary").inner_text()
    assert len(page.get_by_label("The letter", exact=True).input_value()) >= 1_000_000


def test_phone_width(browser, site):
    letter_id = _draft(site)
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=site["url"], locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, site["tokens"]["staff"])
        for address in (f"/letters/{letter_id}", f"/letters/{letter_id}/send", "/check", "/letters"):
            page.goto(address)
            _no_sideways_scroll(page)
        page.goto(f"/letters/{letter_id}")
        assert page.locator("#mark-sent").bounding_box()["y"] < 844  # actions on the first screen
        shot(page, "letter-phone")
    finally:
        context.close()


def test_a_refused_reason_on_a_phone_links_to_its_box(browser, site):
    """Review 9: after "x" was refused the page came back with the box closed and an error
    summary that was not a link, so on a phone the writer had to scroll to find the finding."""
    letter_id = _draft(site, ROOT / "sample_letters" / "14_flawed_late_no_apology.txt")
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=site["url"], locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, site["tokens"]["staff"])
        page.goto(f"/letters/{letter_id}")
        box = page.locator("details.not-a-problem").filter(
            has=page.locator('input[name=rule][value="empathy.delay_apology"]'))
        box.locator("summary").click()
        box.locator("input[name=reason]").fill("x")
        box.locator("button[type=submit]").click()
        page.wait_for_load_state()
        link = page.locator("#error-summary a")
        assert link.inner_text().startswith("Not a problem: say why this finding is not a problem here in at least 3 words")
        reason_id = link.get_attribute("href").lstrip("#")
        reason = page.locator(f"#{reason_id}")
        assert reason.input_value() == "x"
        link.click()
        assert page.evaluate("document.activeElement.id") == reason_id
        label = page.locator(f"label[for={reason_id}]").bounding_box()
        assert 0 <= label["y"] and reason.bounding_box()["y"] + 40 < 844  # the question and the box in view
        assert page.locator(f"#{reason_id}-error").is_visible()
        _no_sideways_scroll(page)
        shot(page, "refused-reason-phone")
    finally:
        context.close()


LONG_URL = "https://www.cps.gov.uk/" + "x" * 600


def _long_url_letter(site) -> int:
    """A draft with a 600-character web address in it, in two versions (for the comparison)."""
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    text = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the"
            f" case. See {LONG_URL} for more.\n\nYours sincerely\nA Prosecutor\n")
    ctx = {"decision": "discontinued", "victim_name": "Ms Jane Okafor"}
    db = open_db(site["db"])
    try:
        user = user_by_name(db, "Sam Staff")
        letter_id = service.submit(db, user, text, ctx, team=user.team, source="test")["id"]
        service.submit(db, user, text.replace("for more.", "for more details."), ctx, letter_id=letter_id)
        return letter_id
    finally:
        db.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_scrolls_sideways_even_with_a_very_long_word(browser, site, width):
    """Report item 13: a 600-character address made the letter page 5,393 px wide at 390 px and
    the comparison 6,245 px at 1280; the panel's queue and the users page were wider than a
    phone. Long words now wrap, and a table too wide to fit scrolls inside its own box."""
    from live_server import make_user

    letter_id = _long_url_letter(site)
    if "admin_token" not in site:
        site["admin_token"] = make_user(site["db"], "Ada Wide", "admin")
    admin = site["admin_token"]
    pages = {"staff": [f"/letters/{letter_id}", f"/letters/{letter_id}/compare?from=1&to=2", "/letters"],
             "panel": ["/panel"], "admin": ["/admin/users"], "manager": ["/panel-periods/2024Q4/report"]}
    tokens = {**site["tokens"], "admin": admin}
    for role, addresses in pages.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site["url"], locale="en-GB")
        page = context.new_page()
        try:
            sign_in(page, tokens[role])
            for address in addresses:
                page.goto(address)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (address, width)
                name = address.strip("/").split("?")[0].replace("/", "-").replace(str(letter_id), "long-url")
                shot(page, f"no-sideways-{name}-{width}")
            if role == "staff":
                page.goto(f"/letters/{letter_id}")
                # The quoted words are cut short, and the address wraps inside the letter.
                quoted = page.locator(".finding-text a").first.inner_text()
                assert len(quoted) <= 84
            if role in ("panel", "admin"):
                # The table scrolls on its own, inside the page.
                box = page.locator(".table-scroll").first
                assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        finally:
            context.close()


def test_a_part_checked_only_in_part_says_so_after_typing_too(page, site):
    """A letter in Welsh: its readability score is sentence length alone, so the page says
    "partly checked" beside it, when it loads and after a check made while typing; a part
    waiting only for a detail the form asks for (content: "withdrawal") does not say it."""
    letter_id = _draft(site, ROOT / "sample_letters" / "39_good_welsh_discontinued_assault_standard.txt")
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    assert re.fullmatch(r"\d+ \(partly checked\)", page.locator("#part-readability").inner_text())
    assert re.fullmatch(r"\d+", page.locator("#part-timeliness").inner_text())
    checks = checks_made(page)
    editor = page.get_by_label("The letter", exact=True)
    editor.press("Control+End")
    editor.type("\nDiolch.\n")
    _checked(page, checks)
    assert re.fullmatch(r"\d+ \(partly checked\)", page.locator("#part-readability").inner_text())
    assert re.fullmatch(r"\d+", page.locator("#part-timeliness").inner_text())

    english = _draft(site)  # every part checked but the content rule that needs "withdrawal"
    page.goto(f"/letters/{english}")
    assert re.fullmatch(r"\d+", page.locator("#part-content").inner_text())
    checks = checks_made(page)
    editor.press("Control+End")
    editor.type("\nThank you.\n")
    _checked(page, checks)
    assert re.fullmatch(r"\d+", page.locator("#part-content").inner_text())


def test_text_typed_when_the_session_ends_is_kept_and_offered_back(page, site):
    """A session that ends while a letter is typed (8 hours after signing in, or a restore):
    the check made while typing says so, Save goes to the sign-in page and back to the letter
    (it went to the form's address, "Method Not Allowed"), and the typed text, kept in the tab,
    is offered back; put back and saved, nothing is offered again; signing out forgets it."""
    import hashlib
    import sqlite3

    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    assert page.locator("#unsaved-kept").is_hidden()
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "vclqa_session")
    conn = sqlite3.connect(site["db"])
    conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", [hashlib.sha256(cookie.encode()).hexdigest()])
    conn.commit()
    conn.close()

    editor = page.get_by_label("The letter", exact=True)
    editor.press("Control+End")
    checks = checks_made(page)
    editor.type("\nWe will keep you informed at every stage.\n")
    page.wait_for_function("() => document.getElementById('edit-status').textContent.indexOf('signed out') >= 0")
    assert "Your text is kept in this browser tab" in page.locator("#edit-status").inner_text()
    assert checks_made(page) == checks  # (not counted as a check made)
    typed = editor.input_value()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Save as a new version").first.click()
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Fletters%2F" + str(letter_id) + "$"))
    page.get_by_label("Your sign-in token").fill(site["tokens"]["staff"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/letters/{letter_id}$"))

    box = page.locator("#unsaved-kept")
    assert box.is_visible() and "was not saved" in box.inner_text()
    assert "We will keep you informed" not in editor.input_value()
    page.get_by_role("button", name="Put it back in the letter").click()
    assert editor.input_value() == typed and box.is_hidden()
    page.get_by_role("button", name="Save as a new version").first.click()
    page.wait_for_url(re.compile(rf"/letters/{letter_id}\?saved=version"))
    assert "We will keep you informed at every stage." in editor.input_value()
    assert page.locator("#unsaved-kept").is_hidden()
    assert page.evaluate(f"window.sessionStorage.getItem('vcl-qa-unsaved-{letter_id}')") is None

    # typed again, not saved: signing out forgets it
    editor.press("Control+End")
    editor.type("\nNot saved.\n")
    assert page.evaluate(f"window.sessionStorage.getItem('vcl-qa-unsaved-{letter_id}')") is not None
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.evaluate("Object.keys(window.sessionStorage).filter(k => k.startsWith('vcl-qa-unsaved-'))") == []


def test_a_check_not_done_gets_its_detail_under_the_letter(page, site):
    letter_id = _draft(site)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    details = page.locator("#missing-details")
    assert "Did the victim withdraw support?" in details.inner_text()
    details.get_by_label("Did the victim withdraw support?").select_option("no")
    page.get_by_role("button", name="Save as a new version and check again").click()
    page.wait_for_url(re.compile(r"saved=version"))
    assert page.locator("#missing-details").count() == 0 or \
        "withdraw" not in page.locator("#missing-details").inner_text()
    from vcl_qa.db import open_db
    from vcl_qa.letters import store

    db = open_db(site["db"])
    try:
        assert store.get_letter(db, letter_id)["context"]["withdrawal"] is False
    finally:
        db.close()
