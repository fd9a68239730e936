"""One table of plain words for the codes the library uses (verdicts, dimensions, severities,
decisions, victim categories, statuses), and the one date format, shared by the text report,
the pages, the CSV exports and the board report. Codes stay in the JSON API (the contract);
people read these."""
from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import Decision, Offence, Reader, VictimCategory
from vcl_qa.engine.workdays import limit_for

VERDICTS = {"good": "Good", "needs_work": "Needs work", "poor": "Poor"}
DIMENSIONS = {"timeliness": "On time", "content": "What it says", "readability": "Plain words",
              "empathy": "Care and tone"}
SEVERITIES = {"error": "Must fix", "warning": "Should fix", "suggestion": "Worth a look"}
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}  # must fix first
DECISIONS = {
    "discontinued": "Stop the case (discontinued)",
    "no_evidence_offered": "Offer no evidence",
    "charge_altered": "Change (alter) a charge",
    "not_charged": "Not to charge",
    "left_on_file": "Leave the charges to lie on the file",
}
OFFENCES = {o.value: o.value.replace("_", " ").capitalize() for o in Offence}
LETTER_STATUSES = {"draft": "Draft", "sent": "Sent"}
REGISTER_STATUSES = {"due": "Due", "due_today": "Due today", "overdue": "Overdue: not sent",
                     "sent_on_time": "Sent on time", "sent_late": "Sent late",
                     "not_required": "No letter needed"}
_CATEGORY_WORDS = {
    # (every group owed them, as the check form has always said: the letters CSV, the register,
    # the letter page and the training guide left out bereaved families and under-18s)
    "enhanced": "Enhanced rights (bereaved families, under-18s, most serious crime, persistently targeted, "
                "vulnerable or intimidated)",
    "standard": "Standard",
}
# The words before (letters CSV files exported until December 2026 say them): still read back
# in by `vcl-qa import-decisions` (decisions/register.py).
CATEGORY_WORDS_BEFORE = {"enhanced": "Enhanced rights (most serious crime, persistently targeted, vulnerable or intimidated)"}
# Who will read the letter (the `reader` detail), and the language it is in (metrics.language).
READERS = {"adult": "An adult", "young_person": "A young person (under 18)",
           "easy_read": "Someone who needs Easy Read (a learning disability)"}
LANGUAGES = {"en": "English", "cy": "Welsh", "cy+en": "Welsh and English"}
assert set(DECISIONS) == {d.value for d in Decision}
assert set(READERS) == {r.value for r in Reader}
assert set(_CATEGORY_WORDS) == {c.value for c in VictimCategory}


def percent(part: int, whole: int, places: int = 1) -> float | int | None:
    """`part` of `whole` as a percentage to `places` decimal places (a whole number with none);
    None when `whole` is 0. Rounded as a spreadsheet or a calculator rounds, a half upwards: 57 of
    80 is 71.3 and 1 of 8 is 13 (Python's round() gave 71.2 and 12, rounding a half to the even
    figure, so an inspector working the figure out from the counts shown beside it got another).
    Never 100 unless every one, never 0 unless none: 1,999 of 2,000 is 99.9, not 100.0 beside
    "1 was sent late"."""
    if not whole:
        return None
    step = Fraction(1, 10 ** places)
    shown = math.floor(Fraction(100 * part, whole) / step + Fraction(1, 2)) * step
    if part < whole:
        shown = min(shown, 100 - step)
    if part > 0:
        shown = max(shown, step)
    return int(shown) if places == 0 else round(float(shown), places)


def average(total: int, count: int, places: int = 1) -> float | None:
    """The average of whole numbers (`total` over `count`) to `places`, rounded as a spreadsheet
    rounds it, a half upwards, from the exact figure: 20 scores adding up to 1,601 average 80.05,
    shown 80.1 (Python's round() gave 80.0, a spreadsheet 80.1); None when there are none."""
    if not count:
        return None
    step = Fraction(1, 10 ** places)
    return round(float(math.floor(Fraction(total, count) / step + Fraction(1, 2)) * step), places)


def size_words(n: int) -> str:
    """A size in bytes as people say it: "850 KB" under a megabyte, "2.3 MB" from one; a tenth at
    most, a whole number without one ("200 KB", "1 MB"). Rounded up, never down: a letter one
    byte over 200 KB is "200.1 KB", not "200 KB" beside "the most is 200 KB"."""
    unit, name = (1024, "KB") if n < 2**20 else (2**20, "MB")
    tenths = -(-n * 10 // unit)
    return f"{tenths // 10:,} {name}" if tenths % 10 == 0 else f"{tenths // 10:,}.{tenths % 10} {name}"


def working_days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def categories() -> dict[str, str]:
    """Victim categories with their time limit read from the calendar settings (rules/calendar.yml)."""
    return {c: f"{words}: {working_days(limit_for(c))}" for c, words in _CATEGORY_WORDS.items()}


def rule_title(rule_id: str) -> str:
    """A rule's plain title from rules/ ("No review right offered"); an id no rule has loses its
    dimension and underscores ("content.vrr" -> "vrr") rather than showing as code."""
    from vcl_qa.engine.rules import load_rules  # the rules load lazily: labels stay cheap to import

    rule = load_rules().by_id.get(rule_id)
    return rule.title if rule is not None else rule_id.split(".")[-1].replace("_", " ")


def month_words(month: str) -> str:
    """'2024-10' -> 'October 2024'."""
    day = dt.date.fromisoformat(f"{month}-01")
    return f"{day:%B} {day.year}"


def short_month_words(month: str) -> str:
    """'2025-12' -> 'Dec 2025', for a chart's labels: never 'Dec 25', which reads as a date."""
    day = dt.date.fromisoformat(f"{month}-01")
    return f"{day:%b} {day.year}"


def date_range_words(low: str | None, high: str | None, both: str = "from {} to {}", low_only: str = "from {}",
                     high_only: str = "to {}") -> str | None:
    """A filter's dates in words ("from Monday 1 December 2025 to Tuesday 31 March 2026"; the
    pages' filter lines), each form given with {} for the day(s); None with neither date."""
    if low and high:
        return both.format(long_date(low), long_date(high))
    if low:
        return low_only.format(long_date(low))
    return high_only.format(long_date(high)) if high else None


def filters_line(team: str | None, decision: str | None, dates: str | None) -> str | None:
    """Which filters a page's figures are for, in words ('Team north; decision: Not to charge;
    from Monday 1 December 2025 to ...'; `dates`: date_range_words), or None when none is on."""
    parts = [f"team {team}" if team else "", f"decision: {DECISIONS[decision]}" if decision else "", dates or ""]
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if text else None


def label(table: dict[str, str], code: str | None) -> str:
    """The plain words for a code; an unknown code is shown as it is, never dropped."""
    if code is None:
        return ""
    return table.get(code, str(code).replace("_", " "))


__all__ = ["VERDICTS", "DIMENSIONS", "SEVERITIES", "DECISIONS", "OFFENCES", "READERS", "LANGUAGES",
           "LETTER_STATUSES",
           "REGISTER_STATUSES", "categories", "date_range_words", "filters_line", "label", "long_date", "month_words", "rule_title", "short_month_words",
           "working_days"]
