"""Issue 13's judgement classes on whole letters: boilerplate is not a reason, a phone call is not
a meeting, an invitation to get in touch is not a way to do it, and "support is available" names
no support. Each flawed letter differs from the good one only where the class says."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa import Letter
from vcl_qa.engine.letter import LetterContext
from vcl_qa.engine.run import score_letter

TODAY = dt.date(2025, 5, 2)
CONTEXT = LetterContext(decision="discontinued", decision_date=dt.date(2025, 4, 30), letter_date=TODAY,
                        victim_category="enhanced", victim_name="Ms Priya Shah", offence="sexual_offence",
                        bereaved=False, withdrawal=False)

REASON = ("The case depended on what your friend Amy saw from the taxi. She has now told the police "
          "that she did not see the man's face, and the camera on the taxi was not working that night.")
MEETING = ("I would like to offer you a meeting with the prosecutor, Mr Hale, to explain the decision. "
           "We can meet at our office or by video call, whichever you prefer.")
CONTACT = "If you have any questions, please call me on 01632 960451 or email vlu.south@cps.gov.uk."
SUPPORT = ("Your Independent Sexual Violence Adviser knows about this decision and can keep supporting "
           "you. Rape Crisis runs a free support line on 0808 500 2222.")


def letter(reason: str = REASON, meeting: str = MEETING, contact: str = CONTACT, support: str = SUPPORT) -> str:
    return f"""Private - to be opened by addressee only

Ms Priya Shah
4 Elm Row
Southampton
SO15 2AB

Dear Ms Shah

I am writing to tell you that we have decided to stop the case against Darren Cole. I know this is not the news you hoped for, and I am sorry for the distress it may cause you.

The Crown Prosecution Service (CPS) decides whether cases go to court. {reason} This does not mean that we do not believe you.

{meeting}

If you are not happy with this decision, you can ask us to look at it again. This is called the Victims' Right to Review. Please ask within 10 working days of this letter. We can accept requests up to 3 months after the decision. You do not need a lawyer, and you do not need to give a reason.

{support}

This decision does not mean you should not report anything that happens in future. If anything else happens, please tell the police straight away.

{contact}

Yours sincerely

Helen Marsh
Victim Liaison Officer
"""


def raised(text: str) -> set[str]:
    result = score_letter(Letter(text=text, context=CONTEXT), today=TODAY)
    return {f.rule for f in result.findings if f.severity in ("error", "warning") and not f.suppressed}


CONTENT = {"content.reason", "content.meeting", "content.contact", "content.support"}


def test_the_good_letter_raises_none_of_them():
    assert raised(letter()) & CONTENT == set()


@pytest.mark.parametrize("reason", [
    # the evidence listed as looked at, without what it showed
    "We looked carefully at your statement, the taxi's camera film and the medical notes, and we do not "
    "think a court would be likely to convict Mr Cole.",
    # a generic public-interest phrase and test wording
    "Having weighed everything, the public interest factors against a prosecution outweigh those in "
    "favour, and the evidential stage of the Full Code Test is not met.",
    # reassurance and the decision's own names, court and date
    "At Southampton Crown Court on 29 April we offered no evidence against Mr Cole, which means he has "
    "been found not guilty. This does not mean you were not a victim of crime.",
])
def test_boilerplate_is_not_a_reason(reason):
    assert "content.reason" in raised(letter(reason=reason))


@pytest.mark.parametrize("meeting", [
    "I would be happy to talk you through the decision on the phone, at a time that suits you.",
    "If you would like to discuss the decision with the prosecutor, please ring me and I will arrange a "
    "telephone call.",
])
def test_a_phone_call_is_not_a_meeting(meeting):
    assert "content.meeting" in raised(letter(meeting=meeting))


def test_a_phone_call_or_a_meeting_is_a_meeting():
    offer = "We can talk on the phone first, and then meet in person if you would like."
    assert "content.meeting" not in raised(letter(meeting=offer))


@pytest.mark.parametrize("contact", [
    "Please get in touch with our office if you have any questions.",
    "If there is anything you do not understand, please contact me.",
])
def test_an_invitation_without_details_is_not_a_way_to_contact(contact):
    assert "content.contact" in raised(letter(contact=contact))


def test_details_elsewhere_in_the_letter_count():
    contact = "Please get in touch with me using the details at the top of this letter."
    assert "content.contact" not in raised(letter(contact=contact))
    signed = letter(contact="Please get in touch if you have any questions.").replace(
        "Victim Liaison Officer\n", "Victim Liaison Officer\nTel: 01632 960451\n")
    assert "content.contact" not in raised(signed)


@pytest.mark.parametrize("support", [
    "Support is available if you need it, whether or not the case goes to court.",
    "There are organisations that can offer you emotional and practical support. A helpline is open "
    "day and night.",
])
def test_support_is_available_names_no_support(support):
    assert "content.support" in raised(letter(support=support))


def test_curly_quotes_in_the_reason_are_read_as_plain():
    reason = REASON.replace("man's", "man’s") + " She’s told us she can’t be sure it was him."
    assert "content.reason" not in raised(letter(reason=reason))
