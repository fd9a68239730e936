"""existence: any listed pattern found -> a finding at each place."""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterator

from pydantic import field_validator

from vcl_qa.engine.fastsearch import finditer
from vcl_qa.engine.prefilter import HintBits, WordFinder
from vcl_qa.engine.result import Finding, note

from .base import KindSettings, State, Suggests, by_block, finding, in_sentence, rx, scope_bounds, sentence_text, spans

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
    if cfg.within:
        # only in the sentences where a concept was found (no more than one stretch)
        hits = [h for lo, hi in spans(rule, state) for h in _scan(rule, state, lo, hi)]
    else:
        lo, hi = scope_bounds(rule, state)
        hits = by_block(rule, state, lo, hi, lambda a, b: _scan(rule, state, a, b))
    for start, end, i in hits:
        entry = cfg.patterns[i]
        f = finding(rule, state, start, end, message=entry.message, suggestions=list(entry.suggest))
        if entry.fits:
            note(f, "_fits", entry.fits_as_read)
        yield f


def _scan(rule, state: State, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(start, end, pattern number) of each place found in [lo, hi): the first pattern to find
    a place reports it (a place found by several patterns is reported once)."""
    cfg: Settings = rule.config
    case = cfg.case_sensitive
    places = _Places()
    hits = []
    asked: dict = {}  # (pattern, sentence) -> found: a run-on sentence of many matches is read once
    if not case:
        needs, present = _hints_here(rule, state, lo, hi)
    for i, entry in enumerate(cfg.patterns):
        if not case and present & needs[i] != needs[i]:
            continue  # a word it cannot match without is not there
        pat = rx(entry.pattern, case)
        unless = rx(entry.unless, case) if entry.unless else None
        only = rx(entry.only, False) if entry.only else None
        for m in finditer(pat, state.text_index, lo, hi):
            if m.end() == m.start() or places.overlaps(m.start(), m.end()):
                continue
            if unless and in_sentence(unless, state, m.start(), asked):
                continue
            if only and not in_sentence(only, state, m.start(), asked):
                continue
            places.add(m.start(), m.end())
            hits.append((m.start(), m.end(), i))
    return hits



def _hints_here(rule, state: State, lo: int, hi: int) -> tuple[tuple[int, ...], int]:
    """The rule's patterns' hint bits, and the bits of the hints present in [lo, hi) of the
    letter: read in one pass for every existence rule of the letter's rule set (`_shared_hints`)
    and kept for the letter, where the rule is one of them; else the rule's own (`_hint_index`)."""
    finder, needs_by_rule = _shared_hints(state.ruleset)
    needs = needs_by_rule.get(id(rule))
    if needs is None:
        finder, needs = _hint_index(rule)
        return needs, finder.bits(state.lower_text[lo:hi])
    found = state.hints_found.get((lo, hi))
    if found is None:
        found = state.hints_found[(lo, hi)] = finder.bits(state.lower_text[lo:hi])
    return needs, found


def _shared_hints(rs) -> tuple:
    """The hint sets of every case-blind existence rule of a rule set, a bit each (the same
    set shared), found in a block in one pass for all of them: eight rules read each new block
    eight times, one automaton each. Each rule's patterns' bits, by the rule (kept with the
    rule set, which keeps its rules)."""
    kept = getattr(rs, "_existence_hints", None)
    if kept is None:
        bits = HintBits()
        needs = {id(r): tuple(bits.of(entry.pattern) for entry in r.config.patterns)
                 for r in rs.rules if r.kind == "existence" and not r.config.case_sensitive}
        kept = rs._existence_hints = (WordFinder(bits.masks()), needs)
    return kept


def _hint_index(rule) -> tuple:
    """The sets of words the rule's patterns cannot match without (engine/prefilter.py
    `hint_sets`: one word of each set must be there), a bit each, found in a block in one
    pass (prefilter.WordFinder: each word gives the bits of the sets it is in); and each
    pattern's bits (0: it always runs). Kept on the rule."""
    kept = rule.__dict__.get("_hint_index")
    if kept is None:
        bits = HintBits()
        needs = tuple(bits.of(entry.pattern) for entry in rule.config.patterns)
        kept = rule.__dict__["_hint_index"] = (WordFinder(bits.masks()), needs)
    return kept


class _Places:
    """Places reported, in order of where they start; they never overlap, so a new place
    overlaps one of them only if it overlaps the last that starts before it ends. (Looking
    through all of them for each match took minutes on a letter of 15,000 text-speak
    findings: review 11b.)"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect_left(self.starts, end)
        return bool(at) and self.ends[at - 1] > start

    def add(self, start: int, end: int) -> None:
        at = bisect_left(self.starts, end)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def _keep_apart(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans, in the order given, that are not empty and overlap none kept before them,
    as `check` keeps them (tests/test_memo_bounds.py compares it with the brute force)."""
    places, kept = _Places(), []
    for a, b in spans:
        if a != b and not places.overlaps(a, b):
            places.add(a, b)
            kept.append((a, b))
    return kept
