"""Figures worked out once per letter before the rules run: readability over the prose, and
the timeliness facts (due date, working days taken and late) from the calendar settings."""
from __future__ import annotations

import textstat

from vcl_qa.engine.kinds.base import State
from vcl_qa.engine.workdays import due_date, limit_for, working_days_between


def compute_metrics(state: State) -> None:
    """Readability figures over the prose, and the timeliness facts; filled in before checks."""
    doc = state.document
    sents = doc.sentences
    words = sum(s.words for s in sents)
    m = state.metrics
    m["words"] = words
    m["sentences"] = len(sents)
    m["average_sentence_words"] = round(words / len(sents), 1) if sents else 0.0
    m["longest_sentence_words"] = max((s.words for s in sents), default=0)
    # textstat over the prose only, one sentence per line ending in a full stop, so that
    # headings and list items count as the short sentences they are.
    prose = " ".join(s.text.replace("\n", " ").rstrip(" .!?:;") + "." for s in sents)
    if words >= int(state.ruleset.scoring.get("reading_figures_min_words", 30)):
        m["flesch_reading_ease"] = round(float(textstat.flesch_reading_ease(prose)), 1)
        m["flesch_kincaid_grade"] = round(float(textstat.flesch_kincaid_grade(prose)), 1)
    else:
        m["flesch_reading_ease"] = None
        m["flesch_kincaid_grade"] = None
    ctx = state.letter.context
    m["due_date"] = None
    m["working_days_taken"] = None
    m["limit_working_days"] = limit_for(ctx.victim_category)
    letter_date = ctx.letter_date or state.today
    m["letter_date"] = letter_date.isoformat()
    if ctx.decision_date:
        m["working_days_taken"] = working_days_between(ctx.decision_date, letter_date)
    if ctx.decision_date and ctx.victim_category:
        due = due_date(ctx.decision_date, ctx.victim_category)
        m["due_date"] = due.isoformat()
        late_by = working_days_between(due, letter_date)
        m["working_days_late"] = max(0, late_by)
        state.late = letter_date > due
