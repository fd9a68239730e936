"""Letters written in the thirtieth session's reviews of the engine (tests/audit_letters_rules,
182 of them, by writers apart from the rules' authors) to trap some checks: the offer to meet (a
support worker, the police or the defence meeting the victim, or an offer made months ago, is no
offer of ours; "he will see you and your family, at our office" is one), named support, a
case-specific reason ("face" the verb and "key" meaning important are no facts of the case), the
decision stated and the review right ("the scheme isn't open to you here"; a review sent to the
police is not the victim's right), and the empathy checks (praise is no blame: "You refused to be
frightened into silence"; condolences and apologies in fresh words). Each letter's expected answer for its rule
was decided by hand before scoring; what the engine still gets wrong is marked `known` and
expected to stay wrong (strict: a fix must update expected.yml)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vcl_qa import Letter
from vcl_qa.engine.run import score_letter

FOLDER = Path(__file__).resolve().parent / "audit_letters_rules"
EXPECTED: dict[str, dict[str, str]] = yaml.safe_load((FOLDER / "expected.yml").read_text())


def _cases():
    for name, rules in sorted(EXPECTED.items()):
        for rule, answer in rules.items():
            known = answer.startswith("known ")
            marks = [pytest.mark.xfail(strict=True, reason="the engine still gets this one wrong")] if known else []
            yield pytest.param(name, rule, answer.removeprefix("known "), marks=marks, id=f"{name}-{rule}")


def test_every_letter_is_listed_and_most_are_right():
    assert sorted(EXPECTED) == sorted(p.name for p in FOLDER.glob("*.txt"))
    answers = [a for rules in EXPECTED.values() for a in rules.values()]
    assert len(EXPECTED) == 182 and len(answers) == 435
    assert sum(a.startswith("known ") for a in answers) <= 36


@pytest.mark.parametrize("name,rule,answer", list(_cases()))
def test_the_rule_flags_or_passes_the_letter_as_decided(name, rule, answer):
    found = [f for f in score_letter(Letter.from_file(FOLDER / name)).findings if f.rule == rule and not f.suppressed]
    assert (answer == "flag") == bool(found), [f.text or f.message for f in found]
