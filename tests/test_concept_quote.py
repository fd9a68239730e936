"""A finding placed by a concept quotes whole words (engine/concepts.py `_whole_words`): a
pattern that ends inside a word ("review" of "reviewed") quoted "... for this decision to be
review" (a staff review)."""
from __future__ import annotations

import datetime as dt

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter


def test_the_review_offered_for_a_changed_charge_is_quoted_to_the_end_of_its_word():
    ctx = LetterContext(decision="charge_altered", decision_date=dt.date(2025, 3, 3),
                        letter_date=dt.date(2025, 3, 4), victim_category="standard", victim_name="Ms Jane Okafor")
    text = ("Dear Ms Okafor\n\nWe have changed the charge to common assault. You have the right to ask for "
            "this decision to be reviewed within 10 working days.\n\nYours sincerely\n\nSam Staff\n")
    found = [f for f in score_letter(Letter(text=text, context=ctx)).findings if f.rule == "content.vrr_not_applicable"]
    assert len(found) == 1
    f = found[0]
    assert f.text.endswith("to be reviewed") and text[f.start:f.end] == f.text
    assert not text[f.end].isalnum() and not text[f.start - 1].isalnum()
