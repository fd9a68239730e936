"""Where "Insert this paragraph" puts a paragraph (review 10a, finding 7): an acknowledgement of
feelings, condolences and an apology for a late letter go after the first paragraph under the
greeting (the decision), never in the last lines; other missing content still goes just before
the sign-off. A Word file's letter (one line a paragraph, a "Re:" line under the greeting) and a
pasted one (blank lines between paragraphs), in Chromium against the real server."""
from __future__ import annotations

import pytest

from browser_helpers import checks_made, shot, sign_in, wait_for_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = ("The police sent us a file asking us to decide whether Mr Whitby should be charged with causing "
         "the death of your husband, Peter, by dangerous driving. We have decided not to charge him.")
WORD_STYLE = f"""Private - to be opened by addressee only
Mrs Susan Hale
12 Mill Lane
Norwich
NR1 4AB
Our reference: 36JK8642026
Dear Mrs Hale
Re: The case against Mr Carl Whitby
{FIRST}
The evidence does not show that his driving fell far below the standard of a careful driver.
If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of receiving this letter.
I would like to offer you a meeting to explain our decision.
Yours sincerely
Martin Gale
Crown Prosecutor
"""
PASTED = f"""Private - to be opened by addressee only

Dear Mrs Hale

The case against Mr Carl Whitby

{FIRST}

The evidence does not show that his driving fell far below the standard of a careful driver.

I would like to offer you a meeting to explain our decision.

Yours sincerely
Martin Gale
"""
# Bereaved, and dated after the due date: acknowledgement, condolences and an apology are missing.
CONTEXT = {"decision": "not_charged", "decision_date": "2024-12-02", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "bereaved": True, "victim_name": "Mrs Susan Hale"}
EARLY = ("Feelings not acknowledged", "No condolences", "No apology for lateness")


def _draft(site, text: str) -> int:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = open_db(site["db"])
    try:
        return service.submit(db, user_by_name(db, "Sam Staff"), text, CONTEXT, team="north",
                              source="test")["id"]
    finally:
        db.close()


def _insert(page, title: str) -> str:
    """Press the card's "Insert this paragraph"; the paragraph it put in."""
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text=title))
    value = card.locator("button.insert").get_attribute("data-value")
    card.locator("button.insert").click()
    assert "Paragraph inserted" in card.locator(".finding-done").inner_text()
    return value


def test_feelings_condolences_and_apology_go_after_the_first_paragraph(page, site):
    letter_id = _draft(site, WORD_STYLE)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    inserted = [_insert(page, title) for title in EARLY]
    lines = editor.input_value().split("\n")
    at = lines.index(FIRST)
    # each went just after the decision, on a line of its own as the letter's paragraphs are
    # (the last one pressed nearest the decision)
    assert lines[at + 1:at + 4] == list(reversed(inserted))
    assert lines[at - 1] == "Re: The case against Mr Carl Whitby" and lines[at - 2] == "Dear Mrs Hale"
    assert lines[at + 4].startswith("The evidence does not show")
    # other missing content still goes just before the sign-off
    support = _insert(page, "No support services")
    text = editor.input_value()
    assert text.index(support) > text.index("I would like to offer you a meeting")
    # on a line of its own, as the letter's paragraphs are (a Word file's letter has no blank
    # lines: a blank line came with each paragraph inserted, a review found)
    assert text.index(support) + len(support) + 1 == text.index("Yours sincerely")
    assert "\n\n" not in text
    assert "after the first paragraph under the greeting" in page.locator(
        "#findings > li", has=page.locator(".finding-title", has_text=EARLY[0])).locator(".finding-done").inner_text()
    shot(page, "letter-insert-early")


def test_in_a_letter_with_blank_lines_it_is_a_paragraph_of_its_own(page, site):
    letter_id = _draft(site, PASTED)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    value = _insert(page, EARLY[0])
    # after the decision (the heading under the greeting passed over), set apart by blank lines
    assert f"{FIRST}\n\n{value}\n\nThe evidence does not show" in editor.input_value()
    support = _insert(page, "No support services")  # before the sign-off, a blank line after it
    assert f"{support}\n\nYours sincerely" in editor.input_value()


