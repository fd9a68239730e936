"""Letters in Welsh: the language is recognised (metrics.language: en, cy, cy+en); rules with
`languages: [en]` report "not assessed: the letter is in Welsh" in a Welsh letter and read only
the English lines of a bilingual one; timeliness, placeholders and the greeting still apply;
the review right, its time limits, a meeting offer, support, contact, feelings, condolences
and an apology for lateness are found in Welsh."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.language import by_lines, detect, keep_only, line_language
from vcl_qa.engine.report import render_text
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.structure import analyse
from vcl_qa.errors import RulesError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_letters"
TODAY = dt.date(2025, 6, 2)
WELSH = Letter.from_file(SAMPLES / "39_good_welsh_discontinued_assault_standard.txt")
BILINGUAL = Letter.from_file(SAMPLES / "40_flawed_welsh_bilingual_late_placeholder_jargon.txt")
ENGLISH_ONLY = {r.id for r in load_rules().rules if r.config.languages == ["en"]}


def score(text: str, letter: Letter = WELSH, **changes):
    return score_letter(Letter(text=text, context=letter.context.model_copy(update=changes)), today=TODAY)


def raised(result) -> set[str]:
    return {f.rule for f in result.findings if f.severity != "suggestion"}


def cut(text: str, start: str, stop: str) -> str:
    return text[:text.index(start)] + text[text.index(stop):]


@pytest.mark.parametrize("line,lang", [
    ("Rwy'n ysgrifennu i ddweud wrthych ein bod wedi penderfynu atal yr achos.", "cy"),
    ("Mae’n ddrwg gennyf.", "cy"),  # a curly apostrophe too
    ("Annwyl Mr Rhys", "cy"),
    ("I am writing to tell you that we have decided to stop the case.", "en"),
    ("Dear Mr Rhys", "en"),
    ("Mr Dafydd Rhys", None),
    ("SA31 1AB", None),
])
def test_each_line_is_in_welsh_english_or_neither(line, lang):
    assert line_language(line) == lang


def test_the_samples_languages():
    langs = {p.name: score_letter(Letter.from_file(p), today=TODAY).metrics["language"]
             for p in sorted(SAMPLES.glob("*.txt"))}
    assert langs.pop(WELSH.source.split("/")[-1]) == "cy"
    assert langs.pop(BILINGUAL.source.split("/")[-1]) == "cy+en"
    assert set(langs.values()) == {"en"}


def test_the_quick_look_agrees_with_the_line_by_line_count():
    """`detect` calls a letter with few Welsh words English without counting line by line."""
    folders = [SAMPLES] + sorted((ROOT / "bench").glob("holdout*/letters"))
    paths = [p for f in folders for p in sorted(f.glob("*.txt"))]
    assert len(paths) > 150
    for path in paths:
        lines = [ln.text for ln in analyse(Letter.from_file(path).text).lines]
        assert detect(lines).language == by_lines(lines).language, path.name


def test_welsh_names_and_addresses_leave_an_english_letter_english():
    text = ("Private - to be opened by addressee only\n\nMr Dafydd ap Rhys\n14 Heol y Parc\nCaerfyrddin\n\n"
            "Dear Mr ap Rhys\n\nWe have decided to stop the case. Cymorth i Ddioddefwyr (Victim Support) "
            "can help you, and the Byw Heb Ofn helpline is open day and night.\n\nYours sincerely\n\nSiân\n")
    assert detect([ln.text for ln in analyse(text).lines]).language == "en"


def test_blanking_keeps_offsets_lines_and_neutral_lines():
    doc = analyse(BILINGUAL.text)
    langs = detect([ln.text for ln in doc.lines])
    english = keep_only(doc.text, doc.line_starts, langs.lines, {"en"})
    assert len(english) == len(doc.text) and english.count("\n") == doc.text.count("\n")
    assert "Annwyl" not in english and "Rwy'n" not in english
    assert "Dear Mrs Hughes" in english and "Mrs Eleri Hughes" in english and "LL57 2RT" in english
    assert english.index("Dear Mrs Hughes") == doc.text.index("Dear Mrs Hughes")


def test_english_rules_are_not_assessed_in_a_welsh_letter():
    result = score_letter(WELSH, today=TODAY)
    notes = [n for d in result.dimensions.values() for n in d.not_assessed]
    not_assessed = {n.split(":")[0] for n in notes if n.endswith(": the letter is in Welsh")}
    # Those whose `when` holds for this letter: not the reader rules (an adult reads it), the
    # views of a victim who withdrew (withdrawal: false) or the review offered for a changed charge.
    applies = {r for r in ENGLISH_ONLY if not r.startswith(("readability.young", "readability.easy",
                                                            "readability.figure", "readability.number"))}
    assert not_assessed == applies - {"content.victim_views", "content.vrr_not_applicable"}
    assert result.metrics["flesch_reading_ease"] is None and result.metrics["language"] == "cy"
    assert result.verdict == "good" and raised(result) == set()


def test_the_text_report_says_why_in_one_sentence():
    text = render_text("39.txt", WELSH, score_letter(WELSH, today=TODAY))
    assert "The letter is in Welsh, so these were not checked:" in " ".join(text.split())
    assert '"Legal or official words"' in " ".join(text.split())


def test_without_the_languages_setting_the_welsh_letter_would_be_misjudged(rules_copy):
    """Why rules carry `languages`: read as English, the good Welsh letter fails."""
    for name in ("content.yml", "empathy.yml", "readability.yml"):
        path = rules_copy / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rule in data["rules"]:
            rule.pop("languages", None)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = score_letter(WELSH, today=TODAY)
    assert {"content.decision", "content.reason"} <= raised(result) and result.verdict != "good"


@pytest.mark.parametrize("change,rule", [
    (lambda t: cut(t, "Os ydych yn credu", "Cymorth\n"), "content.vrr"),
    (lambda t: cut(t, "Gofynnwch o fewn", "Nid oes angen"), "content.vrr_time_limit"),
    (lambda t: cut(t, "Gall Cymorth", "Os oes gennych"), "content.support"),
    (lambda t: t.replace("Rwy'n deall y bydd y newyddion hyn yn siomedig i chi, ac mae'n ddrwg gennyf.", ""),
     "empathy.acknowledgement"),
    (lambda t: t.replace("ffoniwch fi ar 029 2080 3874 neu anfonwch e-bost ataf: sian.morgan@cps.gov.uk",
                         "rhowch wybod"), "content.contact"),
    (lambda t: t.replace("Annwyl Mr Rhys", "Annwyl Syr/Fadam"), "content.salutation"),
    (lambda t: t.replace("Annwyl Mr Rhys", "Annwyl Mr Evans"), "content.salutation"),
    (lambda t: t.replace("Preifat - i'w agor gan y derbynnydd yn unig", "Cyfrinachol"), "content.private_heading"),
    (lambda t: t.replace("Siân Morgan", "XXXX"), "content.placeholder"),
])
def test_welsh_content_is_checked_in_welsh(change, rule):
    text = change(WELSH.text)
    assert text != WELSH.text
    result = score(text)
    assert result.metrics["language"] == "cy"
    assert raised(result) == {rule}


def test_meeting_condolence_and_lateness_in_welsh():
    assert raised(score(WELSH.text, offence="hate_crime")) == {"content.meeting"}
    # (a bereaved family is owed the letter within 1 working day: dated the day after the decision)
    on_time = dict(bereaved=True, letter_date=dt.date(2025, 2, 11))
    assert raised(score(WELSH.text, **on_time)) == {"content.meeting", "empathy.condolence"}
    assert raised(score(WELSH.text, bereaved=True)) == {"content.meeting", "empathy.condolence",
                                                        "timeliness.late", "empathy.delay_apology"}
    offer = WELSH.text.replace("Cymorth\n", "Hoffem gynnig cyfarfod â chi i egluro ein penderfyniad. "
                                            "Hoffwn gynnig fy nghydymdeimlad dwysaf i chi.\n\nCymorth\n")
    assert raised(score(offer, **on_time)) == set()
    late = dict(letter_date=dt.date(2025, 2, 28))
    assert raised(score(WELSH.text, **late)) == {"timeliness.late", "empathy.delay_apology"}
    sorry = WELSH.text.replace("Cymorth\n", "Ymddiheuraf am yr oedi cyn ysgrifennu atoch.\n\nCymorth\n")
    assert raised(score(sorry, **late)) == {"timeliness.late"}


def test_a_bilingual_letter_is_read_in_english_by_the_english_rules():
    result = score_letter(BILINGUAL, today=TODAY)
    assert result.metrics["language"] == "cy+en"
    jargon = [f for f in result.findings if f.rule == "readability.jargon"]
    english_part = BILINGUAL.text.index("Dear Mrs Hughes")
    assert jargon and all(f.start > english_part for f in jargon)
    assert [f.text for f in jargon] == ["inform", "offered no evidence"]
    assert isinstance(result.metrics["flesch_reading_ease"], float)
    notes = [n for d in result.dimensions.values() for n in d.not_assessed]
    assert not [n for n in notes if "Welsh" in n]


def test_english_rules_ignore_the_welsh_lines_of_a_bilingual_letter():
    # "ty" is text-speak in English and a Welsh word ("tŷ", house); a long Welsh sentence is
    # still long (sentence length is not limited to English).
    welsh_line = "Mae'r heddlu wedi edrych ar y ty eto."
    text = BILINGUAL.text.replace("Os bydd unrhyw beth arall", welsh_line + " Os bydd unrhyw beth arall")
    result = score_letter(Letter(text=text, context=BILINGUAL.context), today=TODAY)
    assert "readability.text_speak" not in raised(result)
    english = text.replace("Victim Support can help you.", "Victim Support can help u.")
    result = score_letter(Letter(text=english, context=BILINGUAL.context), today=TODAY)
    assert [f.text for f in result.findings if f.rule == "readability.text_speak"] == ["u"]


def test_a_bilingual_letter_needs_the_english_content_in_english():
    # The English rule for the reason reads the English lines only.
    text = cut(BILINGUAL.text, "The case depended on", "If anything else happens")
    result = score_letter(Letter(text=text, context=BILINGUAL.context), today=TODAY)
    assert "content.reason" in raised(result)
    # Content found in either language counts for the rules that read both.
    text = cut(BILINGUAL.text, "If you think our decision", "Victim Support can help")
    result = score_letter(Letter(text=text, context=BILINGUAL.context), today=TODAY)
    assert "content.vrr" not in raised(result) and result.metrics["language"] == "cy+en"



def test_languages_names_known_languages_only(rules_copy):
    path = rules_copy / "readability.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in data["rules"] if r["id"] == "readability.passive")["languages"] = ["fr"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules()
    assert "readability.passive" in str(err.value) and "languages.0" in str(err.value)


def test_a_word_on_both_language_lists_is_refused(rules_copy):
    path = rules_copy / "language.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["english_words"] += " yn"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="on both word lists: yn"):
        score_letter(Letter(text="Dear Ms Okafor\n\nWe have stopped the case.\n"), today=TODAY)


def test_the_language_shares_are_settings(rules_copy):
    path = rules_copy / "language.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["welsh_share"] = 0.999
    data["bilingual_min_words"] = 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # The Welsh sample has English words in no line, so it stays Welsh; one English line makes
    # it bilingual once the share needed for "cy" is raised.
    text = WELSH.text.replace("Cymorth\n", "Please call me if you have any questions about this.\n\nCymorth\n")
    assert score(text).metrics["language"] == "cy+en"
    assert score(WELSH.text).metrics["language"] == "cy"


def test_metrics_language_is_in_every_result():
    result = score_letter(Letter(text="Dear Ms Okafor\n\nWe have stopped the case.\n"), today=TODAY)
    assert result.model_dump(mode="json")["metrics"]["language"] == "en"
    assert "language" not in LetterContext.model_fields  # worked out from the text, not given


def test_the_text_report_says_a_part_was_only_partly_checked():
    """Readability of a letter in Welsh is sentence length alone: the report says so beside the
    score; a part waiting only for a letter detail (English letter, "withdrawal") does not."""
    from vcl_qa.engine.report import partly_checked

    root = Path(__file__).resolve().parent.parent / "sample_letters"
    welsh = Letter.from_file(root / "39_good_welsh_discontinued_assault_standard.txt")
    result = score_letter(welsh)
    line = render_text("welsh.txt", welsh, result).splitlines()[2]
    assert "Plain words 100 (partly checked)" in line and "On time 100 |" in line
    english = Letter.from_file(root / "28_flawed_sir_madam_placeholder.txt")
    done = score_letter(english)
    assert done.dimensions["content"].not_assessed  # waiting for "withdrawal" only
    assert not partly_checked(done.dimensions["content"].not_assessed)
    assert "partly checked" not in render_text("english.txt", english, done)


def test_lines_counted_from_what_was_kept_give_the_same_languages():
    """by_lines keeps each line's language and words: a letter counted again, or after other
    letters, gives what counting it afresh gives, line by line and in total."""
    from vcl_qa.engine import language
    from vcl_qa.engine.language import WORD, settings

    def afresh(lines):
        s = settings()
        langs = tuple(line_language(t, s) for t in lines)
        words = {"en": 0, "cy": 0}
        for t, lang in zip(lines, langs):
            if lang:
                words[lang] += len(WORD.findall(t))
        return langs, words

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("sample_letters/*.txt"))]
    bilingual = 0
    s = settings()
    language._lines_memo(s.welsh, s.english, s.welsh_endings, s.welsh_letters).clear()
    for _ in range(2):  # counted, then from what was kept
        for text in texts:
            lines = text.split("\n")
            got = by_lines(lines)
            assert (got.lines, got.words) == afresh(lines)
            bilingual += got.language == "cy+en"
    assert bilingual >= 2
