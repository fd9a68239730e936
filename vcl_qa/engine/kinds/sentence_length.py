"""sentence_length: one finding per sentence over a number of words."""
from __future__ import annotations

from typing import Iterator

from pydantic import PositiveInt

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    max_words: PositiveInt


def check(rule, state: State) -> Iterator[Finding]:
    limit = rule.config.max_words
    for s in state.document.sentences:
        if s.words > limit:
            yield finding(rule, state, s.start, s.end, words=s.words, max_words=limit)
