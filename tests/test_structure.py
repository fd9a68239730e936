"""The parts of a letter are recognised, so that only the prose counts for readability."""
import pytest

from vcl_qa.engine.structure import analyse

LETTER = """Private - to be opened by addressee only

Ms Jane Okafor
14 Larch Road
Leeds LS1 4AB

Our reference: 42AB1234524
20 December 2024

Dear Ms Okafor

Re: the case against Mark Trent

I am writing to tell you that we have decided to stop the case against Mark Trent. I know this
will be upsetting news, and I am sorry. Mr. Trent was due in court on 3 January.

Why we made this decision
The CCTV footage does not show the assault clearly. Without it, a court is unlikely to find him guilty.

- Victim Support: 0808 168 9111
- Samaritans: 116 123

Yours sincerely

Sam Patel
Senior Lawyer
"""


def kinds(text):
    return {ln.text.strip(): ln.kind for ln in analyse(text).lines if ln.text.strip()}


def test_parts_of_a_letter_are_recognised():
    k = kinds(LETTER)
    assert k["Private - to be opened by addressee only"] == "header"
    assert k["14 Larch Road"] == "address"
    assert k["Our reference: 42AB1234524"] == "reference"
    assert k["Dear Ms Okafor"] == "greeting"
    assert k["Re: the case against Mark Trent"] == "reference"
    assert k["Why we made this decision"] == "heading"
    assert k["Yours sincerely"] == "sign_off"
    assert k["Senior Lawyer"] == "signature"
    assert k["- Samaritans: 116 123"] == "prose"


def test_sentences_follow_punctuation_not_line_wrapping():
    sentences = [s.text.replace("\n", " ") for s in analyse(LETTER).sentences]
    assert sentences == [
        "I am writing to tell you that we have decided to stop the case against Mark Trent.",
        "I know this will be upsetting news, and I am sorry.",
        "Mr. Trent was due in court on 3 January.",
        "The CCTV footage does not show the assault clearly.",
        "Without it, a court is unlikely to find him guilty.",
        "Victim Support: 0808 168 9111",
        "Samaritans: 116 123",
    ]


def test_a_list_label_is_no_part_of_its_item_and_no_sentence_of_its_own():
    """"1." was a sentence of one word before "Write to us within 10 days.": a numbered list of
    three steps made three sentences more, and the letter's words a sentence fewer."""
    doc = analyse("Dear Ms Okafor\n\nTo ask for a review:\n\n1. Write to us within 10 days.\n"
                  "2. Say why you disagree.\n    a. by post\n(iv) by email, or\n• by phone.\n\nYours sincerely\n")
    assert [(s.text, s.words) for s in doc.sentences] == [
        ("To ask for a review:", 5), ("Write to us within 10 days.", 6), ("Say why you disagree.", 4),
        ("by post", 2), ("by email, or", 3), ("by phone.", 2)]


def segments(body):
    return [(" ".join(s.text.split()), s.paragraph >= 0)
            for s in analyse("Dear Ms Okafor\n\n" + body + "\n\nYours sincerely\n").segments][:-1]


def test_a_list_item_without_a_full_stop_ends_at_its_line():
    """The last item of a list with no full stops ran into the prose line under it: one
    "sentence" of 16 words, read by every check as one."""
    assert segments("You can:\n- ask us to review the decision\n- call Victim Support on 0808 168 9111\n"
                    "We are sorry for the worry this has caused.") == [
        ("You can:", True), ("ask us to review the decision", True),
        ("call Victim Support on 0808 168 9111", True), ("We are sorry for the worry this has caused.", True)]
    # a numbered heading, then its line
    assert segments("1. Our decision\nWe have decided to stop the case.") == [
        ("Our decision", True), ("We have decided to stop the case.", True)]


def test_a_list_item_broken_mid_phrase_goes_on_to_the_next_line():
    """A line that finishes the item above it is no heading and no sentence of its own: the item
    breaks off after "or", or the next line starts with a small letter."""
    body = ("- call Victim Support on 0808 168 9111 or\nVictim Care on 0300 303 0157\n"
            "- talk to your\n  support worker about it\nThank you.")
    assert segments(body) == [
        ("call Victim Support on 0808 168 9111 or Victim Care on 0300 303 0157", True),
        ("talk to your support worker about it", True), ("Thank you.", True)]
    assert kinds("Dear Ms Okafor\n\n" + body + "\n")["Victim Care on 0300 303 0157"] == "prose"
    # a heading after a finished sentence, or after a rule line, stays a heading
    assert kinds("Dear Ms Okafor\n\nWe will write again.\nWhat happens next\n")["What happens next"] == "heading"
    assert kinds("Dear Ms Okafor\n\n-----\nWhat happens next\n")["What happens next"] == "heading"


