"""The one-click checks read only where each finding is (engine/suggest.py compares the rule,
start and end of the findings before and after an edit), so their letters and windows make
findings as places (`State.positions_only`): every kind must find the same places that way as
it does with whole findings, on every sample letter and a held-out set, in English, Welsh and
both."""
from __future__ import annotations

from pathlib import Path

import pytest

from vcl_qa import Letter
from vcl_qa.engine.kinds import KINDS, NotAssessed, State, applies
from vcl_qa.engine.kinds.base import Place
from vcl_qa.engine.metrics import compute_metrics
from vcl_qa.engine.result import Finding
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import _plain, clock
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.typography import fold

ROOT = Path(__file__).resolve().parent.parent
LETTERS = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout17/letters/*.txt"))


def _places(letter: Letter, positions_only: bool) -> list[tuple]:
    rs = load_rules()
    plain, _ = _plain(letter)
    state = State(plain, analyse(fold(plain.text)), rs, letter.context.letter_date or clock.today(),
                  positions_only=positions_only)
    compute_metrics(state)
    out = []
    for rule in rs.rules:
        try:
            if applies(rule, state):
                for f in KINDS[rule.kind].check(rule, state):
                    assert isinstance(f, Place if positions_only else Finding)
                    out.append((f.rule, f.start, f.end))
        except NotAssessed:
            continue
    return out


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_places_are_the_findings_places(path):
    letter = Letter.from_file(path)
    whole = _places(letter, False)
    assert _places(letter, True) == whole


def test_the_letters_tried_have_findings_of_every_common_kind():
    kinds = set()
    rs = load_rules()
    for path in LETTERS:
        kinds |= {rs.by_id[r].kind for r, _, _ in _places(Letter.from_file(path), True)}
    assert {"required", "existence", "substitution", "passive", "acronym", "salutation", "sign_off"} <= kinds
