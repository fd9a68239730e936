"""An early paragraph (feelings, condolences, an apology for a late letter) never goes between
two sentences the checker reads together, and after a changed charge goes after the sentence
that says what the charge now is (a staff review of the one-click help; engine-side:
tests/test_insert_read_together.py). api/static/insert.js run in Chromium on the letter and the
data the pages are given (api/web/letter_view.py `insert_data`), as letter.js calls it, and the
letter checked again after; then the letter page itself.

Before: in a letter naming "the Code for Crown Prosecutors" at the end of the decision's
paragraph and saying what it is at the start of the next, "I understand that this decision will
be disappointing ..." went between them, and the letter raised content.cps_role and
readability.jargon, which it did not have; in a letter that gives a changed charge first as news
("I am writing to tell you about a change to the charge against Mr Lane."), it went before the
paragraph that says what the charge now is."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from api.web.letter_view import insert_data
from browser_helpers import draft, sign_in
from live_server import ROOT
from vcl_qa import Letter
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

from test_insert_read_together import (  # (tests/ is on the path: conftest.py)
    ACK, CHANGED, CHARGE_LETTER, CODE_LETTER, CODE_WORD, CONTEXT, EXPLAINED, NAMED, NOW, _keys)

pytestmark = [pytest.mark.browser]

TODAY = dt.date(2025, 3, 4)


@pytest.fixture(scope="module")
def scripts(browser):
    """A page with the placing scripts only (no server)."""
    pg = browser.new_page()
    pg.set_content("<!doctype html><title>t</title>")
    for name in ("greeting.js", "insert.js"):
        pg.add_script_tag(path=str(ROOT / "api" / "static" / name))
    yield pg
    pg.close()


def _place(page, text: str, context: dict, value: str = ACK, where: str = "early", *, together: bool = True) -> dict:
    """Where the page puts `value`, as letter.js asks (the decision's place and the pairs read
    together, as the page was given them); `together=False`: as if no pair were given."""
    data = json.loads(json.dumps(insert_data(load_rules().rules, text, context)))
    if not together:
        data["read_together"] = []
    return page.evaluate("([t, v, w, d]) => window.VclInsert.place(t, v, w, "
                         "window.VclInsert.withDecision(d, d.decision_place, t, d.read_together))",
                         [text, value, where, data])


def _put(text: str, placed: dict) -> str:
    return text[:placed["pos"]] + placed["text"] + text[placed["pos"]:]


def _new_findings(text: str, placed: dict, context: dict) -> set:
    """Findings the letter raises after the paragraph is put in that it did not raise before
    (those in the paragraph itself aside; places as in the letter before)."""
    def scored(t):
        return score_letter(Letter(text=t, context=context_from_mapping(context)), today=TODAY)

    return _keys(scored(_put(text, placed)), placed["pos"], len(placed["text"])) - _keys(scored(text))


# --- the Code named, and explained in the next paragraph -----------------------------------------

@pytest.mark.parametrize("text", [CODE_LETTER, CODE_WORD], ids=["blank lines", "one line a paragraph"])
def test_feelings_go_after_the_paragraph_that_explains_the_code_and_raise_nothing_new(scripts, text):
    apart = "\n\n" if "\n\n" in text else "\n"
    # what the page did: between the Code and what it is, and two new findings
    before = _place(scripts, text, CONTEXT, together=False)
    assert _put(text, before).count(NAMED + apart + ACK + apart + EXPLAINED) == 1
    assert {rule for rule, _ in _new_findings(text, before, CONTEXT)} == {"content.cps_role", "readability.jargon"}
    # now: after the paragraph that explains it, and nothing new
    placed = _place(scripts, text, CONTEXT)
    out = _put(text, placed)
    assert NAMED + apart + EXPLAINED in out
    assert "enough evidence to go on." + apart + ACK + apart + "If you are not happy" in out
    assert _new_findings(text, placed, CONTEXT) == set()
    assert placed["said"] == " after the first paragraph under the greeting and the one that goes on from it"
    # the acknowledgement's own finding is gone
    result = score_letter(Letter(text=out, context=context_from_mapping(CONTEXT)), today=TODAY)
    assert "empathy.acknowledgement" not in {f.rule for f in result.findings}


def test_after_the_paragraph_that_gives_the_decision_and_the_one_that_explains_it(scripts):
    opening = "Thank you for your patience while we looked at the file the police sent us."
    text = CODE_LETTER.replace("Dear Ms Okafor\n\n", f"Dear Ms Okafor\n\n{opening}\n\n")
    placed = _place(scripts, text, CONTEXT)
    assert "enough evidence to go on.\n\n" + ACK + "\n\nIf you are not happy" in _put(text, placed)
    assert placed["said"] == " after the paragraph that gives the decision and the one that goes on from it"
    assert _new_findings(text, placed, CONTEXT) == set()


@pytest.mark.parametrize("path,after", [
    ("bench/holdout18/letters/good_07_school_damage.txt", "So in practice there will be no trial about the damage to Brookfield."),
    ("bench/holdout21/letters/good_13_er_no_evidence_bike_theft_standard.txt", "This means we told the court we would stop the case."),
])
def test_a_term_explained_in_the_next_paragraph_keeps_its_explanation(scripts, path, after):
    """Real letters: '"lie on the file".' / 'offered no evidence' then 'This means ...' below."""
    letter = Letter.from_file(ROOT / path)
    context = letter.context.model_dump(mode="json", exclude_none=True)
    placed = _place(scripts, letter.text, context)
    assert after + "\n\n" + ACK + "\n\n" in _put(letter.text, placed)
    assert _new_findings(letter.text, placed, context) == set()


@pytest.mark.parametrize("path", sorted((ROOT / "sample_letters").glob("*.txt")), ids=lambda p: p.name[:2])
def test_sample_letters_get_the_paragraph_where_they_did_and_nothing_new(scripts, path):
    """Good and flawed sample letters alike: nothing they say is read across the place the
    paragraph goes, so it goes where it went before, and raises nothing new."""
    letter = Letter.from_file(path)
    context = letter.context.model_dump(mode="json", exclude_none=True)
    placed = _place(scripts, letter.text, context)
    assert placed == _place(scripts, letter.text, context, together=False)
    assert _new_findings(letter.text, placed, context) == set()


# --- a changed charge --------------------------------------------------------------------------

def test_feelings_go_after_the_paragraph_that_says_what_the_charge_now_is(scripts):
    placed = _place(scripts, CHARGE_LETTER, CHANGED)
    out = _put(CHARGE_LETTER, placed)
    assert f"{NOW} The case is still going ahead, and the trial is on 3 June.\n\n{ACK}\n\nThe medical evidence" in out
    assert placed["said"] == " after the paragraph that gives the decision"


def test_with_a_heading_feelings_go_after_the_paragraph_under_it(scripts):
    text = CHARGE_LETTER.replace("I am writing to tell you about a change to the charge against Mr Lane.",
                                 "The charge has changed").replace(NOW + " ", "")
    out = _put(text, _place(scripts, text, CHANGED))
    assert "the trial is on 3 June.\n\n" + ACK + "\n\nThe medical evidence" in out


@pytest.mark.parametrize("path,after", [
    ("sample_letters/04_good_charge_altered_burglary_standard.txt", "the worry the break-in has caused you."),
    ("sample_letters/07_good_charge_altered_death_by_driving_bereaved.txt", "I want to explain why."),
    ("sample_letters/13_good_charge_altered_sexual_offence_enhanced.txt", "at Nottingham Crown Court the same day."),
    ("sample_letters/22_flawed_review_offered_charge_altered.txt", "this news may be hard to hear."),
    ("sample_letters/23_flawed_hate_crime_review_no_meeting.txt", "I am truly sorry for how this may make you feel."),
    # news first, what the charge now is in the next paragraph
    ("bench/holdout25/letters/flaw_15_s18-to-s20-review-offered.txt", "We have accepted his plea, and there will be no trial."),
    ("bench/holdout2/letters/good_09_murder_to_manslaughter.txt", "or cause him really serious harm."),
    # a heading "The charge has changed", "Why has the charge changed?"
    ("bench/holdout24/letters/good_10_bereaved-charge-changed.txt", "the next hearing is on 3 June at Saltney Crown Court."),
    ("bench/holdout19/letters/good_08_phone_questions_charge.txt", "or anything else of his, there."),
    # the reason first ("For the more serious charge, ..."), then the change
    ("bench/holdout10/letters/good_02_driving_bereaved_reason_first.txt", "He will appear at Snaresbrook Crown Court on 14\u00a0January."),
])
def test_charge_altered_letters_get_feelings_after_the_new_charge(scripts, path, after):
    letter = Letter.from_file(ROOT / path)
    context = letter.context.model_dump(mode="json", exclude_none=True)
    placed = _place(scripts, letter.text, context)
    assert _put(letter.text, placed).count(after + "\n\n" + ACK + "\n\n") == 1
    assert _new_findings(letter.text, placed, context) == set()


# --- on the letter page: the pairs followed through the writer's edits ---------------------------

@pytest.mark.slow
def test_on_the_letter_page_after_an_edit_above_it(page, site):
    letter_id = draft(site, CODE_LETTER, CONTEXT)
    sign_in(page, site["tokens"]["staff"])
    page.goto(f"/letters/{letter_id}")
    editor = page.get_by_label("The letter", exact=True)
    # a paragraph typed above the decision moves every place on: the pair moves with it
    opening = "Thank you for your patience while we looked at the file the police sent us about the attack."
    editor.fill(editor.input_value().replace("Dear Ms Okafor\n\n", f"Dear Ms Okafor\n\n{opening}\n\n"))
    card = page.locator("#findings > li", has=page.locator(".finding-title", has_text="Feelings not acknowledged"))
    value = card.locator("button.insert").get_attribute("data-value")
    card.locator("button.insert").click()
    assert "and the one that goes on from it" in card.locator(".finding-done").inner_text()
    out = editor.input_value()
    assert NAMED + "\n\n" + EXPLAINED in out
    assert "enough evidence to go on.\n\n" + value + "\n\nIf you are not happy" in out


# --- feelings first, then what the CPS does --------------------------------------------------------

FEELINGS_LETTER = """Private - to be opened by addressee only

