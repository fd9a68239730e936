"""`fastsearch.exists`: whether a pattern finds anything in a text, answered for a short text
by the pattern's lower-case twin (`fastsearch.lowered`, no IGNORECASE) in the text put in
lower case. It must give `pattern.search(text) is not None` for every pattern and text: the
concepts' yes-or-no searches (engine/concepts.py `_finds`) decide what a letter contains."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_paths import _strings  # every string in a YAML corpus (tests/ is on the path)

from vcl_qa.engine import fastsearch
from vcl_qa.engine.fastsearch import TextIndex, exists, lowered
from vcl_qa.engine.letter import split_front_matter
from vcl_qa.engine.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


def _concept_patterns() -> list[re.Pattern]:
    out = []
    for c in load_rules().concepts.values():
        for required, masks in c.alternatives:
            out += required + masks
        out += [p for p in (c.rescue_needs, c.rescue_unless) if p is not None]
    return list({id(p): p for p in out}.values())


PATTERNS = _concept_patterns()


def _windows() -> list[str]:
    """The sample letters' and held-out letters' sentences and pairs of sentences (the
    windows concepts are looked for in), and the corpus passages."""
    out = []
    for path in sorted([*ROOT.glob("sample_letters/*.txt"), *ROOT.glob("bench/holdout*/letters/*.txt")]):
        text = re.sub(r"\s+", " ", split_front_matter(path.read_text(encoding="utf-8"))[1])
        sentences = re.split(r"(?<=[.!?]) ", text)
        out += sentences + [a + " " + b for a, b in zip(sentences, sentences[1:])]
    data = yaml.safe_load((ROOT / "tests" / "corpus" / "required_content.yml").read_text(encoding="utf-8"))
    out += [s for s in _strings(data)]
    return list(dict.fromkeys(out))[::8]  # (an eighth of them: each is tried with every pattern)


def test_most_concept_patterns_have_a_lower_case_twin():
    twins = [p for p in PATTERNS if lowered(p) is not None]
    assert len(PATTERNS) > 150 and len(twins) > len(PATTERNS) * 0.7
    for p in twins:
        assert not lowered(p).flags & re.IGNORECASE


def test_exists_is_search_on_every_window_of_every_letter_and_every_concept_pattern():
    windows = _windows()
    assert len(windows) > 5_000 and any(not w.isascii() for w in windows)
    wrong = []
    for text in windows:
        index = TextIndex(text)
        for p in PATTERNS:
            if exists(p, index) != (p.search(text) is not None):
                wrong.append((p.pattern[:50], text[:50]))
    assert wrong == []


def test_the_twins_find_in_lower_case_what_the_patterns_find_in_capitals():
    # the windows in capitals, in title case and swapped: case-blind patterns find the same
    windows = _windows()[::8]
    wrong = []
    for text in windows:
        for variant in (text.upper(), text.title(), text.swapcase()):
            index = TextIndex(variant)
            for p in PATTERNS:
                if exists(p, index) != (p.search(variant) is not None):
                    wrong.append((p.pattern[:50], variant[:50]))
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("offer MEET Sorry end help case review ſıİKßÉé’'.,\n")), max_size=200))
def test_exists_agrees_on_random_text_with_case_traps_and_capitals(text):
    index = TextIndex(text)
    for p in PATTERNS[::3]:
        assert exists(p, index) == (p.search(text) is not None)


@pytest.mark.parametrize("pattern", [
    r"\b(offer|arrange|meet\w*)\b",
    r"\bcan\x27t\s+\W+\d",
    r"\b(?:you|we)\s+(?i:can)",
    r"[a-z’]+ing\b",
])
def test_a_lower_case_pattern_has_a_twin(pattern):
    assert lowered(re.compile(pattern, re.I)) is not None


@pytest.mark.parametrize("pattern,flags", [
    (r"\bOffer", re.I),                 # a capital
    (r"(?-i:[A-Z])\w+", re.I),          # case-blindness turned off
    (r"\b(?-i:mr)\s", re.I),             # ... for lower-case letters: "MR" is not "mr"
    (r"\b\x41pply", re.I),              # a capital by its code
    (r"\b\u0041pply", re.I),
    (r"\bgw\u0175", re.I),
    (r"\bgwŵr\b", re.I),                # a letter with cases beyond ASCII
    (r"(\w+) \1", re.I),                # a group's text
    (r"(?x) offer  # Meet", re.I),      # verbose: a comment may hold anything
    (r"\boffer", re.I | re.ASCII),
    (r"\boffer", 0),                    # not case-blind: nothing to gain
])
def test_patterns_the_lower_case_text_could_misjudge_have_no_twin(pattern, flags):
    assert lowered(re.compile(pattern, flags)) is None


def test_a_long_text_is_searched_by_the_word_index():
    text = "We have looked at the case again. " * 40 + "You can ask us to review it."
    assert len(text) >= fastsearch.SHORT_TEXT
    p = re.compile(r"\b(ask|request)\s+(us\s+)?to\s+review\b", re.I)
    assert exists(p, TextIndex(text)) and not exists(p, TextIndex(text[:-30]))


def test_a_twin_kept_for_a_pattern_gone_is_not_used_for_another_with_its_id():
    p = re.compile(r"\bmeet\b", re.I)
    other = re.compile(r"\bnever\b", re.I)
    fastsearch._LOWERED[id(p)] = (other, lowered(other))  # as if `other` had had p's id
    assert exists(p, TextIndex("We can meet you.")) is True
    assert fastsearch._LOWERED[id(p)][0] is p
