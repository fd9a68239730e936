"""Titles, sign-offs and impersonal greetings have one source (rules/structure.yml): the letter
structure, the greeting check and the panel's redaction read the same lists."""
from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.structure import analyse, impersonal_greetings, title_lists, titles
from vcl_qa.panel.redact import load_rules as redaction_rules


def test_the_redaction_reads_the_same_lists():
    rules = redaction_rules()
    assert rules.impersonal == frozenset(w.lower() for w in impersonal_greetings())
    lists = title_lists()
    assert rules.titles == frozenset(t.lower() for t in lists["honorifics"] + lists["ranks"])
    assert titles() == frozenset(t.lower().rstrip(".") for t in lists["honorifics"] + lists["ranks"])


def test_every_impersonal_greeting_is_reported_by_the_greeting_check():
    for word in impersonal_greetings():
        text = f"Dear {word}\n\nWe have decided to stop the case.\n\nYours sincerely\nJ Whitcombe\n"
        result = score_letter(Letter(text=text, context=LetterContext(victim_name="Ms Jane Okafor")))
        assert [f.text for f in result.findings if f.rule == "content.salutation"] == [f"Dear {word}"], word


def test_a_sign_off_from_the_list_is_a_sign_off_for_the_structure():
    doc = analyse("Dear Ms Okafor\n\nWe have decided to stop the case.\n\nWith my sincere sympathy,\n\nJ Whitcombe\n")
    assert doc.sign_off is not None and doc.sign_off.text.startswith("With my sincere sympathy")
