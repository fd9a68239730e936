"""The engine's speed-ups give exactly the answers of the slow way they replace:
`structure.tokenize` (cached per run of text) the tokens of spaCy's tokenizer,
`structure.analyse` (a block between blank lines at a time) the tokens and sentences of the
whole text, and `fastsearch.search` (indexed word starts, kept per block) the match of
`pattern.search`."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vcl_qa.engine import fastsearch
from vcl_qa.engine.letter import split_front_matter
from vcl_qa.engine.nlp import get_nlp
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.structure import _split_sentences, analyse, classify_lines, read_tokens, tokenize

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    out = []
    for path in sorted([*ROOT.glob("sample_letters/*.txt"), *ROOT.glob("bench/holdout*/letters/*.txt")]):
        out.append(split_front_matter(path.read_text(encoding="utf-8"))[1])
    for name in ("required_content.yml", "wording.yml"):
        data = yaml.safe_load((ROOT / "tests" / "corpus" / name).read_text(encoding="utf-8"))
        out += [t for t in _strings(data)]
    return out


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


TEXTS = _texts()


@pytest.fixture(autouse=True, scope="module")
def _always_indexed():
    """Texts under fastsearch.SHORT_TEXT are searched with the pattern as it is; here every
    text goes through the word index, so that its answers are the ones compared."""
    kept = fastsearch.SHORT_TEXT
    fastsearch.SHORT_TEXT = 0
    yield
    fastsearch.SHORT_TEXT = kept
PATTERNS = [p for c in load_rules().concepts.values() for req, masks in c.alternatives for p in req + masks]


def test_there_is_plenty_to_compare():
    assert len(TEXTS) > 400 and len(PATTERNS) > 100
    # most concept patterns take the fast path (the rest fall back to a plain search)
    assert sum(fastsearch.word_prefixes(p.pattern, p.flags) is not None for p in PATTERNS) > len(PATTERNS) / 2


def test_tokens_are_spacys_on_every_letter_and_passage():
    nlp = get_nlp()
    assert [t for t in TEXTS if tokenize(t) != read_tokens(nlp(t))] == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:!?'’\"-–()\n\t\u00a0")), max_size=60))
def test_tokens_are_spacys_on_word_like_text(text):
    # Runs made only of punctuation that spaCy reads as an emoticon (":1", "(;") can be split
    # differently in context; words, numbers and ordinary punctuation never are.
    if re.search(r"(^|\s)[^\w\s]*[:;(][^\s]*(\s|$)", text):
        return
    assert tokenize(text) == read_tokens(get_nlp()(text))


def test_search_is_patterns_own_on_every_letter_sentence_and_pattern():
    # the sample letters whole and sentence by sentence (as windows are), and the corpus passages
    letters = [re.sub(r"\s+", " ", t) for t in TEXTS[:40]]
    texts = letters + [s for t in letters for s in re.split(r"(?<=[.!?]) ", t)] + TEXTS[-200:]
    wrong = []
    for text in texts:
        index = fastsearch.TextIndex(text)
        for p in PATTERNS:
            fast, slow = fastsearch.search(p, index), p.search(text)
            if (fast and fast.span()) != (slow and slow.span()):
                wrong.append((p.pattern[:40], text[:40]))
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("offer meet sorry end help case ſıİK.,'’\n")), max_size=300))
def test_search_agrees_on_random_text_with_case_traps(text):
    index = fastsearch.TextIndex(text)
    for p in PATTERNS[:40]:
        fast, slow = fastsearch.search(p, index), p.search(text)
        assert (fast and fast.span()) == (slow and slow.span())


def test_the_case_traps_are_all_the_characters_ignorecase_treats_unlike_lower():
    letters = {a: re.compile(a, re.I) for a in "abcdefghijklmnopqrstuvwxyz"}
    traps = {chr(cp) for cp in range(128, 0x3000) for a, rx in letters.items()
             if rx.fullmatch(chr(cp)) and chr(cp).lower() != a}
    traps |= {chr(cp) for cp in (0x212A,) if chr(cp).lower() not in letters}  # Kelvin sign lowers to k
    assert traps == set(fastsearch.CASE_TRAPS)


@pytest.mark.parametrize("pattern,expected", [
    (r"\b(offer|arrange|meet\w*)\b", ("ar", "me", "of")),
    (r"\b(you|we)\s+can", ("we", "yo")),
    (r"(?<!not )\b(offer)", None),       # does not start with \b
    (r"\b[a-z]+ing\b", None),            # no literal beginning
])
def test_word_prefixes(pattern, expected):
    found = fastsearch.word_prefixes(pattern, re.I)
    assert (tuple(sorted({p[:2] for p in found})) if found else None) == expected


def test_finditer_is_patterns_own_for_every_existence_pattern():
    pats = [re.compile(e.pattern, re.I) for r in load_rules().rules if r.kind == "existence"
            for e in r.config.patterns]
    assert len(pats) > 40
    wrong = []
    for text in TEXTS[:40] + TEXTS[-100:]:
        index = fastsearch.TextIndex(text)
        lo, hi = len(text) // 10, len(text) - len(text) // 10
        for p in pats:
            fast = [m.span() for m in fastsearch.finditer(p, index, lo, hi)]
            if fast != [m.span() for m in p.finditer(text, lo, hi)]:
                wrong.append((p.pattern[:40], text[:40]))
    assert wrong == []


def test_concept_memo_gives_the_answer_of_matching_afresh():
    """What the concepts remember of each window of text (WordIndex.answers, every concept's
    answer a window) changes no answer: each letter is matched with the memo filled by every
    other letter, and with an empty one, each concept on its own index; concepts asked in
    another order, and a letter's windows shared between them, give the same."""
    from dataclasses import replace

    from vcl_qa.engine.concepts import find_concept
    from vcl_qa.engine.structure import analyse
    from vcl_qa.engine.typography import fold

    concepts = list(load_rules().concepts.values())
    index = concepts[0].word_index[0]
    docs = [analyse(fold(t)) for t in TEXTS if len(t) > 200][:150]
    assert len(docs) >= 100

    def span(hit):
        return hit and (hit.start, hit.end)

    index.answers.clear()
    warm_first = [[span(find_concept(c, d, {})) for c in concepts] for d in docs]
    warm_again = [[span(find_concept(c, d, {})) for c in concepts] for d in reversed(docs)][::-1]
    shared = []
    for d in docs:  # one window cache a letter, the concepts in reverse order
        cache: dict = {}
        shared.append([span(find_concept(c, d, cache)) for c in reversed(concepts)][::-1])
    alone = [replace(c, word_index=None) for c in concepts]  # each with an index of its own
    fresh = []
    for d in docs:
        for c in alone:
            c.word_place()[0].answers.clear()
        fresh.append([span(find_concept(c, d, {})) for c in alone])
    assert warm_first == fresh
    assert warm_again == fresh
    assert shared == fresh
    assert len(index.answers) > 1000  # it was used


