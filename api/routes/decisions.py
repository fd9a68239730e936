"""The decisions register and the timeliness report.

Roles as for letters: staff register and see their own team's decisions only; managers see
every team; panel members and admins get 403 (the register holds victims' names and case
references).
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, Callable, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from vcl_qa.db import audit, names, teams
from vcl_qa.decisions import agreement, register
from vcl_qa.errors import LetterError
from vcl_qa.engine.letter import Decision, Offence, VictimCategory
from vcl_qa.decisions import store
from vcl_qa.db.users import User

from ..deps import DbDep, LetterUser
from ..errors import COMMON_RESPONSES, ApiError, as_of_problem, check_range
from ..schemas import DetailDisagreement, _inline_refs, lenient_day_problems
from ..validation import Day

router = APIRouter(tags=["decisions"], responses=COMMON_RESPONSES)

MAX_BATCH = 1000
Status = Literal["due", "due_today", "overdue", "sent_on_time", "sent_late", "not_required"]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
AsOf = Annotated[dt.date | None, Query(ge=register.EARLIEST, le=register.LATEST,
                                       description="Statuses as on this day (default: today); not after "
                                                   "today (the UK date)")]


KEPT = ("Left out: a decision registered before keeps its value; null: cleared")


class DecisionIn(BaseModel):
    """One decision that needs a letter (the letter context fields plus team).

    Registering a decision again: a field left out keeps its registered value; an optional
    field sent as null (bereaved, offence, victim_name, letter_date) is cleared."""

    model_config = ConfigDict(extra="forbid")
    urn: str = Field(min_length=1, max_length=register.MAX_TEXT, description="Case reference")
    decision: Decision
    decision_date: dt.date
    victim_category: VictimCategory
    bereaved: bool | None = Field(default=None, description=KEPT)
    offence: Offence | None = Field(default=None, description=KEPT)
    victim_name: str | None = Field(default=None, max_length=register.MAX_TEXT, description=KEPT)
    letter_date: dt.date | None = Field(default=None, description=(
        "A letter went out this day (recorded elsewhere). " + KEPT))
    team: str | None = Field(default=None, max_length=register.MAX_TEXT,
                             description="Team (managers must give it; staff use their own)")
    letter_required: bool | None = Field(default=None, description=(
        "false: the decision needs no letter (status not_required: never due, overdue or missing, "
        "and outside the timeliness rate); no_letter_reason is then required. Left out: true for a "
        "new decision, as registered for one registered before"))
    no_letter_reason: str | None = Field(default=None, min_length=register.MIN_REASON,
                                         max_length=register.MAX_REASON,
                                         description="Why no letter is needed (only with letter_required false)")


class DecisionBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decisions: list[DecisionIn] = Field(min_length=1, max_length=MAX_BATCH)


# Validated by vcl_qa.decisions.record_from_mapping (the letters' messages and field names), so
# the body is taken as a plain mapping while the schema documents both shapes.
DecisionsBody = Annotated[dict[str, Any], WithJsonSchema({"anyOf": [
    _inline_refs(DecisionIn.model_json_schema()), _inline_refs(DecisionBatchIn.model_json_schema())]})]


class LetterDisagreement(BaseModel):
    letter_id: int
    status: str = Field(description="The letter's status (draft or sent)")
    fields: list[DetailDisagreement]
    letter_due_date: str | None = Field(description="The due date the letter's own details give")
    register_due_date: str = Field(description="The due date this entry gives (due_date)")
    message: str = Field(description="The same in words, as the register page says it")


class DecisionOut(BaseModel):
    id: int
    urn: str
    decision: str
    decision_date: str
    victim_category: str
    bereaved: bool | None
    offence: str | None
    team: str
    victim_name: str | None
    letter_date: str | None
    letter_required: bool
    no_letter_reason: str | None
    working_day_limit: int
    limit_reason: Literal["bereaved"] | None = Field(default=None, description=(
        "Why working_day_limit is shorter than the victim category's own: \"bereaved\" (bereaved close "
        "relatives count as victims of the most serious crime, owed the enhanced service); null otherwise"))
    due_date: str
    status: Status
    working_days_left: int | None = Field(
        description="Working days until the letter is due (0 on the due day and after); null once sent")
    working_days_late: int = Field(description="Working days past the due date (overdue or sent late); 0 if not late")
    working_days: int = Field(deprecated=True, description=(
        "Deprecated, kept for one release: use working_days_left and working_days_late. "
        "Working days left; negative: working days late (-1 when late by less than a working day)"))
    sent_on: str | None = Field(description=(
        "The first linked letter went out this day (a letter sent before the decision date is not counted)"))
    letter_warning: str | None = Field(description=(
        "Set when a linked letter (or the letter_date recorded) went out before the decision date: "
        "it is not counted as this decision's letter, and this says so in plain words"))
    letter_ids: list[int] = Field(description="Letters with this case reference and decision")
    letter_disagreements: list[LetterDisagreement] = Field(default_factory=list, description=(
        "Linked letters whose own victim_category, decision_date or bereaved differs from this entry's, so "
        "that the letter's page (its score and findings) and this entry (its status, the digest, the "
        "on-time rate) count from different due dates. Empty when they agree"))
    created_at: str
    updated_at: str


class DecisionList(BaseModel):
    data: list[DecisionOut]
    count: int


DECIDED_LATER = Field(description=(
    "Decisions matching the other filters (status aside) dated after as_of (default today), "
    "left out: on that day they had not been made"))


class DecisionPage(DecisionList):
    decided_later: int = DECIDED_LATER
    next: str | None = Field(default=None, description=(
        "Pass it as `after` for the next page (null on the last): the place of this page's last "
        "decision in the list's order, which decisions registered or sent meanwhile do not move"))


class DecisionStoredOut(DecisionOut):
    changed: list[str] = Field(description=(
        "The fields this request changed (empty when the decision was created or unchanged); "
        "fields left out of the request keep their values"))
    not_cleared: list[str] = Field(default_factory=list, description=(
        "Fields this request sent as null that were kept: a letter_date that is the day a letter "
        "saved here was sent, kept when that letter was deleted, is the only record left that it "
        "went out, and null (a day not known) does not clear it; send another day to replace it"))


class DecisionsStored(BaseModel):
    data: list[DecisionStoredOut]
    count: int
    created: int
    updated: int
    unchanged: int


class UnlinkedLetter(BaseModel):
    id: int
    team: str
    status: str
    sent_date: str | None
    urn: str | None
    decision: str | None
    decision_date: str | None
    letter_date: str | None
    created_at: str


class UnlinkedList(BaseModel):
    data: list[UnlinkedLetter]
    count: int


class ReportRow(BaseModel):
    month: str
    team: str
    working_day_limit: int | None = Field(description=(
        "The working-day limit this row counts: 1 or 5; null only in the row for all limits together "
        "(all_limits true; \"all\" in the CSV)"))
    all_limits: bool = Field(description=(
        "true: the month's and team's letters under every limit together, so each count is the sum of "
        "the rows for 1 and 5 working days (add up one or the other, never both); false: one limit's"))
    required: int
    sent: int
    sent_on_time: int
    sent_late: int
    missing: int = Field(description="Past the due date and no letter sent")
    pending: int = Field(description="Not yet due and no letter sent")
    not_required: int = Field(description="Registered as needing no letter (not in the other counts)")
    due_before_today: int = Field(description="Due before today, sent or not: the rate's denominator")
    on_time_of_due: int = Field(description=(
        "Of those due before today, how many were sent by their due date: the rate's numerator (sent_on_time "
        "also counts letters sent early that are not yet due)"))
    timeliness_rate: float | None = Field(description=(
        "Of the letters due before today (sent or not), the percentage sent by their due date"))


class Report(BaseModel):
    data: list[ReportRow]
    count: int
    decided_later: int = DECIDED_LATER


# The yes-or-no fields are JSON booleans over the API (true, false, or null: as left out for
# letter_required, cleared for bereaved), as a letter's details are (api/schemas.py): text or a
# number, such as "yes" or 1, is refused, so that another system's value is never guessed at.
# The CSV import (register.import_csv) reads yes and no as people write them in a spreadsheet.
JSON_BOOLEANS = ("bereaved", "letter_required")
SEND_BOOLEAN = "send true or false, without quotes"


def boolean_problems(item: Any) -> list[tuple[str, str]]:
    """(field, message) for each yes-or-no field of one JSON decision that is not a JSON boolean
    or null."""
    if not isinstance(item, dict):
        return []
    problems = []
    for name in JSON_BOOLEANS:
        value = item.get(name)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, str):
            shown = value if len(value) <= 40 else value[:40].rstrip() + "..."
            problems.append((name, f"'{shown}' is text, not true or false: {SEND_BOOLEAN}"))
        elif isinstance(value, (int, float)):
            problems.append((name, f"{value!r} is a number, not true or false: {SEND_BOOLEAN}"))
        else:
            problems.append((name, f"must be true or false, not a {'list' if isinstance(value, list) else 'set of fields'}: "
                                   f"{SEND_BOOLEAN}"))
    return problems


def _own_team(user: User) -> str | None:
    return user.team if user.role == "staff" else None


# The dates likewise: text YYYY-MM-DD, never a date and time or a number read as a date.
JSON_DAYS = ("decision_date", "letter_date")


def date_problems(item: Any) -> list[tuple[str, str]]:
    """(field, message) for each date of one JSON decision that the register would read as a
    date though it is not text YYYY-MM-DD (a date and time, a number); the register names any
    other wrong date itself. Null clears letter_date: not a problem."""
    return lenient_day_problems(item, JSON_DAYS) if isinstance(item, dict) else []


def team_problems(item: Any, user: User, known: Callable[[], list[str]]) -> list[tuple[str, str]]:
    """A manager's `team` must be a team there is, exactly: a slip ("nrth", " north", "north"
    with a zero-width space) would start a second register for the same case, never linked to
    the team's letters (review 11b, finding 5). Staff give their own team or none (403 else)."""
    if user.role == "staff" or not isinstance(item, dict) or not isinstance(item.get("team"), str):
        return []
    teams_known = known()
    if item["team"] in teams_known:
        return []
    return [("team", teams.unknown_team_message(item["team"], teams_known))]


