"""Where the letter page puts a paragraph after the decision (a staff review of the one-click
help): never between two sentences the checker reads together, and, for a changed charge,
after the sentence that says what the charge now is.

- A letter that names "the Code for Crown Prosecutors" at the end of the decision's paragraph
  and says what it is at the start of the next: the acknowledgement of feelings went between
  them, and the letter then raised two findings it did not have (content.cps_role "names the
  Code without saying what it is", readability.jargon). engine/run.py `read_together` finds
  such pairs by putting a paragraph in and checking the letter again; the page goes after the
  second (api/static/insert.js; tests/browser/test_browser_insert_together.py presses it).
- A changed charge is often first given as news ("I am writing about a change to the charge
  against Mr Lane", or a heading "The charge has changed"); the victim learns what it now is a
  sentence or two on, and the acknowledgement went before that. engine/run.py
  `decision_stated` now ends the decision's place there (content.decision `placed_after`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.web.letter_view import insert_data
from vcl_qa import Letter
from vcl_qa.engine.concepts import find_concept
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import decision_stated, read_together, score_letter
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.typography import fold

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 3, 4)
CONTEXT = {"decision": "discontinued", "decision_date": "2025-03-03", "letter_date": "2025-03-04",
           "victim_category": "standard", "bereaved": False, "offence": "assault",
           "victim_name": "Ms Jane Okafor"}
NAMED = "We made this decision under the Code for Crown Prosecutors."
EXPLAINED = "This is the set of rules that every prosecutor must follow."
ACK = "I understand that this decision will be disappointing, and I am sorry for the distress this has caused you."
# The decision and the Code named in one paragraph, the Code explained at the start of the next;
# no acknowledgement of feelings (its "Insert this paragraph" is offered).
CODE_LETTER = f"""Private - to be opened by addressee only

Dear Ms Okafor

I am writing to tell you that we have decided to stop the case against Mr Lane. {NAMED}

{EXPLAINED} The only witness has moved abroad and cannot be traced, so there is no longer enough evidence to go on.

If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of receiving this letter.

We are independent of the police. Victim Support can help you. Call them on 0808 168 9111. You can contact me on 01632 960477.

Yours sincerely

Sam Staff
"""
# The same letter as a Word file gives it: one line a paragraph, no blank lines.
CODE_WORD = "\n".join(line for line in CODE_LETTER.split("\n") if line.strip()) + "\n"

CHANGED = {**CONTEXT, "decision": "charge_altered"}
NEWS = "I am writing to tell you about a change to the charge against Mr Lane."
NOW = "He is now charged with assault causing actual bodily harm."
# A changed charge given first as news, then what it is in the next paragraph.
CHARGE_LETTER = f"""Dear Ms Okafor

{NEWS}

Mr Lane was charged with causing you grievous bodily harm, which means really serious harm. {NOW} The case is still going ahead, and the trial is on 3 June.

The medical evidence shows that your injuries, though painful, were not really serious in law.

Yours sincerely

Sam Staff
"""


def _letter(text: str, context: dict) -> Letter:
    return Letter(text=text, context=context_from_mapping(context))


def _keys(result, at: int | None = None, size: int = 0) -> set:
    """(rule, start) of each finding, in the letter before `size` characters were put in at `at`."""
    out = set()
    for f in result.findings:
        start = f.start
        if at is not None and start is not None:
            if start >= at + size:
                start -= size
            elif f.end > at:
                continue
        out.add((f.rule, start))
    return out


# --- the fault, as the checker sees it ----------------------------------------------------------

@pytest.mark.parametrize("text", [CODE_LETTER, CODE_WORD], ids=["blank lines", "one line a paragraph"])
def test_a_paragraph_between_the_code_and_what_it_is_raises_findings_the_letter_did_not_have(text):
    """What the page did: the acknowledgement straight after the decision's paragraph."""
    letter = _letter(text, CONTEXT)
    before = score_letter(letter, today=TODAY)
    assert "content.cps_role" not in {f.rule for f in before.findings}
    apart = "\n\n" if "\n\n" in text else "\n"
    at = text.index(NAMED) + len(NAMED)
    put = apart + ACK
    after = score_letter(_letter(text[:at] + put + text[at:], CONTEXT), today=TODAY)
    new = _keys(after, at, len(put)) - _keys(before)
    assert {rule for rule, _ in new} == {"content.cps_role", "readability.jargon"}


@pytest.mark.parametrize("text", [CODE_LETTER, CODE_WORD], ids=["blank lines", "one line a paragraph"])
def test_the_code_and_what_it_is_are_read_together(text):
    letter = _letter(text, CONTEXT)
    place = decision_stated(letter)
    assert place and "decided to stop the case" in text[place[0]:place[1]]
    pairs = read_together(letter, after=place[0])
    assert [text[a:b] for a, b in pairs] == [NAMED + ("\n\n" if "\n\n" in text else "\n") + EXPLAINED]
    # the page is told them, with the decision's place
    data = insert_data(load_rules().rules, text, CONTEXT)
    assert data["read_together"] == [list(pair) for pair in pairs]
    assert data["decision_place"] == list(place)


def test_a_term_explained_in_the_next_paragraph_is_read_with_it():
    """A real letter: '"lie on the file".' and 'This means ...' in the next paragraph."""
    path = ROOT / "bench/holdout18/letters/good_07_school_damage.txt"
    letter = Letter.from_file(path)
    place = decision_stated(letter)
    pairs = [letter.text[a:b] for a, b in read_together(letter, after=place[0])]
    assert pairs == ['We asked for it to "lie on the file".\n\nThis means the charge is put to one side and will not '
                     'go ahead for now.']


