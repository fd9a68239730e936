"""Community Involvement Panel: the review queue (panel role), sampling and reports (managers),
and feedback on letters (staff for their team's letters, managers for all).

Panel members reach items only by their own random item codes; no route they may call
returns a letter id, a victim's name, a case reference or un-anonymised text.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vcl_qa import csv_safe
from vcl_qa.db import audit
from vcl_qa.panel import agreement as agreement_mod
from vcl_qa.panel import feedback as feedback_mod
from vcl_qa.panel import periods
from vcl_qa.panel import rating
from vcl_qa.panel import report
from vcl_qa.panel import sampling
from vcl_qa.panel import settings
from vcl_qa.db.users import User

from ..deps import DbDep, LetterUser, ManagerUser, PathId, path_number, require
from ..errors import COMMON_RESPONSES, CONFLICT, NOT_FOUND
from ..security_headers import REPORT_POLICY
from ..validation import Day, RowId
from ..deps import check_visible

router = APIRouter(tags=["panel"], responses=COMMON_RESPONSES)

PanelUser = Annotated[User, Depends(require("panel"))]
ItemCode = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="Your item's code from the queue")]
PeriodName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$", description="e.g. 2025Q1")]
# Strict: a JSON number only (true, false and "3" are refused, naming the field).
Score = Annotated[int, Field(ge=1, le=5, strict=True)]
Text = Annotated[str, Field(max_length=5000)]


def _seed(value: Any) -> Any:
    """A draw's seed is a whole number or text, said once for the field (not once per kind
    of value it may be); true, 4.0 and the like are refused, not read as 1 and 4."""
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= 2**63 - 1:
        raise ValueError(f"must be 0 or more, and at most {2**63 - 1}")
    if isinstance(value, str) and not 1 <= len(value) <= 64:
        raise ValueError("as text, must be 1 to 64 characters long")
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    kind = "true or false" if isinstance(value, bool) else "a number with a decimal point" if isinstance(
        value, float) else "a list" if isinstance(value, list) else "an object"
    raise ValueError(f"must be a whole number (0 or more) or text, not {kind}")


Seed = Annotated[Annotated[int, Field(ge=0, le=2**63 - 1, strict=True)]
                 | Annotated[str, Field(min_length=1, max_length=64)], BeforeValidator(_seed)]


# ---- models -------------------------------------------------------------------------------

class QueueEntry(BaseModel):
    item_id: str
    period: str
    status: Literal["to_rate", "rated", "revealed"]
    decision: str | None
    offence: str | None
    victim_category: str | None
    bereaved: bool | None
    overall: int | None


class Queue(BaseModel):
    data: list[QueueEntry]
    count: int


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=0, le=10_000_000, strict=True, description="Offset in the anonymised text")
    end: int = Field(ge=1, le=10_000_000, strict=True, description="Offset in the anonymised text (exclusive)")
    comment: Text


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[str, Score] = Field(description="A score 1-5 for each rubric item (clarity, empathy, ...)")
    overall: Score
    comment: Text | None = None
    marks: list[Mark] = Field(default_factory=list, max_length=100)


class RatingOut(BaseModel):
    scores: dict[str, int]
    overall: int
    comment: str | None
    marks: list[Mark]
    created_at: str
    updated_at: str


class PanelFinding(BaseModel):
    number: int = Field(description="Use in .../findings/{number}/verdict")
    rule: str
    dimension: str
    severity: str
    message: str
    start: int | None = Field(description="Offset in the anonymised text; null when not mappable")
    end: int | None
    text: str | None
    verdict: Literal["not_a_problem", "agree"] | None
    note: str | None


class FindingList(BaseModel):
    data: list[PanelFinding]
    count: int


class ItemOut(QueueEntry):
    text: str = Field(description="The letter anonymised (empty once the letter is purged)")
    text_removed: bool = Field(False, description="The letter was purged under the retention rules: its text "
                               "and the comments on it were removed; it can no longer be rated (409)")
    rubric: dict[str, Any]
    rating: RatingOut | None
    findings: list[PanelFinding] | None = Field(description="Null until revealed (after rating)")


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["not_a_problem", "agree"]
    note: Text | None = None


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: Seed | None = None
    always_include_verdicts: list[Literal["good", "needs_work", "poor"]] | None = None
    random_share: Annotated[float, Field(ge=0, le=1, strict=True)] | None = None
    min_per_stratum: Annotated[int, Field(ge=0, le=1000, strict=True)] | None = None
    strata: list[Literal["decision", "offence", "victim_category", "bereaved", "team"]] | None = None
    max_letters: Annotated[int, Field(ge=1, le=100_000, strict=True)] | None = None
    raters_per_letter: Annotated[int, Field(ge=1, le=10, strict=True)] | None = None


class PolicyOut(BaseModel):
    policy: dict[str, Any]
    rubric: dict[str, Any]


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
    start_date: Day | None = Field(default=None, description="YYYY-MM-DD (not a date and time)")
    end_date: Day | None = Field(default=None, description="YYYY-MM-DD (not a date and time)")


class PeriodOut(BaseModel):
    name: str
    start_date: str
    end_date: str
    seed: str | None = None
    drawn_at: str | None = None
    letters: int = 0


class PeriodList(BaseModel):
    data: list[PeriodOut]
    count: int


class DrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: Seed | None = None


class DrawOut(BaseModel):
    period: str
    seed: int | str
    population: int
    by_verdict: int
    random: int
    assigned: int
    letters: int
    strata: dict[str, dict[str, int]]


class ItemAdmin(BaseModel):
    id: int
    letter_id: int
    period: str
    reason: str
    note: str | None
    score: int | None
    verdict: str | None
    decision: str | None
    offence: str | None
    stratum: str
    removed_at: str | None
    remove_reason: str | None
    created_at: str
    raters: list[str]
    ratings: int


class ItemAdminList(BaseModel):
    data: list[ItemAdmin]
    count: int


class AddIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    letter_id: RowId
    reason: str = Field(min_length=1, max_length=500)


class DetailReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    words: str | None = Field(None, max_length=500, description="The words that should have been hidden, if you "
                              "can say (only the panel's organiser sees them)")


class DetailReportOut(BaseModel):
    reports: int = Field(description="How many times you have reported this letter")


class RemoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class Assigned(BaseModel):
    assigned: int


class RulePrecision(BaseModel):
    rule: str
    shown: int = Field(description="Times a panel member saw one of the rule's findings")
    judged: int = Field(description="Explicit answers: agreed + not_a_problem")
    agreed: int
    not_a_problem: int
    unanswered: int = Field(description="Seen and left unmarked: counted neither way")
    precision: float | None = Field(description="agreed / judged; null when nobody answered")


class AgreementOut(BaseModel):
    period: str
    letters: int
    letters_rated: int
    letters_with_two_or_more_ratings: int
    ratings: int
    raters: int
    alpha_overall: float | None
    alpha_items: dict[str, float | None]
    spearman_overall_vs_score: float | None
    spearman_pairs: int
    members_agree_words: str = Field(description="alpha_overall in words, as the dashboard and board report say it: "
                                                 "'too few letters to say (...)' below min_letters letters")
    score_agrees_words: str = Field(description="spearman_overall_vs_score in words, likewise")
    min_letters: int = Field(description="letters a figure needs before it is put into words")
    rules: list[RulePrecision]


class FeedbackSummary(BaseModel):
    letter_id: int
    team: str
    period: str
    decision: str | None
    offence: str | None
    score: int | None
    ratings: int
    mean_overall: float | None


class FeedbackList(BaseModel):
    data: list[FeedbackSummary]
    count: int


class MarkOut(BaseModel):
    start: int
    end: int
    passage: str
    comment: str


class VerdictOut(BaseModel):
    rule: str
    verdict: str
    note: str | None


class FeedbackRating(BaseModel):
    period: str
    rater: str
    scores: dict[str, int]
    overall: int
    comment: str | None
    marks: list[MarkOut]
    verdicts: list[VerdictOut]
    text_removed: bool = Field(False, description="The letter was purged under the retention rules: the panel's "
                               "copy and the free-text comments, marked passages and notes on it were removed; "
                               "scores and verdicts stay")


class FeedbackOut(BaseModel):
    letter_id: int
    ratings: list[FeedbackRating]
    count: int
    rubric: dict[str, Any]


# ---- the review queue (panel members) -------------------------------------------------------

@router.get("/review-queue", response_model=Queue)
def review_queue(db: DbDep, user: PanelUser,
                 period: Annotated[str | None, Query(max_length=32)] = None,
                 status: Literal["to_rate", "rated", "revealed"] | None = None):
    """Your own queue: the letters you are asked to rate (item codes, never letter ids)."""
    rows = rating.queue(db, user, period, status)
    return {"data": rows, "count": len(rows)}


@router.get("/review-queue/{item_id}", response_model=ItemOut, responses=NOT_FOUND)
def review_item(item_id: ItemCode, db: DbDep, user: PanelUser):
    """The anonymised letter, the rubric and your rating; findings only once revealed."""
    return rating.open_item(db, user, item_id)


@router.post("/review-queue/{item_id}/ratings", response_model=RatingOut, status_code=201,
             responses={**NOT_FOUND, **CONFLICT, 200: {"model": RatingOut, "description": "Rating replaced"}})
def rate_item(item_id: ItemCode, body: RatingIn, db: DbDep, user: PanelUser, response: Response):
    """Save your rating (201), or replace it (200) until you reveal the automatic findings."""
    out, created = rating.rate(db, user, item_id, body.model_dump())
    if not created:
        response.status_code = 200
    return out


@router.post("/review-queue/{item_id}/reveal", response_model=FindingList, responses={**NOT_FOUND, **CONFLICT})
def reveal_findings(item_id: ItemCode, db: DbDep, user: PanelUser):
    """The automatic findings (after your rating is saved; it cannot change afterwards)."""
    rows = rating.reveal(db, user, item_id)
    return {"data": rows, "count": len(rows)}


@router.post("/review-queue/{item_id}/findings/{number}/verdict", response_model=PanelFinding,
             responses={**NOT_FOUND, **CONFLICT})
def judge_finding(item_id: ItemCode, number: path_number(100_000), body: VerdictIn,  # type: ignore[valid-type]
                  db: DbDep, user: PanelUser):
    """Mark an automatic finding as "not a problem" (or agree with it)."""
    return rating.judge(db, user, item_id, number, body.verdict, body.note)


@router.post("/review-queue/{item_id}/detail-reports", response_model=DetailReportOut, status_code=201,
             responses={**NOT_FOUND, **CONFLICT})
def report_detail(item_id: ItemCode, body: DetailReportIn, db: DbDep, user: PanelUser):
    """Tell the panel's organiser the letter still shows something that could tell who someone
    is (`words`: which, if you can say); they see it on the period's page and hide it."""
    return {"reports": rating.report_detail(db, user, item_id, body.words)}