def _records(body: dict, user: User, db) -> tuple[list[dict], str | None]:
    """Validated records. Every problem in every decision is reported at once, each with its
    field path (`decisions.N.field` in a batch)."""
    batch = "decisions" in body
    items = body["decisions"] if batch else [body]
    if batch:
        problems = [(k, "unknown field (allowed: decisions)") for k in body if k != "decisions"]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
            sent = f" (it has {len(items):,}: send the rest in another batch)" if isinstance(items, list) and items else ""
            problems.append(("decisions", f"must be a list of 1 to {MAX_BATCH} decisions{sent}"))
        if problems:
            raise LetterError.many(problems)
    own = _own_team(user)
    records, seen, problems = [], {}, []
    forbidden: list[str] = []  # another team's decision sent by staff: each named, with the rest
    known = functools.cache(lambda: teams.known_teams(db))
    for i, item in enumerate(items):
        prefix = f"decisions.{i}." if batch else ""
        if own is not None and isinstance(item, dict) and item.get("team") not in (None, own):
            forbidden.append(f"{prefix}team")
            problems.append((f"{prefix}team", f"'{names.shown(str(item['team']))}' is not your team: staff register "
                                              f"decisions for their own team only, team '{own}' (leave team out, "
                                              f"or give '{own}')"))
            item = {k: v for k, v in item.items() if k != "team"}  # its other fields are still checked
        not_boolean = boolean_problems(item)
        checked = item
        if not_boolean:  # said as such, never in the words the CSV import would use
            left_out = {f for f, _ in not_boolean}
            if "letter_required" in left_out:  # the reason is checked against a true or false
                left_out.add("no_letter_reason")
            checked = {k: v for k, v in item.items() if k not in left_out}
        # Kept in what the register reads (each is required, or checked by it too): said once, here.
        strict = date_problems(item) + team_problems(item, user, known)
        not_boolean += strict
        try:
            rec = register.record_from_mapping(checked, team=own)
        except LetterError as exc:
            said = {f for f, _ in strict}
            details = [(f, m) for f, m in exc.details if f not in said]
            if not_boolean:  # with every other wrong field of the decision, in the order given
                order = {str(k): n for n, k in enumerate(item)}
                details = sorted(not_boolean + details, key=lambda fm: order.get(fm[0] or "", len(order)))
            problems += [(f"{prefix}{f}" if f else (prefix.rstrip(".") or None), m) for f, m in details]
            continue
        if not_boolean:
            problems += [(f"{prefix}{f}", m) for f, m in not_boolean]
            continue
        key = (rec["urn"].upper(), rec["decision"])
        if key in seen and seen[key][1] != rec:
            problems.append((f"{prefix}urn", f"repeats the case reference and decision of decisions.{seen[key][0]} "
                                             "with different values" if batch else
                                             "repeats an earlier decision's case reference and decision with "
                                             "different values"))
        seen.setdefault(key, (i, rec))
        records.append(rec)
    if forbidden:  # 403, as before, now naming each such decision and every other problem too
        details = [{"field": f, "message": m} for f, m in problems]
        raise ApiError(403, "forbidden", f"staff register decisions for their own team only: {', '.join(forbidden)} "
                       f"{'names' if len(forbidden) == 1 else 'name'} another team"
                       + (f"; {len(problems) - len(forbidden)} other problem(s) too" if len(problems) > len(forbidden)
                          else "") + " (see details)", details)
    if problems:
        raise LetterError.many(problems)
    return records, own


