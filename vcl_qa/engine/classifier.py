"""A second opinion on the semantic concepts: a small sentence classifier (issue 13).

One spaCy pipeline (`textcat_multilabel`, a bag of words and word pairs) trained from scratch by
`scripts/train_concept_model.py` on the labelled sentences in data/concept_sentences/ (`make
model`; no downloaded weights). It gives, for each sentence, the probability that it shows one
of CONCEPTS. It is an opinion on one sentence at a time, so a finding built on it can name the
sentence and the concept (`strongest`).

Nothing here is needed to score a letter: when the model folder (config.concept_model_dir(),
VCL_QA_CONCEPT_MODEL) is missing or unreadable, `load_model` returns None, `second_opinion`
returns an empty list (no opinion) and `strongest` returns None.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from vcl_qa import config
from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo
from vcl_qa.engine.structure import run_pieces

CONCEPTS = ("specific_reason", "decision_statement", "review_right", "meeting_offer", "acknowledgement")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text as the model reads it, in training and in use: lower case, every digit 0, one
    space between words ("12 March" and "3 May" look alike; "CCTV" and "cctv" are one word).
    A run of text between spaces longer than config.LONGEST_TOKEN_RUN is cut into pieces of
    that length, as engine/structure.py tokenizes it: spaCy's tokenizer takes a time that grows
    with the square of such a run ("[[[[...": 8,000 of them took 25 s), holding the
    interpreter's lock, so one hostile sentence stalled every other request."""
    out = _SPACE.sub(" ", _DIGIT.sub("0", text.lower())).strip()
    if len(out) > config.LONGEST_TOKEN_RUN and _LONG_RUN.search(out):
        out = _LONG_RUN.sub(_cut, out)
    return out


_LONG_RUN = re.compile(r"\S{%d,}" % (config.LONGEST_TOKEN_RUN + 1))


def _cut(m: re.Match) -> str:
    """A run too long for the tokenizer, in pieces as structure.py gives it (`run_pieces`)."""
    return " ".join(piece for _, piece in run_pieces(m.group()))


@lru_cache(maxsize=4)
def _load(path: str):
    folder = Path(path)
    if not (folder / "meta.json").is_file() or not (folder / "config.cfg").is_file():
        return None
    try:
        import spacy

        # The tokenizer is spaCy's English default (the model was trained from spacy.blank("en")):
        # built from the config, not read back from disk (which costs a sixth of a second).
        nlp = spacy.load(folder, exclude=["tokenizer"])
    except Exception:  # a half-written or incompatible model is no model: the rules still run
        return None
    if "textcat_multilabel" not in nlp.pipe_names:
        return None
    from vcl_qa.engine.nlp import quick_suffixes

    quick_suffixes(nlp.tokenizer)  # the same tokens, without a long run's time growing as its square
    _LOADED[path] = nlp
    return nlp


_LOADED: dict[str, Any] = {}  # the models loaded so far (engine/run.py trims their vocabularies)


def loaded_models() -> list:
    """The classifiers loaded so far, without loading one."""
    return list(_LOADED.values())


def load_model(path: str | Path | None = None):
    """The classifier (a spaCy Language), loaded once per folder; None when there is none."""
    return _load(_folder(path))


def model_folder() -> str | None:
    """The folder of the configured classifier, resolved; None when there is no model there."""
    folder = _folder(None)
    return folder if _load(folder) is not None else None


def reload() -> None:
    """Forget the loaded classifiers and what they read: the next use loads them afresh (a
    model's vocabulary grows with every new word it reads; engine/run.py)."""
    _load.cache_clear()
    _thresholds.cache_clear()
    _SEEN.clear()
    _READERS.clear()
    _LOADED.clear()


def configured_folder() -> str:
    """The configured model folder's full path (whether or not a model is there)."""
    return _folder(None)


def _folder(path: str | Path | None) -> str:
    """The model folder's full path: `path`, or the configured one (config.concept_model_dir)."""
    if path is None:
        return _configured(os.environ.get("VCL_QA_CONCEPT_MODEL"))
    return _resolved(str(path))


