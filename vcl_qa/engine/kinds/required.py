"""required: when the context calls for it, the letter must contain a concept."""
from __future__ import annotations

from typing import Iterator, Literal

from pydantic import model_validator

from vcl_qa.engine.result import Finding
from vcl_qa.engine.second_opinion import doubted

from .base import InsertSettings, State, finding, for_both_halves, offer_insert

HONOURS = {"when"}


class Settings(InsertSettings):
    concept: str | None = None
    concept_by_decision: dict[str, list[str]] | None = None  # decision -> any of these concepts
    generic_concept: str | None = None  # found instead: a boilerplate version of the concept
    generic_message: str | None = None
    # The concept's patterns found it but the classifier's second opinion doubted it
    # (engine/second_opinion.py): said with this message, at this severity, at the sentence.
    doubted_message: str | None = None
    doubted_severity: Literal["error", "warning", "suggestion"] | None = None
    # Where one concept is found, another must come with it (the Code for Crown Prosecutors
    # named -> what it is); otherwise a finding at the first, with `found_needs_message`.
    found_needs: dict[str, str] = {}
    found_needs_message: str | None = None
    # Not part of the check: where the letter page puts a paragraph that goes after the content
    # (`insert_place: early` elsewhere: feelings, condolences, an apology), by decision: after
    # the first sentence where this concept is found, when it comes within `placed_within`
    # sentences (or headings) of the first that gives the content (engine/run.py
    # decision_stated). "A change to the charge against Mr Lane" gives a changed charge; the
    # victim learns what the charge now is a sentence or two on.
    placed_after: dict[str, str] = {}
    placed_within: int = 6

    @model_validator(mode="after")
    def _one_concept(self):
        if not self.concept and not self.concept_by_decision:
            raise ValueError("needs 'concept' or 'concept_by_decision'")
        return self

    def concepts(self) -> list[str]:
        names = [self.concept] if self.concept else []
        for group in (self.concept_by_decision or {}).values():
            names += group
        names += [c for pair in self.found_needs.items() for c in pair]
        return names + ([self.generic_concept] if self.generic_concept else [])


def concepts_for(cfg: Settings, state: State) -> list[str]:
    """The concepts any of which shows the content, for this letter's decision."""
    if cfg.concept_by_decision:
        decision = state.letter.context.decision
        if decision is None:
            return list(dict.fromkeys(c for cs in cfg.concept_by_decision.values() for c in cs))
        return list(cfg.concept_by_decision.get(decision) or [])
    return [cfg.concept]


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    yield from _missing(cfg, rule, state)
    for found, needed in cfg.found_needs.items():
        hit = state.concept(found)
        if hit and not state.concept(needed):
            yield finding(rule, state, hit.start, hit.end, message=cfg.found_needs_message)


def _missing(cfg: Settings, rule, state: State) -> Iterator[Finding]:
    if any(state.concept(n) for n in concepts_for(cfg, state)):
        return
    hit = state.concept(cfg.generic_concept) if cfg.generic_concept else None
    if hit:
        yield finding(rule, state, hit.start, hit.end, message=cfg.generic_message)
        return
    doubt = next((d for n in concepts_for(cfg, state) if (d := doubted(n, state))), None)
    if doubt and cfg.doubted_message:
        yield finding(rule, state, doubt.start, doubt.end, message=cfg.doubted_message,
                      severity=cfg.doubted_severity)
        return
    yield for_both_halves(offer_insert(finding(rule, state), cfg, state), cfg, state)