# ---- sampling, agreement and reports (managers) --------------------------------------------

@router.get("/panel/policy", response_model=PolicyOut)
def get_policy(db: DbDep, user: ManagerUser):
    """The sampling policy in force and the rating rubric."""
    return {"policy": settings.policy(db), "rubric": settings.load_panel_rules().rubric()}


@router.put("/panel/policy", response_model=PolicyOut)
def put_policy(body: PolicyIn, db: DbDep, user: ManagerUser):
    """Change sampling settings (only the fields sent); audited."""
    changes = body.model_dump(exclude_none=True)
    return {"policy": settings.update_policy(db, user, changes), "rubric": settings.load_panel_rules().rubric()}


@router.get("/panel/periods", response_model=PeriodList)
def list_periods(db: DbDep, user: ManagerUser):
    rows = periods.list_periods(db)
    return {"data": rows, "count": len(rows)}


@router.post("/panel/periods", response_model=PeriodOut, status_code=201, responses=CONFLICT)
def create_period(body: PeriodIn, db: DbDep, user: ManagerUser):
    """Create a period (quarter "2025Q1" and month "2025-03" names bring their own dates)."""
    row = periods.create_period(db, user, body.name, body.start_date, body.end_date)
    return {**row, "letters": 0}


@router.post("/panel/periods/{period}/draw", response_model=DrawOut, responses=CONFLICT)
def draw(period: PeriodName, db: DbDep, user: ManagerUser, body: DrawIn | None = None):
    """Draw the period's sample by the policy (repeatable with the same seed) and assign raters.
    Creates the period when its name is a quarter or month."""
    return sampling.draw(db, user, period, body.seed if body else None)


