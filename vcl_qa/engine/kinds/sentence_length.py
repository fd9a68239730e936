"""sentence_length: one finding per sentence over a number of words (a lower number for a
reader who needs shorter sentences: `reader_max_words`)."""
from __future__ import annotations

from typing import Iterator

from pydantic import PositiveInt

from vcl_qa.engine.letter import Reader
from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    max_words: PositiveInt
    # Another maximum for some readers (the letter's `reader`), e.g. {easy_read: 15}.
    reader_max_words: dict[Reader, PositiveInt] = {}

    def limit(self, reader: str) -> int:
        return self.reader_max_words.get(Reader(reader), self.max_words)


def check(rule, state: State) -> Iterator[Finding]:
    limit = rule.config.limit(state.letter.context.reader)
    for s in state.document.sentences:
        if s.words > limit:
            yield finding(rule, state, s.start, s.end, words=s.words, max_words=limit)
