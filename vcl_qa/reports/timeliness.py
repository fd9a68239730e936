"""Timeliness from the decisions register, the area's own measure, for the dashboard.

One definition, used by the page, its CSV and the docs:

- a letter is **on time** when it was sent on or before its due date;
- the **rate** is letters on time / letters that were due before today, sent or not. A letter
  that was never sent counts against the rate (a *missing* letter); letters not yet due are
  left out until their due date has passed, whether or not they have gone out.

Everything here is built on vcl_qa.decisions.register (statuses, due dates, working days), so
the dashboard, the decisions page and the morning digest say the same thing.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlite_utils import Database

from vcl_qa.decisions import register
from vcl_qa import clock, labels

SENT = ("sent_on_time", "sent_late")
OPEN = register.OPEN  # overdue, due today, due later (as the digest lists them)
PAST = ("sent_on_time", "sent_late", "overdue")  # a due date before today: the outcome is known
OUTCOME = {"sent_on_time": "on_time", "sent_late": "late", "overdue": "missing"}


@dataclass
class Timeliness:
    today: dt.date
    due: int = 0  # letters whose due date was before today (sent or not)
    on_time: int = 0
    late: int = 0  # sent after the due date
    missing: int = 0  # due before today and never sent
    not_yet_due: int = 0  # due today or later, not sent (due_today + due_later)
    due_today: int = 0  # due today, not sent
    due_later: int = 0  # due after today, not sent
    sent_early: int = 0  # due today or later, already sent on or before the due date (counted once it passes)
    by_month: list[dict] = field(default_factory=list)  # per month of the due date
    # The letters stored here that the rate counts as sent (each the letter its decision's sent
    # day is read from): what the dashboard's warning about sent dates given after the fact reads.
    sent_letter_ids: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """On time / due, as a percentage (None when nothing was due yet)."""
        return labels.percent(self.on_time, self.due)


def counted(row: dict, today: dt.date) -> bool:
    """A decision whose letter counts in the rate: its due date is before `today`."""
    return row["status"] in PAST and row["due_date"] < today.isoformat()


def rows_for(db: Database, *, today: dt.date, team: str | None = None, decision: str | None = None,
             due_from: dt.date | None = None, due_to: dt.date | None = None) -> list[dict]:
    """Register rows (statuses as of `today`, decisions made by then), filtered by due date."""
    rows = register.register(db, today=today, team=team, decision=decision, decided_to=today)
    return [r for r in rows
            if (due_from is None or r["due_date"] >= due_from.isoformat())
            and (due_to is None or r["due_date"] <= due_to.isoformat())]


def figures(rows: list[dict], today: dt.date) -> Timeliness:
    out = Timeliness(today)
    months: dict[str, dict] = defaultdict(lambda: {"due": 0, "on_time": 0, "late": 0, "missing": 0})
    for r in rows:
        if counted(r, today):
            key = OUTCOME[r["status"]]
            month = months[r["due_date"][:7]]
            month["due"] += 1
            month[key] += 1
            out.due += 1
            setattr(out, key, getattr(out, key) + 1)
        elif r["status"] in ("due", "due_today"):
            out.not_yet_due += 1
            if r["status"] == "due_today":
                out.due_today += 1
            else:
                out.due_later += 1
        elif r["status"] == "sent_on_time":
            out.sent_early += 1
    out.by_month = [{"month": k, **v, "rate": labels.percent(v["on_time"], v["due"])}
                    for k, v in sorted(months.items())]
    return out


def from_register(db: Database, *, today: dt.date | None = None, **filters) -> Timeliness | None:
    """The register's timeliness as of `today` (default: today); None when the register is empty
    (then letters never written cannot be counted at all)."""
    if not db["decisions"].exists() or not db["decisions"].count:
        return None
    today = today or clock.today()
    rows = rows_for(db, today=today, **filters)
    out = figures(rows, today)
    out.sent_letter_ids = counted_sent_letters(db, rows, today)
    return out


def counted_sent_letters(db: Database, rows: list[dict], today: dt.date) -> list[int]:
    """Of the rows the rate counts as sent, the letters stored here each was counted from: a
    linked letter that went out on the row's sent day (none when the register records the letter
    as sent outside this service)."""
    from vcl_qa.decisions import store as decisions_store

    sent = [r for r in rows if counted(r, today) and r["status"] in SENT]
    days = decisions_store.letters_sent_on(db, [i for r in sent for i in r.get("letter_ids") or ()])
    out = set()
    for r in sent:
        out.update(i for i in r.get("letter_ids") or () if days.get(i) == r["sent_on"])
    return sorted(out)


@dataclass
class Unregistered:
    """Sent letters that match no decision in the register (its team, case reference and
    decision): the register's rate cannot count them, so the dashboard says how many, which, and
    how many went out after the due date their own details give. A team whose letters were never
    registered was told "No letter was due", with a late letter among them."""

    letter_ids: list[int]
    late_ids: list[int]  # sent after the due date the letter's own details give
    undated: int  # with no decision date or victim category: no due date of their own

    @property
    def late(self) -> int:
        return len(self.late_ids)

    @property
    def count(self) -> int:
        return len(self.letter_ids)


def unregistered(db: Database, *, today: dt.date | None = None, team: str | None = None,
                 decision: str | None = None, due_from: dt.date | None = None,
                 due_to: dt.date | None = None) -> Unregistered:
    """The sent letters (gone out by `today`) the register's figures leave out, chosen as those
    figures choose: by team, decision and the due date (here the letter's own), one not yet due
    by `today` left out as the rate leaves it out."""
    from vcl_qa.decisions import store as decisions_store  # (the register's own store)

    today = today or clock.today()
    statuses = register.StatusClock(today)
    ids, late, undated = [], [], 0
    for r in decisions_store.unlinked_sent(db, team=team, decision=decision, sent_by=today.isoformat()):
        if not r["decision_date"] or not r["victim_category"]:
            if due_from is None and due_to is None:
                ids.append(r["id"])
                undated += 1
            continue
        due = statuses.due(dt.date.fromisoformat(r["decision_date"]), r["victim_category"],
                           None if r["bereaved"] is None else bool(r["bereaved"]))
        if (due_from and due < due_from) or (due_to and due > due_to) or due >= today:
            continue
        ids.append(r["id"])
        if r["sent_on"] and r["sent_on"] > due.isoformat():
            late.append(r["id"])
    return Unregistered(ids, late, undated)


def days_in_words(row: dict) -> str:
    """'3 working days overdue', 'due today', '2 working days left', 'sent 1 working day late',
    'sent on time'."""
    status = row["status"]
    late, left = row.get("working_days_late") or 0, row.get("working_days_left") or 0
    if status == "overdue":
        # a weekend or bank holiday just after the due date: past it, though no working day is
        return f"{_days(late)} overdue" if late else "overdue: the due date has passed"
    if status == "due_today":
        return "due today"
    if status == "due":
        return f"{_days(left)} left"
    if status == "sent_late":
        return f"sent {_days(late)} late" if late else "sent late: after the due date"
    if status == "sent_on_time":
        return "sent on time"
    if status == "not_required":
        return f"why: {row.get('no_letter_reason') or ''}"
    return ""


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"
