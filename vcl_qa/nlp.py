"""The NLP pipeline, built once per process: spaCy's blank English tokenizer plus lookup lemmas.

No trained model is used (none can be downloaded here): sentence boundaries are set by
`structure.py` from punctuation and line layout, and lemmas come from spaCy's lookup table
(`spacy-lookups-data`), applied to the lower-cased word so that "Notified" and "notified" agree.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc


@lru_cache(maxsize=1)
def lemma_table():
    """spaCy's English lemma lookup table (keyed by string hash; `.get(word, default)`)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@Language.component("vcl_lower_lemma")
def _lower_lemma(doc: Doc) -> Doc:
    table = lemma_table()
    for tok in doc:
        low = tok.lower_
        tok.lemma_ = table.get(low, low)
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("vcl_lower_lemma")
    return nlp


def lemma(word: str) -> str:
    low = word.lower()
    return lemma_table().get(low, low)
