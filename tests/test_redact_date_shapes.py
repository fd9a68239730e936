"""Dates of birth and dates of what happened in other shapes: ISO dates ("1961-07-14"), a short
month with a full stop ("Sept. 3rd 2025"), a two-figure year ("14th July '61"), a birthday's
date (rules/redaction.yml date, month_dot, date_of_birth, birthday, incident_dates.date). An
attacker's review: "date of birth as 1961-07-14" became "[DATE OF BIRTH]-07-14", showing the
day and month."""
from __future__ import annotations

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

CTX = LetterContext(victim_name="Ms Jane Okafor", letter_date="2025-03-07")


@pytest.mark.parametrize("text, expect", [
    ("Our records show your date of birth as 1961-07-14. Please tell us if this is wrong.",
     "Our records show your date of birth as [DATE OF BIRTH]. Please tell us if this is wrong."),
    ("We know your 64th birthday is on 14 July 2025, and we are sorry the trial falls so close to it.",
     "We know your 64th birthday is on [DATE OF BIRTH], and we are sorry the trial falls so close to it."),
    ("The file says you were born 14th July '61, and the police form says b. 14 Jul 61.",
     "The file says you were born [DATE OF BIRTH], and the police form says b. [DATE OF BIRTH]."),
    ("The police form says he was born in 1961 on 14 July.", "The police form says he was born in [DATE OF BIRTH]."),
    ("He assaulted you on 2025-03-02 outside your home.", "He assaulted you on [DATE] outside your home."),
    ("The man who attacked you on Sept. 3rd 2025 has been charged.", "The man who attacked you on [DATE] has been charged."),
])
def test_dates_of_birth_and_of_what_happened_in_other_shapes_are_hidden_whole(text, expect):
    assert redact(text, CTX).text == expect


@pytest.mark.parametrize("text", [
    "We made our decision on 2025-03-03 and wrote to you on 2025-03-07.",
    "The hearing is on Sept. 3rd 2025 at Leeds Crown Court.",
    "We will write again in May. 3 people from our team will be at the hearing.",
    "The hearing was on your birthday and we moved it to 14 March 2024.",
])
def test_case_dates_in_those_shapes_stay(text):
    assert redact(text, CTX).text == text


def test_a_case_date_after_a_name_in_iso_form_stays():
    out = redact("Your statement to PC Shaw (2024-05-03) was read to the court.", CTX).text
    assert out == "Your statement to PC [NAME] (2024-05-03) was read to the court."