@lru_cache(maxsize=8)
def _configured(setting: str | None) -> str:
    """The configured folder, worked out once per value of its setting (asked for on every
    concept a second opinion reads)."""
    from vcl_qa.config import concept_model_dir

    return _resolved(str(concept_model_dir()))


@lru_cache(maxsize=8)
def _resolved(path: str) -> str:
    """The folder's full path, worked out once per spelling (it is asked for on every concept
    a second opinion reads, so the file system is not asked each time)."""
    return str(Path(path).resolve())


def thresholds(path: str | Path | None = None) -> dict[str, dict[str, float]]:
    """The thresholds chosen at training time on the corpus's held-back split, per concept:
    `alone` (best F1), `veto` (below it, a rules hit is doubted), `rescue` (above it, a rules
    miss is doubted). Empty when there is no model."""
    return {k: dict(v) for k, v in _thresholds(_folder(path)).items()}


def limits(concept: str, path: str | Path | None = None) -> dict[str, float]:
    """One concept's thresholds (`thresholds`), read-only: asked for on every concept a
    second opinion reads, so not copied each time."""
    return _thresholds(_folder(path)).get(concept) or _NONE


_NONE: dict[str, float] = {}


@lru_cache(maxsize=4)
def _thresholds(path: str) -> dict[str, dict[str, float]]:
    """Read once per model folder: spaCy builds `nlp.meta` afresh on every access (a fifth of
    a millisecond, asked for on every concept a second opinion reads)."""
    nlp = _load(path)
    if nlp is None:
        return {}
    return {k: dict(v) for k, v in nlp.meta.get("vcl_qa", {}).get("thresholds", {}).items()}


def second_opinion(concept: str, sentences: list[str], path: str | Path | None = None) -> list[float]:
    """The probability that each sentence shows `concept`, in order; [] when there is no model."""
    if concept not in CONCEPTS:
        raise ValueError(f"no classifier for concept {concept!r}; it knows {', '.join(CONCEPTS)}")
    nlp = load_model(path)
    if nlp is None or not sentences:
        return []
    # Sentences met before (the same letter read again, a template's paragraphs) are not read
    # again: the model gives every concept's probability in one pass, kept per sentence as
    # written (the model reads it normalised: sentences that differ only in case, digits or
    # spacing are read once per call).
    seen = _SEEN.get(id(nlp))
    if seen is None:
        seen = _SEEN[id(nlp)] = TextMemo(_SEEN_MAX, _SEEN_CHARS)
    found: dict[str, dict[str, float]] = {}
    missing: dict[str, list[str]] = {}  # normalised text -> the sentences as written
    for s in dict.fromkeys(sentences):
        cats = seen.get(s)  # one call: another thread may empty the cache
        if cats is None:
            missing.setdefault(normalise(s), []).append(s)
        else:
            found[s] = cats
    if missing:
        reader = _reader(nlp)
        if reader is not None:
            read = reader.cats(list(missing))
        else:
            # (one sentence, as most often: its components run on it directly, without what a
            # call of the pipeline or a batch costs around them: 45 rather than 80-100
            # microseconds, the same probabilities)
            docs = [_read_one(nlp, next(iter(missing)))] if len(missing) == 1 else nlp.pipe(list(missing), batch_size=64)
            read = [{k: float(v) for k, v in doc.cats.items()} for doc in docs]
        for text, cats in zip(missing, read):
            for s in missing[text]:
                found[s] = cats
                if len(s) <= _SEEN_TEXT_MAX:  # a hostile run-on sentence is read, not kept
                    seen.put(s, cats, len(s))
    return [found[s].get(concept, 0.0) for s in sentences]


