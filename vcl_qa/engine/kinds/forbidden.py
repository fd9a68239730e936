"""forbidden: when the context says so, the letter must not contain a concept."""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterator

from pydantic import PositiveInt

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding, rx, sentence_text

HONOURS = {"when"}


class Settings(KindSettings):
    concept: str
    # Not when the sentence where the concept is found, or the one after it, says this: "The
    # scheme that lets victims ask for a review covers decisions to stop a case. It does not
    # apply here" names the right only to say it does not apply.
    unless_near: str | None = None
    # Nor when one of the `later_sentences` after those says this (stricter: it must speak of
    # the scheme): a question heading "Can I ask for a review?" answered a little later, "So
    # it does not apply here".
    unless_later: str | None = None
    later_sentences: PositiveInt = 2

    def concepts(self) -> list[str]:
        return [self.concept]


def check(rule, state: State) -> Iterator[Finding]:
    hit = state.concept(rule.config.concept)
    if not hit:
        return
    cfg: Settings = rule.config
    last = max(hit.start, hit.end - 1)
    after = _after(state, last, 1 + (cfg.later_sentences if cfg.unless_later else 0))
    if cfg.unless_near and rx(cfg.unless_near).search(" ".join([sentence_text(state, last), *after[:1]])):
        return
    if cfg.unless_later and rx(cfg.unless_later).search(" ".join(after[1:])):
        return
    yield finding(rule, state, hit.start, hit.end)


def _after(state: State, offset: int, n: int) -> list[str]:
    """The texts of the n sentences that start after the sentence (or heading line) at offset."""
    doc = state.document
    i = doc.sentence_at(offset)
    if i is None:  # a heading or other line: the sentences after it
        line = doc.lines[doc.line_col(offset)[0] - 1]
        i = bisect_right([s.start for s in doc.sentences], line.end) - 1
    return [s.text for s in doc.sentences[i + 1:i + 1 + n]]
