"""Anonymisation for the Community Involvement Panel (vcl_qa.redact, rules/redaction.yml)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcl_qa import Letter, LetterContext, RulesError
from vcl_qa.panel.redact import Replacement, load_rules, redact

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_letters").glob("*.txt"))


def _examples():
    for rule_id, examples in load_rules().examples.items():
        for i, ex in enumerate(examples.get("redact") or []):
            yield pytest.param(rule_id, ex, True, id=f"{rule_id}-redact-{i}")
        for i, ex in enumerate(examples.get("keep") or []):
            ex = {"text": ex} if isinstance(ex, str) else ex
            yield pytest.param(rule_id, ex, False, id=f"{rule_id}-keep-{i}")


@pytest.mark.parametrize("rule_id,example,changes", list(_examples()))
def test_rule_example(rule_id, example, changes):
    ctx = LetterContext(**example["context"]) if example.get("context") else None
    got = redact(example["text"], ctx, example.get("extra_names") or ()).text
    assert got == (example["expect"] if changes else example["text"])


def test_every_pattern_and_detector_has_examples_both_ways():
    examples = load_rules().examples
    assert len(examples) >= 15
    missing = [rid for rid, ex in examples.items() if not ex.get("redact") or not ex.get("keep")]
    assert missing == []


def test_words_behind_a_right_to_left_mark_are_hidden_whole():
    """"\u202ehtimS nhoJ\u202c" shows as "John Smith": the redaction cannot read it as stored, so
    the panel sees none of it; a mark that isolates left to right changes nothing."""
    ctx = LetterContext(victim_name="Ms Jane Okafor")
    text = "Dear Ms Okafor,\n\nWe have stopped the case against Mr \u202ehtimS nhoJ\u202c. I am sorry."
    assert redact(text, ctx).text == "Dear [VICTIM],\n\nWe have stopped the case against Mr [HIDDEN]. I am sorry."
    text = "Dear Ms Okafor,\n\nPlease call\u202b 0161 496 0000\nYours sincerely"  # (never closed: to the line's end)
    assert redact(text, ctx).text == "Dear [VICTIM],\n\nPlease call[HIDDEN]\nYours sincerely"
    text = "Dear Ms Okafor,\n\nWe have stopped the case against \u2066Mr Lane\u2069."
    assert "[HIDDEN]" not in redact(text, ctx).text


@pytest.mark.parametrize("name, said", [
    ("Ms Jane Judge", "Judge"), ("Ms Dame", "Dame"), ("Mr Peter Constable", "Constable"), ("Mrs Ann Lord", "Lord"),
])
def test_a_victims_surname_that_is_also_a_title_is_hidden(name, said):
    """The panel read "Dear Ms Judge," and "Ms Judge was hurt" for Ms Jane Judge: the surname was
    taken for a title and left out of the victim's name. The last word of a name is its surname."""
    title = name.split()[0]
    text = (f"{name}\n12 High Street\nLeeds LS1 4AB\n\nDear {title} {said},\n\nWe have stopped the case. "
            f"{title} {said} told us what happened.\n\nYours sincerely\n\nSam Staff")
    out = redact(text, LetterContext(victim_name=name)).text
    assert said not in out, out
    assert out.startswith("[VICTIM]\n[ADDRESS]\n\nDear [VICTIM],") and "[VICTIM] told us" in out


@pytest.mark.parametrize("name", ["Okafor, Jane (Ms)", "OKAFOR, Jane", "Ms Jane Okafor MBE"])
def test_a_victim_name_in_a_case_systems_order_is_hidden_in_every_form(name):
    """"Okafor, Jane" was read with "Jane" as the surname: the panel read "the Okafors"."""
    text = ("Ms Jane Okafor\n12 High Street\nLeeds LS1 4AB\n\nDear Ms Okafor,\n\nWe have stopped the case. "
            "The Okafors told us. Jane Okafor was hurt.\n\nYours sincerely\n\nSam Staff")
    out = redact(text, LetterContext(victim_name=name)).text
    assert "Okafor" not in out and "Jane" not in out, out
    assert "Dear [VICTIM]," in out and "The [VICTIM] told us" in out


def test_a_name_that_is_only_titles_hides_no_ordinary_title():
    out = redact("Dear Mr and Mrs,\n\nMrs Smith spoke to us.", LetterContext(victim_name="Mr and Mrs")).text
    assert "Mrs" in out.replace("[NAME]", "")


def test_rules_are_loaded_once():
    assert load_rules() is load_rules()
    assert len(load_rules().first_names) >= 300


