"""Request and response models shared by the routes (contract sections 3 and 6)."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from vcl_qa.engine.letter import LetterContext, context_from_mapping
from vcl_qa.errors import LetterError
from vcl_qa.engine.result import Result

# Ids and dates read strictly: true, "43" and 43.0 are not ids, "2024-12-20T00:00:00" is not a
# day (api/validation.py). RowId is other routes' too.
from .validation import MAX_ID, Day, RowId, day_problem, true_false_problem  # noqa: F401


def _inline_refs(schema: dict) -> dict:
    """LetterContext's JSON schema with its $defs written in place (for the OpenAPI document)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.rsplit("/", 1)[1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


# Validated by vcl_qa.letter.context_from_mapping (the same messages as the command line),
# so the model takes a plain mapping but documents the real fields.
ContextIn = Annotated[dict[str, Any], WithJsonSchema(_inline_refs(LetterContext.model_json_schema()))]

# The yes-or-no details are JSON booleans over the API (contract section 1; "unknown" too for
# withdrawal). The library also reads the words a letter file or a form may give ("yes", "no",
# "true", 1, ...); in JSON such a value is refused, so that another system's text is never
# guessed at. What to send instead, for each.
JSON_TRUE_FALSE = {"bereaved": "true or false, without quotes",
                   "withdrawal": 'true or false without quotes, or "unknown"'}


# The dates of a letter's details: over JSON, text YYYY-MM-DD only. The library also reads a
# date and time at midnight, or a number of seconds, as a date (a letter file's front matter may
# hold one); from another system such a value is refused, never guessed at (review 11b).
JSON_DAYS = ("decision_date", "letter_date")


