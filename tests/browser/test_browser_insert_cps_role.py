""""What the CPS does" goes beside the decision it explains, worked out by api/static/insert.js in
the real browser: a staff review found it put last, before the sign-off, after the contact
details and the 999 line. It now goes after the paragraph that gives the decision (rules/
content.yml `insert_place: early`), spells out "Crown Prosecution Service (CPS)" unless the
letter has done so above that place, clears its finding and raises no other."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from api.web.letter_view import insert_where
from browser_helpers import placed
from vcl_qa import Letter, LetterContext
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

TODAY = dt.date(2025, 3, 5)
CTX = LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
                    victim_category="standard", victim_name="Ms Jane Okafor")
FULL = load_rules().by_id["content.cps_role"].config.insert
SHORT = FULL.replace("The Crown Prosecution Service (CPS) is", "The CPS is")


def _letter(decision: str, reason: str) -> str:
    return ("Dear Ms Okafor\n\n" + decision + "\n\n" + reason + "\n\n"
            "If you disagree with the decision, you can ask us to look at it again. This is called the Victims' "
            "Right to Review. Please ask within 10 working days of this letter.\n\n"
            "Victim Support can help you for free on 0808 168 9111.\n\n"
            "If you have any questions, please call me on 0161 496 0000.\n\n"
            "If you are ever in danger, call 999.\n\nYours sincerely\n\nSam Staff\n")


@pytest.mark.parametrize("decision, reason, offered", [
    ("I am writing to tell you that we have decided to stop the case against Mr Lane. I know this is hard news.",
     "The only witness has moved abroad and we cannot reach her.", FULL),
    ("The Crown Prosecution Service (CPS) has decided to stop the case against Mr Lane. I know this is hard news.",
     "The only witness has moved abroad and we cannot reach her.", SHORT),
    # spelled out only below where the paragraph goes: the paragraph spells it out
    ("I am writing to tell you that we have decided to stop the case against Mr Lane. I know this is hard news.",
     "The Crown Prosecution Service (CPS) looked at the evidence again. The only witness has moved abroad.", FULL),
])
def test_what_the_cps_does_goes_after_the_decision(script_page, decision, reason, offered):
    text = _letter(decision, reason)
    before = score_letter(Letter(text=text, context=CTX), today=TODAY)
    [f] = [f for f in before.findings if f.rule == "content.cps_role"]
    assert f.suggestions == [offered]
    new, said = placed(script_page, text, offered, insert_where(load_rules().by_id["content.cps_role"]),
                       CTX.model_dump(mode="json"))
    assert said == " after the first paragraph under the greeting"  # (the one that gives the decision)
    assert new.index("hard news.") < new.index(offered) < new.index(reason) < new.index("call 999")
    assert f"hard news.\n\n{offered}\n\n" in new
    after = score_letter(Letter(text=new, context=CTX), today=TODAY)
    assert "content.cps_role" not in {g.rule for g in after.findings}
    assert not Counter(g.rule for g in after.findings) - Counter(g.rule for g in before.findings)
