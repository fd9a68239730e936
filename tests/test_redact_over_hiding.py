"""The anonymiser's new shapes (this session) read again by a reviewer looking for what they hide
that the panel needs, and for near misses: a lower-case "name" after a cue that was "will
therefore", "via whatsapp" or "abh instead"; a numbered "street" that was "stage 2 review takes
place", "a 30 mph road", "2 crown court hearings"; the recipient's address block swallowing the
reference, date and "Sent by" lines under it with no blank line between, and a Welsh letter's
sign-off above the English greeting; a date of birth written with slashes. (The block's check
took a minute on 200 KB of name lines: bench/bench_hostile.py reads those shapes now.)"""
from __future__ import annotations

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

CTX = LetterContext(victim_name="Ms Jane Okafor")


@pytest.mark.parametrize("text", [
    "The defendant will therefore not face trial.",
    "The suspect will never be charged.",
    "Your ISVA will always be there for you.",
    "We decided to charge abh instead.",
    "He kept messaging your son via whatsapp.",
    "A stage 2 review takes place within 6 weeks.",
    "This is section 3 either way.",
    "It happened on a 30 mph road in town.",
    "There were 2 crown court hearings.",
    "Our 2 lawyers' view was clear.",
    "It is a 10 min walk from here.",
    "dont miss ur chance, we will miss u",
])
def test_ordinary_words_stay(text):
    assert redact(text, CTX).text == text


@pytest.mark.parametrize("text, expect", [
    ("We wrote to you at 12 high street, leeds.", "We wrote to you at [ADDRESS], leeds."),
    ("date of birth as 1961/07/14", "date of birth as [DATE OF BIRTH]"),
    ("date of birth as 1961.07.14", "date of birth as [DATE OF BIRTH]"),
    ("the case against kyle dunn", "the case against [NAME]"),
])
def test_the_shapes_fixed_stay_hidden(text, expect):
    assert redact(text, CTX).text == expect


def test_the_address_block_ends_at_the_lines_under_it():
    text = ("Ms Jane Okafor\n14 meadow view\nhessle\nhu13 0aa\nOur reference: 13AB0456724\nDate: 23 December 2024\n"
            "December 23, 2024\nSent by email only\n\nDear Ms Okafor\n")
    assert redact(text, CTX).text == ("[VICTIM]\n[ADDRESS]\nOur reference: [CASE REF]\nDate: 23 December 2024\n"
                                      "December 23, 2024\nSent by email only\n\nDear [VICTIM]\n")


def test_a_welsh_sign_off_above_the_english_greeting_is_no_address():
    text = ("Annwyl Ms Okafor\n\nRydym wedi penderfynu.\n\nYn gywir\n\nSam Staff\nSwyddog Cyswllt Dioddefwyr\n"
            "Gwasanaeth Erlyn y Goron\n\nDear Ms Okafor\n\nWe have decided.\n")
    out = redact(text, CTX).text
    assert "Swyddog Cyswllt Dioddefwyr\nGwasanaeth Erlyn y Goron" in out and "[ADDRESS]" not in out
