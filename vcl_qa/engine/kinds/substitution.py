"""substitution: words with plainer alternatives -> a finding with suggestions.

A base-form term matches its inflections ("notify": "notified"); longer terms win.
"""
from __future__ import annotations

import re
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from vcl_qa._compiled import CompiledFunction  # methods built by Cython are not fields
from vcl_qa.engine.memo import TextMemo
from vcl_qa.engine.nlp import lemma
from vcl_qa.engine.result import Finding, note

from .base import (BLOCK_FINDS, KindSettings, State, Suggests, finding, in_sentence, rule_serial, rx, scope_bounds,
                   sentence_text, spans)

HONOURS = {"when", "scope", "within"}




class Swap(Suggests):
    """A term's plainer words (`suggest`), and `fits`: suggestions that fit only some uses of the
    word ("determine" -> "find out" is a button before "whether", never in "determined that",
    where it would mean "discovered")."""
    only: str | None = None
    unless: str | None = None
    explain_ok: bool | None = None
    # This term's own explanation, in the rest of its sentence or the next (with explain_ok): a
    # pattern, as the scoring's explanation_markers are for every term. 'The charge will "lie
    # on file". The case against him will not go ahead now.' says what lying on file does; the
    # same sentence after "the full code test" would explain nothing.
    explained_by: str | None = None
    message: str | None = None
    severity: Literal["error", "warning", "suggestion"] | None = None


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(CompiledFunction,))
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


# The words met, per term table, before their list of the terms they may begin is emptied
# (and the characters of them); a longer "word" (a hostile paste) is worked out each time.
STARTING_KEPT = 50_000
STARTING_CHARS = 1_000_000
LONGEST_WORD_KEPT = 100


class Table(dict):
    """First word of each term -> (whole term key, entry), longest terms first; and, for each
    word (lower case) met in a letter, the terms it may begin (`starting`, `_begun`)."""

    def __init__(self) -> None:
        super().__init__()
        self.starting = TextMemo(STARTING_KEPT, STARTING_CHARS)


_TABLES: dict[tuple[str, str], Table] = {}


_TERM_WORD = re.compile(r"[\w']+\.?")


def term_key(term: str) -> tuple[str, ...]:
    """A base-form word matches its inflections ("notify": "notified"); any other form matches
    only itself ("concerning" must not match "concerns"). A full stop written after a word in
    the term is part of it ("r. v.": the tokenizer keeps "R." and "v." whole)."""
    key = []
    for w in _TERM_WORD.findall(term.lower()):
        base = lemma(w)
        key.append(base if base == w else "=" + w)
    return tuple(key)


def _table(rule, version: str) -> Table:
    """First word of each term -> (whole term key, entry), longest terms first."""
    key = (rule.id, version)
    if key not in _TABLES:
        index = Table()
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
    explained: frozenset[str] = frozenset()  # terms explained where first used: later uses are plain
    if rule.config.within:
        hits = []
        for lo, hi in spans(rule, state):
            found, explained, _ = _scan(rule, state, index, lo, hi, explained, lo, hi)
            hits += found
    else:
        hits = _by_block(rule, state, index, *scope_bounds(rule, state))
    decision = state.letter.context.decision
    for start, end, entry in hits:
        suggestions = list(entry.get("suggest") or [])
        fits = entry.get("fits")
        if fits and decision is not None:  # a suggestion only for letters about some decisions (Fit.decisions)
            suggestions = [s for s in suggestions
                           if not (fits.get(s) or {}).get("decisions") or decision in fits[s]["decisions"]]
        f = finding(rule, state, start, end, message=entry.get("message"),
                    suggestions=suggestions, severity=entry.get("severity"))
        if entry.get("fits"):
            note(f, "_fits", entry["fits"])  # read by engine/suggest.py: where each may be a button
        yield f


def _by_block(rule, state: State, index, lo: int, hi: int) -> list[tuple[int, int, dict]]:
    """`_scan` a block at a time (kinds/base.py by_block), carrying the terms explained so far
    from block to block. A block whose answer read words outside it (an explanation looked
    for in the next paragraph, a name for it in the one before) is kept with what each of those
    looks found: the block's answer is taken again only where each look finds the same in this
    letter, else the block is read again. (Read again every time, a paragraph whose last
    sentence has such a term cost a twentieth of a letter made of paragraphs met before.)"""
    serial = rule_serial(rule)
    explained: frozenset[str] = frozenset()
    out: list[tuple[int, int, dict]] = []
    for b0, b1, key in state.document.blocks:
        a, b = max(lo, b0), min(hi, b1)
        if a >= b:
            continue
        k = (serial, key, a - b0, b - b0, explained) if key is not None else None
        kept = BLOCK_FINDS.get(k) if k else None
        if kept is not None and kept[2] and not all(
                _applies(entry, state, s + b0, e + b0)[0] == verdict for s, e, entry, verdict in kept[2]):
            kept = None  # a look outside the block finds otherwise in this letter
        if kept is None:
            found, after, outside = _scan(rule, state, index, a, b, explained, b0, b1)
            kept = (tuple((s - b0, e - b0, x) for s, e, x in found), after,
                    tuple((s - b0, e - b0, x, v) for s, e, x, v in outside))
            if k:
                BLOCK_FINDS.put(k, kept, b1 - b0)
        found, explained, _ = kept
        if found:
            out.extend((s + b0, e + b0, x) for s, e, x in found)
    return out


