"""Suppressed findings are reported as suppressed, cost nothing, and never vanish."""
import dataclasses

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.letter import Suppression
from vcl_qa.engine.rules import load_rules

TEXT = ("Dear Ms Okafor\n\nPrior to the hearing, we decided to stop the case. "
        "The charge will lie on file.\n\nYours sincerely\n")


def jargon(result):
    return {(f.text, f.suppressed, f.penalty > 0) for f in result.findings if f.rule == "readability.jargon"}


def test_letter_suppression_for_one_term():
    ctx = LetterContext(suppress=[Suppression(rule="readability.jargon", term="prior to", reason="agreed")])
    result = score_letter(Letter(text=TEXT, context=ctx))
    assert ("Prior to", True, False) in jargon(result)
    assert ("lie on file", False, True) in jargon(result)


def test_letter_suppression_for_a_whole_rule():
    ctx = LetterContext(suppress=[Suppression(rule="readability.jargon", reason="legal team letter")])
    result = score_letter(Letter(text=TEXT, context=ctx))
    assert jargon(result) == {("Prior to", True, False), ("lie on file", True, False)}
    assert result.dimensions["readability"].warnings == 0


def test_area_vocabulary_accepts_a_term():
    rs = dataclasses.replace(load_rules(), vocabulary=["lie on file"])
    result = score_letter(Letter(text=TEXT), ruleset=rs)
    found = [f for f in result.findings if f.text == "lie on file"]
    assert found and found[0].suppressed and "vocabulary" in found[0].suppressed_reason
    assert ("Prior to", False, True) in jargon(result)


def test_suppression_needs_a_reason():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Suppression(rule="readability.jargon", reason="")
