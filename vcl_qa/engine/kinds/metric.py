"""metric: a readability figure below a threshold (a higher one for a reader who needs an
easier letter: `reader_min`)."""
from __future__ import annotations

from typing import Iterator, Literal

from vcl_qa.engine.letter import Reader
from vcl_qa.engine.result import Finding

from .base import KindSettings, NotAssessed, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    metric: Literal["flesch_reading_ease", "flesch_kincaid_grade", "average_sentence_words"]
    min: float | None = None
    # Another minimum for some readers (the letter's `reader`), e.g. {young_person: 70}.
    reader_min: dict[Reader, float] = {}

    def minimum(self, reader: str) -> float | None:
        return self.reader_min.get(Reader(reader), self.min)


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    value = state.metrics.get(cfg.metric)
    if value is None:
        raise NotAssessed("the letter has too little prose to measure")
    least = cfg.minimum(state.letter.context.reader)
    if least is not None and value < least:
        minimum = int(least) if float(least).is_integer() else least
        yield finding(rule, state, value=round(value, 1), min=minimum)
