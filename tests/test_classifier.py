"""The concept classifier (issue 13): a second opinion that is never needed to score a letter.

A tiny model is trained once for this module from a slice of data/concept_sentences/ by the real
training script (a few seconds); the model `make model` builds is used too when it is there.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vcl_qa.engine import classifier
from vcl_qa.engine.classifier import CONCEPTS, load_model, normalise, second_opinion, strongest, thresholds

ROOT = Path(__file__).resolve().parent.parent

BOILERPLATE = [
    "There is insufficient evidence to provide a realistic prospect of conviction, so the case cannot continue.",
    "We looked at the CCTV, the statements and the medical notes before deciding.",
    "This does not mean that we do not believe you.",
]
SPECIFIC = [
    "The CCTV from the shop does not show the man's face, and the only witness has moved abroad.",
    "The doctor says the cut on your hand could have been caused by the broken glass you fell on.",
    "Mr Lowe was at work in Cardiff that night, and his manager confirms it.",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "concepts"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_concept_model.py"), "--out", str(out),
                           "--limit", "60", "--epochs", "10", "--quiet"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "held-back 15% split" in done.stdout  # the per-concept figures are printed
    return out


def test_a_missing_model_is_no_model_and_nothing_breaks(tmp_path):
    missing = tmp_path / "no-model-here"
    assert load_model(missing) is None
    assert second_opinion("specific_reason", SPECIFIC, missing) == []
    assert strongest("review_right", ["You can ask for a review."], missing) is None
    assert thresholds(missing) == {}


def test_a_broken_model_folder_is_no_model(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.json").write_text("{not json")
    (broken / "config.cfg").write_text("[nlp]\nlang = \"xx-not-a-language\"\n")
    assert load_model(broken) is None
    assert second_opinion("meeting_offer", ["I would like to meet you."], broken) == []


def test_the_setting_names_the_model_folder(monkeypatch, tmp_path):
    from vcl_qa import config

    monkeypatch.setenv("VCL_QA_CONCEPT_MODEL", str(tmp_path / "elsewhere"))
    assert config.concept_model_dir() == tmp_path / "elsewhere"
    assert load_model() is None  # the default path follows the setting
    monkeypatch.delenv("VCL_QA_CONCEPT_MODEL")
    assert config.concept_model_dir() == ROOT / "var" / "models" / "concepts"


def test_an_unknown_concept_is_refused(tiny_model):
    with pytest.raises(ValueError, match="contact"):
        second_opinion("contact", ["Call me on 01632 960000."], tiny_model)


def test_normalise_folds_case_digits_and_spaces():
    assert normalise("  The CCTV  on 12 March\n2024 ") == "the cctv on 00 march 0000"


def test_boilerplate_scores_lower_than_a_specific_reason(tiny_model):
    low = second_opinion("specific_reason", BOILERPLATE, tiny_model)
    high = second_opinion("specific_reason", SPECIFIC, tiny_model)
    assert len(low) == len(BOILERPLATE) and len(high) == len(SPECIFIC)
    assert all(0.0 <= p <= 1.0 for p in low + high)
    assert max(low) < min(high), (low, high)


def test_one_probability_per_sentence_in_order(tiny_model):
    sentences = BOILERPLATE + SPECIFIC
    forward = second_opinion("specific_reason", sentences, tiny_model)
    backward = second_opinion("specific_reason", sentences[::-1], tiny_model)
    assert forward == pytest.approx(backward[::-1])
    assert second_opinion("specific_reason", [], tiny_model) == []


def test_each_concept_has_its_own_opinion(tiny_model):
    review = "If you disagree with our decision, you can ask for it to be reviewed by another prosecutor."
    meeting = "I would be glad to meet you at our office to explain the decision in person."
    assert second_opinion("review_right", [review], tiny_model)[0] > second_opinion("review_right", [meeting], tiny_model)[0]
    assert second_opinion("meeting_offer", [meeting], tiny_model)[0] > second_opinion("meeting_offer", [review], tiny_model)[0]


def test_the_opinion_names_the_sentence_and_the_concept(tiny_model):
    sentences = ["Dear Ms Rees", BOILERPLATE[0], SPECIFIC[0], "Yours sincerely"]
    best = strongest("specific_reason", sentences, tiny_model)
    assert best is not None and best.index == 2 and best.sentence == SPECIFIC[0]
    assert best.explain().startswith('specific reason: "The CCTV from the shop')


def test_the_model_is_loaded_once_and_carries_its_thresholds(tiny_model):
    assert load_model(tiny_model) is load_model(str(tiny_model))
    th = thresholds(tiny_model)
    assert set(th) == set(CONCEPTS)
    for t in th.values():
        assert set(t) == {"alone", "veto", "rescue"} and all(0.0 < v < 1.0 for v in t.values())
    meta = json.loads((tiny_model / "meta.json").read_text())
    assert meta["vcl_qa"]["seed"] == 13 and meta["vcl_qa"]["sentences"] > 0


def test_training_is_deterministic(tiny_model, tmp_path):
    again = tmp_path / "again"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_concept_model.py"), "--out", str(again),
                           "--limit", "60", "--epochs", "10", "--quiet"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    sentences = BOILERPLATE + SPECIFIC
    for concept in CONCEPTS:
        assert second_opinion(concept, sentences, again) == pytest.approx(second_opinion(concept, sentences, tiny_model), abs=1e-6)


def test_the_built_model_separates_boilerplate_from_reasons():
    built = classifier.load_model()
    if built is None:
        pytest.skip("no model at var/models/concepts (make model builds it)")
    low = second_opinion("specific_reason", BOILERPLATE)
    high = second_opinion("specific_reason", SPECIFIC)
    assert max(low) < 0.5 < min(high), (low, high)


def test_a_sentence_read_alone_gets_the_probabilities_the_pipeline_gives(tiny_model):
    """A single new sentence is read by running the pipeline's components on it directly
    (classifier._read_one): the same probabilities as calling the pipeline, and as reading it
    in a batch."""
    from vcl_qa.engine.classifier import _read_one

    nlp = load_model(tiny_model)
    sentences = ["The film shows a man in a red coat, and Mr Hale wore a blue one.",
                 "This decision was made after careful consideration of all the evidence.",
                 "I am so sorry for what you have been through.", "We can meet you at our office."]
    alone = [_read_one(nlp, normalise(s)).cats for s in sentences]
    assert alone == [nlp(normalise(s)).cats for s in sentences]
    assert alone == [d.cats for d in nlp.pipe([normalise(s) for s in sentences])]
    assert len({round(c["specific_reason"], 6) for c in alone}) > 1  # the model tells them apart


def _corpus_sentences() -> list[str]:
    """Every sentence of data/concept_sentences/, normalised as the model reads it."""
    import yaml

    found: list[str] = []

    def walk(x) -> None:
        if isinstance(x, str):
            found.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for path in sorted((ROOT / "data" / "concept_sentences").glob("*.yml")):
        walk(yaml.safe_load(path.read_text()))
    return [normalise(s) for s in found if s.strip()]


ODD = ["We cannot prove it - don't worry, it's not your fault.", "(cps), owen.price@cps.gov.uk.", "x", "0",
       "mr o'neill's \u2018case\u2019 \u2014 12/03/2024 at 10:30am", "\u00a3250.00!!! ...", "e.g. i.e. etc.",
       "a " * 300, "caf\u00e9 na\u00efve \u0441\u043e\u0431\u0430\u043a\u0430", "[[[[[[[[[[[[[[[[", "\U0001f600 :) :-("]


@pytest.mark.parametrize("which", ["built", "tiny"])
def test_the_reader_gives_the_probabilities_the_pipeline_gives(which, tiny_model):
    """classifier._Reader runs the model's own layers on each sentence's word ids, without a
    Doc: on every sentence of the corpus and some odd ones, read one at a time, a few at a time
    and many at a time, with its memo of words empty and full, exactly doc.cats."""
    nlp = load_model(None if which == "built" else tiny_model)
    if nlp is None:
        pytest.skip("no model at var/models/concepts (make model builds it)")
    reader = classifier._reader(nlp)
    assert reader is not None and classifier._reader(nlp) is reader  # made once per model
    sentences = _corpus_sentences() + [normalise(s) for s in ODD]
    if which == "tiny":
        sentences = sentences[::7]
    want = [{k: float(v) for k, v in doc.cats.items()} for doc in nlp.pipe(sentences, batch_size=64)]
    for size in (1, 7, 64):
        reader.words.clear()
        got = []
        for i in range(0, len(sentences), size):
            got += reader.cats(sentences[i:i + size])
        assert got == want, size
    assert reader.cats(sentences[:3]) == want[:3]  # every word met before
    assert [set(c) for c in reader.cats(sentences[:2])] == [set(CONCEPTS)] * 2


def test_the_reader_keeps_a_bounded_memo_of_words(tiny_model, monkeypatch):
    """The words met and their ids are kept up to WORDS_KEPT, then let go all at once; what is
    read is the same either way."""
    nlp = load_model(tiny_model)
    reader = classifier._reader(nlp)
    monkeypatch.setattr(type(reader), "WORDS_KEPT", 50)
    reader.words.clear()
    sentences = _corpus_sentences()[:40]
    words = {w for s in sentences for w in s.split(" ")}
    assert len(words) > 50
    got = reader.cats(sentences)
    assert set(reader.words) == words  # (one batch's words are all kept, to be read)
    one = "a zebra crossed."
    assert reader.cats([one]) == [dict(nlp(one).cats)]
    assert set(reader.words) == {"a", "zebra", "crossed."}  # full: emptied before the new words
    assert reader.cats(sentences[::-1]) == got[::-1] == [dict(d.cats) for d in nlp.pipe(sentences[::-1])]
    # ... and up to CHARS_KEPT characters of words (two hundred-character words are few)
    monkeypatch.setattr(type(reader), "WORDS_KEPT", 10_000)
    monkeypatch.setattr(type(reader), "CHARS_KEPT", 30)
    reader.cats(sentences)
    assert reader.chars > 30
    assert reader.cats([one]) == [dict(nlp(one).cats)] and set(reader.words) == {"a", "zebra", "crossed."}
    assert reader.chars == len("azebracrossed.")


def test_a_model_reloaded_gets_its_own_reader(tiny_model):
    first = classifier._reader(load_model(tiny_model))
    classifier.reload()
    again = load_model(tiny_model)
    assert classifier._reader(again) is not first
    assert classifier._reader(again).cats(["we stopped the case."]) == [dict(again("we stopped the case.").cats)]


def test_the_reader_splits_new_words_with_the_engines_tokenizer_when_built_alike(tiny_model):
    """The engine's tokenizer (spacy.blank("en") with quick_suffixes) has met most of a
    letter's words: the reader splits new words with it when the model's is built alike (a
    token's id is its text's hash, whichever vocabulary makes it), and with the model's own
    otherwise, or once the model's has been replaced. Either way, the pipeline's probabilities."""
    import spacy

    from vcl_qa.engine.nlp import get_nlp

    nlp = load_model(tiny_model)
    reader = classifier._reader(nlp)
    assert reader.shared and reader.tokenizer() is get_nlp().tokenizer
    assert not classifier._built_alike(nlp.tokenizer, spacy.blank("en").tokenizer)  # (its suffix search)
    sentences = _corpus_sentences()[::11] + [normalise(s) for s in ODD]
    want = [dict(d.cats) for d in nlp.pipe(sentences)]
    reader.words.clear()
    assert reader.cats(sentences) == want
    reader.words.clear()
    reader.shared = False
    try:
        assert reader.tokenizer() is nlp.tokenizer and reader.cats(sentences) == want
    finally:
        reader.shared = True
