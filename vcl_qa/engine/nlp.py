"""The NLP pipeline, built once per process: spaCy's blank English tokenizer plus lookup lemmas.

No trained model is used (none can be downloaded here): sentence boundaries are set by
`structure.py` from punctuation and line layout, and lemmas come from spaCy's lookup table
(`spacy-lookups-data`), applied to the lower-cased word so that "Notified" and "notified" agree.
Lemmas are looked up (and cached) only for the words a rule asks about, not for every token.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language

try:  # the regular expression parser, to measure the suffix patterns (moved in Python 3.11)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]


@lru_cache(maxsize=1)
def lemma_table():
    """spaCy's English lemma lookup table (keyed by string hash; `.get(word, default)`)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    nlp = spacy.blank("en")
    quick_suffixes(nlp.tokenizer)
    return nlp


class TailSuffix:
    """spaCy's suffix search, reading only the end of a string where that gives the same answer.

    spaCy strips a run of text's prefixes and suffixes one at a time, and looks for a suffix by
    searching all that is left with a pattern of some 80 alternatives, each ending at "$": for
    a run of characters split off one by one (apostrophes, pound signs, "'s's's..."), time
    growing with the square of the run. A 200-character piece (config.LONGEST_TOKEN_RUN) took
    4 to 7 ms, and 200 KB of apostrophes 4.5 to 6 s to score (an attacker's review). No suffix
    is longer than `tail` characters but one character repeated (spaCy's two dots or more), so
    the search starts `tail` characters from the end; only a match starting right there (which
    may be the end of a longer run of that character) sends it over the whole string, as
    before. The match is the one the whole search finds (a lookbehind still reads the
    characters before where the search starts)."""

    def __init__(self, regex: re.Pattern, tail: int):
        self.regex, self.tail = regex, tail
        self.pattern = regex.pattern  # (read by spaCy when a tokenizer is saved)

    def search(self, string: str):
        at = len(string) - self.tail
        if at <= 0:
            return self.regex.search(string)
        m = self.regex.search(string, at)
        if m is not None and m.start() == at:
            return self.regex.search(string)
        return m


def suffix_tail(regex: re.Pattern) -> int | None:
    """The longest match of `regex` (alternatives each ending at "$"), leaving out alternatives
    made of one character repeated without bound (spaCy's two dots or more: such a match from
    further back matches from `tail` back as well); None when an alternative has another
    unbounded shape, for which TailSuffix cannot be used."""
    c = _sre_parse
    try:
        parsed = c.parse(regex.pattern, regex.flags)
    except Exception:  # pragma: no cover (a pattern this Python cannot parse again)
        return None
    items = list(parsed)
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is c.BRANCH else [parsed]
    longest = 1
    for branch in branches:
        if branch.getwidth()[1] < c.MAXREPEAT:
            longest = max(longest, branch.getwidth()[1])
            continue
        seq = list(branch)
        if len(seq) < 2 or seq[-1] != (c.AT, c.AT_END) or seq[-2][0] is not c.MAX_REPEAT:
            return None
        least, _, body = seq[-2][1]
        body = list(body)
        if len(body) != 1 or body[0][0] is not c.LITERAL or any(item != body[0] for item in seq[:-2]):
            return None
        longest = max(longest, len(seq) - 2 + least)
    return longest


def quick_suffixes(tokenizer) -> None:
    """Give `tokenizer` TailSuffix's search when its suffix pattern allows (the same tokens, in
    time growing with a run's length rather than its square)."""
    search = tokenizer.suffix_search
    regex = getattr(search, "__self__", None)
    if not isinstance(regex, re.Pattern) or getattr(search, "__name__", "") != "search":
        return
    tail = suffix_tail(regex)
    if tail is not None:
        tokenizer.suffix_search = TailSuffix(regex, tail).search


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The lookup lemma of a word, lower-cased ("Notified" -> "notify")."""
    low = word.lower()
    return lemma_table().get(low, low)
