"""A letter in Welsh is offered the missing paragraph in Welsh (`insert_cy`), never in English; a
letter in Welsh and English is offered no paragraph by a rule that reads both (what it lacks,
both halves lack); a rule that reads English only still offers its English paragraph to the
English half. Each Welsh paragraph, put in as the letter page puts it, is found by its own rule
and raises nothing new but the fields left to fill in."""
from __future__ import annotations

import pytest

from vcl_qa import Letter, score_letter as score
from vcl_qa import RulesError
from vcl_qa.engine.rules import load_rules

CONTEXT = {"decision": "discontinued", "decision_date": "2025-02-03", "letter_date": "2025-02-13",
           "victim_category": "enhanced", "bereaved": True, "offence": "assault",
           "victim_name": "Mr Dafydd Rhys", "urn": "62CF0193525"}

WELSH = """Mr Dafydd Rhys
14 Heol y Parc
Caerfyrddin
SA31 1AB

13 Chwefror 2025

Ein cyfeirnod: 62CF0193525

Annwyl Mr Rhys

Rwy'n ysgrifennu i ddweud wrthych ein bod wedi penderfynu atal yr achos yn erbyn Gareth Lewis. Roedd wedi'i gyhuddo o ymosod ar eich mab y tu allan i'r dafarn yn Stryd y Brenin ar 14 Rhagfyr.

Mae'r fideo o gamera'r dafarn yn dangos dau ddyn yn ymladd, ond nid yw'n dangos pwy a darodd gyntaf. Heb dystiolaeth arall, ni allwn brofi mai ef a ddechreuodd yr ymladd.

{review}

Yn gywir

Siân Morgan
Erlynydd
Gwasanaeth Erlyn y Goron Cymru
"""

ENGLISH = """Mr David Rees
14 Park Road
Carmarthen

Dear Mr Rees

I am writing to tell you that we have decided to stop the case against Gary Lewis. He was charged with assaulting your son outside the pub on King Street on 14 December.

The film from the pub's camera shows two men fighting, but it does not show who struck first. Without other evidence, we cannot prove that he started the fight.

Yours sincerely

Sian Morgan
Prosecutor
"""

# the rules that read Welsh and offer words to add; vrr_time_limit needs the review right
# without its time limits, so it has a letter of its own
RULES = ["content.vrr", "content.meeting", "content.contact", "content.support",
         "content.private_heading", "empathy.acknowledgement", "empathy.condolence",
         "empathy.delay_apology"]
NO_REVIEW_RIGHT = WELSH.replace("{review}\n\n", "")
NO_LIMITS = WELSH.replace("{review}", "Gallwch ofyn i ni edrych ar y penderfyniad eto. Cysylltwch â ni os hoffech wneud hyn.")
FILL_IN = {"content.placeholder"}  # [enw], [rhif ffôn]: the fields the page asks to be filled in


def _score(text: str, **context):
    return score(Letter(text=text, context={**CONTEXT, **context}))


def _rules():
    return {r.id: r for r in load_rules().rules}


def _put_in(text: str, rule_id: str, words: str) -> str:
    """Where the letter page puts it: a heading at the top, a paragraph before the sign-off."""
    if rule_id == "content.private_heading":
        return f"{words}\n\n{text}"
    return text.replace("Yn gywir\n", f"{words}\n\nYn gywir\n", 1)


def _found(result, rule_id):
    return [f for f in result.findings if f.rule == rule_id and not f.suppressed]


def test_every_welsh_rule_that_offers_english_words_has_them_in_welsh():
    rules = _rules()
    offering = sorted(rid for rid, r in rules.items() if getattr(r.config, "insert", None)
                      and "cy" in (r.config.languages or []))
    assert offering == sorted(RULES + ["content.vrr_time_limit"])
    assert all(rules[rid].config.insert_cy for rid in offering)


@pytest.mark.parametrize("rule_id", RULES + ["content.vrr_time_limit"])
def test_a_welsh_letter_is_offered_the_welsh_paragraph_and_it_is_found(rule_id):
    text = NO_LIMITS if rule_id == "content.vrr_time_limit" else NO_REVIEW_RIGHT
    before = _score(text)
    assert before.metrics["language"] == "cy"
    found = _found(before, rule_id)
    assert len(found) == 1, [f.rule for f in before.findings]
    cfg = _rules()[rule_id].config
    welsh = cfg.insert_bereaved_cy or cfg.insert_cy  # (the letter is to a bereaved family)
    assert found[0].suggestions == [welsh]
    assert not any(s == _rules()[rule_id].config.insert for f in before.findings for s in f.suggestions)
    assert "Welsh and English" not in found[0].message
    mended = _put_in(text, rule_id, welsh)
    after = _score(mended)
    assert after.metrics["language"] == "cy"
    assert not _found(after, rule_id)
    raised = {f.rule for f in after.findings} - {f.rule for f in before.findings}
    assert raised <= FILL_IN, raised


def test_all_the_welsh_paragraphs_together_leave_nothing_but_fields_to_fill_in():
    text = NO_REVIEW_RIGHT
    for rule_id in RULES:
        cfg = _rules()[rule_id].config
        text = _put_in(text, rule_id, cfg.insert_bereaved_cy or cfg.insert_cy)
    left = {f.rule for f in _score(text).findings if f.severity == "error"} - FILL_IN
    assert not left & set(RULES), left


def test_an_english_letter_still_gets_the_english_paragraph():
    result = _score(ENGLISH, victim_name="Mr David Rees")
    assert result.metrics["language"] == "en"
    rules = _rules()
    for rule_id in ("content.vrr", "content.meeting", "empathy.condolence", "empathy.delay_apology"):
        assert [f.suggestions for f in _found(result, rule_id)] == [[rules[rule_id].config.insert]], rule_id


def test_a_letter_in_welsh_and_english_gets_no_paragraph_for_what_both_halves_lack():
    both = NO_REVIEW_RIGHT.replace("Siân Morgan\nErlynydd\nGwasanaeth Erlyn y Goron Cymru\n", "Siân Morgan\n\n") + "\n" + ENGLISH
    result = _score(both)
    assert result.metrics["language"] == "cy+en"
    rules = _rules()
    for rule_id in ("content.vrr", "content.meeting", "content.support", "empathy.condolence"):
        found = _found(result, rule_id)
        assert len(found) == 1 and found[0].suggestions == [], rule_id
        assert found[0].message.endswith("The letter is in Welsh and English: add it to both."), rule_id
    # a rule that reads English only reads the English half, and offers its English paragraph
    cps = _found(result, "content.cps_role")
    assert cps and cps[0].suggestions == [rules["content.cps_role"].config.insert]
    assert "Welsh and English" not in cps[0].message


def test_welsh_words_on_a_rule_that_does_not_read_welsh_are_refused(rules_copy):
    path = rules_copy / "content.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index("  - id: content.cps_role")
    insert_at = text.index("    insert:", at)
    path.write_text(text[:insert_at] + '    insert_cy: "Gwasanaeth Erlyn y Goron."\n' + text[insert_at:],
                    encoding="utf-8")
    with pytest.raises(RulesError, match="insert_cy is for a rule that reads Welsh"):
        load_rules()