@router.post("/decisions", status_code=201, response_model=DecisionsStored,
             responses={200: {"model": DecisionsStored, "description": "Nothing new: every decision was already registered"}})
def register_decisions(body: DecisionsBody, db: DbDep, user: LetterUser, response: Response):
    """Register one decision, or a batch as {"decisions": [...]}, by case reference and decision.

    Sending the same decision again changes nothing; changed fields update it, and each
    decision in the answer lists the fields changed (`changed`). A field left out keeps its
    registered value (a letter_date recorded earlier stays); an optional field sent as null is
    cleared, but for a letter_date kept from a sent letter deleted since (listed in
    `not_cleared`). A batch is stored whole or not at all. 201 when anything was added, else 200.
    """
    records, own = _records(body, user, db)
    changes: list[list[str]] = []
    held: list[list[str]] = []
    try:
        outcomes = store.upsert_many(db, user, records, only_team=own, changes=changes, not_cleared=held)
    except store.OtherTeam as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    counts = {k: sum(1 for _, o in outcomes if o == k) for k in ("created", "updated", "unchanged")}
    ids = [i for i, _ in outcomes]
    rows = {r["id"]: r for r in agreement.for_rows(register.with_status(store.linked_rows(db, ids=ids),
                                                                         register.StatusClock()))}
    if not counts["created"]:
        response.status_code = 200
    changed: dict[int, list[str]] = {}
    not_cleared: dict[int, list[str]] = {}
    for (i, _), fields, kept in zip(outcomes, changes, held):
        changed.setdefault(i, [])
        changed[i] += [f for f in fields if f not in changed[i]]
        not_cleared.setdefault(i, [])
        not_cleared[i] += [f for f in kept if f not in not_cleared[i]]
    data = [{**rows[i], "changed": changed[i], "not_cleared": not_cleared[i]} for i in dict.fromkeys(ids)]
    return {"data": data, "count": len(data), **counts}


