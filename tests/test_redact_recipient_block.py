"""The recipient's address block above the greeting, hidden whole in any case or shape, and
postcodes and streets in lower case in the letter (rules/redaction.yml recipient_block,
postcode_any_case, street_line_lower). An attacker's review: "14 meadow view / hessle / hu13
0aa" and "Flat 2, The Maltings / Brewery Wynd / Dunfermline" reached the panel whole."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcl_qa import LetterContext
from vcl_qa.engine.letter import context_from_mapping, split_front_matter
from vcl_qa.panel.redact import redact

ROOT = Path(__file__).resolve().parent.parent

BODY = ("Dear {greet}\n\nI am writing to tell you that we have stopped the case against the man "
        "charged with assaulting you. I know this is not the news you hoped for, and I am sorry.\n\n"
        "You can ask us to look at this decision again within 10 working days.\n\n"
        "Yours sincerely\n\nSam Staff\nVictim Liaison Officer\n")


def _letter(block: str, greet: str) -> str:
    return f"Private - to be opened by addressee only\n\n{block}\n\n19 December 2024\n\n" + BODY.format(greet=greet)


@pytest.mark.parametrize("block, name, greet, hidden", [
    ("Ms Jane Okafor\n14 meadow view\nhessle\nhu13 0aa", "Ms Jane Okafor", "Ms Okafor", ["meadow", "hessle", "hu13"]),
    ("Ms Morag Fraser\nFlat 2, The Maltings\nBrewery Wynd\nDunfermline", "Ms Morag Fraser", "Ms Fraser",
     ["Maltings", "Brewery", "Wynd", "Dunfermline"]),
    ("Ms Jane Okafor\n4 Church Lane\nLittle Snoring\nNorfolk\nNR21 0AB", "Ms Jane Okafor", "Ms Okafor",
     ["Church", "Snoring", "Norfolk", "NR21"]),
    ("To: Siobhán Ní Bhriain\nc/o 3 St. Mary's Terrace,\nApartment 12,\nNewcastle upon Tyne,\nne1 4xy", None,
     "Ms Ní Bhriain", ["Mary", "Apartment", "Newcastle", "ne1"]),
    ("MRS ANGHARAD LLEWELLYN-JONES\nFlat 4b, Tŷ Gwyn\n27 Heol y Felin\nLlanrhystud\nAberystwyth\nSY23 5AB", None,
     "Mrs Llewellyn-Jones", ["Gwyn", "Heol", "Llanrhystud", "Aberystwyth", "SY23"]),
    ("Jayden Price\n9 orchard close\ntelford\ntf3 4nb", "Jayden Price", "Jayden", ["orchard", "telford", "tf3"]),
])
def test_every_line_under_the_recipients_name_is_hidden_whole(block, name, greet, hidden):
    ctx = LetterContext(victim_name=name) if name else None
    out = redact(_letter(block, greet), ctx).text
    head = out.split("\n\n19 December 2024")[0]
    assert head.endswith("\n[ADDRESS]"), head
    for word in hidden:
        assert word not in out, (word, out)
    # the rest stays readable: the letter's date, its body, the writer's role
    assert "\n\n19 December 2024\n\n" in out
    assert "stopped the case against the man charged with assaulting you" in out
    assert "within 10 working days" in out and "Victim Liaison Officer" in out


def test_the_block_stops_at_a_date_a_reference_or_a_role_line():
    text = ("Ms Jane Okafor\n14 meadow view\nhessle\n19 December 2024\nOur reference: see above\n\n"
            + BODY.format(greet="Ms Okafor"))
    out = redact(text, LetterContext(victim_name="Ms Jane Okafor")).text
    assert out.startswith("[VICTIM]\n[ADDRESS]\n19 December 2024\nOur reference: see above\n\n"), out
    text = "Ms Carol Jennings\nStore Manager, Fresh Basket\n\n" + BODY.format(greet="Ms Jennings")
    out = redact(text).text
    assert out.startswith("[NAME]\nStore Manager, [ORGANISATION]\n\n"), out
    text = "Ms Philippa Dunstable\nFinance Director\nCorbel Joinery Ltd\n\n" + BODY.format(greet="Ms Dunstable")
    assert "\nFinance Director\n" in redact(text).text


def test_the_writers_office_above_the_recipient_stays():
    text = ("Crown Prosecution Service\nVictim Liaison Unit\nLeeds\n\nMs Jane Okafor\n14 meadow view\nhessle\n\n"
            + BODY.format(greet="Ms Okafor"))
    out = redact(text, LetterContext(victim_name="Ms Jane Okafor")).text
    assert out.startswith("Crown Prosecution Service\nVictim Liaison Unit\nLeeds\n\n[VICTIM]\n[ADDRESS]\n\n"), out


def test_the_sample_letters_blocks_are_hidden_whole():
    """Every sample letter with an address under the recipient's name: no line of it is shown."""
    seen = 0
    for path in sorted((ROOT / "sample_letters").glob("*.txt")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        out = redact(body, context_from_mapping(meta or {}, str(path))).text
        head = out[:out.find("\nDear ")] if "\nDear " in out else ""
        for line in head.split("\n"):
            if len(line) > 60:  # (a Welsh letter's first paragraph before "Dear")
                break
            if re.search(r"\d", line) and not re.fullmatch(r"(?:\w+day )?\d{1,2} \w+ \d{4}(?: / \d{1,2} \w+ \d{4})?|.*:.*", line.strip()):
                pytest.fail(f"{path.name}: {line!r} shown")
        seen += "[ADDRESS]" in head
    assert seen >= 40


@pytest.mark.parametrize("text, expect", [
    ("We also wrote to you at 12 high street, leeds ls6 2qt, before you moved.",
     "We also wrote to you at [ADDRESS], leeds [ADDRESS], before you moved."),
    ("He lives on Meadow View in Hessle, two doors from you.", "He lives on [ADDRESS] in Hessle, two doors from you."),
    ("Your postcode is hu13 0aa, not HU13  0AA.", "Your postcode is [ADDRESS], not [ADDRESS]."),
])
def test_streets_and_postcodes_in_the_letter_in_any_case(text, expect):
    assert redact(text).text == expect


@pytest.mark.parametrize("text", [
    "He drove 3 miles down the road and 2 cars on our road were hit.",
    "It took 10 working days; 3 people in the close saw it, and the view from the road was clear.",
    "The meeting is at 2pm on the 4th, 3km from the a1 4th exit.",
    "We will write again in 5 weeks, the way we said.",
])
def test_ordinary_sentences_with_numbers_and_street_words_stay(text):
    assert redact(text).text == text
