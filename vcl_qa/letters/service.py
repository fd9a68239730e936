"""The letters service: submit, add a version, re-score, suppress, mark sent.

Each operation validates, scores with the engine (outside any write transaction, so the write
lock is held briefly) and hands the result to the store. Routes, pages and commands call this.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
import unicodedata
from typing import Any, Callable, Iterator

from sqlite_utils import Database

from vcl_qa.engine import invisible
from vcl_qa.engine import run as engine
from vcl_qa.engine.dates import long_date
from vcl_qa.engine import redate
from vcl_qa.engine.letter import (MAX_BYTES, NOTHING_SHOWN, Letter, LetterContext, Suppression, context_from_mapping,
                                   control_character_problem, shows_nothing)
from vcl_qa.engine.metrics import timeliness_figures
from vcl_qa.engine.result import Result
from vcl_qa.errors import LetterError
from vcl_qa.db.connection import write_tx
from vcl_qa.db.users import check_label
from vcl_qa.decisions import store as decisions_store
from vcl_qa.letters import store
from vcl_qa.letters.store import Conflict, NotFound  # noqa: F401 (callers catch these here)
from vcl_qa.ops import metrics
from vcl_qa import clock, config, labels


def check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise LetterError("the letter has no text", field="text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # (measured as it is stored)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # "\ud800" in JSON: half of a UTF-16 pair, no character at all
        raise LetterError(f"the text has a character that is not valid Unicode at character {exc.start + 1:,} (a lone "
                          "UTF-16 surrogate: half of a pair); send the text as it is written", field="text") from None
    if size > MAX_BYTES:
        # Said to staff in KB or MB, rounded up ("200.1 KB" one byte over 200 KB: rounded down,
        # "200 KB; the most is 200 KB" told a writer nothing), with what to do; it was in bytes.
        raise LetterError(f"the letter is {labels.size_words(size)}, and the most the checker can take is "
                          f"{labels.size_words(MAX_BYTES)} (a long letter is about 20 KB). Check that this is "
                          "the letter you meant, and take out anything pasted with it, such as an email "
                          "thread or notes", field="text")
    control = control_character_problem(text)
    if control:
        raise LetterError(control, field="text")
    if shows_nothing(text):
        raise LetterError(NOTHING_SHOWN, field="text")
    return text


def _score(text: str, context: dict, suppressions: list[dict], source: str | None) -> tuple[dict, Result]:
    """Validate the context (named field on error) and score; returns the stored context."""
    stored, scoring_ctx = _scoring_context(context, suppressions, source)
    with metrics.scoring():
        result = engine.score_letter(Letter(text=text, context=scoring_ctx, source=source))
    return stored, result


def _scoring_context(context: dict, suppressions: list[dict], source: str | None) -> tuple[dict, LetterContext]:
    """The context validated (LetterError naming the field) as stored, and as scored: with the
    letter's "not a problem" marks."""
    ctx = context_from_mapping(context, source)
    stored = ctx.model_dump(mode="json", exclude_none=True)
    # A mark on a check that cannot be marked (timeliness.late: `markable: false`), stored before
    # that was refused, no longer sets anything aside: the finding counts again.
    from vcl_qa.engine.rules import load_rules

    markable = {r.id for r in load_rules().rules if r.markable}
    extra = [s for s in suppressions if s not in stored.get("suppress", []) and s.get("rule") in markable]
    return stored, ctx.model_copy(update={"suppress": [*ctx.suppress, *map(_suppression, extra)]})


class DailyStorageFull(LetterError):
    """What one person's saves (and the re-scores they cause) stored in the last 24 hours is at
    config.daily_storage_chars(): nothing was saved or changed (the API answers 422)."""


def check_daily_storage(db: Database, user: Any, text: str, result: Result, size: int | None = None) -> None:
    """Refuse a save that would take what the user's versions stored in the last 24 hours over
    config.daily_storage_chars() (one account filling the disk: 6 MB a save of a hostile text).
    A person with no id (the command line) is not counted. `size`: what the save stores, when
    worked out already."""
    if size is None:
        size = store.stored_size(text, result.model_dump(mode="json"))
    _refuse_over_day(db, user, size, field="text",
                     hint="A letter takes a few thousand: check that this is the letter you meant (long "
                          "texts with many problems take most)")


def _storage_guard(db: Database, user: Any, text: str, result: Result) -> Callable[[], None]:
    """`check_daily_storage` made now, before the write lock is waited for (a save refused
    says so at once), and again as the guard the write runs under the lock
    (store.write_version): two saves at once, each checked before either was written, each
    saw room for one and both were stored."""
    size = store.stored_size(text, result.model_dump(mode="json"))
    check_daily_storage(db, user, text, result, size)
    return lambda: check_daily_storage(db, user, text, result, size)


def check_rescore_storage(db: Database, user: Any, letter_id: int) -> None:
    """Refuse a change that scores the letter again (a "not a problem" mark made or restored, a
    sent mark or its undo) when the result it stores, about the size of the letter's latest,
    would take the user over the day's storage, as a save would be refused: each re-score
    stores a result, and making and restoring one mark over and over stored 18 million
    characters in six requests from an account already refused a save. Before anything is
    written, so nothing is half done."""
    _refuse_over_day(db, user, store.stored_size("", {}) + 2 * store.latest_result_chars(db, letter_id),
                     field=None, what="scoring this letter again would store",
                     hint="Every \u201cnot a problem\u201d mark, restore and sent mark scores the letter again "
                          "and keeps the result")


def check_attempt_storage(db: Database, user: Any, text: str, data: dict) -> None:
    """Refuse a training attempt that would take the user over the day's storage: it keeps its
    text and its result as a save does (a review stored 3 million characters an attempt, after
    the account's saves were refused)."""
    _refuse_over_day(db, user, len(text) + len(json.dumps(data)), field="text",
                     hint="An attempt takes a few thousand: check that this is the letter you meant")


def _refuse_over_day(db: Database, user: Any, size: int, *, field: str | None, hint: str,
                     what: str = "this would store") -> None:
    user_id = getattr(user, "id", None)
    if user_id is None:
        return
    since = (clock.now() - dt.timedelta(hours=24)).replace(microsecond=0).isoformat()
    used = store.stored_since(db, user_id, since)
    most = config.daily_storage_chars()
    if used + size > most:
        raise DailyStorageFull(
            f"{what} {_millions(size)} characters, and your saves in the last 24 hours have stored "
            f"{_millions(used)} of the {_millions(most)} one person may store in a day; nothing was saved "
            f"or changed. {hint}, or ask an administrator to raise the limit (VCL_QA_DAILY_STORAGE_MB)",
            field=field)


