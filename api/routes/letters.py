"""Letters: submit and re-submit, read, list and search, compare versions, suppress, send, delete.

Staff see only their team's letters (another team's letter answers 404); managers see all;
panel members never reach these routes (their anonymised queue has its own router).
"""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse

from vcl_qa.engine.letter import Decision as DecisionCode
from vcl_qa.errors import LetterError
from vcl_qa.letters import store
from vcl_qa.letters import service
from vcl_qa.db import audit, names, teams
from vcl_qa.decisions import agreement

from ..deps import (DbDep, LetterUser, ManagerUser, PathId, check_visible, current_user, require, scoring_slot,
                    visible_team)
from ..file_body import file_route, multipart_openapi
from ..errors import COMMON_RESPONSES, CONFLICT, NOT_FOUND, ApiError, ErrorBody, check_range
from ..schemas import (Comparison, LetterCreated, LetterDetail, VersionOut, LetterList, LetterSubmit, SentDetail, SentIn,
                       SuppressionCreated, SuppressionIn, SuppressionRestored, check_context_types)
from ..validation import Day

router = APIRouter(prefix="/letters", tags=["letters"], responses=COMMON_RESPONSES)

def submit_letter(body: LetterSubmit, db: DbDep, user: LetterUser,
                  idempotency_key: Annotated[str | None, Header(
                      alias="Idempotency-Key", description=(
                          "Any string unique to this submission (e.g. a UUID). Sent again with "
                          "the same body (a retry after a timeout), it answers the letter the first "
                          "request stored, with the header Idempotent-Replayed: true, instead of "
                          "storing a copy; with a different body, 409"))] = None):
    """Score a letter and store it; with `letter_id`, store it as that letter's next version."""
    key = _checked_key(idempotency_key)
    if isinstance(body.context, dict) and "team" in body.context:  # a common slip: say where it goes
        raise ApiError(422, "invalid", "context.team: the team is not one of the letter's details: put "
                       "\"team\" at the top of the body, beside \"text\" and \"context\" (staff can leave "
                       "it out: their own team is used)",
                       [{"field": "context.team", "message": "goes at the top of the body, not inside context"}])
    check_context_types(body.context)  # bereaved and withdrawal are JSON true or false, not "yes"
    team = body.team
    if user.role == "staff":
        if team is not None and team != user.team:
            raise ApiError(403, "forbidden", "staff submit letters for their own team only")
        team = user.team
    if body.letter_id is not None:
        check_visible(db, user, body.letter_id)
        _check_same_team(db, body.letter_id, body.team)
    elif not team:
        raise ApiError(422, "invalid", "team: managers must say which team the letter is for",
                       [{"field": "team", "message": "required for managers"}])
    else:
        _check_known_team(db, team)
    idempotency = None
    if key is not None:
        request_hash = store.request_hash({**body.model_dump(mode="json"), "team": team})
        earlier = store.submitted_with_key(db, user.id, key)
        if earlier is not None:
            return _replayed(earlier, request_hash, key)
        idempotency = (key, request_hash)
    try:
        with scoring_slot:
            out = service.submit(db, user, body.text, body.context, team=team,
                               letter_id=body.letter_id, source="api", base_version=body.base_version,
                               idempotency=idempotency)
    except store.KeyUsed:  # the same key sent twice at once: the first one's letter stands
        return _replayed(store.submitted_with_key(db, user.id, key), idempotency[1], key)
    except store.Conflict:
        # A retry of a new version sent at once with the first: the first saved it, so this one
        # finds the letter moved on (base_version). Its key says it was saved: answer that.
        earlier = store.submitted_with_key(db, user.id, key) if key is not None else None
        if earlier is None:
            raise
        return _replayed(earlier, idempotency[1], key)
    except LetterError as exc:
        if exc.field not in ("text", "team", "base_version"):  # everything else is a context field
            exc.field = f"context.{exc.field}" if exc.field else "context"
        raise
    # Already the engine's own JSON: skip re-validating it against the response model.
    return JSONResponse(out, status_code=201)



async def _letter_user(request, db, creds):
    """The JSON route's token and role check (LetterUser), for a letter sent as a file."""
    return await require("staff", "manager")(await current_user(request, db, creds))


