"""Which language a letter is in: `en`, `cy` (Welsh) or `cy+en` (bilingual), told line by line
from common words of each language (rules/language.yml); and the letter's text with the lines
of the other language blanked out, for the rules that read one language only."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo
from vcl_qa.engine.rules_data import load_yaml, rules_dir
from vcl_qa.errors import RulesError

LANGUAGES = ("en", "cy")
# A word: letters, with apostrophes inside ("rwy'n", "i'r", "don't").
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_PUNCTUATION = ".,;:!?()\"“”"  # split off words for the quick look


@dataclass(frozen=True)
class Settings:
    welsh: frozenset[str]
    english: frozenset[str]
    welsh_endings: tuple[str, ...]
    welsh_letters: frozenset[str]
    welsh_share: float
    english_share: float
    bilingual_min_words: int
    quick_english_below: float
    names: dict[str, str]


@dataclass(frozen=True)
class Languages:
    """The letter's language, and each line's (None: a line with no marker of either)."""

    language: str
    lines: tuple[str | None, ...]
    words: dict[str, int]  # words in the lines of each language


def settings() -> Settings:
    # Keyed by the setting that chooses the rules folder (working out the folder is slower
    # than telling the language of a letter).
    return _settings(os.environ.get("VCL_QA_RULES"))


@lru_cache(maxsize=4)
def _settings(_folder_setting: str | None) -> Settings:
    data = load_yaml("language.yml") or {}
    where = rules_dir() / "language.yml"
    try:
        s = Settings(
            welsh=frozenset(str(data["welsh_words"]).lower().split()),
            english=frozenset(str(data["english_words"]).lower().split()),
            welsh_endings=tuple(str(e).lower() for e in data["welsh_endings"]),
            welsh_letters=frozenset(str(data["welsh_letters"]).lower()),
            welsh_share=float(data["welsh_share"]),
            english_share=float(data["english_share"]),
            bilingual_min_words=int(data["bilingual_min_words"]),
            quick_english_below=float(data["quick_english_below"]),
            names={str(k): str(v) for k, v in data["names"].items()},
        )
    except KeyError as exc:
        raise RulesError(f"{where}: missing key {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise RulesError(f"{where}: {exc}") from None
    if not 0 <= s.english_share < s.welsh_share <= 1:
        raise RulesError(f"{where}: english_share must be below welsh_share, both between 0 and 1")
    if set(s.names) != set(LANGUAGES):
        raise RulesError(f"{where}: names must name {', '.join(LANGUAGES)}")
    overlap = s.welsh & s.english
    if overlap:
        raise RulesError(f"{where}: on both word lists: {', '.join(sorted(overlap))}")
    return s


def _is_welsh(word: str, s: Settings) -> bool:
    return word in s.welsh or word.endswith(s.welsh_endings) or not s.welsh_letters.isdisjoint(word)


def line_language(text: str, s: Settings | None = None) -> str | None:
    """`cy` or `en` when the line holds more markers of one language than of the other."""
    s = s or settings()
    cy = en = 0
    for word in WORD.findall(text.lower().replace("’", "'")):
        if _is_welsh(word, s):
            cy += 1
        elif word in s.english:
            en += 1
    if cy > en:
        return "cy"
    if en > cy:
        return "en"
    return None


def detect(lines: list[str]) -> Languages:
    """The letter's language from its lines (the share of words in Welsh lines decides)."""
    s = settings()
    # A quick look first: a letter where few words are on the Welsh list is English (most
    # letters; this look costs a tenth of the line-by-line count). No word runs over two
    # lines, so the letter's counts are its lines' counts added up (each line's kept).
    memo = _quick_memo(s.welsh)
    words = welsh = 0
    for line in lines:
        found = memo.get(line)
        if found is None:
            found = _quick_counts(line, s.welsh)
            if len(line) <= LONGEST_KEPT:
                memo.put(line, found, len(line))
        words += found[0]
        welsh += found[1]
    if welsh < s.quick_english_below * words:
        return Languages("en", (), {"en": words - welsh, "cy": welsh})
    return by_lines(lines)


def _quick_counts(line: str, welsh_words: frozenset[str]) -> tuple[int, int]:
    """The words of a line for the quick look, and how many are on the Welsh list."""
    text = line.lower()
    for mark in _PUNCTUATION:
        text = text.replace(mark, " ")
    words = text.split()
    return len(words), sum(map(welsh_words.__contains__, words))


@lru_cache(maxsize=4)
def _quick_memo(_welsh_words: frozenset[str]) -> TextMemo:
    """Lines' quick counts, kept per Welsh word list (a letter's lines come back in others)."""
    return TextMemo(20_000, 400_000)


def by_lines(lines: list[str]) -> Languages:
    """The letter's language counted line by line (what `detect` does after its quick look;
    each line's language and words kept: a bilingual letter's lines come back in its next
    version, and in letters made from the same template)."""
    s = settings()
    memo = _lines_memo(s.welsh, s.english, s.welsh_endings, s.welsh_letters)
    langs: list[str | None] = []
    words = {"en": 0, "cy": 0}
    for text in lines:
        found = memo.get(text)  # one call: another thread may empty the memo
        if found is None:
            lang = line_language(text, s)
            found = (lang, len(WORD.findall(text)) if lang else 0)
            if len(text) <= LONGEST_KEPT:
                memo.put(text, found, len(text))
        langs.append(found[0])
        if found[0]:
            words[found[0]] += found[1]
    total = words["en"] + words["cy"]
    share = words["cy"] / total if total else 0.0
    if share >= s.welsh_share:
        language = "cy"
    elif share > s.english_share and min(words.values()) >= s.bilingual_min_words:
        language = "cy+en"
    else:
        language = "en"
    return Languages(language, tuple(langs), words)


@lru_cache(maxsize=4)
def _lines_memo(_welsh: frozenset[str], _english: frozenset[str], _endings: tuple[str, ...],
                _letters: frozenset[str]) -> TextMemo:
    """Each line's language and its words (`by_lines`), kept per word lists (what a line's
    language depends on)."""
    return TextMemo(20_000, 400_000)


def keep_only(text: str, line_starts: list[int], langs: tuple[str | None, ...], keep: set[str]) -> str:
    """The text with every line in another language than `keep` blanked out (spaces, so that
    offsets, lines and columns stay those of the letter). Lines in neither are kept."""
    out = list(text)
    ends = line_starts[1:] + [len(text)]
    for start, end, lang in zip(line_starts, ends, langs):
        if lang is not None and lang not in keep:
            for i in range(start, end):
                if out[i] != "\n":
                    out[i] = " "
    return "".join(out)


def named(language: str) -> str:
    """'Welsh', 'English', or 'Welsh and English'."""
    names = settings().names
    return " and ".join(names[p] for p in language.split("+"))
