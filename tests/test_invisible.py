"""Characters nobody sees (a zero-width space, a soft hyphen) inside a word, and an accent typed
apart from its letter, must not hide a fault or raise a false one (review 6: "You fai\u200cled
to attend court" raised nothing; "Ms Zoe\u0308 Bronte\u0308" greeted as "Dear Ms Brontë" was a
must-fix wrong name). The letter is scored plain and every place is given in the letter as
written, so the page, the Word download and a one-click replacement work on the stored text."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine import invisible
from vcl_qa.engine.run import score_letter

CONTEXT = dict(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
               victim_category="standard", victim_name="Ms Jane Okafor")
PLAIN = "Dear Ms Okafor\n\nI know this is hard.\nYou failed to attend court. Call XXXX. The case was dropped.\n"


def found(text: str, **context):
    result = score_letter(Letter(text=text, context=LetterContext(**{**CONTEXT, **context})))
    return {f.rule: f for f in result.findings}


# The six first found (review 6), then those a later review found to do the same: control
# characters (NUL, BEL, DEL, U+0085), left-to-right and right-to-left marks, a tag character, a
# variation selector, the combining grapheme joiner, a Hangul filler, a private-use character,
# the Mongolian vowel separator.
HIDDEN = ["\u200b", "\u200c", "\u00ad", "\u2060", "\ufeff", "\u200d",
          "\x00", "\x07", "\x7f", "\x85", "\x1c", "\u200e", "\u200f", "\U000e0041", "\ufe0f", "\u034f",
          "\u3164", "\ue000", "\u180e", "\u2063", "\u061c"]


@pytest.mark.parametrize("mark", HIDDEN, ids=lambda m: f"U+{ord(m):04X}")
def test_a_hidden_character_inside_a_word_hides_nothing(mark):
    text = PLAIN.replace("failed", "fai" + mark + "led").replace("XXXX", "XX" + mark + "XX").replace(
        "dropped", "dro" + mark + "pped")
    got, want = found(text), found(PLAIN)
    for rule in ("empathy.blame", "content.placeholder", "empathy.cold"):
        assert rule in got, rule
        f = got[rule]
        assert f.text == text[f.start:f.end] and f.text.replace(mark, "") == want[rule].text
        assert f.line == want[rule].line
        assert f.column == f.start - text.rfind("\n", 0, f.start)


def test_a_one_click_replacement_applied_to_the_stored_text_reads_right():
    text = PLAIN.replace("failed", "fai\u200cled").replace("dropped", "dro\u00adpped")
    for rule in ("empathy.blame", "empathy.cold"):
        f = found(text)[rule]
        assert f.replacements
        fixed = text[:f.replace_start] + f.replacements[0] + text[f.replace_end:]
        assert "\u200c" not in fixed[f.replace_start - 1:f.replace_start + len(f.replacements[0]) + 1]
        assert rule not in found(fixed)
    f = found(text)["empathy.blame"]
    assert text[:f.replace_start] + f.replacements[0] + text[f.replace_end:] == text.replace(
        "You fai\u200cled to", "You were not able to")


def test_a_name_with_its_accent_typed_apart_matches_the_name_typed_whole():
    whole, apart = "Ms Zo\u00eb Bront\u00eb", "Ms Zoe\u0308 Bronte\u0308"
    for name, greeting in ((apart, "Dear Ms Bront\u00eb"), (whole, "Dear Ms Bronte\u0308"), (apart, "Dear Ms Bronte\u0308")):
        text = PLAIN.replace("Dear Ms Okafor", greeting)
        assert "content.salutation" not in found(text, victim_name=name), (name, greeting)
    assert "content.salutation" in found(PLAIN.replace("Dear Ms Okafor", "Dear Ms Bront\u00e9"), victim_name=apart)
    assert LetterContext(victim_name=apart).victim_name == whole


def test_places_after_a_composed_accent_are_in_the_letter_as_written():
    text = "Dear Ms Bronte\u0308\n\nYou failed to attend court.\n"
    f = found(text, victim_name="Ms Zo\u00eb Bront\u00eb")["empathy.blame"]
    assert text[f.start:f.end] == "You failed to"


def test_plain_text_is_given_back_as_it_is():
    assert invisible.plain(PLAIN) == (PLAIN, None)
    assert invisible.plain("caf\u00e9") == ("caf\u00e9", None)


def test_a_finding_with_a_hidden_character_in_its_words_can_be_marked_not_a_problem(tmp_path):
    """Review 7: the finding's own words ("compl<soft hyphen>ainant") were refused as control
    characters, and the visible words were 'not among the findings'."""
    from vcl_qa.db.connection import open_db
    from vcl_qa.db.migrations import migrate
    from vcl_qa.letters import service
    from vcl_qa.letters.bulk import Actor

    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    text = "Dear Ms Okafor\n\nWe spoke to the compl\u00adainant's neighbour.\n"
    context = {"decision": "discontinued", "victim_name": "Ms Jane Okafor"}
    for term in ("compl\u00adainant", "complainant", "Complainant"):
        out = service.submit(db, Actor("test"), text, context, team="north")
        f = next(f for f in out["result"]["findings"] if f["rule"] == "readability.jargon")
        assert f["text"].replace("\u00ad", "").lower().startswith("complainant")
        marked = service.suppress(db, Actor("test"), out["id"], "readability.jargon", "quoted from the file", term=term)
        assert marked["term"] == term.replace("\u00ad", "")
        assert all(g["suppressed"] for g in marked["result"]["findings"] if g["rule"] == "readability.jargon")


def test_lookalike_and_fullwidth_letters_hide_nothing():
    """Review 10 (attacker, item 9): a Cyrillic "о" in "dropped", a Cyrillic "і" in "failed" and
    fullwidth letters slipped past the checks; read as the Latin letters they look like."""
    text = PLAIN.replace("dropped", "dr\u043epped").replace("failed", "fa\u0456led").replace(
        "XXXX", "\uff38\uff38\uff38\uff38")
    got = found(text)
    for rule in ("empathy.blame", "empathy.cold", "content.placeholder"):
        assert rule in got, rule
        assert got[rule].text == text[got[rule].start:got[rule].end]
    # a word wholly in another alphabet stays itself
    assert invisible.plain("\u041c\u043e\u0441\u043a\u0432\u0430 and Moscow") == ("\u041c\u043e\u0441\u043a\u0432\u0430 and Moscow", None)


@pytest.mark.parametrize("mark", HIDDEN, ids=lambda m: f"U+{ord(m):04X}")
def test_a_hidden_character_in_the_name_raises_no_wrong_greeting(mark):
    """"Dear Ms Oka\u200ffor" shows as "Dear Ms Okafor": it is the right name."""
    text = PLAIN.replace("Okafor", "Oka" + mark + "for")
    assert "content.salutation" not in found(text)
    assert "content.salutation" not in found(PLAIN)


def test_what_stands_between_words_and_what_a_check_reads_is_kept():
    """Must pass untouched: tab and line feeds stand between words (vertical tab and form feed
    are read as line feeds: the test after this); the right-to-left override is read by
    content.hidden_order; a private-use bullet before a list item (a symbol font's) is not
    inside a word."""
    for text in ("a\tb", "a\nb", "a\r\nb", "\uf0b7 Victim Support", "a \ue000 b"):
        assert invisible.plain(text) == (text, None), repr(text)
    assert invisible.plain("You \u202edeliaf\u202c to")[0] == "You \u202edeliaf\u202c to"
    rtl = PLAIN.replace("failed", "\u202edeliaf\u202c")
    assert "content.hidden_order" in found(rtl)


@pytest.mark.parametrize("gap", ["\x0b", "\x0c", "\u2028", "\u2029"])
def test_word_line_and_page_breaks_are_read_as_line_breaks(gap):
    """Word's manual line break and page break (vertical tab and form feed in text taken from
    it) and Unicode's line and paragraph separators are line breaks (an audit: read as spaces,
    a sample letter typed with them lost its greeting and "Private" heading to the checks, had
    its address block counted one 33-word sentence, 99 became 79, and the town of the victim's
    address reached the panel). Every sample letter with its line feeds typed so, or only its
    blank lines, scores as written with line feeds: the same findings at the same places,
    lines and columns, the same one-click replacements; and its anonymised copy hides the same
    words."""
    from pathlib import Path

    from vcl_qa.panel.redact import redact

    assert invisible.plain(f"a{gap}b") == ("a\nb", invisible.Places([0, 1, 2], [1, 2, 3]))
    assert invisible.plain(f"a\u200b{gap}b")[0] == "a\nb"
    assert invisible.line_start(f"ab{gap}cd", 4) == 3 and invisible.line_start("ab\ncd", 4) == 3

    def shown(result):
        return (result.score, [(f.rule, f.start, f.end, f.line, f.column, (f.text or "").replace(gap, "\n"),
                                f.replacements, f.replace_start, f.replace_end) for f in result.findings])

    root = Path(__file__).resolve().parent.parent / "sample_letters"
    for path in sorted(root.glob("*.txt")):
        letter = Letter.from_file(path)
        want, hidden = shown(score_letter(letter)), redact(letter.text, letter.context).text
        for text in (letter.text.replace("\n", gap), letter.text.replace("\n\n", gap * 2)):
            assert shown(score_letter(Letter(text=text, context=letter.context))) == want, path.name
            assert redact(text, letter.context).text.replace(gap, "\n") == hidden, path.name
    town = Letter.from_file(root / "01_good_discontinued_assault_standard.txt")
    assert "Bradford" in town.text and "Bradford" not in redact(town.text.replace("\n\n", gap * 2), town.context).text


def test_a_span_of_the_plain_text_is_found_in_the_text_as_written():
    """Places.span, which the engine's results, the panel's anonymised copy, the decision's
    place and the places in a text sent with "\r\n" all map through."""
    written = "Mr Ko\u200bwal\u00adczyk"
    bare, places = invisible.plain(written)
    assert bare == "Mr Kowalczyk"
    start, end = places.span(3, len(bare), len(written))
    assert written[start:end] == "Ko\u200bwal\u00adczyk"  # the hidden characters inside go with the name
    assert places.span(0, 2, len(written)) == (0, 2)
    assert places.span(len(bare), len(bare), len(written)) == (len(written), len(written))  # at the end
    assert places.span(3, 3, len(written)) == (3, 3)  # empty: stays empty
    composed = "Zoe\u0308 came"  # an accent typed apart: one character of the plain text spans both
    bare, places = invisible.plain(composed)
    assert bare == "Zo\u00eb came" and composed[slice(*places.span(0, 3, len(composed)))] == "Zoe\u0308"


def test_line_breaks_sent_as_cr_lf_are_counted_as_sent():
    sent = "Dear Ms Okafor,\r\n\r\nWe have decided.\r\nYours"
    scored = sent.replace("\r\n", "\n")
    places = invisible.Places.crlf(sent)
    assert len(places.starts) == len(scored)
    at = scored.index("decided")
    assert sent[slice(*places.span(at, at + 7, len(sent)))] == "decided"
    nl = scored.index("\n")
    assert places.span(nl, nl + 1, len(sent)) == (sent.index("\r\n"), sent.index("\r\n") + 2)
    assert invisible.Places.crlf("no breaks").starts == list(range(9))


def _bold(text: str) -> str:
    """Mathematical bold letters, as social media posts are written in."""
    return "".join(chr(0x1D400 + ord(c) - 65) if "A" <= c <= "Z" else chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z"
                   else c for c in text)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.mark.parametrize("form", [_bold, _full_width, lambda t: t.replace("ff", "\ufb00").replace("fi", "\ufb01")],
                         ids=["bold", "full_width", "ligatures"])
def test_a_letter_typed_in_compatibility_forms_hides_nothing(form):
    """An attacker's review: a letter typed in mathematical bold letters ("\U0001d41f\U0001d41a\U0001d422\U0001d425\U0001d41e\U0001d41d")
    escaped every check; full-width letters and ligatures ("\ufb01") are read the same way, as
    Unicode's NFKC reads them, and every finding is given in the letter as written."""
    text = PLAIN.replace("I know", "Pursuant to the Code, I know")
    plain_found, got = found(text), found(form(text))
    written = form(text)
    for rule in ("empathy.blame", "empathy.cold", "content.placeholder", "readability.jargon"):
        assert rule in got, rule
        f = got[rule]
        assert f.text == written[f.start:f.end] and f.text == form(plain_found[rule].text)
        assert f.line == plain_found[rule].line
    assert set(got) == set(plain_found)


