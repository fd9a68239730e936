"""header_line: a line the letter's header block must carry ("Private - to be opened by
addressee only"). The header block is every line before the greeting (before the first line
of prose when there is no greeting); a heading split over two lines counts."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import InsertSettings, State, finding, insert_suggestion, rx

HONOURS = {"when"}


class Settings(InsertSettings):
    patterns: list[str]  # the line as it should be (any of these, matched anywhere in the line)
    near: list[str] = []  # a line that stands in its place but is not it ("Confidential")
    near_message: str | None = None
    # insert, insert_cy (InsertSettings): the line to add, or to put in place of a near one


def header_lines(state: State) -> list[tuple[int, int, str]]:
    """(start, end, text) of each non-blank line of the header block, spaces trimmed."""
    doc = state.document
    end = doc.greeting.start if doc.greeting else doc.prose_start
    out = []
    for line in doc.lines:
        if line.start >= end:
            break
        text = line.text.strip()
        if text:
            lead = len(line.text) - len(line.text.lstrip())
            out.append((line.start + lead, line.start + lead + len(text), text))
    return out


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    lines = header_lines(state)
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
