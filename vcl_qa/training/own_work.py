"""Is a training attempt the writer's own fix of this exercise's letter?

The checker scores whatever text it is given, so three things are checked beside the score:

- **Long enough to be a letter.** An attempt with fewer than `min_attempt_share` (rules/training.yml)
  of the words of the letter to fix is refused before scoring (`LetterError` on `text`): "x"
  is not a fix of a letter, and a score for it would mean nothing.
- **Not the model answer.** Once the model answer has been shown to this person (after their
  third try, or once passed), an attempt that repeats `model_answer_copy_share` or more of the
  model answer's own words (those not in the letter to fix: what the model answer changed) is
  kept but not counted as a pass. Words count as repeated where a run of three of them is in
  the attempt, in any order of paragraphs, so a pasted model answer with a few words changed
  is still found. Words the checker itself suggests (every rule's paragraph to insert, offered
  by "Insert this paragraph" and printed in the guide) are not the model answer's own: a
  writer who used those buttons did not copy the model answer, even where it uses the same
  paragraphs. A model answer that changes fewer than `MIN_OWN_WORDS` other words is not
  compared (the fix is too small to tell a copy from the writer's own).
- **This exercise's case.** The attempt must still name the person the letter is to, as the
  letter to fix does (first name and surname where it has both; the surname where it has only
  a greeting), must keep its case reference where the letter to fix prints one, and must give
  no other case reference. A good letter about another case, with the greeting changed, is
  kept but not counted.

Each problem is `{"reason": code, "message": plain words}`; the codes are `model_answer`,
`victim_name` and `case_reference`.
"""
from __future__ import annotations

import re
from typing import Any

from vcl_qa.engine.rules import load_rules
from vcl_qa.errors import LetterError
from vcl_qa.panel.redact import load_rules as redaction_rules
from vcl_qa.training.exercises import Exercise, settings

MIN_OWN_WORDS = 10  # a model answer that changes fewer words than this is not compared
RUN = 3  # words in a run that must match for a word to count as repeated
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def words(text: str) -> list[str]:
    return WORD.findall(_plain(text).lower())


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def check_length(ex: Exercise, text: str) -> None:
    """Refuse an attempt too short to be a fix of the letter (before it is scored or stored)."""
    given = len(words(ex.letter))
    needed = max(1, round(given * settings().min_attempt_share))
    have = len(words(text))
    if have < needed:
        raise LetterError(
            f"Your letter has {_plural(have, 'word')}, and the letter you were given has {given:,}. "
            f"Fix that letter rather than writing something new: keep it and change what needs "
            f"changing (an attempt needs at least {needed:,} words)", field="text")


def _covered(source: list[str], target: list[str]) -> set[int]:
    """Positions of `target` inside a run of RUN words that also appears somewhere in `source`."""
    runs = {tuple(source[i:i + RUN]) for i in range(len(source) - RUN + 1)}
    out: set[int] = set()
    for i in range(len(target) - RUN + 1):
        if tuple(target[i:i + RUN]) in runs:
            out.update(range(i, i + RUN))
    return out


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else []


def suggested_paragraphs() -> list[str]:
    """Every paragraph the checker offers to insert (each rule's `insert`, `insert_cy`,
    `insert_bereaved`, `insert_easy_read`..., per decision where they differ): the same words
    for everyone, before any model answer is shown."""
    return [text for rule in load_rules().rules for key, value in rule.settings.items()
            if key.startswith("insert") and key != "insert_place" for text in _texts(value)]


def copied_share(given: str, model: str, attempt: str) -> float | None:
    """The share of the model answer's own words (those neither in the letter given nor in a
    paragraph the checker suggests) that the attempt repeats; None when the model answer
    changes too few such words to tell."""
    m = words(model)
    own = set(range(len(m))) - _covered(words(given), m)
    for paragraph in suggested_paragraphs():
        own -= _covered(words(paragraph), m)
    if len(own) < MIN_OWN_WORDS:
        return None
    return len(own & _covered(words(attempt), m)) / len(own)


def _contains(text: str, phrase: str) -> bool:
    pattern = r"(?<![\w'])" + r"\s+".join(re.escape(p) for p in phrase.split()) + r"(?![\w'])"
    return re.search(pattern, _plain(text), re.IGNORECASE) is not None


def _name_needed(ex: Exercise) -> str | None:
    """The victim's name as the letter to fix has it: first name and surname where it has
    both (an address block, a greeting by full name), else the surname."""
    name = _plain(str(ex.context.get("victim_name") or "")).strip()
    if not name:
        return None
    parts = name.split()
    titles = redaction_rules().titles
    while len(parts) > 1 and parts[0].lower().rstrip(".") in titles:
        parts = parts[1:]
    full = " ".join(parts)
    if len(parts) > 1 and _contains(ex.letter, full):
        return full
    return parts[-1]


def _references(text: str) -> list[str]:
    shape = next((p.regex for p in redaction_rules().patterns if p.id == "urn_shape"), None)
    if shape is None:
        return []
    return [re.sub(r"[\s/]", "", m.group(0)).upper() for m in shape.finditer(text)]


def case_problems(ex: Exercise, text: str) -> list[dict[str, str]]:
    """What of this exercise's case the attempt has lost (or has from another case)."""
    out = []
    name = _name_needed(ex)
    if name and not _contains(text, name):
        out.append({"reason": "victim_name", "message": (
            f"Your letter does not name {name} ({ex.context['victim_name']}), who this letter is to. "
            "Only a letter for this case can count: if you started from another case's letter, start "
            "again from the letter you were given.")})
    urn = str(ex.context.get("urn") or "")
    if urn:
        own = re.sub(r"[\s/]", "", urn).upper()
        others = [r for r in dict.fromkeys(_references(text)) if r != own]
        if others:
            out.append({"reason": "case_reference", "message": (
                f"Your letter gives the case reference {others[0]}, which is not this case's ({urn}). "
                "Use this case's reference, or leave it out.")})
        elif own in _references(ex.letter) and own not in _references(text):
            out.append({"reason": "case_reference", "message": (
                f"Your letter leaves out this case's reference, {urn}, which the letter you were "
                "given has. Put it back.")})
    return out


def not_counted(ex: Exercise, text: str, model_shown: bool) -> list[dict[str, str]]:
    """Why this attempt cannot count as a pass, whatever its score (empty: it can)."""
    out = []
    if model_shown and ex.model_answer:
        share = copied_share(ex.letter, ex.model_answer, text)
        if share is not None and share >= settings().model_answer_copy_share:
            out.append({"reason": "model_answer", "message": (
                "This letter is the model answer, or nearly: it repeats "
                f"{round(100 * share)}% of the changes the model answer makes (not counting the "
                "paragraphs the checker suggests, which you may use). It is kept with your "
                "attempts, but it does not count as a pass. To pass, fix the letter you were given "
                "in your own words (“Start again from the letter you were given”), using the model "
                "answer as a guide, not as the text.")})
    return out + case_problems(ex, text)
