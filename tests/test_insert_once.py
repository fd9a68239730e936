"""A paragraph offered to insert is offered once: when it is in the letter already (inserted,
its gaps such as "[phone number]" not yet filled in), the finding says which gaps are left and
offers no second copy. Found using the letter page: the contact paragraph's finding stays until
its gaps are filled in, and each press of "Insert this paragraph" put in one more copy."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vcl_qa import Letter
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 12, 1)
LETTERS = sorted((ROOT / "sample_letters").glob("*.txt")) + sorted(ROOT.glob("bench/holdout*/letters/*.txt"))


def _offers(result) -> list:
    """The findings with a paragraph to insert (no place in the letter, a suggestion)."""
    return [f for f in result.findings if f.start is None and f.suggestions and not f.suppressed]


def _before_sign_off(text: str, paragraph: str) -> str:
    """The paragraph put where the page puts it: before the sign-off, else at the end."""
    for sign_off in ("\nYours", "\nKind regards", "\nBest wishes", "\nCofion", "\nYn gywir"):
        k = text.find(sign_off)
        if k >= 0:
            return f"{text[:k]}\n{paragraph}\n{text[k:]}"
    return f"{text.rstrip()}\n\n{paragraph}\n"


def test_the_letters_offer_paragraphs_with_gaps():
    """The test below has something to judge: the letters offer paragraphs with gaps to fill."""
    offered = [f.suggestions[0] for path in LETTERS for f in _offers(score_letter(Letter.from_file(path), today=TODAY))]
    assert sum("[phone number]" in p for p in offered) >= 3
    assert sum("[" in p for p in offered) >= 5


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_a_paragraph_inserted_is_not_offered_again(path):
    letter = Letter.from_file(path)
    first = score_letter(letter, today=TODAY)
    kinds = {r.id: r.kind for r in load_rules().rules}
    for f in _offers(first):
        paragraph = f.suggestions[0]
        if kinds[f.rule] == "salutation":
            continue  # a greeting goes at the top of the body (tests/test_greeting_insert.py)
        if kinds[f.rule] == "header_line":
            text = f"{paragraph}\n\n{letter.text}"  # as the page puts it: at the very top
        else:
            text = _before_sign_off(letter.text, paragraph)
        again = score_letter(Letter(text=text, context=letter.context), today=TODAY)
        same = [g for g in again.findings if g.rule == f.rule and g.start is None]
        if "[" not in paragraph:
            # No gap: the paragraph as written clears its finding (the rules' own words).
            assert same == [], (f.rule, same[0].message if same else None)
            continue
        for g in same:
            assert g.suggestions == [], f"{f.rule} offers its paragraph a second time"
            assert "to fill in" in g.message and "[" in g.message, g.message
        assert text.count(paragraph) == 1


def test_a_gap_reworded_around_is_still_the_paragraph_inserted():
    """The writer reworded the inserted contact paragraph but left its gaps: still no copy."""
    letter = Letter.from_file(ROOT / "sample_letters" / "30_flawed_wrong_name_no_contact.txt")
    [f] = [g for g in _offers(score_letter(letter, today=TODAY)) if g.rule == "content.contact"]
    text = _before_sign_off(letter.text, "Please ring me on [phone number] if you want to talk.")
    [g] = [g for g in score_letter(Letter(text=text, context=letter.context), today=TODAY).findings
           if g.rule == "content.contact"]
    assert g.suggestions == []
    assert "The letter still has [phone number] to fill in" in g.message


def test_gaps_filled_in_clear_the_finding():
    letter = Letter.from_file(ROOT / "sample_letters" / "30_flawed_wrong_name_no_contact.txt")
    [f] = [g for g in _offers(score_letter(letter, today=TODAY)) if g.rule == "content.contact"]
    filled = f.suggestions[0].replace("[phone number]", "01632 960123").replace("[email address]",
                                                                               "sam.patel@example.gov.uk")
    again = score_letter(Letter(text=_before_sign_off(letter.text, filled), context=letter.context), today=TODAY)
    assert [g for g in again.findings if g.rule == "content.contact"] == []


def test_a_letter_without_the_paragraph_is_still_offered_it():
    """Must pass untouched: a letter whose only bracket is its own ("[name of officer]") still
    gets the contact paragraph to insert, as it did."""
    letter = Letter.from_file(ROOT / "sample_letters" / "30_flawed_wrong_name_no_contact.txt")
    text = _before_sign_off(letter.text, "[name of officer] will write again.")
    [g] = [g for g in score_letter(Letter(text=text, context=letter.context), today=TODAY).findings
           if g.rule == "content.contact"]
    assert g.suggestions == [load_rules().by_id["content.contact"].config.insert]


def test_the_same_gap_left_elsewhere_is_not_the_paragraph():
    """Must pass untouched (found on a bench letter): a letter with "[name]" left in another
    paragraph still lacks the decision's "... not to charge [name] with any offence", and is
    still offered it."""
    letter = Letter.from_file(ROOT / "sample_letters" / "34_flawed_decision_never_stated.txt")
    [f] = [g for g in _offers(score_letter(letter, today=TODAY)) if g.rule == "content.decision"]
    assert "[name]" in f.suggestions[0]
    text = _before_sign_off(letter.text, "I am very sorry for the loss of [name].")
    [g] = [g for g in score_letter(Letter(text=text, context=letter.context), today=TODAY).findings
           if g.rule == "content.decision"]
    assert g.suggestions == f.suggestions and g.message == f.message


def test_a_name_the_letter_spells_out_already_is_not_spelled_out_again():
    """A staff review: after "Use “Crown Prosecution Service (CPS)”", "What the CPS does" put in
    "The Crown Prosecution Service (CPS) is independent ..." a second time. With "(CPS)" in the
    letter the paragraph says "The CPS is independent ..."; put in, it clears its finding and
    raises none. A letter without it still gets the name in full."""
    from vcl_qa import LetterContext

    ctx = LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
                        victim_category="standard", victim_name="Ms Jane Okafor")
    full = load_rules().by_id["content.cps_role"].config.insert
    for opening, offered in [("The Crown Prosecution Service (CPS) has decided", full.replace(
                                 "The Crown Prosecution Service (CPS) is", "The CPS is")),
                             ("We have decided", full)]:
        text = (f"Dear Ms Okafor\n\n{opening} to stop the case against Mr Lane. The only witness has moved "
                "abroad.\n\nYours sincerely\n\nSam Staff\n")
        before = score_letter(Letter(text=text, context=ctx), today=TODAY)
        found = [f for f in before.findings if f.rule == "content.cps_role"]
        assert [f.suggestions for f in found] == [[offered]]
        after = score_letter(Letter(text=_before_sign_off(text, offered), context=ctx), today=TODAY)
        assert {f.rule for f in after.findings} <= {f.rule for f in before.findings} - {"content.cps_role"}


@pytest.mark.parametrize("signature", [
    "Sam Staff\nCrown Prosecutor\nCrown Prosecution Service (CPS) North West\n",
    "Sam Staff\nCrown Prosecutor, Crown Prosecution Service (CPS) Wessex\n",
])
def test_a_name_spelled_out_only_in_the_signature_is_spelled_out_in_the_paragraph(signature):
    """Held-out letters: a good letter that spells out "(CPS)" only in the signature under the
    sign-off was offered "The CPS is independent ..."; put in above the sign-off, that was the
    letter's first "CPS", not spelled out, and the button raised "CPS is not spelled out". The
    name is given in full there; a letter that spells it out above keeps the short one."""
    from vcl_qa import LetterContext

    ctx = LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
                        victim_category="standard", victim_name="Ms Jane Okafor")
    full = load_rules().by_id["content.cps_role"].config.insert
    short = full.replace("The Crown Prosecution Service (CPS) is", "The CPS is")
    for opening, offered in [("We have decided", full), ("The Crown Prosecution Service (CPS) has decided", short)]:
        text = (f"Dear Ms Okafor\n\n{opening} to stop the case against Mr Lane. The only witness has moved "
                f"abroad.\n\nYours sincerely\n\n{signature}")
        before = score_letter(Letter(text=text, context=ctx), today=TODAY)
        found = [f for f in before.findings if f.rule == "content.cps_role"]
        assert [f.suggestions for f in found] == [[offered]]
        after = score_letter(Letter(text=_before_sign_off(text, offered), context=ctx), today=TODAY)
        assert {f.rule for f in after.findings} <= {f.rule for f in before.findings} - {"content.cps_role"}