class _Reader:
    """The model's own layers run on each sentence's word ids, without making a Doc: the same
    probabilities as the pipeline gives (tests/test_classifier.py compares them on every
    sentence of the corpus), in a fifth of the time for a sentence met for the first time.

    The pipeline made a Doc of each new sentence, and spaCy's tokenizer stops keeping what it
    split once a text has a special case in it ("cannot", "don't"; spaCy issue #1250), so most
    of a new sentence's words were split again; then the pipeline's batching, the Doc's array
    and the layers' calls cost more than the model's sums. Here each word (a run between
    spaces: the model reads the text normalised, one space between words, and no special case
    holds a space) is split once and its ids kept; the word pairs, their counts and the sums
    are the model's own layers (extract_ngrams's steps, then sparse_linear and logistic)."""

    WORDS_KEPT = 100_000  # words and their ids (about 200 bytes each); emptied when full
    CHARS_KEPT = 2_000_000  # ... or when they hold this many characters (a word is at most 200)

    def __init__(self, nlp, pipe, ngram, linear, logistic):
        self.nlp = nlp  # (its tokenizer read at each use: it may be replaced)
        self.loaded_with = nlp.tokenizer
        # The engine's own tokenizer splits words as the model's does when both are built
        # alike (spacy.blank("en") with nlp.quick_suffixes, as here): its vocabulary has met
        # most of a letter's words already, and a word the tokenizer meets for the first time
        # costs most of what splitting it does (its lexeme made: shape, prefix, norm, ...).
        from vcl_qa.engine.nlp import get_nlp

        self.shared = _built_alike(nlp.tokenizer, get_nlp().tokenizer)
        self.labels = tuple(pipe.labels)
        self.ngram_size = ngram.attrs["ngram_size"]
        self.ops = ngram.ops
        self.linear, self.logistic = linear, logistic
        self.words: dict[str, tuple[int, ...]] = {}
        self.chars = 0

    @classmethod
    def of(cls, nlp) -> "_Reader | None":
        """A reader for the model, or None when it is not the bag of words and pairs this
        reads (a model trained with another architecture goes through the pipeline)."""
        from spacy.attrs import ORTH

        pipe = nlp.get_pipe("textcat_multilabel")
        layers = {layer.name: layer for layer in pipe.model.walk()}
        expected = "with_cpu(extract_ngrams>>resizable(sparse_linear))>>with_cpu(logistic)"
        if (pipe.model.name != expected or nlp.pipe_names != ["textcat_multilabel"]
                or layers["extract_ngrams"].attrs.get("attr") != ORTH
                or type(layers["extract_ngrams"].ops).__name__ != "NumpyOps"):
            return None
        return cls(nlp, pipe, layers["extract_ngrams"], layers["sparse_linear"], layers["logistic"])

    def tokenizer(self):
        """The tokenizer to split new words with: the engine's when built alike and the model's
        is still the one it was loaded with (a token's id is its text's hash, whichever
        vocabulary makes it), else the model's."""
        own = self.nlp.tokenizer
        if self.shared and own is self.loaded_with:
            from vcl_qa.engine.nlp import get_nlp

            return get_nlp().tokenizer
        return own

    def ids(self, texts: list[str]) -> list[list[int]]:
        """The ids (ORTH) of the tokens spaCy's tokenizer makes of each normalised text: the
        words not met before split in one call of the tokenizer (a Doc made for each cost more
        than the splitting), each token given to the word it starts in."""
        words = self.words
        split = [text.split(" ") if text else [] for text in texts]
        batch = dict.fromkeys(w for ws in split for w in ws)
        new = [w for w in batch if w not in words]
        if new:
            if len(words) + len(new) > self.WORDS_KEPT or self.chars > self.CHARS_KEPT:
                words.clear()  # (full: let go, and this batch's words split afresh)
                self.chars = 0
                new = list(batch)
            starts, at = [], 0
            for w in new:
                starts.append(at)
                at += len(w) + 1
            found: list[list[int]] = [[] for _ in new]
            i = 0
            for t in self.tokenizer()(" ".join(new)):
                while i + 1 < len(starts) and t.idx >= starts[i + 1]:
                    i += 1
                found[i].append(t.orth)
            for w, ids in zip(new, found):
                words[w] = tuple(ids)
                self.chars += len(w)
        out = []
        for ws in split:
            ids: list[int] = []
            for w in ws:
                got = words.get(w)  # (one look: another thread may empty the memo)
                ids.extend(got if got is not None else self._alone(w))
            out.append(ids)
        return out

    def _alone(self, word: str) -> tuple[int, ...]:
        """A word's ids when it was not kept (the memo emptied by another thread)."""
        return tuple(t.orth for t in self.tokenizer()(word))

    def cats(self, texts: list[str]) -> list[dict[str, float]]:
        """Each normalised text's probabilities, as doc.cats gives them.

        extract_ngrams's forward, from the ids: each text's words and word pairs (their hashes,
        `ops.ngrams`), once each in ascending order with how many times each comes, as
        numpy.unique gives them, but counted in Python: numpy.unique's steps, a few microseconds
        in a loop, took 70 a sentence among a letter's other work, a third of the time of a
        sentence read for the first time."""
        import numpy

        ops, batch_keys, batch_vals, lengths = self.ops, [], [], []
        for ids in self.ids(texts):
            grams = list(ids)
            longest = min(self.ngram_size, len(ids))  # (no n-grams longer than the text)
            if longest >= 2:
                unigrams = numpy.asarray(ids, dtype=numpy.uint64)
                for n in range(2, longest + 1):
                    grams += ops.ngrams(n, unigrams).tolist()
            counts = Counter(grams)
            keys = sorted(counts)
            batch_keys += keys
            batch_vals += [counts[k] for k in keys]
            lengths.append(len(keys))
        scores = self.linear.predict((numpy.array(batch_keys, dtype=numpy.uint64),
                                      numpy.array(batch_vals, dtype="f"), ops.asarray(lengths, dtype="int32")))
        probs = self.logistic.predict(scores).tolist()
        return [dict(zip(self.labels, row)) for row in probs]


