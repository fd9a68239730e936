"""The engine's memory stays bounded on a stream of letters of new words, and a letter of
thousands of findings is checked in linear time (review 11b, findings 2 and 3).

Every memo gives the same answers after it is emptied; these tests check the bounds are kept
and that what is worked out afresh is the same."""
from __future__ import annotations

import random

import pyphen

from vcl_qa import Letter
from vcl_qa.engine import classifier, concepts, fastsearch, language, memo, metrics, run, second_opinion, structure, suggest
from vcl_qa.engine.kinds import acronym, existence, salutation, substitution
from vcl_qa.engine.kinds.base import BLOCK_FINDS
from vcl_qa.engine.nlp import get_nlp
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter


def _new_words_letter(rng: random.Random, chars: int = 6_000) -> str:
    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))

    sentences, size = [], 0
    while size < chars:
        sentence = " ".join(word() for _ in range(rng.randint(6, 18))).capitalize() + "."
        sentences.append(sentence)
        size += len(sentence) + 1
    body = "\n\n".join(" ".join(sentences[j:j + 4]) for j in range(0, len(sentences), 4))
    return f"Dear Ms Shah\n\nWe have stopped the case.\n\n{body}\n\nYours sincerely\n\nA Writer"


def test_a_text_memo_is_emptied_before_it_passes_either_bound():
    m = memo.TextMemo(most=3, chars=10)
    for text in ["abcd", "efgh", "ij", "klmnop", "q", "r", "s"]:
        m.put(text, text.upper(), len(text))
        assert len(m) <= 3 and m.held <= 10 and m[text] == text.upper()


def test_keep_short_bounds_the_characters_it_keeps_and_answers_the_same():
    calls = []

    @memo.keep_short(maxsize=1_000, longest=50, chars=20)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    words = [f"word{i}" for i in range(30)]
    assert [shout(w) for w in words] == [w.upper() for w in words]
    assert shout.cache_info().chars <= 20
    assert shout(words[-1]) == words[-1].upper() and calls.count(words[-1]) == 1  # kept
    assert shout("x" * 60) == "X" * 60 and shout("x" * 60) and calls.count("x" * 60) == 2  # too long to keep


def test_a_stream_of_new_words_keeps_every_memo_within_its_bounds(monkeypatch):
    """Small bounds, a stream of letters of random words: no memo ever holds more than its
    share, the libraries' word memos are emptied or rebuilt past theirs, and every letter
    scores the same as it does in a fresh state."""
    rules = load_rules()
    words = next(iter(rules.concepts.values())).word_index[0]  # every concept's pattern words
    for kept in [words.answers,
                 fastsearch._BLOCKS, structure._SENTENCES, suggest._cache,
                 BLOCK_FINDS, second_opinion._RESCUABLE, words.memo]:
        kept.clear()  # what earlier tests left may be over the small bounds set here
    monkeypatch.setattr(words.answers, "chars", 5_000)
    monkeypatch.setattr(fastsearch._BLOCKS, "chars", 5_000)
    monkeypatch.setattr(structure._SENTENCES, "chars", 5_000)
    monkeypatch.setattr(suggest._cache, "chars", 5_000)
    monkeypatch.setattr(BLOCK_FINDS, "chars", 5_000)
    monkeypatch.setattr(second_opinion._RESCUABLE, "chars", 5_000)
    monkeypatch.setattr(words.memo, "chars", 5_000)
    monkeypatch.setattr(structure._BLOCK_IDS, "chars", 5_000)
    structure._BLOCK_IDS.clear()
    monkeypatch.setattr(structure._MENDED, "chars", 5_000)
    structure._MENDED.clear()
    tables = [substitution._table(r, rules.version) for r in rules.rules if r.kind == "substitution"]
    for table in tables:
        table.starting.clear()
        monkeypatch.setattr(table.starting, "chars", 2_000)
    monkeypatch.setattr(run, "HYPHENATION_WORDS_KEPT", 2_000)
    monkeypatch.setattr(run, "VOCABULARY_KEPT", 3_000)
    rng = random.Random(7)
    letters = [Letter(text=_new_words_letter(rng)) for _ in range(6)]
    first = [score_letter(letter).model_dump() for letter in letters]
    assert words.answers.held <= 5_000
    assert fastsearch._BLOCKS.held <= 5_000 and structure._SENTENCES.held <= 5_000
    assert suggest._cache.held <= 5_000 and BLOCK_FINDS.held <= 5_000 and second_opinion._RESCUABLE.held <= 5_000
    assert words.memo.held <= 5_000 and structure._BLOCK_IDS.held <= 5_000 and structure._MENDED.held <= 5_000
    assert all(table.starting.held <= 2_000 for table in tables) and tables
    assert all(len(hd.cache) <= 2_000 for hd in pyphen.hdcache.values())
    assert len(get_nlp().vocab) <= 3_000 + 3_000  # rebuilt after the letter that passed it
    assert all(len(model.vocab) <= 3_000 + 3_000 for model in classifier.loaded_models())
    # worked out again after the memos were emptied: the same answers
    assert [score_letter(letter).model_dump() for letter in letters] == first


