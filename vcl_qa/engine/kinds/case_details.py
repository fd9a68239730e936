"""case_details: the letter names another person or another case than its details say: the name
it is addressed to (the first line of the header block that starts with a title, "Mrs Denise
Okonkwo") is not the victim's, or a case reference printed in it is not this case's URN. A
letter started from another victim's letter and only re-greeted carries someone else's name,
address and case: the worst error a letter can have, and a breach of their privacy."""
from __future__ import annotations

import re
from typing import Iterator

from pydantic import PositiveInt

from vcl_qa.engine.result import Finding
from vcl_qa.engine.structure import as_written, surname_at, titles

from .base import KindSettings, NotAssessed, State, by_block, finding, rx
from .header_line import header_lines
from .salutation import _name_only, name_tokens

HONOURS = {"when"}


class Settings(KindSettings):
    # A case reference as the letters print it (case-sensitive: "42AB1234524", "42 AB 1234524").
    urn_pattern: str
    # Other references reported at most (a pasted list of other cases is one fault, not thousands).
    most_references: PositiveInt = 5
    # The titles a line naming the person the letter goes to starts with.
    addressee_titles: list[str]
    address_message: str
    urn_message: str


_DASHES = re.compile(r"[-‐–]")
_REF_PUNCT = re.compile(r"[\s/-]")


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    ctx = state.letter.context
    if not ctx.victim_name and not ctx.urn:
        raise NotAssessed("needs victim_name and urn in the letter's details")  # either lets part of it run
    if ctx.victim_name:
        yield from _addressee(rule, state, cfg, ctx.victim_name)
    if ctx.urn:
        yield from _references(rule, state, cfg, ctx.urn)


def _addressee(rule, state: State, cfg: Settings, victim: str) -> Iterator[Finding]:
    # The surname: the last word of the name as a letter writes it ("Okafor, Jane (Ms)" is Ms
    # Jane Okafor; "John Smith Jr" is John Smith; a note in brackets is not the name), even a
    # word the titles list holds ("Ms Jane Judge": structure.surname_at).
    words = name_tokens(_name_only(as_written(victim)))
    surname = [t for i, t in enumerate(words) if t not in titles() or surname_at(words, i)][-1:]
    if not surname:
        return
    starts = {t.lower().rstrip(".") for t in cfg.addressee_titles}
    for start, end, text in header_lines(state):
        words = text.split(maxsplit=1)
        if not words or words[0].rstrip(".,").lower() not in starts:
            continue
        if surname[0] not in _parts(text):
            yield finding(rule, state, start, end, message=cfg.address_message, name=victim)
        return  # only the first titled line: the person the letter goes to


def _references(rule, state: State, cfg: Settings, urn: str) -> Iterator[Finding]:
    want = _plain(urn)
    seen: set[str] = set()
    text = state.document.text
    pattern = rx(cfg.urn_pattern, case=True)
    # (a reference never reaches across a blank line: each block's are kept, kinds/base.py)
    found = by_block(rule, state, 0, len(text),
                     lambda a, b: [(m.start(), m.end(), m.group()) for m in pattern.finditer(text, a, b)])
    for start, end, ref in found:
        got = _plain(ref)
        # the case's own reference printed without its year ("21 GH 04567" of 21GH0456725)
        if got != want and not (len(got) >= 9 and want.startswith(got)) and got not in seen:
            seen.add(got)
            yield finding(rule, state, start, end, message=cfg.urn_message, urn=urn)
            if len(seen) >= cfg.most_references:
                return


def _parts(name: str) -> list[str]:
    """Lower-case words of a name, double-barrelled names split too ("okafor-smith": both)."""
    out = []
    for t in name_tokens(name):
        out.append(t)
        out += [p for p in _DASHES.split(t) if p and p != t]
    return out


def _plain(ref: str) -> str:
    return _REF_PUNCT.sub("", ref).upper()
