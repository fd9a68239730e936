"""A concept pattern written as a list of words (rules/concepts.yml): `{words: [...], patterns: [...]}`.

The words (or phrases) become one regular expression shaped as a tree of their letters
(`\\b(?:c(?:amera|ctv)|f(?:ilm|ootage))\\b`), so at each place in the text the matcher tries
one branch per first letter instead of every word in turn: a list of 300 words costs about a
fifth of the plain alternation. A pattern that begins with a plain word or a group of plain
words (`(could|can)\\s+not\\s+be\\s+found`, `refus(ed|es)\\s+to`) joins the tree at those words,
with the rest of it hung from their last letter; other patterns are tried after the tree. Either
way the pattern matches at a place exactly when one of the words or patterns does. The words are
kept in the pattern as a comment, for the tools that read a concept's vocabulary.
"""
from __future__ import annotations

import re

from vcl_qa.engine.prefilter import _group_at, _split_top, listed, literal_hints

WORD = re.compile(r"^[a-z0-9][a-z0-9 '\-]*$")
PLAIN = re.compile(r"^[a-z]+(\\s\+[a-z]+)*$")  # words in a pattern, joined by \s+
KEYS = {"words", "patterns"}


class WordListError(ValueError):
    """A word list that cannot be made into a pattern (the message says why)."""


def words_pattern(spec: dict, where: str) -> str:
    """The regular expression for `{words, patterns}`: any of them, as whole words."""
    unknown = set(spec) - KEYS
    if unknown:
        raise WordListError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(a word list takes 'words' and 'patterns')")
    words = spec.get("words") or []
    if isinstance(words, str):
        words = words.split()
    cleaned = []
    for w in words:
        w = " ".join(str(w).lower().split())
        if not WORD.match(w):
            raise WordListError(f"{where}: {w!r} is not a plain word or phrase (letters, digits, "
                                f"spaces, hyphens and apostrophes; put patterns under 'patterns')")
        cleaned.append(w)
    patterns = [str(p) for p in spec.get("patterns") or []]
    if not cleaned and not patterns:
        raise WordListError(f"{where}: the word list is empty")
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise WordListError(f"{where}: bad regular expression {p!r}: {exc}") from None
    entries = [(w, "") for w in dict.fromkeys(cleaned)]
    others = []
    for p in patterns:
        split = _starts(p)
        if split:
            entries += split
        else:
            others.append(p)
    branches = ([_trie(entries)] if entries else []) + [f"(?:{p})" for p in others]
    comment = "(?#" + " ".join(sorted(set(cleaned))).replace(")", "") + ")" if cleaned else ""
    pattern = r"\b(?:" + "|".join(branches) + r")\b" + comment
    hints = _hints(entries, others)
    if hints:
        listed(pattern, hints)  # (the pre-checks skip a text with none of them)
    return pattern


def _hints(entries: list[tuple[str, str]], others: list[str]) -> tuple[str, ...] | None:
    """Words one of which is in any text the pattern matches (lower case): each phrase's
    longest run of three letters or more (its words are matched as written), and each other
    pattern's own (prefilter.literal_hints); None when one has none."""
    found: list[str] = []
    for words, tail in entries:
        runs = re.findall(r"[a-z]{3,}", words)
        if runs:
            found.append(max(runs, key=len))
            continue
        hints = literal_hints(tail) if tail else None  # ("he" + "\s+admitted": "admitted")
        if not hints:
            return None
        found.extend(hints)
    for p in others:
        hints = literal_hints(p) or (DIGITS if _DIGIT_FIRST.match(p) else None)
        if not hints:
            return None
        found.extend(hints)
    return tuple(dict.fromkeys(found)) or None


# A pattern that begins with a digit ("[0123456789][\d,.]*\s*(mph|...)") needs one.
_DIGIT_FIRST = re.compile(r"(?:\[0123456789\]|\[0-9\]|\\d)(?![*?]|\{0|\{,)")
DIGITS = tuple("0123456789")


def _starts(pattern: str) -> list[tuple[str, str]] | None:
    """(plain words it begins with, the rest) for each way the pattern begins, or None when it
    does not begin with plain words (or has a top-level '|': then it is tried as a whole)."""
    if len(_split_top(pattern)) != 1:
        return None
    if pattern.startswith("("):
        found = _group_at(pattern)
        if not found or pattern[found[1]:found[1] + 1] in ("?", "*", "+", "{"):
            return None
        inside, rest = found[0], pattern[found[1]:]
        alts = _split_top(inside)
        if not all(PLAIN.match(a) for a in alts):
            return None
        return [(a.replace(r"\s+", " "), rest) for a in alts]
    m = re.match(r"[a-z]+", pattern)
    if not m:
        return None
    word, rest = m.group(0), pattern[m.end():]
    if rest[:1] in ("?", "*", "+", "{"):  # the last letter is optional or repeated
        word, rest = word[:-1], word[-1] + rest
    return [(word, rest)] if word else None


def _trie(entries: list[tuple[str, str]]) -> str:
    root: dict = {}
    for word, tail in entries:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node.setdefault("", []).append(tail)
    return _branch(root)


def _branch(node: dict) -> str:
    tails = node.get("", [])
    ends = "" in tails
    alts = [_char(ch) + _branch(node[ch]) for ch in sorted(k for k in node if k)]
    alts += [f"(?:{t})" for t in dict.fromkeys(tails) if t]
    if not alts:
        return ""
    if len(alts) == 1 and not ends:
        return alts[0]
    return "(?:" + "|".join(alts) + ")" + ("?" if ends else "")


def _char(ch: str) -> str:
    if ch == " ":
        return r"\s+"
    return re.escape(ch)  # the letter's typographic quotes are folded before matching