def _millions(n: int) -> str:
    """A count of characters in words, never rounded to look like the limit: "3,500" (under
    100,000), "0.97 million", "12.4 million", "200 million" (a whole number of millions)."""
    if n < 100_000:
        return f"{n:,}"
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000:,} million"
    return f"{n / 1e6:.2f} million" if n < 10_000_000 else f"{n / 1e6:,.1f} million"


def refuse_too_many(result: Result) -> None:
    """A text with more findings than config.MAX_FINDINGS is not kept or checked: it does not
    read as a letter (a pasted list, text repeated), and its findings would make an answer of
    tens of megabytes and as much again in the database each time it was saved."""
    count = len(result.findings)
    if count > config.MAX_FINDINGS:
        # Said to staff: what to do, not a command to run (it named `vcl-qa score FILE`).
        raise LetterError(
            f"the checker finds {count:,} problems in this text, and can check or keep a letter only "
            f"with {config.MAX_FINDINGS:,} or fewer (a letter needing work has a few dozen): it does "
            "not read as a letter. Is it a list, or the same words pasted many times? Check that this "
            "is the letter you meant, and take out anything that is not part of it", field="text")


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


def _by_when(author: str | None, saved_at: str | None) -> str:
    """' by alice on Thursday 2 July 2026, 00:30, UK time' for a version's saving: UK time, as the
    pages say it (stored in UTC: in summer an hour out, and around midnight the day)."""
    by = f" by {author}" if author else ""
    return by + (f" on {clock.uk_when(saved_at)}, UK time" if saved_at else "")


def _version_moved(letter_id: int, base: int, latest: int, author: str | None, saved_at: str | None,
                   restored: bool, based: str) -> str:
    """Why version `base` is not the letter's now (`based`: what was done on it, "this text was
    based on"): a restore took it back (`restored`), no such version, or a newer one saved."""
    saved = f"saved{_by_when(author, saved_at)}"
    if restored:
        return (f"letter {letter_id} has no version {base} now: it was made after the backup the database "
                f"was restored from, and the letter is back at version {latest} ({saved})")
    if base > latest:
        return f"letter {letter_id} has no version {base}: its latest is version {latest} ({saved})"
    return f"letter {letter_id} is now at version {latest} ({saved}), not version {base}, which {based}"


class NewerVersion(Conflict):
    """The text was written on a version that is no longer the latest: saving it would throw
    away the changes someone else saved meanwhile (the API answers 409, the page shows both)."""

    def __init__(self, letter_id: int, base: int, latest: int, author: str | None, saved_at: str | None,
                 restored: bool = False):
        self.letter_id, self.base, self.latest, self.author, self.saved_at = letter_id, base, latest, author, saved_at
        # `restored`: `base` was handed out before a restore that took the letter back (its
        # version_floor): not newer work by someone else, and not held here any more.
        self.restored = restored
        why = _version_moved(letter_id, base, latest, author, saved_at, restored, "this text was based on")
        super().__init__(f"{why}; nothing was saved. Read version {latest}, bring your changes into it and "
                         f"save again with base_version {latest}", field="base_version")


def submit(db: Database, user: Any, text: str, context: dict | None = None, *,
           team: str | None = None, letter_id: int | None = None, source: str | None = None,
           sent_date: str | None = None, base_version: int | None = None,
           idempotency: tuple[str, str] | None = None, counted: bool = True) -> dict:
    """Store a new letter (or a new version of `letter_id`) and its result.

    Scoring runs before the write transaction, so the write lock is held only briefly; the
    write checks that the letter did not change meanwhile (else it is prepared again), and the
    version number is allocated inside it. `base_version`: the version the text was written
    on; when the letter has a newer one, nothing is saved (NewerVersion), so that nobody's
    changes are silently lost. `idempotency`: (key, request hash) stored with it
    (store.KeyUsed when the user's key is already stored). `counted`: what it stores counts
    towards the user's daily storage (`check_daily_storage`; the command line's imports do not).
    Returns {"id", "version", "result"}.
    """
    text = check_text(text)
    refuse_context_suppress(context)
    if letter_id is None:
        check_decision_date(context)
    if base_version is not None and letter_id is None:
        raise LetterError("base_version goes with letter_id (the letter it is a version of)",
                          field="base_version")
    if letter_id is None:
        if not team:
            raise LetterError("a letter needs a team", field="team")
        check_label(team, "team")
        if sent_date:  # stored as sent at once (an import with --sent): the check mark_sent makes
            check_sent_date({k: v.isoformat() if isinstance(v, dt.date) else v
                             for k, v in (context or {}).items()}, str(sent_date))
        stored_ctx, result = _score(text, dict(context or {}), [], source)
        refuse_too_many(result)
        guard = _storage_guard(db, user, text, result) if counted else None
        return store.write_version(db, user, text, stored_ctx, result, team=team, letter_id=None,
                                   source=source, sent_date=sent_date, idempotency=idempotency, guard=guard)
    scored: tuple | None = None  # (inputs, stored context, result)
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row = store.letter_row(db, letter_id)
        _check_open(row)
        if base_version is not None and base_version != row["latest_version"]:
            raise NewerVersion(letter_id, base_version, row["latest_version"],
                               *store.version_author(db, letter_id, row["latest_version"]),
                               restored=row["latest_version"] < base_version <= (row.get("version_floor") or 0))
        base = store.previous_context(db, letter_id, row["latest_version"])
        base.pop("suppress", None)
        # each mark on a wording where its words were, carried through this edit (store.carried_marks)
        marks, placed = store.carried_marks(db, letter_id, text)
        inputs = ({**base, **(context or {})}, marks)
        # on the details the version will have (those kept from the previous version with the
        # fields sent), not the fields sent alone: `letter_date: null` on a letter with a decision
        # still to come is refused, and a decision date corrected alone, with the letter's own
        # date kept, is not (review 11b, finding 6)
        check_decision_date(inputs[0])
        if scored is None or scored[0] != inputs:
            scored = (inputs, *_score(text, *inputs, source))
            refuse_too_many(scored[2])
        try:
            return store.write_version(db, user, text, scored[1], scored[2], team=team,
                                       letter_id=letter_id, source=source, sent_date=sent_date,
                                       expected_state=state, idempotency=idempotency,
                                       guard=_storage_guard(db, user, text, scored[2]) if counted else None,
                                       places=placed)
        except store.Stale:
            continue
    raise _busy(letter_id)


# A stored letter never carries findings set aside in its details (`suppress`): they would
# count in its score with nobody named, no audit entry and no listing on the set-aside page,
# and be gone with the next version. Only the command line's scoring of a file (which stores
# nothing) and the unstored check take them.
SUPPRESS_REFUSED = ("findings cannot be set aside in the details of a letter that is kept: store "
                    "the letter without 'suppress', then mark each finding 'not a problem' with a "
                    "reason (on the letter's page, or POST /api/v1/letters/{id}/suppressions), so "
                    "that who and why are recorded")


