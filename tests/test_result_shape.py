"""The engine makes its findings without pydantic checking each value again (result.py
`Finding.of`): on every finding of every sample and held-out letter, the instance is the one
`Finding(**values)` makes, and every value is of its field's type."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vcl_qa import Letter
from vcl_qa.engine.kinds import base
from vcl_qa.engine.result import Finding
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
LETTERS = sorted(ROOT.glob("sample_letters/*.txt")) + sorted(ROOT.glob("bench/holdout*/letters/*.txt"))[::9]


def _checked_copy(finding: Finding) -> Finding:
    """The finding made again by pydantic from what it holds: every value checked."""
    return Finding.model_validate(finding.model_dump())


def _recorded(monkeypatch, model) -> list[tuple[Any, dict]]:
    """Every instance `model.of` makes from now on, with the values it was given."""
    made: list[tuple[Any, dict]] = []
    quick = model.of.__func__

    def recorded(cls, **values):
        made.append((quick(cls, **values), dict(values)))
        return made[-1][0]

    monkeypatch.setattr(model, "of", classmethod(recorded))
    return made


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_finding_made_quickly_is_the_one_pydantic_makes(path, monkeypatch):
    quick = Finding.of.__func__
    made = _recorded(monkeypatch, Finding)
    result = score_letter(Letter.from_file(path))
    assert len(made) >= len(result.findings)  # (every finding is made there)
    for finding, values in made:
        slow = Finding(**values)
        # (as made, before the engine sets its penalty, suppression and buttons)
        fresh = quick(Finding, **values)
        assert fresh.__dict__ == slow.__dict__ and list(fresh.__dict__) == list(slow.__dict__)
        assert fresh.model_fields_set == slow.model_fields_set
        assert fresh.model_dump_json() == slow.model_dump_json()
        assert fresh.suggestions is not values["suggestions"]  # its own list
    for finding in result.findings:
        assert _checked_copy(finding) == finding  # every value of its field's type
        assert type(finding.start) in (int, type(None)) and type(finding.message) is str


def test_a_finding_made_quickly_takes_what_the_engine_sets_on_it():
    values = dict(rule="readability.jargon", dimension="readability", severity="warning", message="m",
                  start=3, end=9, line=1, column=4, text="hereby", suggestions=["now"], why="plain words")
    finding = Finding.of(**values)
    finding.penalty = 2.5
    finding.replacements = ["now"]
    finding._advice_only = True  # (the engine's own note: never part of the result)
    assert finding.model_dump()["penalty"] == 2.5 and finding.replacements == ["now"]
    assert "_advice_only" not in finding.model_dump() and finding._advice_only
    assert Finding.of(**values)._advice_only is False and Finding.of(**values).replacements == []
    assert base.finding.__module__ == "vcl_qa.engine.kinds.base"


@pytest.mark.parametrize("path", LETTERS[:12], ids=lambda p: p.name)
def test_every_dimension_made_quickly_is_the_one_pydantic_makes(path, monkeypatch):
    from vcl_qa.engine.result import DimensionResult

    made = _recorded(monkeypatch, DimensionResult)
    result = score_letter(Letter.from_file(path))
    assert len(made) == 4 and [d for d, _ in made] == list(result.dimensions.values())
    for dim, values in made:
        slow = DimensionResult(**values)
        assert dim == slow and dim.__dict__ == slow.__dict__ and list(dim.__dict__) == list(slow.__dict__)
        assert dim.__pydantic_extra__ == slow.__pydantic_extra__ and dim.model_fields_set == slow.model_fields_set
        assert dim.model_dump_json() == slow.model_dump_json()
        assert DimensionResult.model_validate(dim.model_dump()) == dim
        assert dim.not_assessed is not values["not_assessed"]


def test_a_letter_made_quickly_is_the_one_pydantic_makes():
    """`Letter.of_text` (the stretches of a letter read again to check a one-click replacement)
    makes the instance `Letter.model_construct` makes: the same values, fields counted as set,
    extras and private attributes; and one's Word warning can be set without touching another's."""
    from vcl_qa import Letter, LetterContext

    ctx = LetterContext(victim_name="Ms Jane Okafor", decision="discontinued")
    quick, slow = Letter.of_text("Dear Ms Okafor", ctx), Letter.model_construct(text="Dear Ms Okafor", context=ctx, source=None)
    assert quick == slow
    assert quick.__dict__ == slow.__dict__ and list(quick.__dict__) == list(slow.__dict__)
    assert quick.model_fields_set == slow.model_fields_set
    assert quick.__pydantic_extra__ == slow.__pydantic_extra__
    assert quick.__pydantic_private__ == slow.__pydantic_private__ == {"_word_warning": None}
    other = Letter.of_text("Dear Ms Okafor", ctx)
    quick._word_warning = "tracked changes"
    assert other.word_warning is None and quick.word_warning == "tracked changes"
    assert quick.model_dump() == slow.model_dump()


def test_a_field_put_quickly_is_set_as_pydantic_sets_it():
    """`result.put` (a finding's penalty, its `marked_elsewhere`) leaves a finding as setting
    the attribute does: the same values and fields counted as set, and the same JSON."""
    from vcl_qa.engine.result import put

    def made() -> Finding:
        return Finding.of(rule="readability.jargon", dimension="readability", severity="warning",
                          message="m", start=1, end=4, text="abc", suggestions=["x"])

    quick, slow = made(), made()
    put(quick, "penalty", 2.5)
    slow.penalty = 2.5
    put(quick, "marked_elsewhere", None)
    slow.marked_elsewhere = None
    assert quick.__dict__ == slow.__dict__ and list(quick.__dict__) == list(slow.__dict__)
    assert quick.model_fields_set == slow.model_fields_set and "penalty" in quick.model_fields_set
    assert quick.model_dump_json() == slow.model_dump_json()
    assert quick.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)


@pytest.mark.parametrize("path", LETTERS[:24], ids=lambda p: p.name)
def test_every_result_made_quickly_is_the_one_pydantic_makes(path, monkeypatch):
    from vcl_qa.engine.result import Result

    made = _recorded(monkeypatch, Result)
    result = score_letter(Letter.from_file(path))
    assert len(made) == 1 and made[0][0] is result
    values = made[0][1]
    slow = Result(**values)
    assert result == slow and result.__dict__ == slow.__dict__ and list(result.__dict__) == list(slow.__dict__)
    assert result.__pydantic_extra__ == slow.__pydantic_extra__ == {}
    assert result.__pydantic_private__ == slow.__pydantic_private__
    assert result.model_fields_set == slow.model_fields_set
    assert result.model_dump_json() == slow.model_dump_json()
    assert Result.model_validate(result.model_dump()) == result  # every value of its field's type
    assert type(result.score) is int and type(result.rules_version) is str
    # its own list and dicts, as pydantic makes them (the findings themselves shared)
    for name in ("findings", "dimensions", "metrics"):
        assert getattr(result, name) is not values[name] and getattr(slow, name) is not values[name]
    assert all(a is b for a, b in zip(result.findings, slow.findings))
    result.extra_note = "kept"  # (extra allowed, as on one pydantic made)
    assert result.model_dump()["extra_note"] == "kept"
