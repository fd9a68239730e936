"""The sign-off check (empathy.sign_off, kinds/sign_off.py) and the greeting actually in the
letter (a staff review of the one-click help): "Dear Sir/Madam" closes "Yours faithfully", a
greeting by name "Yours sincerely". A button never offers a sign-off that does not go with the
letter's own greeting.

Before: a letter greeting "Dear Sir/Madam" (or "To whom it may concern", or with no greeting)
and ending "Yours faithfully", whose details name the victim, was offered a button "Yours
sincerely": pressed, the letter read "Dear Sir/Madam ... Yours sincerely". The finding stays
(the letter is to the victim, and its greeting put right by the greeting check's button must not
raise it for the first time), as advice to follow the greeting put right."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.web.letter_view import findings_view
from vcl_qa import Letter
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 3, 4)
BODY = ("I am writing to tell you that we have decided to stop the case against Mr Lane. The only witness "
        "has moved abroad and cannot be traced.\n\nI understand that this will be disappointing.\n\n"
        "If you are not happy with this decision, you can ask us to look at it again. This is called the "
        "Victims' Right to Review. Please ask within 10 working days of receiving this letter.\n\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2025-03-03", "letter_date": "2025-03-04",
           "victim_category": "standard", "bereaved": False, "offence": "assault"}
NAME = "Ms Jane Okafor"
NOT_NAMED = ["Dear Sir/Madam", "Dear Sir or Madam", "To whom it may concern", None]
NAMED = ["Dear Ms Okafor", "Dear Jane", "Dear Mr Hart"]


def _text(greeting: str | None, sign_off: str) -> str:
    return (f"{greeting}\n\n" if greeting else "") + BODY + f"{sign_off}\n\nSam Staff\n"


def _score(text: str, name: str | None):
    context = {**CONTEXT, **({"victim_name": name} if name else {})}
    return score_letter(Letter(text=text, context=context_from_mapping(context)), today=TODAY)


def _sign_off(result):
    found = [f for f in result.findings if f.rule == "empathy.sign_off"]
    assert len(found) <= 1
    return found[0] if found else None


def _buttons(result) -> list[str]:
    """Every one-click replacement the letter's findings offer."""
    return [r for f in result.findings for r in f.replacements]


@pytest.mark.parametrize("greeting", NOT_NAMED)
def test_a_letter_to_the_victim_greeting_nobody_by_name_gets_advice_not_a_button(greeting):
    text = _text(greeting, "Yours faithfully")
    result = _score(text, NAME)
    f = _sign_off(result)
    assert f is not None and f.text == "Yours faithfully"
    assert f.replacements == [] and not f.replacements_unchecked
    assert f.suggestions == ["Yours sincerely, once the letter greets the victim by name"]
    assert "greet them by name" in f.message and '"Yours sincerely"' in f.message
    assert "Yours sincerely" not in _buttons(result)
    # the letter page shows it as advice
    view = [v for v in findings_view(result.model_dump(mode="json"), [], text) if v["rule"] == "empathy.sign_off"]
    assert view[0]["kind"] == "advice"


@pytest.mark.parametrize("greeting", ["Dear Sir/Madam", "Dear Sir or Madam", "To whom it may concern"])
def test_with_the_greeting_put_right_by_its_button_the_sign_off_button_comes(greeting):
    text = _text(greeting, "Yours faithfully")
    result = _score(text, NAME)
    greet = [f for f in result.findings if f.rule == "content.salutation"][0]
    assert greet.replacements == ["Dear Ms Okafor"]  # (still offered: it raises nothing new)
    fixed = text[:greet.replace_start] + "Dear Ms Okafor" + text[greet.replace_end:]
    f = _sign_off(_score(fixed, NAME))
    assert f.replacements == ["Yours sincerely"]
    assert "Dear Sir or Madam" in f.message and "A letter to the victim by name" in f.message


def test_with_no_greeting_the_greeting_is_inserted_first():
    text = _text(None, "Yours faithfully")
    result = _score(text, NAME)
    greet = [f for f in result.findings if f.rule == "content.salutation"][0]
    assert greet.suggestions == ["Dear Ms Okafor,"]
    f = _sign_off(_score("Dear Ms Okafor,\n\n" + text, NAME))
    assert f.replacements == ["Yours sincerely"]


@pytest.mark.parametrize("name", [None, NAME])
@pytest.mark.parametrize("greeting", NAMED)
def test_a_greeting_by_name_and_yours_faithfully_gets_the_button(greeting, name):
    f = _sign_off(_score(_text(greeting, "Yours faithfully"), name))
    assert f is not None and f.replacements == ["Yours sincerely"]


@pytest.mark.parametrize("name", [None, NAME])
@pytest.mark.parametrize("greeting,sign_off", [
    *[(g, s) for g in NAMED for s in ("Yours sincerely", "Kind regards", "Best wishes", "Yours truly")],
    *[(g, s) for g in NOT_NAMED for s in ("Yours sincerely", "Kind regards", "Yours truly")],
])
def test_other_sign_offs_are_not_flagged_whatever_the_greeting(greeting, sign_off, name):
    """"Dear Sir/Madam" with "Yours sincerely": the greeting is the fault (content.salutation),
    and the sign-off goes with the greeting it asks for; "Kind regards" goes with either."""
    result = _score(_text(greeting, sign_off), name)
    assert _sign_off(result) is None
    assert not any(r.startswith(("Yours", "Kind")) for r in _buttons(result))


@pytest.mark.parametrize("greeting", NOT_NAMED)
def test_a_letter_to_nobody_named_may_end_yours_faithfully(greeting):
    assert _sign_off(_score(_text(greeting, "Yours faithfully"), None)) is None


@pytest.mark.parametrize("path", sorted((ROOT / "sample_letters").glob("*.txt")), ids=lambda p: p.name[:2])
def test_no_sample_letter_is_offered_a_sign_off_that_does_not_go_with_its_greeting(path):
    letter = Letter.from_file(path)
    result = score_letter(letter)
    f = _sign_off(result)
    if f is None:
        return
    greeting = next((line.strip() for line in letter.text.split("\n") if line.strip().startswith(("Dear", "To whom"))), "")
    named = greeting and not any(w in greeting for w in ("Sir", "Madam", "whom"))
    assert bool(f.replacements) == bool(named), (greeting, f.replacements)
