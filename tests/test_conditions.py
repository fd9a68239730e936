"""Which rules apply is decided from what the letter's details say, even when some are missing."""
from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case.\n\nYours sincerely\n"


def meeting(**ctx):
    result = score_letter(Letter(text=TEXT, context=LetterContext(**ctx)))
    fired = any(f.rule == "content.meeting" for f in result.findings)
    unknown = any(n.startswith("content.meeting") for n in result.dimensions["content"].not_assessed)
    return fired, unknown


def test_a_qualifying_offence_needs_a_meeting_even_if_bereaved_is_missing():
    assert meeting(offence="sexual_offence") == (True, False)


def test_bereaved_needs_a_meeting_even_if_offence_is_missing():
    assert meeting(bereaved=True) == (True, False)


def test_no_meeting_needed_when_both_are_known_not_to_need_it():
    assert meeting(bereaved=False, offence="burglary") == (False, False)


def test_not_assessed_when_it_cannot_be_told():
    assert meeting(offence="burglary") == (False, True)
    assert meeting() == (False, True)


def test_a_known_false_condition_wins_over_a_missing_one():
    # content.vrr_time_limit applies to covered decisions AND a review right present: with a
    # changed charge it does not apply, whatever else is missing.
    result = score_letter(Letter(text=TEXT, context=LetterContext(decision="charge_altered")))
    assert not any(n.startswith("content.vrr") for n in result.dimensions["content"].not_assessed)
