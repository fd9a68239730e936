"""salutation: no greeting, an impersonal one ("Dear Sir/Madam"), or a name other than the
victim's. Titles come from the shared word lists (rules/structure.yml `titles`)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from vcl_qa.engine.result import Finding
from vcl_qa.engine.structure import impersonal_greetings, surname_particles, titles
from vcl_qa.engine.typography import fold

from .base import KindSettings, State, finding, rx

HONOURS = {"when"}


class Settings(KindSettings):
    impersonal: list[str]
    missing_message: str
    impersonal_message: str
    wrong_name_message: str
    # The words a greeting starts with before the name ("Dear", Welsh "Annwyl").
    greeting_words: list[str] = ["Dear"]
    # Words that join two people greeted at once ("Mr and Mrs Okafor", "Ada & Tunde", Welsh "a").
    joining_words: list[str] = []


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    g = state.document.greeting
    if g is None:
        yield finding(rule, state, message=cfg.missing_message)
        return
    lead = len(g.text) - len(g.text.lstrip())
    start, end = g.start + lead, g.start + len(g.text.rstrip())
    line = g.text.strip()
    lead_words = "|".join(re.escape(w) for w in cfg.greeting_words)
    said_word = re.match(rf"(?i)^({lead_words})\b", line)
    word = said_word.group(1).capitalize() if said_word else cfg.greeting_words[0]
    if any(rx(p).search(line) for p in cfg.impersonal) or _impersonal_words(lead_words).search(line):
        yield finding(rule, state, start, end, message=cfg.impersonal_message,
                      suggestions=greeting_suggestion(state, word))
        return
    victim = state.letter.context.victim_name
    if not victim:
        return
    m = re.match(rf"(?i)^(?:{lead_words})\s+(.+?)[\s,.!:;]*$", line)
    if not m:
        return
    known_titles_all = titles()
    said = name_tokens(m.group(1))
    known = name_tokens(victim)
    said_names = [t for t in said if t not in known_titles_all]
    known_names = [t for t in known if t not in known_titles_all]
    said_titles = [t for t in said if t in known_titles_all]
    known_titles = [t for t in known if t in known_titles_all]
    ok = bool(said_names) and all(t in known_names for t in said_names)
    if ok and said_titles and known_titles and said_titles != known_titles:
        ok = False
    if ok and said_titles and not said_names[-1:] == known_names[-1:]:
        ok = False  # "Dear Ms Jane" is not how to address Ms Jane Okafor
    surname = [t.lower() for t in _surname([t for t in re.findall(r"[^\s,]+", fold(victim))
                                            if t.lower().rstrip(".") not in known_titles_all])]
    if ok and said_titles and said_names[-len(surname):] != [t.rstrip(".") for t in surname]:
        ok = False  # "Dear Ms Cruz" is not how to address Ms Anne-Marie de la Cruz
    if not ok:
        f = finding(rule, state, start, end, message=cfg.wrong_name_message,
                    suggestions=greeting_suggestion(state, word), name=victim)
        # "Dear Mr and Mrs Okafor": a button would drop one of the two people greeted; whether
        # the letter is to both is the writer's to say, so the greeting stays advice.
        f._advice_only = _two_people(cfg.joining_words, m.group(1))
        yield f


def _two_people(joining: list[str], said: str) -> bool:
    """Does the greeting join two people? A word counts on its own ("and", not "Andrew"); a sign
    ("&", "+") anywhere ("Ada&Tunde")."""
    parts = [re.escape(w) if not w.isalnum() else rf"(?<!\S){re.escape(w)}(?!\S)" for w in joining]
    return bool(parts) and re.search("|".join(parts), said, re.I) is not None


@lru_cache(maxsize=4)
def _impersonal_words(lead_words: str = "Dear") -> re.Pattern:
    """ "Dear" + a word that addresses nobody in particular (rules/structure.yml, shared with
    the redaction)."""
    words = "|".join(re.escape(w) for w in sorted(impersonal_greetings(), key=len, reverse=True))
    return re.compile(rf"^(?:{lead_words})\s+({words})\b", re.I)


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a name, typographic quotes and dashes folded: "O’Neill" is O'Neill."""
    return [t.lower().rstrip(".") for t in re.findall(r"[^\s,]+", fold(name))]


def _surname(names: list[str]) -> list[str]:
    """The surname of a name's words (no title), with its particles: Maria de la Cruz -> de la
    Cruz; the first word only when written in lower case or another particle follows it ("de
    Souza", "Van der Berg"; in "Al Smith", "Al" is a first name), as the anonymiser reads them."""
    particles = _particles()
    k = len(names) - 1
    while k > 0 and names[k - 1].lower() in particles:
        if k == 1 and names[0][:1].isupper() and k == len(names) - 1:
            break
        k -= 1
    return names[k:] if names else []


@lru_cache(maxsize=1)
def _particles() -> frozenset[str]:
    return frozenset(w.lower() for w in surname_particles())


def greeting_suggestion(state: State, word: str = "Dear") -> list[str]:
    """The greeting to use, starting with the word the letter's greeting starts with: the title
    and surname, its particles kept ("Dear Ms de la Cruz"); a note after the name in brackets
    ("Sarah Jones (mother of Ella)") left out."""
    victim = state.letter.context.victim_name
    if victim:
        victim = re.split(r"[(\[]", victim, maxsplit=1)[0].strip(" ,;-")
    if not victim:
        return [f"{word} <the victim's title and surname>"]
    parts = victim.split()
    if len(parts) >= 3 and parts[0].rstrip(".").lower() in titles():
        return [f"{word} {parts[0]} {' '.join(_surname(parts[1:]))}"]
    return [f"{word} {victim}"]