def test_a_ligature_in_the_name_is_the_name():
    """"Ms Griﬃths" (a PDF's ligature) is Ms Griffiths; "Ms Griﬃn" is not."""
    assert "content.salutation" not in found(PLAIN.replace("Okafor", "Gri\ufb03ths"), victim_name="Ms Jane Griffiths")
    assert "content.salutation" in found(PLAIN.replace("Okafor", "Gri\ufb03n"), victim_name="Ms Jane Griffiths")


def test_compatibility_forms_are_placed_at_the_characters_written():
    written = "\ufb01led on 1\u02e2\u1d57 May, \uff45\u0301 \U0001d40e\U0001d424\U0001d41a\U0001d41f\U0001d428\U0001d42b"
    bare, places = invisible.plain(written)
    assert bare == "filed on 1st May, \u00e9 Okafor"
    assert written[slice(*places.span(0, 2, len(written)))] == "\ufb01"  # both letters of a ligature: the one character
    at = bare.index("Okafor")
    assert written[slice(*places.span(at, at + 6, len(written)))] == written[-6:]
    at = bare.index("\u00e9")  # a full-width letter and an accent typed apart: one letter
    assert written[slice(*places.span(at, at + 1, len(written)))] == "\uff45\u0301"


def test_ordinary_letters_characters_are_left_as_they_are():
    """Curly quotes, the pound sign, accented and Welsh letters, the ellipsis, dashes and the
    no-break space are what ordinary letters are written with: read as before (the ellipsis is
    not three full stops, the no-break space is for typography.py)."""
    for text in ("Dear Mr Ap Rhys, we\u2019re sorry \u2026 \u00a3250 for Ll\u0177r and Ff\u0175rn \u2013 \u201cfinal\u201d",
                 "Caf\u00e9 na\u00efve Zo\u00eb", "12\u00a0High Street", "\u00bd of the cost", "50\u00b0C", "Ms\u00a0Okafor"):
        assert invisible.plain(text) == (text, None), text
    assert set(invisible.COMPATIBILITY) & {ord(c) for c in "\u2026\u00a0\u2011\u00bd\u00b4\u2033\u00b5"} == set()


