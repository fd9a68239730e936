"""Phone numbers typed with full stops, slashes, underscores or spaced figures, Police National
Computer numbers, and case references with dashes (rules/redaction.yml phone, phone_spaced,
pnc_number, urn_shape). An attacker's review: "07700.900.123", "07700/900123", "07700_900_123",
"0 7 7 0 0 - 9 0 0 - 4 5 6" and "PNC 25/123456X" reached the panel, and "42-AB-1234524" became
"42-[CASE REF]"."""
from __future__ import annotations

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

CTX = LetterContext(victim_name="Ms Jane Okafor", urn="42AB1234524")


@pytest.mark.parametrize("text, expect", [
    ("If you want to talk, text me on 07700.900.123 or ring 07700/900123.",
     "If you want to talk, text me on [PHONE] or ring [PHONE]."),
    ("The number he used, 07700_900_123, is on the police file.", "The number he used, [PHONE], is on the police file."),
    ("His messages came from 0 7 7 0 0 - 9 0 0 - 4 5 6 at night.", "His messages came from [PHONE] at night."),
    ("The police gave us his PNC 25/123456X with the file.", "The police gave us his PNC [ID NUMBER] with the file."),
    ("Please quote 42-AB-1234524 when you write.", "Please quote [CASE REF] when you write."),
])
def test_numbers_in_other_shapes_are_hidden_whole(text, expect):
    assert redact(text, CTX).text == expect


@pytest.mark.parametrize("text", [
    "We decided on 01/02/2024 and wrote on 03.04.2024; the 2024/25 figures are out.",
    "It is 0.5 miles away, and the court sits at 10.30 am; section 25/2 applies.",
    "Call NHS 111, or Victim Support, at any time.",
])
def test_dates_sums_and_sections_stay(text):
    assert redact(text, CTX).text == text


def test_a_phone_number_at_a_sentences_end_takes_no_figure_from_the_next():
    out = redact("Call me on 0113 245 6789. 12 people have asked for the same.", CTX).text
    assert out == "Call me on [PHONE]. 12 people have asked for the same."
