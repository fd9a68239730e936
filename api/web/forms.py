"""The letter context form: plain labels for each field, and validation through the library."""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from vcl_qa.errors import LetterError
from vcl_qa import labels
from vcl_qa.engine.letter import context_from_mapping

# The plain words are the library's (vcl_qa/labels.py); the time limits in the category labels
# come from the calendar settings.
DECISION_LABELS = labels.DECISIONS
OFFENCE_LABELS = labels.OFFENCES
CATEGORY_LABELS = labels.categories()
BEREAVED_LABELS = {"": "Not known", "yes": "Yes", "no": "No"}
WITHDRAWAL_LABELS = {"": "Not known", "yes": "Yes", "no": "No"}  # the library reads yes and no
READER_LABELS = labels.READERS
FIELD_ORDER = ("decision", "decision_date", "letter_date", "victim_category", "bereaved", "offence",
               "victim_name", "urn", "withdrawal", "reader")


def form_values(form: Any) -> dict[str, str]:
    """The raw text of each context field, as typed (to show again on the form)."""
    return {f: str(form.get(f, "") or "").strip() for f in FIELD_ORDER}


def context_from_form(values: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Context fields for the library, and a message per field that is not valid."""
    raw: dict[str, Any] = {k: v for k, v in values.items() if v}
    if "bereaved" in raw:
        raw["bereaved"] = {"yes": True, "no": False}.get(raw["bereaved"], raw["bereaved"])
    errors: dict[str, str] = {}
    for key, value in raw.items():  # one at a time, so every bad field gets its message
        try:
            context_from_mapping({key: value})
        except LetterError as exc:
            errors[(exc.field or key).split(".")[0]] = exc.message
    if not errors:
        try:
            context_from_mapping(raw)
        except LetterError as exc:  # the dates out of order: said next to the letter date
            errors[exc.field or "letter_date"] = _dates_out_of_order(raw) or exc.message
    return raw, errors


def _dates_out_of_order(raw: dict[str, Any]) -> str | None:
    """The letter dated before its decision, in the page's words (the library's message names
    the fields as the API does: "decision_date 2025-03-11 is after letter_date 2025-03-10")."""
    try:
        decided = dt.date.fromisoformat(str(raw.get("decision_date")))
        dated = dt.date.fromisoformat(str(raw.get("letter_date")))
    except ValueError:
        return None
    if decided <= dated:
        return None
    return (f"The letter is dated {labels.long_date(dated)}, before the decision ({labels.long_date(decided)}). "
            "Check both dates.")


# A month typed as its name or the first three letters of it ("Dec", "december"), as people do
# (English names: the service never sets a locale, as panel/redact.py reads them too).
_MONTH_NAMES = {name.lower(): str(i) for names in (calendar.month_name, calendar.month_abbr)
                for i, name in enumerate(names) if name} | {"sept": "9"}


def date_from_form(form: Any, name: str) -> str:
    """A date field typed as day, month and year (`name-day` ...) or as one ISO date (`name`):
    the ISO date, '' when left empty; ValueError saying what is wrong."""
    parts = [str(form.get(f"{name}-{p}", "") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return str(form.get(name, "") or "").strip()
    if not all(parts):
        missing = [p for p, v in zip(("day", "month", "year"), parts) if not v]
        raise ValueError(f"must include a {' and a '.join(missing)}")
    day, month, year = parts
    month = _MONTH_NAMES.get(month.lower().rstrip("."), month)  # "Dec", "December": 12
    # The box that is wrong, named (an audit: a month typed "Dec" or a day "first" was told
    # "with the year in 4 figures", of a year that had them).
    if not day.isdigit():
        raise ValueError("must have the day as a number, for example 27 3 2025")
    if not month.isdigit():
        raise ValueError("must have the month as a number from 1 to 12, for example 27 3 2025")
    if not year.isdigit() or len(year) != 4:
        raise ValueError("must be a real date, with the year in 4 figures, for example 27 3 2025")
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise ValueError("must be a real date, for example 27 3 2025") from None


def date_parts(q: Any, name: str) -> dict[str, str]:
    """A date's day, month and year as typed, else from an ISO date (an older link's)."""
    typed = {p: str(q.get(f"{name}-{p}", "") or "").strip()[:20] for p in ("day", "month", "year")}
    if any(typed.values()):
        return typed
    iso = str(q.get(name, "") or "").strip()
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return typed
    return {"day": str(day.day), "month": str(day.month), "year": f"{day.year:04d}"}
