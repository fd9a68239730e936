"""The rule kinds that keep what each block gave them (kinds/base.py `by_block`: existence,
substitution, passive) give the answer of reading the letter's whole scope at once, whatever
the memo holds, whatever order the paragraphs come in; an explanation in the next paragraph
still counts; a place never reaches across a blank line. And the engine sets aside what it
loads from the garbage collector, and gives it back when a pipeline is built again."""
from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest

from vcl_qa import Letter
from vcl_qa.engine import run
from vcl_qa.engine.kinds import State, existence, passive, substitution
from vcl_qa.engine.kinds.base import BLOCK_FINDS, scope_bounds
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.typography import fold

ROOT = Path(__file__).resolve().parent.parent
LETTERS = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout1*/letters/*.txt"))[:60]


def _state(letter: Letter) -> State:
    return State(letter, analyse(fold(letter.text)), load_rules(), letter.context.letter_date or run.clock.today())


def _whole_scope(rule, state: State) -> list[tuple[int, int]]:
    """The places found reading the rule's whole scope at once (the reference)."""
    lo, hi = scope_bounds(rule, state)
    if rule.kind == "existence":
        return sorted((s, e) for s, e, _ in existence._scan(rule, state, lo, hi))
    if rule.kind == "substitution":
        index = substitution._table(rule, state.ruleset.version)
        return sorted((s, e) for s, e, _ in substitution._scan(rule, state, index, lo, hi, frozenset(), 0,
                                                                len(state.document.text))[0])
    return sorted((s, e) for s, e, _ in passive._scan(rule, state, 0, len(state.document.text)))


def _by_blocks(rule, state: State) -> list[tuple[int, int]]:
    from vcl_qa.engine.kinds import KINDS

    return sorted((f.start, f.end) for f in KINDS[rule.kind].check(rule, state))


BLOCK_RULES = [r for r in load_rules().rules if r.kind in ("existence", "substitution", "passive")
               and not getattr(r.config, "within", None)]


def test_every_block_rule_gives_the_whole_scopes_answer_on_every_letter_memo_cold_and_warm():
    BLOCK_FINDS.clear()
    for warm in (False, True):
        wrong = []
        for path in LETTERS:
            state = _state(Letter.from_file(path))
            for rule in BLOCK_RULES:
                if _by_blocks(rule, state) != _whole_scope(rule, state):
                    wrong.append((path.name, rule.id, warm))
        assert wrong == []
    assert len(BLOCK_FINDS) > 100  # (the second round was read from the memo)


def test_paragraphs_in_any_order_give_the_same_places_moved_with_their_paragraphs():
    rng = random.Random(5)
    texts = [Letter.from_file(p).text for p in LETTERS[:40]]
    paragraphs = [p for t in texts for p in t.split("\n\n") if p.strip()]
    for _ in range(40):
        text = "\n\n".join(rng.sample(paragraphs, 12))
        state = _state(Letter(text=text))
        for rule in BLOCK_RULES:
            assert _by_blocks(rule, state) == _whole_scope(rule, state), rule.id


JARGON = next(r for r in load_rules().rules if r.id == "readability.jargon")


def _jargon_terms(text: str) -> list[str]:
    state = _state(Letter(text=text))
    return [state.document.text[f.start:f.end] for f in substitution.check(JARGON, state)]


def test_a_term_explained_in_the_next_paragraph_is_explained_and_the_memo_keeps_what_the_look_found():
    """'discontinue' at the end of a paragraph, explained by the next one ("This means ...").
    The same paragraph before one that explains nothing must be flagged: the first answer read
    the next paragraph, so it is kept with what that look found, and taken again only where
    the look finds the same."""
    first = "Dear Ms Okafor\n\nWe have decided to discontinue the case against Mr Hale."
    explained = first + "\n\nThis means the case has stopped and there will be no trial.\n\nYours sincerely"
    unexplained = first + "\n\nPlease call me on 0113 496 0000.\n\nYours sincerely"
    also_explained = first + "\n\nIn other words, the case has stopped.\n\nYours sincerely"
    for _ in range(2):  # and again, with whatever the memo now holds
        assert _jargon_terms(explained) == []
        assert _jargon_terms(unexplained) == ["discontinue"]
        assert _jargon_terms(also_explained) == []
        assert _jargon_terms(unexplained) == ["discontinue"]


def test_a_block_whose_answer_looked_outside_it_is_not_read_again_where_the_look_finds_the_same(monkeypatch):
    """A paragraph ending in a term that may be explained next is read once: scored again, or
    before another paragraph that explains nothing either, its words are not gone through again."""
    first = "Dear Ms Okafor\n\nWe have decided to discontinue the case against Mr Hale."
    letters = [first + f"\n\n{tail}\n\nYours sincerely"
               for tail in ("Please call me on 0113 496 0000.", "I am sorry for the worry this has caused.")]
    BLOCK_FINDS.clear()
    for text in letters:
        assert _jargon_terms(text) == ["discontinue"]
    read: list[str] = []
    scan = substitution._scan

    def counted(rule, state, index, lo, hi, explained, b0, b1):
        read.append(state.document.text[b0:b1])
        return scan(rule, state, index, lo, hi, explained, b0, b1)

    monkeypatch.setattr(substitution, "_scan", counted)
    for text in letters:
        assert _jargon_terms(text) == ["discontinue"]
    assert "We have decided to discontinue the case against Mr Hale." not in read


def test_a_term_explained_earlier_in_the_letter_is_plain_later_whatever_the_memo_holds():
    later = "We have now written to the court to discontinue it."
    alone = f"Dear Ms Okafor\n\n{later}\n\nYours sincerely"
    after_explaining = ("Dear Ms Okafor\n\nWe will discontinue the case. This means it has stopped.\n\n"
                        f"{later}\n\nYours sincerely")
    for _ in range(2):
        assert _jargon_terms(alone) == ["discontinue"]
        assert _jargon_terms(after_explaining) == []


COLD = load_rules().by_id["empathy.cold"]  # ("We regret to inform you ...": one of its patterns)


def test_a_place_never_reaches_across_a_blank_line():
    def found(text: str) -> list[str]:
        state = _state(Letter(text=text))
        return [state.document.text[f.start:f.end] for f in existence.check(COLD, state)]

    assert found("Dear Ms Okafor\n\nWe regret to inform you that the case has ended.\n\nYours sincerely")
    assert found("Dear Ms Okafor\n\nWe regret\nto inform you that the case has ended.\n\nYours sincerely")
    assert not found("Dear Ms Okafor\n\nWe regret\n\nto inform you that the case has ended.\n\nYours sincerely")


def test_what_the_engine_loads_is_set_aside_from_the_collector_and_given_back_on_a_rebuild(monkeypatch):
    letter = Letter.from_file(LETTERS[0])
    first = score_letter(letter).model_dump()
    assert run._settled and gc.get_freeze_count() > 50_000  # the rules, pipeline, syllables
    monkeypatch.setattr(run, "VOCABULARY_KEPT", 0)  # every letter now builds the pipeline again
    score_letter(letter)
    assert not run._settled and gc.get_freeze_count() == 0
    monkeypatch.setattr(run, "VOCABULARY_KEPT", 150_000)
    assert score_letter(letter).model_dump() == first
    assert run._settled and gc.get_freeze_count() > 50_000


@pytest.fixture(autouse=True, scope="module")
def _settled_after():
    yield
    run.settle()


def test_a_letter_of_thousands_of_blocks_is_checked_in_linear_time():
    """Each block's search looks only at that block's word starts (fastsearch.TextIndex.starts
    with lo, hi): looking through every block of the letter for each block made 8,000 one-word
    paragraphs take over 90 s (review of the tenth session); now under a second or two."""
    import time

    text = "Dear Ms Okafor\n\n" + "\n\n".join(f"w{i}" for i in range(8000))
    t = time.process_time()
    score_letter(Letter(text=text))
    assert time.process_time() - t < 20


def test_the_collector_looks_at_new_objects_less_often_once_settled():
    """run.settle raises the collector's first threshold to GC_YOUNG (a letter makes tens of
    thousands of short-lived containers), and keeps a larger one the program set itself."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, *before[1:])
        run.unsettle()
        score_letter(Letter.from_file(LETTERS[0]))
        assert gc.get_threshold()[0] == run.GC_YOUNG and gc.get_threshold()[1:] == before[1:]
        gc.set_threshold(50_000, *before[1:])
        run.unsettle()
        score_letter(Letter.from_file(LETTERS[0]))
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*before)
        run.settle()


def test_the_existence_rules_read_a_blocks_words_once_for_all_of_them():
    """kinds/existence.py finds the words every case-blind existence rule's patterns need in one
    pass over a block (`_shared_hints`), kept for the letter: each rule decides which patterns
    to try exactly as with its own automaton (`_hint_index`), on every block of every sample
    and held-out letter, and a bilingual letter's English view reads its own text."""
    from vcl_qa.engine.kinds.existence import _hint_index, _hints_here, _shared_hints

    rs = load_rules()
    rules = [r for r in rs.rules if r.kind == "existence" and not r.config.case_sensitive]
    assert len(rules) > 3 and all(id(r) in _shared_hints(rs)[1] for r in rules)
    paths = LETTERS + sorted(Path(__file__).resolve().parent.parent.glob("bench/holdout*/letters/*.txt"))[::5]
    blocks = 0
    for path in paths:
        state = _state(Letter.from_file(path))
        for b0, b1, _ in state.document.blocks:
            for rule in rules:
                finder, own = _hint_index(rule)
                alone = finder.bits(state.lower_text[b0:b1])
                needs, shared = _hints_here(rule, state, b0, b1)
                assert [alone & n == n for n in own] == [shared & n == n for n in needs], (path.name, rule.id)
            blocks += 1
    assert blocks > 300
    from vcl_qa.engine.metrics import compute_metrics

    views = 0
    for path in LETTERS:
        state = _state(Letter.from_file(path))
        state.hints_found[(0, 1)] = -1
        compute_metrics(state)
        for view in state.views.values():
            assert view.hints_found is not state.hints_found and (0, 1) not in view.hints_found
            views += 1
    assert views  # (a letter in Welsh and English among the samples)
