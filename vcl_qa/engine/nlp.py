"""The NLP pipeline, built once per process: spaCy's blank English tokenizer plus lookup lemmas.

No trained model is used (none can be downloaded here): sentence boundaries are set by
`structure.py` from punctuation and line layout, and lemmas come from spaCy's lookup table
(`spacy-lookups-data`), applied to the lower-cased word so that "Notified" and "notified" agree.
Lemmas are looked up (and cached) only for the words a rule asks about, not for every token.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def lemma_table():
    """spaCy's English lemma lookup table (keyed by string hash; `.get(word, default)`)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    return spacy.blank("en")


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The lookup lemma of a word, lower-cased ("Notified" -> "notify")."""
    low = word.lower()
    return lemma_table().get(low, low)
