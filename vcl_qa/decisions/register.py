"""The decisions register: which letters are due, overdue, sent on time or late, and team reports.

A decision (case reference `urn` + `decision`) needs a letter within 1 or 5 working days of its
decision date (rules/calendar.yml). Letters link to decisions by urn and decision; a decision's
status is worked out when read, from the earliest sent letter, with vcl_qa.workdays.
"""
from __future__ import annotations

import csv
import datetime as dt
import unicodedata
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from vcl_qa import config, csv_safe, labels
from vcl_qa.db import teams
from vcl_qa.engine.dates import long_date
from vcl_qa.errors import LetterError
from vcl_qa.engine.letter import CONTEXT_FIELDS, context_from_mapping, decode_text
from vcl_qa.decisions import store
from vcl_qa.engine.workdays import due_date, limit_for, limit_reason, working_days_between
from vcl_qa import clock

OPEN = ("overdue", "due_today", "due")
# The letter details the register stores (a detail it has no column for is refused, not lost).
FIELDS = tuple(f for f in CONTEXT_FIELDS if f in store.FIELDS) + ("team", "letter_required", "no_letter_reason")
# A decision that needs no letter says why, in at least this many characters.
MIN_REASON, MAX_REASON = 10, 500
REQUIRED = ("urn", "decision", "decision_date", "victim_category", "team")
# Optional details a JSON null clears (over the API only; an empty CSV cell is "not given").
CLEARABLE = ("bereaved", "offence", "victim_name", "letter_date")
MAX_TEXT = 200  # characters in a case reference, team or name
# Dates outside these are typing mistakes (and would make day counts walk for ever).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
# working_days (left, or late when negative) is kept for one release beside the two clearer
# columns that replace it; people read its minus sign wrongly.
DIGEST_COLUMNS = ["urn", "decision", "decision_date", "victim_category", "due_date", "status",
                  "working_days_left", "working_days_late", "working_days", "team"]
REPORT_COLUMNS = ["month", "team", "working_day_limit", "required", "sent", "sent_on_time",
                  "sent_late", "missing", "pending", "not_required", "due_before_today", "on_time_of_due",
                  "timeliness_rate"]
# The report's CSV says in its last column which month its rows count by: a manager comparing it
# with the dashboard's, which counts by the month each letter was due, must not be misled.
REPORT_MONTH_WORDS = ("the month of the decision, not the month each letter was due (the dashboard counts by "
                      "the month due, so its figure for a month can differ)")
REPORT_CSV_COLUMNS = [*REPORT_COLUMNS, "month_counted_by"]
SAMPLE_CSV = config.samples_dir() / "decisions.csv"


# --- validation -------------------------------------------------------------------------------

def record_from_mapping(data: Any, *, team: str | None = None, source: str | None = None,
                        today: dt.date | None = None) -> dict:
    """One decision validated as letters are; `team` fills a missing team. Returns the fields
    given, and only those: a field left out (or an empty CSV cell, which never reaches here)
    leaves the registered value as it is (store.upsert_many). An optional field given as None
    (JSON null) is returned as None: that, and only that, clears it (CLEARABLE).
    A LetterError lists every field that is wrong (its `details`), not just the first.
    A decision dated after `today` (default: today in the UK) is refused, as a letter's is: it
    has not been made yet (the digest would leave it out while other counts took it)."""
    if not isinstance(data, dict):
        raise LetterError("a decision must be a set of 'field: value' pairs", source=source)
    cleared = [k for k in CLEARABLE if k in data and data[k] is None]  # null: clear it
    data = {k: v for k, v in data.items() if v is not None}
    problems: list[tuple[str | None, str]] = [
        (str(k), f"unknown field (allowed: {', '.join(FIELDS)})") for k in data if k not in FIELDS]
    given_team = data.pop("team", None)
    required_given = "letter_required" in data
    required, reason = _letter_required(data.pop("letter_required", None), data.pop("no_letter_reason", None),
                                        problems)
    known = {k: v for k, v in data.items() if k in FIELDS}
    rec: dict | None = None
    try:
        rec = context_from_mapping(known, source).model_dump(mode="json", include=set(FIELDS))
    except LetterError as exc:
        problems.extend(exc.details)
    # Only the fields given: a field left out leaves the registered value as it is.
    values = {k: (rec[k] if rec is not None else v) for k, v in known.items()}
    values.update(dict.fromkeys(cleared))
    values["team"] = team
    if required_given:
        values["letter_required"], values["no_letter_reason"] = required, reason
    if given_team is not None:
        values["team"] = _checked_text(given_team, "team", problems)
    for name in ("urn", "victim_name"):
        if rec is not None and rec[name] is not None and name in values:
            values[name] = _checked_text(rec[name], name, problems)
    if values.get("urn") and not str(values["urn"]).isascii():
        # as a letter's case reference is kept (engine/letter.py): full-width characters plain
        values["urn"] = unicodedata.normalize("NFKC", values["urn"])
    named = {f for f, _ in problems}
    problems += [(name, "is required for a decision") for name in REQUIRED
                 if name not in named and (values.get(name) is None or str(values[name]).strip() == "")]
    if rec is not None:
        for name in ("decision_date", "letter_date"):
            if rec[name] is not None and not EARLIEST <= dt.date.fromisoformat(rec[name]) <= LATEST:
                problems.append((name, f"'{rec[name]}' is not between {EARLIEST} and {LATEST}"))
            elif rec[name] is not None:
                day, now = dt.date.fromisoformat(rec[name]), today or clock.today()
                if day > now and name == "decision_date":
                    problems.append((name, f"the decision date ({long_date(day)}) is after today "
                                           f"({long_date(now)}): register a decision once it is made; "
                                           "check the date"))
                elif day > now:  # a letter sent on a day still to come would count as on time now
                    problems.append((name, f"the letter date ({long_date(day)}) is after today "
                                           f"({long_date(now)}): record the letter once it is sent; "
                                           "check the date"))
        if isinstance(values.get("urn"), str) and values["urn"].lower().startswith(store.PURGED):
            problems.append(("urn", f"a case reference cannot begin with '{store.PURGED}': that is how the "
                                    "register marks a purged one"))
        if rec["victim_category"] is not None and limit_for(rec["victim_category"]) is None:
            problems.append(("victim_category", f"rules/calendar.yml sets no time limit for "
                                                f"'{rec['victim_category']}'"))
    if problems:
        raise LetterError.many(problems, source)
    return values


