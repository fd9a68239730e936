"""Where "Insert this paragraph" puts a paragraph in a letter in Welsh and English, Welsh first,
worked out by api/static/insert.js in the real browser: the paragraph the checker offers there
is English (a rule that reads English only, such as the CPS's role, reads the English half), and
it went before the letter's first sign-off, "Yn gywir", inside the Welsh half, where the check
did not find it, so the button left its finding in place and put English in the Welsh letter (4
held-out letters, a review's find). It goes in the English half, as it would in that half alone."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from api.web.letter_view import insert_where, welsh_first
from browser_helpers import placed
from vcl_qa import Letter
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent.parent
BILINGUAL = ROOT / "bench" / "holdout22" / "letters" / "good_10_cy_bilingual_not_charged_criminal_damage.txt"
TODAY = dt.date(2024, 7, 11)


def _placed(page, letter: Letter, value: str, where: str) -> tuple[str, str]:
    return placed(page, letter.text, value, where, letter.context.model_dump(mode="json"))


def test_a_paragraph_goes_in_the_english_half_and_clears_its_finding(script_page):
    letter = Letter.from_file(BILINGUAL)
    assert welsh_first(letter.text)
    before = score_letter(letter, today=TODAY)
    found = [f for f in before.findings if f.rule == "content.cps_role"]
    assert len(found) == 1 and found[0].suggestions
    rule = load_rules().by_id["content.cps_role"]
    new, said = _placed(script_page, letter, found[0].suggestions[0], insert_where(rule))
    welsh_end, english_start = new.index("Yn gywir"), new.index("Dear Mr Huws")
    at = new.index(found[0].suggestions[0])
    assert english_start < at < new.index("Yours sincerely") and not welsh_end < at < english_start
    # (beside the decision it explains: the English half's first paragraph gives it)
    assert said == " in the English half, after the first paragraph under the greeting"
    assert new.index("Dear Mr Huws") < new.index("Thank you for your help with the case.") < at < new.index("Here is the reason.")
    after = score_letter(letter.model_copy(update={"text": new}), today=TODAY)
    assert "content.cps_role" not in {f.rule for f in after.findings}
    assert not Counter(f.rule for f in after.findings) - Counter(f.rule for f in before.findings)


@pytest.mark.parametrize("where", ["early", "opening"])
def test_an_early_paragraph_goes_under_the_english_greeting(script_page, where):
    letter = Letter.from_file(BILINGUAL)
    new, said = _placed(script_page, letter, "NEW PARAGRAPH.", where)
    english_start = new.index("Dear Mr Huws")
    assert english_start < new.index("NEW PARAGRAPH.") < new.index("Yours sincerely")
    assert said.startswith(" in the English half,")


def test_a_letter_in_english_or_english_first_is_as_before(script_page):
    letter = Letter.from_file(BILINGUAL)
    text = letter.text
    welsh = text[text.index("Annwyl"):text.index("Dear Mr Huws")]
    english = text[text.index("Dear Mr Huws"):]
    english_first = letter.model_copy(update={"text": english.rstrip() + "\n\n" + welsh})
    assert not welsh_first(english_first.text)
    new, said = _placed(script_page, english_first, "NEW PARAGRAPH.", "body")
    assert new.index("NEW PARAGRAPH.") < new.index("Yours sincerely") < new.index("Annwyl")
    assert said == " before the sign-off"
    only_english = letter.model_copy(update={"text": english})
    assert not welsh_first(only_english.text)