@router.get("/decisions", response_model=DecisionPage)
def list_decisions(
    db: DbDep, user: LetterUser,
    status: Status | None = None, team: Annotated[str | None, Query(max_length=200)] = None,
    urn: Annotated[str | None, Query(max_length=200)] = None, decision: Decision | None = None,
    decided_from: Day | None = None, decided_to: Day | None = None, as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description=(
        "Rows to skip. Kept for old clients: to page through, pass `after` instead"))] = 0,
    after: Annotated[str | None, Query(min_length=1, max_length=60, description=(
        "Only decisions after this place in the list: the `next` of the page before. An offset "
        "shifts as decisions are registered or sent between pages, repeating or skipping some"))] = None,
):
    """The register with each decision's due date and status as on `as_of` (default today), most
    urgent first, as {data, count, decided_later, next}. Decisions dated after `as_of` are left
    out (counted in `decided_later`), as the digest and the pages leave them out. `count` counts
    what the filters (and `after`) give.

    Staff see their own team's decisions only (another `team` is a 422, as is a team that does
    not exist).
    """
    check_range("decided_from", decided_from, "decided_to", decided_to, as_of_problem(as_of))  # both named at once
    team = _own_team(user) or team  # staff: another team was refused (api/deps.py)
    filters = {"team": team, "urn": urn, "decision": decision.value if decision else None,
               "decided_from": decided_from, "decided_to": decided_to}
    rows = _after(register.register(db, today=as_of, status=status, **filters), after)
    shown = rows[offset:offset + limit]
    page = agreement.for_rows(shown)
    # Victims' names and case references were read: which entries, never the reference asked for.
    audit.record_read(db, user, "decisions.search" if urn else "decisions.list", "decision", None,
                 {"ids": [r["id"] for r in page], "count": len(rows)})
    more = bool(shown) and offset + limit < len(rows)
    return {"data": page, "count": len(rows), "decided_later": register.decided_later(db, today=as_of, **filters),
            "next": register.cursor(shown[-1]) if more else None}