def refuse_context_suppress(context: dict | None) -> None:
    """Refuse a non-empty `suppress` in the details of a letter about to be stored."""
    if isinstance(context, dict) and context.get("suppress") not in (None, [], ()):
        raise LetterError(SUPPRESS_REFUSED, field="suppress")


def check(text: Any, context: dict | None = None, *, db: Database | None = None,
          marks_of: int | None = None) -> Result:
    """Score a letter without storing anything (checking as one types). The places in the
    result count in the text as it was sent, line breaks "\r\n" and all (`as_sent`).
    `marks_of`: a stored letter whose standing "not a problem" marks apply, each mark on a
    wording where its words were in the letter's latest version, carried through the edit to
    this text (as saving it as a new version would: the letter page's check as one types)."""
    sent = text
    text = check_text(text)
    check_decision_date(context)
    marks = []
    if marks_of is not None and db is not None:
        marks = store.carried_marks(db, marks_of, text)[0]
        if isinstance(context, dict) and context.get("suppress"):
            context = {k: v for k, v in context.items() if k != "suppress"}
    result = _score(text, dict(context or {}), marks, None)[1]
    refuse_too_many(result)
    if isinstance(sent, str) and "\r\n" in sent:
        as_sent(result, text, sent)
    return result


def as_sent(result: Result, scored: str, sent: str) -> None:
    """Places in the text scored (line breaks made "\n": `check_text`) made places in the text
    as sent, in place. A client that sent "\r\n" and was given places in the text with "\n"
    would have put a one-click replacement a character early for each line above it (found in
    a review: "pursuant to" at 144-155 fell on "inal, pursu"). A lone "\r" became one "\n",
    which moves nothing."""
    invisible.map_back(result, invisible.Places.crlf(sent), sent)


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
    today = today or clock.today()
    if day > today:
        raise LetterError(f"the decision date ({long_date(day)}) is after today; check the date, "
                          "or give the date the letter will be sent", field="decision_date")


def _check_open(row: dict) -> None:
    """A purged or sent letter takes no new versions."""
    store.refuse_purged(row)
    if row["status"] == "sent":
        raise Conflict(store.sent_words(row), field="status")


class SendOutdated(Conflict):
    """Marking sent the version the sender read (`base`) when the letter's latest is another
    one (saved meanwhile, or a restore took it back): recording it would say a version went out
    that nobody marking it had read. Nothing is marked (the API answers 409, the page shows the
    latest version and asks again)."""

    def __init__(self, letter_id: int, base: int, latest: int, author: str | None, saved_at: str | None,
                 restored: bool = False):
        self.letter_id, self.base, self.latest, self.author, self.saved_at = letter_id, base, latest, author, saved_at
        self.restored = restored
        why = _version_moved(letter_id, base, latest, author, saved_at, restored, "was read before marking it sent")
        super().__init__(f"{why}; nothing was marked. Read version {latest} and, if that is the letter that "
                         f"went out, mark it sent again with base_version {latest}", field="base_version")


def refuse_outdated_send(db: Database, row: dict, base_version: int | None) -> None:
    """SendOutdated when `base_version` (the version read before marking the letter sent) is
    given and is not the letter's latest (a letters row). A letter already sent is left to
    record_sent to refuse as such; without `base_version` nothing is checked (older clients)."""
    if base_version is None or row["status"] == "sent" or base_version == row["latest_version"]:
        return
    latest = row["latest_version"]
    raise SendOutdated(row["id"], base_version, latest, *store.version_author(db, row["id"], latest),
                       restored=latest < base_version <= (row.get("version_floor") or 0))


def mark_sent(db: Database, user: Any, letter_id: int, sent_date: dt.date | None = None,
              before_saved_reason: Any = None, *, imported: bool = False,
              base_version: int | None = None) -> dict:
    """Mark the letter sent (by default on its own letter_date, else today). When the day it
    went out is not the letter_date it was scored with, it is scored again as sent that day
    (timeliness and the delay apology depend on it). A day before the letter was first saved
    here needs `before_saved_reason` (check_before_saved), kept with the mark; `imported`:
    `vcl-qa import --sent`, whose date is the file's letter_date, asks for none.
    `base_version`: the version the person marking it read; when the letter's latest is
    another (someone saved a newer one meanwhile), nothing is marked (SendOutdated). Checked
    again inside the write (the letter's state, latest version included, must not have moved),
    so a version saved at the same moment is never the one recorded as sent unread."""
    sent = sent_date.isoformat() if sent_date else None
    for _ in range(ATTEMPTS):
        state = store.letter_state(db, letter_id)
        row = store.letter_row(db, letter_id)
        store.refuse_purged(row)
        # before the date checks: those read the latest version's details, which the sender
        # did not see
        refuse_outdated_send(db, row, base_version)
        context = store.previous_context(db, letter_id, row["latest_version"])
        today = clock.today().isoformat()
        sent = sent or min(context.get("letter_date") or today, today)
        check_sent_date(context, sent)
        # (a letter already sent is refused as such by record_sent: a request sent again after a
        # timeout has done its work, whatever its reason)
        reason = None if imported or row["status"] == "sent" else check_before_saved(row, sent, before_saved_reason)
        if context.get("letter_date") != sent and row["status"] != "sent":
            check_rescore_storage(db, user, letter_id)  # sent on another day: scored again for it
        try:  # recorded only if no version came in since the decision date was checked
            store.record_sent(db, user, letter_id, sent, expected_state=state,
                              before_saved_reason=reason, imported=imported)
            break
        except store.Stale:
            continue
    else:
        raise _busy(letter_id)
    if context.get("letter_date") != sent:
        rescore(db, letter_id, force=True, user=user, letter_date=sent)
    return store.summary(store.letter_row(db, letter_id))


# Why a letter went out before it was first saved here, as the person marking it says it
# (check_reason's words): it is written in Word, sent, and pasted in afterwards to record it.
BEFORE_SAVED_ASKED = "say why the letter went out before it was first saved here"
BEFORE_SAVED_EXAMPLE = "“posted on the day, recorded here later”"


def first_saved(row: dict) -> dt.date:
    """The UK date the letter's first version was saved here (a letters row)."""
    return dt.date.fromisoformat(store.first_saved_on(row))