# A letter may come as a file (multipart/form-data), its details in the parts (api/file_body.py).
LETTER_PARTS = {"file": "file", "context": "json", "letter_id": "number", "base_version": "number", "team": "text"}
router.add_api_route(
    "", submit_letter, methods=["POST"], status_code=201, response_model=LetterCreated,
    responses={**NOT_FOUND, **CONFLICT}, route_class_override=file_route(LETTER_PARTS, _letter_user, letter=True),
    openapi_extra=multipart_openapi(LETTER_PARTS, {
        "file": "The letter: a Word (.docx), .txt or .md file (at most 2 MB)",
        "context": "The letter's details: the JSON object the JSON body's context is",
        "letter_id": "Add a new version to this letter (digits)", "base_version": "With letter_id: the version "
        "this text was written on (digits)", "team": "Team (managers only), as text"}))

def _team_refused(message: str) -> ApiError:
    return ApiError(422, "invalid", f"team: {message}", [{"field": "team", "message": message}])


def _check_known_team(db, team: str) -> None:
    """A manager's team for a new letter is a team there is, exactly: a slip ("Nroth", " north",
    "north" with a zero-width space) would store the letter where its team cannot see it, and
    start a team of its own in every filter and report (review 11b, finding 5)."""
    known = teams.known_teams(db)
    if team not in known:
        raise _team_refused(teams.unknown_team_message(team, known))


def _check_same_team(db, letter_id: int, team: str | None) -> None:
    """A new version stays in its letter's team: a different `team` beside letter_id is refused,
    never ignored (the same team, or none, is fine)."""
    if team is None:
        return
    own = store.letter_team(db, letter_id)
    if team != own:
        raise _team_refused(f"letter {letter_id} belongs to team '{names.shown(own)}'; a new version stays "
                            f"in its letter's team, so '{names.shown(team)}' cannot be given with letter_id "
                            f"(leave team out, or give '{names.shown(own)}')")


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not store.IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(422, "invalid", "Idempotency-Key: use 1 to 200 printable characters with no "
                       "spaces (a UUID is usual)", [{"field": "header.Idempotency-Key",
                                                      "message": "1 to 200 printable characters, no spaces"}])
    return key


def _replayed(earlier: dict | None, request_hash: str, key: str) -> JSONResponse:
    """The answer the key's first request got (its letter and that version's first result)."""
    if earlier is None or earlier["result"] is None:  # deleted meanwhile
        raise ApiError(409, "conflict", "the letter stored with this Idempotency-Key is gone; "
                       "send it with a new key to store it again")
    if earlier["request_hash"] != request_hash:
        raise ApiError(409, "conflict", f"this Idempotency-Key was already used for another submission "
                       f"(letter {earlier['id']}, version {earlier['version']}); use a new key for a new "
                       "letter or version", [{"field": "header.Idempotency-Key",
                                              "message": "already used with a different body"}])
    return JSONResponse({"id": earlier["id"], "version": earlier["version"], "result": earlier["result"]},
                        status_code=201, headers={"Idempotent-Replayed": "true"})


Verdict = Literal["good", "needs_work", "poor"]
Status = Literal["draft", "sent"]
Decision = Literal[tuple(d.value for d in DecisionCode)]  # the engine's list, not a copy


@router.get("", response_model=LetterList)
def list_letters(
    db: DbDep, user: LetterUser,
    team: str | None = None, decision: Decision | None = None, verdict: Verdict | None = None,
    status: Status | None = None,
    date_from: Annotated[Day | None, Query(description="Sent (else letter, else stored) date from, "
                                                   "YYYY-MM-DD")] = None,
    date_to: Annotated[Day | None, Query(description="... up to and including this date")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Words to search for in the latest text")] = None,
    sent_before_saved: Annotated[bool | None, Query(description=(
        "true: only letters marked sent on a day before they were first saved here (the dashboard's "
        "count); false: none of them"))] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
        "Only letters with a lower id: to page newest first while letters are being added, pass the "
        "last id of the page before (an offset shifts as letters are added or deleted)"))] = None,
):
    """List letters (newest first) as {data, count}; staff see their own team's only. `count`
    counts what the filters (and `before_id`) give."""
    check_range("date_from", date_from, "date_to", date_to)
    own = visible_team(user)
    if own is not None:
        if team is not None and team != own:
            return {"data": [], "count": 0}
        team = own
    # an undated draft saved on an earlier day: judged as of today, as GET /letters/{id} gives it
    rows, count = service.list_letters(db, team=team, decision=decision, verdict=verdict, status=status,
                                       date_from=date_from, date_to=date_to, q=q, limit=limit, offset=offset,
                                       before_id=before_id, sent_before_saved=sent_before_saved,
                                       scoring_slot=scoring_slot)
    # Names and case references were read: which letters, never the words searched for.
    audit.record_read(db, user, "letters.search" if q else "letters.list", "letter", None,
                 {"ids": [r["id"] for r in rows], "count": count})
    return {"data": rows, "count": count}


