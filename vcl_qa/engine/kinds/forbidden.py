"""forbidden: when the context says so, the letter must not contain a concept."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    concept: str

    def concepts(self) -> list[str]:
        return [self.concept]


def check(rule, state: State) -> Iterator[Finding]:
    hit = state.concept(rule.config.concept)
    if hit:
        yield finding(rule, state, hit.start, hit.end)