def _built_alike(a, b) -> bool:
    """Do two spaCy tokenizers split text alike: the same special cases, and the same prefix,
    suffix and infix patterns and token and URL matches (a search of nlp.quick_suffixes read
    by its pattern)?"""
    def pattern(f):
        owner = getattr(f, "__self__", None)
        return (type(owner).__name__, getattr(owner, "pattern", None), getattr(f, "__name__", None)) if f else None

    try:
        return (a.rules == b.rules and all(pattern(getattr(a, k)) == pattern(getattr(b, k)) for k in
                                           ("prefix_search", "suffix_search", "infix_finditer", "token_match",
                                            "url_match"))
                and type(a) is type(b))
    except Exception:  # a tokenizer of another kind: not alike
        return False


_READERS: dict[int, Any] = {}


def _reader(nlp) -> _Reader | None:
    """The model's reader (`_Reader`), made once per loaded model (kept with the model, so
    that another model can never be given its number)."""
    kept = _READERS.get(id(nlp))
    if kept is None or kept[0] is not nlp:
        kept = _READERS[id(nlp)] = (nlp, _Reader.of(nlp))
    return kept[1]


def _read_one(nlp, text: str):
    """`nlp(text)`: the text made a Doc, then each component of the pipeline run on it."""
    doc = nlp.make_doc(text)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


_SEEN: dict[int, TextMemo] = {}
_SEEN_MAX = 50_000
_SEEN_CHARS = 3_000_000  # characters of sentences kept (with about 600 bytes of answers each)
_SEEN_TEXT_MAX = LONGEST_KEPT


@dataclass(frozen=True)
class Opinion:
    """The sentence the classifier finds most like the concept, for a finding to name."""

    concept: str
    index: int
    sentence: str
    probability: float

    def explain(self) -> str:
        return f'{self.concept.replace("_", " ")}: "{self.sentence}" ({self.probability:.0%})'


def strongest(concept: str, sentences: list[str], path: str | Path | None = None) -> Opinion | None:
    """The sentence most likely to show the concept, with its probability; None with no model."""
    probs = second_opinion(concept, sentences, path)
    if not probs:
        return None
    i = max(range(len(probs)), key=probs.__getitem__)
    return Opinion(concept, i, sentences[i], probs[i])