_YES, _NO = ("true", "yes", "y", "1"), ("false", "no", "n", "0")


def _letter_required(value: Any, reason: Any, problems: list) -> tuple[bool, str | None]:
    """`letter_required` (default true) and, when it is false, the reason no letter is needed."""
    required = True
    if isinstance(value, bool):
        required = value
    elif isinstance(value, str) and value.strip().lower() in _YES + _NO:
        required = value.strip().lower() in _YES
    elif value is not None:
        problems.append(("letter_required", "must be true or false (yes or no)"))
    text = reason.strip() if isinstance(reason, str) else None
    if reason is not None and not isinstance(reason, str):
        problems.append(("no_letter_reason", "must be text"))
    elif required and text:
        problems.append(("no_letter_reason", "give a reason only when letter_required is false"))
    elif not required and not text:
        problems.append(("no_letter_reason", "is required when letter_required is false: say why no letter is needed"))
    elif not required and len(text) < MIN_REASON:
        problems.append(("no_letter_reason", f"is too short: say why no letter is needed in at least {MIN_REASON} characters"))
    elif text and len(text) > MAX_REASON:
        problems.append(("no_letter_reason", f"is over {MAX_REASON} characters"))
    return required, (text if not required else None)


def check_day(day: dt.date, name: str = "today", source: str | None = None) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise LetterError(f"'{day}' is not between {EARLIEST} and {LATEST}", source=source, field=name)
    return day


def check_as_of(day: dt.date, name: str = "today", source: str | None = None, *,
                today: dt.date | None = None) -> dt.date:
    """A day to count figures as on (`--today`, `as_of`, "Figures as on"): between EARLIEST and
    LATEST, and not after today (the UK date, vcl_qa.clock). On a day still to come the figures
    would be projections shown as fact: letters not yet due counted as never sent, working days
    counted that have not passed (review 11a, finding 8). The message names today's date."""
    check_day(day, name, source)
    now = today or clock.today()
    if day > now:
        raise LetterError(f"{long_date(day)} is after today ({long_date(now)}, the date in the UK): "
                          "figures for a day still to come would count letters as late or never sent "
                          "before their time; choose today or an earlier day", source=source, field=name)
    return day


def _checked_text(value: Any, name: str, problems: list) -> str | None:
    """The text stripped; None (and a problem noted) when it is not usable text."""
    if not isinstance(value, str) or not value.strip():
        problems.append((name, "must be text"))
        return None
    if len(value) > MAX_TEXT:
        problems.append((name, f"is over {MAX_TEXT} characters"))
        return None
    return value.strip()


# --- status -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timeliness:
    status: str
    due_date: dt.date
    working_days: int  # working days left (due), 0 (due today), or late when negative
    sent_on: dt.date | None  # the first letter sent on or before `today`

    @property
    def working_days_left(self) -> int | None:
        """Working days until the letter is due (0 on the day and after); None once it is sent
        or when no letter is needed."""
        if self.sent_on is not None or self.status == "not_required":
            return None
        return max(self.working_days, 0)

    @property
    def working_days_late(self) -> int:
        """Working days past the due date (overdue, or sent late); 0 when not late."""
        return max(-self.working_days, 0)

    @property
    def signed_working_days(self) -> int:
        """The deprecated `working_days`: left, or late when negative. Late with no working day
        past the due date (a Saturday after a Friday due date) is -1, not 0: its sign is what
        a script reads it for, and 0 is also a letter sent on its due day."""
        if self.status in ("sent_late", "overdue"):
            return min(self.working_days, -1)
        return self.working_days


