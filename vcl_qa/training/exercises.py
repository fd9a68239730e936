"""Training exercises as data: rules/training/*.yml (one exercise a file) and the settings in
rules/training.yml. Each file is checked on loading: an unknown key, a case detail the letter
checker does not know, a rule id that does not exist, or a detail the trainee may not change
stops loading with the file and the key named."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vcl_qa import labels
from vcl_qa.engine.letter import Letter, LetterContext, context_from_mapping
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.rules_data import load_yaml, parse_yaml, rules_dir
from vcl_qa.errors import LetterError, RulesError

FOLDER = "training"
SETTINGS_FILE = "training.yml"
# Who will read the letter (the contract's `reader` field), in plain words.
READERS = labels.READERS  # the one table of plain words (vcl_qa/labels.py)
# The only case detail a trainee may change: when the letter goes out.
EDITABLE = ("letter_date",)
ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


class ExerciseFile(BaseModel):
    """One file in rules/training/."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="short, stable, lower case with dashes; used in addresses")
    title: str = Field(min_length=3, max_length=120)
    brief: str = Field(min_length=10, description="what happened and what to do, in a few lines")
    facts: list[str] = Field(default_factory=list, description="case facts the trainee may use")
    reader: Literal["adult", "young_person", "easy_read"] = "adult"
    context: dict[str, Any] = Field(description="the case details (contract section 1)")
    editable: list[Literal["letter_date"]] = Field(default_factory=list)
    teaches: list[str] = Field(min_length=1, description="rule ids the flawed letter raises")
    letter: str = Field(min_length=20)
    model_answer: str = Field(min_length=20)
    model_context: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID.match(v):
            raise ValueError("use lower-case letters, digits and dashes (2 to 61 characters)")
        return v


@dataclass(frozen=True)
class Exercise:
    """An exercise ready to use: from a file (`source` "built_in") or made by a manager from a
    letter the panel rated poorly (`source` "panel")."""

    id: str
    title: str
    brief: str
    facts: tuple[str, ...]
    reader: str
    context: dict[str, Any]  # as stored: JSON-ready
    editable: tuple[str, ...]
    teaches: tuple[str, ...]
    letter: str
    model_answer: str | None
    model_context: dict[str, Any]
    source: str = "built_in"
    position: int = 0

    def __post_init__(self) -> None:
        # Who reads the letter is the exercise's `reader`; its case details say the same, so
        # the API shows it and the letter is scored for that reader (a stored context may
        # carry the default "adult" from before).
        if self.context.get("reader") != self.reader:
            object.__setattr__(self, "context", {**self.context, "reader": self.reader})

    def scoring_context(self, changes: dict[str, Any] | None = None) -> LetterContext:
        """The case details to score with; `changes` only for the editable ones."""
        data = {**self.context, **(changes or {}), "reader": self.reader}
        return context_from_mapping(data, f"exercise {self.id}")

    def letter_for(self, text: str, changes: dict[str, Any] | None = None) -> Letter:
        return Letter(text=text, context=self.scoring_context(changes), source=f"exercise {self.id}")

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "brief": self.brief, "facts": list(self.facts),
                "reader": self.reader, "context": self.context, "editable": list(self.editable),
                "teaches": list(self.teaches), "source": self.source,
                "has_model_answer": bool(self.model_answer)}


@dataclass(frozen=True)
class Settings:
    pass_score: int
    model_answer_after: int
    poor_panel_rating: float
    victim_stand_in: str
    stand_ins: dict[str, str]
    name_stand_ins: tuple[str, ...]
    other_stand_in: str
    late_reason: str
    min_attempt_share: float = 0.5
    model_answer_copy_share: float = 0.8


@lru_cache(maxsize=1)
def settings() -> Settings:
    data = load_yaml(SETTINGS_FILE) or {}
    where = rules_dir() / SETTINGS_FILE
    try:
        return Settings(int(data["pass_score"]), int(data["model_answer_after"]),
                        float(data["poor_panel_rating"]), str(data["victim_stand_in"]),
                        {str(k): str(v) for k, v in (data.get("stand_ins") or {}).items()},
                        tuple(str(n) for n in data.get("name_stand_ins") or []),
                        str(data["other_stand_in"]), str(data["late_reason"]),
                        float(data.get("min_attempt_share", 0.5)), float(data.get("model_answer_copy_share", 0.8)))
    except KeyError as exc:
        raise RulesError(f"{where}: missing '{exc.args[0]}'") from None
    except (TypeError, ValueError) as exc:
        raise RulesError(f"{where}: {exc}") from None


def _problems(exc: ValidationError) -> str:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(file)"
        if err["type"] == "extra_forbidden":
            out.append(f"unknown key '{key}'")
        elif err["type"] == "missing":
            out.append(f"missing key '{key}'")
        else:
            out.append(f"key '{key}': {err['msg']}")
    return "; ".join(out)


def check_exercise(raw: Any, where: str, position: int = 0) -> Exercise:
    """One exercise from its file's data; RulesError names `where` and the key."""
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: an exercise file holds 'key: value' lines (id, title, brief, ...)")
    try:
        spec = ExerciseFile.model_validate(raw)
    except ValidationError as exc:
        raise RulesError(f"{where}: {_problems(exc)}") from None
    known = load_rules().by_id
    for rule in spec.teaches:
        if rule not in known:
            raise RulesError(f"{where}: key 'teaches': no rule '{rule}'")
    for key in spec.model_context:
        if key not in spec.editable:
            raise RulesError(f"{where}: key 'model_context.{key}': only details listed under "
                             f"'editable' may differ in the model answer")
    context = {k: v for k, v in spec.context.items()}
    if "reader" in spec.context:
        raise RulesError(f"{where}: key 'context.reader': say who reads the letter with 'reader:' "
                         f"at the top of the file")
    try:
        checked = context_from_mapping(context, where)
        context_from_mapping({**context, **spec.model_context}, where)
    except LetterError as exc:
        raise RulesError(f"{where}: key 'context': {exc.message if exc.field is None else f'{exc.field}: {exc.message}'}") from None
    stored = checked.model_dump(mode="json", exclude_none=True)
    if not stored.get("suppress"):
        stored.pop("suppress", None)
    return Exercise(spec.id, spec.title.strip(), spec.brief.strip(), tuple(f.strip() for f in spec.facts),
                    spec.reader, stored, tuple(spec.editable), tuple(spec.teaches), spec.letter,
                    spec.model_answer, {k: str(v) for k, v in spec.model_context.items()},
                    "built_in", position)


@lru_cache(maxsize=1)
def load_exercises() -> tuple[Exercise, ...]:
    """Every exercise in rules/training/, in file-name order."""
    folder = rules_dir() / FOLDER
    if not folder.is_dir():
        return ()
    out: list[Exercise] = []
    seen: dict[str, str] = {}
    for n, path in enumerate(sorted(folder.glob("*.yml")), start=1):
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RulesError(f"{path}: not valid YAML: {exc}") from None
        ex = check_exercise(raw, str(path), n)
        if ex.id in seen:
            raise RulesError(f"{path}: key 'id': '{ex.id}' is also the id in {seen[ex.id]}")
        seen[ex.id] = path.name
        out.append(ex)
    return tuple(out)


def built_in(exercise_id: str) -> Exercise | None:
    return next((e for e in load_exercises() if e.id == exercise_id), None)