def test_hit_segments_read_each_segment_alone():
    """`hit_segments` (what the second opinion reads) takes the letter's windows and the
    concept's memo: the same segments as finding the concept in a document of each segment
    alone, and of each pair of segments neither of which holds it, with nothing kept."""
    from dataclasses import replace

    from vcl_qa.engine.concepts import find_concept, hit_segments
    from vcl_qa.engine.structure import analyse
    from vcl_qa.engine.typography import fold

    concepts = list(load_rules().concepts.values())
    docs = [analyse(fold(t)) for t in TEXTS if len(t) > 200][:150]

    def alone(c, d) -> list[int]:
        bare = replace(c, word_index=None)  # an index, and so a memo, of its own

        def found_in(part: list) -> bool:
            bare.word_place()[0].answers.clear()
            return find_concept(bare, replace(d, segments=part, _starts=None), {}) is not None

        out = {i for i, seg in enumerate(d.segments) if found_in([seg])}
        if c.window > 1:
            for i in range(len(d.segments) - 1):
                if i not in out and i + 1 not in out and found_in(d.segments[i:i + 2]):
                    out.update((i, i + 1))
        return sorted(out)

    found = 0
    for d in docs:
        cache: dict = {}
        for c in concepts:
            find_concept(c, d, cache)  # (the letter's windows kept, as the engine leaves them)
            got = hit_segments(c, d, cache)
            assert got == alone(c, d), c.name
            found += len(got)
    assert found > 500  # segments were found, across the concepts


def _words_one_by_one(concept, low: str) -> int:
    """A concept's word bits of a lower-case text, each set of words looked for in turn (all of
    them in a text where case-blind matching sees letters lower case does not)."""
    from vcl_qa.engine.prefilter import LOWER_CASE_TRAPS

    if not LOWER_CASE_TRAPS.isdisjoint(low):
        return (1 << len(concept.needed_words[0])) - 1
    found = 0
    for bit, hints in enumerate(concept.needed_words[0]):
        if any(h in low for h in hints):
            found |= 1 << bit
    return found


