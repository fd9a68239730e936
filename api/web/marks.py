"""Passages a panel member marks in an anonymised letter: finding the words they quote, and
cutting the text into pieces so the pages can highlight each marked passage."""
from __future__ import annotations

import re

# One character for another, so offsets found in the folded text hold in the original: a quote
# typed with straight quotes or a hyphen still finds the letter's curly quotes or dash.
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                       "\u2014": "-", "\u00a0": " "})


def find_quote(text: str, quote: str, near: int | None = None) -> tuple[int, int] | None:
    """(start, end) of `quote` in `text`: at `near` when the words are there (the passage the
    member selected), else their first occurrence; any run of spaces or line breaks in the quote
    matches any other (a copied passage loses its line breaks). None when the words are absent."""
    words = quote.translate(_FOLD).split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    folded = text.translate(_FOLD)
    if near is not None and 0 <= near < len(folded):
        there = pattern.search(folded, near)
        if there and not folded[near:there.start()].strip():  # at `near`, or after spaces there
            return there.span()
    found = pattern.search(folded)
    return found.span() if found else None


def segments(text: str, marks: list[dict]) -> list[dict]:
    """The text in pieces: each with the numbers (1-based, in the order given) of the marks that
    cover it, and of those that start there (where the page puts the passage number)."""
    spans = [(n, m["start"], m["end"]) for n, m in enumerate(marks, start=1)
             if m.get("start") is not None and m.get("end") is not None]
    cuts = sorted({0, len(text), *(s for _n, s, _e in spans), *(e for _n, _s, e in spans)})
    out = []
    for s, e in zip(cuts, cuts[1:]):
        if e <= s or s < 0 or e > len(text):
            continue
        out.append({"text": text[s:e], "marks": [n for n, ms, me in spans if ms <= s and me >= e],
                    "starts": [n for n, ms, _me in spans if ms == s]})
    return out
