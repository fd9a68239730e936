"""The sentence classifier's second opinion on what the patterns found (issue 13).

A concept in rules/concepts.yml may ask for one (`second_opinion:`):
- `veto` (the reason): the patterns' hit counts only when the classifier gives one of the
  sentences they found it in, or the sentence after it in the same paragraph, at least the
  model's `veto` probability.
  Otherwise the concept is doubted: it counts as missing, and the rule that needs it says which
  sentence was doubted (`doubted_message`, usually at a milder `doubted_severity`).
- `rescue` (acknowledgement, the meeting offer): when the patterns find nothing, a sentence the
  classifier gives at least the model's `rescue` probability counts as the concept (only a
  sentence that matches the concept's `rescue_needs`, where it sets one: "His print could have
  been left then" is no acknowledgement, whatever the model says), and not its `rescue_unless`
  ("This does not mean we doubt you" says the victim is believed; it acknowledges no feeling).
The thresholds were chosen when the model was trained, on sentences it was not trained on
(scripts/train_concept_model.py), unless the concept sets its own (`second_opinion_at`); the model is English only, so a letter (or view) in Welsh
gets no second opinion, and with no model built (`make model`) the patterns alone decide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcl_qa.engine import classifier
from vcl_qa.engine.concepts import Concept, Hit, hit_segments
from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo

if TYPE_CHECKING:  # pragma: no cover
    from vcl_qa.engine.kinds.base import State


@dataclass(frozen=True)
class Doubt:
    """Where the reason the classifier doubted is: the first sentence the patterns found it in."""

    start: int
    end: int


def reconsider(concept: Concept, hit: Hit | None, state: "State") -> Hit | None:
    """The patterns' answer, after the classifier's second opinion where the concept asks for one."""
    if state.language != "en":
        return hit
    if concept.second_opinion == "veto" and hit is None:
        return None
    if concept.second_opinion == "rescue" and hit is not None:
        return hit
    folder = _model_folder(state)
    limits = classifier.limits(concept.name, folder)
    if not limits:
        return hit  # no model: no opinion
    if concept.second_opinion_at is not None:  # set in rules/concepts.yml
        limits = {**limits, concept.second_opinion: concept.second_opinion_at}
    segs = state.document.segments

    def opinion(indexes: list[int]) -> list[float]:
        # Each sentence is read once per process (classifier.py keeps its probabilities).
        return classifier.second_opinion(concept.name, [segs[i].text for i in indexes], folder)

    if concept.second_opinion == "veto":
        # The patterns' first hit, in one segment, already carrying the classifier's agreement
        # settles it (it is one of the hit segments looked at below): most letters stop here,
        # with only those one or two sentences read.
        # (the sentence before one that points back to it is read last, and only when the
        # others do not settle it: it is the same "any" over all of them, and most letters need
        # no more sentences read than before)
        back = refers_back(state.ruleset)
        first = next((i for i, s in enumerate(segs) if s.start <= hit.start and hit.end <= s.end), None)
        if first is not None:
            probs = opinion(_with_next(segs, first))
            if not probs:
                return hit  # no model: no opinion
            if any(p >= limits["veto"] for p in probs):
                return hit
        hits = hit_segments(concept, state.document, state.window_cache)
        if not hits:
            return hit  # found over a wider window than one sentence: the patterns' word stands
        near = sorted({j for i in hits for j in _with_next(segs, i)})
        probs = opinion(near)
        if not probs:
            return hit
        if any(p >= limits["veto"] for p in probs):
            return hit
        before = sorted({j for i in hits for j in _with_next(segs, i, back)} - set(near))
        if before and any(p >= limits["veto"] for p in opinion(before)):
            return hit
        state.doubted[concept.name] = Doubt(segs[hits[0]].start, segs[hits[0]].end)
        return None
    # (each sentence's answer looked up here first: a letter's sentences were nearly all met
    # before, and the call for each cost more than the look-up)
    token, kept = _rescue_token(concept), _RESCUABLE.get
    candidates = []
    for i, seg in enumerate(segs):
        found = kept((token, seg.text))
        if found is None:
            found = _may_rescue(concept, seg.text)
        if found:
            candidates.append(i)
    if not candidates:
        return None
    probs = opinion(candidates)
    if not probs:
        return hit  # no model: no opinion
    best = max(range(len(probs)), key=probs.__getitem__)
    if probs[best] < limits["rescue"]:
        return None
    seg = segs[candidates[best]]
    return Hit(seg.start, seg.end, state.document.text[seg.start:seg.end])


def _model_folder(state: "State") -> str:
    """The configured classifier's folder (classifier.py), worked out once a letter
    (`State._model_folder`): it is read from the process's settings, which cost more to read
    than the rest of a concept's look-up."""
    folder = state._model_folder
    if folder is None:
        folder = state._model_folder = classifier.configured_folder()
    return folder


