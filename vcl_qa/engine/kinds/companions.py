"""companions: a concept that is present needs its companions (the review right its time
limits), and must not come with a stale one ("five working days")."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import InsertSettings, State, finding, for_both_halves, offer_insert

HONOURS = {"when"}


class Settings(InsertSettings):
    concept: str
    needs: dict[str, str]  # concept -> how the message names it when missing
    stale_concept: str | None = None
    stale_message: str | None = None

    def concepts(self) -> list[str]:
        return [self.concept, *self.needs] + ([self.stale_concept] if self.stale_concept else [])


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    anchor = state.concept(cfg.concept)
    if anchor is None:
        return
    hit = state.concept(cfg.stale_concept) if cfg.stale_concept else None
    if hit:
        yield finding(rule, state, hit.start, hit.end, message=cfg.stale_message)
        return
    missing = [label for name, label in cfg.needs.items() if not state.concept(name)]
    if missing:
        f = finding(rule, state, anchor.start, anchor.end, missing=" and ".join(missing))
        yield for_both_halves(offer_insert(f, cfg, state), cfg, state)