@pytest.mark.parametrize("name", ["Ms Jane \uff2f\uff4b\uff41\uff46\uff4f\uff52", "\uff2d\uff53 Jane Okafor",
                                  "Ms Jane Gri\ufb03ths"])
def test_a_name_in_the_details_typed_in_compatibility_forms_is_the_name_the_letter_gives(name):
    """The details' name is read as the letter is: "Ms Jane Ｏｋａｆｏｒ" (full-width, pasted from
    a case system) is the "Dear Ms Okafor" the letter gives, and the greeting's suggestion is
    written in plain letters; a different name still raises the greeting."""
    letter_name = "Griffiths" if "\ufb03" in name else "Okafor"
    assert "content.salutation" not in found(PLAIN.replace("Okafor", letter_name), victim_name=name)
    wrong = found(PLAIN.replace("Okafor", "Okoro"), victim_name=name)["content.salutation"]
    assert wrong.suggestions == [f"Dear Ms {letter_name}"]


def test_a_case_reference_in_the_details_typed_in_full_width_is_the_one_the_letter_gives():
    """"４２AB1234524" in the details is the letter's "42AB1234524" (no other case's reference);
    another reference in the letter is still one."""
    text = PLAIN.replace("I know", "Our reference: 42AB1234524\n\nI know")
    assert "content.other_case" not in found(text, urn="42AB1234524")
    assert "content.other_case" not in found(text, urn="\uff14\uff12AB1234524")
    assert "content.other_case" in found(text, urn="\uff14\uff13AB1234524")


