"""Training in a real browser: the guide without signing in, an exercise failed then fixed and
passed in the check page's editor, progress for staff and managers (with the CSV), an exercise
made from a letter the panel rated poorly, and the pages at phone width."""
from __future__ import annotations

import contextlib
import re

import pytest

from browser_helpers import assert_accessible, shot, sign_in
from conftest import AXE
from live_server import ROOT, LiveServer, make_user
from training_setup import PERSONAL, poorly_rated_letter, users
from vcl_qa.training.exercises import built_in, load_exercises

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def training_site(tmp_path_factory):
    """A server of its own: users of every role and one sent letter the panel rated 1 of 5."""
    db = tmp_path_factory.mktemp("training-browser") / "vcl_qa.db"
    tokens = users(db)
    letter_id = poorly_rated_letter(db)
    colleagues(db)
    server = LiveServer(db).start()
    yield {"url": server.url, "tokens": tokens, "letter_id": letter_id, "db": db}
    server.stop()


def colleagues(db_path) -> None:
    """More staff, further along or not started, so the managers' table has something to show."""
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.training import service

    for name, team in (("Tom Fielding", "east"), ("Ruth Adeyemi", "east"), ("Chloe Park", "north")):
        make_user(db_path, name, "staff", team)
    db = open_db(db_path)
    try:
        tom, ruth = user_by_name(db, "Tom Fielding"), user_by_name(db, "Ruth Adeyemi")
        for n, ex in enumerate(load_exercises()):
            service.attempt(db, tom, ex.id, ex.letter)  # a try, then the fix
            service.attempt(db, tom, ex.id, ex.model_answer, ex.model_context)
            if n < 4:
                service.attempt(db, ruth, ex.id, ex.model_answer, ex.model_context)
        service.attempt(db, ruth, "young-person", built_in("young-person").letter)
    finally:
        db.close()


@pytest.fixture
def tpage(browser, training_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=training_site["url"],
                                  locale="en-GB", reduced_motion="reduce", accept_downloads=True)
    context.add_init_script(path=str(AXE))
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def look(page, name: str) -> None:
    """A screenshot to look at (phone widths, the guide), kept out of docs/: var/screenshots."""
    folder = ROOT / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_the_guide_needs_no_sign_in_and_is_built_from_the_rules(tpage):
    tpage.goto("/guide")
    assert tpage.url.endswith("/guide")  # not sent to sign in
    assert tpage.get_by_role("heading", name="The letter standard: a guide").is_visible()
    assert_accessible(tpage)
    tpage.get_by_role("link", name="What it says").click()
    entry = tpage.locator("section.guide-rule", has=tpage.get_by_role("heading", name=re.compile("Right to review missing")))
    assert "Why it matters" in entry.inner_text() and "Victims' Right to Review scheme" in entry.inner_text()
    assert entry.locator(".guide-bad").count() == 1 and entry.locator(".guide-good").count() == 1
    assert "If you are not happy with this decision" in entry.locator("blockquote.suggested:not([lang])").inner_text()
    assert "The checker says" in entry.inner_text()
    assert_accessible(tpage)
    tpage.goto("/guide/all")
    assert tpage.locator("section.guide-rule").count() >= 22
    tpage.emulate_media(media="print")
    assert not tpage.locator("header.site-header").is_visible()  # printable: no menus
    tpage.emulate_media(media="screen")
    tpage.set_viewport_size(PHONE)
    tpage.goto("/guide/empathy")
    assert no_sideways_scroll(tpage)
    welsh = tpage.locator("blockquote.suggested[lang=cy]", has_text="Derbyniwch fy nghydymdeimlad dwysaf")
    assert welsh.count() == 1 and welsh.is_visible()
    look(tpage, "guide-phone")


