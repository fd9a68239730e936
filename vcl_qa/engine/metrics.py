"""Figures worked out once per letter before the rules run: the language it is in,
readability over the prose, and the timeliness facts (due date, working days taken and late)
from the calendar settings."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vcl_qa.engine import syllables
from vcl_qa.engine.kinds.base import State
from vcl_qa.engine.language import detect, keep_only
from vcl_qa.engine.memo import keep_short
from vcl_qa.engine.structure import Document, analyse
from vcl_qa.engine.workdays import due_date, limit_for, limit_reason, working_days_between


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
        view = replace(state, document=english, concept_cache={}, window_cache={}, views={}, doubted={},
                       hints_found={}, language="en",
                       metrics={**m, **prose_figures(english, state.ruleset.scoring)})
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
    # Flesch figures over the prose only, one sentence per piece ending in a full stop, so that
    # headings and list items count as the short sentences they are. textstat counts the words,
    # syllables and sentences of each piece (kept for sentences met before: letters made from
    # the same paragraphs share them); the sums are what textstat counts over the whole prose
    # (tests/test_reading_figures.py compares the two).
    if words >= int(scoring.get("reading_figures_min_words", 30)):
        totals = [sum(c) for c in zip(*map(sentence_counts, [s.text for s in sents]))]
        m["flesch_reading_ease"], m["flesch_kincaid_grade"] = flesch(*totals)
    else:
        m["flesch_reading_ease"] = None
        m["flesch_kincaid_grade"] = None
    return m


def piece(sentence: str) -> str:
    """A sentence as the reading figures count it: on one line, ending in one full stop."""
    return sentence.replace("\n", " ").rstrip(" .!?:;") + "."


# textstat keeps (in its own caches, 128 entries each) the word list of every text it counts:
# a hostile run-on sentence of 100,000 characters would be kept whole, over and over. A long
# text is counted in parts split at spaces instead; its words and syllables are counted word
# by word, so the parts add up to the same figures (tests/test_reading_figures.py).
LONG_PIECE = 2_000


@keep_short(maxsize=20_000, longest=LONG_PIECE, chars=2_000_000)
def sentence_counts(sentence: str) -> tuple[int, int, int]:
    """`piece_counts(piece(sentence))`, kept by the sentence as the letter has it: a letter's
    sentences are strings the structure's memo shares between letters, whose hash Python
    keeps, so a sentence met before is looked up without making its piece afresh."""
    return piece_counts(piece(sentence))


@keep_short(maxsize=50_000, longest=LONG_PIECE)
def piece_counts(text: str) -> tuple[int, int, int]:
    """textstat's words, syllables and sentences of one piece (sentences without textstat's
    floor of one, so that pieces add up). Pieces are remembered (50,000 of them) unless long."""
    runs = _RUNS.findall(text)
    return (_lexicon(text), _syllables(text), sum(1 for r in runs if _lexicon(r) > 2))


def _lexicon(text: str) -> int:
    if len(text) <= LONG_PIECE:
        return word_count(text)
    return sum(word_count(part) for part in _parts(text))


# textstat's lexicon_count, its steps with its patterns (textstat 0.7.8, pinned), compiled
# once (syllables.unpunctuated): the apostrophes that end no contraction taken out, then every
# other mark but the apostrophe, and the runs between spaces counted. Through textstat's layers
# of calls and caches it cost five microseconds a piece, three times a new sentence
# (tests/test_reading_figures.py compares the two on every sentence of the letters, and on
# random text).
def word_count(text: str) -> int:
    """`textstat.lexicon_count(text)`."""
    return len(syllables.unpunctuated(text).split())


def _syllables(text: str) -> int:
    if len(text) <= LONG_PIECE:
        return syllables.count(text)
    return sum(syllables.count(part) for part in _parts(text))


def _parts(text: str, size: int = LONG_PIECE // 2) -> list[str]:
    """The text cut at spaces into parts of about `size` characters (a longer word alone)."""
    parts, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = text.rfind(" ", start + 1, end)
            if cut <= start:  # one word longer than a part: up to the next space
                cut = text.find(" ", end)
            end = cut if cut > start else n
        parts.append(text[start:end])
        start = end
    return parts


_RUNS = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)


def flesch(words: int, syllables: int, sentences: int) -> tuple[float, float]:
    """Flesch Reading Ease and Flesch-Kincaid grade, rounded to one place, as textstat works
    them out from the same counts (its English constants; sentences at least one)."""
    if not words:
        return 0.0, 0.0
    per_sentence = words / max(1, sentences)
    per_word = syllables / words
    if per_word == 0:
        return 0.0, 0.0
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = (0.39 * per_sentence) + (11.8 * per_word) - 15.59
    return round(float(ease), 1), round(float(grade), 1)


def _timeliness(state: State) -> None:
    figures, late = timeliness_figures(state.letter.context, state.today)
    state.metrics.update(figures)
    if late is not None:
        state.late = late


def timeliness_figures(ctx: Any, today: Any) -> tuple[dict[str, Any], bool | None]:
    """The figures that depend on the letter's date (due date, working days taken and late,
    the limit, the letter's date: `today` when it has none), in the order a result lists them,
    and whether it is late (None: it cannot be told, without decision_date and victim_category).
    engine/redate.py works a result out for another day from these alone."""
    m: dict[str, Any] = {}
    late = None
    m["due_date"] = None
    m["working_days_taken"] = None
    # A bereaved close relative is owed the enhanced service's limit whatever the category
    # chosen; `limit_reason` says so ("bereaved"), None when the category's own limit applies.
    m["limit_working_days"] = limit_for(ctx.victim_category, ctx.bereaved)
    m["limit_reason"] = limit_reason(ctx.victim_category, ctx.bereaved)
    letter_date = ctx.letter_date or today
    m["letter_date"] = letter_date.isoformat()
    if ctx.decision_date:
        m["working_days_taken"] = working_days_between(ctx.decision_date, letter_date)
    if ctx.decision_date and ctx.victim_category:
        due = due_date(ctx.decision_date, ctx.victim_category, ctx.bereaved)
        m["due_date"] = due.isoformat()
        late_by = working_days_between(due, letter_date)
        m["working_days_late"] = max(0, late_by)
        late = letter_date > due
    return m, late
