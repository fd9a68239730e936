"""header_line: a line the letter's header block must carry ("Private - to be opened by
addressee only"). The header block is every line before the greeting (before the first line
of prose when there is no greeting); a heading split over two lines counts."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding
from vcl_qa.engine.structure import patterns as structure_patterns

from .base import InsertSettings, State, finding, insert_suggestion, rx

HONOURS = {"when"}


class Settings(InsertSettings):
    patterns: list[str]  # the line as it should be (any of these, matched anywhere in the line)
    near: list[str] = []  # a line that stands in its place but is not it ("Confidential")
    near_message: str | None = None
    # insert, insert_cy (InsertSettings): the line to add, or to put in place of a near one


def header_lines(state: State, *, to_first_sentence: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, text) of each non-blank line of the header block, spaces trimmed.
    `to_first_sentence` (the heading this kind looks for): with no greeting, the block runs on to
    the first line that ends a sentence of some words: an office address in a letterhead
    ("Victim Liaison Unit, 3rd Floor, Kite House, Bournemouth BH1 2AB") reads as prose to the
    structure, and the heading under it went unseen, so a letter that had it was told it lacked
    it, and its button put in a second one (a review). Not for the addressee (case_details): in a
    letter wrapped at a line length, its first lines of prose would be taken for the address."""
    doc = state.document
    end = doc.greeting.start if doc.greeting else (
        max(doc.prose_start, _first_sentence_line(state)) if to_first_sentence else doc.prose_start)
    out = []
    for line in doc.lines:
        if line.start >= end:
            break
        text = line.text.strip()
        if text:
            lead = len(line.text) - len(line.text.lstrip())
            out.append((line.start + lead, line.start + lead + len(text), text))
    return out


def _first_sentence_line(state: State) -> int:
    """Where the first line that ends like a sentence, of prose_min_words words or more, starts
    (the letter's end when there is none)."""
    pats = structure_patterns()
    for line in state.document.lines:
        text = line.text.strip()
        if len(text.split()) >= pats.prose_min_words and pats.line_end_sentence.search(text):
            return line.start
    return len(state.document.text)


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    lines = header_lines(state, to_first_sentence=True)
    # One line, or two neighbours read as one ("PRIVATE" above "To be opened by ...").
    candidates = [t for _, _, t in lines]
    candidates += [f"{a[2]} {b[2]}" for a, b in zip(lines, lines[1:])]
    if any(rx(p).search(text) for p in cfg.patterns for text in candidates):
        return
    suggestions = insert_suggestion(cfg, state)
    for start, end, text in lines:
        if any(rx(p).search(text) for p in cfg.near):
            yield finding(rule, state, start, end, message=cfg.near_message,
                          suggestions=suggestions)
            return
    yield finding(rule, state, suggestions=suggestions)