def test_word_counts_ignore_clitics_and_punctuation():
    doc = analyse("Dear Ms Okafor\n\nWe can't stop the florist's case - not now.\n\nYours sincerely\n")
    # We, can't, stop, the, florist's, case, not, now
    assert [s.words for s in doc.sentences] == [8]


def test_offsets_point_into_the_body():
    doc = analyse(LETTER)
    for s in doc.sentences:
        assert LETTER[s.start:s.end] == s.text
    line, col = doc.line_col(LETTER.index("Dear"))
    assert (line, col) == (10, 1)


def test_letter_with_no_greeting_starts_prose_at_the_first_sentence():
    doc = analyse("14 Larch Road\nLeeds\n\nWe have decided to stop the case against Mr Trent today.\n")
    assert [s.text for s in doc.sentences] == ["We have decided to stop the case against Mr Trent today."]


@pytest.mark.parametrize("sentence,words", [
    ("I have decided that a charge cannot be brought in this case.", 12),   # "cannot": one word
    ("It is a well-known stretch of road.", 7),                               # "well-known": one word
    ("We don't think it's right, and we won't go on.", 10),
    ("The hearing is at 10.30am on 3 March (see below).", 10),
    ("He said – and she agreed – that it was “over”.", 9),                    # dashes are not words
])
def test_sentence_words_are_counted_as_a_reader_counts_them(sentence, words):
    doc = analyse(f"Dear Ms Shah\n\n{sentence}\n\nYours sincerely")
    assert [s.words for s in doc.sentences] == [words]


def test_a_lower_case_letter_and_a_full_stop_ends_a_sentence_but_an_initial_does_not():
    """Welsh ends many sentences with "i" ("mae'n ddrwg gen i. Diolch ..."): a sentence of 30
    words was reported as too long (holdout22). A capital is an initial: "J. Smith"."""
    doc = analyse("Dear Mr Jones\n\nRwy'n deall y gall hyn fod yn anodd, ac mae'n ddrwg gen i. Diolch yn fawr "
                  "i chi am eich help. The officer, J. Smith, spoke to you.\n")
    assert [s.text for s in doc.sentences] == [
        "Rwy'n deall y gall hyn fod yn anodd, ac mae'n ddrwg gen i.", "Diolch yn fawr i chi am eich help.",
        "The officer, J. Smith, spoke to you."]


def test_a_long_run_with_no_spaces_is_tokenized_in_pieces_with_true_offsets():
    """Review 10 (attacker, item 2): 12,000 ")" in a row took spaCy half a minute (its time grows
    with the square of a run's length) and held up every check on the server. Runs over
    LONGEST_RUN characters go to the tokenizer in pieces; every token keeps its place."""
    from vcl_qa.engine.structure import LONGEST_RUN, tokenize

    text = "Dear Ms Okafor " + ")" * (LONGEST_RUN * 3 + 7) + " and (" * 3 + "x" * (LONGEST_RUN + 1)
    toks = tokenize(text)
    assert all(text[t.idx:t.idx + len(t.text)] == t.text for t in toks)
    assert "".join(t.text for t in toks if not t.space) == "".join(text.split())
    # an ordinary letter's words are tokenized as before
    assert [t.text for t in tokenize("He didn't come, Ms Okafor.")] == ["He", "did", "n't", "come", ",", "Ms", "Okafor", "."]


@pytest.mark.parametrize("text, sentences", [
    # an opening quote after a full stop and a space opens the next sentence (holdout26): before,
    # it was taken as closing the sentence before, and the next sentence was dropped from every check
    ('We offered no evidence. "Offering no evidence" means we told the court.',
     ["We offered no evidence.", '"Offering no evidence" means we told the court.']),
    ("We asked for it to lie on file. \u201cLie on file\u201d means it is put to one side.",
     ["We asked for it to lie on file.", "\u201cLie on file\u201d means it is put to one side."]),
    # a closing quote straight after the full stop ends the sentence, and what follows is kept
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ('She said "no." "Go," he said.', ['She said "no."', '"Go," he said.']),
    ("It ended (see below.) Then more came.", ["It ended (see below.)", "Then more came."]),
])
def test_quotes_after_a_full_stop_close_or_open_a_sentence_and_no_sentence_is_lost(text, sentences):
    from vcl_qa.engine.typography import fold

    # (as the engine reads a letter: curly quotes folded to straight ones, same length)
    found = [s.text for s in analyse(fold(f"Dear Ms Okafor\n\n{text}\n")).sentences]
    assert found == [fold(s) for s in sentences]


@pytest.mark.parametrize("label", ["(1)", "1.2.", "a.", "A)", "i.", "(iv)", "IV."])
def test_a_list_item_of_any_label_word_gives_is_prose_and_starts_a_sentence(label):
    """The labels of Word's list formats, as a Word file is read (engine/word_lists.py): a short
    item with no full stop is a list item, not a heading, and does not run on from the line
    before ("1.", "a)", "(a)", "-" and "•" were list items already)."""
    text = f"Dear Ms Okafor\n\nYou can ask us\n{label} by post\n{label} by email\n\nYours sincerely\n"
    k = kinds(text)
    assert k[f"{label} by post"] == k[f"{label} by email"] == "prose"
    sentences = [s.text for s in analyse(text).sentences]
    assert not any("\n" in s for s in sentences), sentences