def _scan(rule, state: State, index, lo: int, hi: int, explained: frozenset[str],
          b0: int, b1: int) -> tuple[list[tuple[int, int, dict]], frozenset[str], list[tuple]]:
    """The terms found in [lo, hi) (start, end, entry), the terms explained by its end, and
    each look that read words outside [b0, b1): (start, end, entry, what `_applies` said). The
    answer depends on nothing else outside the block: given the same words in it, the same
    terms explained before it and the same answers from those looks, it is the same."""
    doc = state.document
    first, last = doc.tok_span(lo, hi)
    words = [t for t in doc.toks[first:last] if not t.space and not t.punct]
    now = set(explained)
    found: list[tuple[int, int, dict]] = []
    outside: list[tuple[int, int, dict, bool | str]] = []
    # The terms each word may begin, read for all the words at once (most begin none).
    starting = index.starting
    lows = [t.lower for t in words]
    begins = list(map(starting.get, lows))
    for j, c in enumerate(begins):
        if c is None:
            begins[j] = _begun(index, starting, lows[j])
    after = 0  # (a word inside a term found is not looked at again)
    asked: dict = {}  # (pattern, sentence): whether it finds anything there (`_applies`)
    for i in [j for j, c in enumerate(begins) if c]:
        if i < after:
            continue
        tok = words[i]
        hit = None
        for tkey, entry in begins[i]:
            n = len(tkey)
            if i + n <= len(words) and all(_token_matches(p, words[i + k]) for k, p in enumerate(tkey)):
                start, end = tok.idx, words[i + n - 1].idx + len(words[i + n - 1].text)
                if entry["term"] in now:
                    verdict = "explained"
                else:
                    verdict, looked = _applies(entry, state, start, end, asked)
                    if looked[0] < b0 or looked[1] > b1:
                        outside.append((start, end, entry, verdict))
                if verdict == "explained":
                    now.add(entry["term"])
                elif verdict:
                    hit = (n, entry, start, end)
                    break
        if not hit:
            continue
        n, entry, start, end = hit
        after = i + n
        found.append((start, end, entry))
    return found, frozenset(now) if len(now) != len(explained) else explained, outside


def _begun(index: Table, starting: TextMemo, low: str) -> tuple:
    """The terms a word may begin: those listed under its lemma, then under its own form
    ("=" + form), longest first (a stable sort: of two as long, the lemma's first)."""
    by_lemma, by_form = index.get(lemma(low)), index.get("=" + low)
    if not by_lemma and not by_form:
        terms: tuple = ()
    else:
        terms = tuple(sorted((by_lemma or []) + (by_form or []), key=lambda e: -len(e[0])))
    if len(low) <= LONGEST_WORD_KEPT:
        starting.put(low, terms, len(low))
    return terms


def _applies(entry: dict, state: State, start: int, end: int,
             asked: dict | None = None) -> tuple[bool | str, tuple[int, int]]:
    """True when the term counts here; False when `only`/`unless` rule it out; "explained" when
    the words after it say what it means, or the words before it name what the sentence before
    explained ("This is called ..."); later uses of it in the letter are plain then too.
    And the stretch of the letter the answer read. `asked` keeps, for the scan, whether each
    `only`/`unless` finds anything in each sentence: a pasted "sentence" of 190 KB with 4,000
    uses of a term ("we will not proceed on the count of murder. we will not ...": no capital
    after the full stops) was read whole for each (10 s)."""
    looked = (start, end)
    for key, wanted in (("only", True), ("unless", False)):
        if entry.get(key) and in_sentence(rx(entry[key]), state, start, asked) is not wanted:
            return False, looked
    if entry.get("explain_ok"):
        text = state.document.text
        after = text[end : end + 200]
        sentence_rest = after.split(".")[0] if "." in after else after
        explained = state.ruleset.scoring.get("explanation_markers") or []
        i = state.document.sentence_at(start)
        nxt = state.document.sentences[i + 1] if i is not None and i + 1 < len(state.document.sentences) else None
        following = sentence_rest + " " + (nxt.text if nxt else "")
        looked = (max(0, start - 120), max(min(len(text), end + 200), nxt.end if nxt else 0))
        if any(rx(p).search(following) for p in explained):
            return "explained", looked
        if entry.get("explained_by") and rx(entry["explained_by"]).search(following):
            return "explained", looked
        # named after it was explained: "... to one side. This is called leaving them to lie on file"
        before = text[max(0, start - 120):start]
        markers = state.ruleset.scoring.get("explanation_before_markers") or []
        if any(rx(p).search(before) for p in markers):
            return "explained", looked
    return True, looked