@router.get("/panel/periods/{period}/items", response_model=ItemAdminList, responses=NOT_FOUND)
def period_items(period: PeriodName, db: DbDep, user: ManagerUser, removed: bool = False):
    """The sample: letters, why each is in, raters and ratings so far (`removed` to include removed)."""
    rows = sampling.items(db, period, include_removed=removed)
    return {"data": rows, "count": len(rows)}


@router.post("/panel/periods/{period}/items", response_model=ItemAdmin, status_code=201,
             responses={**NOT_FOUND, **CONFLICT})
def add_item(period: PeriodName, body: AddIn, db: DbDep, user: ManagerUser):
    """Add a sent letter to the sample by hand, with a reason."""
    return sampling.add_letter(db, user, period, body.letter_id, body.reason)


@router.post("/panel/periods/{period}/items/{letter_id}/remove", response_model=ItemAdmin, responses=NOT_FOUND)
def remove_item(period: PeriodName, letter_id: PathId, body: RemoveIn, db: DbDep, user: ManagerUser):
    """Take a letter out of the sample, with a reason (kept on record)."""
    return sampling.remove_letter(db, user, period, letter_id, body.reason)


@router.post("/panel/periods/{period}/assign", response_model=Assigned, responses=NOT_FOUND)
def assign(period: PeriodName, db: DbDep, user: ManagerUser):
    """Give every letter in the sample its number of raters (e.g. after adding panel members)."""
    return {"assigned": sampling.assign(db, period)}