def test_the_memos_default_bounds_add_up_to_tens_of_megabytes_not_gigabytes():
    rules = load_rules()
    kept_chars = (next(iter(rules.concepts.values())).word_index[0].answers.chars + fastsearch._BLOCKS.chars
                  + structure._SENTENCES.chars + suggest._cache.chars + classifier._SEEN_CHARS
                  + structure._block_tokens.memo.chars + structure._chunk.memo.chars
                  + structure._is_word.memo.chars + BLOCK_FINDS.chars + structure._TRAITS.chars
                  + structure._BREAKS.chars + second_opinion._RESCUABLE.chars + structure._BLOCK_IDS.chars
                  + substitution.STARTING_CHARS * sum(r.kind == "substitution" for r in rules.rules)
                  + next(iter(rules.concepts.values())).word_index[0].memo.chars + suggest._lemmas.memo.chars + acronym._capitals_share.memo.chars
                  # the language's quick look: one memo per Welsh word list, four lists at most
                  + language._quick_memo.cache_info().maxsize * language._quick_memo(language.settings().welsh).chars
                 + language._lines_memo.cache_info().maxsize * language._lines_memo(
                     language.settings().welsh, language.settings().english, language.settings().welsh_endings,
                     language.settings().welsh_letters).chars
                  + salutation._JUDGED.chars + classifier._Reader.CHARS_KEPT
                  + metrics.piece_counts.memo.chars + metrics.sentence_counts.memo.chars
                  + structure._GOES_ON.chars + structure._MENDED.chars
                  + concepts.NARROWED_CHARS * len(rules.concepts) + suggest._PARAGRAPH_QUOTES.chars)
    assert kept_chars < 60_000_000


def test_overlapping_matches_are_reported_once_as_before():
    """Existence reports a place once, whichever of its patterns matches it first; the new
    look-up of earlier places (the one starting just before) gives the brute force's answer."""
    rng = random.Random(3)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(1, 40)):
            a = rng.randint(0, 200)
            spans.append((a, a + rng.randint(0, 12)))
        kept_brute, seen = [], set()
        for a, b in spans:
            if a == b or any(x < b and a < y for x, y in seen):
                continue
            seen.add((a, b))
            kept_brute.append((a, b))
        assert existence._keep_apart(spans) == kept_brute


def test_a_letter_of_text_speak_lines_has_every_finding_once():
    text = "Dear Ms Shah\n\n" + "pls thx u. " * 3_000 + "\n\nYours sincerely\n\nA Writer"
    found = [f for f in score_letter(Letter(text=text)).findings if f.rule == "readability.text_speak"]
    assert len(found) == 9_000
    assert len({(f.start, f.end) for f in found}) == 9_000
