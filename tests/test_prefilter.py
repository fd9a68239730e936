"""The literal pre-check never skips a pattern that would have matched."""
from pathlib import Path

import pytest
import yaml

from vcl_qa.engine.prefilter import literal_hints, may_match
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
    (r"\[(?!\d+\])[^\]\n]{1,60}\]", None),
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
        hints = literal_hints(pattern)
        for text in corpus:
            if rx.search(text):
                checked += 1
                if not may_match(hints, text.lower()):
                    misses.append((pattern, hints))
    assert checked > 500
    assert misses == []