def test_the_word_index_finds_each_concepts_words_as_reading_them_one_by_one():
    """The rule set's word index (every concept's pattern words, found in one pass) gives each
    concept the bits reading its words one by one gives, on every sentence here; and a concept
    made on its own (word_index None: an index of its own) is found in the same place in every
    letter as the rule set's."""
    from dataclasses import replace

    from vcl_qa.engine.concepts import find_concept
    from vcl_qa.engine.structure import analyse
    from vcl_qa.engine.typography import fold

    concepts = list(load_rules().concepts.values())
    docs = [analyse(fold(t)) for t in TEXTS][:400]
    segments = {seg.text for d in docs for seg in d.segments}
    assert len(segments) > 3_000
    index = concepts[0].word_index[0]
    wrong = []
    for text in segments:
        bits = index.bits(text)
        for c in concepts:
            _, at, mask = c.word_index
            if bits >> at & mask != _words_one_by_one(c, text.lower()):
                wrong.append((c.name, text[:60]))
    assert wrong == []

    def span(hit):
        return hit and (hit.start, hit.end)

    alone = [replace(c, word_index=None) for c in concepts]
    with_index = [[span(find_concept(c, d, {})) for c in concepts] for d in docs]
    without = [[span(find_concept(c, d, {})) for c in alone] for d in docs]
    assert with_index == without
    assert sum(h is not None for row in with_index for h in row) > 500  # concepts were found


def test_exclusions_skipped_for_want_of_their_words_would_have_blanked_nothing():
    """An exclusion (`none`) whose words are not in a window is not run (Concept.mask_bits):
    on every window of two sentences here, each alternative's text blanked out that way is the
    text blanked out by running every exclusion."""
    from vcl_qa.engine.concepts import _mask
    from vcl_qa.engine.structure import analyse
    from vcl_qa.engine.typography import fold

    concepts = [c for c in load_rules().concepts.values() if any(m for _, m in c.alternatives)]
    windows = set()
    for t in TEXTS[:120]:
        segs = analyse(fold(t)).segments
        windows.update(" ".join(s.text for s in segs[i:i + 2]) for i in range(len(segs)))
    assert len(windows) > 1_500
    blanked = wrong = 0
    for c in concepts:
        index, at, mask = c.word_index
        lists = {tuple(masks): masks for masks in c.mask_bits}.values()  # (most alternatives share them)
        for text in windows:
            words = index.bits(text) >> at & mask
            for masks in lists:
                fast = _mask(text, masks, words)
                every = _mask(text, [(m, 0) for m, _ in masks], 0)
                blanked += every != text
                wrong += fast != every
    assert wrong == 0
    assert blanked > 1_000  # exclusions did blank text out


def test_concept_memo_keeps_no_long_window_and_stays_bounded():
    from vcl_qa.engine import concepts as concepts_module
    from vcl_qa.engine.concepts import find_concept
    from vcl_qa.engine.structure import analyse

    concept = load_rules().concepts["review_right"]
    answers = concept.word_place()[0].answers
    answers.clear()
    run_on = "Dear Ms Shah\n\n" + "and then the man walked on " * 400 + "and you can ask for a review."
    hit = find_concept(concept, analyse(run_on), {})
    assert hit is not None  # still found: only not kept
    assert all(concepts_module.key_chars(key) <= concepts_module.MEMO_TEXT_MAX for key in answers)
    assert find_concept(concept, analyse("Dear Ms Shah\n\nYou can ask for a review. Thank you."), {})
    assert "You can ask for a review." in answers  # a short window is kept
    assert concepts_module.MEMO_MAX <= 50_000


