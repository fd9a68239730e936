"""The letter context form: plain labels for each field, and validation through the library."""
from __future__ import annotations

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
            errors[exc.field or "letter_date"] = exc.message
    return raw, errors