def check_before_saved(row: dict, sent: str, reason: Any) -> str | None:
    """A letter marked sent on a day before it was first saved here (the UK date) counts in the
    on-time figures on a date nobody here can check: it needs the reason it went out first
    (checked as a "not a problem" reason is). Returns the reason cleaned; None when the day is
    not before (a reason given then is not kept). LetterError, field sent_before_saved_reason."""
    first = first_saved(row)
    if sent >= first.isoformat():
        return None
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        raise LetterError(f"letter {row['id']} was first saved here on {long_date(first)}, after the day given "
                          f"for sending it ({long_date(sent)}); if it really went out before it was saved here, "
                          "say so and why in sent_before_saved_reason (at least "
                          f"{MIN_REASON_WORDS} words), else give the day it went out",
                          field="sent_before_saved_reason")
    return check_reason(reason, field="sent_before_saved_reason", asked=BEFORE_SAVED_ASKED,
                        more=BEFORE_SAVED_ASKED, example=BEFORE_SAVED_EXAMPLE)


def check_sent_date(context: dict, sent: str) -> None:
    """A letter is not marked as sent after today, before its decision, nor before its own date
    (ISO dates): a letter dated 23 December cannot have gone out on the 19th, and marking it so
    would judge a late letter on time. Nor in a year before the service's dates begin
    (config.EARLIEST_DATE, as every date a letter carries): a slip such as 0001 for 2025."""
    if sent > clock.today().isoformat():
        raise LetterError(f"the letter cannot be marked as sent on {long_date(sent)}: that is "
                          "after today", field="sent_date")
    if sent < config.EARLIEST_DATE.isoformat():
        raise LetterError(f"the date it was sent is in the year {sent[:4]}, before {config.EARLIEST_DATE.year}, "
                          "the earliest year the service takes: check the year, typed in 4 figures, "
                          "for example 2025", field="sent_date")
    if context.get("decision_date") and context["decision_date"] > sent:
        raise LetterError(f"the letter cannot be sent on {long_date(sent)}, before the decision "
                          f"on {long_date(context['decision_date'])}", field="sent_date")
    if context.get("letter_date") and context["letter_date"] > sent:
        raise LetterError(f"the letter cannot be marked as sent on {long_date(sent)}, before its "
                          f"own date ({long_date(context['letter_date'])}); give the day it went "
                          "out (its own date or later), or, if it really went out earlier, first "
                          "save a version dated the day it went out", field="sent_date")


# What judged_on worked out, kept by what it was worked out from (the text, details, marks,
# rules and day: nothing else goes into a score), as JSON: a list of letters or the dashboard
# judges every undated draft saved on an earlier day each time it is shown, and an integrator's
# review found `GET /letters?limit=1` scoring 300 of them on every call, holding the scoring
# slot. About 20 KB each for a letter; a hostile draft's can be megabytes (thousands of
# findings), so what is kept is bounded in characters too (an attacker's review: 150 drafts of
# 199 KB took a worker to 900 MB). Beneath it, shared by every worker and kept over restarts,
# the results scored in full that others are worked out from (`_derived`, table judged_sources).
JUDGED_KEPT = 1024
JUDGED_KEPT_CHARS = 50_000_000
_judged: OrderedDict[str, str] = OrderedDict()
_judged_chars = 0
_judged_lock = threading.Lock()


class _Judging:
    """What judging a version on a day works from: its text, its details with that day as its
    date, its marks, its source."""

    def __init__(self, letter_id: int, version_id: int, text: str, context: dict, marks: list[dict],
                 source: str | None, day: str):
        self.letter_id, self.version_id, self.text, self.context = letter_id, version_id, text, context
        self.marks, self.source, self.day = marks, source, day

    def memo_key(self, rules_version: str) -> str:
        """judged_on's memo (`_judged`): the result for this day, kept today."""
        return hashlib.sha256(json.dumps([self.text, self.context, self.marks, self.source, rules_version,
                                          clock.today().isoformat()], sort_keys=True, default=str).encode()).hexdigest()

    def source_key(self) -> str:
        """Every input but the day (a result for another day is worked out from one kept by it)."""
        undated = {k: v for k, v in self.context.items() if k != "letter_date"}
        return hashlib.sha256(json.dumps(["judged-source/1", self.letter_id, self.version_id, self.text, undated,
                                          self.marks, self.source],
                                         sort_keys=True, default=str).encode()).hexdigest()


def _judging(db: Database, letter_id: int, day: str, version: int | None,
             marks_as_of: dt.date | None) -> _Judging | dict | None:
    """What judging the version on `day` works from, or the result that stands as it is: the
    stored one when it is already for that day (or there is no text to score), None with none."""
    row, v = store.latest_version_row(db, letter_id, version)
    # (what the stored result was scored for, without reading it: a hostile letter's is 5 MB)
    facts = store.latest_result_facts(db, letter_id, version)
    if v is None or not v[1] or facts is None:
        return store.latest_result(db, letter_id, version)
    context = json.loads(v[2])
    if context.get("letter_date") == day:
        # as mark_sent keeps it: no new result when sent on the letter's own date
        return store.latest_result(db, letter_id, version)
    from vcl_qa.engine.rules import load_rules

    if facts == (day, load_rules().version):
        return store.latest_result(db, letter_id, version)
    context.pop("suppress", None)
    context["letter_date"] = day
    return _Judging(letter_id, v[0], v[1], context, store.stored_suppressions(db, letter_id, marks_as_of, version),
                    row["source"], day)


def judged_on(db: Database, letter_id: int, day: dt.date | str, version: int | None = None,
              marks_as_of: dt.date | None = None, scoring_slot: Any = None) -> dict | None:
    """The latest version's result (or `version`'s) as it will be once the letter goes out on
    `day`, nothing stored: what mark_sent stores for that day (a letter sent on another day than
    its own date is scored again as sent that day: timeliness.late and the delay apology depend
    on it). The stored result when it already is that: the letter's own date, or a result scored
    for that day with the rules of now. None for a letter with no result; a purged letter (no
    text to score) keeps its stored one. Scores (callers on the pages and the API hold the
    scoring slot) only when no result of the same version, details and marks, scored in full
    for a day on which it is late as it is on `day` (or on time as it is), was kept: that one,
    worked out again for `day` (engine/redate.py), is the same as scoring it. `marks_as_of`:
    with the letter's "not a problem" marks as they stood at the end of that day (a past day
    replayed), not as they stand now. `scoring_slot`: held only while a score is worked out
    (one kept from an earlier call is not: `JUDGED_KEPT`)."""
    day = day.isoformat() if isinstance(day, dt.date) else str(day)
    judging = _judging(db, letter_id, day, version, marks_as_of)
    if not isinstance(judging, _Judging):
        return judging
    from vcl_qa.engine.rules import load_rules

    key = judging.memo_key(load_rules().version)
    with _judged_lock:
        kept = _judged.get(key)
        if kept is not None:
            _judged.move_to_end(key)
    if kept is not None:
        return json.loads(kept)
    result = _derived(db, judging, "result")
    if result is None:
        with scoring_slot or contextlib.nullcontext():
            scored = _score(judging.text, judging.context, judging.marks, judging.source)[1]
        result = scored.model_dump(mode="json")
        _keep_source(db, judging, result)
    kept = json.dumps(result)
    if len(kept) <= JUDGED_KEPT_CHARS // 10:  # (one that would take a tenth of the room is not kept)
        _keep_judged(key, kept)
    return result


