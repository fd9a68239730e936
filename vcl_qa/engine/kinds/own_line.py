"""own_line: steps that should each stand on a line of their own (Easy Read: the review right,
its 10 working days and its 3 months) are found together on one line."""
from __future__ import annotations

from typing import Iterator

from pydantic import field_validator

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, finding

HONOURS = {"when"}


class Settings(KindSettings):
    # The steps, each a concept, with the words the message uses for it.
    steps: dict[str, str]

    @field_validator("steps")
    @classmethod
    def _two_or_more(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) < 2:
            raise ValueError("needs at least two steps (concept: words for it)")
        return value

    def concepts(self) -> list[str]:
        return list(self.steps)


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    doc = state.document
    by_line: dict[int, list[str]] = {}
    for name, words in cfg.steps.items():
        hit = state.concept(name)
        if hit is not None:
            by_line.setdefault(doc.line_col(hit.start)[0], []).append(words)
    for number, steps in sorted(by_line.items()):
        if len(steps) < 2:
            continue
        line = doc.lines[number - 1]
        lead = len(line.text) - len(line.text.lstrip())
        start, end = line.start + lead, line.start + len(line.text.rstrip())
        yield finding(rule, state, start, end, steps=_and(steps))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
