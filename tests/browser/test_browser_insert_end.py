"""Where "Insert this paragraph" puts a paragraph in letters whose end the checker does not
read as a sign-off, and in letters wrapped at a line length (review of the twentieth session):
api/static/insert.js run in Chromium on the letter and the data the pages are given
(api/web/letter_view.py `insert_data`). Before, "Cheers", "Yours sincerly" or no sign-off at
all put the paragraph under the writer's name, and a wrapped letter had an acknowledgement put
inside the paragraph that gives the decision."""
from __future__ import annotations

import json

import pytest

from api.web.letter_view import insert_data
from live_server import ROOT
from vcl_qa.engine.rules import load_rules

pytestmark = [pytest.mark.browser]

BODY = ("Dear Mr Reid\n\nWe have decided to stop the case against Mr Lane. This is because the only witness "
        "has moved abroad.\n\nThe police officer in the case has been told.\n\n")
NEW = "Victim Support can help you. Call them on 0808 168 9111."


def _place(page, text: str, where: str = "body", value: str = NEW) -> str:
    page.set_content("<!doctype html><title>t</title>")
    for name in ("greeting.js", "insert.js"):
        page.add_script_tag(path=str(ROOT / "api" / "static" / name))
    data = insert_data(load_rules().rules, text, {"decision": "discontinued"})
    placed = page.evaluate("([t, v, w, d]) => window.VclInsert.place(t, v, w, d)",
                           [text, value, where, json.loads(json.dumps(data))])
    return text[:placed["pos"]] + placed["text"] + text[placed["pos"]:]


@pytest.mark.parametrize("end", [
    "Cheers\nSam Patel\nVictim Liaison Unit\n",
    "Yours sincerly\n\nSam Patel\nVictim Liaison Unit\n",
    "Sam Patel\nVictim Liaison Officer\nTel: 0113 496 0000\n",
])
def test_a_paragraph_goes_above_the_name_when_the_sign_off_is_not_known(page, end):
    out = _place(page, BODY + end)
    assert out == BODY + NEW + "\n\n" + end


def test_a_letter_with_no_name_under_it_gets_the_paragraph_at_the_end(page):
    text = BODY.rstrip("\n") + "\n"
    assert _place(page, text) == text + "\n" + NEW + "\n"


def test_a_wrapped_letter_gets_an_early_paragraph_after_the_whole_decision_paragraph(page):
    text = ("Dear Mrs Hale\n\nI am writing about the death of your husband, Peter, on 3 May 2026.\n"
            "We have decided to stop the case.\nThe collision investigator's report could not say how fast\n"
            "the car was going.\n\nIf you are not happy with this decision, you can ask us to look at\n"
            "it again.\n\nYours sincerely\nMartin Gale\n")
    value = "I am very sorry for the loss of Peter."
    out = _place(page, text, "early", value)
    assert "the car was going.\n\n" + value + "\n\nIf you are not happy" in out


def test_a_word_letter_with_one_stray_blank_line_keeps_its_paragraphs_one_a_line(page):
    text = ("Dear Mrs Hale\nWe have decided to stop the case against Mr Lane.\nThe report could not say how fast "
            "the car was going.\n\nIf you are not happy with this decision, you can ask us to look at it again.\n"
            "Yours sincerely\nMartin Gale\n")
    value = "I am very sorry for the loss of Peter."
    out = _place(page, text, "early", value)
    assert "We have decided to stop the case against Mr Lane.\n" + value + "\nThe report" in out


def test_in_a_letter_one_line_a_paragraph_it_is_set_apart_by_a_line_break(page):
    text = ("Dear Mr Reid\nWe have decided to stop the case against Mr Lane.\nThe police have been told.\n"
            "Cheers\nSam Patel\n")
    assert _place(page, text) == text.replace("Cheers", NEW + "\nCheers")
