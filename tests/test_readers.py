"""Reader profiles (the letter detail `reader`: adult, young_person, easy_read): thresholds per
reader are typed settings of their kinds (sentence_length `reader_max_words`, metric
`reader_min`), the Easy Read rules apply only to Easy Read letters, the `own_line` kind finds
review steps sharing a line, and the detail arrives from front matter and the command line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vcl_qa import Letter, LetterContext
from vcl_qa.cli import main
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import LetterError, RulesError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_letters"
TODAY = dt.date(2025, 6, 2)
READER_RULES = {"readability.young_reader_words", "readability.easy_read_one_idea",
                "readability.figure_of_speech", "readability.number_words",
                "readability.easy_read_steps"}


def rules_fired(text: str, **ctx) -> list[str]:
    result = score_letter(Letter(text=text, context=LetterContext(**ctx)), today=TODAY)
    return [f.rule for f in result.findings]



def edit_rule(folder: Path, rid: str, **changes) -> None:
    path = folder / "readability.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in data["rules"] if r["id"] == rid).update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_reader_is_adult_unless_said_and_a_wrong_one_is_named():
    assert LetterContext().reader == "adult"
    assert Letter.from_text("---\nreader:\n---\nDear Ms Okafor\n").context.reader == "adult"
    assert Letter.from_text("---\nreader: Easy_Read\n---\nDear Ms Okafor\n").context.reader == "easy_read"
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\nreader: child\n---\nDear Ms Okafor\n", source="a.txt")
    assert err.value.details == [("reader", "'child' is not one of 'adult', 'young_person' or 'easy_read'")]


@pytest.mark.parametrize("words,reader,long", [
    (21, "adult", False), (26, "adult", True),
    (20, "young_person", False), (21, "young_person", True),
    (15, "easy_read", False), (16, "easy_read", True),
])
def test_sentence_length_limit_depends_on_the_reader(words, reader, long):
    sentence = " ".join(["word"] * (words - 1)) + " end."
    assert ("readability.long_sentence" in rules_fired(sentence, reader=reader)) == long


def test_the_message_names_the_readers_limit():
    sentence = " ".join(["word"] * 17) + "."
    result = score_letter(Letter(text=sentence, context=LetterContext(reader="easy_read")), today=TODAY)
    [f] = [f for f in result.findings if f.rule == "readability.long_sentence"]
    assert f.message == "This sentence has 17 words (more than 15). Break it up."


def test_reading_ease_floor_depends_on_the_reader():
    rule = load_rules().by_id["readability.reading_ease"]
    assert [rule.config.minimum(r) for r in ("adult", "young_person", "easy_read")] == [60, 70, 80]
    text = Letter.from_file(SAMPLES / "36_flawed_young_person_long_sentences_hard_words.txt").text
    adult = score_letter(Letter(text=text), today=TODAY)
    young = score_letter(Letter(text=text, context=LetterContext(reader="young_person")), today=TODAY)
    assert 60 <= adult.metrics["flesch_reading_ease"] < 70
    assert "readability.reading_ease" not in {f.rule for f in adult.findings}
    [f] = [f for f in young.findings if f.rule == "readability.reading_ease"]
    assert "aim for 70 or more" in f.message


def test_a_reader_threshold_for_an_unknown_reader_stops_loading(rules_copy):
    edit_rule(rules_copy, "readability.long_sentence", reader_max_words={"toddler": 5})
    with pytest.raises(RulesError) as err:
        load_rules()
    assert "readability.long_sentence" in str(err.value) and "reader_max_words.toddler" in str(err.value)


def test_a_reader_threshold_must_be_a_number(rules_copy):
    edit_rule(rules_copy, "readability.reading_ease", reader_min={"young_person": "high"})
    with pytest.raises(RulesError, match="reader_min.young_person"):
        load_rules()


@pytest.mark.parametrize("name", ["36_flawed_young_person_long_sentences_hard_words.txt",
                                  "38_flawed_easy_read_not_easy.txt"])
def test_the_flawed_reader_samples_pass_as_letters_to_an_adult(name):
    letter = Letter.from_file(SAMPLES / name)
    adult = score_letter(Letter(text=letter.text, context=letter.context.model_copy(update={"reader": "adult"})),
                         today=TODAY)
    assert {f.rule for f in adult.findings if f.severity != "suggestion"} == set()


def test_young_reader_words_apply_to_young_and_easy_read_readers_only():
    text = "We have considered the evidence. However, the defendant will not go to court."
    assert rules_fired(text).count("readability.young_reader_words") == 0
    assert rules_fired(text, reader="young_person").count("readability.young_reader_words") == 3
    assert rules_fired(text, reader="easy_read").count("readability.young_reader_words") == 3


def test_easy_read_rules_apply_to_easy_read_letters_only():
    text = ("The driver saw it, which helped. Please do not let this put you off coming forward. "
            "Ask within ten working days.")
    easy = rules_fired(text, reader="easy_read")
    assert {"readability.easy_read_one_idea", "readability.figure_of_speech",
            "readability.number_words"} <= set(easy)
    assert not READER_RULES & set(rules_fired(text, reader="young_person")) - {"readability.young_reader_words"}
    assert not READER_RULES & set(rules_fired(text))


def test_number_words_offer_the_digit():
    result = score_letter(Letter(text="Please ask within ten working days.",
                                 context=LetterContext(reader="easy_read")), today=TODAY)
    [f] = [f for f in result.findings if f.rule == "readability.number_words"]
    assert (f.text, f.suggestions) == ("ten", ["10"])


REVIEW = ("You can ask us to look at the decision again.{sep}Please ask within 10 working days."
          "{sep}We can accept requests up to 3 months after the decision.")


def test_review_steps_on_one_line_are_found_and_named():
    text = REVIEW.format(sep=" ")
    result = score_letter(Letter(text=text, context=LetterContext(reader="easy_read", decision="discontinued")),
                          today=TODAY)
    [f] = [f for f in result.findings if f.rule == "readability.easy_read_steps"]
    assert (f.start, f.end, f.line) == (0, len(text), 1)
    assert "the right to ask for a review, the 10 working days and the 3 months" in f.message


def test_review_steps_on_lines_of_their_own_pass():
    text = REVIEW.format(sep="\n\n")
    assert "readability.easy_read_steps" not in rules_fired(text, reader="easy_read", decision="discontinued")
    two = "You can ask us to look at the decision again. Please ask within 10 working days.\n\n" \
          "We can accept requests up to 3 months after the decision."
    result = score_letter(Letter(text=two, context=LetterContext(reader="easy_read", decision="discontinued")),
                          today=TODAY)
    [f] = [f for f in result.findings if f.rule == "readability.easy_read_steps"]
    assert "the right to ask for a review and the 10 working days" in f.message


def test_own_line_needs_two_steps(rules_copy):
    edit_rule(rules_copy, "readability.easy_read_steps", steps={"review_right": "the review right"})
    with pytest.raises(RulesError, match="at least two steps"):
        load_rules()


def test_own_line_steps_must_be_known_concepts(rules_copy):
    edit_rule(rules_copy, "readability.easy_read_steps",
              steps={"review_right": "the review right", "review_ten_dayz": "10 days"})
    with pytest.raises(RulesError, match="unknown concept 'review_ten_dayz'"):
        load_rules()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_command_line_reader_overrides_the_front_matter():
    path = SAMPLES / "36_flawed_young_person_long_sentences_hard_words.txt"
    young = run("score", "--format", "json", path)
    adult = run("score", "--format", "json", "--reader", "adult", path)
    assert "readability.young_reader_words" in young.stdout
    assert "readability.young_reader_words" not in adult.stdout and adult.exit_code == 0
    bad = run("score", "--reader", "child", path)
    assert bad.exit_code == 2 and "child" in bad.output