Dear Ms Okafor

I am writing to tell you that we have decided to stop the case against Mr Lane.

The only witness to the fight has moved abroad and the police cannot find her, so we cannot prove who started it.

You can ask us to look at this decision again. This is called the Victims' Right to Review. Please ask within 10 working days of this letter. We will accept a request up to 3 months after the decision.

If you have any questions, please call me on 01632 960214.

Yours sincerely

Sam Staff
"""
DECISION = "I am writing to tell you that we have decided to stop the case against Mr Lane."


def _insert_text(rule_id: str) -> str:
    return load_rules().by_id[rule_id].config.insert.strip()


def test_what_the_cps_does_goes_after_the_feelings_put_in_next_to_the_decision_either_way(scripts):
    """A staff review: "Feelings not acknowledged" pressed, then "What the CPS does", put the CPS
    paragraph between the decision and the acknowledgement. Either order now gives the decision,
    the feelings, then what the CPS does."""
    cps = _insert_text("content.cps_role")
    ack_first = _put(FEELINGS_LETTER, _place(scripts, FEELINGS_LETTER, CONTEXT, ACK))
    both = _put(ack_first, _place(scripts, ack_first, CONTEXT, cps))
    assert DECISION + "\n\n" + ACK + "\n\n" + cps + "\n\nThe only witness" in both
    cps_first = _put(FEELINGS_LETTER, _place(scripts, FEELINGS_LETTER, CONTEXT, cps))
    assert _put(cps_first, _place(scripts, cps_first, CONTEXT, ACK)) == both
    # condolences with their gap typed over, and curly apostrophes, are feelings too
    bereaved = {**CONTEXT, "bereaved": True}
    condolence = _insert_text("empathy.condolence").replace("[name]", "your son, Daniel")
    typed = FEELINGS_LETTER.replace(DECISION, DECISION + "\n\n" + condolence)
    assert condolence in typed
    placed = _put(typed, _place(scripts, typed, bereaved, cps))
    assert condolence + "\n\n" + cps + "\n\nThe only witness" in placed
    # a paragraph of the writer's own after the decision is not passed over
    own = FEELINGS_LETTER.replace(DECISION, DECISION + "\n\nI know how long you have waited for this.")
    assert DECISION + "\n\n" + cps + "\n\nI know how long" in _put(own, _place(scripts, own, CONTEXT, cps))
