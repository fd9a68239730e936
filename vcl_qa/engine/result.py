"""The result of scoring one letter (contract section 3): the same shape everywhere."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field

from vcl_qa._compiled import CompiledFunction  # methods built by Cython are not fields

Severity = Literal["error", "warning", "suggestion"]
Verdict = Literal["good", "needs_work", "poor"]
DIMENSIONS = ("timeliness", "content", "readability", "empathy")


class _EngineNotes:
    """The engine's own notes on a finding, never part of the result: plain attributes (not
    pydantic private ones, whose set-up cost 7 of the 9.5 microseconds of making a finding,
    about 16 a letter). Set on a finding as `f._fits = ...`; these are the defaults."""

    # Where each suggestion may be a one-click replacement (rules: a substitution's `fits`).
    _fits: Mapping[str, Any] = MappingProxyType({})
    # Suggestions that are advice only, never a button (a greeting to two people: which of
    # them to keep is the writer's to say).
    _advice_only: bool = False


class Finding(BaseModel, _EngineNotes):
    model_config = ConfigDict(extra="forbid", ignored_types=(CompiledFunction,))
    rule: str
    dimension: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None
    line: int | None = None
    column: int | None = None
    text: str | None = Field(default=None, description="the exact words found, when there are any")
    suggestions: list[str] = Field(default_factory=list, description="advice for a person")
    replacements: list[str] = Field(
        default_factory=list,
        description="texts a page may put in place of the words from replace_start to replace_end "
                    "with one click: each checked to clear this finding and raise no new one")
    replace_start: int | None = Field(
        default=None, description="where the words a replacement takes the place of start: `start`, "
                                  "or earlier when it takes in a word before ('the complainant' -> 'you')")
    replace_end: int | None = Field(
        default=None, description="where they end (exclusive): `end`, or later ('complainant's' -> 'your')")
    replacements_unchecked: bool = Field(
        default=False, description="true when the suggestions were not checked for one-click use: "
                                   "the letter has more findings than are checked (the most serious first), "
                                   "or is so long that it was scored again whole as often as it may be")
    why: str | None = Field(default=None, description="why this matters, in plain words")
    suppressed: bool = False
    suppressed_reason: str | None = None
    marked_elsewhere: str | None = Field(
        default=None, exclude_if=lambda v: v is None,  # (absent when not: a result is stored as JSON, often)
        description="these words are marked not a problem elsewhere in this letter (the "
                                  "reason given there), but not here: a new place, counted until it is "
                                  "looked at and marked too")
    penalty: float = Field(default=0, description="points this finding took off its dimension")

    @classmethod
    def of(cls, **values: Any) -> "Finding":
        """A finding as the engine makes it (kinds/base.py `finding`), without pydantic checking
        each value again: the values are of the fields' own types (strings and whole numbers
        from the letter, severities checked when the rules are loaded), and checking cost about
        4 of the 5 microseconds of making one, some 16 a letter. The same instance as
        `Finding(**values)` makes: the same values, in the same order, the same fields counted
        as set, each list a new one (tests/test_result_shape.py compares the two on every
        finding of every sample and held-out letter, and checks each value's type)."""
        data = (_DEFAULTS or _finding_defaults()).copy()
        data.update(values)
        data["suggestions"] = list(data["suggestions"])
        data["replacements"] = list(data["replacements"])
        made = _new(cls)  # (`_made`, written out: a finding is made some forty times a letter)
        _set(made, "__dict__", data)
        _set(made, "__pydantic_fields_set__", set(values))
        _set(made, "__pydantic_extra__", None)
        _set(made, "__pydantic_private__", None)
        return made


_set = object.__setattr__
_new = object.__new__  # (no model of ours has a __new__ of its own)


def put(model: BaseModel, name: str, value: Any) -> None:
    """`model.name = value` for one of a model's fields, as pydantic sets it (no model of ours
    checks values on assignment): the value in its place, the field counted as set. Without
    pydantic looking up how to set that name each time (the engine sets a few fields on every
    finding of every letter: its penalty, whether it was marked elsewhere). Anything else read
    as a model (a stored finding redated: engine/redate.py `_Row`) is set through its own
    attribute."""
    try:
        model.__pydantic_fields_set__.add(name)
    except AttributeError:
        setattr(model, name, value)
        return
    model.__dict__[name] = value


def note(finding: Any, name: str, value: Any) -> None:
    """Set one of the engine's own notes on a finding (`_EngineNotes`: `_fits`, `_advice_only`)
    as pydantic sets a name that is no field and no private attribute: straight into the
    object, without pydantic working out each time how to set it."""
    _set(finding, name, value)


def _made(cls, data: dict[str, Any], fields_set: set[str], extra: dict[str, Any] | None,
          private: dict[str, Any] | None = None):
    """An instance of a model of ours, its values set as pydantic sets them once checked (its
    fields in `data`, in their order; the names given; the extras; its private attributes, None
    for a model with none). `Finding.of` writes this out (made some forty times a letter)."""
    made = _new(cls)
    _set(made, "__dict__", data)
    _set(made, "__pydantic_fields_set__", fields_set)
    _set(made, "__pydantic_extra__", extra)
    _set(made, "__pydantic_private__", private)
    return made


_RESULT_SET = ("score", "verdict", "dimensions", "findings", "metrics", "rules_version")
_DIMENSION_SET = ("score", "assessed", "not_assessed", "errors", "warnings", "suggestions", "points_lost")
_DEFAULTS: dict[str, Any] = {}


def _finding_defaults() -> dict[str, Any]:
    """Each field's default, in the fields' order (a list for a list's factory: copied by
    `Finding.of`); None for a field with none (required: every finding gives it), keeping its
    place in the order."""
    if not _DEFAULTS:
        for name, info in Finding.model_fields.items():
            if info.default_factory is not None:
                _DEFAULTS[name] = info.default_factory()
            elif not info.is_required():
                _DEFAULTS[name] = info.default
            else:
                _DEFAULTS[name] = None  # (given by every finding: a place kept for the order)
    return _DEFAULTS


class DimensionResult(BaseModel):
    model_config = ConfigDict(extra="allow", ignored_types=(CompiledFunction,))
    score: int | None
    assessed: bool
    not_assessed: list[str] = Field(default_factory=list, description="rules that could not be checked, and why")
    errors: int = 0
    warnings: int = 0
    suggestions: int = 0

    @classmethod
    def of(cls, *, score: int | None, assessed: bool, not_assessed: list[str], errors: int, warnings: int,
           suggestions: int, points_lost: float) -> "DimensionResult":
        """A dimension's result as the engine makes it (scoring.py), every value of its field's
        type, without pydantic checking each again (`Finding.of`): the same instance as
        `DimensionResult(...)` with these values, points_lost among the extras
        (tests/test_result_shape.py compares the two)."""
        return _made(cls, {"score": score, "assessed": assessed, "not_assessed": list(not_assessed),
                           "errors": errors, "warnings": warnings, "suggestions": suggestions},
                     set(_DIMENSION_SET), {"points_lost": points_lost})


class Result(BaseModel):
    model_config = ConfigDict(extra="allow", ignored_types=(CompiledFunction,))
    score: int
    verdict: Verdict
    dimensions: dict[str, DimensionResult]
    findings: list[Finding]
    metrics: dict[str, Any]
    rules_version: str

    @classmethod
    def of(cls, *, score: int, verdict: str, dimensions: dict[str, DimensionResult], findings: list[Finding],
           metrics: dict[str, Any], rules_version: str) -> "Result":
        """A letter's result as the engine makes it (run.py), every value of its field's type,
        without pydantic checking each again (`Finding.of`): the same instance as `Result(...)`
        with these values, its dicts and list its own (tests/test_result_shape.py compares the
        two on every sample letter)."""
        return _made(cls, {"score": score, "verdict": verdict, "dimensions": dict(dimensions),
                           "findings": list(findings), "metrics": dict(metrics), "rules_version": rules_version},
                     set(_RESULT_SET), {})

    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.active_findings())