# The most bytes (UTF-8) of version text GET /letters/{id} gives, newest version first (the latest's
# always): a letter saved hundreds of times by a retry loop gave every version's text, 78 MB for
# 401 versions of 190 KB, and took the server to 512 MB (an attacker's review). 39 versions of
# a 200 KB letter (204,800 bytes each) fit; older texts are read one at a time
# (GET /letters/{id}/versions/{n}).
VERSION_TEXT_BYTES = 8_000_000


def _detail(db, letter_id: int) -> dict:
    """The letter as GET /letters/{id} gives it: every version, the latest result as it stands
    today (an undated draft saved on an earlier day scored again for today, nothing stored, as
    its page shows it), and where the decisions register disagrees with it."""
    out = store.get_letter(db, letter_id, text_budget=VERSION_TEXT_BYTES)
    out["versions_text_left_out"] = sum(1 for v in out["versions"] if v["text_left_out"])
    with scoring_slot:
        result, saved_for = service.current_result(db, out)
    if saved_for is not None and result is not None:
        # what it scored when saved, as GET /letters gives it
        out.update(saved_score=out["score"], saved_verdict=out["verdict"], saved_on=saved_for or None,
                   result=result, score=result["score"], verdict=result["verdict"], rescored_for_today=True)
    out["register_disagreements"] = agreement.for_letter(db, out)
    return out


@router.get("/{letter_id}", response_model=LetterDetail, responses=NOT_FOUND)
def get_letter(letter_id: PathId, db: DbDep, user: LetterUser):
    """The letter with every version and its latest result (for a draft with no letter_date
    saved on an earlier day, scored again as of today: `rescored_for_today`), and where the
    decisions register disagrees with its details (`register_disagreements`)."""
    check_visible(db, user, letter_id)
    out = _detail(db, letter_id)
    audit.record_read(db, user, "letter.read", "letter", letter_id)
    return out


@router.get("/{letter_id}/versions/{version}", response_model=VersionOut, responses=NOT_FOUND)
def get_version(letter_id: PathId, version: PathId, db: DbDep, user: LetterUser):
    """One version of the letter, with its text (GET /letters/{id} leaves out the texts of older
    versions past 8,000,000 bytes: `text_left_out`)."""
    check_visible(db, user, letter_id)
    out = store.get_version(db, letter_id, version)
    audit.record_read(db, user, "letter.read", "letter", letter_id, {"version": version})
    return out


@router.get("/{letter_id}/compare", response_model=Comparison, responses=NOT_FOUND)
def compare_versions(letter_id: PathId, db: DbDep, user: LetterUser,
                     from_version: Annotated[int | None, Query(alias="from", ge=1, le=2**63 - 1)] = None,
                     to_version: Annotated[int | None, Query(alias="to", ge=1, le=2**63 - 1)] = None):
    """Findings fixed, new and unchanged between two versions (default: the last two)."""
    check_visible(db, user, letter_id)
    letter = store.get_letter(db, letter_id, text_budget=0)
    new = to_version or letter["latest_version"]
    if from_version is not None and from_version >= new:
        # (an attacker's review: from=5&to=2 answered with "fixed" meaning added, from=to with nothing)
        to = "query.to" if to_version is not None else "the latest version"
        message = (f"is version {from_version}, the same as {to}: give two versions" if from_version == new
                   else f"is version {from_version}, after {to} (version {new}): give the earlier version as from")
        raise ApiError(422, "invalid", f"query.from: {message}", [{"field": "query.from", "message": message}])
    old = from_version or store.previous_version([v["version"] for v in letter["versions"]], new)
    if to_version is not None and old >= new:
        # (an audit: "?to=1" compared version 1 with itself, where "from" equal to "to" is a 422;
        # with neither given, a letter of one version is compared with itself, nothing fixed)
        message = f"is version {new}, and no version is held before it: give a later version as to"
        raise ApiError(422, "invalid", f"query.to: {message}", [{"field": "query.to", "message": message}])
    out = store.compare(db, letter_id, old, new)
    audit.record_read(db, user, "letter.compare", "letter", letter_id, {"from": old, "to": new})
    return out


