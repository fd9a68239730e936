"""A letter with no greeting: "Insert the greeting" puts the greeting the checker offers ("Dear Ms
de la Cruz,", from the victim's name) at the top of the letter's body, after the header lines and
before the first paragraph, on a line of its own with a blank line after it; checked again, the
letter no longer has the finding. On the letter page and on a training exercise, and over every
sample and held-out letter with its greeting taken out (api/static/greeting.js as the page loads
it), in Chromium against the real server."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from browser_helpers import (LETTER_BODY, LETTER_CONTEXT, ROOT, assert_accessible, checks_made, draft, shot, sign_in,
                             wait_for_check)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Ms Anne-Marie de la Cruz"
HEADER = ("Private - to be opened by addressee only\n\nMs Anne-Marie de la Cruz\n4 Orchard Close\nLeicester\n"
          "LE18 2PN\n\n3 March 2025\n\nOur reference: 33LE0419225\n\n")
BODY = LETTER_BODY
CONTEXT = {**LETTER_CONTEXT, "victim_name": NAME}
MISSING = 'The letter has no greeting ("Dear ...").'


def _card(page):
    return page.locator("#findings > li", has=page.locator(".finding-message", has_text=MISSING))


def test_the_greeting_goes_in_at_the_top_of_the_body_and_the_finding_goes(page, site):
    letter_id = draft(site, HEADER + BODY, CONTEXT)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = _card(page)
    assert "The greeting for the name in the letter's details:" in card.inner_text()
    assert card.locator("blockquote.suggested").inner_text() == "Dear Ms de la Cruz,"
    button = card.get_by_role("button", name="Insert the greeting")
    assert button.get_attribute("data-where") == "greeting"
    assert_accessible(page)
    shot(page, "letter-greeting-missing")
    before = checks_made(page)
    button.click()
    assert "Greeting inserted at the top of the letter" in card.locator(".finding-done").inner_text()
    editor = page.get_by_label("The letter", exact=True)
    # after the reference line, before the first paragraph, a blank line after it
    assert editor.input_value() == HEADER + "Dear Ms de la Cruz,\n\n" + BODY
    wait_for_check(page, before)
    assert _card(page).count() == 0
    assert MISSING not in page.locator("#findings").inner_text()
    shot(page, "letter-insert-greeting")
    # saved, the stored letter has the greeting and no such finding
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    page.wait_for_load_state()
    assert page.get_by_label("The letter", exact=True).input_value().startswith(HEADER + "Dear Ms de la Cruz,\n\n")
    assert _card(page).count() == 0


def _greeting_inserted(page, site, text: str, context: dict) -> str:
    """The letter after "Insert the greeting" on its page; the finding gone once checked again."""
    letter_id = draft(site, text, context)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    before = checks_made(page)
    _card(page).get_by_role("button", name="Insert the greeting").click()
    done = page.get_by_label("The letter", exact=True).input_value()
    wait_for_check(page, before)
    assert _card(page).count() == 0
    return done


def test_in_a_letter_with_no_blank_lines_the_greeting_is_set_apart(page, site):
    """A Word file's letter, one line a paragraph: the greeting gets a blank line above and below,
    so that it stands on its own, after the header lines (a rank and surname as the details give it)."""
    word_style = HEADER.replace("\n\n", "\n") + BODY.replace("\n\n", "\n")
    text = _greeting_inserted(page, site, word_style, {**CONTEXT, "victim_name": "DC John Smith"})
    assert text == word_style.replace("33LE0419225\n", "33LE0419225\n\nDear DC Smith,\n\n", 1)


def test_in_a_word_letter_the_greeting_goes_above_its_re_line(page, site):
    """Found in a staff review: in a Word file's letter (one line a paragraph) a "Re:" line straight
    above the first paragraph did not count as the subject line it is, and the greeting went under
    it; letters put the greeting above it, as they do in a letter with blank lines."""
    word_style = HEADER.replace("\n\n", "\n") + "Re: The case against Mr Lane\n" + BODY.replace("\n\n", "\n")
    text = _greeting_inserted(page, site, word_style, CONTEXT)
    assert text == word_style.replace("33LE0419225\n", "33LE0419225\n\nDear Ms de la Cruz,\n\n", 1)


def test_in_a_word_letter_the_greeting_goes_above_its_heading(page, site):
    """Found in a staff review: in a Word file's letter with no blank lines, "The case against Mr
    Lane" (no "Re:") straight above the first paragraph did not count as a heading, and the
    greeting went under it; the docs say above, as for a "Re:" line."""
    word_style = HEADER.replace("\n\n", "\n") + "The case against Mr Lane\n" + BODY.replace("\n\n", "\n")
    text = _greeting_inserted(page, site, word_style, CONTEXT)
    assert text == word_style.replace("33LE0419225\n", "33LE0419225\n\nDear Ms de la Cruz,\n\n", 1)


def test_with_no_name_there_is_no_button_and_the_advice_stays(page, site):
    context = {k: v for k, v in CONTEXT.items() if k != "victim_name"}
    letter_id = draft(site, HEADER + BODY, context)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    card = _card(page)
    assert card.count() == 1
    assert card.locator("button.insert").count() == 0 and card.locator("blockquote.suggested").count() == 0
    # the page's own cards, drawn again after a check made while typing, agree
    before = checks_made(page)
    editor = page.get_by_label("The letter", exact=True)
    editor.press("Control+End")
    page.keyboard.type("\n")
    wait_for_check(page, before)
    assert _card(page).count() == 1 and _card(page).locator("button.insert").count() == 0


def test_on_a_training_exercise_the_greeting_goes_in_at_the_top_of_the_body(page, site):
    from vcl_qa.training.exercises import built_in

    letter = built_in("okafor-not-charged").letter
    assert "\nDear Ms Okafor\n\n" in letter
    sign_in(page, site["tokens"]["staff"])
    page.goto("/training/okafor-not-charged")
    page.get_by_label("Fix the letter here").fill(letter.replace("Dear Ms Okafor\n\n", ""))
    page.get_by_role("button", name="Check my letter").click()
    page.wait_for_url(re.compile(r"attempt=1"))
    card = page.locator(".findings > li", has=page.locator(".finding-message", has_text=MISSING))
    card.get_by_role("button", name="Insert the greeting").click()
    assert "Greeting inserted at the top of the letter" in card.locator(".finding-done").inner_text()
    text = page.get_by_label("Edit your letter").input_value()
    assert text == letter.replace("Dear Ms Okafor\n\n", "Dear Ms Okafor,\n\n")


def _without_greeting(text: str) -> tuple[int, str, int] | None:
    """Where the letter's one greeting line is (its index), the letter with it and the blank
    lines after it taken out, and the offset in that text where it was."""
    lines = text.split("\n")
    found = [i for i, line in enumerate(lines) if re.match(r"[ \t]*(Dear|Annwyl|To whom)\b", line, re.I)]
    if len(found) != 1:
        return None  # a bilingual letter greets twice
    i = found[0]
    rest = lines[:i] + lines[i + 1:]
    while i < len(rest) and not rest[i].strip():
        rest.pop(i)
    return i, "\n".join(rest), len("\n".join(lines[:i])) + (1 if i else 0)


def test_every_sample_and_held_out_letter_gets_its_greeting_back_where_it_belongs(page, site):
    """Each letter with its greeting taken out: the greeting offered goes where the letter had
    one, or at most past a subject heading or reference line under it (never into the address,
    never below the first paragraph); the letter then scores as with the offered greeting where
    its own was: the same rules, and no greeting finding."""
    from vcl_qa import Letter
    from vcl_qa.engine.run import score_letter

    today = dt.date(2025, 6, 2)
    paths = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout*/letters/*.txt"))
    cases = []
    for path in paths:
        letter = Letter.from_file(path)
        taken = _without_greeting(letter.text)
        if taken is None or not letter.context.victim_name:
            continue
        line, bare, at = taken
        offered = [f.suggestions for f in score_letter(letter.model_copy(update={"text": bare}), today=today).findings
                   if f.rule == "content.salutation"]
        assert len(offered) == 1 and len(offered[0]) == 1, path.name
        own_place = letter.text.split("\n")
        own_place[line] = offered[0][0]  # the offered greeting where the letter's own was
        cases.append({"path": path, "letter": letter, "bare": bare, "at": at, "greeting": offered[0][0],
                      "own_place": "\n".join(own_place)})
    assert len(cases) > 700
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{draft(site, HEADER + BODY, CONTEXT)}")
    places = page.evaluate("""cases => {
        const data = JSON.parse(document.getElementById('letter-editor-data').textContent);
        return cases.map(c => VclGreeting.place(c.bare, c.greeting, data));
    }""", [{"bare": c["bare"], "greeting": c["greeting"]} for c in cases])
    for case, place in zip(cases, places):
        name, bare, pos = case["path"].name, case["bare"], place["pos"]
        assert pos >= case["at"], name  # never above where the letter's own greeting was
        passed = [line for line in bare[case["at"]:pos].split("\n") if line.strip()]
        assert len(passed) <= 2 and all(len(line.split()) <= 12 for line in passed), (name, passed)
        assert place["text"].endswith(case["greeting"] + "\n\n"), name
        placed = bare[:pos] + place["text"] + bare[pos:]
        got = score_letter(case["letter"].model_copy(update={"text": placed}), today=today)
        want = score_letter(case["letter"].model_copy(update={"text": case["own_place"]}), today=today)
        assert "content.salutation" not in {f.rule for f in got.findings}, name
        # (the same rules: a subject heading the greeting went above is read as under "Dear ..."
        # again; sample 17's heading "R v Nicholas Pemberton" is legal jargon there)
        assert sorted(f.rule for f in got.findings) == sorted(f.rule for f in want.findings), name


def test_a_subject_heading_above_the_first_paragraph_stays_under_the_greeting(page, site):
    """Letters put the subject heading under "Dear ..." ("Dear Mr Nowak," then "The case against
    Lee Barker": 55 sample and held-out letters, 2 the other way round, neither a heading; "Re:"
    lines: 4 under, none over). So
    the greeting goes above a line standing alone just over the first paragraph; not above a
    date, a name alone (the address), a reference code, a header line or the letter's first line
    (but for a "Re:" line)."""
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{draft(site, HEADER + BODY, CONTEXT)}")
    top = "Ms Anne-Marie de la Cruz\n4 Orchard Close\nLeicester\n\n3 March 2025\n\n"
    cases = {
        top + "The case against Mr Lane\n\n": top,  # above the heading
        top + "Break-in at your home on 12 March 2022\n\n": top,
        top + "Tuesday 4 March 2025\n\n": None,  # a date: under it
        "Ms Anne-Marie de la Cruz\n\n": None,  # a name alone: under it
        "The case against Mr Lane\n\n": None,  # the letter's first line: under it
        top + "Ein cyfeirnod: 62CF0193525\n\n": None,  # a reference code
        top + "Our reference: 33LE0419225\n\n": None,
        top + "Re: R v Matthew Keeling\n\n": top,  # a subject line: above it
        top + "Re: 41HT1099424\n\n": None,  # a reference by another name
        # a user review: a "Re:" line as the letter's first line is its subject line, and one as
        # long as a subject line may be (15 words), not only a heading's 8
        "Re: Theft from your van on 2 November 2026\n\n": "",
        top + "Re: Theft from your van on 2 November 2026\n\n": top,
        "Re: 41HT1099424\n\n": None,
        "Private and confidential\n\n": None,
        # a screenshot review: a "Re:" line with a reference in it, in capitals, or long, is still
        # the subject line
        top + "Re: The case against Mr Daniel Hale (our reference 13XY3333326)\n\n": top,
        top + "Re: R v Daniel Hale, URN 13XY3333326\n\n": top,
        "RE: ASSAULT ON 3 MARCH - DANIEL HALE\n\n": "",
        "Re: the assault on you outside the shop on Main Street on 3 March 2026 and what happens now\n\n": "",
    }
    texts = [head + BODY for head in cases]
    places = page.evaluate("""texts => {
        const data = JSON.parse(document.getElementById('letter-editor-data').textContent);
        return texts.map(t => VclGreeting.place(t, 'Dear Ms de la Cruz,', data));
    }""", texts)
    for (head, above), place in zip(cases.items(), places):
        want = len(above) if above is not None else len(head)
        assert place == {"pos": want, "text": "Dear Ms de la Cruz,\n\n"}, head
