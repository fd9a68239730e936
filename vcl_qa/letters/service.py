"""The letters service: submit, add a version, re-score, suppress, mark sent.

Each operation validates, scores with the engine (outside any write transaction, so the write
lock is held briefly) and hands the result to the store. Routes, pages and commands call this.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlite_utils import Database

from vcl_qa.engine import run as engine
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import MAX_BYTES, Letter, Suppression, context_from_mapping
from vcl_qa.engine.result import Result
from vcl_qa.errors import LetterError
from vcl_qa.db.users import check_label
from vcl_qa.letters import store
from vcl_qa.letters.store import Conflict, NotFound  # noqa: F401 (callers catch these here)
from vcl_qa.ops import metrics


def check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise LetterError("the letter has no text", field="text")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise LetterError(f"the text is {size // 1024} KB; the limit is {MAX_BYTES // 1024} KB", field="text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _score(text: str, context: dict, suppressions: list[dict], source: str | None) -> tuple[dict, Result]:
    """Validate the context (named field on error) and score; returns the stored context."""
    ctx = context_from_mapping(context, source)
    stored = ctx.model_dump(mode="json", exclude_none=True)
    extra = [s for s in suppressions if s not in stored.get("suppress", [])]
    scoring_ctx = ctx.model_copy(update={"suppress": [*ctx.suppress, *map(_suppression, extra)]})
    with metrics.scoring():
        result = engine.score_letter(Letter(text=text, context=scoring_ctx, source=source))
    return stored, result


def _suppression(data: dict) -> Suppression:
    return Suppression(**{k: v for k, v in data.items() if v is not None})


# A change is prepared (scored) outside the write transaction and written only if the letter
# is still as it was read (optimistic concurrency: other requests, workers and commands may
# change it meanwhile). When it moved on, the change is prepared again; the scoring is redone
# only when what it depends on changed. After this many tries the caller is told to try again.
ATTEMPTS = 10


class NotPermitted(Exception):
    """This user may not do this to this letter (the API answers 403)."""


def _busy(letter_id: int) -> Conflict:
    return Conflict(f"letter {letter_id} kept changing while this change was being made; try again")


def submit(db: Database, user: Any, text: str, context: dict | None = None, *,
           team: str | None = None, letter_id: int | None = None, source: str | None = None,
           sent_date: str | None = None) -> dict:
    """Store a new letter (or a new version of `letter_id`) and its result.

    Scoring runs before the write transaction, so the write lock is held only briefly; the
    write checks that the letter did not change meanwhile (else it is prepared again), and the
    version number is allocated inside it. Returns {"id", "version", "result"}.
    """
    text = check_text(text)
    check_decision_date(context)
    if letter_id is None:
        if not team:
            raise LetterError("a letter needs a team", field="team")
        check_label(team, "team")
        stored_ctx, result = _score(text, dict(context or {}), [], source)
        return store.write_version(db, user, text, stored_ctx, result, team=team, letter_id=None,
                                   source=source, sent_date=sent_date)
    scored: tuple | None = None  # (inputs, stored context, result)
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row = store.letter_row(db, letter_id)
        _check_open(row)
        base = store.previous_context(db, letter_id, row["latest_version"])
        base.pop("suppress", None)
        inputs = ({**base, **(context or {})}, store.stored_suppressions(db, letter_id))
        if scored is None or scored[0] != inputs:
            scored = (inputs, *_score(text, *inputs, source))
        try:
            return store.write_version(db, user, text, scored[1], scored[2], team=team,
                                       letter_id=letter_id, source=source, sent_date=sent_date,
                                       expected_state=state)
        except store.Stale:
            continue
    raise _busy(letter_id)


def check(text: Any, context: dict | None = None) -> Result:
    """Score a letter without storing anything (checking as one types)."""
    text = check_text(text)
    check_decision_date(context)
    return _score(text, dict(context or {}), [], None)[1]


def check_decision_date(context: dict | None, today: dt.date | None = None) -> None:
    """A decision cannot lie in the future of a letter that has no date of its own (it would be
    counted as sent today, before the decision)."""
    context = context or {}
    raw = context.get("decision_date")
    if not raw or context.get("letter_date"):
        return
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        return  # not a date: the context check names it
    today = today or dt.date.today()
    if day > today:
        raise LetterError(f"the decision date ({long_date(day)}) is after today; check the date, "
                          "or give the date the letter will be sent", field="decision_date")


def _check_open(row: dict) -> None:
    """A purged or sent letter takes no new versions."""
    store.refuse_purged(row)
    if row["status"] == "sent":
        raise Conflict(f"letter {row['id']} was sent on {row['sent_date']}; it cannot change")


def mark_sent(db: Database, user: Any, letter_id: int, sent_date: dt.date | None = None) -> dict:
    """Mark the letter sent (by default on its own letter_date, else today). When the day it
    went out is not the letter_date it was scored with, it is scored again as sent that day
    (timeliness and the delay apology depend on it)."""
    sent = sent_date.isoformat() if sent_date else None
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row = store.letter_row(db, letter_id)
        store.refuse_purged(row)
        context = store.previous_context(db, letter_id, row["latest_version"])
        today = dt.date.today().isoformat()
        sent = sent or min(context.get("letter_date") or today, today)
        check_sent_date(context, sent)
        try:  # recorded only if no version came in since the decision date was checked
            store.record_sent(db, user, letter_id, sent, expected_state=state)
            break
        except store.Stale:
            continue
    else:
        raise _busy(letter_id)
    if context.get("letter_date") != sent:
        rescore(db, letter_id, force=True, user=user, letter_date=sent)
    return store.summary(store.letter_row(db, letter_id))


def check_sent_date(context: dict, sent: str) -> None:
    """A letter is not marked as sent after today, nor before its decision (ISO dates)."""
    if sent > dt.date.today().isoformat():
        raise LetterError(f"the letter cannot be marked as sent on {long_date(sent)}: that is "
                          "after today", field="sent_date")
    if context.get("decision_date") and context["decision_date"] > sent:
        raise LetterError(f"the letter cannot be sent on {long_date(sent)}, before the decision "
                          f"on {long_date(context['decision_date'])}", field="sent_date")


def default_sent_date(db: Database, letter_id: int) -> dt.date:
    """The day a letter is taken to go out unless told otherwise: its letter_date, else today."""
    row = store.letter_row(db, letter_id)
    day = store.previous_context(db, letter_id, row["latest_version"]).get("letter_date")
    today = dt.date.today()
    return min(dt.date.fromisoformat(day), today) if day else today


def may_undo_sent(user: Any, row: dict, today: dt.date | None = None) -> bool:
    """A sent mark can be undone by a manager, or by the person who made it on the same day."""
    if getattr(user, "role", None) == "manager":
        return True
    today = today or dt.date.today()
    return (row.get("sent_by") is not None and row.get("sent_by") == getattr(user, "id", None)
            and str(row.get("sent_marked_at") or "")[:10] == today.isoformat())


def undo_sent(db: Database, user: Any, letter_id: int) -> dict:
    """Undo a sent mark (the letter is a draft again and is scored again as of its own date)."""
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row = store.letter_row(db, letter_id)
        if row["status"] != "sent":
            raise Conflict(f"letter {letter_id} is not marked as sent")
        if not may_undo_sent(user, row):
            raise NotPermitted("only the person who marked the letter as sent, on the same day, or a "
                               "manager can undo it")
        try:
            store.record_unsent(db, user, letter_id, expected_state=state)
            break
        except store.Stale:
            continue
    else:
        raise _busy(letter_id)
    rescore(db, letter_id, force=True, user=user)
    return store.summary(store.letter_row(db, letter_id))


def unsuppress(db: Database, user: Any, letter_id: int, suppression_id: int) -> dict:
    """Restore a finding marked 'not a problem' and score the latest version again."""
    row = store.letter_row(db, letter_id)
    store.refuse_purged(row)
    gone = store.revoke_suppression(db, user, letter_id, suppression_id)
    result = rescore(db, letter_id, force=True, user=user) or store.latest_result(db, letter_id)
    return {"id": suppression_id, "letter_id": letter_id, "version": row["latest_version"],
            "rule": gone["rule"], "term": gone["term"], "reason": gone["reason"], "restored": True,
            "result": result}


def suppress(db: Database, user: Any, letter_id: int, rule: str, reason: str,
             term: str | None = None) -> dict:
    """Record a suppression and re-score the latest version with it (old result kept)."""
    check_suppression(rule, reason, term)
    row = store.letter_row(db, letter_id)
    store.refuse_purged(row)
    suppression_id = store.add_suppression(db, user, letter_id, rule, reason.strip(), term)
    result = rescore(db, letter_id, force=True, user=user) or store.latest_result(db, letter_id)
    return {"id": suppression_id, "letter_id": letter_id, "version": row["latest_version"],
            "rule": rule, "term": term, "reason": reason.strip(), "result": result}


def check_suppression(rule: Any, reason: Any, term: Any = None) -> None:
    """The same checks for the API, the pages and the command line: a rule that exists, a
    reason, and lengths a person would type."""
    from vcl_qa.engine.rules import load_rules

    if not isinstance(rule, str) or rule not in {r.id for r in load_rules().rules}:
        raise LetterError("there is no such rule; use a rule id such as readability.jargon",
                          field="rule")
    if not isinstance(reason, str) or not reason.strip():
        raise LetterError("say why this finding is not a problem", field="reason")
    if len(reason) > 2000:
        raise LetterError("keep the reason under 2,000 characters", field="reason")
    if term is not None and (not isinstance(term, str) or len(term) > 500):
        raise LetterError("the wording is too long (at most 500 characters)", field="term")


def rescore(db: Database, letter_id: int, *, force: bool = False, user: Any = None,
            letter_date: str | None = None) -> dict | None:
    """Score the latest version again, adding a result beside the old ones.

    Skips (returns None) when the latest result already has the current rules_version, unless
    `force`. Letters whose text was purged cannot be re-scored. `letter_date`: score as sent on
    that day (a sent letter's sent date); the stored version is not changed. When a newer
    version is stored meanwhile, its own result (scored with every suppression there was, see
    store.letter_state) makes this one needless: that result is returned.
    """
    scored: tuple | None = None  # (inputs, result)
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row, v = store.latest_version_row(db, letter_id)
        if v is None or not v[1]:
            return None
        context = json.loads(v[2])
        context.pop("suppress", None)
        day = letter_date
        if day is None and row["status"] == "sent" and row["sent_date"]:
            day = row["sent_date"]  # a sent letter is always judged on the day it went out
        if day:
            context["letter_date"] = day
        inputs = (v[0], context, store.stored_suppressions(db, letter_id))
        if scored is None or scored[0] != inputs:
            scored = (inputs, _score(v[1], context, inputs[2], row["source"])[1])
        result = scored[1]
        if not force and result.rules_version == row["rules_version"]:
            return None
        try:  # only if the letter is as it was when scoring began
            store.add_result(db, user, letter_id, v[0], row["latest_version"], json.loads(v[2]),
                             result, expected_state=state)
        except store.Stale:
            if store.letter_state(db, letter_id)[1] > state[1]:
                return store.latest_result(db, letter_id)  # a newer version, freshly scored
            continue
        return result.model_dump(mode="json")
    raise _busy(letter_id)
