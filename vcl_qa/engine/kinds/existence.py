"""existence: any listed pattern found -> a finding at each place."""
from __future__ import annotations

from typing import Iterator

from pydantic import field_validator

from vcl_qa.engine.fastsearch import finditer
from vcl_qa.engine.prefilter import literal_hints, may_match
from vcl_qa.engine.result import Finding

from .base import KindSettings, State, Suggests, finding, rx, sentence_text, spans

HONOURS = {"when", "scope", "within"}


class Pattern(Suggests):
    """A pattern, and its `suggest` and `fits` (Suggests): "get in touch" -> "call us" is a button,
    but not in "get in touch with me" ("call us with me")."""
    pattern: str
    unless: str | None = None   # not when this is in the same sentence
    only: str | None = None     # only when this is in the same sentence
    message: str | None = None


class Settings(KindSettings):
    patterns: list[Pattern]
    case_sensitive: bool = False

    @field_validator("patterns", mode="before")
    @classmethod
    def _strings(cls, value):
        if isinstance(value, list):
            return [{"pattern": v} if isinstance(v, str) else v for v in value]
        return value


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    areas = spans(rule, state)
    if not areas:
        return
    case = cfg.case_sensitive
    seen: set[tuple[int, int]] = set()
    for entry in cfg.patterns:
        if not case and not may_match(literal_hints(entry.pattern), state.lower_text):
            continue
        pat = rx(entry.pattern, case)
        unless = rx(entry.unless, case) if entry.unless else None
        only = rx(entry.only, False) if entry.only else None
        for lo, hi in areas:
            for m in finditer(pat, state.text_index, lo, hi):
                if m.end() == m.start() or any(a < m.end() and m.start() < b for a, b in seen):
                    continue
                if unless and unless.search(sentence_text(state, m.start())):
                    continue
                if only and not only.search(sentence_text(state, m.start())):
                    continue
                seen.add((m.start(), m.end()))
                f = finding(rule, state, m.start(), m.end(), message=entry.message,
                            suggestions=list(entry.suggest))
                if entry.fits:
                    f._fits = {s: fit.model_dump(exclude_none=True) for s, fit in entry.fits.items()}
                yield f