def test_staff_exercise_failed_then_fixed_and_passed(tpage, training_site):
    sign_in(tpage, training_site["tokens"]["staff"])
    tpage.get_by_role("link", name="Training", exact=True).click()
    assert tpage.locator("#exercises tbody tr").count() == len(load_exercises())
    assert_accessible(tpage)
    tpage.get_by_role("link", name="Mr Khan's brother").click()
    assert "Mr Khan's brother, Imran, died" in tpage.locator("#brief").inner_text()
    assert tpage.get_by_text("Writing to a bereaved family member").is_visible()

    # First try: checked as it was given. Not passed; what is left is listed and marked.
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"/training/khan-brother\?attempt=1"))
    assert "not passed yet" in tpage.locator("#result-heading").inner_text()
    left = tpage.locator("#left-list").inner_text()
    assert "No condolences" in left and "No offer to meet" in left
    assert tpage.locator("#letter-view mark.sev-warning").count() >= 1  # "the deceased"
    assert tpage.locator("#model-answer-later").is_visible()
    shot(tpage, "training-exercise")
    assert_accessible(tpage)

    # The same editor as a checked letter, and the same places (api/static/insert.js):
    # condolences go after the paragraph that gives the decision, not before the sign-off.
    card = tpage.locator(".finding").filter(has_text="condolences")
    card.get_by_role("button", name="Insert this paragraph").click()
    edited = tpage.get_by_label("Edit your letter").input_value()
    decision = "He was charged with causing the death of the deceased by careless driving."
    assert f"{decision}\n\nI am very sorry for the loss of [name]. Please accept my deepest sympathy.\n\nWhy we made" in edited
    assert edited.count("Please accept my deepest sympathy.") == 1
    assert edited.replace("I am very sorry for the loss of [name]. Please accept my deepest sympathy.\n\n", "") \
        == built_in("khan-brother").letter  # nothing else changed
    assert "Paragraph inserted after the first paragraph under the greeting" in card.inner_text()

    # Fixed: condolences and a meeting offer written in; passed, with the model answer.
    text = built_in("khan-brother").letter
    text = text.replace("the death of the deceased", "the death of your brother, Imran").replace(
        "I am writing to tell you", "I am so sorry for the loss of your brother, Imran. I know this is very hard news for you "
        "and your family. I am writing to tell you").replace(
        "If you want us to look", "I would like to offer you a meeting to explain our decision and answer any "
        "questions. You are welcome to bring someone with you.\n\nIf you want us to look")
    tpage.get_by_label("Edit your letter").fill(text)
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"attempt=2"))
    assert "Well done: you passed" in tpage.locator("#outcome").inner_text()
    fixed = tpage.locator("#fixed-list").inner_text()
    assert "No condolences" in fixed and "No offer to meet" in fixed
    assert tpage.locator("#model-answer").is_visible()
    assert built_in("khan-brother").model_answer.splitlines()[0] in tpage.locator("#model-answer").inner_text()
    look(tpage, "training-passed")
    assert_accessible(tpage)

    # At phone width the exercise page does not scroll sideways.
    tpage.set_viewport_size(PHONE)
    tpage.reload()
    assert no_sideways_scroll(tpage)
    look(tpage, "training-exercise-phone")


def test_a_word_style_attempt_gets_paragraphs_where_the_letter_page_puts_them(tpage, training_site):
    """Found in a review: the exercise page put every paragraph before the sign-off with a
    blank line, from a sign-off list of its own, where the letter page puts the decision first,
    condolences after it, and sets a paragraph apart as the letter does (one line a paragraph in
    a Word file's letter). Both pages now place paragraphs the same way (api/static/insert.js)."""
    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/khan-brother")
    word_style = re.sub(r"\n\n+", "\n", built_in("khan-brother").letter)
    tpage.get_by_label("Fix the letter here").fill(word_style)
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"attempt=\d+"))
    editor = tpage.get_by_label("Edit your letter")
    assert editor.input_value() == word_style
    condolences = tpage.locator(".finding").filter(has_text="condolences")
    assert condolences.locator("button.insert").get_attribute("data-where") == "early"
    condolences.get_by_role("button", name="Insert this paragraph").click()
    meeting = tpage.locator(".finding").filter(has_text="No offer to meet")
    assert meeting.locator("button.insert").get_attribute("data-where") == "body"
    offer = meeting.locator("button.insert").get_attribute("data-value")
    meeting.get_by_role("button", name="Insert this paragraph").click()
    lines = editor.input_value().split("\n")
    decision = lines.index("I am writing to tell you that we have decided to stop the case against Paul Reid. "
                           "He was charged with causing the death of the deceased by careless driving.")
    assert lines[decision + 1] == "I am very sorry for the loss of [name]. Please accept my deepest sympathy."
    assert lines[decision + 2] == "Why we made this decision"
    assert lines[lines.index("Yours sincerely") - 1] == offer
    assert "\n\n" not in editor.input_value()
    assert "before the sign-off" in meeting.inner_text()


def test_one_click_swaps_in_the_exercise_editor(tpage, training_site):
    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/okafor-not-charged")
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"attempt=1"))
    editor = tpage.get_by_label("Edit your letter")
    before = editor.input_value()
    tpage.get_by_role("button", name="Use “I am sorry to tell you”").click()
    text = editor.input_value()
    assert "I am sorry to tell you that we have decided" in text and "regret" not in text
    assert "regret" not in tpage.locator("#letter-view").inner_text()
    # made as typing is: the browser's Undo takes it back, as on the letter page
    editor.focus()
    tpage.keyboard.press("Control+z")
    assert editor.input_value() == before


