"""details: a letter detail that the content checks need is missing, so they could not be made.

Each check that needs the detail still reports "not assessed" (the contract); this says so
where the writer looks first, as a finding that names the checks, so that a letter whose review
right was never checked cannot pass as good (no false all-clear)."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, condition_keys, finding

HONOURS: set[str] = set()


class Settings(KindSettings):
    field: str  # the letter detail ("decision")


def check(rule, state: State) -> Iterator[Finding]:
    """One finding when the detail is missing and some content check's `when` names it."""
    cfg: Settings = rule.config
    if getattr(state.letter.context, cfg.field, None) not in (None, "unknown"):
        return
    if any(r.id != rule.id and cfg.field in condition_keys(r.config.when) for r in state.ruleset.rules):
        yield finding(rule, state)