def judged_summary(db: Database, letter_id: int, day: dt.date | str, version: int | None = None,
                   marks_as_of: dt.date | None = None, scoring_slot: Any = None) -> dict | None:
    """judged_on's score and verdict, and the rules it finds (not set aside) with how many times
    each (`rules`), for the letters list and the dashboard: worked out from a kept result's head
    (a few KB, however many findings the letter has), else from judged_on (which scores, and
    keeps what the next day needs)."""
    day = day.isoformat() if isinstance(day, dt.date) else str(day)
    judging = _judging(db, letter_id, day, version, marks_as_of)
    if isinstance(judging, _Judging):
        head = _derived(db, judging, "head")
        if head is not None:
            return {"score": head["score"], "verdict": head["verdict"], "rules": dict(head[redate.HEAD_KEY]["rules"])}
    result = judging if not isinstance(judging, _Judging) else judged_on(
        db, letter_id, day, version, marks_as_of, scoring_slot)
    if result is None:
        return None
    rules: dict[str, int] = {}
    for f in result.get("findings") or ():
        if not f.get("suppressed"):
            rules[f["rule"]] = rules.get(f["rule"], 0) + 1
    return {"score": result["score"], "verdict": result["verdict"], "rules": rules}


def _lateness(scoring_ctx: LetterContext) -> int:
    """Late (1), on time (0) or cannot be told (-1) on the context's letter_date, as scoring decides it."""
    late = timeliness_figures(scoring_ctx, scoring_ctx.letter_date)[1]
    return -1 if late is None else int(late)


def _derived(db: Database, judging: _Judging, part: str) -> dict | None:
    """The result (`part` "result") or its head ("head") for the day, worked out from one kept for
    another day with the same lateness, or None when none is kept or it cannot be worked out
    exactly (engine/redate.py refuses). The context is checked first, as scoring checks it."""
    from vcl_qa.engine.rules import load_rules

    _, scoring_ctx = _scoring_context(judging.context, judging.marks, judging.source)
    rs = load_rules()
    kept = store.judged_source(db, judging.source_key(), rs.version, redate.fingerprint(), _lateness(scoring_ctx), part)
    if kept is None:
        return None
    return redate.redated(json.loads(kept), scoring_ctx, dt.date.fromisoformat(judging.day), rs)


def _keep_source(db: Database, judging: _Judging, result: dict) -> None:
    """Keep a result just scored in full, to work out the same version's result for other days."""
    from vcl_qa.engine.rules import load_rules

    rs = load_rules()
    head = redate.head(result, rs)
    if head is None:
        return
    _, scoring_ctx = _scoring_context(judging.context, judging.marks, judging.source)
    store.keep_judged_source(db, judging.letter_id, judging.version_id, judging.source_key(), rs.version,
                             redate.fingerprint(), _lateness(scoring_ctx), json.dumps(head), json.dumps(result))


def _keep_judged(key: str, kept: str) -> None:
    global _judged_chars
    with _judged_lock:
        old = _judged.pop(key, None)
        _judged_chars -= len(old) if old is not None else 0
        _judged[key] = kept
        _judged_chars += len(kept)
        while len(_judged) > JUDGED_KEPT or _judged_chars > JUDGED_KEPT_CHARS:
            _judged_chars -= len(_judged.popitem(last=False)[1])


def undated_draft(letter: dict) -> bool:
    """A draft (not sent, not purged) whose latest version has no letter_date: it is judged as
    if it went out on the day it is scored. `letter`: store.get_letter's answer, or a letters
    row (its letter_date column is the latest version's)."""
    return (letter.get("status") != "sent" and not letter.get("purged_at")
            and not ((letter.get("context") or {}).get("letter_date") or letter.get("letter_date")))


def _undated_drafts(db: Database, verdict: str | None, scoring_slot: Any,
                    filters: dict) -> tuple[list[dict] | None, Callable[[dict], None]]:
    """The undated drafts the filters give, and what judges one as of today (in place, once;
    any other letter it is given it leaves alone). With `verdict`, every one is judged and
    only those with that verdict today are kept. Without one, none are listed apart (None):
    the order and the count do not depend on a score, so the drafts come in the same query as
    the other letters and only those shown are judged (an office's stale drafts were each read
    on every page: 68 ms of a 95 ms page, with 5,000 of them among 100,000 letters;
    bench/bench_letters_page.py)."""
    today = clock.today().isoformat()
    days: dict[int, str | None] = {}

    def judge(d: dict) -> None:
        if d.get("rescored_for_today") or not undated_draft(d):
            return
        if d["id"] not in days:
            days.update(store.scored_for(db, [d["id"]]))
        if days.get(d["id"]) in (None, today):
            return  # scored today (or never scored): the stored result stands
        result = judged_summary(db, d["id"], today, scoring_slot=scoring_slot)
        if result is not None:
            d.update(saved_score=d["score"], saved_verdict=d["verdict"], saved_on=days[d["id"]],
                     score=result["score"], verdict=result["verdict"], rescored_for_today=True)

    if verdict is None:
        return None, judge
    drafts, _ = store.list_letters(db, **filters, undated=True, limit=None)
    days.update(store.scored_for(db, [d["id"] for d in drafts]))
    for d in drafts:  # which drafts have that verdict today: each is judged
        judge(d)
    return [d for d in drafts if d["verdict"] == verdict], judge


def list_letters(db: Database, *, verdict: str | None = None, limit: int = 50, offset: int = 0,
                 scoring_slot: Any = None, **filters: Any) -> tuple[list[dict], int]:
    """store.list_letters with each undated draft judged as of today, as its page, the dashboard
    and GET /letters/{id} judge it (`current_result`), nothing stored: its `score` and `verdict`
    are today's, with `rescored_for_today` and what it scored when saved (`saved_score`, on
    `saved_on`). The `verdict` filter reads today's verdict: a review found a draft saved as 99
    "Good" yesterday and 77 "Needs work" on its page today still listed, and exported, as Good.
    `scoring_slot`: what each scoring waits for (the pages' and API's shared slot)."""
    drafts, judge = _undated_drafts(db, verdict, scoring_slot, filters)
    if drafts is None:
        # Only the drafts shown are judged (the order and the count do not depend on a score):
        # an attacker's review found the first list of the day judging every draft in reach,
        # 35 s for `GET /letters?limit=1` with three long ones, holding up everyone's checks.
        page, count = store.list_letters(db, **filters, limit=limit, offset=offset)
        for d in page:
            judge(d)
        return page, count
    rows, count = store.list_letters(db, **filters, verdict=verdict, undated=False, limit=offset + limit)
    page = sorted(rows + drafts, key=lambda r: r["id"], reverse=True)[offset:offset + limit]
    return page, count + len(drafts)