def test_every_compatibility_form_is_read_alone_in_a_letter_with_a_pound_sign():
    """Each compatibility form, the only unusual character of a text that is not ASCII (a pound
    sign, curly quotes), is read as what it stands for: the forms are looked for in two parts,
    those beyond the Basic Multilingual Plane only where such a character is, and none is missed."""
    for cp, read in invisible.COMPATIBILITY.items():
        text = f"It cost \u00a3{5} \u2018here\u2019: a{chr(cp)}b"
        plain, places = invisible.plain(text)
        assert plain == f"It cost \u00a3{5} \u2018here\u2019: a{read}b", hex(cp)
        assert places is not None
    # and a text with none of them is left as it is
    assert invisible.plain("It cost \u00a35 \u2018here\u2019 \U0001f600") == ("It cost \u00a35 \u2018here\u2019 \U0001f600", None)


def test_a_letter_of_settled_characters_is_given_back_as_it_is_with_one_look():
    """`plain`'s quick answer for a letter whose characters beyond ASCII are all of
    `invisible.SETTLED` (a pound sign, accented letters typed whole, curly quotes and dashes) is
    the full look's: every such character beside every other and beside every ASCII character
    is composed already and stays itself, and texts made of them at random are given back as
    they are by the full look too."""
    import random
    import unicodedata

    from vcl_qa.engine import invisible

    settled = invisible.SETTLED
    assert {"£", "€", "é", "ô", "ŵ", "ŷ", "’", "“", "”", "–", "—"} <= set(settled)
    # none of the characters the full look changes or takes out
    for c in "\u00a0\u00ad\u00b2\u00bd\ufb01\u017f\u0130\u0131\u0301\u2028\u0430\u03bf\uff2f\u2026":
        assert c not in settled, repr(c)
    ascii_plain = "\t\n\r" + "".join(chr(i) for i in range(0x20, 0x7f))
    for a in settled:
        for b in settled + ascii_plain:
            assert unicodedata.is_normalized("NFC", a + b) and unicodedata.is_normalized("NFC", b + a), (a, b)
    rng = random.Random(7)
    alphabet = settled + ascii_plain * 3
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        assert invisible.plain(text) == (text, None)
        assert invisible._plain(text) == (text, None) and not invisible._LINE_BREAK.search(text)


def test_an_ascii_text_has_an_unusual_character_as_the_regular_expression_says():
    # (`plain` asks it of every letter: each ASCII character alone, at either end of a text,
    # and in random texts)
    import random
    import re

    unusual = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # (the expression it replaced)
    for code in range(128):
        for text in (chr(code), "Dear Ms Okafor" + chr(code), chr(code) + "\n\nYours sincerely"):
            assert invisible._ascii_unusual(text) == (unusual.search(text) is not None)
    rng = random.Random(5)
    for _ in range(3_000):
        text = "".join(chr(rng.randrange(128)) if rng.random() < 0.05 else rng.choice("ab \n\t\r.")
                       for _ in range(rng.randrange(40)))
        assert invisible._ascii_unusual(text) == (unusual.search(text) is not None)
    assert not invisible._ascii_unusual("") and invisible._ascii_unusual("a\x0cb")
