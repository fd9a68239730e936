"""forbidden: when the context says so, the letter must not contain a concept."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding, next_sentence_text, rx, sentence_text

HONOURS = {"when"}


class Settings(KindSettings):
    concept: str
    # Not when the sentence where the concept is found, or the one after it, says this: "The
    # scheme that lets victims ask for a review covers decisions to stop a case. It does not
    # apply here" names the right only to say it does not apply.
    unless_near: str | None = None

    def concepts(self) -> list[str]:
        return [self.concept]


def check(rule, state: State) -> Iterator[Finding]:
    hit = state.concept(rule.config.concept)
    if not hit:
        return
    near = rule.config.unless_near
    if near:
        last = max(hit.start, hit.end - 1)
        if rx(near).search(sentence_text(state, last) + " " + next_sentence_text(state, last)):
            return
    yield finding(rule, state, hit.start, hit.end)
