"""The panel's copy looks for what tells a date's story (a count of days, a public place, the
offender's call) only where the words those patterns cannot match without are there
(`_Doc.may_find`, the engine's hint sets read in the letter lower-cased). It must never skip a
stretch where the pattern finds something: checked on every date of every sample and held-out
letter, on random text with capitals and the characters lower case reads differently, and on
whole letters against the copy made with nothing skipped. Likewise whether a line is an address,
kept for the letter by the line's text (`_is_address_line`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.letter import split_front_matter
from vcl_qa.engine.prefilter import hint_sets
from vcl_qa.panel import redact as R

ROOT = Path(__file__).resolve().parent.parent
RULES = R.load_rules()
GATED = [RULES.subject_cue, RULES.counted_before, RULES.place_before, RULES.contact_before]
PATHS = sorted([*ROOT.glob("sample_letters/*.txt"), *ROOT.glob("bench/holdout*/letters/*.txt")])


def _texts() -> list[str]:
    return [split_front_matter(p.read_text(encoding="utf-8"))[1] for p in PATHS]


def test_each_gated_pattern_has_words_to_look_for():
    assert all(hint_sets(p.pattern) for p in GATED)


def test_no_stretch_before_a_date_is_skipped_where_a_pattern_finds_something():
    checked = found = 0
    wrong = []
    for text in _texts():
        for variant in (text, text.upper()):
            doc = R._Doc(variant, RULES)
            for m in RULES.dates.finditer(variant):
                for reach in (30, 40, 60, 120, 400):
                    lo = max(0, m.start() - reach)
                    for p in GATED:
                        hit = p.search(variant, lo, m.start())
                        checked += 1
                        found += hit is not None
                        if hit is not None and not doc.may_find(p, lo, m.start()):
                            wrong.append((p.pattern[:30], variant[lo:m.start()][-60:]))
    assert checked > 20_000 and found > 50
    assert wrong == []


@pytest.mark.parametrize("story", [
    "The man who rang you on 11 October",
    "THE MAN WHO RANG YOU on 11 October",
    "Two days before, on 9 May",
    "At the bus stop on 3 March",
    "This letter is about your flat on 2 May",
])
def test_a_story_told_in_capitals_or_not_is_read_the_same(story):
    doc = R._Doc(story, RULES)
    date = RULES.dates.search(story)
    assert date is not None
    for p in GATED:
        if p.search(story, 0, date.start()):
            assert doc.may_find(p, 0, date.start())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("rang called you two days before bus stop on 3 May ſıİKRANG.,\n")),
               max_size=160))
def test_random_text_with_case_traps_is_never_wrongly_skipped(text):
    doc = R._Doc(text, RULES)
    for p in GATED:
        for lo in range(0, len(text), 17):
            if p.search(text, lo, len(text)):
                assert doc.may_find(p, lo, len(text))


def test_a_text_where_lower_case_would_mislead_is_never_skipped():
    p = RULES.contact_before  # (none of its words in any of these)
    assert not R._Doc("nothing of the sort, on 3 May", RULES).may_find(p, 0, 20)
    assert R._Doc("nothing of the sort ſ, on 3 May", RULES).may_find(p, 0, 20)  # a case trap: searched always
    assert R._Doc("İstanbul, nothing of the sort", RULES).may_find(p, 0, 20)  # lower case is longer


def test_whole_letters_are_hidden_as_with_nothing_skipped(monkeypatch):
    letters = [Letter.from_file(p) for p in PATHS[::4]]
    fast = [R.redact_letter(x) for x in letters]
    monkeypatch.setattr(R._Doc, "may_find", lambda self, pattern, lo, hi: True)
    # (and each address line worked out afresh, not kept by its text for the letter)
    monkeypatch.setattr(R, "_is_address_line", lambda doc, s, e: R._address_line(doc.rules, doc.text[s:e]))
    assert [R.redact_letter(x) for x in letters] == fast
    assert sum(len(x.replacements) for x in fast) > 100
    # ... and the hostile shapes this is for the same both ways: a run of thousands of dates,
    # and an address block of the victim's name repeated
    runs = [("1/1/24 " * 3000 + "The man who rang you on 2 May. ", LetterContext()),
            ("Bo Ng\nHead\n14 Mill Lane\n" * 500 + "Dear Mr Ng\n", LetterContext(victim_name="Mr Bo Ng"))]
    slow = [R.redact(text, ctx) for text, ctx in runs]
    monkeypatch.undo()
    assert [R.redact(text, ctx) for text, ctx in runs] == slow and all(x.replacements for x in slow)
