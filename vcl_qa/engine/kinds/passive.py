"""passive: a sentence in the passive voice ("the case has been discontinued"); one finding per
sentence at most."""
from __future__ import annotations

from typing import Iterator

from vcl_qa.engine.result import Finding

from .base import KindSettings, State, by_block, finding

HONOURS = {"when"}


class Settings(KindSettings):
    be_forms: list[str]
    adverbs: list[str] = []
    irregular_participles: list[str] = []
    adjectives: list[str] = []  # participle-like words that are adjectives here ("concerned")
    not_participles: list[str] = []  # words ending in -ed that are no verb ("Mr Royle's speed")


def check(rule, state: State) -> Iterator[Finding]:
    for start, end, _ in by_block(rule, state, 0, len(state.document.text), lambda a, b: _scan(rule, state, a, b)):
        yield finding(rule, state, start, end)


def _scan(rule, state: State, lo: int, hi: int) -> list[tuple[int, int, None]]:
    """The passive verbs of the sentences that start in [lo, hi): one a sentence at most."""
    cfg: Settings = rule.config
    be, adverbs = set(cfg.be_forms), set(cfg.adverbs)
    irregular, not_passive = set(cfg.irregular_participles), set(cfg.adjectives) | set(cfg.not_participles)
    all_toks = state.document.toks
    found = []
    for sent in state.document.sentences_in(lo, hi):
        toks = all_toks[sent.tok_start : sent.tok_end]
        for i, tok in enumerate(toks):
            if tok.lower not in be:
                continue
            j = i + 1
            while j < len(toks) and (toks[j].lower in adverbs):
                j += 1
            if j >= len(toks):
                continue
            w = toks[j].lower
            if w in not_passive:
                continue
            if (w.endswith("ed") and len(w) > 4) or w in irregular:
                found.append((tok.idx, toks[j].idx + len(toks[j].text), None))
                break  # one passive finding per sentence is enough
    return found