def lenient_day_problems(values: dict, fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, message) for each of `fields` (dates of a letter's details) whose JSON value the
    library would read as a date though it is not text YYYY-MM-DD: a date and time at midnight,
    a number. A value the library refuses anyway is left to its own message."""
    problems = []
    for field in fields:
        value = values.get(field)
        if value is None or day_problem(value) is None:
            continue
        try:
            context_from_mapping({field: value})
        except LetterError:
            continue  # refused anyway, with the library's message
        problems.append((field, day_problem(value)))
    return problems


def context_type_problems(context: Any) -> list[tuple[str, str]]:
    """(field, message) for each yes-or-no detail of a JSON `context` that is not a JSON boolean
    or null (api/validation.py true_false_problem: the same words for a number or text, read by
    the library or not), and each date that the library would read but is not text YYYY-MM-DD
    (a date the library refuses anyway is left to the library's own message)."""
    if not isinstance(context, dict):
        return []
    problems = lenient_day_problems(context, JSON_DAYS)
    for field, send in JSON_TRUE_FALSE.items():
        value = context.get(field)
        if field == "withdrawal" and value == "unknown":
            continue
        problem = true_false_problem(value, send)  # a number or text, whatever the library makes of it
        if problem:
            problems.append((field, problem))
    return problems


def json_context_problems(context: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of a JSON `context`, each as (`context.FIELD`, message), in the order the
    fields were given: the library's, and a yes-or-no detail that is not a JSON boolean."""
    problems = dict(context_type_problems(context))
    try:
        context_from_mapping(context)
    except LetterError as exc:
        for field, message in exc.details:
            problems.setdefault(field, message)
    order = {str(k): i for i, k in enumerate(context)}
    ordered = sorted(problems.items(), key=lambda kv: order.get((kv[0] or "").split(".")[0], len(order)))
    return [(f"context.{f}" if f else "context", m) for f, m in ordered]


def check_context_types(context: Any) -> None:
    """Refuse a JSON `context` whose yes-or-no details are not booleans (422 naming
    `context.FIELD`), with every other wrong field of the context named too."""
    if context_type_problems(context):
        raise LetterError.many(json_context_problems(context))


class LetterSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The letter body exactly as the victim would read it")
    context: ContextIn = Field(default_factory=dict, description="Case facts (contract section 1)")
    letter_id: RowId | None = Field(default=None, description="Add a new version to this letter")
    base_version: RowId | None = Field(default=None, description=(
        "With letter_id: the version this text was written on. When the letter has a newer "
        "version, nothing is saved (409), so that changes someone else saved are not lost"))
    team: str | None = Field(default=None, description="Team (managers only; staff use their own)")


class LetterCreated(BaseModel):
    id: int
    version: int
    result: Result


class LetterSummary(BaseModel):
    id: int
    team: str
    status: str
    sent_date: str | None
    decision: str | None
    decision_date: str | None
    letter_date: str | None
    victim_category: str | None
    bereaved: bool | None
    offence: str | None
    victim_name: str | None
    urn: str | None
    latest_version: int
    score: int | None
    verdict: str | None
    rules_version: str | None
    created_at: str
    updated_at: str
    purged_at: str | None
    rescored_for_today: bool = Field(default=False, description="An undated draft saved on an earlier "
                                      "day: `score` and `verdict` judge it as if sent today (nothing stored)")
    saved_score: int | None = Field(default=None, description="Such a draft's score when saved")
    saved_verdict: str | None = Field(default=None, description="... and its result then")
    saved_on: str | None = Field(default=None, description="... and the day it was scored for then")
    first_saved_on: str | None = Field(default=None, description=(
        "The UK date (YYYY-MM-DD) the letter's first version was saved here"))
    sent_before_saved: bool = Field(default=False, description=(
        "true when the letter is marked sent on a day before first_saved_on: its sent date (and so whether it "
        "was on time) rests on the word of whoever marked it. Never for a letter stored or marked sent by "
        "`vcl-qa import --sent` (its date is the file's letter_date). The dashboard counts them "
        "(GET /letters?sent_before_saved=true lists them)"))
    sent_before_saved_reason: str | None = Field(default=None, description=(
        "Why it went out before it was first saved here, as the person who marked it sent gave it "
        "(sent_by); null when none was needed, or for a mark made before a reason was asked for"))


class LetterList(BaseModel):
    data: list[LetterSummary]
    count: int


class VersionOut(BaseModel):
    version: int
    text: str | None = Field(description=(
        "The version's text: None once the letter is purged, or (GET /letters/{id}) when `text_left_out`"))
    text_left_out: bool = Field(default=False, description=(
        "true when GET /letters/{id} left this older version's text out: the versions' texts, newest "
        "first, passed 8,000,000 bytes (UTF-8). GET /letters/{id}/versions/{version} gives it"))
    text_hash: str
    context: dict[str, Any]
    created_at: str
    author: str | None
    score: int | None
    verdict: str | None


class SuppressionOut(BaseModel):
    id: int
    rule: str
    term: str | None
    reason: str
    by: str | None
    created_at: str
    revoked_at: str | None = Field(default=None, description="When it was restored (it counts no more)")
    revoked_by: str | None = Field(default=None, description="Who restored it")
    version: int | None = Field(default=None, description=(
        "The version it was made on (for a wording: it sets the words aside where they were in that "
        "version, carried through later edits; the same words in a new place count again)"))


class DetailDisagreement(BaseModel):
    field: str = Field(description="victim_category, decision_date, bereaved, or decision")
    letter_value: Any = Field(description="The letter's value")
    register_value: Any = Field(description="The register entry's value")


class RegisterDisagreement(BaseModel):
    decision_id: int = Field(description="The register entry")
    linked: bool = Field(description=(
        "true: the letter is linked to this entry (same case and decision) and its victim_category, "
        "decision_date or bereaved differs; false: the case is registered only under another decision, so the "
        "letter is linked to no entry"))
    fields: list[DetailDisagreement]
    letter_due_date: str | None = Field(description="The due date the letter's own details give")
    register_due_date: str | None = Field(description="The due date the register entry gives (the one the register and on-time rate count)")
    message: str = Field(description="The same in words, as the letter page says it")


class LetterDetail(LetterSummary):
    context: dict[str, Any]
    versions: list[VersionOut]
    result: Result | None = Field(description=(
        "The latest result. For a draft with no letter_date saved on an earlier day: its latest "
        "version scored again as of today (nothing stored; see rescored_for_today), so that its "
        "timeliness says how it stands now, as the register does"))
    suppressions: list[SuppressionOut]
    sent_by: str | None = Field(default=None, description="Who marked the letter as sent")
    sent_marked_at: str | None = Field(default=None, description="When they marked it (UTC)")
    rescored_for_today: bool = Field(default=False, description=(
        "true when `result` (and `score`, `verdict`) were worked out for today on this request: the "
        "letter is a draft with no letter_date, saved on an earlier day. The score stored when it "
        "was saved stays in versions[-1].score"))
    versions_text_left_out: int = Field(default=0, description=(
        "How many older versions' texts were left out (`text_left_out`); 0 for almost every letter"))
    register_disagreements: list[RegisterDisagreement] = Field(default_factory=list, description=(
        "Where the decisions register disagrees with this letter: an entry it is linked to whose "
        "victim_category, decision_date or bereaved differs (each gives its own due date), or the case "
        "registered only under another decision. Empty when they agree"))


class MustFixLeft(BaseModel):
    rule: str
    message: str
    text: str | None = Field(default=None, description="The words found, when the finding is about some")


class SentDetail(LetterDetail):
    must_fix_left: list[MustFixLeft] = Field(default_factory=list, description=(
        "The must-fix problems (not marked not a problem) the letter went out with, judged as sent "
        "on sent_date: the list the page's check before sending shows (recorded in the audit log as "
        "letter.sent_with_must_fix). A letter sent after its due date has timeliness.late here, and "
        "empathy.delay_apology when it does not apologise"))


class Comparison(BaseModel):
    letter_id: int
    from_version: int
    to_version: int
    fixed: list[dict[str, Any]]
    new: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    set_aside: list[dict[str, Any]] = Field(default_factory=list, description=(
        "Findings of `from` still in `to` but marked \u201cnot a problem\u201d since: never `fixed`, since "
        "their words are still there. Each as in `to` (`suppressed`, `suppressed_reason`), with `before` "
        "and `note` as in `unchanged`. fixed + unchanged + set_aside are the findings of `from` that count"))
    # the letter details that differ between the two versions, as stored ({"field", "from",
    # "to"}; a value not given is null), and whether the words are the same
    details_changed: list[dict[str, Any]] = []
    same_words: bool = False


class SuppressionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$", description="Rule id, e.g. readability.jargon")
    term: str | None = Field(default=None, description="Only this wording (default: the whole rule)")
    reason: str = Field(min_length=1, max_length=2000)


class SuppressionCreated(BaseModel):
    id: int
    letter_id: int
    version: int
    rule: str
    term: str | None
    reason: str
    places: list[dict[str, int]] | None = Field(default=None, description=(
        "For a wording: where in this version it sets the words aside ({start, end}): every place they "
        "have, but those another mark on them already sets aside. Carried into later versions through "
        "each edit; the same words put in a new place count again, with `marked_elsewhere`"))
    result: Result | None


class SentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sent_date: Day | None = Field(default=None, description="YYYY-MM-DD (not a date and time). Default: the "
                                                            "letter's date (letter_date), or today when it "
                                                            "has none or it is later")
    sent_before_saved_reason: str | None = Field(default=None, max_length=2000, description=(
        "Needed when the day it was sent (given, or the default) is before the UK date the letter was first "
        "saved here (first_saved_on): why it went out before it was saved here, in at least 3 words and 12 "
        "letters, as a 'not a problem' reason (e.g. 'written in Word and posted that day, saved here two days "
        "later to record it'). Without it such a day is refused (422, field sent_before_saved_reason). Kept "
        "with the mark, in the audit log entry (letter.sent) and in GET /letters/{id}; not kept when the day "
        "is not before the first save"))
    base_version: RowId | None = Field(default=None, description=(
        "The version of the letter the person marking it sent read (GET /letters/{id}: latest_version), as "
        "base_version is for a new version. When the letter's latest version is another one (someone saved "
        "a newer version meanwhile), nothing is marked and the answer is 409 (conflict, field base_version), "
        "naming the latest version, who saved it and when: read it and, if it is the letter that went out, "
        "send again with its number. Recommended; without it the latest version is marked sent, whatever it is"))


class SuppressionRestored(SuppressionCreated):
    places: list[dict[str, int]] | None = Field(default=None, description=(
        "For a wording: where the mark set the words aside in the latest version ({start, end}), "
        "where they now count again unless another standing mark covers them; null for a whole check"))
    restored: bool = True
    also_restored: list[int] = Field(default_factory=list, description=(
        "Standing duplicates of the same mark (same rule and wording) restored with it"))
    counts_again: bool = Field(description=(
        "Whether a finding it set aside now counts in the latest version: false when another "
        "standing mark (for the whole check) still sets it aside, or the words are no longer there"))


class SetAsideRow(BaseModel):
    id: int = Field(description="The suppression's id")
    letter_id: int
    team: str
    status: str
    latest_version: int
    rule: str
    term: str | None
    severity: str
    message: str
    text: str | None
    reason: str
    by: str | None
    created_at: str
    findings: int = Field(description="How many findings of the latest result it sets aside")


class SetAsideList(BaseModel):
    data: list[SetAsideRow]
    count: int


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The letter body exactly as the victim would read it")
    context: ContextIn = Field(default_factory=dict, description="Case facts (contract section 1)")
    marks_of: RowId | None = Field(default=None, description=(
        "A stored letter (one you may read) whose standing \u201cnot a problem\u201d marks apply to this "
        "text, each mark on a wording where its words were in the letter's latest version, carried "
        "through the edit (as saving the text as a new version would); `context.suppress` is then "
        "not read. The letter page sends it while you type"))