def _after(rows: list[dict], place: str | None) -> list[dict]:
    """The rows after `place` (a 422 naming query.after for one that is not a place)."""
    if place is None:
        return rows
    try:
        return register.after(rows, place)
    except LetterError as exc:
        raise ApiError(422, "invalid", f"query.after: {exc.message}",
                       [{"field": "query.after", "message": exc.message}]) from None


@router.get("/decisions/unlinked-letters", response_model=UnlinkedList)
def unlinked_letters(db: DbDep, user: LetterUser,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                     before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
                         "Only letters with a lower id: to page newest first while letters are being "
                         "added, pass the last id of the page before (an offset shifts as they are added)"))] = None):
    """Stored letters whose case reference and decision match no registered decision, newest
    first. `count` counts what `before_id` leaves."""
    rows, count = register.unlinked_letters(db, team=_own_team(user), limit=limit, offset=offset,
                                            before_id=before_id)
    audit.record_read(db, user, "decisions.unlinked_letters", "letter", None,
                 {"ids": [r["id"] for r in rows], "count": count})
    return {"data": rows, "count": count}


CSV_RESPONSE = {200: {"description": "The report as JSON, or as CSV with format=csv",
                      "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/reports/timeliness", response_model=Report, tags=["reports"], responses=CSV_RESPONSE)
def timeliness_report(db: DbDep, user: LetterUser,
                      team: Annotated[str | None, Query(max_length=200)] = None,
                      month_from: Month = None, month_to: Month = None, as_of: AsOf = None,
                      format: Literal["json", "csv"] = "json"):
    """Per month of decision and team, against each working-day limit and all together: letters
    required, sent, sent on time, sent late, missing, pending, and the timeliness rate, as on
    `as_of` (default today): decisions dated after it are left out (`decided_later`)."""
    check_range("month_from", month_from, "month_to", month_to, as_of_problem(as_of))  # both named at once
    team = _own_team(user) or team  # staff: another team was refused (api/deps.py)
    rows = register.timeliness_report(db, today=as_of, team=team, month_from=month_from, month_to=month_to)
    if format == "csv":
        return Response(register.report_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="timeliness.csv"'})
    later = register.decided_later(
        db, today=as_of, team=team, decided_from=dt.date.fromisoformat(f"{month_from}-01") if month_from else None,
        decided_to=_month_end(month_to) if month_to else None)
    return {"data": rows, "count": len(rows), "decided_later": later}


def _month_end(month: str) -> dt.date:
    """The last day of a YYYY-MM month."""
    first = dt.date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
