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
from vcl_qa.engine.letter import MAX_BYTES, Letter, Suppression, context_from_mapping
from vcl_qa.engine.result import Result
from vcl_qa.errors import LetterError
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


def submit(db: Database, user: Any, text: str, context: dict | None = None, *,
           team: str | None = None, letter_id: int | None = None, source: str | None = None,
           sent_date: str | None = None) -> dict:
    """Store a new letter (or a new version of `letter_id`) and its result.

    Scoring runs before the write transaction, so the write lock is held only briefly.
    Returns {"id", "version", "result"}.
    """
    text = check_text(text)
    context = dict(context or {})
    suppressions: list[dict] = []
    if letter_id is not None:
        row = store.letter_row(db, letter_id)
        if row["status"] == "sent":
            raise Conflict(f"letter {letter_id} was sent on {row['sent_date']}; it cannot change")
        base = store.previous_context(db, letter_id, row["latest_version"])
        base.pop("suppress", None)
        context = {**base, **context}
        suppressions = store.stored_suppressions(db, letter_id)
    elif not team:
        raise LetterError("a letter needs a team", field="team")
    stored_ctx, result = _score(text, context, suppressions, source)
    return store.write_version(db, user, text, stored_ctx, result, team=team, letter_id=letter_id,
                               source=source, sent_date=sent_date)


def mark_sent(db: Database, user: Any, letter_id: int, sent_date: dt.date | None = None) -> dict:
    """Mark the letter sent. When the day it went out is not the letter_date it was scored
    with, it is scored again as sent that day (timeliness and the delay apology depend on it)."""
    sent = (sent_date or dt.date.today()).isoformat()
    row = store.letter_row(db, letter_id)
    context = store.previous_context(db, letter_id, row["latest_version"])
    if context.get("decision_date") and context["decision_date"] > sent:
        raise LetterError(f"the letter cannot be sent on {sent}, before the decision on "
                          f"{context['decision_date']}", field="sent_date")
    store.record_sent(db, user, letter_id, sent)
    if context.get("letter_date") != sent:
        rescore(db, letter_id, force=True, user=user, letter_date=sent)
    return store.summary(store.letter_row(db, letter_id))


def suppress(db: Database, user: Any, letter_id: int, rule: str, reason: str,
             term: str | None = None) -> dict:
    """Record a suppression and re-score the latest version with it (old result kept)."""
    if not reason or not reason.strip():
        raise LetterError("say why this finding is not a problem", field="reason")
    row = store.letter_row(db, letter_id)
    suppression_id = store.add_suppression(db, user, letter_id, rule, reason.strip(), term)
    result = rescore(db, letter_id, force=True, user=user) or store.latest_result(db, letter_id)
    return {"id": suppression_id, "letter_id": letter_id, "version": row["latest_version"],
            "rule": rule, "term": term, "reason": reason.strip(), "result": result}


def rescore(db: Database, letter_id: int, *, force: bool = False, user: Any = None,
            letter_date: str | None = None) -> dict | None:
    """Score the latest version again, adding a result beside the old ones.

    Skips (returns None) when the latest result already has the current rules_version, unless
    `force`. Letters whose text was purged cannot be re-scored. `letter_date`: score as sent on
    that day (a sent letter's sent date); the stored version is not changed.
    """
    row, v = store.latest_version_row(db, letter_id)
    if v is None or not v[1]:
        return None
    context = json.loads(v[2])
    context.pop("suppress", None)
    if letter_date is None and row["status"] == "sent" and row["sent_date"]:
        letter_date = row["sent_date"]  # a sent letter is always judged on the day it went out
    if letter_date:
        context["letter_date"] = letter_date
    stored, result = _score(v[1], context, store.stored_suppressions(db, letter_id), row["source"])
    if not force and result.rules_version == row["rules_version"]:
        return None
    store.add_result(db, user, letter_id, v[0], row["latest_version"], json.loads(v[2]), result)
    return result.model_dump(mode="json")