def test_a_bare_yes_or_on_in_a_word_list_is_an_error(tmp_path, monkeypatch):
    text = (ROOT / "rules" / "redaction.yml").read_text(encoding="utf-8")
    (tmp_path / "redaction.yml").write_text(text.replace('"On", At,', "On, At,"), encoding="utf-8")
    (tmp_path / "structure.yml").write_text((ROOT / "rules" / "structure.yml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    monkeypatch.setenv("VCL_QA_RULES", str(tmp_path))
    load_rules.cache_clear()
    try:
        with pytest.raises(RulesError, match="quotes"):
            load_rules()
    finally:
        monkeypatch.delenv("VCL_QA_RULES")
        load_rules.cache_clear()


LETTER = """Private - to be opened by addressee only

Ms Jane Okafor
Flat 2, Riverside House
14 Larch Road
Leeds
LS1 4AB

19 December 2024

Our reference: 42AB1234524
Crime reference: 13/123456/24

Dear Ms Okafor

The case against Mark Trent

I am writing to tell you that we have stopped the case against the defendant, Mark Trent,
who was charged with assaulting you on 3 December. Mr Trent's solicitor wrote to us on
12 December. DC Sarah Hughes of West Yorkshire Police will tell you more. Jane, I know
this is hard. Trent will not be at Leeds Crown Court in January.

The police noted your date of birth 03/04/1990 and that your son was born on 5 May 2015.
URN 42 AB 12345 24 is on our file, and so is JANE OKAFOR's statement.

Victim Support can help on 0808 168 9111. Call me on +44 (0)113 245 6789 or email
vlu.leeds@cps.gov.uk. You can also write to us at 27 Park Place, Leeds LS1 2SZ.

Yours sincerely

Oluwaseun Adeyemi
Victim Liaison Officer
Crown Prosecution Service Yorkshire and Humberside
"""

EXPECTED = """Private - to be opened by addressee only

[VICTIM]
[ADDRESS]

19 December 2024

Our reference: [CASE REF]
Crime reference: [CASE REF]

Dear [VICTIM]

The case against [NAME]

I am writing to tell you that we have stopped the case against the defendant, [NAME],
who was charged with assaulting you on [DATE]. [NAME]'s solicitor wrote to us on
12 December. DC [NAME] of West Yorkshire Police will tell you more. [VICTIM], I know
this is hard. [NAME] will not be at Leeds Crown Court in January.

The police noted your date of birth [DATE OF BIRTH] and that your son was born on [DATE OF BIRTH].
URN [CASE REF] is on our file, and so is [VICTIM]'s statement.

Victim Support can help on [PHONE]. Call me on [PHONE] or email
[EMAIL]. You can also write to us at [ADDRESS].

Yours sincerely

[NAME]
Victim Liaison Officer
Crown Prosecution Service Yorkshire and Humberside
"""

CONTEXT = LetterContext(victim_name="Ms Jane Okafor", urn="42AB1234524")


def test_a_letter_full_of_details():
    assert redact(LETTER, CONTEXT).text == EXPECTED


def test_replacements_point_into_the_original_and_hold_no_values():
    result = redact(LETTER, CONTEXT)
    tags = set(load_rules().tags.values())
    rebuilt, pos = [], 0
    for rep in result.replacements:
        assert isinstance(rep, Replacement)
        assert isinstance(rep.start, int) and isinstance(rep.end, int) and rep.tag in tags
        assert pos <= rep.start < rep.end <= len(LETTER)
        rebuilt += [LETTER[pos:rep.start], rep.tag]
        pos = rep.end
    assert "".join(rebuilt) + LETTER[pos:] == result.text
    assert [LETTER[r.start:r.end] for r in result.replacements][:3] == [
        "Ms Jane Okafor", "Flat 2, Riverside House\n14 Larch Road\nLeeds\nLS1 4AB", "42AB1234524"]
    assert "Okafor" not in repr(result.replacements)


def test_no_context_still_redacts_what_it_can():
    out = redact("Dear Mr Patel,\nPlease call 07700 900123 about 14 Larch Road.").text
    assert out == "Dear [NAME],\nPlease call [PHONE] about [ADDRESS]."


def test_victim_name_split_across_a_line_break_in_every_form():
    text = "We wrote to Ms Jane\nOkafor and to MS\nOKAFOR; Jane\nOkafor's reply came."
    assert redact(text, CONTEXT).text == "We wrote to [VICTIM] and to [VICTIM]; [VICTIM]'s reply came."


def test_possessives_with_either_apostrophe():
    text = "Okafor's account, Okafor’s account and Jane's account."
    assert redact(text, CONTEXT).text == "[VICTIM]'s account, [VICTIM]’s account and [VICTIM]'s account."


def test_victim_called_hope_keeps_the_word_hope():
    ctx = LetterContext(victim_name="Mr Hope")
    text = ("Dear Mr Hope\n\nI hope this letter helps. Hope you are well. We told Hope about it. "
            "Hope was upset. Mr. Hope's statement.")
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\nI hope this letter helps. Hope you are well. We told [VICTIM] about it. "
        "[VICTIM] was upset. [VICTIM]'s statement.")


def test_victim_called_summer_brown_keeps_the_season_and_the_colour():
    ctx = LetterContext(victim_name="Summer Brown")
    text = "Dear Summer\n\nThis summer a brown car hit Summer's bike. Ms Brown was hurt. SUMMER BROWN"
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\nThis summer a brown car hit [VICTIM]'s bike. [VICTIM] was hurt. [VICTIM]")


def test_victim_called_rose_hill_keeps_the_rose_garden():
    ctx = LetterContext(victim_name="Miss Rose Hill")
    text = "Dear Miss Hill\n\nThe rose garden on the hill is where Rose was hurt. Hill told us."
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\nThe rose garden on the hill is where [VICTIM] was hurt. [VICTIM] told us.")


def test_apostrophes_and_hyphens_in_the_victims_name():
    ctx = LetterContext(victim_name="Ms Anne-Marie O'Neill")
    text = "Dear Ms O’Neill, Anne-Marie told us. O’NEILL and O'Neill's car."
    assert redact(text, ctx).text == "Dear [VICTIM], [VICTIM] told us. [VICTIM] and [VICTIM]'s car."


def test_a_relative_with_another_title_is_a_name_not_the_victim():
    ctx = LetterContext(victim_name="Mrs Sarah Quinn")
    text = "Dear Mrs Quinn\n\nMr Quinn denies it. Martin Quinn is your brother-in-law."
    assert redact(text, ctx).text == "Dear [VICTIM]\n\n[NAME] denies it. [NAME] is your brother-in-law."


def test_unknown_first_name_before_a_known_surname_goes_too():
    text = "We charged Mr Denton. Karl Denton denies it, and Karl says so."
    assert redact(text).text == "We charged [NAME]. [NAME] denies it, and [NAME] says so."


def test_extra_names_from_the_case_system():
    text = "Okonkwo-Reid was arrested. We told OKONKWO-REID and Mr Okonkwo-Reid."
    assert redact(text, None, ["Chidubem Okonkwo-Reid"]).text == "[NAME] was arrested. We told [NAME] and [NAME]."


def test_capitalised_ordinary_words_and_services_stay():
    text = ("Victim Support, the Witness Service and the Crown Prosecution Service will help. "
            "The hearing at Bradford Crown Court on Monday 3 June was adjourned to Friday. "
            "Under the Victims' Right to Review scheme, Will you tell us by Christmas Eve?")
    assert redact(text).text == text


def test_other_dates_stay_so_the_panel_can_judge_timeliness():
    text = "We decided on 19 December 2024 and wrote on 20/12/2024. His date of birth is 01/02/1980."
    assert redact(text).text == ("We decided on 19 December 2024 and wrote on 20/12/2024. "
                                 "His date of birth is [DATE OF BIRTH].")


def test_placeholder_text_is_not_mistaken_for_a_name():
    assert redact("Dear [NAME]\n\nThe hearing on XXXX.").text == "Dear [NAME]\n\nThe hearing on XXXX."


def _survivors(text: str, ctx: LetterContext) -> list[str]:
    """Every context value still readable in `text`: the name (any case), its parts of three
    letters or more as capitalised or upper-case words, and the URN however spaced."""
    found = []
    if ctx.victim_name:
        if ctx.victim_name.lower() in text.lower():
            found.append(ctx.victim_name)
        titles = load_rules().titles
        for part in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", ctx.victim_name):
            if len(part) >= 3 and part.lower() not in titles:
                forms = {part[0].upper() + part[1:], part.upper()}
                found += [f for f in forms if re.search(rf"(?<![\w]){re.escape(f)}(?!\w)", text)]
    if ctx.urn:
        spaced = r"[\s/\-]?".join(re.escape(c) for c in ctx.urn if c.isalnum())
        if re.search(spaced, text, re.IGNORECASE):
            found.append(ctx.urn)
    return found


def test_survivor_check_sees_a_leak():
    ctx = LetterContext(victim_name="Ms Jane Okafor", urn="42AB1234524")
    assert _survivors("Okafor and 42 AB 12345 24", ctx) == ["Okafor", "42AB1234524"]


@pytest.mark.skipif(not SAMPLES, reason="no sample letters yet")
@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_no_context_value_survives_in_any_sample_letter(path):
    letter = Letter.from_file(path)
    out = redact(letter.text, letter.context).text
    assert _survivors(out, letter.context) == []
    assert "@" not in out
    assert not re.search(r"\b0\d{3}[ \-]?\d{3}[ \-]?\d{3,4}\b", out)
    postcode = next(p.regex for p in load_rules().patterns if p.id == "postcode")
    assert not postcode.search(out)


@pytest.mark.skipif(not SAMPLES, reason="no sample letters yet")
@pytest.mark.parametrize("path", SAMPLES[:5], ids=[p.name for p in SAMPLES[:5]])
def test_sample_letters_stay_readable(path):
    letter = Letter.from_file(path)
    out = redact(letter.text, letter.context).text
    assert out.count("\n\n") == letter.text.count("\n\n")  # every paragraph still there
    assert len(out.split()) > 0.85 * len(letter.text.split())


LOCAL = """Dear Ms Okafor

Your daughter Grace was at the Red Lion on 14 September when he assaulted you. Grace saw it.
A man aged 34 drove off in a silver car, YX19 ABC. PC 4521 took your statement; ask for
DC Hughes (collar number 1177). Grace goes to St Mary's Catholic Primary School.
You can write to rose dot hill at example dot com or ring 0 7700 900 123.
We decided on 19 December 2024 and the hearing was on 3 June 2025.
"""


def test_details_a_local_panel_could_recognise():
    out = redact(LOCAL, CONTEXT).text
    assert out == """Dear [VICTIM]

Your daughter [NAME] was at the [PLACE] on [DATE] when he assaulted you. [NAME] saw it.
A man aged [AGE] drove off in a silver car, [VEHICLE REG]. PC [COLLAR NUMBER] took your statement; ask for
DC [NAME] (collar number [COLLAR NUMBER]). [NAME] goes to [SCHOOL].
You can write to [EMAIL] or ring [PHONE].
We decided on 19 December 2024 and the hearing was on 3 June 2025.
"""


def test_incident_dates_can_keep_month_and_year(tmp_path, monkeypatch):
    text = (ROOT / "rules" / "redaction.yml").read_text(encoding="utf-8")
    assert "incident_dates:\n  keep: none" in text
    (tmp_path / "redaction.yml").write_text(text.replace("incident_dates:\n  keep: none",
                                                         "incident_dates:\n  keep: month_year"), encoding="utf-8")
    (tmp_path / "structure.yml").write_text((ROOT / "rules" / "structure.yml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    monkeypatch.setenv("VCL_QA_RULES", str(tmp_path))
    load_rules.cache_clear()
    try:
        out = redact("He assaulted you on Saturday 14 September 2024. We wrote on 20 September 2024.").text
    finally:
        monkeypatch.delenv("VCL_QA_RULES")
        load_rules.cache_clear()
    assert out == "He assaulted you on [DAY] September 2024. We wrote on 20 September 2024."


def test_words_a_manager_marks_are_hidden_everywhere():
    text = "They met at the Lantern. THE LANTERN was busy; lanterns were lit."
    result = redact(text, None, (), hide=["the lantern", "  "])
    assert result.text == "They met at [HIDDEN]. [HIDDEN] was busy; lanterns were lit."
    assert [text[r.start:r.end] for r in result.replacements] == ["the Lantern", "THE LANTERN"]


def test_ordinary_words_around_new_kinds_stay():
    text = ("The car park was closed. Age UK can help. It happened two years ago. Your son's school "
            "and the Crown Court in Leeds know. We met at the station on 3 June. Visit www.cps.gov.uk.")
    assert redact(text).text == text


def test_held_out_letters_hide_every_listed_personal_string_and_keep_ordinary_words():
    """bench/eval_redaction.py's figures (README): nothing listed left readable, and at least
    90% of all words (99% of words that are not personal) kept."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_redaction", ROOT / "bench" / "eval_redaction.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    totals, misses, _lost = bench.evaluate()
    assert sum(t[0] for t in totals.values()) >= 150
    assert misses == []
    for name, t in totals.items():
        assert t[3] >= 0.99 * t[4], name
        assert t[5] >= 0.90 * t[6] or name == "redaction", name


# Classes the anonymiser missed on the first run of bench/holdout6 and holdout7 (new examples,
# not the held-out letters' own strings).
def test_incident_dates_told_with_any_form_of_an_offence_word():
    text = ("He was charged with shoving you down the steps on 4 May. Mr Kaye was charged with "
            "racially abusing you in the queue on 9 July. The bruises your mother found on 1 March "
            "were photographed. We were told about the break-in at your flat on 22 April.")
    assert redact(text).text == (
        "He was charged with shoving you down the steps on [DATE]. [NAME] was charged with "
        "racially abusing you in the queue on [DATE]. The bruises your mother found on [DATE] "
        "were photographed. We were told about the break-in at your flat on [DATE].")


def test_a_place_between_the_incident_word_and_the_date_does_not_hide_the_link():
    text = ("I am writing about the attack you suffered outside the Plough and Harrow in Long Eaton "
            "on 8 March. Her van crossed the central line just after 6.15am on 2 February.")
    assert redact(text).text == (
        "I am writing about the attack you suffered outside the [PLACE] in Long Eaton "
        "on [DATE]. Her van crossed the central line just after 6.15am on [DATE].")


def test_case_dates_stay_with_the_wider_window():
    text = ("On 3 June we agreed to change the charge against him from wounding to assault. "
            "Mr Kaye admitted stealing your bike and will be sentenced on 9 July. "
            "You have until 14 August to ask. The hearing is on 2 May at 10:30.")
    assert redact(text).text == text.replace("Mr Kaye", "[NAME]")


def test_phone_number_with_a_digit_too_many():
    assert redact("Ring me on 01952 496 0371 or 0113 496 00123.").text == "Ring me on [PHONE] or [PHONE]."


def test_an_age_given_bare():
    text = "Her grandson, who is 7, saw it. He was now 91 and frail. He was 20 minutes late."
    assert redact(text).text == "Her grandson, who is [AGE], saw it. He was now [AGE] and frail. He was 20 minutes late."


def test_a_building_name_in_an_address_line():
    text = ("Write to us at Kingfisher Court, 8 Quayside Row, Bideford EX39 2AB. "
            "Or to Heron Chambers, Mill Street, Yeovil BA20 1AB.")
    assert redact(text).text == "Write to us at [ADDRESS]. Or to [ADDRESS]."


def test_gate_streets_and_named_parks():
    text = "Your bike was taken from Fossgate, York, and he ran into Roundhay Park near Leeds."
    assert redact(text).text == "Your bike was taken from [ADDRESS], York, and he ran into [PLACE] near Leeds."


def test_a_name_known_only_as_the_owner_of_a_relation():
    text = "Mrs Dunn was Zainab's nanny. Zainab is settled now, and we thank Zainab for her help."
    assert redact(text).text == ("[NAME] was [NAME]'s nanny. [NAME] is settled now, "
                                 "and we thank [NAME] for her help.")


def test_saints_and_infirmaries_are_places_not_people():
    """(A hospital is hidden as a place since a manager's review: where a victim was treated,
    with the town and the date, tells a local panel who it is.)"""
    text = "The nurse at St Thomas' walk-in centre, Saint Anne's clinic and Hull Royal Infirmary saw you."
    assert redact(text).text == text.replace("Hull Royal Infirmary", "[PLACE]")


# Classes the anonymiser missed on the first run of bench/holdout8 (new examples, not the
# held-out letters' own strings).
def test_a_house_given_by_its_number():
    text = ("The neighbour at number 41 saw him. Film from No. 7 and from next door to number 9a "
            "was seized, and Number 16's camera caught the van. The houses at numbers 3 and 5 "
            "were searched.")
    assert redact(text).text == (
        "The neighbour at number [ADDRESS] saw him. Film from No. [ADDRESS] and from next door to "
        "number [ADDRESS] was seized, and Number [ADDRESS]'s camera caught the van. The houses at "
        "numbers [ADDRESS] were searched.")


def test_other_numbers_stay():
    text = ("A number of witnesses came forward, and the number of calls was high. He was on the "
            "number 38 bus, not a number 5 bus. The trial is in court number 2. Please see point "
            "number 3, and turn to number 6 on the list.")
    assert redact(text).text == text


def test_a_first_name_after_a_word_for_a_person_and_a_comma_is_hidden_wherever_it_recurs():
    text = ("A second girl, Nuala, was in the park. Nuala's mother has told us that she will not "
            "give evidence. Without Nuala we cannot go on. The cashier, Bartek, called the police; "
            "we thank Bartek. Tomasz's parents were there too.")
    assert redact(text).text == (
        "A second girl, [NAME], was in the park. [NAME]'s mother has told us that she will not "
        "give evidence. Without [NAME] we cannot go on. The cashier, [NAME], called the police; "
        "we thank [NAME]. [NAME]'s parents were there too.")


def test_words_for_people_and_capitalised_sentence_starts_stay():
    text = ("The man Victim Support sent was kind. A woman, however, saw it. Another boy saw it. "
            "Everyone's statement was read. Nobody's family was told. Someone, we think, "
            "called the police.")
    assert redact(text).text == text


def test_welsh_street_names_with_no_english_street_word():
    text = ("He broke into the house on Ffordd y Brenin, Bangor. The car was found in Stryd Fawr "
            "and later on Lon Goed; the shop is at 4 Rhodfa'r Eglwys, and he lives on Teras "
            "Ucha.")
    assert redact(text).text == (
        "He broke into the house on [ADDRESS], Bangor. The car was found in [ADDRESS] "
        "and later on [ADDRESS]; the shop is at [ADDRESS], and he lives on [ADDRESS].")


def test_welsh_words_that_are_not_streets_stay():
    text = ("Llys y Goron Abertawe sat on 3 June. Maes Awyr Caerdydd is the airport. "
            "Ffordd arall o gael help: the ffordd ymlaen is clear.")
    assert redact(text).text == text


def test_an_incident_date_in_a_short_sentence_of_its_own():
    text = ("Someone kicked in your front door. This was on 17 October. "
            "The police say he grabbed your phone at the bus stop.\nIt was on Friday 6 June.")
    assert redact(text).text == (
        "Someone kicked in your front door. This was on [DATE]. "
        "The police say he grabbed your phone at the bus stop.\nIt was on [DATE].")


def test_a_case_date_in_a_short_sentence_of_its_own_stays():
    text = ("We made our decision to stop the case. That was on 24 May. Your trial at Cardiff "
            "Crown Court was moved. It is now on 3 July.\n\nHe punched you in the street.\n\n"
            "That was before 3 June. The letter went out. It was on 9 June.")
    assert redact(text).text == text


# Classes the anonymiser missed on the first run of bench/holdout9 (new examples, not the
# held-out letters' own strings).
def test_an_incident_date_right_after_the_place_it_happened():
    text = ("You told us how scared you were, alone at the bus stop on 3 March. It cannot have "
            "been easy to go back to the car park on Friday 9 May. Your neighbour saw him in the "
            "street, on 21 June. People were queuing at the taxi rank\non 2 August.")
    assert redact(text).text == (
        "You told us how scared you were, alone at the bus stop on [DATE]. It cannot have "
        "been easy to go back to the car park on [DATE]. Your neighbour saw him in the "
        "street, on [DATE]. People were queuing at the taxi rank\non [DATE].")


def test_case_dates_and_other_places_before_a_date_stay():
    text = ("On 3 March the court will hear the case. The hearing at the magistrates' court on "
            "12 May was moved, and we made our decision on 2 April. He will be sentenced at "
            "Leeds Crown Court on 9 July. We can meet at our office on 3 June, or visit you at "
            "your home on 6 May. Please collect your phone from the police station on 4 June.")
    assert redact(text).text == text


def test_the_street_of_the_writers_office_with_no_street_word():
    text = ("You are welcome at our office on Whitehall, or we can meet nearer your home. "
            "Our offices are on Park Row in the city centre. Or come to my office at Oxford "
            "Place, Leeds, or to the office on\nBlackfriars.")
    assert redact(text).text == (
        "You are welcome at our office on [ADDRESS], or we can meet nearer your home. "
        "Our offices are on [ADDRESS] in the city centre. Or come to my office at [ADDRESS], "
        "Leeds, or to the office on\n[ADDRESS].")


def test_office_words_that_are_not_streets_stay():
    text = ("We can meet at our office on Monday, at our office in Leeds or at our office on "
            "3 June. Our office in St Albans is open on Tuesday. Please call our office on "
            "Freephone. Our office at Leeds Crown Court is open on Bank Holiday Monday.")
    assert redact(text).text == text


def test_a_postal_address_given_by_its_number_with_no_street_word():
    text = ("Please write to me at 14 Albion Quay, Leeds, or send the form to 3 Pembroke "
            "Broadway. Our address is 6 St Mary's Butts, Reading. You can also write to us at\n"
            "9a Hanover Walkway.")
    assert redact(text).text == (
        "Please write to me at [ADDRESS], Leeds, or send the form to [ADDRESS]. Our address "
        "is [ADDRESS], Reading. You can also write to us at\n[ADDRESS].")


def test_writing_to_us_with_no_house_number_stays():
    text = ("Please write to us at the address above, or send it to the Victim Liaison Unit. "
            "We will reply to 3 of your points by 14 May. You can write to me at any time, and "
            "our address is on the front of this letter. Send it to Victim Support.")
    assert redact(text).text == text


# Classes the anonymiser missed on the first run of bench/holdout10 (new examples, not the
# held-out letters' own strings).
def test_a_doctors_or_professors_title_goes_into_the_tag():
    text = ("The report from your son's therapist, Dr Okonjo, was read. Professor Hallam, who "
            "examined the scan, agrees, and so does DR. FENWICK. Prof Lindqvist's notes and "
            "those of Dr.\nBeattie were sent.")
    assert redact(text).text == (
        "The report from your son's therapist, [NAME], was read. [NAME], who "
        "examined the scan, agrees, and so does [NAME]. [NAME]'s notes and "
        "those of [NAME] were sent.")


def test_police_and_court_ranks_and_an_untitled_doctor_stay_readable():
    text = ("DC Okafor, Sergeant Hallam and Judge Harlow dealt with it. A doctor saw you, and the "
            "Dr on duty at the walk-in centre wrote it up. She is a professor of medicine; the "
            "Professor of Forensic Science at Leeds agreed.")
    assert redact(text).text == (
        "DC [NAME], Sergeant [NAME] and Judge [NAME] dealt with it. A doctor saw you, and the "
        "Dr on duty at the walk-in centre wrote it up. She is a professor of medicine; the "
        "Professor of Forensic Science at Leeds agreed.")


def test_a_decision_date_told_as_a_choice_stays_readable_after_an_incident_sentence():
    # holdout10's first run hid two decision dates told this way (over-hiding, not a leak)
    text = ("Mr Rowe was charged with punching you at the bus stop. We chose to stop the case on "
            "4 June. He kicked your door in April. The prosecutor concluded on 9 July that the "
            "case should end, and we ended it on 11 July. He hit you outside the pub. We made "
            "this choice on 2 August.")
    out = redact(text).text
    for date in ("4 June", "9 July", "11 July", "2 August"):
        assert date in out, (date, out)


# Classes the anonymiser missed on the first run of bench/holdout11 (new examples, not the
# held-out letters' own strings).
def test_a_user_name_in_quotes_after_a_word_for_an_online_account():
    text = ("The posts came from a profile named “sallowmoth” and an account called 'fernhillwatcher'. "
            "His gamertag was \"Brambleking\".")
    assert redact(text).text == ("The posts came from a profile named “[NAME]” and an account called "
                                 "'[NAME]'. His gamertag was \"[NAME]\".")


def test_quoted_words_after_account_words_that_are_not_user_names_stay():
    text = ("Your account of “the night it happened” was clear. The bank closed the account, and the "
            "profile photo said “welcome”. Your account was “very moving”, the officer said.")
    assert redact(text).text == text


def test_an_incident_date_told_as_messages_sent_or_received():
    text = ("You told us about the texts you received on 6 March. He sent you voicemails between "
            "2 May and 19 May. Forty messages were sent to your phone on 8 June.")
    assert redact(text).text == (
        "You told us about the texts you received on [DATE]. He sent you voicemails between "
        "[DATE] and [DATE]. Forty messages were sent to your phone on [DATE].")


def test_case_dates_told_with_sent_or_received_stay():
    text = ("We received the police file on 6 March. The letter we sent you on 9 March went by "
            "post on 10 March. We received your email on 12 March, and we sent a message to the "
            "officer on 13 March. The messages you sent us on 14 March were passed on.")
    assert redact(text).text == text


def test_a_staff_members_name_after_their_role_and_a_comma():
    text = ("The barrister, Tobias Wren, will be there, and the prosecutor, Efe Okonedo, agrees. "
            "My supervisor, Maelle Durand, has read it; the solicitor, Bram Kooij, was told.")
    assert redact(text).text == (
        "The barrister, [NAME], will be there, and the prosecutor, [NAME], agrees. "
        "My supervisor, [NAME], has read it; the solicitor, [NAME], was told.")


def test_role_lines_and_roles_with_no_name_stay():
    text = ("Yours sincerely\n\nA. Okoro\nSenior Crown Prosecutor, Thames and Chiltern\n\n"
            "A prosecutor, who has not worked on the case, will look again. The lawyer, Victim "
            "Support and the police agree.")
    assert redact(text).text == text.replace("A. Okoro", "[NAME]")


def test_a_venue_named_with_a_newer_venue_word():
    text = ("He worked at Larkrise Kennels and then at Hollins Garage. The film from Ferndale "
            "Library and Stonebridge Barbers was seized.")
    assert redact(text).text == ("He worked at [PLACE] and then at [PLACE]. The film from [PLACE] "
                                 "and [PLACE] was seized.")


def test_the_same_words_in_lower_case_or_alone_stay():
    text = ("The kennels and the garage were shut, and the library was open. Kennels near "
            "the Museum of London are full.")
    assert redact(text).text == text


def test_a_street_whose_street_word_is_run_into_its_name():
    text = ("He followed you along Northway and pushed you over on Millpath. The van was parked "
            "off Bellwynd.")
    assert redact(text).text == ("He followed you along [ADDRESS] and pushed you over on [ADDRESS]. "
                                 "The van was parked off [ADDRESS].")


def test_places_and_words_ending_in_way_or_path_stay():
    text = ("He lives in Medway and was seen at Holloway. Anyway, the way he drove on the "
            "motorway was careless, and the Railway Tavern staff saw a Pathway leaflet.")
    out = redact(text).text
    assert out == text.replace("Railway Tavern", "[PLACE]")


def test_a_postal_address_with_no_house_number_after_a_cue_to_write():
    text = ("You can write to me at Old Bank Chambers, Durham, or send the form to Riverside "
            "House. Our address is St Cuthbert's Quay, Hexham.")
    assert redact(text).text == ("You can write to me at [ADDRESS], Durham, or send the form to "
                                 "[ADDRESS]. Our address is [ADDRESS], Hexham.")


def test_writing_to_a_court_or_a_service_with_no_house_number_stays():
    text = ("Please write to us at Newcastle Crown Court, or send it to Victim Support. You can "
            "write to me at any time, and reply to Court staff if they ask.")
    assert redact(text).text == text


# Classes the anonymiser missed on the first run of bench/holdout12 (new examples, not the
# held-out letters' own strings).
def test_a_street_named_after_a_place_word():
    text = ("He waited on Station Lane and ran down Hospital Street. The camera on Bank Road and "
            "the flat at 4 Station Terrace, Whitby, were checked; Airport Road was shut.")
    assert redact(text).text == ("He waited on [ADDRESS] and ran down [ADDRESS]. The camera on "
                                 "[ADDRESS] and the flat at [ADDRESS], were checked; [ADDRESS] was shut.")


def test_the_place_words_alone_and_courts_stay():
    text = ("We met at York Station and the County Hospital, and spoke about 2 Crown Court hearings "
            "at the Royal Courts of Justice. Bank Holiday Monday is a day off; the station road was dark.")
    assert redact(text).text == text.replace("County Hospital", "[PLACE]")  # (a hospital is a place)


def test_an_incident_date_told_by_a_when_clause_after_it():
    text = ("I am writing to you about 12 March, when you were pushed down the stairs. We looked "
            "again at 3 April, when he threatened your sister.")
    assert redact(text).text == ("I am writing to you about [DATE], when you were pushed down the "
                                 "stairs. We looked again at [DATE], when he threatened your sister.")


def test_case_dates_with_a_when_clause_stay():
    text = ("We wrote to you on 12 March, when the hearing was moved. On 3 April, when we received "
            "the file, we decided to charge him. The trial on 9 May, when you can give evidence, "
            "goes ahead.")
    assert redact(text).text == text


def test_a_date_counted_from_the_incident_date_is_hidden():
    text = ("The shed was broken into on 20 April. His van was seen in your lane on 18 April, two "
            "days before. Three days later, on 23 April, he sold a drill online.")
    assert redact(text).text == ("The shed was broken into on [DATE]. His van was seen in your lane "
                                 "on [DATE], two days before. Three days later, on [DATE], he sold a "
                                 "drill online.")


def test_a_date_counted_from_a_case_date_stays():
    text = ("The hearing is on 20 April. The file reached us on 18 April, two days before. "
            "He punched you on 2 March. Three days later, on 5 March, he was charged.")
    assert redact(text).text == text.replace("2 March", "[DATE]")


# Classes the anonymiser missed on the first run of bench/holdout13 (new examples, not the
# held-out letters' own strings).
def test_an_incident_date_told_by_a_card_or_account_being_used():
    text = ("Your debit card was used at three petrol stations on 21 October. Someone logged into "
            "your building society account on 4 November, and a stranger spent £90 on your credit "
            "card on 6 November. Your cheque book was misused on 2 March.")
    assert redact(text).text == (
        "Your debit card was used at three petrol stations on [DATE]. Someone logged into your "
        "building society account on [DATE], and a stranger spent £90 on your credit card on "
        "[DATE]. Your cheque book was misused on [DATE].")


def test_use_words_without_a_card_or_with_the_writer_using_it_stay():
    text = ("We used the account records we received on 21 October. The officer used your account "
            "of events on 4 November. We can use the bank statements at the hearing on 6 November, "
            "and the details of the case were used on 2 March.")
    assert redact(text).text == text


def test_a_run_of_days_in_one_month_is_one_incident_date():
    text = ("He sent you threats between 11 and 15 August. The shed was broken into on the 3rd "
            "or the 4th of May, and he hit you on 20-21 June. Your car was damaged on 7, 8 and "
            "9 April.")
    assert redact(text).text == (
        "He sent you threats between [DATE]. The shed was broken into on [DATE], and he hit you "
        "on [DATE]. Your car was damaged on [DATE].")


def test_a_run_of_hearing_days_stays_and_a_year_is_not_a_day():
    text = ("The trial is listed for 11 to 15 August at Exeter Crown Court. We decided on 3 and "
            "4 May. The fraud started in 2022, 5 December being the first payment.")
    assert redact(text).text == text.replace("5 December", "[DATE]")


# Classes the anonymiser missed on the first run of bench/holdout14 (new examples, not the
# held-out letters' own strings).
def test_a_surname_that_is_also_a_stop_word_after_a_title():
    text = ("Your neighbour, Mrs Brenda Holiday, saw it, and Mr Head rang the police. We spoke to "
            "Mrs Holiday again. MR HEAD signed it.")
    assert redact(text).text == ("Your neighbour, [NAME], saw it, and [NAME] rang the police. We "
                                 "spoke to [NAME] again. [NAME] signed it.")


def test_stop_words_after_a_title_that_end_no_name_stay():
    text = ("Ms Cole Senior Caseworker wrote, and Mr Cole Head of Unit agreed. A friend, your "
            "Friend and the Home Office can help.")
    assert redact(text).text == ("[NAME] Senior Caseworker wrote, and [NAME] Head of Unit agreed. "
                                 "A friend, your Friend and the Home Office can help.")


def test_a_street_named_as_a_market_or_with_a_street_word_not_on_the_bare_list():
    text = ("He was arrested on Cloth Market after running along Mill Row. The car was parked off "
            "Kings Parade, then on Ferry Quay.")
    assert redact(text).text == ("He was arrested on [ADDRESS] after running along [ADDRESS]. The car "
                                 "was parked off [ADDRESS], then on [ADDRESS].")


def test_districts_and_markets_that_are_not_streets_stay():
    text = ("He lives in Golders Green and works outside Wood Green station. Prices on the stock "
            "market fell, and we rely on Victim Support.")
    assert redact(text).text == text


def test_the_writers_office_and_streets_that_have_no_street_word():
    text = ("You can meet me at our office on the Harbourside. The café in Old Jewry and a flat off "
            "the Headrow were searched.")
    assert redact(text).text == ("You can meet me at our office on the [ADDRESS]. The café in [ADDRESS] "
                                 "and a flat off the [ADDRESS] were searched.")


def test_towns_stations_and_lines_after_office_in_stay():
    text = ("Our office in Milton Keynes is near Manchester Piccadilly station; take the Piccadilly "
            "line. A strand of hair was found on the quayside.")
    assert redact(text).text == text


def test_a_firm_named_by_its_trade():
    text = "The false invoices came from Nash Electrical and were paid by Patel Flooring."
    assert redact(text).text == "The false invoices came from [ORGANISATION] and were paid by [ORGANISATION]."


def test_trade_words_in_ordinary_use_stay():
    text = ("New carpets and tiles were fitted. The roofing firm sent a removals van, and Trading "
            "Standards and Social Services were told.")
    assert redact(text).text == text


def test_an_email_whose_at_sign_was_lost():
    text = "Email me at dev.okoro cps.gov.uk, or my colleague at r_lamb @ example.org."
    assert redact(text).text == "Email me at [EMAIL], or my colleague at [EMAIL]."


def test_web_addresses_and_abbreviations_before_a_domain_stay():
    text = "See www.cps.gov.uk or gov.uk, e.g. victimsupport.org.uk, and at 9.30 am cps.gov.uk again."
    assert redact(text).text == text


def test_a_name_someone_goes_by_online_is_hidden_wherever_it_recurs():
    text = ("The messages came from someone going by the name Zed. The police linked the Zed "
            "account to a laptop, and a girl calling herself Mimi was spoken to.")
    assert redact(text).text == ("The messages came from someone going by the name [NAME]. The police "
                                 "linked the [NAME] account to a laptop, and a girl calling herself "
                                 "[NAME] was spoken to.")


def test_calling_oneself_something_ordinary_stays():
    text = "He kept calling himself a victim, and she called herself lucky to be alive."
    assert redact(text).text == text


# Classes the anonymiser missed on the first run of bench/holdout15 (new examples, not the
# held-out letters' own strings).
def test_a_first_name_that_is_a_month_or_day_between_a_title_and_a_surname():
    text = ("The case rested on Mrs April Dunne, who saw it from her window, and on DC August "
            "Reyes. MR SUNDAY OBI and Mr Jan Nowak were there too. April Dunne has since moved.")
    assert redact(text).text == ("The case rested on [NAME], who saw it from her window, and on DC "
                                 "[NAME]. [NAME] and [NAME] were there too. [NAME] has since moved.")


def test_months_and_days_near_a_title_or_known_surname_stay_as_dates():
    text = ("Mrs Dunne wrote in April. In April Dunne moved away, and on 3 June Dunne rang. The "
            "Judge on Friday and Mrs June said nothing more.")
    assert redact(text).text == ("[NAME] wrote in April. In April [NAME] moved away, and on 3 June "
                                 "[NAME] rang. The Judge on Friday and Mrs June said nothing more.")


def test_a_pool_or_baths_by_name_and_the_same_venue_later_by_its_name_alone():
    text = ("He coached at Kelso Baths and at Millbrook Swimming Pool. None of the staff saw him "
            "at Kelso that winter, and the lockers inside Millbrook were empty.")
    assert redact(text).text == ("He coached at [PLACE] and at [PLACE]. None of the staff saw him "
                                 "at [PLACE] that winter, and the lockers inside [PLACE] were empty.")


def test_a_venues_name_used_as_a_town_a_court_or_a_station_stays():
    text = ("He trained at Hightown Lido. He lives in Hightown, and we met at Hightown. The hearing "
            "at Kelso Magistrates' Court follows his visit to Kelso Rink; the bus at Kelso station "
            "was late. The pool, the baths and a car pool stay.")
    assert redact(text).text == ("He trained at [PLACE]. He lives in Hightown, and we met at Hightown. "
                                 "The hearing at Kelso Magistrates' Court follows his visit to [PLACE]; "
                                 "the bus at Kelso station was late. The pool, the baths and a car "
                                 "pool stay.")


# Classes the anonymiser missed on the first run of bench/holdout17 (new examples, not the
# held-out letters' own strings).
def test_the_date_in_the_sentence_that_says_what_the_letter_is_about():
    text = ("This letter is about your garden on 5 August.\n\nI am writing to you about 21 May, "
            "and what you saw in your kitchen that evening. This is about your car on 9 March.")
    assert redact(text).text == (
        "This letter is about your garden on [DATE].\n\nI am writing to you about [DATE], "
        "and what you saw in your kitchen that evening. This is about your car on [DATE].")


def test_case_dates_in_the_sentence_that_says_what_the_letter_is_about_stay():
    text = ("I am writing about the trial at Hull Crown Court on 4 May. This letter is about your "
            "phone call to us on 2 May, and your visit to our office on 8 May. I am writing about "
            "your statement on 1 April. We wrote to you on 6 May.")
    assert redact(text).text == text


def test_a_street_named_with_a_street_word_no_list_has_after_a_shop_or_home():
    text = ("He broke into the bakery on Pinfold Plain and then her house on Cross Heys. The "
            "takeaway on Albion Steps was shut. He ran down Netherton Drove.")
    assert redact(text).text == (
        "He broke into the bakery on [ADDRESS] and then her house on [ADDRESS]. The takeaway on "
        "[ADDRESS] was shut. He ran down [ADDRESS].")


def test_islands_districts_and_days_after_a_shop_or_home_stay():
    text = ("Her home on Hayling Island, a shop on Kings Heath and a flat on Tyneside are far "
            "apart. The pub on Valentine's Day and the shops on Boxing Day were busy; the bus "
            "stop on Bank Holiday Monday was empty, and the plain facts stand.")
    assert redact(text).text == text


# Classes the anonymiser missed on the first run of bench/holdout18 (new examples, not the
# held-out letters' own strings).
def test_the_organisation_on_a_recipients_role_line_is_hidden_there_and_again():
    text = ("Private - to be opened by addressee only\n\nMr Owen Hale\nPractice Manager, Greenway "
            "Dental Care, 12 Mill Street, Stroud\n\nDear Mr Hale\n\nThe laptop was taken from "
            "Greenway Dental Care on 3 May.")
    assert redact(text).text == (
        "Private - to be opened by addressee only\n\n[NAME]\nPractice Manager, [ORGANISATION], "
        "[ADDRESS]\n\nDear [NAME]\n\nThe laptop was taken from [ORGANISATION] on [DATE].")
    text = ("Ms Kay Lund\nHead of Lettings, Ashcombe Homes\nOur ref: 12AB3456789\n\nDear Ms Lund\n\n"
            "Ashcombe Homes lost £9,000.")
    assert redact(text).text == (
        "[NAME]\nHead of Lettings, [ORGANISATION]\nOur ref: [CASE REF]\n\nDear [NAME]\n\n"
        "[ORGANISATION] lost £9,000.")


def test_a_role_line_with_a_town_alone_a_protected_name_or_no_name_above_stays():
    assert redact("Ms Kay Lund\nStore Manager, Leeds\n\nDear Ms Lund").text == (
        "[NAME]\nStore Manager, Leeds\n\nDear [NAME]")
    assert redact("Mrs Rita Shaw\nVictim Liaison Officer, Crown Prosecution Service\n\nDear Mrs Shaw"
                  ).text == "[NAME]\nVictim Liaison Officer, Crown Prosecution Service\n\nDear [NAME]"
    text = ("Our records\nStore Manager, Fresh Fields\n\nDear Sir or Madam\n\nYours faithfully\n\n"
            "Team Manager, Crown Prosecution Service Wessex")
    assert redact(text).text == text


def test_a_named_service_station_childrens_home_and_block_of_flats():
    text = ("Diesel was taken from Hillcrest Service Station, and he worked at Ashdown Children's "
            "Home. The residents of Linden Court and the lift at Thornbury Court were affected.")
    assert redact(text).text == (
        "Diesel was taken from [PLACE], and he worked at [PLACE]. The residents of [ADDRESS] and "
        "the lift at [ADDRESS] were affected.")


def test_courts_districts_and_stations_named_so_stay():
    text = ("The hearing at Bristol Crown Court, Leeds Youth Court and Cardiff Magistrates' Court; "
            "a flat near Earls Court. The service station, the petrol station, Leeds Station and "
            "Hull Police Station.")
    assert redact(text).text == text


def test_a_numbered_street_named_after_a_place_word_and_the_writers_office_building():
    text = ("Her shop is at 4 Station Approach, Ripon, and his at 9 Hospital Walk. Our office is at "
            "Cabot Point, Bristol. Our postal address is CPS Mersey-Cheshire, Queens Dock Chambers, "
            "Liverpool.")
    assert redact(text).text == (
        "Her shop is at [ADDRESS], Ripon, and his at [ADDRESS]. Our office is at [ADDRESS], "
        "Bristol. Our postal address is CPS Mersey-Cheshire, [ADDRESS], Liverpool.")


def test_court_hearings_by_number_and_an_office_in_a_court_or_a_town_stay():
    text = ("We spoke about 3 Crown Court hearings and 2 Station staff. Our office is at Bristol "
            "Crown Court. Our address is Crown Prosecution Service Wessex, Winchester.")
    assert redact(text).text == text


def test_a_school_named_in_full_then_by_its_name_alone():
    text = ("The windows of Oakfield Primary School were smashed. The damage to Oakfield cost "
            "£3,000, and nothing was taken from Oakfield.")
    assert redact(text).text == (
        "The windows of [SCHOOL] were smashed. The damage to [SCHOOL] cost £3,000, and nothing "
        "was taken from [SCHOOL].")
    text = ("The windows of Hightown Academy were smashed. We live in Hightown; the bus to Hightown "
            "was late.")
    assert redact(text).text == (
        "The windows of [SCHOOL] were smashed. We live in Hightown; the bus to Hightown was late.")


def test_a_couple_named_by_one_surname_is_one_name():
    """"Mr and Mrs Khan" is one name, all of it in the tag, as a title goes into its name's tag
    (it read "Dear Mr and [VICTIM]"; holdout23 listed "Mr and Mrs Hollis" as one string). Not
    a title on its own: "Mr and then Mrs Shah" keeps "Mr and then"."""
    ctx = LetterContext(victim_name="Mr and Mrs Khan")
    assert redact("Dear Mr and Mrs Khan\n\nMrs Khan told us, and Mr Khan agreed.", ctx).text == (
        "Dear [VICTIM]\n\n[VICTIM] told us, and [VICTIM] agreed.")
    assert redact("The case against Mr & Mrs Hollis, and Dr and Mr Obi.").text == "The case against [NAME], and [NAME]."
    assert redact("He met Mr and then Mrs Shah.").text == "He met Mr and then [NAME]."


# Found in the second review (sample letter 02): the date of a gathering where it happened,
# with the town between the place and the date, was left readable.
def test_the_date_of_the_gathering_where_it_happened_is_hidden():
    text = "She says you were both at the wedding in Whitby on 14 June, and that you left early."
    assert redact(text).text == "She says you were both at the wedding in Whitby on [DATE], and that you left early."
    text = "He agrees he was at the barbecue on Saturday 3 August 2024."
    assert redact(text).text == "He agrees he was at the barbecue on [DATE]."
    # the case's own dates near such a word stay
    text = "Both parties were told the hearing on 14 June was moved."
    assert redact(text).text == text


# Classes the anonymiser missed on the first runs of bench/holdout20 and holdout21 (new
# examples, not the held-out letters' own strings).
def test_a_name_given_after_her_name_is_or_after_the_person_who_made_the_decision():
    text = ("You can meet the prosecutor. His name is Dario Venn. The lawyer who took the decision, "
            "Wren Abbott, will be there too.")
    assert redact(text).text == (
        "You can meet the prosecutor. His name is [NAME]. The lawyer who took the decision, "
        "[NAME], will be there too.")
    text = "The lawyer who made the decision. Then we wrote to you."
    assert redact(text).text == text


def test_an_age_after_a_titled_name_and_a_date_of_a_murder():
    text = "Mrs Pell is now 91. He was charged with murdering your son Tomas on 6 March."
    assert redact(text).text == "[NAME] is now [AGE]. He was charged with murdering your son [NAME] on [DATE]."


def test_a_signature_after_a_sign_off_of_sympathy_is_a_signature():
    text = "Dear Ms Reid\n\nWe are sorry.\n\nWith my sincere condolences,\n\nIvo Marsh\nVictim Liaison Officer"
    assert redact(text).text.endswith("With my sincere condolences,\n\n[NAME]\nVictim Liaison Officer")


# Found in the sixth product review (report item 3): the victim's name in lower case, inside a
# user name, or as the family's plural; surname particles left outside the tag; a name before
# ", your son,"; and "Young people" hidden for a victim called Young. New examples first, then
# the review's own strings.
def test_the_victims_whole_name_in_lower_case_and_a_part_that_is_no_ordinary_word():
    ctx = LetterContext(victim_name="Ms Ewa Zielinska")
    text = ("The texts were addressed to ewa zielinska, then to ms zielinska, and later just to "
            "zielinska. EWA ZIELINSKA and Ewa ZIELINSKA were also named.")
    assert redact(text, ctx).text == (
        "The texts were addressed to [VICTIM], then to [VICTIM], and later just to "
        "[VICTIM]. [VICTIM] and [VICTIM] were also named.")


def test_lower_case_words_that_are_also_the_victims_name_stay():
    ctx = LetterContext(victim_name="Mrs Joy Field")
    text = ("The field behind the flats was searched, and the fields beyond it. We know this "
            "news brings you no joy.")
    assert redact(text, ctx).text == text
    ctx = LetterContext(victim_name="Mr Ben Price")
    text = "The price of the repair was high.\n\nMae'r achos wedi dod i ben."
    assert redact(text, ctx).text == text  # a Welsh line's "ben" is no name


def test_a_user_name_built_from_the_victims_name_is_hidden_whole():
    ctx = LetterContext(victim_name="Ms Ewa Zielinska")
    text = ("He wrote to ewazielinska90 on Instagram, to @ewa.zielinska on X, to Zielinska_E on "
            "a forum and to the account ezielinska.")
    assert redact(text, ctx).text == (
        "He wrote to [VICTIM] on Instagram, to [VICTIM] on X, to [VICTIM] on "
        "a forum and to the account [VICTIM].")


def test_words_that_only_contain_the_victims_name_stay():
    ctx = LetterContext(victim_name="Mr Al Ford")
    text = "He moved to Alford, then to Stafford, and read the fords_2024 file at gov.uk."
    assert redact(text, ctx).text == text
    ctx = LetterContext(victim_name="Mrs Joy Field")
    text = "The fieldwork and the midfield were fine; Joyful news."
    assert redact(text, ctx).text == text


def test_the_family_by_its_plural_and_plural_possessive():
    ctx = LetterContext(victim_name="Mr Kofi Mensah")
    text = "The Mensahs were told, and the Mensahs' car was damaged. Both Mensahs gave statements."
    assert redact(text, ctx).text == (
        "The [VICTIM] were told, and the [VICTIM]' car was damaged. Both [VICTIM] gave statements.")
    ctx = LetterContext(victim_name="Mrs Ann Wood")
    text = "The Woods next door saw it; the woods behind the house and Epping Woods stay."
    assert redact(text, ctx).text == (
        "The [VICTIM] next door saw it; the woods behind the house and Epping Woods stay.")


def test_surname_particles_go_into_the_victims_tag():
    ctx = LetterContext(victim_name="Mrs Sofia da Costa")
    text = ("Dear Mrs da Costa\n\nDa Costa's statement was read. We spoke to Sofia da Costa and "
            "to MRS DA COSTA, and da Costa agreed.")
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\n[VICTIM]'s statement was read. We spoke to [VICTIM] and "
        "to [VICTIM], and [VICTIM] agreed.")
    ctx = LetterContext(victim_name="Mr Rhodri ap Gwilym")
    assert redact("Dear Mr ap Gwilym", ctx).text == "Dear [VICTIM]"


def test_surname_particles_go_into_the_tag_for_other_people():
    text = ("The case against Mr Von der Heide has ended. His brother Bram van den Bosch was there, "
            "and DC Lena de Vries spoke to Ms El Amrani. Later van den Bosch left.")
    assert redact(text).text == (
        "The case against [NAME] has ended. His brother [NAME] was there, "
        "and DC [NAME] spoke to [NAME]. Later [NAME] left.")


def test_a_greeting_or_signature_with_surname_particles_is_one_name():
    text = ("Dear Tiago dos Santos\n\nThank you for your call.\n\nYours sincerely\n\n"
            "Ingrid von Essen\nVictim Liaison Officer")
    assert redact(text).text == ("Dear [NAME]\n\nThank you for your call.\n\nYours sincerely\n\n"
                                 "[NAME]\nVictim Liaison Officer")


def test_particles_that_are_words_or_ranks_stay_outside_names():
    text = ("The van was at Le Mans, the bin by the door. DI Shaw and DI Marco Shaw came. The van "
            "Shaw drove was red.")
    assert redact(text).text == (
        "The van was at Le Mans, the bin by the door. DI [NAME] and DI [NAME] came. The van "
        "[NAME] drove was red.")


def test_a_name_before_a_comma_and_a_family_word_even_one_that_is_a_word():
    text = ("Grace, your daughter, gave a statement. Will, her brother, was there too, and we "
            "spoke to Tobiah, your nephew, on Monday.")
    assert redact(text).text == (
        "[NAME], your daughter, gave a statement. [NAME], her brother, was there too, and we "
        "spoke to [NAME], your nephew, on Monday.")


def test_words_before_a_comma_and_a_family_word_that_are_no_name_stay():
    text = ("Sadly, your father, who was 80, died. Afterwards, your son told us. We met in Leeds, "
            "your sister, and in May, your brother, wrote.")
    assert redact(text).text == text.replace("80", "[AGE]")


def test_a_victims_name_that_is_a_word_at_a_sentence_start_before_a_noun_is_the_word():
    ctx = LetterContext(victim_name="Mr Ian Little")
    text = ("Little evidence was found. Little told the police, and the Little children were "
            "at home. LITTLE TIME WAS LEFT.")
    assert redact(text, ctx).text == (
        "Little evidence was found. [VICTIM] told the police, and the [VICTIM] children were "
        "at home. LITTLE TIME WAS LEFT.")


@pytest.mark.parametrize("victim,text,expected", [
    ("Mr Tomasz Nowak", "The messages were addressed to tomasz nowak and to nowak.",
     "The messages were addressed to [VICTIM] and to [VICTIM]."),
    ("Mr Tomasz Nowak", "The messages went to tomasznowak77 on Instagram.",
     "The messages went to [VICTIM] on Instagram."),
    ("Mrs Joy Field", "He lives on the same road as the Fields.", "He lives on the same road as the [VICTIM]."),
    ("Ms Maria de la Cruz", "I know this is hard for you, Ms de la Cruz.", "I know this is hard for you, [VICTIM]."),
    ("Ms Anna van der Berg", "Ms van der Berg, I am sorry.", "[VICTIM], I am sorry."),
    ("Ms Maria Cruz", "The case against Mr Van der Berg has stopped. His son Pieter van der Berg saw it.",
     "The case against [NAME] has stopped. His son [NAME] saw it."),
    ("Mrs Joy Field", "Mark, your son, told us what happened.", "[NAME], your son, told us what happened."),
    ("Ms Grace Young", "Young people in the area were frightened.", "Young people in the area were frightened."),
    # the seventh review's (this session's own changes)
    ("Mr Tomasz Nowak", "He posted as tomasz-nowak and as tomasz.nowak.", "He posted as [VICTIM] and as [VICTIM]."),
    ("Mr Tomasz Nowak", "His username was t-nowak.", "His username was [VICTIM]."),
    ("Mr Tomasz Nowak", "The site nowak-family.co.uk showed photos.", "The site [VICTIM] showed photos."),
    ("Mrs Rose Young", "The page rose-young was taken down.", "The page [VICTIM] was taken down."),
    ("Mrs Rose Young", "She used rose.young on Instagram.", "She used [VICTIM] on Instagram."),
    ("Mrs Rose Young", "Accounts rose-young88, young.rose and r.young.", "Accounts [VICTIM], [VICTIM] and [VICTIM]."),
    ("Mrs Rose Young", "An account called @rose-young on social media.", "An account called [VICTIM] on social media."),
    ("Mrs Rose Young", "She said that Rose-Young was her Facebook name, rose.young88.",
     "She said that [VICTIM] was her Facebook name, [VICTIM]."),
    ("Ms Hope May", "We will write again in May.", "We will write again in May."),
    ("Ms May Little", "We will write again in May.", "We will write again in May."),
    ("Ms Hope May", "Hope is not lost: you will still get support.", "Hope is not lost: you will still get support."),
])
def test_the_reviews_examples(victim, text, expected):
    """The sixth and seventh reviews' leaks and over-hiding, as they wrote them."""
    assert redact(text, LetterContext(victim_name=victim)).text == expected


# Classes the anonymiser missed on the first run of bench/holdout22 (new examples, not the
# held-out letters' own strings).
def test_a_date_hidden_in_the_english_of_a_bilingual_letter_is_hidden_in_the_welsh():
    text = ("Mae'r heddlu yn ymchwilio i'r difrod i'ch car ar 5 Hydref.\n\n"
            "The police looked into the damage to your car on 5 October. The hearing was on 9 October, "
            "a gwrandawiad ar 9 Hydref.")
    assert redact(text).text == (
        "Mae'r heddlu yn ymchwilio i'r difrod i'ch car ar [DATE].\n\n"
        "The police looked into the damage to your car on [DATE]. The hearing was on 9 October, "
        "a gwrandawiad ar 9 Hydref.")


def test_the_date_of_shouting_or_of_sex_is_what_happened():
    text = "He says you agreed to have sex on 4 April. The shouting on 8 April was filmed."
    assert redact(text).text == "He says you agreed to have sex on [DATE]. The shouting on [DATE] was filmed."


# Found in the seventh product review (report items 1 and 7): handles and web addresses built
# from the victim's name joined by hyphens or dots stayed readable; a month, "Hope is not lost"
# and "Field officers" were hidden as a name. New examples first, then the review's own strings.
def test_a_handle_or_web_address_joined_by_hyphens_or_dots_is_hidden_whole():
    ctx = LetterContext(victim_name="Ms Ewa Zielinska")
    text = ("He wrote to ewa-zielinska, e-zielinska and zielinska.ewa, posted on "
            "zielinska-photos.co.uk and tagged @ewa-zielinska-99. Ewa-Zielinska was her old profile.")
    assert redact(text, ctx).text == (
        "He wrote to [VICTIM], [VICTIM] and [VICTIM], posted on "
        "[VICTIM] and tagged [VICTIM]. [VICTIM] was her old profile.")
    ctx = LetterContext(victim_name="Mrs Joy Field")
    text = "Messages went to joy-field, field.joy, j.field and joy-field2020."
    assert redact(text, ctx).text == "Messages went to [VICTIM], [VICTIM], [VICTIM] and [VICTIM]."


def test_hyphenated_words_that_hold_an_ordinary_name_word_stay():
    ctx = LetterContext(victim_name="Mrs Joy Field")
    text = ("The field-based team used a well-known joy-stick test and e-mail; the midfield-level "
            "play was mid-May.")
    assert redact(text, ctx).text == text
    ctx = LetterContext(victim_name="Mr Xavier Ray")
    text = "An x-ray was taken."
    assert redact(text, ctx).text == text


def test_an_initial_and_a_surname_joined_by_a_hyphen_is_a_handle_unless_it_is_a_word():
    """An account "r-young" showed the panel the victim's surname; "x-ray", "t-shirts" and
    "u-turn" are English words made the same way, and stay."""
    ctx = LetterContext(victim_name="Ms Rachel Young")
    assert redact("He messaged you from the account r-young and R-Young.", ctx).text == (
        "He messaged you from the account [VICTIM] and [VICTIM].")
    for victim, text in (("Mr Xavier Ray", "An x-ray and two x-rays were taken."),
                         ("Ms Tara Shirt", "He wore two t-shirts."),
                         ("Mr Ugo Turn", "The driver made a u-turn.")):
        assert redact(text, LetterContext(victim_name=victim)).text == text


def test_a_month_that_is_the_victims_name_reads_as_the_month_after_in_or_by():
    for victim in ("Ms June Okafor", "Mrs Ada June"):
        ctx = LetterContext(victim_name=victim)
        text = ("The trial is listed in June 2026. We will call you by June. It ran until June; "
                "nothing since June! Early June 2026 or the end of June.")
        assert redact(text, ctx).text == text
    ctx = LetterContext(victim_name="Ms June Okafor")
    text = ("Dear Ms Okafor\n\nWe told June about it. We heard from June. A friend of June saw it. "
            "In June, your son rang.")
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\nWe told [VICTIM] about it. We heard from [VICTIM]. A friend of [VICTIM] saw it. "
        "In [VICTIM], your son rang.")
    assert redact("It changed from June 2026.", ctx).text == "It changed from June 2026."
    text = "The hearing moved from 2 to 12 June, then to the 3rd of June and 14th June, 2027."
    assert redact(text, ctx).text == text


def test_a_name_that_is_a_word_stays_the_word_only_where_the_words_after_it_say_so():
    ctx = LetterContext(victim_name="Ms Hope Adeyemi")
    text = "Dear Ms Adeyemi\n\nHope is not lost. Hope is not able to come. Hope told us. Hope is 9."
    assert redact(text, ctx).text == (
        "Dear [VICTIM]\n\nHope is not lost. [VICTIM] is not able to come. [VICTIM] told us. [VICTIM] is [AGE].")
    text = "Yours sincerely\n\nAnna Field\n\nField officers will call. Field told us."
    assert redact(text).text == "Yours sincerely\n\n[NAME]\n\nField officers will call. [NAME] told us."


def test_the_seventh_reviews_signed_letter_keeps_field_officers():
    text = ("Dear Mrs Young\n\nField officers from the police will be in touch.\n\nYours sincerely\n\n"
            "Sarah Field\nVictim Liaison Officer")
    assert redact(text, LetterContext(victim_name="Mrs Rose Young")).text == (
        "Dear [VICTIM]\n\nField officers from the police will be in touch.\n\nYours sincerely\n\n"
        "[NAME]\nVictim Liaison Officer")


# Found in the eighth product review: a panel member could read a date of birth told with words
# between, the victim's first name in lower case when spoken to, two witnesses with a shared
# surname, and the second of two brothers.
def test_review8_personal_details_are_hidden():
    ctx = LetterContext(victim_name="Ms Grace Hill")
    text = ("We have decided to stop the case. grace, I want to be frank with you. Your date of birth "
            "on our file is 03/04/1988. The two people who were with you, Sunny and Rain Patel, could "
            "not say who shouted, and his brothers Jack and Noel were not there.")
    assert redact(text, ctx).text == (
        "We have decided to stop the case. [VICTIM], I want to be frank with you. Your date of birth "
        "on our file is [DATE OF BIRTH]. The two people who were with you, [NAME] and [NAME], could "
        "not say who shouted, and his brothers [NAME] and [NAME] were not there.")


# Review 10 (attacker, item 1): a soft hyphen or zero-width space inside the victim's name, or a
# Cyrillic letter that looks like a Latin one, left part of the name readable to the panel.
@pytest.mark.parametrize("written", ["Kowal\u00adczyk", "Kowal\u200bczyk", "Kowal\u200dczyk", "K\u043ewalczyk",
                                     "Kowalczyk\u00ad"])
def test_a_name_with_an_invisible_or_lookalike_character_is_hidden_whole(written):
    ctx = LetterContext(victim_name="Ms Siobhan Kowalczyk")
    text = f"Dear Ms {written}\n\nThe news is not what you hoped for, Sio\u200bbhan. Si\u043ebhan, I am sorry."
    out = redact(text, ctx)
    shown = re.sub("[\u00ad\u200b\u200c\u200d]", "", out.text)  # (one just after a name shows nothing)
    assert shown == "Dear [VICTIM]\n\nThe news is not what you hoped for, [VICTIM]. [VICTIM], I am sorry."
    # the tags stand where the name was written, invisible characters and all
    assert [text[r.start:r.end] for r in out.replacements][1:] == ["Sio\u200bbhan", "Si\u043ebhan"]


# A later review: a right-to-left mark (and a control character, a tag character, a variation
# selector...) inside the name, the street, the town or the phone number left them readable.
@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\x00", "\x85", "\U000e0041", "\ufe0f", "\u034f", "\u2061"],
                         ids=lambda m: f"U+{ord(m):04X}")
def test_a_mark_nobody_sees_inside_personal_details_hides_nothing(mark):
    ctx = LetterContext(victim_name="Ms Jane Okafor")
    text = (f"Dear Ms Oka{mark}for\n\nYou told us you live at 12 Ro{mark}se Street, Lee{mark}ds LS1 2AB. "
            f"Please call me on 0113 4{mark}96 0000.")
    shown = redact(text, ctx).text
    for piece in ("for", "Ro", "se Street", "Lee", "96 0000"):
        assert piece not in shown, (piece, shown)
    assert shown.startswith("Dear [VICTIM]") and "[PHONE]" in shown


def test_a_word_wholly_in_another_alphabet_is_not_read_as_latin():
    text = "He flew to \u041c\u043e\u0441\u043a\u0432\u0430 on 3 May."
    assert "\u041c\u043e\u0441\u043a\u0432\u0430" in redact(text, LetterContext(victim_name="Ms Mocka Smith")).text


# Classes the anonymiser missed or over-hid on the first run of bench/holdout25 (new examples,
# not the held-out letters' own strings).
def test_a_business_named_by_its_trade_or_a_run_of_venue_words_is_hidden_whole():
    text = ("You paid through the Quillon Capital trading website. The bike was taken from outside "
            "Hendry’s Hardware on Mill Street, next to Hendry's Hardware's yard. Records from Ashcombe "
            "Manor Kennels and Birch Lodge Cattery show it. He drove for Drayton Cars, paid Glossy "
            "Nails, then Pellow Motors, and had his hair cut at Top Cuts Barbers.")
    assert redact(text).text == (
        "You paid through the [ORGANISATION] trading website. The bike was taken from outside "
        "[ORGANISATION] on [ADDRESS], next to [ORGANISATION]'s yard. Records from [PLACE] "
        "and [PLACE] show it. He drove for [ORGANISATION], paid [ORGANISATION], then [ORGANISATION], "
        "and had his hair cut at [PLACE].")


def test_venues_and_schools_are_hidden_as_before_next_to_the_new_business_words():
    text = "It began at the Kestrel Bar, near Oakbank Primary School, and ended at the Anchor pub."
    assert redact(text).text == "It began at the [PLACE], near [SCHOOL], and ended at the [PLACE] pub."


def test_public_bodies_helplines_and_ordinary_capitalised_words_stay_beside_business_words():
    text = ("The Crown Prosecution Service, Victim Support and the Witness Service met you at Leeds "
            "Crown Court and Hull Magistrates’ Court. Call the National Domestic Abuse Helpline, the "
            "Modern Slavery Helpline or Action Fraud. Both Cars were damaged. Two Bikes were taken. "
            "The hardware, the capital he raised and the cars were his; the dog went to the kennels.")
    assert redact(text).text == text


def test_the_date_of_a_voicemail_graffiti_or_letters_an_offender_left_or_sent_is_hidden():
    text = ("The voicemail he left on 9 May was the first. He was charged with spraying racist "
            "graffiti on your garage door on 5 October. The letters she sent on 3 June frightened you, "
            "and she made 40 calls to you on 2 June. Your tyres were slashed on 2 May.")
    assert redact(text).text == (
        "The voicemail he left on [DATE] was the first. He was charged with spraying racist "
        "graffiti on your garage door on [DATE]. The letters she sent on [DATE] frightened you, "
        "and she made 40 calls to you on [DATE]. Your tyres were slashed on [DATE].")


def test_case_dates_near_messages_letters_and_calls_of_the_writer_or_the_victim_stay():
    text = ("We decided on 19 December and the hearing is on 3 June. The letter we sent you on 9 March "
            "and the note I left you on 10 March are on file, and so is the email he sent us on 11 March. "
            "He will call you on 12 March. Thank you for your call on 13 March.")
    assert redact(text).text == text


def test_an_area_after_a_role_in_a_signature_and_the_office_town_stay():
    text = ("We can meet at our office in Cragmoor, or at the offices at Holmegate.\n\n"
            "Yours sincerely\n\nAnna Bright\nVictim Liaison Officer, Cragmoor Area\n"
            "Paralegal Officer, Tillbury Region\nCrown Prosecution Service")
    assert redact(text).text == text.replace("Anna Bright", "[NAME]")


def test_a_name_after_a_role_and_a_comma_is_still_hidden():
    text = ("Your Independent Sexual Violence Adviser, Maren Holt, will call. The officer, Dean Moss, "
            "and the caseworker, Idris Vane, agree.")
    assert redact(text).text == ("Your Independent Sexual Violence Adviser, [NAME], will call. The "
                                 "officer, [NAME], and the caseworker, [NAME], agree.")


def test_a_pets_name_after_an_animal_and_called_stays_and_a_persons_is_hidden():
    text = ("Her dog, a black terrier cross called Biscuit, was in kennels. The dog in the lane looked "
            "like Biscuit. Our cat named Bramble was hurt. The dog's owner, a man called Rex Hale, and "
            "a dog walker called Ilse Brandt saw it.")
    assert redact(text).text == (
        "Her dog, a black terrier cross called Biscuit, was in kennels. The dog in the lane looked "
        "like Biscuit. Our cat named Bramble was hurt. The dog's owner, a man called [NAME], and "
        "a dog walker called [NAME] saw it.")


# An attacker's review: the victim's name written without its apostrophe ("ONeill", "O Neill")
# or spelt out letter by letter ("O k a f o r") reached the panel's copy.
@pytest.mark.parametrize("victim, written, expect", [
    ("Ms Siobhan O'Neill", "We spoke to ONeill about it.", "We spoke to [VICTIM] about it."),
    ("Ms Siobhan O'Neill", "O Neill said she saw him.", "[VICTIM] said she saw him."),
    ("Ms Siobhan O'Neill", "We told Oneill and O' Neill.", "We told [VICTIM] and [VICTIM]."),
    ("Ms Siobhan O'Neill", "We told O N E I L L and O ' N e i l l.", "We told [VICTIM] and [VICTIM]."),
    ("Ms Siobhan O'Neill", "Dear Ms O N e i l l,", "Dear [VICTIM],"),
    ("Ms Siobhan O’Neill", "Dear Siobhan O Neill,", "Dear [VICTIM],"),
    ("Ms Grace Okafor", "Dear Ms O k a f o r,", "Dear [VICTIM],"),
    ("Ms Grace Okafor", "We spoke to O k a f o r. O K A F O R agreed.", "We spoke to [VICTIM]. [VICTIM] agreed."),
    ("Ms Grace Okafor", "Dear G r a c e  O k a f o r,", "Dear [VICTIM],"),
    ("Ms Grace Okafor", "Dear Ms O.k.a.f.o.r, and o k a f o r.", "Dear [VICTIM], and [VICTIM]."),
    ("Ms Grace Okafor", "Dear Ms O-k-a-f-o-r,", "Dear [VICTIM],"),
    ("Mr Ravi D'Souza", "We asked Mr DSouza and D Souza.", "We asked [VICTIM] and [VICTIM]."),
])
def test_a_victims_name_written_apart_or_letter_by_letter_is_hidden(victim, written, expect):
    text = f"{written}\n\nWe have decided to stop the case."
    assert redact(text, LetterContext(victim_name=victim)).text == f"{expect}\n\nWe have decided to stop the case."


def test_a_name_the_letter_gives_is_hidden_spelt_out_too():
    text = "Mr Karl Denton was arrested. We asked D E N T O N about it, and ODwyer too. Mrs Aoife O'Dwyer saw it."
    assert redact(text).text == ("[NAME] was arrested. We asked [NAME] about it, and [NAME] too. [NAME] saw it.")


@pytest.mark.parametrize("victim", ["Ms Siobhan O'Neill", "Ms Grace Okafor", "Mr Ka Aka", "Ms Ann Rose", "Ms Ima Shah"])
def test_ordinary_words_are_not_taken_for_a_name_written_apart(victim):
    """Not a single letter, "O" alone, words that share the name's letters ("one ill"), "a k a",
    a word spaced out that holds the name's letters (P R O S E C U T I O N holds R O S E), nor
    "I’m a" (an apostrophe between letters where the name has none)."""
    text = ("C R O W N  P R O S E C U T I O N  S E R V I C E\n\nWe have decided to stop the case. O is the "
            "letter we use. One ill man, a k a the driver, said O neither. A, k, a and o are letters: "
            "k a f o r. Okay, a for effort. I O U nothing. I’m a prosecutor and I'm a parent.")
    assert redact(text, LetterContext(victim_name=victim)).text == text


def test_a_name_in_compatibility_forms_is_hidden():
    """Full-width letters with an ideographic space, mathematical bold letters, a ligature: the
    title goes into the tag as with any space."""
    ctx = LetterContext(victim_name="Ms Jane Griffiths")
    for dear, expect in (("\uff24\uff45\uff41\uff52\u3000\uff2d\uff53\u3000\uff27\uff52\uff49\uff46\uff46\uff49\uff54\uff48\uff53,",
                          "\uff24\uff45\uff41\uff52\u3000[VICTIM],"),
                         ("Dear \U0001d40c\U0001d42c \U0001d406\U0001d42b\U0001d422\U0001d41f\U0001d41f\U0001d422\U0001d42d\U0001d421\U0001d42c,",
                          "Dear [VICTIM],"),
                         ("Dear Ms Gri\ufb03ths,", "Dear [VICTIM],"),
                         ("Dear Ms\u2003Griffiths,", "Dear [VICTIM],")):
        assert redact(f"{dear}\n\nWe have stopped the case.", ctx).text == f"{expect}\n\nWe have stopped the case."


def test_a_name_written_apart_is_not_read_into_an_ordinary_word():
    """For a Mr D'Eath, "D Eath" and "D E A T H" are the name, "Death" and "DEATH" are the word;
    mixed gaps between the letters are still the name spelt out."""
    ctx = LetterContext(victim_name="Mr Tom D'Eath")
    text = "We spoke to D Eath and D E A T H. Death by dangerous driving. DEATH. O k.a-f o r."
    assert redact(text, ctx).text == "We spoke to [VICTIM] and [VICTIM]. Death by dangerous driving. DEATH. O k.a-f o r."
    assert redact("We spoke to O k.a-f o r.", LetterContext(victim_name="Ms Grace Okafor")).text == "We spoke to [VICTIM]."


def test_many_names_spelt_out_are_each_hidden():
    """Every name found is looked up by its letters in one pass over the letter's runs of single
    letters (a regular expression for each name, over the whole letter, took time growing with
    the number of names times the letter's length)."""
    import random
    import string

    rnd = random.Random(4)
    names = sorted({rnd.choice(string.ascii_uppercase) + "".join(rnd.choice("aeiou" if k % 2 else "bcdfghklmnprst")
                                                                   for k in range(6)) for _ in range(300)})
    text = " ".join(f"Mr {n} was there." for n in names) + "\n\n" + "  ".join(" ".join(n.upper()) for n in names)
    out = redact(text).text
    assert out == " ".join("[NAME] was there." for _ in names) + "\n\n" + "  ".join("[NAME]" for _ in names)


# A review's low: the victim's name cut into pieces ("Oka for") reached the panel's copy.
@pytest.mark.parametrize("victim, written, expect", [
    ("Ms Grace Okafor", "Dear Ms Oka for,", "Dear [VICTIM],"),
    ("Ms Grace Okafor", "We spoke to Oka for. OKA FOR agreed, and O ka f or.", "We spoke to [VICTIM]. [VICTIM] agreed, and [VICTIM]."),
    ("Ms Grace Okafor", "We told Oka-for and Ok afor.", "We told [VICTIM] and [VICTIM]."),
    ("Ms Grace Okafor", "Dear Gra ce Oka for,", "Dear [VICTIM],"),
    ("Ms Siobhan O'Neill", "O'Ne ill said she saw him. O Nei ll agreed.", "[VICTIM] said she saw him. [VICTIM] agreed."),
    ("Mr Tom Atwood", "We spoke to Mr At wood.", "We spoke to [VICTIM]."),
])
def test_a_victims_name_cut_into_pieces_is_hidden(victim, written, expect):
    text = f"{written}\n\nWe have decided to stop the case."
    assert redact(text, LetterContext(victim_name=victim)).text == f"{expect}\n\nWe have decided to stop the case."


@pytest.mark.parametrize("victim", ["Ms Grace Okafor", "Mr Tom Atwood", "Ms Ann Rosehill", "Ms Siobhan O'Neill", "Mr Ian Fort"])
def test_ordinary_words_are_not_taken_for_a_name_cut_into_pieces(victim):
    """Words of the letter whose letters together spell the name are left alone when every
    piece is an ordinary word and no title comes before ("at wood", "Rose hill", "One ill", "for
    t"), or when their case is not the name's ("oka for" is read only for a name no ordinary
    word, as a name spelt out is)."""
    text = ("We met at wood lane near Rose hill. At wood there were signs. One ill man was there. "
            "It was okay for us to wait. The Oak a forest. We looked for t he car.\n\nWe have decided to stop the case.")
    assert redact(text, LetterContext(victim_name=victim)).text == text


def test_the_same_incident_date_told_again_is_hidden_again():
    """holdout27's first run: "The dog bit you ... on 11 January." then "No one saw her or her dog
    there on 11 January.": the second, with no telling word of its own, was left; the same day
    told again is the date of what happened there too. A case date told with its own word stays."""
    text = ("He pushed you outside the shop on 4th March. Nobody else was there on the 4th of March. "
            "The trial was fixed for 9 June. We decided on 9 June.")
    assert redact(text).text == ("He pushed you outside the shop on [DATE]. Nobody else was there on [DATE]. "
                                 "The trial was fixed for 9 June. We decided on 9 June.")


def test_a_pub_before_its_date_on_the_next_line_is_hidden():
    """holdout30: "in the car park of the Fox and Hounds" ended a hard-wrapped line and "on 4
    May" began the next: venue_the looked for a space only, and the pub reached the panel."""
    text = "He punched you in the car park of the Fox and Hounds\non 4 May. They went to the Red Lion\nin Hightown."
    assert redact(text).text == ("He punched you in the car park of the [PLACE]\non [DATE]. "
                                 "They went to the [PLACE]\nin Hightown.")


def test_the_crown_court_and_services_before_a_line_break_stay():
    text = ("The case went to the Crown Court\non 3 June. We spoke to the Witness Service\nin Leeds "
            "and to the Victims' Right\nto Review team.")
    assert redact(text).text == text


def test_a_known_name_with_a_possessive_s_and_no_apostrophe_is_hidden():
    """holdout31: "causing Serens death" for the daughter Seren named in the letter; the
    possessive with no apostrophe stayed readable."""
    text = ("I am sorry about the death of your daughter, Seren. He was charged with causing Serens "
            "death. Your brother, Ivan, saw it; Ivans car was hit.")
    assert redact(text).text == ("I am sorry about the death of your daughter, [NAME]. He was charged "
                                 "with causing [NAME] death. Your brother, [NAME], saw it; [NAME] car was hit.")
    got = redact("Amaras phone was taken.", LetterContext(victim_name="Ms Amara Okafor")).text
    assert got == "[VICTIM] phone was taken."


def test_a_word_that_is_a_known_name_with_an_s_stays():
    """A name that is also a word (common_word_names, the lemma table) keeps its plural: "Marks",
    "Bills", "Roses", "Parks" are words, not possessives."""
    got = redact("Your son, Mark, your husband, Bill, your sister, Rose, and Mr Park were there. "
                 "Marks and Spencer, the Bills paid, Roses sent and Parks closed.").text
    assert got.endswith("Marks and Spencer, the Bills paid, Roses sent and Parks closed.")


def test_the_date_of_a_call_or_visit_by_the_offender_is_hidden():
    """holdout30: "The man who rang you on 11 October said he was from your bank": no word there
    told what happened, and the date of the scam call reached the panel."""
    text = ("The man who rang you on 11 October said he was from your bank. On 12 October someone "
            "texted you again. A man came to your door on 13 October.")
    assert redact(text).text == ("The man who rang you on [DATE] said he was from your bank. On [DATE] "
                                 "someone texted you again. A man came to your door on [DATE].")


def test_dates_of_calls_by_us_and_of_investigation_steps_stay():
    text = ("I rang you on 3 May to tell you about the decision. We wrote to you on 4 May. The police "
            "interviewed him on 5 May. The officer rang you on 6 May. He rang you on 7 May to explain "
            "the delay. We called you on 8 May.")
    assert redact(text).text == text


def test_a_known_name_broken_over_two_lines_with_a_hyphen_is_hidden_whole():
    """An audit: in text pasted from a PDF the panel read "Mr Now-\\nak" and "[VICTIM] Now-\\nak"
    for the victim Mr Tomasz Nowak. A known name's word broken at a line end with a hyphen is
    hidden whole; an ordinary word so broken ("well-\\nknown"), or one that joins into no known
    name ("Now-\\nhere"), is left as it is."""
    ctx = LetterContext(decision="discontinued", victim_name="Mr Tomasz Nowak")
    text = ("Dear Mr Nowak\n\nMr Now-\nak told the police. Tomasz Now- \n ak was there. Grace Oka-\nfor saw it.\n"
            "Ms Okafor said so. It is a well-\nknown place. Now-\nhere else.\n")
    out = redact(text, ctx).text
    assert not re.search(r"(?i)now-\s*ak|oka-\s*for|okafor|nowak", out), out
    assert "well-\nknown place" in out and "Now-\nhere else" in out
    assert out.count("[VICTIM]") == 4 and "[NAME]" in out
