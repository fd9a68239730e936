"""Where a concept's words are in a window it was found in is kept per alternative and window
(engine/concepts.py `_narrow_kept`): the same place as searching the window each time, on
windows of every sample letter and a held-out set, asked again from the memo, and for the same
window after another character (a word boundary reads the character before the window)."""
from __future__ import annotations

import re
from pathlib import Path

from vcl_qa import Letter
from vcl_qa.engine.concepts import Concept, _narrow, _narrow_kept
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.typography import fold

ROOT = Path(__file__).resolve().parent.parent
LETTERS = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout9/letters/*.txt"))


def test_kept_places_are_the_places_searched_on_every_letters_windows():
    concepts = [c for c in load_rules().concepts.values() if any(c.narrowed_kept)]
    assert len(concepts) > 10
    checked = found = 0
    wrong = []
    for path in LETTERS:
        text = fold(Letter.from_file(path).text)
        segs = analyse(text).segments
        for c in concepts:
            for k, (required, _) in enumerate(c.alternatives):
                if not c.narrowed_kept[k]:
                    continue
                for i in range(len(segs)):
                    for size in (1, 2):
                        if i + size > len(segs):
                            continue
                        a, b = segs[i].start, segs[i + size - 1].end
                        want = _narrow(required, text, a, b)
                        for _ in range(2):  # (worked out, then from the memo)
                            if _narrow_kept(c, k, required, text, a, b) != want:
                                wrong.append((path.name, c.name, k, a, b))
                        checked += 1
                        found += want != (a, b)
    assert wrong == []
    assert checked > 50_000 and found > 500, (checked, found)


def test_the_character_before_the_window_is_part_of_what_is_kept():
    concept = Concept("t", 1, [([re.compile(r"\breview\b", re.I)], [])])
    required = concept.alternatives[0][0]
    window = "review it again. You can ask for a review."
    for before in ("x", " ", ""):  # after a letter the first "review" is no word; after a space it is
        text = before + window
        a, b = len(before), len(text)
        assert _narrow_kept(concept, 0, required, text, a, b) == _narrow(required, text, a, b)
    assert _narrow(required, "x" + window, 1, len(window) + 1)[0] > 1  # (the two do differ)
    assert _narrow(required, " " + window, 1, len(window) + 1)[0] == 1
