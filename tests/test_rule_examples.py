"""Every rule in rules/ carries examples it must flag and must pass; run them all."""
import datetime as dt

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.rules import load_rules

RULES = load_rules().rules
TODAY = dt.date(2025, 6, 2)


def _cases(kind: str):
    for rule in RULES:
        for i, ex in enumerate(rule.examples.get(kind) or []):
            yield pytest.param(rule.id, ex, id=f"{rule.id}-{kind}-{i}")


def _letter(ex) -> Letter:
    if isinstance(ex, str):
        return Letter(text=ex)
    return Letter(text=ex["text"], context=LetterContext.model_validate(ex.get("context") or {}))


def _fired(rule_id: str, ex) -> list[str]:
    result = score_letter(_letter(ex), today=TODAY)
    return [f.text or f.message for f in result.findings if f.rule == rule_id]


def test_every_rule_has_examples_both_ways():
    missing = [r.id for r in RULES if not r.examples.get("flag") or not r.examples.get("pass")]
    assert missing == []


def test_every_contract_rule_id_is_defined():
    contract = {
        "timeliness.late", "content.decision", "content.reason", "content.vrr",
        "content.vrr_time_limit", "content.vrr_not_applicable", "content.meeting",
        "content.contact", "content.support", "content.placeholder", "content.salutation",
        "readability.jargon", "readability.acronym", "readability.long_sentence",
        "readability.passive", "readability.reading_ease", "readability.text_speak",
        "empathy.acknowledgement", "empathy.condolence", "empathy.delay_apology",
        "empathy.blame", "empathy.cold",
    }
    assert contract <= {r.id for r in RULES}


@pytest.mark.parametrize("rule_id,example", list(_cases("flag")))
def test_rule_flags_its_examples(rule_id, example):
    assert _fired(rule_id, example), f"{rule_id} should fire on: {example}"


@pytest.mark.parametrize("rule_id,example", list(_cases("pass")))
def test_rule_passes_its_examples(rule_id, example):
    assert _fired(rule_id, example) == [], f"{rule_id} should not fire on: {example}"