# --- the decision first; a paragraph with gaps offered once ------------------------------------

OPENING = "Thank you for your patience while we looked at the file the police sent us about Peter's death."
NO_DECISION = WORD_STYLE.replace(FIRST, OPENING)


@pytest.mark.parametrize("style", ["word", "pasted"])
def test_the_decision_goes_first_under_the_greeting(page, site, style):
    """Found using the page: the decision went in just before the sign-off, so the victim read
    it last. It goes before the first paragraph under the greeting (a "Re:" line or a heading
    passed over), set apart as the letter's paragraphs are."""
    text = NO_DECISION if style == "word" else NO_DECISION.replace("\n", "\n\n").replace("\n\nMartin", "\nMartin")
    letter_id = _draft(site, text)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="Decision not stated plainly"))
    assert card.locator("button.insert").get_attribute("data-where") == "opening"
    before = checks_made(page)
    value = _insert(page, "Decision not stated plainly")
    apart = "\n" if style == "word" else "\n\n"
    assert f"Re: The case against Mr Carl Whitby{apart}{value}{apart}{OPENING}{apart}" in editor.input_value()
    assert "under the greeting, as the first paragraph" in card.locator(".finding-done").inner_text()
    wait_for_check(page, before)
    shot(page, f"letter-insert-decision-{style}")


def test_the_subject_line_passed_over_is_as_long_as_the_rules_say(page, site):
    """A line under the greeting with no full stop is a subject line, passed over, up to
    rules/structure.yml `subject_line_max_words` (as the page is sent it); a longer one is the
    first paragraph. (The page had its own number, 15, in api/static/insert.js.)"""
    letter_id = _draft(site, NO_DECISION)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    data = page.evaluate("JSON.parse(document.getElementById('letter-editor-data').textContent)")
    from vcl_qa.engine.rules_data import load_yaml

    assert data["subject_line_max_words"] == load_yaml("structure.yml")["subject_line_max_words"] == 15
    place = ("([text, most]) => { var d = JSON.parse(document.getElementById('letter-editor-data').textContent);"
             " d.subject_line_max_words = most; var p = window.VclInsert.place(text, 'NEW', 'opening', d);"
             " return text.slice(0, p.pos) + p.text + text.slice(p.pos); }")
    subject = "The case against Mr Carl Whitby"  # six words, no "Re:" (a reference line is always passed over)
    text = NO_DECISION.replace(f"Re: {subject}", subject)
    as_set = page.evaluate(place, [text, 15])
    assert f"{subject}\nNEW\n{OPENING}" in as_set
    shorter = page.evaluate(place, [text, 5])  # the subject line is now too long to pass over
    assert f"Dear Mrs Hale\nNEW\n{subject}\n" in shorter


def test_a_wrapped_first_line_is_not_taken_for_a_subject_line(page, site):
    """A review: in a letter wrapped at a line length, the decision's paragraph went in after the
    first line of the first paragraph ("... about the case against" / "Jordan Blake. We have now
    ..."), which passed for a subject line (no full stop, 13 words), cutting the sentence in two.
    A line ending with a word no heading ends with runs on: the paragraph goes above it."""
    letter_id = _draft(site, NO_DECISION)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    place = ("([text]) => { var d = JSON.parse(document.getElementById('letter-editor-data').textContent);"
             " var p = window.VclInsert.place(text, 'NEW', 'opening', d);"
             " return text.slice(0, p.pos) + p.text + text.slice(p.pos); }")
    wrapped = ("Private - to be opened by addressee only\n\nDear Mr Pickering\n\nCase details\n"
               "\u2022\tPerson charged\t\tJordan Blake\n\n"
               "I am writing from the Crown Prosecution Service (CPS) about the case against\n"
               "Jordan Blake. We have now finished looking again at all the evidence in the\n"
               "case. The reasons for our decision are set out below.\n\n"
               "Our case was that Mr Blake punched you in the car park. The only person who\n"
               "saw it has moved abroad.\n\nYours sincerely\nSam Staff\n")
    out = page.evaluate(place, [wrapped])
    assert "NEW\n\nI am writing from the Crown Prosecution Service (CPS) about the case against\nJordan Blake." in out
    # a subject line that ends with a name is still passed over
    subject = wrapped.replace("Case details\n\u2022\tPerson charged\t\tJordan Blake\n", "The case against Jordan Blake\n")
    assert "The case against Jordan Blake\n\nNEW\n\nI am writing" in page.evaluate(place, [subject])