CSV_OR_JSON = {200: {"content": {"application/json": {}, "text/csv": {}},
                     "description": "JSON, or CSV with format=csv"}}


@router.get("/panel/periods/{period}/agreement", response_model=AgreementOut,
            responses={**NOT_FOUND, **CSV_OR_JSON})
def period_agreement(period: PeriodName, db: DbDep, user: ManagerUser,
                     format: Literal["json", "csv"] = "json"):
    """Agreement between raters (Krippendorff's alpha, ordinal), panel vs automatic score
    (Spearman) and each rule's precision from the panel's verdicts."""
    data = agreement_mod.agreement(db, period)
    if format == "csv":
        import io

        buf = io.StringIO()
        csv_safe.Writer(buf, lineterminator="\n").writerows(agreement_mod.agreement_csv_rows(data))
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8")
    return data


@router.get("/panel/periods/{period}/report", responses={
    **NOT_FOUND, 200: {"content": {"text/html": {}, "text/csv": {}, "application/json": {}},
                       "description": "Printable HTML (default), CSV or JSON"}})
def period_report(period: PeriodName, db: DbDep, user: ManagerUser,
                  format: Literal["html", "csv", "json"] = "html"):
    """The period report for the area board: frequent failed rules, lowest-rated rubric items,
    representative comments, trend against the previous period."""
    data = report.build(db, period)
    if format == "csv":
        return Response(report.render_csv(data), media_type="text/csv; charset=utf-8")
    if format == "json":
        return data
    return Response(report.render_html(data), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_POLICY})


# ---- feedback to authors -------------------------------------------------------------------

@router.get("/panel/feedback", response_model=FeedbackList)
def feedback_list(db: DbDep, user: LetterUser):
    """Letters the panel has rated: staff see their own team's, managers every team's."""
    rows = feedback_mod.letters_with_feedback(db, user.team if user.role == "staff" else None)
    audit.record_read(db, user, "feedback.list", "letter", None, {"count": len(rows)})
    return {"data": rows, "count": len(rows)}


@router.get("/panel/feedback/{letter_id}", response_model=FeedbackOut, responses=NOT_FOUND)
def feedback_for_letter(letter_id: PathId, db: DbDep, user: LetterUser):
    """The panel's ratings, comments, marked passages and verdicts on one letter."""
    check_visible(db, user, letter_id)
    out = feedback_mod.feedback(db, letter_id)
    audit.record_read(db, user, "feedback.read", "letter", letter_id)
    return out