def test_a_run_on_letter_leaves_nothing_long_in_any_memo():
    """Scoring a hostile run-on letter (one 'sentence' of 30,000 characters) keeps none of its
    long text in the engine's memos, so a stream of such letters cannot grow the process."""
    from vcl_qa import Letter
    from vcl_qa.engine import classifier, metrics
    from vcl_qa.engine.run import score_letter

    before = metrics.piece_counts.cache_info().currsize
    before_sentences = metrics.sentence_counts.cache_info().currsize
    words = " ".join(f"word{i % 997}" for i in range(4000))
    letter = Letter(text=f"Dear Ms Shah\n\n{words} and you can ask for a review.\n\nYours sincerely\n\nA Writer")
    score_letter(letter)
    assert all(len(t) <= classifier._SEEN_TEXT_MAX for seen in classifier._SEEN.values() for t in seen)
    assert metrics.piece_counts.cache_info().currsize - before <= 5  # the short lines only
    assert metrics.sentence_counts.cache_info().currsize - before_sentences <= 5
    from vcl_qa.engine.concepts import key_chars

    assert all(key_chars(k) <= 3_000 for k in next(iter(load_rules().concepts.values())).word_index[0].answers)


# --- a block at a time --------------------------------------------------------------------

def _whole(text: str):
    """Tokens and sentences worked out over the whole text at once (the reference), read as
    `analyse` reads it (structure.prepared: page breaks joined, slips mended)."""
    from vcl_qa.engine.structure import prepared

    text = prepared(text)
    lines = classify_lines(text)[0]
    toks = tokenize(text)
    return toks, [(s.start, s.end, s.text, s.tok_start, s.tok_end, s.words, s.paragraph)
                  for s in _split_sentences(toks, text, lines)]


def _by_blocks(text: str):
    doc = analyse(text)
    return list(doc.toks), [(s.start, s.end, s.text, s.tok_start, s.tok_end, s.words, s.paragraph)
                      for s in doc.sentences]


def test_analysing_a_block_at_a_time_gives_the_whole_texts_answer_on_every_letter():
    wrong = [t[:60] for t in TEXTS if _by_blocks(t) != _whole(t)]
    assert wrong == []
    # and again, now that every block is kept (the answer must not depend on the memo)
    assert [t[:60] for t in TEXTS[:200] if _by_blocks(t) != _whole(t)] == []


PIECES = ["Dear Ms Okafor", "\n", "\n\n", " \n\n", "\n \n", "  \n\n  ", "\t\n\r\n", "\u2028", " ", "  ",
          "We stopped the case.", "- item one", "1. first", "Yours sincerely", "etc.", "Mr.", '"Quoted."',
          "It's done", "x" * 250, "What happens next", "(a) thing", "end:", "\u00a0\n\n", "J. Smith said so. Then"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_analysing_a_block_at_a_time_agrees_on_any_layout(pieces):
    """Blank lines with spaces, tabs or odd line ends round them, lines that start inside the
    whitespace before a block, lists, headings, greetings and sign-offs in any order."""
    text = "".join(pieces)
    assert _by_blocks(text) == _whole(text)
    assert _by_blocks(text) == _whole(text)  # the second time from the memo


def test_a_block_reached_through_long_whitespace_is_not_kept():
    from vcl_qa.engine import structure

    text = "Dear Ms Shah\n\n" + " " * 50_000 + "We stopped the case.\n\nYours sincerely"
    assert _by_blocks(text) == _whole(text)
    assert all(len(key[2]) + len(key[3]) <= 3_000 for key in structure._SENTENCES)


def test_finditer_is_patterns_own_when_paragraphs_come_in_any_order():
    """The word starts a pattern's beginnings find are kept per block and per pattern: the same
    paragraphs in another order, at other offsets, after text that changes the blocks, give
    the pattern's own matches, for patterns that begin with a space inside their words too."""
    pats = [re.compile(e.pattern, re.I) for r in load_rules().rules if r.kind == "existence"
            for e in r.config.patterns] + [re.compile(r"\bat the end of\s+the day\b", re.I),
                                           re.compile(r"\bthe decision\s+is\b", re.I)]
    assert any((plan := fastsearch._plan(p.pattern, p.flags)) and plan.in_blocks is not plan for p in pats)
    letters = [t for t in TEXTS if t.count("\n\n") > 4][:60]
    texts = []
    for text in letters:
        blocks = text.split("\n\n")
        texts += ["\n\n".join(reversed(blocks)), "\n \n".join(blocks[1:]), " \n\n\t".join(blocks)]
    texts += ["at the end\n\nof the day the decision\n\nis final " * 20,
              "x" * 4_000 + " at the end of the day\n\nthe decision is " + "y " * 2_000]
    wrong = []
    for text in texts:
        index = fastsearch.TextIndex(text)
        for p in pats:
            if [m.span() for m in fastsearch.finditer(p, index, 0, len(text))] != [m.span() for m in p.finditer(text)]:
                wrong.append((p.pattern[:40], text[:40]))
            found = fastsearch.search(p, index)
            if (found and found.span()) != ((m := p.search(text)) and m.span()):
                wrong.append(("search", p.pattern[:40], text[:40]))
    assert wrong == []


def test_blank_line_breaks_are_those_the_pattern_finds_everywhere():
    """fastsearch.breaks tries the blank-line pattern only where a line ends: on random texts
    of every kind of white space, and on every letter here, it finds what trying it at every
    character finds."""
    import random

    rng = random.Random(5)
    chars = ["a", " ", "\n", "\t", "\r", "\xa0", "\u2028", "b", "\x0b", "\x1c", "\x85", "\u3000"]
    texts = ["".join(rng.choice(chars) for _ in range(rng.randint(0, 16))) for _ in range(50_000)]
    found = 0
    for text in texts + TEXTS:
        want = [(m.start(), m.end()) for m in fastsearch._BREAK.finditer(text)]
        assert fastsearch.breaks(text) == want, repr(text[:80])
        found += len(want)
    assert found > 10_000


@lru_cache(maxsize=1)
def _spacys_own_tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def test_the_quick_suffix_search_is_in_place_and_gives_spacys_tokens_on_every_letter():
    """nlp.TailSuffix reads only the end of a run for its suffix (spaCy's own search read all
    of it, each time a suffix was split off: time growing with the square of a run of
    apostrophes). It must give spaCy's own tokens."""
    from vcl_qa.engine.nlp import TailSuffix

    ours, own = get_nlp().tokenizer, _spacys_own_tokenizer()
    assert isinstance(ours.suffix_search.__self__, TailSuffix)
    assert [t for t in TEXTS if [x.text for x in ours(t)] != [x.text for x in own(t)]] == []


_AFFIXES = list("'\".,;:!?…£$%°Fkmgh/1209aAsS’‘“”-–—()[]x²+") + ["km", "mph", "'s", "US$", "..", "°C", "km/h"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_AFFIXES), min_size=1, max_size=40))
def test_the_quick_suffix_search_finds_spacys_suffix(pieces):
    text = "".join(pieces)
    quick = get_nlp().tokenizer.suffix_search
    search = quick.__self__.regex.search
    assert (quick(text) and quick(text).span()) == (search(text) and search(text).span())
    assert [t.text for t in get_nlp().tokenizer(text)] == [t.text for t in _spacys_own_tokenizer()(text)]


