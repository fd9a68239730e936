"""metric: a readability figure below a threshold."""
from __future__ import annotations

from typing import Iterator, Literal

from vcl_qa.engine.result import Finding

from .base import KindSettings, NotAssessed, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    metric: Literal["flesch_reading_ease", "flesch_kincaid_grade", "average_sentence_words"]
    min: float | None = None


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    value = state.metrics.get(cfg.metric)
    if value is None:
        raise NotAssessed("the letter has too little prose to measure")
    if cfg.min is not None and value < cfg.min:
        minimum = int(cfg.min) if float(cfg.min).is_integer() else cfg.min
        yield finding(rule, state, value=round(value, 1), min=minimum)
