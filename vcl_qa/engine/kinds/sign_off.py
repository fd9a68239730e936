"""sign_off: a sign-off for a stranger in a letter to someone by name. A letter to the reader by
name ("Dear Ms Okafor") ends "Yours sincerely"; "Yours faithfully" goes with "Dear Sir or
Madam", to someone the writer does not know. The letter is to someone by name when its greeting
starts with one of the greeting check's words and greets someone, not nobody in particular
(rules/structure.yml `impersonal_greetings`: "Dear Sir", "Dear Colleague"), or when the
letter's details name the victim: then the greeting check asks for the name (content.salutation),
and the letter with its greeting put right must not raise this for the first time. In that
letter ("Dear Sir or Madam", or no greeting at all, and the victim named in its details) the
sign-off that goes with a name does not go with the greeting the letter has: it is said as
advice, to follow the greeting put right, never offered as a one-click change."""
from __future__ import annotations

import re
from typing import Iterator

from vcl_qa.engine.result import Finding, note

from .base import KindSettings, State, finding, rx
from .salutation import _greeted, _impersonal_words, _lead_words, _name_only

HONOURS = {"when"}


class Settings(KindSettings):
    # Sign-offs for someone not named (matched at the start of the sign-off line), each with
    # the one that goes with a name.
    after_a_name: dict[str, str]
    # The words a greeting starts with before the name (as content.salutation's).
    greeting_words: list[str] = ["Dear"]
    # A letter to the victim by its details that greets nobody by name (or has no greeting):
    # what is said ({text}: the sign-off; {better}: the one that goes with a name), and the
    # advice given in place of a one-click change.
    not_greeted_message: str | None = None
    not_greeted_advice: str = "{better}, once the letter greets the victim by name"


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    doc = state.document
    if doc.sign_off is None:
        return
    greeted = doc.greeting is not None and _names_someone(cfg, doc.greeting.text.strip())
    if not greeted and not _name_only(state.letter.context.victim_name or ""):
        return
    line = doc.sign_off
    lead = len(line.text) - len(line.text.lstrip())
    for pattern, better in cfg.after_a_name.items():
        m = rx(pattern).match(line.text, lead)
        if not m:
            continue
        start, end = line.start + m.start(), line.start + m.end()
        if greeted:
            yield finding(rule, state, start, end, suggestions=[better])
            return
        # The name is in the details only: "Yours sincerely" under "Dear Sir or Madam" would
        # not fit the greeting the letter has (advice, to follow the greeting put right).
        f = finding(rule, state, start, end, message=cfg.not_greeted_message, better=better,
                    suggestions=[cfg.not_greeted_advice.format(better=better)])
        note(f, "_advice_only", True)
        yield f
        return


_A_LETTER = re.compile(r"[^\W\d_]")


def _names_someone(cfg: Settings, greeting: str) -> bool:
    """Does the greeting line greet someone by name ("Dear Ms Okafor", "Dear Jane")?"""
    greeted = _greeted(cfg, greeting)
    return (greeted is not None and _A_LETTER.search(greeted) is not None
            and not _impersonal_words(_lead_words(cfg)).search(greeting))
