"""Training: exercises, attempts scored by the real engine, progress, and exercises made from
letters the Community Involvement Panel rated poorly.

Staff and managers do the exercises; managers see everyone's progress and make exercises from
panel letters; panel members and admins get 403. Nothing here touches the letters tables.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from vcl_qa.engine.result import Result
from vcl_qa.errors import LetterError
from vcl_qa.training import service
from vcl_qa.training.store import BuiltIn, NotFound

from ..deps import DbDep, LetterUser, ManagerUser, scoring_slot
from ..errors import COMMON_RESPONSES, CONFLICT, NOT_FOUND, ApiError
from ..schemas import RowId, check_context_types

router = APIRouter(prefix="/training", tags=["training"], responses=COMMON_RESPONSES)

ExerciseId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,60}$", description="e.g. khan-brother or panel-3")]
Short = Annotated[str, Field(max_length=2000)]


# ---- models -------------------------------------------------------------------------------

class ExerciseStatus(BaseModel):
    attempts: int
    passed: bool
    best_score: int | None
    passed_at: str | None
    last_at: str | None


class ExerciseSummary(BaseModel):
    id: str
    title: str
    brief: str
    facts: list[str]
    reader: Literal["adult", "young_person", "easy_read"]
    context: dict[str, Any] = Field(description="The case details (contract section 1)")
    editable: list[str] = Field(description="Case details an attempt may change (only letter_date)")
    teaches: list[str] = Field(description="Rule ids the letter to fix raises")
    source: Literal["built_in", "panel"]
    has_model_answer: bool
    status: ExerciseStatus


class ExerciseList(BaseModel):
    data: list[ExerciseSummary]
    count: int


class ModelAnswer(BaseModel):
    text: str
    context: dict[str, str] = Field(description="Case details the model answer changes (letter_date)")


class ExerciseDetail(ExerciseSummary):
    text: str = Field(description="The letter to fix")
    model_answer: ModelAnswer | None = Field(description="Shown once passed, or after the third attempt")


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The whole letter as you would send it")
    context: dict[str, Any] = Field(default_factory=dict,
                                    description="Only for exercises that list it in `editable`: letter_date")


class FeedbackItem(BaseModel):
    rule: str
    title: str
    severity: str
    severity_words: str
    message: str
    text: str | None


class Feedback(BaseModel):
    fixed: list[FeedbackItem] = Field(description="Problems of the letter you were given that are gone")
    left: list[FeedbackItem] = Field(description="Problems still there")
    new: list[FeedbackItem] = Field(description="Problems your changes brought in")


class NotCounted(BaseModel):
    reason: Literal["model_answer", "victim_name", "case_reference"] = Field(
        description="model_answer: (nearly) the model answer you were shown; victim_name, case_reference: "
                    "this case's detail missing, or another case's")
    message: str = Field(description="What is wrong and what to do, in plain words")


class AttemptOut(Result):
    exercise: str
    passed: bool = Field(description="Counts as a pass: meets_standard, and your own fix of this exercise's "
                                     "letter (not_counted is empty)")
    meets_standard: bool = Field(description="The checker alone would pass it: no must-fix problem left and a "
                                             "score of at least pass_score")
    not_counted: list[NotCounted] = Field(description="Why this attempt cannot count as a pass, whatever its "
                                                      "score; empty when it can")
    pass_score: int
    attempt: int = Field(description="This attempt's number")
    attempts: int = Field(description="Your attempts at this exercise so far")
    passed_before: bool = Field(description="You have passed this exercise (now or before)")
    created_at: str
    feedback: Feedback
    model_answer: ModelAnswer | None
    tries_before_model_answer: int


class PersonProgress(BaseModel):
    user_id: int
    name: str
    role: str
    team: str | None
    switched_off: bool = Field(description="The account is switched off (listed under `others`)")
    exercises_passed: int
    exercises_tried: int = Field(description="Exercises on offer now that this person has tried")
    exercises: int
    completed: bool
    attempts: int = Field(description="Attempts at the exercises on offer now")
    attempts_withdrawn: int = Field(description="Attempts at exercises since taken off the list")
    last_activity: str | None
    passed: list[str]


class TeamProgress(BaseModel):
    team: str | None
    people: int
    completed: int
    started: int


class Progress(BaseModel):
    exercises: int
    data: list[PersonProgress] = Field(description="The staff the training is for (active staff accounts); "
                                                   "staff asking: themselves")
    count: int
    teams: list[TeamProgress] = Field(description="The people of `data`, by team")
    others: list[PersonProgress] = Field(description="Anyone else who has tried the exercises (managers, "
                                                     "accounts switched off or no longer staff): counted in "
                                                     "no figure")


class PanelLetter(BaseModel):
    letter_id: int
    version: int
    period: str
    decision: str | None
    offence: str | None
    team: str
    score: int | None
    ratings: int
    mean_overall: float
    already_an_exercise: bool


class PanelLetters(BaseModel):
    data: list[PanelLetter]
    count: int


class FromPanelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    letter_id: RowId
    title: Annotated[str, Field(max_length=500)] = ""
    brief: Short = ""
    facts: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=20)
    hide: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50, description="More words to hide, wherever they appear")
    model_answer: str | None = Field(default=None, description="Optional; it must pass")


class Replaced(BaseModel):
    start: int
    end: int
    tag: str
    stand_in: str


class Preview(BaseModel):
    letter_id: int
    period: str
    mean_overall: float
    ratings: int
    already_an_exercise: bool
    title: str
    brief: str
    facts: list[str]
    hide: list[str]
    reader: str
    context: dict[str, Any]
    letter: str = Field(description="The letter anonymised, with invented details in place of personal ones")
    replaced: list[Replaced]
    teaches: list[str]
    result: Result
    model_answer: str | None
    model_result: Result | None
    panel_comments: list[str]
    problems: dict[str, str] = Field(description="Field -> why it cannot be saved yet")
    can_save: bool


# ---- routes -------------------------------------------------------------------------------

def _missing(exc: NotFound) -> ApiError:
    return ApiError(404, "not_found", str(exc))


@router.get("/exercises", response_model=ExerciseList)
def list_exercises(db: DbDep, user: LetterUser):
    """Every exercise, with your own progress on each."""
    data = service.exercise_list(db, user)
    return {"data": data, "count": len(data)}


@router.get("/exercises/{exercise_id}", response_model=ExerciseDetail, responses=NOT_FOUND)
def get_exercise(exercise_id: ExerciseId, db: DbDep, user: LetterUser):
    """The brief, the case details and the letter to fix (model answer once unlocked)."""
    try:
        return service.exercise_detail(db, user, exercise_id)
    except NotFound as exc:
        raise _missing(exc) from None


@router.post("/exercises/{exercise_id}/attempts", status_code=201, response_model=AttemptOut,
             responses=NOT_FOUND)
def attempt(exercise_id: ExerciseId, body: AttemptIn, db: DbDep, user: LetterUser):
    """Score your letter with the checker and store the attempt: the result plus `passed`,
    what was fixed and what is left, and `model_answer` once passed or after the third try."""
    check_context_types(body.context)  # letter_date is text YYYY-MM-DD, not a date and time
    try:
        with scoring_slot:
            return service.attempt(db, user, exercise_id, body.text, body.context)
    except NotFound as exc:
        raise _missing(exc) from None
    except LetterError as exc:
        if exc.field not in (None, "text"):
            exc.field = f"context.{exc.field}"
        raise


@router.get("/exercises/{exercise_id}/attempts/latest", response_model=AttemptOut, responses=NOT_FOUND)
def latest_attempt(exercise_id: ExerciseId, db: DbDep, user: LetterUser):
    """Your latest attempt at the exercise, with its feedback."""
    try:
        out = service.last_attempt(db, user, exercise_id)
    except NotFound as exc:
        raise _missing(exc) from None
    if out is None:
        raise ApiError(404, "not_found", f"you have not tried '{exercise_id}' yet")
    return out


@router.get("/progress", response_model=Progress)
def progress(db: DbDep, user: LetterUser):
    """Managers: every person in the area; staff: themselves."""
    return service.progress(db, None if user.role == "manager" else user)


@router.get("/panel-letters", response_model=PanelLetters)
def panel_letters(db: DbDep, user: ManagerUser):
    """Sent letters the panel rated poorly (average overall rating at or below the setting)."""
    data = service.panel_letters(db)
    return {"data": data, "count": len(data)}


def _from_panel(body: FromPanelIn) -> dict:
    return {"title": body.title, "brief": body.brief, "facts": body.facts, "hide": body.hide,
            "model_answer": body.model_answer}


@router.post("/exercises/preview", response_model=Preview, responses=NOT_FOUND)
def preview(body: FromPanelIn, db: DbDep, user: ManagerUser):
    """What saving would make, without saving: the anonymised letter, what the checker finds,
    and `problems` that stop it being saved."""
    try:
        with scoring_slot:
            return service.preview(db, body.letter_id, **_from_panel(body))
    except NotFound as exc:
        raise _missing(exc) from None


@router.post("/exercises", status_code=201, response_model=ExerciseDetail, responses=NOT_FOUND)
def create(body: FromPanelIn, db: DbDep, user: ManagerUser):
    """Make an exercise from a letter the panel rated poorly (preview it first)."""
    try:
        with scoring_slot:
            made = service.create_from_panel(db, user, body.letter_id, **_from_panel(body))
    except NotFound as exc:
        raise _missing(exc) from None
    return {**made, "status": {"attempts": 0, "passed": False, "best_score": None, "passed_at": None,
                               "last_at": None}, "model_answer": None}


@router.delete("/exercises/{exercise_id}", status_code=204, responses={**NOT_FOUND, **CONFLICT})
def retire(exercise_id: ExerciseId, db: DbDep, user: ManagerUser):
    """Take an exercise made from a panel letter off the list (attempts are kept)."""
    try:
        service.retire(db, user, exercise_id)
    except NotFound as exc:
        raise _missing(exc) from None
    except BuiltIn as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return Response(status_code=204)