def test_a_lines_ending_is_judged_the_same_kept_or_not():
    """structure._breaks_off keeps whether a line's last characters break off mid-phrase, by
    those characters and the pattern: on every line of every sample letter, and each with a
    word put at its end, the answer is the pattern's own, kept or worked out; another
    pattern (another rules folder) is never given this one's answers."""
    import re

    from vcl_qa.engine import structure

    pats = structure.patterns()
    lines = [ln for p in sorted((ROOT / "sample_letters").glob("*.txt")) for ln in p.read_text().splitlines()]
    lines += [ln + end for ln in lines[:300] for end in (" and", " the", ",", " case", " or  ")]
    for _ in range(2):  # worked out, then kept
        for ln in lines:
            assert structure._breaks_off(ln, pats) == bool(pats.list_item_goes_on.search(ln.rstrip())), ln
    other = re.compile(r"\bcase\s*$", re.I)
    assert structure._breaks_off("We looked at the case", pats) is False
    assert structure._breaks_off("We looked at the case", type(pats)(**{**pats.__dict__, "list_item_goes_on": other})) is True


PAGE_TEXTS = ["Page 2 of 3\nYou can ask", "You can ask us to\nPage 2 of 3\nlook again", "  OFFICIAL - SENSITIVE  ",
              "text\n\n- 2 -\n", "x\nrestricted", "restricted\n", "Page 2 of 3 of the file", "\nP. 4\n",
              "a\r\nPage 2 of 3\r\nb", "", "\n", "continued overleaf…\nmore", "p. 12", "The page 2 of 3 reads"]


