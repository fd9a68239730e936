"""The one-click check's "inside a quotation" (engine/suggest.py `_quoted`) looks at the one
paragraph that holds the words, its quotations kept by its text: the same answer as finding
every quotation of the whole letter first, as it did before."""
from __future__ import annotations

import random
from bisect import bisect_right

from vcl_qa.engine import suggest


def _whole_letter(text: str, a: int, b: int) -> bool:
    """The answer worked out over the whole text (the earlier way)."""
    for spans in suggest._quotations(text):
        i = bisect_right(spans, (a, len(text) + 1)) - 1
        if i >= 0 and spans[i][0] < a and b < spans[i][1]:
            return True
    return False


PIECES = ["We", "were", "told", '"', "'", "don't", "victims'", "the", "(", "'review'", '"no', 'case"',
          "\n", "\n\n", "\n \n", "\n\t\n\n", " ", "-", "\u2014", "a'b", "'s", ".", "x"]


def test_the_paragraph_alone_gives_the_whole_letters_answer_on_random_texts():
    rng = random.Random(13)
    checked = inside = 0
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) + rng.choice(["", " "]) for _ in range(rng.randint(1, 40)))
        for _ in range(12):
            a = rng.randrange(len(text) + 1)
            b = min(len(text), a + rng.randint(0, 12))
            want = _whole_letter(text, a, b)
            assert suggest._quoted(text, a, b) == want, (text, a, b)
            checked += 1
            inside += want
    assert checked == 18_000 and inside > 500  # (the texts do quote: both answers are tried)


def test_words_quoted_in_one_paragraph_and_not_in_the_next():
    text = 'The officer said "you were informed prior to the search".\n\nWe were informed prior to it.'
    first = text.index("prior")
    second = text.index("prior", first + 1)
    assert suggest._quoted(text, first, first + 5)
    assert not suggest._quoted(text, second, second + 5)
    # a quotation left open at a paragraph's end quotes nothing in the next
    text = 'He wrote "I was informed\n\nprior to the search" and left.'
    at = text.index("prior")
    assert not suggest._quoted(text, at, at + 5)


def test_a_paragraph_too_long_to_keep_is_read_once_a_letter(monkeypatch):
    """A pasted paragraph of 190 KB with thousands of quote marks is past what the memo keeps:
    its quotations are still worked out once for the letter, not once for each finding asked
    about (60 buttons a letter at most, 3 ms each)."""
    unit = 'We will inform you "subsequently" of the outcome, prior to the hearing, don\'t worry. '
    text = "Dear Ms Okafor\n\n" + unit * 2_100 + "\n\nYours sincerely"
    read = []
    quotations = suggest._quotations
    monkeypatch.setattr(suggest, "_quotations", lambda t: read.append(len(t)) or quotations(t))
    step = len(unit) * 30  # ("subsequently" each time, inside its quotes)
    inside = [suggest._quoted(text, a, a + 5) for a in range(text.index("subsequently"), len(text), step)]
    assert len(inside) >= 60 and all(inside)
    assert read == [len(unit * 2_100)]