def test_undo_this_change_on_an_exercise_puts_the_letter_back(tpage, training_site):
    """As on the letter page: under what a one-click change says it did, "Undo this change"
    puts the words back, marks the finding again and turns its button on; an inserted paragraph
    is taken out whole; only the last change has the button; the browser's Undo does the same."""
    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/okafor-not-charged")
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"attempt=\d+"))
    editor = tpage.get_by_label("Edit your letter")
    before = editor.input_value()
    use = tpage.get_by_role("button", name="Use “I am sorry to tell you”")
    card = tpage.locator(".finding").filter(has=use)
    use.click()
    assert "I am sorry to tell you" in editor.input_value()
    card.get_by_role("button", name="Undo this change").click()
    assert editor.input_value() == before
    assert "Undone" in card.locator(".finding-done").inner_text()
    assert card.get_by_role("button", name="Undo this change").count() == 0
    assert use.is_enabled() and any("regret" in m for m in tpage.locator("#letter-view mark").all_inner_texts())
    # the change had set aside the finding on "inform" inside the same words: it is back too
    tell = tpage.get_by_role("button", name="Use “tell”")
    assert tell.is_enabled() and "You changed these words" not in tpage.locator(".finding").filter(has=tell).inner_text()
    # the change made again, then a paragraph inserted: only the last has the Undo
    use.click()
    changed = editor.input_value()
    insert = tpage.locator("button.insert").first
    paragraph = tpage.locator(".finding").filter(has=insert)
    insert.click()
    assert editor.input_value() != changed
    assert card.get_by_role("button", name="Undo this change").count() == 0
    paragraph.get_by_role("button", name="Undo this change").click()
    assert editor.input_value() == changed and insert.is_enabled()
    # the browser's own Undo of a word change: the card opens again
    tpage.reload()
    editor = tpage.get_by_label("Edit your letter")
    use.click()
    editor.focus()
    tpage.keyboard.press("Control+z")
    assert editor.input_value() == before
    assert "Undone" in card.locator(".finding-done").inner_text() and use.is_enabled() and tell.is_enabled()
    assert card.get_by_role("button", name="Undo this change").count() == 0
    assert tpage.locator("#edit-status").inner_text() == "Undone."
    shot(tpage, "training-undo")


def test_a_letter_typed_when_the_session_ends_is_offered_back(tpage, training_site):
    """A session that ends while an exercise is typed (8 hours after signing in): "Check my
    letter" goes to the sign-in page and back to the exercise, which showed the letter as it
    was, the typed fix lost (the check page and the letter page keep theirs). Now the exercise
    offers it back; checked, nothing is offered again."""
    import hashlib
    import sqlite3

    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/reused-letter")
    assert tpage.locator("#attempt-kept").is_hidden()
    cookie = next(c["value"] for c in tpage.context.cookies() if c["name"] == "vclqa_session")
    with contextlib.closing(sqlite3.connect(training_site["db"])) as conn, conn:
        conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", [hashlib.sha256(cookie.encode()).hexdigest()])
    editor = tpage.get_by_label("Fix the letter here")
    editor.press("Control+End")
    editor.type("\nWords I typed myself.\n")
    typed = editor.input_value()
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"/sign-in\?next=%2Ftraining%2Freused-letter$"))
    tpage.get_by_label("Your sign-in token").fill(training_site["tokens"]["south"])
    tpage.get_by_role("button", name="Sign in").click()
    tpage.wait_for_url(re.compile(r"/training/reused-letter$"))
    box = tpage.locator("#attempt-kept")
    assert box.is_visible() and "was not checked" in box.inner_text()
    assert "Words I typed myself" not in editor.input_value()
    assert_accessible(tpage)
    tpage.get_by_role("button", name="Put it back in the letter box").click()
    assert editor.input_value() == typed and box.is_hidden()
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"/training/reused-letter\?attempt=1"))
    assert "Words I typed myself." in tpage.get_by_label("Edit your letter").input_value()
    assert tpage.locator("#attempt-kept").is_hidden()
    tpage.reload()
    assert tpage.locator("#attempt-kept").is_hidden()


