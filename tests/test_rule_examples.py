"""Every rule in rules/ carries examples it must flag and must pass; run them all."""
import datetime as dt
import re
from pathlib import Path

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


def test_the_contract_rule_ids_are_the_ones_the_readme_promises():
    """Rules marked `contract: true` are the ids other tools rely on: the README lists exactly
    these, so removing or renaming one (or forgetting the mark on a new one) fails here."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    bullet = readme[readme.index("- **Rule ids**"):].split("\n- **", 1)[0]
    promised = set(re.findall(r"`([a-z]+\.[a-z_]+)`", bullet)) - {"dimension.name"}
    marked = {r.id for r in RULES if r.contract}
    assert len(marked) >= 22
    assert marked == promised


@pytest.mark.parametrize("rule_id,example", list(_cases("flag")))
def test_rule_flags_its_examples(rule_id, example):
    assert _fired(rule_id, example), f"{rule_id} should fire on: {example}"


@pytest.mark.parametrize("rule_id,example", list(_cases("pass")))
def test_rule_passes_its_examples(rule_id, example):
    assert _fired(rule_id, example) == [], f"{rule_id} should not fire on: {example}"
