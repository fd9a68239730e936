"""Letters written in two reviews of the engine by writers apart from the rules' authors
(tests/audit_letters, a regression set): each raises exactly the error and warning rule ids
decided for it by hand, the good ones none. What the review found is kept found: a wrong time
limit for a review beside the right ones, blame in "even though you had been warned", a door
closed with "unable to comment further"; and kept passing: praise worded as a refusal, the CPS's
job said in other words, NSPCC known by its capitals."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vcl_qa import Letter
from vcl_qa.engine.run import score_letter

FOLDER = Path(__file__).resolve().parent / "audit_letters"
EXPECTED = yaml.safe_load((FOLDER / "expected.yml").read_text())
# Good letters that say what the CPS does in their own words ("Our lawyers decide which charges
# to bring"): each was told, as a suggestion, that it never said.
ROLE_IN_OTHER_WORDS = ["g03", "g04", "g09", "g12", "g42"]


def _result(name: str):
    return score_letter(Letter.from_file(FOLDER / name))


def test_every_letter_has_its_expected_ids():
    assert sorted(EXPECTED) == sorted(p.name for p in FOLDER.glob("*.txt"))
    assert len(EXPECTED) == 85  # 49 of the first review, 36 of the second


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_letter_raises_exactly_its_rules(name):
    got = sorted({f.rule for f in _result(name).findings if f.severity in ("error", "warning") and not f.suppressed})
    assert got == sorted(EXPECTED[name] or [])


def test_a_wrong_limit_beside_the_right_ones_is_quoted_and_named():
    (f,) = [f for f in _result("f39_contradictory_time_limits_28_days_kept.txt").findings
            if f.rule == "content.vrr_time_limit"]
    assert "within 28 days of the date of this letter" in f.text
    assert "wrong or out of date" in f.message and "Take it out" in f.message


def test_the_cps_role_in_other_words_is_found():
    for prefix in ROLE_IN_OTHER_WORDS:
        (name,) = [n for n in EXPECTED if n.startswith(prefix + "_")]
        assert "content.cps_role" not in {f.rule for f in _result(name).findings}, name


def test_the_blame_left_after_a_one_click_fix_is_found():
    result = _result("f29_blame_failed_to_attend_no_evidence_assault.txt")
    blamed = [f.text for f in result.findings if f.rule == "empathy.blame"]
    assert any("even though you had been warned" in t for t in blamed), blamed