def test_a_page_break_inside_a_sentence_is_read_as_a_space():
    """A letter exported from a PDF or a case system keeps its page furniture where the page
    ended: "You can ask us to / Page 2 of 3 / OFFICIAL - SENSITIVE / look at our decision
    again" was two sentences, neither of them the review right."""
    from vcl_qa.engine.structure import join_page_breaks

    body = ("Case reference: 31CB0587225\n\nIf you disagree, you can ask us to\n\nPage 2 of 3\n"
            "OFFICIAL - SENSITIVE\nCase reference: 31CB0587225\n\nlook at our decision again. Please ask soon.")
    assert segments(body) == [("Case reference: 31CB0587225", False),
                              ("If you disagree, you can ask us to look at our decision again.", True),
                              ("Please ask soon.", True)]
    text = "Dear Ms Okafor\n\n" + body
    assert len(join_page_breaks(text)) == len(text)  # every offset is the letter's
    # a page break between paragraphs, or at the foot, stays; so does a line with a template gap
    kept = ("Dear Ms Okafor\n\nWe have stopped the case.\n\nPage 2 of 3\n\nYou can ask us to look again.\n\n"
            "Yours sincerely\n\nSam Patel\nPage 3 of 3\nOFFICIAL")
    assert join_page_breaks(kept) == kept
    gap = "Dear Ms Okafor\n\nPlease write to\n[office address]\nPage 2 of 2\nus at the office."
    assert "[office address]" in join_page_breaks(gap)
    # a capital after the break is a new sentence, unless the line before breaks off mid-phrase
    assert join_page_breaks("Dear Ms Okafor\n\nWe have stopped the case\n\nPage 2\n\nThe police know.") == \
        "Dear Ms Okafor\n\nWe have stopped the case\n\nPage 2\n\nThe police know."
    joined = join_page_breaks("Dear Ms Okafor\n\nWe have written to\n\nPage 2 of 2\n\nMr Lane today.")
    assert "\n" not in joined.split("\n\n", 1)[1]


def test_a_word_hyphenated_across_a_line_is_read_whole():
    """"to be re-\\nviewed by a prosecutor" is "reviewed" to the content checks."""
    from vcl_qa.engine.concepts import find_concept
    from vcl_qa.engine.rules import load_rules

    concept = load_rules().concepts["review_right"]
    doc = analyse("Dear Ms Okafor\n\nYou have the right to ask for this decision to be re-\n"
                  "viewed by a prosecutor who was not involved.\n\nYours sincerely\n")
    assert find_concept(concept, doc, {}) is not None


def test_the_running_header_and_the_long_line_are_the_rules_folders(rules_copy):
    """How many words a running header repeated from page 1 may have (join_page_breaks), and
    how many make a long line of prose for "Insert the greeting" (api/static/greeting.js), are
    rules/structure.yml's, not numbers in the code."""
    from api.web.letter_view import greeting_place_data
    from vcl_qa.engine import structure

    body = ("Case reference: 31CB0587225\n\nIf you disagree, you can ask us to\n\nPage 2 of 3\n"
            "Case reference: 31CB0587225\n\nlook at our decision again. Please ask soon.")
    text = "Dear Ms Okafor\n\n" + body
    structure.patterns.cache_clear()
    try:
        assert "ask us to look at our decision" in " ".join(structure.join_page_breaks(text).split())
        assert structure.join_page_breaks(text).count("Case reference: 31CB0587225") == 1  # (the header)
        assert greeting_place_data()["long_line_min_words"] == 18
        path = rules_copy / "structure.yml"
        yml = path.read_text(encoding="utf-8")
        assert "running_header_max_words: 12" in yml and "long_line_min_words: 18" in yml
        path.write_text(yml.replace("running_header_max_words: 12", "running_header_max_words: 2")
                        .replace("long_line_min_words: 18", "long_line_min_words: 25"), encoding="utf-8")
        structure.patterns.cache_clear()
        # "Case reference: 31CB0587225" (3 words) is no running header now: read as words
        assert structure.join_page_breaks(text).count("Case reference: 31CB0587225") == 2
        assert greeting_place_data()["long_line_min_words"] == 25
        # an area's rules folder made before the settings: the numbers the code had
        path.write_text("\n".join(line for line in yml.splitlines()
                                  if not line.startswith(("running_header_max_words:", "long_line_min_words:"))),
                        encoding="utf-8")
        structure.patterns.cache_clear()
        assert structure.patterns().running_header_max_words == 12
        assert greeting_place_data()["long_line_min_words"] == 3 * structure.patterns().prose_min_words
    finally:
        structure.patterns.cache_clear()
