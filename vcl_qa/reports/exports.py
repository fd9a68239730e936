"""CSV exports people open in a spreadsheet: plain words from vcl_qa/labels.py for every code,
with the code itself in a column of its own (headed "... code") for other programs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from vcl_qa import labels
from vcl_qa.engine.workdays import due_date, working_days_between

LETTER_COLUMNS = ("Letter", "Team", "Status", "Decision", "Decision date", "Due date", "Letter date",
                  "Sent date", "Working days late", "Victim's rights", "Offence", "Version", "Score",
                  "Result", "Status code", "Decision code", "Victim category code", "Offence code",
                  "Result code")


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def letter_due_and_late(row: dict) -> tuple[dt.date | None, int | None]:
    """The due date from the decision date and victim category (rules/calendar.yml), and for a
    sent letter the working days it went out after it (0 when on time)."""
    decided = _day(row.get("decision_date"))
    due = due_date(decided, row.get("victim_category")) if decided else None
    sent = _day(row.get("sent_date")) if row.get("status") == "sent" else None
    if due is None or sent is None:
        return due, None
    return due, max(working_days_between(due, sent), 0)


def letter_row(row: dict) -> dict:
    due, late = letter_due_and_late(row)
    category = row.get("victim_category")
    return {
        "Letter": row["id"], "Team": row.get("team") or "",
        "Status": labels.label(labels.LETTER_STATUSES, row.get("status")),
        "Decision": labels.label(labels.DECISIONS, row.get("decision")),
        "Decision date": row.get("decision_date") or "", "Due date": due.isoformat() if due else "",
        "Letter date": row.get("letter_date") or "", "Sent date": row.get("sent_date") or "",
        "Working days late": "" if late is None else late,
        "Victim's rights": labels.label(labels.categories(), category).split(":")[0] if category else "",
        "Offence": labels.label(labels.OFFENCES, row.get("offence")),
        "Version": row.get("latest_version") or "", "Score": "" if row.get("score") is None else row["score"],
        "Result": labels.label(labels.VERDICTS, row.get("verdict")),
        "Status code": row.get("status") or "", "Decision code": row.get("decision") or "",
        "Victim category code": category or "", "Offence code": row.get("offence") or "",
        "Result code": row.get("verdict") or "",
    }


def letter_rows(rows: Iterable[dict]) -> list[dict]:
    return [letter_row(r) for r in rows]