def test_an_empty_letter_is_refused_next_to_the_field(tpage, training_site):
    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/begum-due-date")
    tpage.get_by_label("Fix the letter here").fill("")
    _fill_date(tpage, "1", "12", "2024")
    tpage.get_by_role("button", name="Check my letter").click()
    assert tpage.locator("#error-summary").is_visible()
    assert tpage.locator("#text-error").is_visible()
    assert_accessible(tpage)
    tpage.get_by_label("Fix the letter here").fill(built_in("begum-due-date").model_answer)
    tpage.get_by_role("button", name="Check my letter").click()
    assert "after" in tpage.locator("#letter_date-error").inner_text()  # before the decision: named
    _fill_date(tpage, "20", "12", "2024")
    tpage.get_by_role("button", name="Check my letter").click()
    tpage.wait_for_url(re.compile(r"attempt=1"))
    assert "you passed" in tpage.locator("#outcome").inner_text()


def test_progress_for_staff_and_managers(tpage, training_site):
    sign_in(tpage, training_site["tokens"]["staff"])
    tpage.goto("/training/progress")
    row = tpage.locator("#my-progress tr", has_text="Mr Khan's brother")
    assert "Passed" in row.inner_text()
    assert_accessible(tpage)
    tpage.goto("/training/progress.csv")  # staff may not download everyone's
    assert "cannot open this page" in tpage.content()

    sign_in(tpage, training_site["tokens"]["manager"])
    tpage.goto("/training/progress")
    people = tpage.locator("#people-progress")
    sam = people.locator("tr", has_text="Sam Staff")
    assert f"1 of {len(load_exercises())}" in sam.inner_text() and "north" in sam.inner_text()
    assert people.locator("tr", has_text="Mo Manager").count() == 0  # managers are listed once they try
    assert tpage.locator("#board-line").inner_text().startswith(
        f"Training: 1 of 5 staff have passed all {len(load_exercises())} exercises; 4 have started")
    assert "Yes" not in people.locator("tr", has_text="Chloe Park").inner_text()
    assert "All passed" in people.locator("tr", has_text="Tom Fielding").inner_text()
    assert_accessible(tpage)
    shot(tpage, "training-progress")
    with tpage.expect_download() as download:
        tpage.get_by_role("link", name=re.compile("Download this table")).click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("Team,Person,Role,Exercises passed")  # plain headers, as the other exports
    assert any(line.startswith("north,Sam Staff,Staff,1,") for line in lines)
    tpage.set_viewport_size(PHONE)
    tpage.reload()
    assert no_sideways_scroll(tpage)
    look(tpage, "training-progress-phone")


def cut_off_tables(page) -> list[str]:
    """Each table in the page that runs past the window's right edge without a box of its own to
    scroll it in (one inside the window, reached by the keyboard, named for screen readers)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, problems = [];
        for (const table of document.querySelectorAll('main table')) {
            if (table.getBoundingClientRect().right <= width + 1) continue;
            const box = table.parentElement.closest('.table-scroll');
            if (!box || !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
                problems.push(`${table.id}: runs off the screen with no box to scroll it`); continue; }
            if (box.getBoundingClientRect().right > width + 1) problems.push(`${table.id}: its box runs off the screen`);
            if (box.tabIndex !== 0 || box.getAttribute('role') !== 'region' || !box.getAttribute('aria-label'))
                problems.push(`${table.id}: its box cannot be reached by the keyboard or has no name`);
        }
        return problems;
    }""")


def test_progress_tables_can_be_read_at_phone_width(tpage, training_site):
    """At 390 px the managers' table by person is wider than the screen: it scrolls in its own box,
    a line above says so, the box shows a shadow where columns are hidden, and the arrow keys bring
    the last column (Last activity) fully into view. At 1280 px nothing is cut off."""
    sign_in(tpage, training_site["tokens"]["manager"])
    tpage.goto("/training/progress")
    assert cut_off_tables(tpage) == []
    assert not tpage.locator("#scroll-hint").is_visible()  # a desktop needs no hint
    look(tpage, "training-progress-1280")
    tpage.set_viewport_size(PHONE)
    tpage.reload()
    assert no_sideways_scroll(tpage)
    assert cut_off_tables(tpage) == []
    hint = tpage.locator("#scroll-hint")
    assert hint.is_visible() and "scroll sideways" in hint.inner_text()
    box = tpage.get_by_role("region", name=re.compile("^Training by person"))
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # this data does not fit: the case to check
    assert "radial-gradient" in box.evaluate("e => getComputedStyle(e).backgroundImage")
    last = tpage.locator("#people-progress thead th").last
    assert last.inner_text().replace("\n", " ") == "Last activity"
    assert last.bounding_box()["x"] + last.bounding_box()["width"] > PHONE["width"]  # hidden at first
    look(tpage, "training-progress-390")
    assert_accessible(tpage)
    box.focus()
    for _ in range(6):
        tpage.keyboard.press("ArrowRight")
    tpage.wait_for_function("() => { const e = document.querySelector('#people-progress').parentElement;"
                            " return e.scrollLeft + e.clientWidth >= e.scrollWidth - 1; }")
    edge = last.bounding_box()
    assert edge["x"] >= 0 and edge["x"] + edge["width"] <= PHONE["width"]
    look(tpage, "training-progress-390-scrolled")

    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training/progress")
    assert no_sideways_scroll(tpage) and cut_off_tables(tpage) == []
    assert tpage.locator("#scroll-hint").is_visible()
    assert_accessible(tpage)
    look(tpage, "training-progress-staff-390")