@router.post("/{letter_id}/suppressions", status_code=201, response_model=SuppressionCreated,
             responses={**NOT_FOUND, **CONFLICT})
def suppress_finding(letter_id: PathId, body: SuppressionIn, db: DbDep, user: LetterUser):
    """Mark a rule (or one wording) as not a problem in this letter, with a reason; re-scores."""
    check_visible(db, user, letter_id)
    with scoring_slot:
        return service.suppress(db, user, letter_id, body.rule, body.reason, body.term)


@router.post("/{letter_id}/sent", response_model=SentDetail, responses={**NOT_FOUND, **CONFLICT})
def mark_sent(letter_id: PathId, db: DbDep, user: LetterUser, body: SentIn | None = None):
    """Record that the letter went out (default: its letter_date, else today; a date after today
    is refused); a sent letter takes no new versions (DELETE undoes the mark).
    A day before the letter was first saved here needs `sent_before_saved_reason` (else 422).
    Sent on another day than its letter_date, it is scored again as sent that day, and
    `must_fix_left` lists the must-fix problems it went out with, judged for that day (a late
    letter: timeliness.late, and empathy.delay_apology without an apology), as the page's
    check before sending lists them. With `base_version` (recommended: the version read), a
    letter whose latest version is another one is not marked (409, field base_version)."""
    check_visible(db, user, letter_id)
    with scoring_slot:
        service.mark_sent(db, user, letter_id, body.sent_date if body else None,
                          body.sent_before_saved_reason if body else None,
                          base_version=body.base_version if body else None)
    out = _detail(db, letter_id)
    left = service.must_fix(out["result"])
    if left:
        audit.record(db, user, "letter.sent_with_must_fix", "letter", letter_id,
                     {"must_fix_left": len(left), "rules": sorted({f["rule"] for f in left})})
    return {**out, "must_fix_left": [{"rule": f["rule"], "message": f["message"], "text": f.get("text")}
                                     for f in left]}


@router.delete("/{letter_id}", status_code=204, responses={**NOT_FOUND, **CONFLICT})
def delete_letter(letter_id: PathId, db: DbDep, user: ManagerUser):
    """Delete a letter with all its versions and results (managers only; audited). A sent
    letter's decision in the register keeps the day it went out (deleting a letter does not
    unsend it); to delete a letter that never went out, undo its sent mark first."""
    service.delete(db, user, letter_id)
    return Response(status_code=204)


@router.delete("/{letter_id}/suppressions/{suppression_id}", response_model=SuppressionRestored,
               responses={**NOT_FOUND, **CONFLICT})
def restore_finding(letter_id: PathId, suppression_id: PathId, db: DbDep, user: LetterUser):
    """Restore a finding marked 'not a problem': the suppression is kept (with who restored it
    and when) but counts no more, and the letter is scored again; audited."""
    check_visible(db, user, letter_id)
    with scoring_slot:
        return service.unsuppress(db, user, letter_id, suppression_id)


@router.delete("/{letter_id}/sent", response_model=LetterDetail,
               responses={**NOT_FOUND, **CONFLICT, 403: {"model": ErrorBody, "description":
                          "Only the person who marked it, on the same day, or a manager may undo it"}})
def undo_sent(letter_id: PathId, db: DbDep, user: LetterUser):
    """Undo a sent mark: the letter is a draft again and is scored as of its own date. Allowed
    to the person who marked it on the same day, and to managers; audited."""
    check_visible(db, user, letter_id)
    try:
        with scoring_slot:
            service.undo_sent(db, user, letter_id)
    except service.NotPermitted as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return _detail(db, letter_id)
