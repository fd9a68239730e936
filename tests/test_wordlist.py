"""Word lists in rules/concepts.yml (`{words: [...], patterns: [...]}`): one pattern shaped as a
tree of letters, matching exactly what the plain alternation of the same words matches."""
from __future__ import annotations

import re
import shutil

import pytest

from live_server import ROOT
from vcl_qa.engine.fastsearch import TextIndex, search, word_prefixes
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.wordlist import WordListError, words_pattern
from vcl_qa.errors import RulesError

WORDS = ["cctv", "camera", "cameras", "car", "car park", "cannot", "can't", "x-ray", "x-rays",
         "no one", "no-one", "not kept", "10 mph"]
TEXTS = [
    "The cameras in the car park were broken, so no one saw it.",
    "The CCTV cannot show his face; the X-rays can't either.",
    "A caravan, a carpet and a cartoon are not cars.",  # words inside other words do not count
    "Nothing was kept, and not  kept again: he drove at 10 mph.",
    "Cam, camer and cameraman are not cameras.",
]


def plain(words: list[str]) -> re.Pattern:
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.I)


def test_the_tree_matches_what_the_plain_list_matches():
    tree = re.compile(words_pattern({"words": WORDS}, "test"), re.I)
    reference = plain(WORDS)
    for text in TEXTS:
        assert [m.group(0).lower() for m in tree.finditer(text)] == \
               [m.group(0).lower() for m in reference.finditer(text)], text


PATTERNS = [r"(could|can|cannot)\s*(not|n\x27t)?\s+(be\s+)?(found|traced)", r"refus(ed|es)\s+to",
            r"aged?\s+\d", r"(that|the\s+same)\s+(night|day)", r"tests?\s+on",
            r"(withdr(ew|awn)|retract\w*)\s+(his|her)\s+statement", r"[0123456789]+\s*mph"]
PATTERN_TEXTS = TEXTS + [
    "He could not be traced; she cannot be found. They refused to help and refuses to talk.",
    "Aged 91, she was age 9 that night, the same day; tests on the knife; test on nothing.",
    "She withdrew her statement, he retracted his statement, and drove at 38 mph (not 38mphs).",
    "Cannotbe found, refusedto, aged, thatnight, testson.",
]


def test_patterns_joined_to_the_tree_match_where_they_matched_alone():
    tree = re.compile(words_pattern({"words": WORDS, "patterns": PATTERNS}, "test"), re.I)
    alone = re.compile(r"\b(?:" + "|".join([plain(WORDS).pattern[5:-3]] + [f"(?:{p})" for p in PATTERNS])
                       + r")\b", re.I)
    for text in PATTERN_TEXTS:
        assert [i for i in range(len(text)) if tree.match(text, i)] == \
               [i for i in range(len(text)) if alone.match(text, i)], text


def test_a_word_list_keeps_the_fast_path_and_its_words():
    pattern = words_pattern({"words": WORDS, "patterns": [r"(could|can)\s+not\s+be\s+found"]}, "test")
    assert word_prefixes(pattern, re.I)  # still looked for only where one of its words begins
    compiled = re.compile(pattern, re.I)
    text = "We looked everywhere for the knife. It could not be found, and no one saw the camera."
    assert search(compiled, TextIndex(text * 3)).group(0) == "could not be found"
    assert "camera" in pattern and "no one" in pattern  # the words, readable, in a comment


@pytest.mark.parametrize("spec,message", [
    ({"words": ["camera"], "pattern": ["x"]}, "unknown key"),
    ({"words": ["camera(s)"]}, "not a plain word"),
    ({"words": []}, "empty"),
])
def test_a_bad_word_list_is_named(spec, message):
    with pytest.raises(WordListError, match=message):
        words_pattern(spec, "concepts.yml: specific_reason alternative 1")


def test_a_bad_word_list_stops_the_rules_loading(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "concepts.yml").read_text()
    text = text.replace("        - &case_fact\n", "        - &case_fact\n          pattern: oops\n", 1)
    (rules / "concepts.yml").write_text(text)
    monkeypatch.setenv("VCL_QA_RULES", str(rules))
    load_rules.cache_clear()
    try:
        with pytest.raises(RulesError, match="specific_reason alternative 1: unknown key"):
            load_rules()
    finally:
        monkeypatch.delenv("VCL_QA_RULES")
        load_rules.cache_clear()


def test_a_word_lists_pattern_tells_the_pre_checks_the_words_it_needs():
    """A pattern made from a word list is a tree of letters, whose text shows no word the
    pre-checks could look for first; words_pattern records them (prefilter.listed): each
    phrase's longest run of three letters, what a pattern's rest needs after a short word,
    a digit for a pattern that begins with one. A list with a word too short to look for
    (or a pattern that needs nothing) gets none. Every text the pattern matches has one."""
    from vcl_qa.engine.prefilter import hint_sets, may_match

    spec = {"words": ["cctv", "the film", "999 call", "e-mail"],
            "patterns": [r"(he|she)\s+admitted", r"[0123456789]+\s*(mph|miles)"]}
    pattern = words_pattern(spec, "test")
    hints = hint_sets(pattern)
    assert hints == (("cctv", "film", "call", "mail", "admitted", "she", "mph", "miles"),)
    timed = words_pattern({"words": ["cctv"], "patterns": [r"[0123456789]\d?\s*(am|pm)"]}, "test")
    assert hint_sets(timed) == (("cctv", *"0123456789"),)
    assert re.search(timed, "at 10 pm", re.I) and may_match(hint_sets(timed)[0], "at 10 pm")
    rx = re.compile(pattern, re.I)
    for text in ["The CCTV showed it", "we watched the film", "a 999 call was made", "by e-mail",
                 "He admitted it", "at 38 mph", "nothing here", "she admitted nothing at 4 miles"]:
        if rx.search(text):
            assert all(may_match(h, text.lower()) for h in hints), text
    assert hint_sets(words_pattern({"words": ["cctv", "gp"]}, "test")) == ()
    assert hint_sets(words_pattern({"words": ["cctv"], "patterns": [r"\w+\s+said"]}, "test")) == ((("cctv", "said")),)
    assert hint_sets(words_pattern({"words": ["cctv"], "patterns": [r"\d?x"]}, "test")) == ()
