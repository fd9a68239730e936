"""CSV exports people open in a spreadsheet: plain words from vcl_qa/labels.py for every code,
with the code itself in a column of its own (headed "... code") for other programs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from vcl_qa import labels
from vcl_qa.engine.workdays import BEREAVED_WHY, due_date, limit_for, limit_reason, working_days_between

# "On time" says in words what "Working days late" cannot: a letter sent on a Saturday after a
# Friday due date is late with no working day between (review 11a, finding 7).
LETTER_COLUMNS = ("Letter", "Team", "Status", "Decision", "Decision date", "Due date", "Letter date",
                  "Sent date", "Working days late", "On time", "Time limit", "Victim's rights", "Offence",
                  "Version", "Score", "Result", "Status code", "Decision code", "Victim category code",
                  "Offence code", "Result code", "Score note", "Sent before first saved here",
                  "Register differs", "Bereaved family")
# "Victim's rights" as the check form's option gives it (labels.categories, which both use): the
# enhanced rights name bereaved families and under-18s first. The export dropped them (the
# labels said "Enhanced rights (most serious crime, ...)"), so a bereaved family's letter read as
# if enhanced for another reason (a user review; tests/test_letters_csv_rights.py holds the two
# together). "Bereaved family" (added last, so that no column moved) says whether the letter's
# details say it was to a bereaved family: "Yes", "No", or empty when not given.
YES_NO = {True: "Yes", False: "No", None: ""}
ON_TIME_WORDS = {"yes": "Yes", "no": "No", "not_sent": "Not sent"}
# "Working days late" for a letter sent after its due date with no working day between (a
# weekend day or bank holiday): late all the same, so never "0", as the pages say it.
LATE_UNDER_A_DAY = "less than 1: sent after the due date, on a day that is not a working day"
# The timeliness columns `vcl-qa export --what results` adds to each letter's latest result.
RESULT_TIMELINESS_COLUMNS = ["limit_working_days", "limit_reason", "on_time", "working_days_late"]


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _bereaved(value) -> bool | None:
    """The stored detail (1, 0, True, False or None) as True, False or None."""
    return None if value is None else bool(value)


def lateness(due: dt.date | None, sent: dt.date | None) -> tuple[str | None, int | None]:
    """("yes", 0) sent on or before the due date; ("no", working days late) sent after it, the
    count 0 when no working day lies between (late all the same); ("not_sent", None) not sent
    yet; (None, None) with no due date."""
    if due is None:
        return None, None
    if sent is None:
        return "not_sent", None
    if sent <= due:
        return "yes", 0
    return "no", working_days_between(due, sent)


def letter_due_and_late(row: dict) -> tuple[dt.date | None, int | None]:
    """The due date from the decision date and victim category (rules/calendar.yml; a bereaved
    relative is owed the enhanced limit), and for a sent letter the working days it went out
    after it (0 when on time, and 0 too when late with no working day between: see `lateness`)."""
    due, sent = _due_and_sent(row)
    return due, lateness(due, sent)[1]


def _due_and_sent(row: dict) -> tuple[dt.date | None, dt.date | None]:
    decided = _day(row.get("decision_date"))
    due = due_date(decided, row.get("victim_category"), _bereaved(row.get("bereaved"))) if decided else None
    sent = _day(row.get("sent_date")) if row.get("status") == "sent" else None
    return due, sent


def _late_words(on_time: str | None, late: int | None):
    if late is None:
        return ""
    return LATE_UNDER_A_DAY if on_time == "no" and late == 0 else late


def limit_words(category: str | None, bereaved: bool | None) -> str:
    """'1 working day', '5 working days', or '1 working day (bereaved families are owed ...)'."""
    limit = limit_for(category, bereaved)
    if limit is None:
        return ""
    why = f" ({BEREAVED_WHY})" if limit_reason(category, bereaved) else ""
    return labels.working_days(limit) + why


def rights_words(category: str | None) -> str:
    """The victim's rights in the check form's words, without the time limit ("Standard";
    "Enhanced rights (bereaved families, under-18s, ...)"); "" when not given."""
    if not category:
        return ""
    return labels.label(labels.categories(), category).split(":")[0]


def letter_row(row: dict) -> dict:
    due, sent = _due_and_sent(row)
    on_time, late = lateness(due, sent)
    category = row.get("victim_category")
    return {
        "Letter": row["id"], "Team": row.get("team") or "",
        "Status": labels.label(labels.LETTER_STATUSES, row.get("status")),
        "Decision": labels.label(labels.DECISIONS, row.get("decision")),
        "Decision date": row.get("decision_date") or "", "Due date": due.isoformat() if due else "",
        "Letter date": row.get("letter_date") or "", "Sent date": row.get("sent_date") or "",
        "Working days late": _late_words(on_time, late),
        "On time": ON_TIME_WORDS.get(on_time or "", ""),
        "Time limit": limit_words(category, _bereaved(row.get("bereaved"))) if due else "",
        "Victim's rights": rights_words(category),
        "Offence": labels.label(labels.OFFENCES, row.get("offence")),
        "Version": row.get("latest_version") or "", "Score": "" if row.get("score") is None else row["score"],
        "Result": labels.label(labels.VERDICTS, row.get("verdict")),
        "Status code": row.get("status") or "", "Decision code": row.get("decision") or "",
        "Victim category code": category or "", "Offence code": row.get("offence") or "",
        "Result code": row.get("verdict") or "",
        # an undated draft saved on an earlier day is scored as if sent today, as its page does
        "Score note": (f"If sent today; {row['saved_score']} ({labels.label(labels.VERDICTS, row.get('saved_verdict'))})"
                       f" when saved, scored for {labels.long_date(row['saved_on'])}"
                       if row.get("rescored_for_today") else ""),
        # marked sent on a day before the letter was first saved here: its "On time" rests on the
        # word of whoever marked it (the reason, which may name people, is on its page, not here)
        "Sent before first saved here": (f"Yes: first saved here on {row['first_saved_on']}"
                                         if row.get("sent_before_saved") else ""),
        # the register entry the letter is linked to gives other details (victim's rights, the
        # decision date, bereaved) and so another due date: what it says and counts, in words
        # (vcl_qa/decisions/agreement.py for_letter_rows), as the letter's page says it
        "Register differs": row.get("register_differs") or "",
        "Bereaved family": YES_NO[_bereaved(row.get("bereaved"))],
    }


def letter_rows(rows: Iterable[dict]) -> list[dict]:
    return [letter_row(r) for r in rows]


def with_timeliness(rows: Iterable[dict]) -> Iterator[dict]:
    """Each result row of `vcl-qa export --what results` with its time limit (and why, when a
    bereaved relative makes it shorter), whether the letter went out on time ("yes", "no",
    "not_sent", or empty with no due date) and the working days late (0 when late with no
    working day between: `on_time` "no" says it was late). The due date is worked out from the
    letter's details as `/letters.csv` does, so a result scored before a rule changed (a bereaved
    relative's limit) does not keep an old due date here."""
    for row in rows:
        due, sent = _due_and_sent(row)
        on_time, late = lateness(due, sent)
        category, bereaved = row.get("victim_category"), _bereaved(row.get("bereaved"))
        yield {**row, "due_date": due.isoformat() if due else None,
               "limit_working_days": limit_for(category, bereaved) if due else None,
               "limit_reason": limit_reason(category, bereaved) if due else None,
               "on_time": on_time, "working_days_late": late}