def letters_page(db: Database, *, limit: int, before_id: int | None = None, after_id: int | None = None,
                 verdict: str | None = None, scoring_slot: Any = None, **filters: Any) -> dict:
    """One page of the letters list as the /letters page shows it, newest first, placed by the
    letters beside it rather than by an offset: `before_id`, the `limit` letters just older than
    that one ("Older letters", after the last one shown); `after_id`, the `limit` letters just
    newer than that one ("Newer letters"; when no more than a page is newer, the list's first
    page). Paged by offset, a letter saved between two pages moved every later one down a place
    and the next page repeated one, and a draft marked sent while the list showed drafts moved
    them up and the next page skipped one; a letter does not move. Drafts are judged as of today
    as `list_letters` judges them.

    Returns {"rows", "count": every letter the filters give, wherever the page is, "newer": how
    many of them come before the page's first row, "older": after its last}. No rows (a place
    with nothing after it now, the letters deleted or changed since): the caller says so."""
    drafts, judge = _undated_drafts(db, verdict, scoring_slot, filters)
    apart = drafts is not None  # (with a verdict: judged already, and listed apart)
    drafts = drafts or []

    def stored(**place: Any) -> tuple[list[dict], int]:
        return store.list_letters(db, **filters, verdict=verdict, undated=False if apart else None, **place)

    def newest_first(before: int | None) -> list[dict]:
        below, _ = stored(before_id=before, limit=limit)
        kept = [d for d in drafts if before is None or d["id"] < before]
        return sorted(below + kept, key=lambda r: r["id"], reverse=True)[:limit]

    rows: list[dict] | None = None
    if after_id is not None:
        above, _ = stored(after_id=after_id, limit=limit + 1)  # the nearest first
        near = sorted(above + [d for d in drafts if d["id"] > after_id], key=lambda r: r["id"])[:limit + 1]
        if len(near) > limit:  # more than a page newer: the page just above the place
            rows = near[:limit][::-1]
    rows = newest_first(before_id if after_id is None else None) if rows is None else rows
    count = stored(limit=0)[1] + len(drafts)
    newer = older = 0
    if rows:
        top, bottom = rows[0]["id"], rows[-1]["id"]
        newer = stored(after_id=top, limit=0)[1] + sum(1 for d in drafts if d["id"] > top)
        older = stored(before_id=bottom, limit=0)[1] + sum(1 for d in drafts if d["id"] < bottom)
    for d in rows:  # only the drafts shown are judged, as in list_letters
        judge(d)
    return {"rows": rows, "count": count, "newer": newer, "older": older}


def each_page(db: Database, *, page: int = 500, scoring_slot: Any = None, **filters: Any) -> Iterator[list[dict]]:
    """Every letter the filters give (as `list_letters`), newest first, a page at a time, each
    page after the last id of the one before: counted by offset, a letter saved while an export
    ran moved every row after it along one, and the next page repeated a row (one deleted: a
    row skipped). Letters saved after the first page are not in it."""
    before = None
    while True:
        rows, _ = list_letters(db, **filters, limit=page, before_id=before, scoring_slot=scoring_slot)
        if rows:
            yield rows
        if len(rows) < page:
            return
        before = rows[-1]["id"]


def current_result(db: Database, letter: dict) -> tuple[dict | None, str | None]:
    """The letter's latest result as it stands today, and the day it was stored for when that
    differs: (result, None) for most letters (the stored one); for an undated draft saved on an
    earlier day, (its result scored again as of today, nothing stored; the day it was scored
    for when saved, "" when the stored result does not say). Such a draft is due, or overdue, by today: its stored timeliness (and the
    delay apology) said how it stood on the day it was saved, not now, while the register counts
    it from today. `letter`: store.get_letter's answer."""
    stored = letter.get("result")
    if stored is None or not undated_draft(letter):
        return stored, None
    today = clock.today().isoformat()
    scored_for = (stored.get("metrics") or {}).get("letter_date") or ""
    if scored_for == today:
        return stored, None
    return judged_on(db, letter["id"], today), scored_for


def must_fix(result: dict | None) -> list[dict]:
    """The must-fix findings of a result that are not set aside."""
    return [f for f in (result or {}).get("findings", []) if f["severity"] == "error" and not f.get("suppressed")]


def default_sent_date(db: Database, letter_id: int) -> dt.date:
    """The day a letter is taken to go out unless told otherwise: its letter_date, else today."""
    row = store.letter_row(db, letter_id)
    day = store.previous_context(db, letter_id, row["latest_version"]).get("letter_date")
    today = clock.today()
    return min(dt.date.fromisoformat(day), today) if day else today


def may_undo_sent(user: Any, row: dict, today: dt.date | None = None) -> bool:
    """A sent mark can be undone by a manager, or by the person who made it on the same day."""
    if getattr(user, "role", None) == "manager":
        return True
    today = today or clock.today()
    marked = row.get("sent_marked_at")
    # the mark's time is stored in UTC: the day it was made is the UK day it fell on
    return (row.get("sent_by") is not None and row.get("sent_by") == getattr(user, "id", None)
            and marked is not None and clock.uk_date(str(marked)) == today)


def delete(db: Database, user: Any, letter_id: int) -> list[dict]:
    """Delete a letter with its versions and results (store.delete, with its refusals). A sent
    letter's decision keeps the day it went out (decisions.store.keep_sent_day): deleting the
    words does not unsend the letter, and past figures do not turn it into one never sent. A
    letter marked sent that never went out is unmarked first (undo_sent), then deleted.
    Returns the decisions that kept the day, as keep_sent_day gives them."""
    with write_tx(db):
        kept = decisions_store.keep_sent_day(db, user, letter_id)
        store.delete(db, user, letter_id)
    return kept


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
        check_rescore_storage(db, user, letter_id)  # a draft again: scored again as of its own date
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
    """Restore a finding marked 'not a problem' and score the latest version again.

    Standing duplicates of the same mark (same rule and wording, stored before duplicates were
    refused) are restored with it (`also_restored`). `counts_again` says what the restore did to
    the latest version: True when a finding it set aside counts again; False when none does
    (another standing mark, for the whole check, still sets it aside, or the words are no longer
    in the letter), so that no page says "counts again" when it does not."""
    row = store.letter_row(db, letter_id)
    store.refuse_purged(row)
    _refuse_sent_marks(row)
    check_rescore_storage(db, user, letter_id)  # the restore scores the letter again
    gone = store.revoke_suppression(db, user, letter_id, suppression_id, same=_same_mark)
    result = rescore(db, letter_id, force=True, user=user) or store.latest_result(db, letter_id)
    covered = [f for f in (result or {}).get("findings", []) if _covers(gone, f)]
    return {"id": suppression_id, "letter_id": letter_id, "version": row["latest_version"],
            "rule": gone["rule"], "term": gone["term"], "reason": gone["reason"],
            # a wording mark's places in the latest version: where its words count again
            "places": None if gone.get("places") is None else [{"start": a, "end": b} for a, b in gone["places"]],
            "restored": True,
            "also_restored": gone["also"], "counts_again": any(not f.get("suppressed") for f in covered),
            "still_set_aside": any(f.get("suppressed") for f in covered), "result": result}


