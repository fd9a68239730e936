"""substitution: words with plainer alternatives -> a finding with suggestions.

A base-form term matches its inflections ("notify": "notified"); longer terms win.
"""
from __future__ import annotations

import re
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from vcl_qa.engine.nlp import lemma
from vcl_qa.engine.result import Finding

from .base import KindSettings, State, Suggests, finding, next_sentence_text, rx, sentence_text, spans

HONOURS = {"when", "scope", "within"}




class Swap(Suggests):
    """A term's plainer words (`suggest`), and `fits`: suggestions that fit only some uses of the
    word ("determine" -> "find out" is a button before "whether", never in "determined that",
    where it would mean "discovered")."""
    only: str | None = None
    unless: str | None = None
    explain_ok: bool | None = None
    message: str | None = None
    severity: Literal["error", "warning", "suggestion"] | None = None


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str | None = None
    explain_ok: bool = False  # no finding when the term is explained straight after it
    swap: dict[str, Swap]

    @field_validator("swap", mode="before")
    @classmethod
    def _lists(cls, value):
        if isinstance(value, dict):
            return {str(k): ({"suggest": v} if isinstance(v, list) else (v or {}))
                    for k, v in value.items()}
        return value


class Settings(KindSettings):
    groups: list[Group]


_TABLES: dict[tuple[str, str], dict[str, list[tuple[tuple[str, ...], dict]]]] = {}


def term_key(term: str) -> tuple[str, ...]:
    """A base-form word matches its inflections ("notify": "notified"); any other form matches
    only itself ("concerning" must not match "concerns")."""
    key = []
    for w in re.findall(r"[\w']+", term.lower()):
        base = lemma(w)
        key.append(base if base == w else "=" + w)
    return tuple(key)


def _table(rule, version: str) -> dict[str, list[tuple[tuple[str, ...], dict]]]:
    """First word of each term -> (whole term key, entry), longest terms first."""
    key = (rule.id, version)
    if key not in _TABLES:
        index: dict[str, list[tuple[tuple[str, ...], dict]]] = {}
        for group in rule.config.groups:
            for term, spec in group.swap.items():
                entry = {"explain_ok": group.explain_ok,
                         **spec.model_dump(exclude_unset=True), "term": term}
                tkey = term_key(term)
                index.setdefault(tkey[0], []).append((tkey, entry))
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
        _TABLES[key] = index
    return _TABLES[key]


def _token_matches(part: str, tok) -> bool:
    return tok.lower == part[1:] if part[0] == "=" else lemma(tok.lower) == part


def check(rule, state: State) -> Iterator[Finding]:
    index = _table(rule, state.ruleset.version)
    explained: set[str] = set()  # terms explained where first used: later uses are plain
    for lo, hi in spans(rule, state):
        yield from _check_span(rule, state, index, lo, hi, explained)


def _check_span(rule, state: State, index, lo: int, hi: int, explained: set[str]) -> Iterator[Finding]:
    words = [t for t in state.document.toks if not t.space and lo <= t.idx < hi and not t.punct]
    i = 0
    while i < len(words):
        tok = words[i]
        by_lemma, by_form = index.get(lemma(tok.lower)), index.get("=" + tok.lower)
        if not by_lemma and not by_form:  # most words start no listed term
            i += 1
            continue
        candidates = (by_lemma or []) + (by_form or [])
        hit = None
        for tkey, entry in sorted(candidates, key=lambda e: -len(e[0])):
            n = len(tkey)
            if i + n <= len(words) and all(_token_matches(p, words[i + k]) for k, p in enumerate(tkey)):
                start, end = tok.idx, words[i + n - 1].idx + len(words[i + n - 1].text)
                verdict = "explained" if entry["term"] in explained else _applies(entry, state, start, end)
                if verdict == "explained":
                    explained.add(entry["term"])
                elif verdict:
                    hit = (n, entry, start, end)
                    break
        if not hit:
            i += 1
            continue
        n, entry, start, end = hit
        i += n
        f = finding(rule, state, start, end, message=entry.get("message"),
                    suggestions=list(entry.get("suggest") or []), severity=entry.get("severity"))
        if entry.get("fits"):
            f._fits = entry["fits"]  # read by engine/suggest.py: where each may be a button
        yield f


def _applies(entry: dict, state: State, start: int, end: int) -> bool | str:
    """True when the term counts here; False when `only`/`unless` rule it out; "explained" when
    the words after it say what it means, or the words before it name what the sentence before
    explained ("This is called ..."); later uses of it in the letter are plain then too."""
    sentence = sentence_text(state, start)
    if entry.get("only") and not rx(entry["only"]).search(sentence):
        return False
    if entry.get("unless") and rx(entry["unless"]).search(sentence):
        return False
    if entry.get("explain_ok"):
        after = state.document.text[end : end + 200]
        sentence_rest = after.split(".")[0] if "." in after else after
        explained = state.ruleset.scoring.get("explanation_markers") or []
        following = sentence_rest + " " + next_sentence_text(state, start)
        if any(rx(p).search(following) for p in explained):
            return "explained"
        # named after it was explained: "... to one side. This is called leaving them to lie on file"
        before = state.document.text[max(0, start - 120):start]
        markers = state.ruleset.scoring.get("explanation_before_markers") or []
        if any(rx(p).search(before) for p in markers):
            return "explained"
    return True
