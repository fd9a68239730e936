"""The literal pre-check never skips a pattern that would have matched."""
from pathlib import Path

import pytest
import yaml

from vcl_qa.engine.prefilter import hint_sets, literal_hints, may_match
from vcl_qa.engine.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


def all_patterns():
    rs = load_rules()
    for rule in rs.rules:
        for entry in rule.settings.get("patterns") or []:
            pattern = entry if isinstance(entry, str) else entry["pattern"]
            if not rule.settings.get("case_sensitive"):
                yield pattern
    for concept in rs.concepts.values():
        for required, _ in concept.alternatives:
            for p in required:
                yield p.pattern


def texts():
    for path in sorted((ROOT / "sample_letters").glob("*.txt")):
        yield path.read_text()
    corpus = yaml.safe_load((ROOT / "tests/corpus/required_content.yml").read_text())
    for spec in corpus.values():
        yield from spec["present"] + spec["absent"]
    wording = yaml.safe_load((ROOT / "tests/corpus/wording.yml").read_text())
    for spec in wording.values():
        for entry in spec["flag"] + spec["pass"]:
            yield entry["text"] if isinstance(entry, dict) else entry


@pytest.mark.parametrize("pattern,expected", [
    (r"\byou\s+(have\s+|had\s+)?failed\s+to\b", ("failed",)),
    (r"\b(because|as\s+a\s+result)\s+of", ("because", "result")),
    (r"\bdrop(ped|ping)?\s+the", ("drop",)),
    (r"\b(\w+\s+)?x", None),
    (r"a|b", None),
    # marks standing for themselves, escaped or not, when nothing makes them optional
    (r"\[(?!\d+\])[^\]\n]{1,60}\]", ("[",)),
    (r"<<[^>\n]{0,60}>>", ("<",)),
    (r"_{5,}", ("_",)),
    (r"\*{3,}", ("*",)),
    (r"a\.?b", None),
    (r"x'?s", None),
    (r"x_{0,3}", None),
    # a look-around takes no characters: what follows it still counts
    (r"(?<!if )\byou\s+failed", ("failed",)),
    (r"(?<!\{)\{(?!\{)[^{}\n]{1,60}\}", ("{",)),
    # a character class is one character of several: nothing in it is mandatory, even a mark
    # or a bracket ("[^\]<]" is not "<"; "[|]" splits no group)
    (r"[^\]<]x", None),
    (r"[<]?abc", ("abc",)),
    (r"(abc[|]def|ghi)", ("abc", "ghi")),
    # a group with its own flags reads as one that captures nothing; a letter in capitals is
    # the same letter to a case-blind pattern and to the lower-cased text
    (r"\b(?-i:INSERT|ENTER)\s+[A-Z]{2,}\b", ("insert", "enter")),
    (r"\bPlease\s+Note\b", ("please",)),
    # ... but not a verbose one (its spaces and comments are not the text's), nor a flag for
    # the whole pattern, nor a named group
    (r"(?x: abc # def\n)", None),
    (r"(?i)abcdef", None),
    (r"(?P<n>abcdef)", None),
    # a letter repeated: at least as many times as it must
    (r"\bX{3,}\b", ("xxx",)),
    (r"abc{2}", ("abcc",)),
    (r"abcd{0,3}", ("abc",)),
    (r"abcd{,3}", ("abc",)),
    # letters that may be left out inside a word: each way of writing it, when few and long
    (r"\b(app?oll?og\w*|sorry|regret)\b", ("apollog", "apolog", "appollog", "appolog", "sorry", "regret")),
    (r"colou?r", ("color", "colour")),
    (r"reco?gni[sz]e", ("recgni", "recogni")),
    (r"ab?c", None),
    (r"abc?d*", None),
    (r"a?b?c?d?e?f?", None),
    (r"(?-i:COLOU?R)", ("color", "colour")),
    # alternatives at the top level: a hint of each, when each has one
    (r"\bno\s+say\b|not\s+a\s+matter\s+for", ("say", "matter")),
    (r"\bno\s+say\b|a\s+b", None),
])
def test_hints(pattern, expected):
    assert literal_hints(pattern) == expected


def test_hints_are_sound_on_every_rule_pattern_and_text():
    import re

    corpus = [t for t in texts()]
    misses = []
    checked = 0
    for pattern in set(all_patterns()):
        rx = re.compile(pattern, re.I)
        for text in corpus:
            if rx.search(text):
                checked += 1
                low = text.lower()
                misses += [(pattern, hints) for hints in hint_sets(pattern) if not may_match(hints, low)]
    assert checked > 500
    assert misses == []


def test_hints_are_sound_on_random_texts_of_the_marks():
    """Every pattern of marks, classes and look-arounds that matches a random text of those
    characters has one of its hints in it, and a word of each set it needs (the pre-checks
    never skip a real match)."""
    import random
    import re

    rng = random.Random(11)
    pieces = ["<", ">", "_", "#", "[", "]", "{", "}", "*", "?", "a", "b", "A", "B", " ", "«", "»", "ab", "ba", "x"]
    patterns = [r"(?-i:AB)b|<<", r"ab{2,}|_{2}#", r"(?-i:B{3})", r"a(?-i:BAB)|(?-i:A{3})b", r"a<+b#", r"(a|_)[^<]*<b", r"<<[^>]{0,5}>>", r"\[[^\]]{1,5}\]", r"_{2,}", r"#{2,}", r"\{\{[^}]{0,4}\}\}", r"\*{2,}",
                r"(?<!\{)\{(?!\{)[^{}]{1,5}\}(?!\})", r"«[^«»]{1,5}»", r"[^\]<]b", r"a[<]?b", r"(a|_)b_?",
                r"ab?ab?a", r"(aab?a|_)", r"b(?-i:ab?ab)", r"bab?a*b", r"x?aab?a"]
    matched = 0
    for _ in range(3_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for pattern in patterns:
            if re.search(pattern, text, re.I):
                matched += 1
                assert may_match(literal_hints(pattern), text.lower()), (pattern, text)
                assert all(may_match(h, text.lower()) for h in hint_sets(pattern)), (pattern, text)
    assert matched > 1_000


def test_a_rules_words_found_in_one_pass_are_those_each_pattern_would_look_for():
    """Existence runs a pattern on a block only when one of its words is there, the words of
    all its patterns found in one pass (kinds/existence.py `_hint_index`): on every text here,
    the patterns it runs are those whose words `may_match` finds."""
    import re

    from vcl_qa.engine.kinds.existence import _hint_index
    from vcl_qa.engine.prefilter import hint_sets

    rules = [r for r in load_rules().rules if r.kind == "existence" and not r.config.case_sensitive]
    assert len(rules) >= 5
    corpus = [t.lower() for t in texts()]
    runs = wrong = unsound = 0
    for rule in rules:
        finder, needs = _hint_index(rule)
        for low in corpus:
            present = finder.bits(low)
            for i, entry in enumerate(rule.config.patterns):
                # every set of words the pattern needs has one in the text
                expected = all(may_match(hints, low) for hints in hint_sets(entry.pattern))
                runs += expected
                wrong += expected != (present & needs[i] == needs[i])
                unsound += bool(re.search(entry.pattern, low, re.I)) and not expected
    assert wrong == 0
    assert unsound == 0  # a pattern that matches always has all its words there
    assert runs > 1_000
