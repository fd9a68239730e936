"""A concept pattern written as a list of words (rules/concepts.yml): `{words: [...], patterns: [...]}`.

The words (or phrases) become one regular expression shaped as a tree of their letters
(`\\b(?:c(?:amera|ctv)|f(?:ilm|ootage))\\b`), so at each place in the text the matcher tries
one branch per first letter instead of every word in turn: a list of 300 words costs about a
fifth of the plain alternation. `patterns` are regular expressions tried after the words. The
words are kept in the pattern as a comment, for the tools that read a concept's vocabulary.
"""
from __future__ import annotations

import re

WORD = re.compile(r"^[a-z0-9][a-z0-9 '\-]*$")
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
    branches = ([_trie(sorted(set(cleaned)))] if cleaned else []) + patterns
    comment = "(?#" + " ".join(sorted(set(cleaned))).replace(")", "") + ")" if cleaned else ""
    return r"\b(?:" + "|".join(branches) + r")\b" + comment


def _trie(words: list[str]) -> str:
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branch(root)


def _branch(node: dict) -> str:
    ends = "" in node
    alts = [_char(ch) + _branch(node[ch]) for ch in sorted(k for k in node if k)]
    if not alts:
        return ""
    if len(alts) == 1 and not ends:
        return alts[0]
    return "(?:" + "|".join(alts) + ")" + ("?" if ends else "")


def _char(ch: str) -> str:
    if ch == " ":
        return r"\s+"
    return re.escape(ch)  # the letter's typographic quotes are folded before matching