@pytest.mark.parametrize("source", [
    None,  # the rule set's own
    r"^(page\s+\d+)$",
    r"^[ \t]*page\s+\d+|restricted",  # "^" begins only the first alternative
    r"(?i)^page\s+\d+",  # does not start with "^": searched as it is
    r"^(?i:page)\s+\d+$",
])
def test_page_furniture_is_found_as_the_patterns_own_search_finds_it(source):
    """The quick look for page furniture (the pattern from each line break, not "^" tried at
    every character) answers as the pattern's own search, on every letter and passage and on
    furniture at the top, the foot and in between."""
    from dataclasses import replace

    from vcl_qa.engine.structure import _after_break, has_page_furniture, patterns

    pats = patterns()
    if source is not None:
        pats = replace(pats, page_furniture=re.compile(source, re.I | re.M),
                       page_furniture_after_break=_after_break(source, re.I | re.M))
    assert (pats.page_furniture_after_break is None) == (not pats.page_furniture.pattern.startswith("^"))
    texts = TEXTS + PAGE_TEXTS + [t + "\n" + p for t in TEXTS[:40] for p in PAGE_TEXTS[:4]]
    found = 0
    for text in texts:
        want = pats.page_furniture.search(text) is not None
        assert has_page_furniture(text, pats) == want, text[:80]
        found += want
    assert found >= (10 if source is None else 1)  # (and some texts with none)
    assert found < len(texts)


SLIPPED = ["reveiw", "You can ask us to reveiw it.\n\nA meating is offered.", "Reveiwed\n\n\nREVEIW\n  \n meating",
           "prereveiw and (reveiw) and reveiw-meating", "reveiw\n\nreveiw", "x" * 50 + "\n\n" + "Reciept\n \n",
           "", "\n\n", "a\u00a0reveiw\n\n\u00e9reveiw", "dissapointed\r\n\r\nThier"]


def _mended_whole(text: str) -> str:
    from vcl_qa.engine.structure import _mend, patterns

    return _mend(text, patterns().slips)


def test_slips_mended_a_block_at_a_time_are_the_whole_texts():
    """Mending each block (kept) gives what mending the whole text at once gives, on every
    letter and passage, on slips at blocks' starts and ends, in capitals, next to letters that
    are not ASCII; and a text with none is the same object."""
    from vcl_qa.engine.structure import mend_slips

    changed = 0
    for text in TEXTS + SLIPPED + [t + "\n\n" + s for t in TEXTS[:30] for s in SLIPPED[:3]]:
        for _ in range(2):  # worked out, then from what was kept
            assert mend_slips(text) == _mended_whole(text), text[:80]
        changed += mend_slips(text) != text
    assert changed >= 10
    plain = "Dear Ms Shah\n\nWe reviewed the case.\n\nYours sincerely"
    assert mend_slips(plain) is plain


@given(st.lists(st.sampled_from(["reveiw", "Meating", "a", " ", "\n", "\n\n", " \n \n", "\t", "é", "-", "thier"]),
                max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_slips_mended_a_block_at_a_time_agree_on_any_layout(text):
    from vcl_qa.engine.structure import mend_slips

    assert mend_slips(text) == _mended_whole(text)


def test_a_windows_key_is_its_segments_texts_and_counts_their_characters():
    """The memo of answers keeps a window by its segments' texts; the characters it counts are
    at least those of the window's text (so the bound on long windows holds as before)."""
    from vcl_qa.engine.concepts import _joined, key_chars, window_key
    from vcl_qa.engine.structure import analyse
    from vcl_qa.engine.typography import fold

    seen = 0
    for text in TEXTS[:200]:
        segs = analyse(fold(text)).segments
        for size in (1, 2, 3):
            for i in range(len(segs) - size + 1):
                key = window_key(segs, i, size)
                assert key == (segs[i].text if size == 1 else tuple(s.text for s in segs[i:i + size]))
                assert key_chars(key) >= len(_joined(segs, i, size))
                seen += 1
    assert seen > 5_000


def test_a_structure_memo_is_emptied_for_other_patterns():
    """structure._kept_for: a memo filled with one set of structure patterns is emptied before
    it serves another (rules/structure.yml loaded again), and kept while the set is the same."""
    from dataclasses import replace

    from vcl_qa.engine import structure

    pats = structure.patterns()
    memo = structure._kept_for(structure._GOES_ON, pats)
    memo.put("kept", True, 4)
    assert structure._kept_for(structure._GOES_ON, pats).get("kept") is True
    other = replace(pats)
    assert structure._kept_for(structure._GOES_ON, other).get("kept") is None
    assert structure._kept_for(structure._GOES_ON, pats).get("kept") is None  # (and back again)