@pytest.mark.parametrize("path", sorted((ROOT / "sample_letters").glob("*_good_*.txt")), ids=lambda p: p.name[:2])
def test_good_sample_letters_have_nothing_read_together_after_their_decision(path):
    letter = Letter.from_file(path)
    place = decision_stated(letter)
    assert read_together(letter, after=place[0] if place else 0) == []


def test_details_that_cannot_be_read_give_no_pairs():
    data = insert_data(load_rules().rules, CODE_LETTER, {"decision": "no such decision"})
    assert data["read_together"] == [] and data["decision_place"] is None
    assert insert_data(load_rules().rules, CODE_LETTER, None)["read_together"] == []


def test_a_letter_with_invisible_characters_gets_pairs_in_the_letter_as_written():
    text = CODE_LETTER.replace("Crown Prosecutors", "Crown Pro\u00adsecutors").replace("every prosecutor", "every\u200b prosecutor")
    letter = _letter(text, CONTEXT)
    pairs = read_together(letter, after=decision_stated(letter)[0])
    assert pairs == [(text.index("We made this decision"), text.index("must follow.") + len("must follow."))]


# --- a changed charge ---------------------------------------------------------------------------

def test_a_changed_charge_given_first_as_news_ends_where_it_says_what_the_charge_is():
    letter = _letter(CHARGE_LETTER, CHANGED)
    start, end = decision_stated(letter)
    assert CHARGE_LETTER[start:end].startswith(NEWS) and CHARGE_LETTER[start:end].endswith(NOW)


def test_a_heading_that_gives_the_decision_ends_with_the_sentence_under_it():
    text = CHARGE_LETTER.replace(NEWS, "The charge has changed").replace(NOW + " ", "")
    start, end = decision_stated(_letter(text, CHANGED))
    assert text[start:end] == ("The charge has changed\n\nMr Lane was charged with causing you grievous bodily harm, "
                               "which means really serious harm.")


@pytest.mark.parametrize("name,said", [
    ("04_good_charge_altered_burglary_standard.txt", "We have changed the charge from burglary to handling stolen goods."),
    ("13_good_charge_altered_sexual_offence_enhanced.txt",
     "On Friday 22 August, we agreed to change the charge against him from attempted rape to sexual assault."),
])
def test_a_sample_letter_that_says_the_new_charge_at_once_keeps_its_place(name, said):
    letter = Letter.from_file(ROOT / "sample_letters" / name)
    start, end = decision_stated(letter)
    assert letter.text[start:end] == said


def test_other_decisions_keep_the_words_that_give_them():
    text = ("Dear Ms Okafor\n\nWe have decided to stop the case against Mr Lane.\n\nHe will no longer be charged with "
            "assault, and he will not face a charge of theft.\n\nYours sincerely\n\nSam Staff\n")
    start, end = decision_stated(_letter(text, CONTEXT))
    assert text[start:end] and text[start:end] in "We have decided to stop the case against Mr Lane."


@pytest.mark.parametrize("text,found", [
    ("We have changed the charge against Mr Price from GBH to ABH.", True),
    ("We have changed the charge to common assault.", True),
    ('We have changed the charge from "wounding with intent" to "unlawful wounding".', True),
    ("We have decided to change this to causing death by careless driving.", True),
    ("The charge of robbery has been replaced with a charge of theft.", True),
    ("He now faces a charge of harassment instead.", True),
    ("He will now stand trial for manslaughter, not murder.", True),
    ("The new charge is threatening behaviour.", True),
    ("The charge is now burglary.", True),
    ("He offered to plead guilty to a less serious charge of wounding.", True),
    ("We have accepted his plea.", True),
    # news of a change, not what it is
    ("I am writing to tell you about a change to the charge against Mr Lane.", False),
    ("We have changed the charge against Mr Lane.", False),
    ("The charge has changed", False),
    ("Why has the charge changed?", False),
    ("We are thinking about whether to change the charge to common assault.", False),
])
def test_what_the_charge_is_now_is_found(text, found):
    concept = load_rules().concepts["decision_charge_now"]
    assert bool(find_concept(concept, analyse(fold(text)), {})) is found


def test_a_long_letter_is_not_checked_again_past_the_budget(monkeypatch):
    """Each place tried checks the whole letter again: a pasted draft of 199 KB would have held
    its page for 15 s. The places tried are bounded in characters (READ_TOGETHER_CHARS): a
    letter longer than it gets no pairs (the paragraph goes where it went before), and one of
    half of it is tried at one place at the most."""
    from vcl_qa.engine import run

    letter = _letter(CODE_LETTER, CONTEXT)
    calls = []
    real = run._checked
    monkeypatch.setattr(run, "_checked", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(run, "READ_TOGETHER_CHARS", len(CODE_LETTER) - 1)
    assert read_together(letter) == [] and len(calls) == 1  # the letter as it is, and no place
    calls.clear()
    monkeypatch.setattr(run, "READ_TOGETHER_CHARS", 2 * len(CODE_LETTER))
    read_together(letter)
    assert len(calls) <= 3  # the letter, and at most two places
    calls.clear()
    monkeypatch.setattr(run, "READ_TOGETHER_CHARS", 600_000)
    assert read_together(letter) and len(calls) > 1
