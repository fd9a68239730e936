"""Figures worked out once per letter before the rules run: the language it is in,
readability over the prose, and the timeliness facts (due date, working days taken and late)
from the calendar settings."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import textstat

from vcl_qa.engine.kinds.base import State
from vcl_qa.engine.language import detect, keep_only
from vcl_qa.engine.structure import Document, analyse
from vcl_qa.engine.workdays import due_date, limit_for, working_days_between


def compute_metrics(state: State) -> None:
    """Language, readability figures over the prose, and the timeliness facts; filled in
    before checks."""
    doc = state.document
    m = state.metrics
    m.update(prose_figures(doc, state.ruleset.scoring))
    langs = detect([ln.text for ln in doc.lines])
    state.language = m["language"] = langs.language
    if langs.language == "cy":
        # The reading-ease formulas are for English: a Welsh letter has no such figures.
        m["flesch_reading_ease"] = m["flesch_kincaid_grade"] = None
    _timeliness(state)
    if langs.language == "cy+en":
        # A bilingual letter: the rules that read English only read its English lines
        # (kinds/base.py: rule_state), and its reading figures are those of the English lines.
        english = analyse(keep_only(doc.text, doc.line_starts, langs.lines, {"en"}))
        view = replace(state, document=english, concept_cache={}, window_cache={}, views={},
                       language="en", metrics={**m, **prose_figures(english, state.ruleset.scoring)})
        view._lower = view._index = None
        state.views["en"] = view
        m["flesch_reading_ease"] = view.metrics["flesch_reading_ease"]
        m["flesch_kincaid_grade"] = view.metrics["flesch_kincaid_grade"]


def prose_figures(doc: Document, scoring: dict[str, Any]) -> dict[str, Any]:
    """Words, sentences and the readability figures of the prose (reading figures are None
    when the prose is short)."""
    sents = doc.sentences
    words = sum(s.words for s in sents)
    m: dict[str, Any] = {
        "words": words,
        "sentences": len(sents),
        "average_sentence_words": round(words / len(sents), 1) if sents else 0.0,
        "longest_sentence_words": max((s.words for s in sents), default=0),
    }
    # textstat over the prose only, one sentence per line ending in a full stop, so that
    # headings and list items count as the short sentences they are.
    prose = " ".join(s.text.replace("\n", " ").rstrip(" .!?:;") + "." for s in sents)
    if words >= int(scoring.get("reading_figures_min_words", 30)):
        m["flesch_reading_ease"] = round(float(textstat.flesch_reading_ease(prose)), 1)
        m["flesch_kincaid_grade"] = round(float(textstat.flesch_kincaid_grade(prose)), 1)
    else:
        m["flesch_reading_ease"] = None
        m["flesch_kincaid_grade"] = None
    return m


def _timeliness(state: State) -> None:
    m = state.metrics
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