def _refuse_sent_marks(row: dict) -> None:
    """A sent letter's marks stand as they were when it went out, as its words do: a mark made
    or restored afterwards changed the score the dashboard and the board's report count (found
    in a staff review: 66 became 69 through the API, and its page still offered "Restore")."""
    if row["status"] == "sent":
        raise Conflict(f"letter {row['id']} was sent on {long_date(row['sent_date'])}; its findings and marks "
                       "cannot change now. To change them, undo 'sent' first (a manager, or whoever marked it "
                       "sent, that day)", field="status")


def _term_key(term: str | None) -> str | None:
    """A wording as the engine matches it (engine/run.py: suppress): plain quotes, any case,
    no invisible characters (engine/invisible.py)."""
    from vcl_qa.engine.invisible import plain
    from vcl_qa.engine.typography import fold

    return None if term is None else fold(plain(term)[0]).lower()


def _overlaps(places: list, start: int | None, end: int | None) -> bool:
    """Whether the span overlaps one of the places (a span with no place: yes, as the engine
    counts it)."""
    if start is None or end is None:
        return True
    return any(min(end, e) - max(start, b) > 0 for b, e in places)


def _same_mark(a: dict, b: dict) -> bool:
    """Two standing marks that set the same thing aside: the same check and wording, and for a
    wording, places in common (a mark on the same words in a new place is another mark)."""
    if a["rule"] != b["rule"] or _term_key(a["term"]) != _term_key(b["term"]):
        return False
    pa, pb = a.get("places"), b.get("places")
    return pa is None or pb is None or (not pa and not pb) or any(_overlaps(pa, s, e) for s, e in pb)


def _covers(s: dict, finding: dict) -> bool:
    """Whether suppression `s` sets this finding aside (as engine/run.py: suppress matches): a
    wording mark only where its words were (`places`, when known)."""
    if s["rule"] != finding["rule"]:
        return False
    if s["term"] is None:
        return True
    if _term_key(s["term"]) != _term_key(finding.get("text") or ""):
        return False
    return s.get("places") is None or _overlaps(s["places"], finding.get("start"), finding.get("end"))


def _wording_places(result: dict, rule: str, term: str) -> list[list[int]]:
    """Every place a check found these words in a result: where a mark on them sets them aside."""
    key = _term_key(term)
    return [[f["start"], f["end"]] for f in result.get("findings", [])
            if f["rule"] == rule and f.get("start") is not None and f.get("end") is not None
            and _term_key(f.get("text") or "") == key]


def _clash(rule: str, term: str | None, places: list[list[int]] | None = None) -> Any:
    """For store.add_suppression: why a new mark would repeat a standing one, or None. The same
    rule and wording again (where a standing mark already sets the words aside in every place
    they are now: the same words in a new place take a mark of their own), or a wording of a
    check already set aside as a whole."""
    def why(active: list[dict]) -> str | None:
        worded = [s for s in active if s["rule"] == rule and s["term"] is not None
                  and _term_key(s["term"]) == _term_key(term)]
        if places and all(s.get("places") is not None for s in worded):
            # standing marks on the words set them aside where they were marked: a place none reaches is new
            held = [p for s in worded for p in s["places"]]
            if not all(_overlaps(held, a, b) for a, b in places):
                worded = []
            else:
                worded = [s for s in worded if any(_overlaps(s["places"], a, b) for a, b in places)]
        for s in active:
            if s["rule"] != rule or not (s["term"] is None or s in worded):
                continue
            what = (f"the whole check “{_rule_title(rule)}”" if s["term"] is None
                    else f"“{_rule_title(rule)}” for “{s['term']}”")
            return (f"{what} is already marked not a problem in this letter (by {s['by'] or 'someone'} "
                    f"on {clock.uk_long_date(s['created_at'])}: “{s['reason']}”); restore that "
                    "mark first to give another reason")
        return None
    return why


def _rule_title(rule_id: str) -> str:
    from vcl_qa.engine.rules import load_rules

    rule = load_rules().by_id.get(rule_id)
    return rule.title if rule else rule_id


def suppress(db: Database, user: Any, letter_id: int, rule: str, reason: str,
             term: str | None = None, seen_version: int | None = None) -> dict:
    """Record a suppression and re-score the latest version with it (old result kept).

    Refused: a reason with no words or with control characters, a wording (`term`) that is not
    among the letter's findings for that rule (LetterError naming the field), a mark that
    repeats a standing one (store.AlreadySetAside, 409), and a finding a version saved since
    `seen_version` (the version the page showed; default: the latest when this began) took out
    (MarkOutdated, 409)."""
    reason, term = check_suppression(rule, reason, term)
    first: int | None = None  # the latest version when this request began, or the one the page showed
    for _ in range(ATTEMPTS):
        row = store.letter_row(db, letter_id)
        store.refuse_purged(row)
        _refuse_sent_marks(row)
        if first is None:
            seen_ok = seen_version is not None and 1 <= seen_version <= row["latest_version"]
            first = seen_version if seen_ok else row["latest_version"]
        # As the letter stands today (an undated draft saved on an earlier day is late by now, and its
        # page lists the findings of today): the finding marked is one the page showed.
        latest = current_result(db, {**row, "context": store.previous_context(db, letter_id, row["latest_version"]),
                                     "result": store.latest_result(db, letter_id)})[0] or {}
        try:
            if term is not None:
                check_term_found(latest, rule, term)
            else:
                check_rule_found(latest, rule)
            places = None
            if term is not None:
                # every place of the words now, but those a standing mark on them already sets
                # aside: a mark for the same words in a new place covers that place alone
                places = _wording_places(latest, rule, term)
                standing = [m for m in store.stored_suppressions(db, letter_id)
                            if m["rule"] == rule and m["term"] is not None and _term_key(m["term"]) == _term_key(term)]
                fresh = [p for p in places if not any(_overlaps(m["places"], *p) for m in standing)]
                places = fresh or places
        except LetterError as exc:
            if row["latest_version"] != first:  # a version saved meanwhile took the finding out
                raise MarkOutdated(letter_id, first, row["latest_version"], str(exc),
                                   *store.version_author(db, letter_id, row["latest_version"])) from None
            raise
        check_rescore_storage(db, user, letter_id)  # the mark scores the letter again
        try:  # written only if the letter is still at the version just checked (same transaction)
            suppression_id = store.add_suppression(db, user, letter_id, rule, reason, term,
                                                   clash=_clash(rule, term, places), checked=store.mark_state(row),
                                                   places=places)
            break
        except store.VersionMoved:
            continue
    else:
        raise _busy(letter_id)
    result = rescore(db, letter_id, force=True, user=user) or store.latest_result(db, letter_id)
    return {"id": suppression_id, "letter_id": letter_id, "version": row["latest_version"],
            "rule": rule, "term": term, "reason": reason,
            "places": None if places is None else [{"start": a, "end": b} for a, b in places], "result": result}


