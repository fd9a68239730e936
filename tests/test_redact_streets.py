"""Streets and premises where something happened are hidden from the panel even when they are not
in the letter's address block (vcl_qa.panel.redact, rules/redaction.yml; a review wrote these into
letters and each reached the panel member as written): a numbered street whose street word also
starts names ("3 Hartley Mount"), a street with no number after "in", "to", "by", "of" ("in
Hartley Way", "the end of Orchard Close"), a street named by "the" and its street word ("on The
Crescent"), a pub by a common name after "in the" ("in the Red Lion") or a pub named by a stop
word ("the Crown pub"), a post office by its name. Ordinary phrases, courts, police stations and
towns stay."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

CTX = LetterContext(victim_name="Ms Kate Hall", letter_date=dt.date(2026, 3, 10))
TAIL = "\n\nWe have decided to stop the case."


def _said(text: str) -> str:
    got = redact(text + TAIL, CTX).text
    assert got.endswith(TAIL)
    return got[:-len(TAIL)]


@pytest.mark.parametrize("text,expect", [
    ("It happened at 3 Hartley Mount.", "It happened at [ADDRESS]."),
    ("It happened at 14 Kings Broadway, Leeds.", "It happened at [ADDRESS], Leeds."),
    ("He lives in Hartley Way.", "He lives in [ADDRESS]."),
    ("It happened in Hartley Place.", "It happened in [ADDRESS]."),
    ("He followed you from Mill Lane to Hartley Way.", "He followed you from [ADDRESS] to [ADDRESS]."),
    ("It happened at the end of Hartley Close.", "It happened at the end of [ADDRESS]."),
    ("He waited by Kestrel Walk.", "He waited by [ADDRESS]."),
    ("He lives on The Crescent near the shops on the Parade.", "He lives on The [ADDRESS] near the shops on the [ADDRESS]."),
    ("He lives on The Crescent, Hexham.", "He lives on [ADDRESS], Hexham."),  # (read as a house's name: "The" goes too)
    ("He was drinking in the Red Lion.", "He was drinking in the [PLACE]."),
    ("He went back to the Fox and Hounds.", "He went back to the [PLACE]."),
    ("He was in the Crown pub.", "He was in the [PLACE] pub."),
    ("He was at Hartley Post Office.", "He was at [PLACE]."),
    # a street named after a place word (street_name_words) with a street word off the bare list
    ("The burglary at your shop on Station Parade was reported.", "The burglary at your shop on [ADDRESS] was reported."),
    ("He ran along Hospital Approach and waited in Council Place.", "He ran along [ADDRESS] and waited in [ADDRESS]."),
    # already hidden before, kept so
    ("It happened outside the Co-op on Hartley Road.", "It happened outside the [PLACE] on [ADDRESS]."),
    ("He attacked you at 14 Mill Lane.", "He attacked you at [ADDRESS]."),
    ("It was at the Red Lion pub in Stoke.", "It was at the [PLACE] pub in Stoke."),
])
def test_a_street_or_premises_where_it_happened_is_hidden(text, expect):
    assert _said(text) == expect


@pytest.mark.parametrize("text", [
    "You were on the way home when he shouted; in a way, that is the right way forward.",
    "It will take place in the Crown Court; he was taken to the police station.",
    "The trial is at Leeds Crown Court and then at Hull Magistrates' Court.",
    "The case for the Crown was strong, and in the Crown's view the plea was fair.",
    "It will not take place in Any Way, in First Place or in No Way; you can find your way to Court.",
    "We met at the close of play, on the drive home, and the avenue of trees was bare.",
    "He lives in Golders Green, near Castle Row station, and works in Canary Wharf.",
    "He sold 3 Market stalls, read 2 Mount Everest books and sat 4 Plain English tests.",
    "We passed your details to the Witness Service in Leeds and to Victim Support.",
    "He was taken to the police station; we met at Leeds Station and at the station.",
    "We rely on Crown Court staff, on Royal Mail and on Council Tax; come on Bank Holiday Monday.",
])
def test_ordinary_phrases_courts_and_towns_stay(text):
    assert _said(text) == text


def test_a_good_letter_keeps_its_ordinary_words():
    """The whole of a plain letter: only the street, the pub and the date of what happened go."""
    letter = (
        "Dear Ms Hall\n\n"
        "I am writing about the assault on you in Hartley Way on 3 January 2026, outside the Red "
        "Lion pub. We decided on 2 March 2026 to stop the case against the man charged. I know "
        "this is not the news you hoped for, and I am sorry.\n\n"
        "The hearing at Leeds Magistrates' Court on 14 April 2026 will not now go ahead. If you "
        "would like to meet us, we can see you at our office or on the way home from work. Victim "
        "Support can help you in the meantime.\n\n"
        "Yours sincerely")
    got = redact(letter, CTX).text
    assert got == (
        "Dear [VICTIM]\n\n"
        "I am writing about the assault on you in [ADDRESS] on [DATE], outside the [PLACE] pub. We "
        "decided on 2 March 2026 to stop the case against the man charged. I know "
        "this is not the news you hoped for, and I am sorry.\n\n"
        "The hearing at Leeds Magistrates' Court on 14 April 2026 will not now go ahead. If you "
        "would like to meet us, we can see you at our office or on the way home from work. Victim "
        "Support can help you in the meantime.\n\n"
        "Yours sincerely")