def test_a_manager_turns_a_poorly_rated_letter_into_an_exercise(tpage, training_site):
    sign_in(tpage, training_site["tokens"]["manager"])
    tpage.goto("/training/from-panel")
    tpage.get_by_role("link", name=re.compile("Make an exercise")).first.click()
    letter = tpage.locator("#letter").inner_text()
    assert [w for w in PERSONAL if w.lower() in letter.lower()] == []
    assert tpage.locator("#save-exercise").count() == 0  # nothing to save before a preview
    tpage.get_by_role("button", name="Preview again").click()
    assert "write a few words here" in tpage.locator("#error-summary").inner_text()
    tpage.get_by_label("Title").fill("A cold letter to a father")
    tpage.get_by_label("Brief").fill("The panel rated this letter 1 out of 5. It is cold to a bereaved father. Fix it.")
    tpage.get_by_role("button", name="Preview again").click()
    tpage.locator("#save-exercise").wait_for()  # the preview's page, not the one before it
    assert_accessible(tpage)
    shot(tpage, "training-from-panel")
    tpage.get_by_role("button", name="Save as an exercise").click()
    tpage.wait_for_url(re.compile(r"/training/panel-\d+"))
    assert "Saved" in tpage.locator(".notice").first.inner_text()
    sign_in(tpage, training_site["tokens"]["south"])
    tpage.goto("/training")
    assert tpage.get_by_role("link", name="A cold letter to a father").is_visible()


def test_make_an_exercise_is_on_the_screen_at_phone_width(tpage, training_site):
    """A manager's review: at 390 px "Make an exercise" was past the right edge, in the last
    column of a table that scrolled sideways in its box (the page itself did not), with no line
    saying so. Now each letter is a block of its own on a narrow screen, every cell named by its
    column as the decisions register's are: nothing is wider than the screen, and the link is
    in view. At 1280 px it is the table it was."""
    sign_in(tpage, training_site["tokens"]["manager"])
    tpage.set_viewport_size(PHONE)
    tpage.goto("/training/from-panel")
    assert tpage.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    link = tpage.get_by_role("link", name=re.compile("^Make an exercise")).first
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    table = tpage.locator("#panel-letters")
    assert table.evaluate("e => e.parentElement.scrollWidth <= e.parentElement.clientWidth")
    rating = table.locator("td[data-label='Panel rating']").first  # a cell says which column it is
    assert rating.evaluate("e => getComputedStyle(e, '::before').content") == '"Panel rating: "'
    assert cut_off_tables(tpage) == []
    assert_accessible(tpage)
    look(tpage, "training-from-panel-390")
    link.click()
    tpage.wait_for_url(re.compile(r"/training/from-panel/\d+$"))
    assert tpage.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    look(tpage, "training-from-panel-make-390")
    tpage.set_viewport_size({"width": 1280, "height": 900})
    tpage.goto("/training/from-panel")
    assert tpage.locator("#panel-letters thead th").first.is_visible()  # a table on a desktop
    assert tpage.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert cut_off_tables(tpage) == []
    look(tpage, "training-from-panel-1280")


def test_panel_members_and_admins_cannot_open_training(tpage, training_site):
    for role in ("panel", "admin"):
        sign_in(tpage, training_site["tokens"][role])
        tpage.goto("/training")
        assert "cannot open this page" in tpage.content()
        tpage.goto("/guide")  # the guide is for everyone
        assert tpage.get_by_role("heading", name="The letter standard: a guide").is_visible()


def _fill_date(tpage, day: str, month: str, year: str) -> None:
    """The date the letter goes out, as day, month and year (three boxes under one legend)."""
    group = tpage.get_by_role("group", name=re.compile("^Date the letter goes out"))
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)
