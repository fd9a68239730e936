"""acronym: an acronym not spelled out at its first use."""
from __future__ import annotations

import re
from typing import Iterator

from pydantic import Field

from vcl_qa.engine.memo import LONGEST_KEPT, keep_short
from vcl_qa.engine.result import Finding

from .base import KindSettings, State, by_block, finding, rx, spans

HONOURS = {"when", "scope", "within"}


class Settings(KindSettings):
    pattern: str                  # group 1 is the acronym
    allow: str = ""               # acronyms everyone knows (space-separated)
    emphasis_words: str = ""      # words in capitals for emphasis, not acronyms
    expansions: dict[str, str] = {}
    expansion_skip_words: str = ""  # small words skipped when matching initials
    capitals_line_share: float = Field(0.6, ge=0, le=1)  # above this, a line is a heading
    codes: str | None = None  # capitals inside a match of this are part of a code (a number plate)


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    doc = state.document
    text = doc.text
    allow = set(cfg.allow.upper().split())
    emphasis = set(cfg.emphasis_words.upper().split())
    expansions = {k.upper(): v for k, v in cfg.expansions.items()}
    skip = frozenset(cfg.expansion_skip_words.lower().split())
    seen: set[str] = set()
    shares: dict[int, float] = {}  # each line's share of capitals
    pattern = rx(cfg.pattern, True)
    codes = rx(cfg.codes, True) if cfg.codes else None
    for lo, hi in spans(rule, state):
        # (an acronym never reaches across a blank line: each block's are kept, kinds/base.py)
        found = by_block(rule, state, lo, hi,
                         lambda a, b: [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text, a, b)])
        for start, end, acr in found:
            if acr in seen or acr in allow or acr in emphasis or len(set(acr)) == 1:
                continue
            if codes is not None and any(m.start() <= start and end <= m.end() for m in
                                         codes.finditer(text, max(0, start - 16), min(len(text), end + 16))):
                continue  # "WK21 XYZ": the letters of a number plate, not an abbreviation
            n = doc.line_col(start)[0] - 1
            share = shares.get(n)
            if share is None:  # (once a line: a pasted line of thousands of acronyms is long)
                share = shares[n] = _capitals_share(doc.lines[n].text)
            if share > cfg.capitals_line_share:
                continue  # a line in capitals (a heading), not an acronym in running text
            seen.add(acr)
            if _defined(acr, text, start, end, expansions.get(acr), skip):
                continue
            sugg = [_explained(expansions[acr], acr, text, start)] if acr in expansions else []
            yield finding(rule, state, start, start + len(acr), suggestions=sugg)


def _explained(expansion: str, acr: str, text: str, start: int) -> str:
    """The words in full with the abbreviation after them in brackets; inside brackets, the words
    in full alone (a staff review found "(the Victims' Right to Review (VRR) scheme)" written in;
    square brackets read as a placeholder left in), which explain a later "VRR" as well (`_defined`)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 300):start]
    return expansion if before.rfind("(") > before.rfind(")") else f"{expansion} ({acr})"


@keep_short(maxsize=20_000, longest=LONGEST_KEPT, chars=400_000)
def _capitals_share(line: str) -> float:
    """The share of a line's letters that are capitals (0 for a line with none)."""
    letters = re.sub(r"[^A-Za-z]", "", line)
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _initials(words: list[str], skip: frozenset[str]) -> str:
    return "".join(w[0].upper() for w in words if w.lower() not in skip and w[:1].isalpha())


def _defined(acr: str, text: str, start: int, end: int, expansion: str | None,
             skip: frozenset[str]) -> bool:
    before = text[max(0, start - 120) : start]
    after = text[end : end + 120]
    # "Crown Prosecution Service (CPS)"
    if before.rstrip().endswith("(") and after.startswith(")"):
        words = re.findall(r"[A-Za-z']+|&", before[:-1].rstrip().rstrip("(").rstrip())[-(len(acr) + 4):]
        for k in range(len(words)):
            if _initials(words[k:], skip) == acr:
                return True
        if expansion and expansion.lower() in before.lower():
            return True
    # "CPS (Crown Prosecution Service)" or "CPS, the Crown Prosecution Service"
    m = re.match(r"\s*(\(|,\s*(the|our)?\s*|\s+-\s+|\s+–\s+)([^)\n]{3,100})", after)
    if m:
        words = re.findall(r"[A-Za-z']+|&", m.group(3))
        for k in range(1, len(words) + 1):
            if _initials(words[:k], skip) == acr:
                return True
        if expansion and m.group(3).lower().startswith(expansion.lower()):
            return True
    if expansion and expansion.lower() in text[:start].lower():
        return True  # spelled out in full earlier in the letter
    return False
