"""Where "Insert this paragraph" puts an early or opening paragraph in a letter with no greeting,
worked out by api/static/insert.js in the real browser. A user review: with no "Dear ...", an
acknowledgement of feelings went last, before "Kind regards", and early only if "Insert the
greeting" was pressed first. The letter's prose now starts at the line giving the decision, else
at its first line of prose (a sentence of four words or more, or a line longer than a header's),
passing over its header, reference and subject lines; a paragraph wrapped at a line length
starts at its first line."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from browser_helpers import placed
from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent.parent
NEW = "I am so sorry for what you have been through."
CTX = LetterContext(decision="discontinued", decision_date=dt.date(2026, 11, 30), letter_date=dt.date(2026, 12, 1),
                    victim_category="standard", victim_name="Ms Aoife O'Brien-Kowalski")

LETTER = ("Re: Theft from your van on 2 November 2026\n\n"
          "I am writing to tell you that we have decided to stop the case against Mr Dale. The only "
          "witness could not pick him out.\n\n"
          "If you are not happy with this decision, you can ask us to look at it again.\n\n"
          "Kind regards\n\nSam Patel\nVictim Liaison Officer\n")


def _place(page, text: str, where: str, context: LetterContext = CTX) -> tuple[str, str]:
    return placed(page, text, NEW, where, context.model_dump(mode="json"))


def test_an_early_paragraph_goes_after_the_decision_not_last(script_page):
    new, said = _place(script_page, LETTER, "early")
    assert "pick him out.\n\n" + NEW + "\n\nIf you are not happy" in new
    assert said == " after the first paragraph"
    # the same place as once the greeting is put in above it
    greeted, _ = _place(script_page, LETTER.replace("Re: Theft", "Dear Ms O'Brien-Kowalski\n\nRe: Theft", 1), "early")
    assert greeted.split(NEW)[1] == new.split(NEW)[1]


def test_after_the_paragraph_giving_the_decision_further_down(script_page):
    text = LETTER.replace("I am writing to tell you that we have decided to stop the case against Mr Dale. The only "
                          "witness could not pick him out.",
                          "Thank you for your patience while the police looked into what happened.\n\n"
                          "We have decided to stop the case against Mr Dale. The only witness could not pick him out.")
    new, said = _place(script_page, text, "early")
    assert "pick him out.\n\n" + NEW + "\n\nIf you are not happy" in new
    assert said == " after the paragraph that gives the decision"


def test_an_opening_paragraph_goes_above_the_first_paragraph_under_the_header(script_page):
    text = ("CPS Wessex\n1 Park Street\nBristol BS1 1AA\n\nOur ref: 12AB3456789\n\n"
            "The police have looked again at the film from the shop. It does not show his face.\n\n"
            "Kind regards\n\nSam Patel\n")
    new, said = _place(script_page, text, "opening", CTX.model_copy(update={"decision": "not_charged"}))
    assert "Our ref: 12AB3456789\n\n" + NEW + "\n\nThe police have looked again" in new
    assert said == " as the first paragraph"


def test_a_paragraph_wrapped_at_a_line_length_is_not_split(script_page):
    text = ("Private - to be opened by addressee only\n\n"
            "I am writing from the Crown Prosecution Service (CPS) about the case against\n"
            "Scott Farrow. I know the last few months have been very hard for you. Thank\n"
            "you.\n\n"
            "We could not go ahead without a witness who saw what happened that night in\n"
            "the flat.\n\n"
            "Yours sincerely\n\nSam Patel\n")
    new, _ = _place(script_page, text, "opening", CTX.model_copy(update={"decision": None}))
    assert "only\n\n" + NEW + "\n\nI am writing from" in new
    new, _ = _place(script_page, text, "early", CTX.model_copy(update={"decision": None}))
    assert "Thank\nyou.\n\n" + NEW + "\n\nWe could not go ahead" in new


def test_a_letter_with_no_prose_keeps_the_paragraph_above_the_sign_off(script_page):
    text = "Re: your case\n\nKind regards\n\nSam Patel\n"
    new, said = _place(script_page, text, "early")
    assert new.index(NEW) < new.index("Kind regards") and said == " before the sign-off"


def test_the_review_letter_clears_its_finding_and_raises_none(script_page):
    """The review's own letter: the acknowledgement, pressed with no greeting, clears its finding
    and raises no other."""
    before = score_letter(Letter(text=LETTER, context=CTX), today=dt.date(2026, 12, 1))
    [f] = [f for f in before.findings if f.rule == "empathy.acknowledgement"]
    new, _ = placed(script_page, LETTER, f.suggestions[0], "early", CTX.model_dump(mode="json"))
    assert new.index("pick him out.") < new.index(f.suggestions[0]) < new.index("If you are not happy")
    after = score_letter(Letter(text=new, context=CTX), today=dt.date(2026, 12, 1))
    assert "empathy.acknowledgement" not in {g.rule for g in after.findings}
    assert not Counter(g.rule for g in after.findings) - Counter(g.rule for g in before.findings)