class StatusClock:
    """Statuses as of one day. Remembers due dates and day counts: a register holds many
    decisions on the same few dates, and the working-day code walks one day at a time."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or clock.today()
        self._due: dict[tuple[dt.date, str, bool], dt.date] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    def due(self, decision_date: dt.date, victim_category: str, bereaved: bool | None = None) -> dt.date:
        """The due date; a bereaved close relative is owed the enhanced service's limit whatever
        the category (vcl_qa.engine.workdays.category_for), as the engine counts it."""
        key = (decision_date, victim_category, bereaved is True)
        if key not in self._due:
            self._due[key] = due_date(decision_date, victim_category, bereaved)
        return self._due[key]

    def between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._between:
            self._between[key] = working_days_between(start, end)
        return self._between[key]

    def status(self, decision_date: dt.date, victim_category: str, sent_on: dt.date | None,
               bereaved: bool | None = None) -> Timeliness:
        """A letter sent after `today` does not count yet (so a past day can be replayed)."""
        due = self.due(decision_date, victim_category, bereaved)
        if sent_on is not None and sent_on <= self.today:
            # As the engine's timeliness.late: late when sent after the due date.
            if sent_on > due:
                return Timeliness("sent_late", due, -self.between(due, sent_on), sent_on)
            return Timeliness("sent_on_time", due, self.between(sent_on, due), sent_on)
        if self.today < due:
            return Timeliness("due", due, self.between(self.today, due), None)
        if self.today == due:
            return Timeliness("due_today", due, 0, None)
        return Timeliness("overdue", due, -self.between(due, self.today), None)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def with_status(rows: Iterable[dict], clock: StatusClock) -> list[dict]:
    """Register rows with due_date, status, working_days_left, working_days_late, sent_on and the
    working-day limit (and working_days, kept for one release: left, or late when negative)."""
    out = []
    for row in rows:
        decided = dt.date.fromisoformat(row["decision_date"])
        recorded = _date(row.get("letter_date"))
        # A letter sent before the decision was made is not its letter (store.COUNTS_AS_SENT):
        # it does not count as sent, and the row says why (letter_warning).
        linked_early = _date(row.get("letter_sent_before"))
        early = [d for d in (linked_early, recorded) if d and d < decided]
        sent = [d for d in (_date(row.get("letter_sent_on")), recorded) if d and d >= decided]
        t = clock.status(decided, row["victim_category"], min(sent) if sent else None, row.get("bereaved"))
        if row.get("letter_required") is False:
            # registered as needing no letter: never due, overdue, late or missing, and outside
            # the timeliness rate even when a letter went out anyway (a courtesy letter sent a
            # week on counted as late against a deadline the decision never had, and took the
            # rate down; a review). The day it went is kept (sent_on) for the pages to say.
            t = Timeliness("not_required", t.due_date, 0, t.sent_on)
        item = {k: v for k, v in row.items() if k not in ("letter_sent_on", "letter_sent_before")}
        item.update(working_day_limit=limit_for(row["victim_category"], row.get("bereaved")),
                    limit_reason=limit_reason(row["victim_category"], row.get("bereaved")),
                    due_date=t.due_date.isoformat(),
                    status=t.status, working_days_left=t.working_days_left,
                    working_days_late=t.working_days_late, working_days=t.signed_working_days,
                    sent_on=t.sent_on.isoformat() if t.sent_on else None,
                    letter_warning=_early_letter_words(max(early), decided, t.sent_on is not None,
                                                       recorded_only=max(early) != linked_early,
                                                       needed=row.get("letter_required") is not False)
                    if early else None)
        out.append(item)
    return out


def _early_letter_words(sent: dt.date, decided: dt.date, later_counted: bool, *, recorded_only: bool,
                        needed: bool = True) -> str:
    """Why a letter sent before the decision does not count as its letter, in plain words (of a
    decision registered as needing no letter, nothing is counted either way: it said "it is not
    counted as sent" as if one were missing)."""
    what = "the register records a letter sent" if recorded_only else "a letter was sent"
    counted = ("this decision needs no letter, so none is counted" if not needed
               else "a later letter is counted" if later_counted else "it is not counted as sent")
    return (f"{what} on {long_date(sent)}, before this decision ({long_date(decided)}): "
            f"check it belongs to this decision ({counted})")


def urgency(row: dict) -> tuple:
    """Open decisions first, the earliest due first; then sent ones, the latest decided first."""
    if row["status"] in OPEN:
        return (0, row["due_date"], row["id"])
    return (1, -dt.date.fromisoformat(row["decision_date"]).toordinal(), -row["id"])


# A place in the register's order (`urgency`), for paging on from the last row a client saw:
# "open.<due date>.<id>" or "closed.<decision date>.<id>". An offset counts rows, so a decision
# registered between two pages, or one whose letter went out, moves every row after it along
# one, and the next page repeats a row or skips one; a place does not move.
CURSOR_GROUPS = ("open", "closed")


def cursor(row: dict) -> str:
    """Where `row` (with its status) stands in the register's order."""
    if row["status"] in OPEN:
        return f"open.{row['due_date']}.{row['id']}"
    return f"closed.{row['decision_date']}.{row['id']}"


def read_cursor(text: str) -> tuple:
    """A cursor as the key `urgency` sorts by (LetterError, in words, for anything else)."""
    group, _, rest = text.partition(".")
    day, _, ident = rest.partition(".")
    try:
        when, number = dt.date.fromisoformat(day), int(ident)
        if group not in CURSOR_GROUPS or not (ident.isascii() and ident.isdigit()) or day != when.isoformat() \
                or number < 1:
            raise ValueError(text)
    except ValueError:
        raise LetterError(f"'{text[:40]}' is not a place in the register's list: pass back the `next` of the "
                          "page before, as it was given") from None
    if group == "open":
        return (0, when.isoformat(), number)
    return (1, -when.toordinal(), -number)


def after(rows: list[dict], place: str) -> list[dict]:
    """The rows (in the register's order) that come strictly after `place` (a `cursor`)."""
    key = read_cursor(place)
    return [r for r in rows if urgency(r) > key]


def before(rows: list[dict], place: str) -> list[dict]:
    """The rows (in the register's order) that come strictly before `place` (a `cursor`): the
    decisions page's "Previous page" reads the page just above the first row it showed."""
    key = read_cursor(place)
    return [r for r in rows if urgency(r) < key]


def register(db: Database, *, today: dt.date | None = None, team: str | None = None,
             status: str | None = None, urn: str | None = None, decision: str | None = None,
             decided_from: dt.date | None = None, decided_to: dt.date | None = None) -> list[dict]:
    """Decisions with their status as of `today` (default: today), most urgent first. Decisions
    dated after `today` are left out, as the digest, the pages and the dashboard leave them out:
    on that day they had not been made (`decided_later` counts them)."""
    today = today or clock.today()
    decided_to = min(decided_to, today) if decided_to else today
    rows = store.linked_rows(db, team=team, urn=urn, decision=decision,
                             decided_from=decided_from.isoformat() if decided_from else None,
                             decided_to=decided_to.isoformat() if decided_to else None)
    items = with_status(rows, StatusClock(today))
    if status is not None:
        items = [r for r in items if r["status"] == status]
    return sorted(items, key=urgency)


def decided_later(db: Database, *, today: dt.date | None = None, team: str | None = None,
                  urn: str | None = None, decision: str | None = None,
                  decided_from: dt.date | None = None, decided_to: dt.date | None = None) -> int:
    """How many decisions (filtered as `register` is) are dated after `today`, so left out."""
    day = today or clock.today()
    start = max(decided_from, day + dt.timedelta(days=1)) if decided_from else day + dt.timedelta(days=1)
    if decided_to is not None and decided_to < start:
        return 0
    return store.count_rows(db, team=team, urn=urn, decision=decision, decided_from=start.isoformat(),
                            decided_to=decided_to.isoformat() if decided_to else None)


def unlinked_letters(db: Database, *, team: str | None = None, limit: int = 50,
                     offset: int = 0, before_id: int | None = None,
                     stored_by: dt.date | None = None) -> tuple[list[dict], int]:
    """Letters matching no registered decision (unknown case, or no case reference); `stored_by`:
    only those stored by that day (UK date; the digest for a past day)."""
    return store.unlinked_letters(db, team=team, limit=limit, offset=offset, before_id=before_id,
                                  stored_by=stored_by.isoformat() if stored_by else None)


# --- digest -----------------------------------------------------------------------------------

def digest(db: Database, *, today: dt.date | None = None, team: str | None = None) -> list[dict]:
    """The day's open letters (overdue, due today, due), most urgent first. Decisions dated
    after `today` are left out: on that morning they had not been made."""
    today = today or clock.today()
    return [r for r in register(db, today=today, team=team, decided_to=today) if r["status"] in OPEN]


@dataclass
class Digest:
    """What a digest says, with what it looked at: an empty register is never 'nothing due'."""

    today: dt.date
    today_given: bool  # the day came from --today (or as_of), not today's UK date
    team: str | None
    rows: list[dict]  # open letters, most urgent first
    held: int  # decisions in the register (the team's, when a team is given)
    held_all: int  # decisions in the register, every team
    decided_later: int  # decisions dated after `today`, left out
    unlinked: int = 0  # stored letters that match no decision
    not_required: list[dict] = field(default_factory=list)  # decisions needing no letter, with why

    def summary(self) -> str:
        """One line: the day counted as today and how many decisions the register holds."""
        # clock.today(): the UK date, whatever the computer's time zone (review 11a, finding 12)
        given = "the day asked for" if self.today_given else "today's date in the UK"
        scope = f" for team {self.team}" if self.team else ""
        later = f" ({self.decided_later} decided after that day left out)" if self.decided_later else ""
        return (f"Counting {_long(self.today)} as today ({given}); the register holds "
                f"{_decisions(self.held)}{scope}{later}.")

    def empty_warning(self) -> str | None:
        """Why nothing is listed, when the reason is that there is nothing to look at."""
        if not self.held_all:
            return "The register is empty: import decisions with `vcl-qa import-decisions`."
        if not self.held:
            return (f"The register holds no decisions for team {self.team} ({_decisions(self.held_all)} "
                    "for other teams): check the team name.")
        return None


def digest_for(db: Database, *, today: dt.date | None = None, team: str | None = None,
               unlinked: int = 0) -> Digest:
    """The digest for `today` (default: today's UK date), with the register's size."""
    day = today or clock.today()
    held_all = db["decisions"].count
    held = db["decisions"].count_where("team = ?", [team]) if team else held_all
    later = db["decisions"].count_where(
        "decision_date > ?" + (" AND team = ?" if team else ""), [day.isoformat(), *([team] if team else [])])
    rows = register(db, today=day, team=team, decided_to=day)  # read once: open and not needed
    return Digest(day, today is not None, team, [r for r in rows if r["status"] in OPEN], held, held_all,
                  later, unlinked, [r for r in rows if r["status"] == "not_required"])


def write_digest_csv(rows: list[dict], fh: TextIO) -> None:
    writer = csv_safe.DictWriter(fh, fieldnames=DIGEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _disagreement_notes(row: dict) -> list[str]:
    """One line per linked letter whose own details disagree with this entry (the store's
    `letter_disagreements`, as the register page and the API give them): the case, what each
    says and the due date each gives, so the morning list does not count one due date while the
    letter's page counts another unsaid."""
    from vcl_qa.decisions.agreement import _due, _says  # (agreement imports this module)

    return [f"case {row['urn']}: letter {d['letter_id']} says {_says(d['fields'], 'letter_value')} "
            f"({_due(d.get('letter_due_date'))}); the register says {_says(d['fields'], 'register_value')} "
            f"({_due(row.get('due_date'))}). This list counts from the register; correct whichever is wrong."
            for d in row.get("letter_disagreements") or []]


def digest_text(d: Digest) -> str:
    """A plain-text morning e-mail. Case references only: no victim names."""
    rows = d.rows
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in OPEN}
    scope = f"team {d.team}" if d.team else "all teams"
    lines = [f"Letters to victims on {_long(d.today)} ({scope}): {counts['overdue']} overdue, "
             f"{counts['due_today']} due today, {counts['due']} due later.", d.summary()]
    titles = {"overdue": "OVERDUE", "due_today": "DUE TODAY", "due": "DUE LATER"}
    # Each decision in the words the pages use ("Offer no evidence", not "no_evidence_offered"),
    # and each day as the pages write it, in columns as wide as the longest listed.
    widths = _column_widths(rows, d.not_required)
    for status in OPEN:
        group = [r for r in rows if r["status"] == status]
        if not group:
            continue
        lines += ["", titles[status]]
        for r in group:
            lines.append(f"{_entry(r, widths)}  {_due_words(r):<{widths[2]}}  {_days_phrase(r)}  team {r['team']}")
            if r.get("letter_warning"):
                lines.append(f"      Note: {r['letter_warning']}")
            lines += [f"      Note: {note}" for note in _disagreement_notes(r)]
    warning = d.empty_warning()
    if warning:
        lines += ["", warning]
    elif not rows and d.held == d.decided_later:
        lines += ["", "Nothing due or overdue: no decision in the register was made by this day."]
    elif not rows:
        lines += ["", "Nothing due or overdue: every decision made by this day has its letter sent."]
    if d.not_required:
        lines += ["", f"NO LETTER NEEDED ({len(d.not_required)}, not counted as due or missing)"]
        for r in d.not_required:
            lines.append(f"{_entry(r, widths)}  team {r['team']}  why: {r['no_letter_reason']}")
    if d.unlinked:
        lines += ["", f"{d.unlinked} stored letter{'s match' if d.unlinked != 1 else ' matches'} no decision in the "
                      "register: check the case reference and decision."]
    return "\n".join(lines) + "\n"


def _decision_words(row: dict) -> str:
    return labels.label(labels.DECISIONS, row["decision"])


def _decided_words(row: dict) -> str:
    return f"decided {_long(row['decision_date'])}"


def _due_words(row: dict) -> str:
    return f"due {_long(row['due_date'])}"


def _column_widths(rows: list[dict], not_required: list[dict]) -> tuple[int, int, int]:
    """How wide the decision, decided and due columns are: days in words differ in length
    ("Friday 1 May 2026", "Wednesday 30 September 2026"), so each is as wide as its longest."""
    both = [*rows, *not_required]
    return (max((len(_decision_words(r)) for r in both), default=0),
            max((len(_decided_words(r)) for r in both), default=0),
            max((len(_due_words(r)) for r in rows), default=0))


def _entry(row: dict, widths: tuple[int, int, int]) -> str:
    """A digest line's start: case reference, decision and the day it was made."""
    return f"  {row['urn']:<14} {_decision_words(row):<{widths[0]}}  {_decided_words(row):<{widths[1]}}"


def _long(day: dt.date | str) -> str:
    """A day as people read it: "Monday 30 November 2026" (labels.long_date, as the pages say it)."""
    return long_date(day)


def _decisions(n: int) -> str:
    return f"{n:,} decision{'s' if n != 1 else ''}"


def _days_phrase(row: dict) -> str:
    if row["status"] == "due_today":
        return "due today"
    late, left = row["working_days_late"], row["working_days_left"] or 0
    if row["status"] in ("overdue", "sent_late") and not late:
        # after the due date with no working day since (a weekend or bank holiday): late all the same
        return "overdue: the due date has passed" if row["status"] == "overdue" else "sent late: after the due date"
    n = late or left
    unit = "working day" if n == 1 else "working days"
    return f"{n} {unit} late" if late else f"{n} {unit} left"


# --- timeliness report ------------------------------------------------------------------------

def timeliness_report(db: Database, *, today: dt.date | None = None, team: str | None = None,
                      month_from: str | None = None, month_to: str | None = None) -> list[dict]:
    """Per month of decision, team and working-day limit (and all limits together): letters
    required, sent, sent on time, sent late, missing (overdue, none sent) and pending (not yet
    due), needing no letter. timeliness_rate, as the dashboard counts it (docs/web.md): of the
    letters due before today, sent or not, the percentage sent by their due date. Decisions
    dated after `today` are left out (on that day they had not been made)."""
    clock = StatusClock(today)
    before = clock.today.isoformat()
    rows = store.linked_rows(db, team=team,
                             decided_from=f"{month_from}-01" if month_from else None,
                             decided_to=min(f"{month_to}-31", before) if month_to else before)
    groups: dict[tuple, dict] = {}
    for r in with_status(rows, clock):
        month = r["decision_date"][:7]
        for limit in (r["working_day_limit"], None):
            g = groups.setdefault((month, r["team"], limit), dict.fromkeys(REPORT_COLUMNS[3:-1], 0))
            if r["status"] == "not_required":
                g["not_required"] += 1
                continue
            g["required"] += 1
            g["sent"] += r["status"] in ("sent_on_time", "sent_late")
            g["sent_on_time"] += r["status"] == "sent_on_time"
            g["sent_late"] += r["status"] == "sent_late"
            g["missing"] += r["status"] == "overdue"
            g["pending"] += r["status"] in ("due", "due_today")
            if r["status"] in ("sent_on_time", "sent_late", "overdue") and r["due_date"] < before:
                # the rate's denominator and numerator, in columns of their own: sent_on_time also
                # counts letters sent early whose due date is still to come, so the rate could not
                # be worked out from the columns (summing rows gave 50% where it was 45%; a review)
                g["due_before_today"] += 1
                g["on_time_of_due"] += r["status"] == "sent_on_time"
    out = []
    for (month, team_name, limit), g in sorted(groups.items(), key=lambda kv: (
            kv[0][0], kv[0][1], kv[0][2] is None, kv[0][2] or 0)):
        rate = labels.percent(g["on_time_of_due"], g["due_before_today"])
        # The row for all limits together (working_day_limit None; "all" in the CSV) says so in
        # `all_limits`: its counts are the sum of the month's and team's rows for each limit.
        out.append({"month": month, "team": team_name, "working_day_limit": limit, "all_limits": limit is None,
                    **g, "timeliness_rate": rate})
    return out


def write_report_csv(rows: list[dict], fh: TextIO) -> None:
    writer = csv_safe.DictWriter(fh, fieldnames=REPORT_CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:  # the all-limits row: "all" in working_day_limit (all_limits is the JSON's)
        writer.writerow({**r, "working_day_limit": "all" if r["working_day_limit"] is None
                         else r["working_day_limit"],
                         "timeliness_rate": "" if r["timeliness_rate"] is None else r["timeliness_rate"],
                         "month_counted_by": REPORT_MONTH_WORDS})


def report_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    write_report_csv(rows, buf)
    return buf.getvalue()


# --- CSV import -------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, why)
    changed: dict[str, int] = field(default_factory=dict)  # field -> entries it changed in

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """'Registered 0 new, updated 2, unchanged 5, failed 0. Changed: letter_date (2), ...'"""
        line = (f"Registered {self.created} new, updated {self.updated}, unchanged {self.unchanged}, "
                f"failed {len(self.failed)}.")
        if self.changed:
            line += " Changed: " + ", ".join(f"{f} ({n})" for f, n in sorted(self.changed.items())) + "."
        return line


def read_csv(path: Path, *, team: str | None = None,
             teams_known: list[str] | None = None) -> tuple[list[dict], list[tuple[int, str]]]:
    """Valid records and (row, why) for bad rows. A row's number is its line in the file (the
    header is row 1, as a spreadsheet shows it). A file that cannot be read raises LetterError.
    `teams_known`: a row naming any other team is bad, as POST /decisions refuses it (None:
    any team)."""
    src = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LetterError(f"cannot read the file ({exc.strerror})", source=src) from None
    lines = _Lines(decode_text(data, src))
    reader = csv.DictReader(lines)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise lines.unreadable(exc, None, src) from None
    lines.row_done()
    header = [(h or "").strip().lower() for h in (fieldnames or [])]
    if not any(header):
        raise LetterError("the file is empty: it needs a header row", source=src)
    problems = _header_problems(header, fieldnames or [], team)
    if problems:
        raise LetterError.many(problems, src)
    reader.fieldnames = header
    codes = _codes_for_words()
    records, failed = [], []
    seen: dict[tuple[str, str], tuple[int, dict]] = {}
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a cell over the csv module's limit (131,072 characters)
            raise lines.unreadable(exc, header, src) from None
        lines.row_done()
        n = reader.line_num  # the row's line (blank lines are skipped but still counted)
        if None in raw:
            failed.append((n, "has more cells than the header has columns"))
            continue
        cells = {k: v.strip() for k, v in raw.items() if v is not None and v.strip()}
        if not cells:
            continue  # blank line
        for name in codes:
            if name in cells:
                cells[name] = codes[name].get(_folded(cells[name]), cells[name])
        unknown = _unknown_team(cells.get("team") or team, teams_known)
        try:
            rec = record_from_mapping(cells, team=team)
        except LetterError as exc:  # with the team's problem, if it has one, in the same line
            said = {f for f, _ in exc.details}  # a team the register itself refused is said once
            row_problems = [*exc.details, *(u for u in unknown if u[0] not in said)]
            failed.append((n, problems_text(LetterError.many(row_problems))))
            continue
        if unknown:
            failed.append((n, problems_text(LetterError.many(unknown))))
            continue
        key = (rec["urn"].upper(), rec["decision"])
        if key in seen:
            first, earlier = seen[key]
            if earlier != rec:
                failed.append((n, f"repeats the case reference and decision of row {first} with different values"))
            continue
        seen[key] = (n, rec)
        records.append(rec)
    return records, failed


# A header's problems name at most this many columns of a kind (unknown, or the places of one
# column given again and again), and count the rest: a header of 20,000 unknown columns gave
# 20,000 problems, each listing the allowed columns, 3.4 MB (100,000: over 60 s and 365 MB).
COLUMNS_NAMED = 5


def _header_problems(header: list[str], as_written: list[str], team: str | None) -> list[tuple[None, str]]:
    """What is wrong with a header: its unknown columns in one problem (the first few by name,
    how many more, and the allowed columns once), its missing required columns in another, and
    each column given twice. Time and length grow with the header, never with its square."""
    known = set(FIELDS)
    unknown = [h for h in header if h not in known]
    problems: list[tuple[None, str]] = []
    if unknown:
        problems.append((None, f"{_columns(unknown, 'unknown')} (allowed: {', '.join(FIELDS)})"))
    missing = [f for f in REQUIRED if f not in header and not (f == "team" and team)]
    if missing:
        problems.append((None, f"{_columns(missing, 'missing')} (required: {', '.join(REQUIRED)})"))
    return problems + _repeated_columns(header, as_written)


def _columns(names: list[str], kind: str) -> str:
    """"unknown column 'when'", "unknown columns 'a' and 'b'", "20,000 unknown columns: 'c0',
    'c1', 'c2', 'c3', 'c4' and 19,995 more"."""
    quoted = [f"'{_column_name(n)}'" for n in names[:COLUMNS_NAMED]]
    if len(names) == 1:
        return f"{kind} column {quoted[0]}"
    if len(names) <= COLUMNS_NAMED:
        return f"{kind} columns {', '.join(quoted[:-1])} and {quoted[-1]}"
    return f"{len(names):,} {kind} columns: {', '.join(quoted)} and {len(names) - COLUMNS_NAMED:,} more"


def _column_name(name: str, most: int = 40) -> str:
    return name if len(name) <= most else name[:most].rstrip() + "..."


def _repeated_columns(header: list[str], as_written: list[str]) -> list[tuple[None, str]]:
    """A column given twice (case and spaces aside): the reader kept the last cell and the other
    was lost, unsaid ("victim_category,Victim_Category" took the second). A column given many
    times names its first places and counts the rest."""
    places: dict[str, list[int]] = {}
    for number, name in enumerate(header, 1):
        if name in FIELDS:
            places.setdefault(name, []).append(number)
    out = []
    for name, numbers in places.items():
        if len(numbers) > 1:
            shown = [f"{n} ('{_column_name(as_written[n - 1])}')" for n in numbers[:COLUMNS_NAMED]]
            if len(numbers) <= COLUMNS_NAMED:
                where = ", ".join(shown[:-1]) + f" and {shown[-1]}"
            else:
                where = ", ".join(shown) + f" and {len(numbers) - COLUMNS_NAMED:,} more"
            times = "twice" if len(numbers) == 2 else f"{len(numbers):,} times"
            out.append((None, f"column '{name}' is given {times}, as columns {where}: "
                              "keep only the one you mean"))
    return out


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _codes_for_words() -> dict[str, dict[str, str]]:
    """For the decision and victim_category cells, the code each way of writing it stands for
    (case and spaces aside): the code itself ("Enhanced", "NOT_CHARGED", "not charged"), and the
    words the pages and /letters.csv write for it (vcl_qa/labels.py: "Not to charge", "Stop the
    case (discontinued)", "Standard"), so that the service's own export can be read back in.
    Anything else is refused, naming the codes, never guessed at."""
    out: dict[str, dict[str, str]] = {}
    # a category's words as /letters.csv writes them: the label without its time limit
    categories = {code: words.rsplit(":", 1)[0] for code, words in labels.categories().items()}
    for name, table in (("decision", labels.DECISIONS), ("victim_category", categories)):
        out[name] = {}
        for code, words in table.items():
            for said in (code, code.replace("_", " "), words):
                out[name].setdefault(_folded(said), code)
    for code, words in labels.CATEGORY_WORDS_BEFORE.items():  # (an export made before)
        out["victim_category"].setdefault(_folded(words), code)
    return out


def _unknown_team(team: str | None, teams_known: list[str] | None) -> list[tuple[str | None, str]]:
    """[("team", why)] when a row's team is not one the service knows, else []. A slip ("nrth",
    "North") would start a register of its own that no team's letters link to."""
    if teams_known is None or not team or team in teams_known:
        return []
    return [("team", teams.unknown_team_message(team, teams_known) + NEW_TEAM)]


# What to do when the team is right but new: the teams known are those with a user, a letter or
# a decision (db/teams.py), so a new team's first user makes it one.
NEW_TEAM = ("; for a new team, add its first user (vcl-qa users add NAME --role staff --team TEAM) "
            "and import the file again")


class _Lines:
    """A CSV file's lines as the csv reader takes them, keeping those of the row being read, so
    that a row the reader cannot read is named by its line (and the column of a cell too long)."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self._row: list[str] = []
        self._done = 0  # lines of the rows read so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._row.append(line)
        return line

    def row_done(self) -> None:
        self._done += len(self._row)
        self._row = []

    def unreadable(self, exc: csv.Error, header: list[str] | None, source: str) -> LetterError:
        """The error for a row the csv module refused: its line, and for a cell over the csv
        module's limit, which column. Nothing is registered: reading on from the middle of a
        cell could take the rest of it for rows."""
        blank = next((i for i, line in enumerate(self._row) if line.strip("\r\n")), len(self._row))
        line = self._done + blank + 1
        limit = csv.field_size_limit()
        if "field larger than field limit" not in str(exc):
            return LetterError(f"line {line} cannot be read as CSV ({exc}); nothing was registered",
                               source=source)
        column = _long_cell_column("".join(self._row[blank:]), limit)
        name = header[column] if header is not None and column is not None and column < len(header) else None
        cell = f"the {name} cell" if name else "a cell"
        return LetterError(f"line {line}: {cell} is longer than {limit:,} characters (no field of a decision "
                           f"takes more than {MAX_REASON}); nothing was registered: shorten it and import "
                           "the file again", source=source)


def _long_cell_column(text: str, limit: int) -> int | None:
    """Which column of a CSV row (excel dialect: commas, double quotes, "" inside quotes) first
    holds more than `limit` characters; None if none does."""
    column = length = 0
    quoted = False
    at_start = True
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if quoted:
            if ch == '"':
                if text[i:i + 1] != '"':
                    quoted = False
                    continue
                i += 1
            length += 1
        elif ch == '"' and at_start:
            quoted = True
        elif ch == ",":
            column, length, at_start = column + 1, 0, True
            continue
        elif ch in "\r\n":
            return None
        else:
            length += 1
        at_start = False
        if length > limit:
            return column
    return None


def problems_text(exc: LetterError) -> str:
    """Every problem of an error on one line: "field 'a': ...; field 'b': ..."."""
    return "; ".join(f"field '{f}': {m}" if f else m for f, m in exc.details)


CHUNK = 500


def import_csv(db: Database, path: Path, *, team: str | None = None, user: Any = None,
               progress: Callable[[int], None] | None = None, any_team: bool = False) -> ImportReport:
    """Register every valid row of a decisions CSV (by urn + decision: importing the same file
    again changes nothing; a corrected row updates its decision, and the report counts each
    field changed). An empty cell, or a column the file does not have, changes nothing: the
    registered value stays. Bad rows are reported, a row whose team the service does not know
    among them (as POST /decisions refuses it); a `team` for empty team cells that is not one
    is refused before anything is registered (LetterError, field `team`). `any_team`: no team
    is refused (the demo's sample register, whose teams are the demo's own)."""
    from vcl_qa.letters.bulk import Actor

    known = None if any_team else teams.known_teams(db)
    if team is not None and known is not None and team not in known:
        raise LetterError(f"{teams.unknown_team_message(team, known)}; nothing was registered{NEW_TEAM}",
                          field="team")
    records, failed = read_csv(Path(path), team=team, teams_known=known)
    report = ImportReport(failed=failed)
    actor = user or Actor("command line import")
    for start in range(0, len(records), CHUNK):
        chunk = records[start:start + CHUNK]
        changes: list[list[str]] = []
        for _id, outcome in store.upsert_many(db, actor, chunk, source="csv", changes=changes):
            setattr(report, outcome, getattr(report, outcome) + 1)
        for name in (f for fields in changes for f in fields):
            report.changed[name] = report.changed.get(name, 0) + 1
        if progress:
            progress(len(chunk))
    return report


def import_sample(db: Database) -> ImportReport:
    """Register the sample decisions (sample_letters/decisions.csv) (for demo-setup)."""
    return import_csv(db, SAMPLE_CSV, any_team=True)


def count_rows(path: Path) -> int:
    """Data rows in a CSV, for a progress bar's total (cheap: no validation)."""
    with Path(path).open("rb") as fh:
        return max(sum(1 for _ in fh) - 1, 0)