def _may_rescue(concept: Concept, text: str) -> bool:
    """The sentence has what a rescued concept cannot do without (`rescue_needs`) and none of
    what rules it out (`rescue_unless`); kept per sentence (a letter's sentences are asked
    about on every rescue, and most were met before)."""
    needs, unless = concept.rescue_needs, concept.rescue_unless
    key = (_rescue_token(concept), text)
    found = _RESCUABLE.get(key)
    if found is None:
        found = bool((needs is None or needs.search(text)) and (unless is None or not unless.search(text)))
        if len(text) <= LONGEST_KEPT:
            _RESCUABLE.put(key, found, len(text))
    return found


# Sentences' answers to `_may_rescue` (a few rescued concepts each; about 100 bytes an entry).
_RESCUABLE = TextMemo(50_000, 2_000_000)
# A number for each (rescue_needs, rescue_unless) met, kept on the concept: the memo's key. (The
# patterns themselves made the key before, and hashing a compiled pattern reads all of its
# compiled code each time: a microsecond a sentence, for every sentence of every letter.)
_TOKENS: dict[tuple, int] = {}


def _rescue_token(concept: Concept) -> int:
    token = concept.__dict__.get("_rescue_token")
    if token is None:
        needs, unless = concept.rescue_needs, concept.rescue_unless
        shape = tuple((p.pattern, p.flags) if p is not None else None for p in (needs, unless))
        token = concept.__dict__["_rescue_token"] = _TOKENS.setdefault(shape, len(_TOKENS))
    return token


def _with_next(segs: list, i: int, back: re.Pattern | None = None) -> list[int]:
    """Segment i, and the one after it when that goes on the same paragraph of prose (a reason
    may run over two sentences: "The film was recorded over. This means ..."); a heading, a
    signature line or the next paragraph ("How can you contact me?") does not go on with it.
    And the one before it in the same paragraph when segment i starts by pointing back to it
    (`back`, rules/scoring.yml `refers_back`): in "The results from the forensic laboratory came
    back on 24 April. They support what you told the police ...", the patterns find the reason
    in the second sentence, and the fact it rests on is in the first (holdout30)."""
    out = [i]
    seg = segs[i]
    if seg.paragraph >= 0:
        if back is not None and i > 0 and segs[i - 1].paragraph == seg.paragraph and back.match(seg.text):
            out.insert(0, i - 1)
        if i + 1 < len(segs) and segs[i + 1].paragraph == seg.paragraph:
            out.append(i + 1)
    return out


def refers_back(ruleset) -> re.Pattern | None:
    """rules/scoring.yml `refers_back`, compiled once per rule set (None when it sets none)."""
    kept = ruleset.__dict__.get("_refers_back", _UNSET)
    if kept is _UNSET:
        pattern = (ruleset.scoring or {}).get("refers_back")
        kept = ruleset.__dict__["_refers_back"] = re.compile(pattern, re.I) if pattern else None
    return kept


_UNSET = object()


def doubted(concept: str, state: "State") -> Doubt | None:
    """The doubted hit of a concept, once `state.concept` has been asked for it."""
    return state.doubted.get(concept)