def test_a_paragraph_with_gaps_is_not_offered_a_second_time(page, site):
    """Found using the page: the contact paragraph ("... contact me on [phone number] ...") does
    not clear its finding until its gaps are filled in, and the finding, checked again, offered
    it again: each press put one more copy in the letter. Now it names the gaps instead."""
    letter_id = _draft(site, WORD_STYLE)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    before = checks_made(page)
    value = _insert(page, "No way to contact us")
    assert "[phone number]" in value
    wait_for_check(page, before)
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="No way to contact us"))
    assert card.count() == 1
    assert card.locator("button.insert").count() == 0
    assert "The letter still has [phone number] and [email address] to fill in" in card.inner_text()
    assert editor.input_value().count(value) == 1
    shot(page, "letter-insert-gaps-named")


@pytest.mark.parametrize("style", ["word", "pasted"])
def test_feelings_go_after_the_paragraph_that_gives_the_decision(page, site, style):
    """Found using the page (sample 33): the decision came in the second paragraph, after "I
    write further to ...", and "I understand that this decision will be disappointing" went in
    after the first one, before the victim was told what was decided. It goes after the
    paragraph that states the decision (engine/run.py decision_stated)."""
    text = WORD_STYLE.replace(FIRST, f"{OPENING}\n{FIRST}")
    if style == "pasted":
        text = text.replace("\n", "\n\n").replace("\n\nMartin", "\nMartin")
    letter_id = _draft(site, text)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    value = _insert(page, EARLY[0])
    apart = "\n" if style == "word" else "\n\n"
    assert f"{OPENING}{apart}{FIRST}{apart}{value}{apart}The evidence does not show" in editor.input_value()
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text=EARLY[0]))
    assert "after the paragraph that gives the decision" in card.locator(".finding-done").inner_text()
    shot(page, f"letter-insert-after-decision-{style}")


def test_with_the_decision_reworded_since_the_page_was_made_it_still_goes_after_it(page, site):
    """The writer changed the decision's words since the page was made: the page followed its
    place through the edit (a staff review found a one-click change to those words sent the
    paragraph above the decision), so the early paragraph still goes after it."""
    text = WORD_STYLE.replace(FIRST, f"{OPENING}\n{FIRST}")
    letter_id = _draft(site, text)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    reworded = FIRST.replace("We have decided not to charge him.", "We will not charge him.")
    editor.fill(editor.input_value().replace(FIRST, reworded))
    value = _insert(page, EARLY[0])
    assert f"{OPENING}\n{reworded}\n{value}\nThe evidence does not show" in editor.input_value()


def test_with_the_decision_taken_out_it_goes_after_the_first_paragraph(page, site):
    """The paragraph giving the decision is gone: the early paragraph goes where it went before
    there was a decision to follow, after the first paragraph under the greeting."""
    text = WORD_STYLE.replace(FIRST, f"{OPENING}\n{FIRST}")
    letter_id = _draft(site, text)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    editor.fill(editor.input_value().replace(f"{FIRST}\n", ""))
    value = _insert(page, EARLY[0])
    assert f"{OPENING}\n{value}\nThe evidence does not show" in editor.input_value()