class MarkOutdated(Conflict):
    """A finding marked 'not a problem' is not in the version saved while the mark was being
    made (the API answers 409): nothing was marked, and the newer version is named."""

    def __init__(self, letter_id: int, seen: int, latest: int, why: str, author: str | None,
                 saved_at: str | None):
        self.letter_id, self.seen, self.latest, self.why = letter_id, seen, latest, why
        self.author, self.saved_at = author, saved_at
        super().__init__(
            f"a newer version of letter {letter_id} was saved while this mark was being made: it is "
            f"now at version {latest} (saved{_by_when(author, saved_at)}), not version {seen}, and {why[:1].lower()}{why[1:]}. "
            f"Nothing was marked. Read version {latest} and mark what it finds")


def check_rule_found(result: dict, rule: str) -> None:
    """A check set aside as a whole must have found something in the letter's latest version: a
    mark made before a problem exists would hide it unseen when it comes (a review right taken
    out of a later version)."""
    if not any(f["rule"] == rule for f in result.get("findings", [])):
        raise LetterError(f"“{_rule_title(rule)}” found nothing in this letter's latest version, so "
                          "there is nothing to mark: a mark is for a finding the letter has", field="rule")


def check_term_found(result: dict, rule: str, term: str) -> None:
    """A wording set aside must be one the letter's latest result found for that rule."""
    found = [f.get("text") for f in result.get("findings", []) if f["rule"] == rule]
    if any(_term_key(t) == _term_key(term) for t in found if t):
        return
    worded = sorted({t for t in found if t}, key=str.lower)
    if not found:
        hint = f"“{_rule_title(rule)}” found nothing in this letter"
    elif not worded:
        hint = f"“{_rule_title(rule)}” is about the whole letter, not some words: leave out the wording"
    else:
        shown = ", ".join(f"“{t if len(t) <= 60 else t[:60] + '...'}”" for t in worded[:5])
        hint = f"the words it found are {shown}{' and more' if len(worded) > 5 else ''}"
    raise LetterError(f"those words are not among the findings of “{_rule_title(rule)}” "
                      f"in this letter's latest version ({hint})", field="term")


# A reason someone reading it later can act on (check, or disagree with): at least this many
# words, with at least this many letters in all. "ok", "fine", "not needed" or "x x x" say
# nothing about why; "quoted from the court order" or "the victim's own words" do.
MIN_REASON_WORDS = 3
MIN_REASON_LETTERS = 12
NOT_MARKABLE = ("“{title}” is worked out from the letter's dates, not its words, so it cannot be "
                "marked not a problem. If a date is wrong, check the letter again with the right dates "
                "(over the API, a new version with the right details); a letter sent late stays late")


def check_suppression(rule: Any, reason: Any, term: Any = None) -> tuple[str, str | None]:
    """The same checks for the API, the pages and the command line: a rule that exists, a
    reason in words (tabs and line breaks become spaces; other control characters are
    refused, as in names), and lengths a person would type. Returns (reason, term) cleaned."""
    from vcl_qa.engine.rules import load_rules

    rules = load_rules()
    if not isinstance(rule, str) or rule not in rules.by_id:
        raise LetterError("there is no such rule; use a rule id such as readability.jargon",
                          field="rule")
    if not rules.by_id[rule].markable:
        raise LetterError(NOT_MARKABLE.format(title=_rule_title(rule)), field="rule")
    reason = check_reason(reason)
    if term is not None:
        if not isinstance(term, str) or len(term) > 500:
            raise LetterError("the wording is too long (at most 500 characters)", field="term")
        from vcl_qa.engine.invisible import plain

        term = plain(term)[0]  # as the engine reads the letter: a soft hyphen in the words is not refused
        if _first_control(term):
            raise LetterError("the wording has control characters in it", field="term")
        term = term.strip()
        if not term:
            raise LetterError("give the words from the letter, or leave out the wording to set "
                              "the whole check aside", field="term")
    return reason, term


def check_reason(reason: Any, *, field: str = "reason", asked: str = "say why this finding is not a problem",
                 more: str = "say why this finding is not a problem here",
                 example: str = "“quoted from the court order”") -> str:
    """A reason in words someone reading it later can act on ("not a problem", a letter marked
    sent before it was first saved here): tabs and line breaks become spaces, other control
    characters are refused, at least MIN_REASON_WORDS words and MIN_REASON_LETTERS letters, at
    most 2,000 characters. Returns it cleaned; LetterError naming `field`: `asked` when there is
    none, `more` (with `example`) when it is too short."""
    if not isinstance(reason, str) or not reason.strip():
        raise LetterError(asked, field=field)
    if len(reason) > 2000:
        raise LetterError("keep the reason under 2,000 characters", field=field)
    control = _first_control(reason)
    if control:
        from vcl_qa.db.names import char_words

        raise LetterError(f"the reason has a character in it that cannot be seen or printed ({char_words(control)}); "
                          "type it again in plain words", field=field)
    reason = " ".join(reason.split())
    words = sum(any(c.isalpha() for c in w) for w in reason.split())
    if words < MIN_REASON_WORDS or sum(c.isalpha() for c in reason) < MIN_REASON_LETTERS:
        raise LetterError(f"{more} in at least {MIN_REASON_WORDS} "
                          f"words ({MIN_REASON_LETTERS} letters or more), so that someone reading it "
                          f"later can check it: for example {example}, not “ok”",
                          field=field)
    return reason


def _first_control(text: str) -> str | None:
    """The first control or format character other than tabs and line breaks (NUL, ESC, a
    right-to-left override...), None when there is none."""
    return next((c for c in text if unicodedata.category(c)[0] == "C" and c not in "\t\n\r"), None)


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
