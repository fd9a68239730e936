"""Anonymise a letter before a Community Involvement Panel member reads it.

`redact(text, context, extra_names)` replaces personal details with readable tags (the tags,
word lists and patterns are in rules/redaction.yml):

- [VICTIM]: the context's victim_name in every form: full name with or without a title (any
  title, not only the one in the context), title and surname, initial and surname, first
  name, surname, middle names, possessives ("[VICTIM]'s"), upper case, and any of these split
  across one line break; in lower case a whole name ("tomasz nowak", "mrs nowak") and a part
  on its own that is no ordinary word ("nowak"; not "field", "young" or "joy": an ordinary word
  is one of common_word_names or a word of spaCy's English lemma table; not on a Welsh line);
  with its surname particles inside the tag ("Ms de la Cruz", "van der Berg", "Mr ap Iorwerth",
  "Mr OBrien" for O'Brien); written with other accents or with a German or Scandinavian
  letter spelt another way ("Mueller" or "Muller" for Müller, "Müller" for Mueller, "Weiss" for
  Weiß, "Aaberg" for Åberg: letter_spellings; "Mueller" for a case system's Muller, where that
  spelling is no English word or listed name: letter_spellings.plain), in capitals with a
  possessive ("OKAFOR'S" -> "[VICTIM]'S"), run into another word with a hyphen ("Okafor-Tiles",
  "SMITH-OKAFOR"; a part that is also an ordinary word only inside a sentence and not in
  capitals: "Price-Tiles paid", not a heading's "Long-Term Support"), run together where the details split it or
  split where they run it together ("JeanLuc" for Jean-Luc or Jean Luc, "OBrien" for O Brien,
  "Jean Luc" for JeanLuc: _name_spellings); the family by its plural ("the Nowaks", "the
  Nowaks'"; a surname that is an ordinary word only after "the": "the Fields", not "the
  fields" or "Playing Fields"); and a user name or handle built from the name ("tomasznowak77", "Nowak_T",
  "@joy.field", "tnowak": the whole handle). The victim's surname after an honorific of the
  other group ("Mr Quinn" in a letter to "Mrs Sarah Quinn") or after another first name is a
  relative: [NAME].
- [NAME]: `extra_names` (e.g. the defendant from the case system) in the same forms; a name
  with its surname particles (surname_particles: "Mr Van der Berg", "Pieter van der Berg", "Ms
  Di Marco"; "DI Marco" is a detective inspector, "the van Smith drove" keeps "van"); a name
  after a title (Mr, Mrs, Ms, Miss, Dr, DC, DS, PC, Sgt, ...; police and court ranks stay
  visible: "DC [NAME]"; a person's own title such as Dr or Professor goes into the tag like Mr;
  a surname that is also a stop word counts there: "Mrs Brenda Holiday", "Mr Head", not "Mr
  Cole Head of Unit"; so does a first name that is a month or day with a surname after it:
  "Mrs June Patterson", "Mr Sunday Obi", then "June Patterson" on its own);
  a listed first name followed by one or two capitalised words ("Mark Trent"); a listed
  first name alone; the name after "Dear"; the recipient line above an address; the writer's
  name under the sign-off (staff names are redacted too: safer, and the role line stays);
  a name before a comma and a family word ("Mark, your son, told us": a listed first name, also
  one that is a word, anywhere; another word only inside a sentence, closed by punctuation,
  not after "in", "at" ...: "in Leeds, your sister, said" stays);
  and any part of a name found by these rules when it appears again on its own ("Trent").
- [ADDRESS]: UK postcodes, numbered street lines with their town and postcode, named streets
  ("on Larch Road", "from Micklegate"; "our office in Holmegate" is the office's town and
  stays; "on Kingsway", "along Millpath": the street word run into the name; "on Station
  Road", "Hospital Lane": a place word before a street word), Welsh
  streets with the street word first ("Heol Las", "Stryd y Bont"), a house given by its number
  ("the camera at number 12": the number only; not "the number 72 bus"), the building or
  other named parts before a street or postcode ("Riverside Chambers, Castle Street, Taunton
  TA1 4AP"), the street of the writer's office after "our office on" even with no street word
  ("our office on Piccadilly", "our office on the Waterfront"; after "office in" or "office at"
  only with one: "our office in Leeds" stays), a street with a street word not on the short
  list, or a market or quay naming a street, after "on", "along", "down", "up", "off" ("on Corn
  Market", "along Castle Row", "along Lowfield Plain"; not after "in" or "outside", and no
  Green, Hill or Park: "in Golders Green" stays), a street ending in Close, Rise, Yard, Mews,
  Way, Place, Walk, Row, Parade, Approach or Croft after "in", "at", "to", "by", "of" ... ("he
  lives in Hartley Way", "the end of Orchard Close"; not "in Any Way", nor a station named so),
  a street named by "the" and its street word ("on The Crescent", "the shops on the Parade"), a
  numbered street whose street word also starts names ("at 3 Hartley Mount", "14 Kings
  Broadway"; "7 Mount Pleasant" is street_line's or a postal cue's), the street a shop, home or other premises is
  on whatever its street word ("the bakery on Hollins Plain": two or three capitalised words
  after the premises word and "on"; not islands, districts or days of the year: "a house on
  Canvey Island", "the pub on Bonfire Night"), well-known streets with no street word at
  all, listed ("in Old Jewry", "on the Headrow", "at 9 Haymarket"), a house number and the
  capitalised words after it following "write to me at", "send it to", "our address is" ("write
  to us at 102 Petty France": the town after the comma stays), or with no number a street or
  building ending in a street or building word ("write to me at St Bede's Wharf", "send it to
  Riverside House"; also after "our office is at", and after the CPS's own name and a comma:
  "our postal address is Crown Prosecution Service North East, Mill Wharf"), a block of flats
  named "... Court" ("the residents of Linden Court"; courts of law, "Earls Court" and
  "Hampton Court" stay), a numbered street named after a place word with a street word not on
  the bare list ("4 Station Approach"), and whole address blocks above the greeting; a
  house's name in quotes right before any of these goes into its tag ("“Rosemount”, 9 Old Mill
  Road", "\"The Willows\", Ditchling Road"; or with no quotes, "The" and a comma: "The Old
  Rectory, Church Lane").
- [PHONE] (UK numbers: spaces, dashes, brackets, +44, odd spacing, a line break inside, a
  digit too many; any number in international form, "+" or "00" and a country code, whole:
  "+351 912 345 678", "0048 601 234 569", "+1 (212) 555-0199"),
  [EMAIL] (also spelled out: "rose dot hill at example dot com", or with its "@" lost or spaced
  out: "lena.holt cps.gov.uk"), [DATE OF BIRTH] (after "date
  of birth", "DOB", "birth date", "birthday", "born on/in", "b."; with no label, a full date or a
  year alone right after a person's name in brackets or between commas, three years or more
  before the letter's date: "Jamie (14/03/2009)", "Daniel Price (1987)"; a baby's or child's up
  to the letter's date, after an age or after the name of a baby or child named by a word for
  one: "aged 8 weeks (12.01.2026)", "baby Ava (12.01.2026)", "your son Noah, 3.3.2025,"), [CASE REF] (the
  context URN however spaced, URN-shaped codes, crime and incident numbers, any code with a
  digit after a reference label; a URN-shaped code that is not the context's urn is [OTHER
  CASE REF]),
  [ID NUMBER] (National Insurance and NHS numbers by their shape; a personal number after its
  name, "passport number ...", "card no. ..."; a passport, driving licence, NI or NHS number
  also a few words on, without "number": "Passport 123456789", "your passport, number ..."),
  [NUMBER] (any other number of eight figures or more on its own: "stolen in May, 123456789",
  "account ending 12345678"; the other tags win where their rules read the number).
- Details a local panel could recognise: [PLACE] (pubs, clubs, shops, hospitals, hospices, parks, kennels,
  post offices ("Hartley Post Office"), pubs by a common name after "in the", "to the" ("drinking
  in the Red Lion": pub_names) or by a stop word before "pub" ("the Crown pub"),
  garages, libraries, pools, baths, rinks, service stations, children's homes and other venues
  by name, "the Red Lion on 14
  September", "outside the Royal Oak", "in Victoria Park", "Ashcombe Manor Kennels": a venue word
  after another is one name, and a venue named in full then by
  its name alone after "at", "outside", "inside"...: "Kelso Baths ... never at Kelso"; not when
  the letter also says "in Kelso", a town),
  [SCHOOL] (and by its name alone after a placing word once named in full: "Oakfield Primary
  School ... the damage to Oakfield"), [ORGANISATION] (firms: "Ltd", "Holdings", or named by a
  trade: "Okafor Carpets", "Quillon Capital", "Drayton Cars", a possessive "Hendry’s Hardware";
  not after a word that opens an ordinary sentence, "Both Cars were damaged"; the organisation
  on the role line under the recipient's name above
  the greeting, "Site Manager, Moorside Service Station, Halifax", there and wherever it comes
  again), [VEHICLE REG] (number plates), [AGE]
  ("aged 34", "a 34-year-old", "he is now 88"), [COLLAR NUMBER] (police numbers: "PC 4521"),
  [DATE] (the date of what happened: a date with an incident word, in any inflection, near it,
  or with a time of day just before it, or right after a public place where offences happen
  and "on" ("at the bus stop on 3 March"; not a home, office, court, school or bare "station"),
  or in a short sentence of its own after a sentence that ends telling what happened ("He hit
  you. That was on 2 February."), or told by messages sent or received ("the texts you
  received on 6 March"; "the letter we sent you on 9 March" stays), or by a thing he or she
  sent, left or made ("the voicemail he left on 9 May", "she made 40 calls to you on 2 June",
  "the letters he sent on 3 June"; "the note I left you", "the email he sent us", "he will
  call you on 3 June" stay), or by a card, account or
  details being used ("your card was used on 5 May", "someone logged into your account"; "we
  used the account records" and "your account of events" stay), or by a "when" clause right
  after it ("about 7 June, when you were pushed"), or counted from an incident date before it
  ("on 9 May, two days before" the break-in; not from a hearing date), or in the sentence that
  says what the letter is about with no other telling word ("This letter is about your flat on
  2 May"; "... your phone call on 3 June", "... the trial on 3 June" stay); the decision,
  hearing and letter dates stay so the panel can judge timeliness; a run of days in one month
  is one date ("between 5 and 9 December", "7, 8 and 9 April"); `incident_dates.keep:
  month_year` hides only the day), names with no title after a family or role word ("your
  daughter Grace", "a man called Okonkwo", "adviser, Amira"), after a word for a person and a
  comma ("another boy, Sami,") or before a family or role word with 's ("Anika's childminder",
  "Sami's parents"), after a staff role in lower case and a comma ("the prosecutor, Efe
  Okonedo,"; "Crown
  Prosecutor, Thames and Chiltern" under a signature stays, and so does an area or other body
  after any cue, "Victim Liaison Officer, Cragmoor Area"; a pet's name after an animal word and
  "called" or "named" is no person's, "a terrier cross called Biscuit"), and online user
  names (also in plain letters when quoted after a word for an account: "an account called
  “sallowmoth”", or
  unquoted after "calling himself", "going by the name": "someone calling himself Kez", then
  "the Kez account").
- [HIDDEN]: words a manager chose to hide (`hide=`).

Names that are also words ("Hope", "Rose", "Summer", "Brown") are redacted on their own only
when capitalised and known to be a name in this letter; at the start of a sentence or in
upper case they stay when the next word shows ordinary use ("Hope you are well"), and so does
one before a noun of ordinary_followers even when it is the victim's name ("Young people in
the area", "Little evidence was found"; "the Young children" is the family), one before the
words of ordinary_phrases ("Hope is not lost"), and a month that reads as the month (month_cues:
"We will write again in May.", "by June 2026", "12 May"). Court,
service and police names ("Leeds Crown Court", "Victim Support") are never redacted.

Limits, honestly: this is rules, not a trained name recogniser. It misses a person's name
that has no title, is not in the context or `extra_names`, does not start with a listed
first name, follows no family, role or person word and is not seen elsewhere with one
("Okonkwo said", "the boy Sami" with no comma); misspelt forms of the victim's name (other
spellings than letter_spellings, run-together and split forms; a plain letter spelt with an e
only between two consonants: "Oezturk" for a case system's "Ozturk" is not read, nor "Aaberg"
for "Aberg"; a name found in the letter, not given, only in its own letters without accents:
"Mr Mueller ... Muller said" is not read);
a passport or other personal number of under eight figures with other words between it and
"passport" than those that lead to it ("his passport, stolen in May, 1234567"; eight figures or
more on their own are [NUMBER]); a house's name with no quotes that starts with a stop word
other than "The" ("A Cottage, Ditchling Road"; "The Willows, Ditchling Road" and "Rosemount, 9
Old Mill Road" are hidden as one address);
nicknames; other people's names written in lower case (only the victim's and extra_names are
known that way), and a part of the victim's name in lower case that is also an English word
("to field" stays: "field" is a word) or on a Welsh line; a handle built from the victim's name
with other words inside one part ("realtomasznowak") or only from a nickname; a family's plural
of a surname that is a word with no "the" ("both Fields"); an unlisted name at a sentence's start
before a comma and a family word ("Zuri, your daughter, ..."); addresses with no number, street word or postcode ("Flat 2, The
Maltings" in running text), or with a number but no street word and no cue to post something
("he lives at 9 Lowther": only listed streets with no street word, such as "9 Haymarket", are
known); a date of birth with no label other than right after a name or an age, or one less
than three years before the letter's date after a name with no word for a baby or child before
it ("your husband Tom (3 May 2025)": a case date reads the same); a venue named with no cue
("film from Spar shows", "outside McDonald's"), a pub with a name off the list after "in the"
("drinking in the Bell": "in the Bell" is also a bell), a street with no number and a street
word that also ends districts, after "in" or "at" ("in Golders Green", "at Castle Hill"); dates
of what happened told with no incident word near them (in their sentence, or in the one before
a short sentence of their own) and no place of an offence
right before them ("at the bus stop near your home on 3 March"). Towns and districts stay on
purpose. It over-redacts a capitalised common word that is a known name ("in the Summer" for a
victim called Summer), the month of a date when the victim is called May or June, a decision
date told with no keep word right after a sentence with an incident word ("for hurting you. We
took this step on 23 May."), a shopping walk or parade named like a street after "in", "to" ...
("the robbery in Castle Walk": hidden as a street), a capitalised word joined by a hyphen inside
a sentence that is the victim's surname and a word ("our Long-Term Support" for a Ms Long, as
"Long" alone there), a county or hospital after "at the" ("at the Kent centre"), a
district named like a park ("Trafford Park"), the town inside an address, a capitalised word
made of the victim's names in a handle-like run with a digit, underscore or @ ("Field_2"),
and a lower-case word that is one of the victim's names and in no English dictionary. A pet
whose name is a listed first name is still hidden by the first-name rules ("a dog called
Charlie"). A first name
right after "St" or "Saint" is a saint, not a person ("Saint Mary's centre"). A month or day
name that is someone's first name is only caught after a title with a surname, before that
surname once known, or via the context ("June said" alone stays). A town that names a venue
("Hightown Leisure Centre") and is written "at Hightown", with no "in Hightown" in the letter,
is hidden there as the venue. A court written with only its town and "Court" ("Leeds Court") reads
as a block of flats and is hidden. A capitalised phrase in quotes right before an address is
taken for the house's name ("She said “Sorry”, 4 Larch Road ..." -> "She said [ADDRESS] ...").
A number written straight after a phone number in international form with no punctuation
between is taken into it while the two have 15 digits or fewer ("+351 912 345 678 10 days" ->
"[PHONE] days"; a lone figure stays: "+351 912 345 678 2 days"). The panel
should still be told to report anything that looks personal; a manager can hide more words
before the letter goes to the panel.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, NamedTuple

from vcl_qa import clock
from vcl_qa.errors import RulesError
from vcl_qa.engine.language import line_language
from vcl_qa.engine.letter import Letter, LetterContext
from vcl_qa.engine.nlp import lemma, lemma_table
from vcl_qa.engine.rules_data import load_yaml
from vcl_qa.engine import invisible
from vcl_qa.engine.fastsearch import faithful_lower
from vcl_qa.engine.prefilter import hint_sets
from vcl_qa.engine.typography import TABLE as TYPOGRAPHY
from vcl_qa.engine.structure import as_written, impersonal_greetings, surname_at, sign_off_alternatives, surname_particles, title_lists

RULES_FILE = "redaction.yml"
# A word: letters, inner apostrophes and hyphens ("O'Neill", "Adeyinka-Brown"); a possessive
# 's is left outside so "Okafor's" becomes "[VICTIM]'s" (and "OKAFOR'S" "[VICTIM]'S").
WORD = re.compile(r"[^\W\d_]+(?:['’](?![sS]\b)[^\W\d_]+|-[^\W\d_]+)*")
# What may sit between two words of one name: spaces and at most one line break.
GAP = re.compile(r"\.?[ \t]*(?:\n[ \t]*)?")
COLLAR = re.compile(r"[ \t]+(\d{1,6})[ \t]+")
FRAGMENT = re.compile(r"\{\{(\w+)\}\}")
PLACE_WORD = r"[A-Z][A-Za-z'’\-]+"
# At most this many surname particles in a row ("de los", "van der", "von und zu").
MAX_PARTICLES = 3
# No-break, thin and the other special spaces (Word puts them in phone numbers and names; an
# em space between a title and a name) read as plain spaces, as the checks read them
# (engine/typography.py).
SPACES = {c: " " for c, plain in TYPOGRAPHY.items() if plain == " "}
RUN_FILLER = "\u00b7"  # what the patterns read there: no letter, digit, space or punctuation they look for


class Replacement(NamedTuple):
    """Where a tag went: offsets in the original text (end exclusive) and the tag shown."""

    start: int
    end: int
    tag: str


@dataclass(frozen=True)
class Redacted:
    text: str
    replacements: list[Replacement]


@dataclass(frozen=True)
class Pattern:
    id: str
    kind: str
    regex: re.Pattern
    group: int
    heuristic: bool
    digits: tuple[int, int] | None


@dataclass(frozen=True)
class RedactionRules:
    version: str
    long_run: re.Pattern  # a run with no space this long is no word (rules/redaction.yml longest_run)
    sentence_reach: int  # a sentence is read at most this many characters either side of a date or cue
    tags: dict[str, str]
    rank: dict[str, int]  # tag kind -> priority (lower wins a tie)
    patterns: tuple[Pattern, ...]
    honorifics: frozenset[str]  # titles that go into the tag: honorifics and titles_in_tag
    ranks: frozenset[str]
    titles_regex: str
    first_names: frozenset[str]
    surnames: frozenset[str]  # common surnames that are no English word
    spoken_to: re.Pattern  # what follows a name and a comma when it is spoken to ("grace, I want")
    heading_name: re.Pattern  # a line whose name says whom the letter is for or about ("To: ...")
    heading_about: frozenset[str]  # of its opening words, those after which only unusual words are a name
    not_list_names: frozenset[str]  # never a name in a list after "and" ("... and I'm")
    hyphen_compounds: frozenset[str]  # "x-ray", "t-shirt": words, not an initial and a name
    not_alone: frozenset[str]
    common_words: frozenset[str]
    stop_words: frozenset[str]
    months_days: frozenset[str]
    not_surnames: frozenset[str]
    stop_surnames: frozenset[str]  # "Mrs Brenda Holiday": stop words that are surnames after a title
    venue_end: re.Pattern  # a venue word ending a place found by a pattern: "Hartfield| Baths"
    school_end: re.Pattern  # school words ending a school found by a pattern: "Brookfield| Primary School"
    role_words: frozenset[str]  # "Site Manager, Moorside Service Station": a recipient's role line
    venue_again_after: re.Pattern  # "never at Hartfield": the venue's name alone after these
    venue_again_not_before: str  # "at Hartfield station": a place named after the town, not the venue
    building_words: frozenset[str]
    keep_followers: frozenset[str]
    known_name_followers: frozenset[str]
    impersonal: frozenset[str]
    male: frozenset[str]
    female: frozenset[str]
    house_line: re.Pattern
    house_name: re.Pattern  # "“Rosemount”, " right before an address: part of it
    recipient_stop: re.Pattern  # a line that ends the recipient's address block (recipient_block)
    recipient_cue: re.Pattern  # "To: " before the recipient's name
    sign_off_not_names: frozenset[str]  # words of a team or service under a sign-off: no name
    surname_first: frozenset[str]  # "Nguyen Van An": a surname written before the given names
    given_stop_words: frozenset[str]  # "An", "Van": stop words that may be given names after one
    lower_name_min_letters: int  # the fewest letters of a word of a name typed in lower case
    locality_line: re.Pattern
    protected: re.Pattern
    sign_off: re.Pattern
    sp: str
    wrapped_line: int
    examples: dict[str, dict[str, list[Any]]]
    titles: frozenset[str]  # honorifics and ranks
    # family words and "called"/"named": the capitalised words after are a name, and a name in
    # lower case after them too ("against kyle dunn"): one scan for both (_Doc.cue_ends)
    name_cue: re.Pattern
    people: frozenset[str]  # "another boy, Sami,": a person word and a comma, then a name
    name_not_before: frozenset[str]  # "Officer, Harrowfield Area": a body or place, not a name
    pet_cues: frozenset[str]  # "called", "named": a pet's name when an animal word is nearest
    animals: frozenset[str]  # "a dog called Roxy": the name is the pet's
    cue_persons: frozenset[str]  # people, family words and person_words: "a dog walker called Sue"
    pet_window: int
    possessor_cue: re.Pattern  # "Anika's childminder": the capitalised word before is a name
    saint: re.Pattern  # "St Mary's Centre": a first name right after these is a saint's (saint_words)
    dates: re.Pattern  # a date with a day in it ("14 September", "Saturday 14/09/2024")
    incident_cues: frozenset[str]
    keep_date_cues: frozenset[str]
    keep_next_to_date: frozenset[str]  # "until 3 June": keep words only right before the date
    sending_words: frozenset[str]  # "sent", "received": keep words unless sent_things are near
    sent_things: frozenset[str]  # "the messages you received ...": then they tell what happened
    writer_words: frozenset[str]  # "we sent a message ...": the writer's side, still a case date
    using_words: frozenset[str]  # "used", "spent": tell what happened when used_things are near
    used_things: frozenset[str]  # "your card was used ...": card, account, details, PIN ...
    offender_things: frozenset[str]  # "the voicemail he left", "he made 40 calls": what happened
    offender_words: frozenset[str]  # "he", "she": the one who sent, left or made it
    thing_determiners: frozenset[str]  # "the", "a", "his" ...: a singular thing is a noun after these
    time_before: re.Pattern  # "at 8.40pm on 6 June": a time just before the date tells what happened
    place_before: re.Pattern  # "at the bus stop on 3 March": a place of an offence just before the date
    contact_before: re.Pattern  # "the man who rang you on 11 October": the offender's call or visit
    contact_after: re.Pattern  # "on 11 October a man rang you"
    contact_keep_after: re.Pattern  # "... on 3 May to tell you ...": a call about the case
    cue_window: int
    cue_window_most: int  # the window before a date holds at most this many words, capitalised ones too
    cue_window_after: int
    short_sentence: int  # a date's sentence of at most this many other words reads the one before
    clause_after: re.Pattern  # "7 June, when you were pushed": the clause after the date tells first
    clause_window: int
    counted_after: re.Pattern  # "on 9 May, two days before": counted from the date before it
    counted_before: re.Pattern  # "two days before, on 9 May"
    keep_month: bool  # an incident date keeps its month and year: "[DAY] September 2024"
    subject_cue: re.Pattern  # "This letter is about", "I am writing about": the letter's subject
    subject_keep: frozenset[str]  # "writing about your phone call on 3 June": a case date stays
    particles: frozenset[str]  # surname particles: "de la", "van der", "ap" go into the tag with the name
    ordinary_followers: frozenset[str]  # "Young people": a name that is a word, before these, is the word
    ordinary_phrases: re.Pattern  # "Hope is not lost": a name that is a word, before these, is the word
    month_names: frozenset[str]
    month_cues: re.Pattern  # "in May.", "by May 2026": a known name that is a month, here the month
    month_day: re.Pattern  # "12 May", "the 3rd of June": a day number before a month makes it the month
    lower_titles: str  # titles that count in lower case before a known surname ("mrs nowak")
    lower_title_name: re.Pattern  # "mr " before a name typed in lower case ("mr wisniewski")
    lower_title_before: re.Pattern  # the same title, read back from the name
    family_after: re.Pattern  # "Mark, your son,": group 1 is the name before the comma
    family_determiners: frozenset[str]  # "your", "his", "the" ...: "the van Smith drove" keeps "van"
    not_after_place: frozenset[str]  # "in Leeds, your sister, ...": a word after these is a place
    welsh_months: dict[str, str]  # "june" -> "Mehefin": an incident date hidden in English, hidden in Welsh too
    # birth_dates: a date with no label that is plainly a date of birth (_birth_dates)
    birth_date: re.Pattern  # a full date: "14/03/2009", "14 March 2009", "March 14, 2009"
    birth_after_name: re.Pattern  # what comes between a name and the date: "(", ", ", " - "
    birth_after_age: re.Pattern  # an age right before the date: "aged 15 (", "(aged 15, "
    birth_after_date: re.Pattern  # what comes after the date: ")", ",", ".", the line's end
    birth_years: int  # at least this many years before the letter's date
    birth_year: re.Pattern  # a year alone right after a name: "Daniel Price (1987)"
    birth_child: re.Pattern  # a word for a baby or child before its name: "baby Ava (", "your son Noah, "
    birth_baby: re.Pattern  # a word for a baby right before the bracket, no name: "your baby ("
    # letter_spellings: a name's letter -> how else it is written ("ü" -> "ue", "u"); two plain
    # letters -> the letter they may stand for ("ue" -> "ü", "u"); single letters that are a
    # surname's own before it ("O Brien": "O'Brien")
    letter_spellings: dict[str, tuple[str, ...]]
    pair_spellings: dict[str, tuple[str, ...]]
    plain_spellings: dict[str, tuple[str, ...]]  # a plain letter -> the letter spelt out: "u" -> "ue"
    pairs_not_after: dict[str, frozenset[str]]  # "ue" after "q" or "g" is no umlaut ("Marques")
    apostrophe_letters: frozenset[str]
    # The pattern urn_shape (a CPS case reference's shape): one not this case's is [OTHER CASE REF].
    urn_shape: re.Pattern | None = None
    recipient_most_lines: int = 7  # an address's most lines under the recipient's name
    lower_not_names: frozenset[str] = frozenset()  # words after a cue never a lower-case name ("abh", "instead")


class _Cand(NamedTuple):
    start: int
    end: int
    kind: str
    heuristic: bool = False
    pattern: re.Pattern | None = None
    tag: str | None = None  # shown instead of the kind's tag ("[DAY]" for a date's day)


def _low(words: Iterable[str]) -> frozenset[str]:
    bad = [w for w in words or () if not isinstance(w, str)]
    if bad:  # YAML reads a bare On, No or Yes as true/false: quote it
        raise RulesError(f"{RULES_FILE}: {bad[0]!r} in a word list is not text; put it in quotes")
    return frozenset(w.lower() for w in words or ())


def _alt(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first."""
    uniq = sorted({str(w) for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in uniq) + ")"


def _title_and_upper(words: list[str]) -> list[str]:
    return [f for w in words for f in (str(w), str(w).upper())]


def _expand(regex: str, fragments: dict[str, str], where: str) -> str:
    for _ in range(6):
        try:
            new = FRAGMENT.sub(lambda m: fragments[m.group(1)], regex)
        except KeyError as exc:
            raise RulesError(f"{RULES_FILE}: {where}: unknown fragment {{{{{exc.args[0]}}}}}") from None
        if new == regex:
            return new
        regex = new
    raise RulesError(f"{RULES_FILE}: {where}: fragments nest too deeply")


def _compile(regex: str, where: str, flags: int = 0) -> re.Pattern:
    try:
        return re.compile(regex, flags)
    except re.error as exc:
        raise RulesError(f"{RULES_FILE}: {where}: bad regular expression: {exc}") from None


def _alternation(words: Iterable[str]) -> str:
    """The words (phrases with any run of spaces or tabs), longest first, as one alternation."""
    return "|".join(r"[ \t]+".join(re.escape(w) for w in str(p).split())
                    for p in sorted(words, key=len, reverse=True))


def _cue_regex(words: Iterable[str]) -> re.Pattern:
    """Any of the words (any case), a comma or not, then a word of letters A to Z (not taken:
    a capitalised one for a name, a lower-case one for a name typed in lower case)."""
    if not words:
        return re.compile("(?!)")
    alt = _alternation(words)
    return re.compile(rf"(?<![\w'’\-])(?i:{alt})(?:[ \t]*,)?[ \t]+(?=[A-Za-z])")


# A comma and then a capitalised word: a name in apposition when the word before the comma is
# a word for a person ("another boy, Sami,"); found from the comma (fast), the word checked after.
APPOSITION = re.compile(r",[ \t]+(?=[A-Z])")


def _possessor_regex(words: Iterable[str]) -> re.Pattern:
    """A capitalised word with 's (either apostrophe) before one of the words: group 1."""
    if not words:
        return re.compile("(?!)")
    alt = _alternation(words)
    return re.compile(rf"(?<![\w'’\-])([A-Z][^\W\d_]*[a-z][^\W\d_]*)['’]s[ \t]+(?:{alt})(?![\w\-])")


def _place_regex(places: Iterable[str]) -> re.Pattern:
    """One of the places (lower case, words split by any spaces or one line break, a plural
    "s" or "es" allowed), then "on" and nothing else: what is left of the text before a date."""
    bad = [w for w in places if not isinstance(w, str)]
    if bad:
        raise RulesError(f"{RULES_FILE}: {bad[0]!r} in incident_dates.places is not text; put it in quotes")
    if not places:
        return re.compile("(?!)")
    alt = "|".join(r"(?:[ \t]+|[ \t]*\n[ \t]*)".join(re.escape(w) for w in p.split())
                   for p in sorted(places, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’\-])(?:{alt})(?:e?s)?[ \t]*,?\s+on[ \t]+$")


def _phrase_regex(phrases: Iterable[str], place_phrases: Iterable[str],
                  street_words: Iterable[str] = (), not_after: Iterable[str] = ()) -> re.Pattern:
    """Protected phrases; a place phrase with a bare street word right after it is a street
    named after the place ("Station Road", "University Road"), not the place: not protected; nor
    one right after a word of `not_after` ("Moorside Service Station": a business)."""
    def flex(p: str) -> str:
        return r"\s+".join(re.escape(w) for w in str(p).split())

    plain = "|".join(flex(p) for p in sorted(phrases, key=len, reverse=True))
    placed = "|".join(flex(p) for p in sorted(place_phrases, key=len, reverse=True))
    prefix = rf"(?:{PLACE_WORD}[ \t]+(?:(?:and|upon|on|in|under)[ \t]+)?){{0,3}}"
    streets = "|".join(re.escape(str(w)) for w in street_words)
    not_street = rf"(?![ \t]+(?:{streets})(?!\w))" if streets else ""
    not_after_rx = "".join(rf"(?<!{re.escape(str(w))}[ ])" for w in not_after)
    return re.compile(rf"(?<!\w)(?:{prefix}{not_after_rx}(?:{placed})(?!\w){not_street}|{plain})(?!\w)")


@lru_cache(maxsize=1)
def load_rules() -> RedactionRules:
    """rules/redaction.yml, compiled once per process."""
    data = load_yaml(RULES_FILE) or {}
    try:
        tags = {str(k): str(v) for k, v in data["tags"].items()}
        titles = title_lists()  # shared with the greeting check: rules/structure.yml
        months_days = list(data["months"]) + list(data["days"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise RulesError(f"{RULES_FILE}: missing section {exc}") from None
    stop_all = list(data.get("stop_words") or []) + months_days
    fragments = {str(k): str(v) for k, v in (data.get("fragments") or {}).items()}
    fragments.update(
        months=_alt(data["months"]),
        days=_alt(data["days"]),
        street_suffixes=_alt(data.get("street_suffixes") or []),
        bare_street_suffixes=_alt(data.get("bare_street_suffixes") or []),
        stop_words=_alt(stop_all),
        building_words=_alt(data.get("building_words") or []),
        street_name_words=_alt(data.get("street_name_words") or []),
    )
    examples: dict[str, dict[str, list[Any]]] = {}
    patterns = []
    for raw in data.get("patterns") or []:
        pid = str(raw.get("id", "?"))
        if raw.get("tag") not in tags:
            raise RulesError(f"{RULES_FILE}: pattern {pid}: tag '{raw.get('tag')}' is not in tags")
        flags = 0
        for name in raw.get("flags") or []:
            flags |= getattr(re, str(name))
        regex = _compile(_expand(str(raw["regex"]), fragments, f"pattern {pid}"), f"pattern {pid}", flags)
        digits = raw.get("digits")
        patterns.append(Pattern(pid, raw["tag"], regex, int(raw.get("group", 0)),
                                bool(raw.get("heuristic")), tuple(digits) if digits else None))
        examples[pid] = raw.get("examples") or {}
    for did, raw in (data.get("detectors") or {}).items():
        examples[str(did)] = (raw or {}).get("examples") or {}
    honorifics, ranks = _low(titles.get("honorifics")), _low(titles.get("ranks"))
    in_tag = _low(data.get("titles_in_tag"))
    if in_tag - ranks:
        raise RulesError(f"{RULES_FILE}: titles_in_tag: {min(in_tag - ranks)!r} is not a rank "
                         "in structure.yml")
    sign_offs = f"(?:{sign_off_alternatives()})"  # rules/structure.yml
    block = data.get("address_block") or {}
    recipient = data.get("recipient_block") or {}
    groups = data.get("honorific_groups") or {}
    particles = "|".join(re.escape(w) for w in _low(block.get("place_particles")))
    incident = data.get("incident_dates") or {}
    counted = _expand(str(incident.get("counted_from", "(?!)")), fragments, "incident_dates.counted_from")
    contact = _expand(str(incident.get("offender_contact", "(?!)")), fragments, "incident_dates.offender_contact")
    clause = _alternation(incident.get("clause_words") or []) or "(?!)"
    time_of_day = str(incident.get("time_of_day", "(?!)"))
    family = data.get("name_cues") or {}
    spellings = data.get("letter_spellings") or {}
    births = data.get("birth_dates") or {}
    full_date = _expand("{{date}}", fragments, "birth_dates")  # "14/03/2009", "14 March 2009"
    dates_rx = _compile(_expand(str(incident.get("date", "(?!)")), fragments, "incident_dates.date"),
                        "incident_dates.date")
    if incident.get("keep", "none") not in ("none", "month_year"):
        raise RulesError(f"{RULES_FILE}: incident_dates.keep is 'none' or 'month_year'")
    locality = (rf"[ \t]*[A-Z][A-Za-z'’\-.]*(?:(?:,[ \t]*|[ \t]+)(?:[A-Z0-9][A-Za-z0-9'’\-.]*"
                rf"{'|' + particles if particles else ''}))*[ \t,]*")
    return RedactionRules(
        version=str(data.get("version", "")),
        long_run=re.compile(r"\S{%d,}" % int(data.get("longest_run", 250))),
        sentence_reach=int(data.get("sentence_reach", 1000)),
        tags=tags,
        rank={k: i for i, k in enumerate(data.get("priority") or list(tags))},
        patterns=tuple(patterns),
        urn_shape=next((p.regex for p in patterns if p.id == "urn_shape"), None),
        honorifics=honorifics | in_tag,
        ranks=ranks,
        titles_regex=_alt(_title_and_upper(list(titles.get("honorifics") or []) + list(titles.get("ranks") or []))),
        first_names=_low(data.get("first_names")),
        surnames=_low(data.get("surnames")),
        spoken_to=re.compile(r"[ \t]+(?i:" + "|".join(re.escape(_key(str(w))).replace("'", "['’]")
                                                      for w in data.get("spoken_to_followers") or ["(?!)"])
                             + r")\b"),
        not_list_names=frozenset(_key(str(w)) for w in data.get("not_list_names") or []),
        heading_name=_heading_regex(data.get("heading_cues") or []),
        heading_about=frozenset(str(w).lower() for w in data.get("heading_cues_about") or []),
        hyphen_compounds=_low(data.get("hyphen_compounds")),
        not_alone=_low(data.get("not_alone_names")),
        common_words=_low(data.get("common_word_names")),
        stop_words=_low(stop_all),
        months_days=_low(months_days),
        not_surnames=_low(data.get("not_surnames")),
        stop_surnames=_low(data.get("stop_word_surnames")),
        venue_end=_compile(rf"[ \t]+(?:{fragments.get('venue_words', '(?!)')})$", "fragments.venue_words"),
        school_end=_compile(rf"(?:{fragments.get('school_end', '(?!)')})$", "fragments.school_end"),
        role_words=_low(data.get("recipient_role_words")),
        venue_again_after=re.compile(
            rf"(?<![\w'’\-])(?i:{_alternation(data.get('venue_again_after') or [])})[ \t]+$"
            if data.get("venue_again_after") else "(?!)"),
        venue_again_not_before=_alternation(data.get("venue_again_not_before") or []) or "(?!)",
        building_words=_low(data.get("building_words")),
        keep_followers=_low(data.get("keep_followers")),
        known_name_followers=_low(data.get("known_name_followers")),
        impersonal=_low(impersonal_greetings()),  # rules/structure.yml
        male=_low(groups.get("male")),
        female=_low(groups.get("female")),
        house_line=_compile(_expand(str(block.get("house_line", "(?!)")), fragments, "address_block"),
                            "address_block.house_line", re.MULTILINE),
        house_name=_compile(_expand(str(data.get("house_name", "(?!)")), fragments, "house_name"), "house_name"),
        recipient_stop=_compile(_expand(str(recipient.get("stop_line", "(?!)")), fragments, "recipient_block"),
                                "recipient_block.stop_line"),
        sign_off_not_names=_low(data.get("sign_off_not_names")),
        surname_first=frozenset(_key(str(w)) for w in data.get("surname_first") or []),
        given_stop_words=_low(data.get("given_stop_words")),
        lower_name_min_letters=int(data.get("lower_case_name_min_letters", 3)),
        lower_not_names=_low(data.get("lower_case_not_names")),
        recipient_cue=_compile(str(recipient.get("name_cue", "(?!)")), "recipient_block.name_cue"),
        recipient_most_lines=int(recipient.get("most_lines", 7)),
        locality_line=re.compile(locality),
        protected=_phrase_regex(data.get("protected_phrases") or [], data.get("place_phrases") or [],
                                data.get("bare_street_suffixes") or [], data.get("not_protected_after") or []),
        # A bilingual sign-off has the other language first: "Yn gywir / Yours sincerely".
        sign_off=re.compile(rf"(?im)^[ \t]*(?:[^\n/]{{1,40}}/[ \t]*)?{sign_offs}[ \t]*[,.!]?[ \t]*\n"
                            rf"(?:[ \t]*\n)*[ \t]*([^\n]+)"),
        sp=fragments.get("sp", r"\s+"),
        wrapped_line=int(data.get("wrapped_line_min_chars", 30)),
        examples=examples,
        titles=honorifics | ranks,
        name_cue=_cue_regex(list(family.get("family_words") or []) + list(family.get("phrases") or [])),
        people=_low(family.get("people")),
        name_not_before=_low(family.get("not_before")),
        pet_cues=frozenset(" ".join(str(w).lower().split()) for w in family.get("pet_cues") or []),
        animals=_low(family.get("animals")),
        cue_persons=_low(list(family.get("people") or []) + list(family.get("family_words") or [])
                         + list(family.get("person_words") or [])),
        pet_window=int(family.get("pet_window_words", 6)),
        saint=re.compile(rf"(?<![\w'’])(?:{_alternation(data.get('saint_words') or [])})[ \t]+$"
                         if data.get("saint_words") else "(?!)"),
        possessor_cue=_possessor_regex(list(family.get("family_words") or []) + list(family.get("possessed") or [])),
        dates=dates_rx,
        incident_cues=_low(incident.get("incident_words")),
        keep_date_cues=_low(incident.get("keep_words")),
        keep_next_to_date=_low(incident.get("keep_next_to_date")),
        sending_words=_low(incident.get("sending_words")),
        sent_things=_low(incident.get("sent_things")),
        writer_words=_low(incident.get("writer_words")),
        using_words=_low(incident.get("using_words")),
        used_things=_low(incident.get("used_things")),
        offender_things=_low(incident.get("offender_things")),
        offender_words=_low(incident.get("offender_words")),
        thing_determiners=_low(incident.get("thing_determiners")),
        time_before=_compile(rf"(?:{time_of_day})[ \t,]*(?:(?:on|of)[ \t]+)?$", "incident_dates.time_of_day",
                             re.IGNORECASE),
        place_before=_place_regex(incident.get("places") or []),
        contact_before=_compile(rf"(?:{contact})[ \t]*,?[ \t]*(?:(?i:on)[ \t]+)?$", "incident_dates.offender_contact"),
        contact_after=_compile(rf"[ \t]*,?[ \t]*(?:{contact})", "incident_dates.offender_contact"),
        contact_keep_after=_compile(str(incident.get("contact_keep_after", "(?!)")), "incident_dates.contact_keep_after"),
        cue_window=int(incident.get("window_words", 10)),
        cue_window_most=int(incident.get("window_most_words", 40)),
        cue_window_after=int(incident.get("window_after_words", 10)),
        short_sentence=int(incident.get("short_sentence_words", 0)),
        clause_after=re.compile(rf"[ \t]*,?[ \t]*(?i:{clause})(?![\w'’\-])"),
        clause_window=int(incident.get("clause_window_words", 6)),
        counted_after=_compile(rf"[ \t]*,?[ \t]*(?i:{counted})(?![\w'’\-])", "incident_dates.counted_from"),
        counted_before=_compile(rf"(?<![\w'’\-])(?i:{counted})[ \t]*,?[ \t]*(?:(?i:on)[ \t]+)?$",
                                "incident_dates.counted_from"),
        keep_month=incident.get("keep", "none") == "month_year",
        subject_cue=_compile(str(incident.get("subject_cue", "(?!)")),
                             "incident_dates.subject_cue"),
        subject_keep=_low(incident.get("subject_keep_words")),
        particles=_low(surname_particles()),  # rules/structure.yml
        ordinary_followers=_low(data.get("ordinary_followers")),
        ordinary_phrases=_ordinary_phrases_regex(data.get("ordinary_phrases") or []),
        month_names=_low(data["months"]),
        month_cues=_month_cues_regex((data.get("month_cues") or {}).get("month_end_or_year") or [],
                                     (data.get("month_cues") or {}).get("year_only") or []),
        month_day=_compile(rf"(?<![\w.,])(?:{(data.get('month_cues') or {}).get('day_before') or '(?!)'})[ \t]+$",
                           "month_cues.day_before"),
        lower_titles=_alternation(_low(data.get("lower_case_titles"))) or "(?!)",
        lower_title_name=re.compile(rf"(?<![\w'’\-])(?:{_alternation(_low(data.get('lower_case_titles'))) or '(?!)'})\.?[ \t]+"),
        lower_title_before=re.compile(rf"(?<![\w'’\-])(?:{_alternation(_low(data.get('lower_case_titles'))) or '(?!)'})\.?[ \t]+$"),
        family_after=_family_after_regex(family.get("family_words") or [], family.get("family_determiners") or []),
        family_determiners=_low(family.get("family_determiners")),
        not_after_place=_low(family.get("not_after_place_words")),
        welsh_months={str(k).lower(): str(v) for k, v in (incident.get("welsh_months") or {}).items()},
        birth_date=_compile(rf"(?<![\w/.\-])(?:{full_date})(?![\w/\-]|\.\d)", "fragments.date"),
        birth_after_name=_birth_regex(births, "after_name", fragments),
        birth_after_age=_birth_regex(births, "after_age", fragments),
        birth_after_date=_birth_regex(births, "after_date", fragments),
        birth_years=int(births.get("years_before", 3)),
        birth_year=_compile(rf"(?<![\w/.\-£$€])(?:{births.get('year') or '(?!)'})(?![\w/\-]|[.,]\d)",
                            "birth_dates.year"),
        birth_child=_birth_regex(births, "child_before", fragments),
        birth_baby=_birth_regex(births, "baby_before", fragments),
        letter_spellings=_spelling_table(spellings.get("letters"), "letters"),
        pair_spellings=_spelling_table(spellings.get("pairs"), "pairs"),
        plain_spellings=_spelling_table(spellings.get("plain"), "plain"),
        pairs_not_after={str(k).lower(): _low(v) for k, v in (spellings.get("pairs_not_after") or {}).items()},
        apostrophe_letters=frozenset(str(w) for w in spellings.get("apostrophe_letters") or []),
    )


def _birth_regex(births: dict, key: str, fragments: dict[str, str]) -> re.Pattern:
    """birth_dates.<key>, its fragments filled in."""
    return _compile(_expand(str(births.get(key, "(?!)")), fragments, f"birth_dates.{key}"), f"birth_dates.{key}")


def _spelling_table(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    """letter_spellings.letters or .pairs: lower-case letters -> their other spellings."""
    if not isinstance(raw, dict):
        return {}
    out = {}
    for k, v in raw.items():
        if not isinstance(v, list) or not all(isinstance(w, str) and w for w in v):
            raise RulesError(f"{RULES_FILE}: letter_spellings.{where}: {k!r} needs a list of spellings")
        out[str(k).lower()] = tuple(str(w).lower() for w in v)
    return out


def _ordinary_phrases_regex(phrases: Iterable[str]) -> re.Pattern:
    """What follows a word that is a name, making it the word ("is not lost"): any case, whole words."""
    alts = [r"[ \t]+".join(re.escape(w) for w in str(p).split()) for p in phrases if str(p).strip()]
    if not alts:
        return re.compile("(?!)")
    return re.compile(rf"[ \t]+(?i:{'|'.join(sorted(alts, key=len, reverse=True))})(?![\w'’\-])")


def _month_cues_regex(end_or_year: Iterable[str], year_only: Iterable[str]) -> re.Pattern:
    """The words right before a month ("in", "by", "the end of"): group "any" for the words
    after which a month at a sentence's end or before a year is the month, group "year" for
    those after which only a month before a year is ("from May 2026"; "a letter from May.")."""
    def alt(words: Iterable[str]) -> str:
        out = [r"[ \t]+".join(re.escape(w) for w in str(p).split()) for p in words if str(p).strip()]
        return "|".join(sorted(out, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<![\w'’])(?i:(?P<any>{alt(end_or_year)})|(?P<year>{alt(year_only)}))[ \t]+$")


def _family_after_regex(family: Iterable[str], determiners: Iterable[str]) -> re.Pattern:
    """A capitalised word (group 1), a comma, a determiner and a family word: "Mark, your son"."""
    if not family or not determiners:
        return re.compile("(?!)")
    return re.compile(rf"(?<![\w'’\-])([A-Z][^\W\d_]*(?:['’\-][^\W\d_]+)*),[ \t]+"
                      rf"(?i:{_alternation(determiners)})[ \t]+(?i:{_alternation(family)})(?![\w\-])")


@lru_cache(maxsize=1)
def _dictionary() -> tuple[Any, frozenset[str]]:
    """spaCy's English lemma table (its words with other forms: "fields", "younger") and the set
    of its lemmas ("field", "young"): what counts as an ordinary word besides common_word_names."""
    table = lemma_table()
    return table, frozenset(str(v) for v in table.values())


def ordinary_word(rules: RedactionRules, word: str) -> bool:
    """An ordinary English word ("field", "young", "joy"), not only a name ("nowak", "okafor"):
    in common_word_names, or a word or lemma of the lemma table."""
    low = word.lower()
    if low in rules.common_words:
        return True
    table, lemmas = _dictionary()
    return low in lemmas or low in table


class _Doc:
    """The text with what several detectors need: words, protected spans, lower-case words."""

    def __init__(self, text: str, rules: RedactionRules, marked: str | None = None):
        self.text, self.rules = text, rules
        self.marked = marked if marked is not None and len(marked) == len(text) else text  # with its accents
        self.tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        self.starts = [t[0] for t in self.tokens]
        self.protected = [m.span() for m in rules.protected.finditer(text)]
        self.lower_words = {m.group() for m in re.finditer(r"(?<![\w'’])[a-z][a-z'’]*", text)}
        self._sentence_marks: tuple[list[int], list[int]] | None = None
        self._newlines: list[int] | None = None
        self._welsh: dict[int, bool] = {}  # line number -> the line is Welsh
        self._cues: list[re.Match] | None = None
        self._lowered: str | bool | None = None  # (False: lower case would not do)
        self.address_lines: dict[str, bool] = {}  # a line's text -> it is an address (_is_address_line)

    def may_find(self, pattern: re.Pattern, lo: int, hi: int) -> bool:
        """False only when the pattern cannot find anything in text[lo:hi]: one of the sets of
        words it cannot match without (engine/prefilter.py `hint_sets`, as the engine uses
        them, in lower case) has none in that stretch of the letter, read in lower case. True
        when it may (or when lower case would not tell: engine/fastsearch.py `faithful_lower`).
        The sentence's patterns around each date were searched through every stretch: thousands
        of dates in a run cost seconds."""
        if self._lowered is None:
            low = faithful_lower(self.text)
            self._lowered = False if low is None else low
        if self._lowered is False:
            return True
        low = self._lowered
        return all(any(low.find(w, lo, hi) >= 0 for w in words) for words in hint_sets(pattern.pattern))

    def sentence_from(self, pos: int) -> int:
        """Where the sentence holding `pos` starts: after the last '.', '!', '?', ';' or blank line
        before `pos`, or `sentence_reach` characters back."""
        marks, blanks = self._marks()
        k = bisect.bisect_left(marks, pos) - 1
        b = bisect.bisect_right(blanks, pos - 2) - 1  # a blank line wholly before pos
        start = max(marks[k] if k >= 0 else -1, blanks[b] if b >= 0 else -1) + 1
        return max(start, pos - self.rules.sentence_reach)

    def sentence_to(self, pos: int) -> int:
        """Where the sentence holding `pos` ends: at the first '.', '!', '?', ';' or blank line from
        `pos`, or `sentence_reach` characters on."""
        marks, blanks = self._marks()
        k, b, n = bisect.bisect_left(marks, pos), bisect.bisect_left(blanks, pos), len(self.text)
        end = min(marks[k] if k < len(marks) else n, blanks[b] if b < len(blanks) else n)
        return min(end, pos + self.rules.sentence_reach)

    def _word_parts(self, lo: int, hi: int) -> tuple[list[str], int, int, list[str]]:
        """The words of text[lo:hi] as WORD.findall reads them there, found from the letter's own
        words (reading them again around each date took time growing as the square of a long run):
        the words at its start read from inside a word of the letter, the letter's words k for
        i <= k < j, and the words at its end, read from a word of the letter running to `hi` or past it."""
        toks, text = self.tokens, self.text
        if lo >= hi:
            return [], 0, 0, []
        i = bisect.bisect_right(self.starts, lo) - 1  # the last word starting at or before lo
        head: list[str] = []
        if i >= 0 and toks[i][0] < lo < toks[i][1]:
            head = [w.group() for w in itertools.takewhile(lambda w: w.start() < toks[i][1],
                                                           WORD.finditer(text, lo, hi))]
            i += 1
        elif i < 0 or toks[i][0] < lo:
            i += 1
        j = bisect.bisect_left(self.starts, hi)  # the words from j start at hi or later
        tail: list[str] = []
        if j > i and toks[j - 1][1] >= hi:  # (one ending at hi too: an "'s" there reads otherwise)
            j -= 1
            tail = WORD.findall(text, toks[j][0], hi)
        return head, i, max(i, j), tail

    def first_words(self, lo: int, hi: int, n: int) -> list[str]:
        """The first `n` words of text[lo:hi]."""
        head, i, j, tail = self._word_parts(lo, hi)
        return (head + [t[2] for t in self.tokens[i:min(j, i + n)]] + tail)[:n]

    def last_words(self, lo: int, hi: int, n: int) -> list[str]:
        """The last `n` words of text[lo:hi], in their order."""
        head, i, j, tail = self._word_parts(lo, hi)
        words = head + [t[2] for t in self.tokens[max(i, j - n):j]] + tail
        return words[-n:] if n else []

    def count_words(self, lo: int, hi: int) -> int:
        head, i, j, tail = self._word_parts(lo, hi)
        return len(head) + j - i + len(tail)

    def _marks(self) -> tuple[list[int], list[int]]:
        # (found once: looking for them from each date took time growing as the square of a run
        # with none)
        if self._sentence_marks is None:
            self._sentence_marks = ([m.start() for m in re.finditer(r"[.!?;]", self.text)],
                                    [m.start() for m in re.finditer(r"(?=\n\n)", self.text)])
        return self._sentence_marks

    def cues(self) -> list[re.Match]:
        """The name cues (rules.name_cue) in the text, found once for names in either case."""
        if self._cues is None:
            self._cues = list(self.rules.name_cue.finditer(self.text))
        return self._cues

    def is_common(self, word: str) -> bool:
        """A name that is also an ordinary word (listed, or seen in lower case in this letter)."""
        low = word.lower()
        return low in self.rules.common_words or low in self.lower_words

    def ordinary(self, word: str) -> bool:
        return ordinary_word(self.rules, word)

    def welsh_line(self, pos: int) -> bool:
        """The line around `pos` is in Welsh (rules/language.yml): its lower-case words are no
        English, so an English dictionary cannot tell a name there ("i ben" is "to an end")."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        k = bisect.bisect_left(self._newlines, pos)
        if k not in self._welsh:  # (once a line: a long line was read again for each word on it)
            start = self._newlines[k - 1] + 1 if k else 0
            end = self._newlines[k] if k < len(self._newlines) else len(self.text)
            self._welsh[k] = line_language(self.marked[start:end]) == "cy"
        return self._welsh[k]

    def same_line(self, a: int, b: int) -> bool:
        """Tokens a and b are neighbours on one line (only spaces between)."""
        return self.joined(a, b) and "\n" not in self.text[self.tokens[a][1]:self.tokens[b][0]]

    def is_particle(self, k: int, upper: bool) -> bool:
        """Token k is a surname particle; one that is also a rank is the rank in capitals ("DI
        Shaw"), unless the name is in capitals too ("MS ANNA DI STEFANO")."""
        word = self.tokens[k][2]
        low = word.lower()
        return low in self.rules.particles and (upper or not (word.isupper() and low in self.rules.titles))

    def particle_run(self, k: int, upper: bool) -> int | None:
        """Surname particles from token k and then a name word on the same line ("van der| Berg",
        "de| Souza", "Van der| Berg"): the index of that name word, else None."""
        toks, m = self.tokens, k
        while m < len(toks) and self.is_particle(m, upper):
            if ((upper and not toks[m][2].isupper()) or (m > k and not self.same_line(m - 1, m))
                    or m - k >= MAX_PARTICLES):
                return None
            m += 1
        if m == k or m >= len(toks) or not self.same_line(m - 1, m) or not self.namelike(m):
            return None
        return None if upper and not toks[m][2].isupper() else m

    def particles_before(self, i: int) -> int:
        """The first of the surname particles right before token i on its line ("van der Berg"
        for a known "Berg"), or i. One particle that is also an English word after "the", "a",
        "his" ... is that word: "the van Smith drove"."""
        toks, j = self.tokens, i
        upper = toks[i][2].isupper() and len(toks[i][2]) > 1
        while j > 0 and i - j < MAX_PARTICLES and self.is_particle(j - 1, upper) and self.same_line(j - 1, j):
            j -= 1
        if (j == i - 1 and j > 0 and self.ordinary(toks[j][2])
                and toks[j - 1][2].lower() in self.rules.family_determiners):
            return i
        return j

    def joined(self, a: int, b: int) -> bool:
        """Tokens a and b are neighbours in one name: only spaces (one line break) between."""
        (_, a_end, a_word), (b_start, _, b_word) = self.tokens[a], self.tokens[b]
        gap = self.text[a_end:b_start]
        if not gap or not GAP.fullmatch(gap):
            return False
        if gap.startswith(".") and not (len(a_word) == 1 or a_word.lower() in self.rules.titles):
            return False
        if "\n" in gap:  # a wrapped line of prose, not the next line of a block
            line_start = self.text.rfind("\n", 0, a_end) + 1
            return a_end - line_start >= self.rules.wrapped_line and not self.is_common(b_word)
        return True

    def namelike(self, i: int) -> bool:
        word = self.tokens[i][2]
        low = word.lower()
        return (len(word) >= 2 and word[0].isupper() and low not in self.rules.stop_words
                and low not in self.rules.titles)

    def initial(self, i: int) -> bool:
        """A single capital used as an initial: followed by "." or by another part of the name."""
        s, e, word = self.tokens[i]
        if len(word) != 1 or not word.isupper():
            return False
        if self.text[e:e + 1] == ".":
            return True
        return i + 1 < len(self.tokens) and self.joined(i, i + 1) and self.namelike(i + 1)

    def grow(self, i: int, limit: int, upper: bool) -> list[int]:
        """Indices of up to `limit` name words following token i."""
        out: list[int] = []
        k, units = i + 1, 0
        while k < len(self.tokens) and units < limit and self.joined(k - 1, k):
            word = self.tokens[k][2]
            run = self.particle_run(k, upper)  # "van der Berg": one name word
            if run is not None:
                out += range(k, run + 1)
                k, units = run + 1, units + 1
                continue
            if not (self.namelike(k) or self.initial(k)) or (upper and not word.isupper()):
                break
            out.append(k)
            k, units = k + 1, units + 1
        while out and len(self.tokens[out[-1]][2]) == 1:  # an initial never ends a name
            out.pop()
        return out

    def sentence_start(self, pos: int) -> bool:
        i = pos - 1
        newlines = 0
        while i >= 0 and self.text[i] in " \t\n\"'“‘([":
            newlines += self.text[i] == "\n"
            i -= 1
        if i < 0 or newlines >= 2 or self.text[i] in ".!?:;":
            return True
        return newlines == 1 and not (self.text[i].islower() or self.text[i] == ",")

    def ambiguous(self, s: int, e: int, word: str, known: bool = False) -> bool:
        """A name that is also a word, where the word reading fits ("Hope you are well"). For a
        name known from this letter, "Grace is" and "Rose and" are the name. Before a noun of
        ordinary_followers it is the word even then ("Young people", "Little evidence")."""
        start = self.sentence_start(s)
        if not (word.isupper() or start):
            return False
        if (self.rules.ordinary_phrases.match(self.text, e, e + 60)
                and (self.is_common(word) or self.ordinary(word))):
            return True  # "Hope is not lost", not "Hope is not able to come"
        follower = self.next_word(e)
        if (follower in self.rules.ordinary_followers and (self.is_common(word) or self.ordinary(word))
                and (start or not re.search(r"(?<![\w'’])(?i:the)[ \t]+$", self.text[max(0, s - 8):s]))):
            return True  # "Young people"; not "THE YOUNG FAMILY"
        if not self.is_common(word):
            return False
        if known and follower in self.rules.known_name_followers:
            return False
        return follower in self.rules.keep_followers

    def month_reading(self, s: int, e: int, word: str) -> bool:
        """A month name, capitalised (not in capitals), that reads as the month: after "in", "by",
        "until" ... (month_cues) and before a year or at the end of a sentence ("We will write
        again in May.", "by June 2026"), even when it is a name known from this letter. After
        "from" or "of" only before a year: "a letter from May." is the name. After a day number always ("from 2 to 12 May")."""
        if word.lower() not in self.rules.month_names or word.isupper() or not word[0].isupper():
            return False
        if self.rules.month_day.search(self.text, max(0, s - 16), s):
            return True  # "from 2 to 12 May", "the 3rd of June"
        cue = self.rules.month_cues.search(self.text, max(0, s - 24), s)
        if not cue:
            return False
        if re.match(r",?[ \t]+\d{4}(?!\d)", self.text[e:e + 8]):
            return True
        return cue.group("any") is not None and bool(re.match(r"[ \t]*(?:[.!?;:)]|$)", self.text[e:e + 4]))

    def next_word(self, end: int) -> str:
        m = re.match(r"[ \t\n]*([^\W\d_]+)", self.text[end:end + 40])
        return m.group(1).lower() if m else ""


def redact(text: str, context: LetterContext | None = None, extra_names: Iterable[str] = (),
           hide: Iterable[str] = ()) -> Redacted:
    """Replace personal details in `text` with readable tags (see the module docstring).
    `hide`: more words or phrases to hide wherever they appear (a manager's choice), as [HIDDEN]."""
    rules = load_rules()
    # A name with a soft hyphen or zero-width space inside it ("Kowal\u00adczyk"), typed with
    # its accent apart, or with a Cyrillic "o" that looks like a Latin one, is the same name:
    # found in the text made plain as the checks read it (engine/invisible.py), and hidden in
    # the text as written, invisible characters and all.
    bare, places = invisible.plain(text)
    if context is None or not context.victim_name:
        # No name in the details: the greeting's name is hidden in every form a given name is
        # (lower case, capitals, run into other words), not only where the rules find a name
        # (a review: "Re: Bronwen [NAME]" reached the panel)
        greeted = _greeted_name(bare, rules)
        if greeted:
            extra_names = [*(extra_names or ()), greeted]
    context, extra_names, hide = _plain_details(context, extra_names, hide)
    # Read with a name's apostrophes and hyphens made plain, its accents left out (_accents_plain:
    # "Élan Tiles" is a firm as "Elan Tiles" is; "ELAN" and "the Elans" are a Zoë Élan's), and the
    # names given spelt as given ("Dear Ms O‘Dwyer", "Ms Okafor\u2011Smith", "Müller" for a
    # Mueller): same length, so every place found is a place in the text as written.
    # (a Welsh line is told by its accents, ŵ, â ...: read in `marked`, the text with them)
    marked = _inner_marks(bare)
    read = _as_named(_accents_plain(marked, _kept_letters(rules)), context, extra_names)
    if places is not None:
        spans = _spans(read, context, extra_names, hide, rules, marked)
        moved = [c._replace(**dict(zip(("start", "end"), places.span(c.start, c.end, len(text))))) for c in spans]
        return _apply(text, moved, rules)
    return _apply(text, _spans(read, context, extra_names, hide, rules, marked), rules)


# The words after "Dear" on a greeting line (the greeting's name: `_greeting`, `_greeted_name`).
_GREETING_NAME = re.compile(r"(?m)^[ \t]*Dear[ \t]+([^\n,:;!]+)")


def _greeted_name(text: str, rules: RedactionRules) -> str | None:
    """The name after the letter's first "Dear" when it reads as one person's name (one to four
    words, each capitalised, a title or a surname particle; no impersonal greeting, no "and")."""
    m = _GREETING_NAME.search(text)
    if not m:
        return None
    words = m.group(1).split()
    if not 1 <= len(words) <= 4 or words[0].lower().rstrip(".") in rules.impersonal:
        return None
    for w in words:
        low = w.lower().rstrip(".")
        if not (w[:1].isupper() or low in rules.particles) or low in ("and", "a", "&") or not w.replace("-", "").replace("'", "").replace("’", "").rstrip(".").isalpha():
            return None
    if all(w.lower().rstrip(".") in rules.titles for w in words):
        return None  # ("Dear Sir", "Dear Madam")
    return " ".join(words)


# Marks a name's apostrophe or hyphen is typed with in place of the plain ones: a left or
# reversed single quote, a prime, a modifier letter apostrophe, an acute accent or a backtick
# ("O‘Dwyer", "O`Dwyer", "O´Dwyer"); a non-breaking hyphen, Word's, or a dash ("Okafor\u2011Smith",
# "Okafor–Smith"). Between two letters they are read as the plain mark.
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[\u2018\u201b\u2032\u02bc\u00b4`](?=[^\W\d_])")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])[\u2010\u2011\u2012\u2013\u2014\u2212\ufe58\ufe63](?=[^\W\d_])")


def _inner_marks(text: str) -> str:
    """`text` with the apostrophe and hyphen look-alikes between two letters made plain."""
    if text.isascii() and "`" not in text:
        return text
    text = _INNER_APOSTROPHE.sub("’", text)
    return _INNER_HYPHEN.sub("-", text)


# Letters with no decomposition that are read as a plain letter with a mark ("Ødegaard").
_BASE_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t"}


@lru_cache(maxsize=4096)
def _plain_letter(ch: str) -> str:
    """`ch` without its accent, in its case ("É" -> "E", "ë" -> "e", "Ł" -> "L"); `ch` itself when
    it is no accented letter (one character for one)."""
    if not ch.isalpha():
        return ch
    parts = unicodedata.normalize("NFD", ch)
    base = parts[0] if len(parts) > 1 and all(unicodedata.combining(p) for p in parts[1:]) else ch
    low = base.lower()
    if len(low) == 1 and low in _BASE_LETTERS:
        base = _BASE_LETTERS[low].upper() if base.isupper() else _BASE_LETTERS[low]
    return base if len(base) == 1 and base.isalpha() else ch


def _kept_letters(rules: RedactionRules) -> frozenset[str]:
    """The letters letter_spellings writes otherwise ("ü", "Ø", "å" ...), in both cases: a name
    keeps them when read (_accents_plain), so that "Müller" is still read as Mueller or Muller."""
    return frozenset(c for k in rules.letter_spellings if len(k) == 1 for c in (k, k.upper()))


def _accents_plain(text: str, keep: frozenset[str] = frozenset()) -> str:
    """`text` with every accented letter read as its plain letter, in its case, but those in
    `keep` (_kept_letters; same length: "Élan Tiles" -> "Elan Tiles", "ZOË" -> "ZOE"). The
    patterns and the other detectors read a capital as A to Z ("Élan Tiles" was no firm to them,
    "your son Émile" no name), and a name found in the letter was one only as written ("Mr Élan"
    hid no "Elan")."""
    if text.isascii():
        return text
    table = {ord(ch): plain for ch in set(text) if not ch.isascii() and ch not in keep
             and (plain := _plain_letter(ch)) != ch}
    return text.translate(table) if table else text
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _folded(word: str) -> str:
    """A word in lower case without its accents ("Siobhán" -> "siobhan"; same length)."""
    out = []
    for ch in word.lower():
        if ch.isascii():
            out.append(ch)
            continue
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0] if len(parts) > 1 and all(unicodedata.combining(p) for p in parts[1:]) else ch
        out.append(_BASE_LETTERS.get(base, base) if len(base) == 1 else ch)
    return "".join(out).replace("’", "'")


def _as_named(text: str, context: LetterContext | None, extra_names: Iterable[str]) -> str:
    """`text` with each word that is a word of a name given (the victim's, `extra_names`) but
    for its accents spelt as the name is, in the word's own case: a case system's "Siobhan" and
    the letter's "Siobhán", or "Zoë" and "Zoe", are one name. Same length (letters are composed
    by invisible.plain)."""
    names = [context.victim_name] if context is not None and context.victim_name else []
    names += [n for n in extra_names if n]
    spelt: dict[str, str] = {}
    for name in names:
        for w in _NAME_WORD.findall(name):
            if len(w) >= 2:
                spelt.setdefault(_folded(w), w)
    if not spelt:
        return text
    accented = any(not w.isascii() for w in spelt.values())
    pieces, last = [], 0
    for m in _NAME_WORD.finditer(text):
        word = m.group()
        if word.isascii() and not accented:
            continue
        key = _folded(word)
        name = spelt.get(key)
        if name is None or len(name) != len(word) or name == word:
            continue
        if word.islower() and ordinary_word(load_rules(), word):
            continue  # "the bar" is no Mr Bär: a word in lower case is read as the word
        chars = []
        for t, n in zip(word, name):
            cased = n.upper() if t.isupper() else n.lower() if t.islower() else n
            chars.append(cased if len(cased) == 1 else t)
        pieces += [text[last:m.start()], "".join(chars)]
        last = m.end()
    return "".join(pieces) + text[last:] if pieces else text


def _plain_details(context: LetterContext | None, extra_names: Iterable[str], hide: Iterable[str]):
    """The names to hide, made plain as the text is (a soft hyphen in the details' name; its
    accents, but for the letters _kept_letters keeps: _accents_plain)."""
    keep = _kept_letters(load_rules())
    if context is not None and context.victim_name:
        # (in the order a letter writes it: a case system's "Okafor, Jane (Ms)" is Ms Jane
        # Okafor, and "John Smith Jr" John Smith, so that "the Okafors" and "Dear Mr Smith" are
        # the victim's too)
        name = _accents_plain(as_written(_inner_marks(invisible.plain(context.victim_name)[0])), keep)
        if name != context.victim_name:
            context = context.model_copy(update={"victim_name": name})
    return (context, [_accents_plain(_inner_marks(invisible.plain(n)[0]), keep) for n in extra_names or () if n],
            [_accents_plain(invisible.plain(w)[0], keep) for w in hide or () if w])


def _spans(text: str, context: LetterContext | None, extra_names: Iterable[str], hide: Iterable[str],
           rules: RedactionRules, marked: str | None = None) -> list[_Cand]:
    """Where each tag goes in `text` (overlaps merged); `marked`: the same text with its accents,
    for telling a Welsh line."""
    # One character for one: offsets stay the same. A run of `longest_run` characters or more with
    # no space ("Ab-Ab-Ab-...", pasted) is no word a person reads: the patterns, which may start
    # at each of its characters, do not read it (48 KB of one took 46 s, growing as its square),
    # and it is hidden whole.
    long_runs = [m.span() for m in rules.long_run.finditer(text)]
    scanned = rules.long_run.sub(lambda m: RUN_FILLER * len(m.group()), text.translate(SPACES))
    doc = _Doc(scanned, rules, marked)
    extra = tuple(n for n in (extra_names or ()) if n and n.strip())
    found = _pattern_cands(doc) + _context_cands(doc, context, extra) + _hidden(doc, hide)
    found += [_Cand(a, b, "hidden") for a, b in long_runs]
    dates = _incident_dates(doc)
    found += dates + _same_date_in_welsh(doc, dates) + _venue_again(doc, found)
    addresses, header_names = _address_block(doc)
    addresses += _recipient_block(doc, found)
    found += _recipient_organisation(doc)
    names = (_titled(doc) + _pairs(doc) + _surname_pairs(doc) + _alone(doc) + _greeting(doc) + _sign_off(doc)
             + header_names + _cued_names(doc) + _heading_names(doc) + _surname_first(doc) + _lower_case_names(doc))
    parts = _known_parts(doc, names, context, extra)
    found += addresses + names + _known_again(doc, parts) + _known_variants(doc, names, context, extra, parts)
    found += _broken_at_line_end(doc, parts[0])
    found += _name_handles(doc, context, extra)
    found += _birth_dates(doc, found, context)
    return _other_case_refs(doc, _house_names(doc, _resolve(found, doc)), context)


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}  # "jan" -> 1


def _parse_date(text: str, this_year: int) -> dt.date | None:
    """A date as {{date}} reads it ("14/03/2009", "14.03.09", "14th of March 2009", "March 14, 2009",
    "2009-03-14"),
    day first as in the UK; None when it is no real day. A year of two figures is this century's
    unless that would be after `this_year` (the service's UK year, worked out once for a
    letter's thousands of dates)."""
    nums = [int(n) for n in _NUMBER.findall(text)]
    month_word = _MONTH_WORD.search(_ORDINAL_OR_OF.sub("", text))
    if month_word:
        month = _MONTHS.get(month_word.group()[:3].lower())
        if month is None or len(nums) != 2:
            return None
        day, year = nums
    elif len(nums) == 3 and nums[0] >= 1000:  # "1961-07-14", year first (ISO 8601)
        year, month, day = nums
    elif len(nums) == 3:
        day, month, year = nums
    else:
        return None
    if year < 100:
        year += 2000 if 2000 + year <= this_year else 1900
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_NUMBER = re.compile(r"\d+")
_MONTH_WORD = re.compile(r"[A-Za-z]{3,}")
_ORDINAL_OR_OF = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b|\bof\b")

BIRTH_LEAD = 80  # the most characters read before a date of birth, or before the name it follows


def _line_back(text: str, pos: int, most: int) -> int:
    """Where the line holding `pos` starts, or `most` characters before `pos` if that is later."""
    lo = max(0, pos - most)
    return text.rfind("\n", lo, pos) + 1 or lo


def _birth_dates(doc: _Doc, found: list[_Cand], context: LetterContext | None) -> list[_Cand]:
    """A date of birth with no label (birth_dates in rules/redaction.yml): a full date right after
    a person's name found in this letter (`found`'s [VICTIM] and [NAME]) with a bracket, a comma
    or a dash between ("Jamie (14/03/2009)", "Jamie, 14.03.2009,"), or a year alone there
    ("Daniel Price (1987)", "Daniel Price, 1987,"), then a closing bracket, comma, full stop or
    line end, and years before the letter's date: a date of the case after a name ("PC Shaw (3
    May 2024)") stays readable, as the panel judges timeliness by it. A baby's or child's is
    recent: after an age ("aged 15 (14/03/2009)", "(aged 8 weeks, 12.01.2026)") or after the name
    of a baby or child named by a word for one ("baby Ava (12.01.2026)", "her son Noah, 3.3.2025,":
    child_before; "your baby (12.01.2026)": baby_before), any date up to the letter's date is the
    date of birth; no date of the case is written there."""
    r = doc.rules
    text = doc.text
    today = clock.today()  # (once for the letter: it may give thousands of dates)
    dates = [(m, _parse_date(m.group(), today.year)) for m in r.birth_date.finditer(text)]
    years = [(m, dt.date(int(m.group()), 1, 1)) for m in r.birth_year.finditer(text)]
    if not dates and not years:
        return []
    starts: dict[int, list[int]] = {}  # where each name found ends -> where it starts
    for c in found:
        if c.kind in ("victim", "name"):
            starts.setdefault(c.end, []).append(c.start)
    given = (context.letter_date or context.decision_date) if context is not None else None
    seen = sorted({d for _, d in dates if d is not None}, reverse=True)[:2]  # the latest two days given
    out = []
    for m, born in dates + years:
        if born is None or not r.birth_after_date.match(text, m.end()):
            continue
        # (what comes before the date is read no further back than BIRTH_LEAD characters on its
        # line: read from the line's start, a long line of years took time growing as its square)
        line = _line_back(text, m.start(), BIRTH_LEAD)
        lead = r.birth_after_name.search(text, line, m.start())
        named = lead is not None and lead.start() in starts
        year_only = m.re is r.birth_year
        # a baby's, a child's or after an age: a date of birth however recent ("baby Ava (12.01.2026)")
        baby = lead is not None and (
            any(r.birth_child.search(text, _line_back(text, s, BIRTH_LEAD), s) for s in starts[lead.start()])
            if named else not year_only and r.birth_baby.search(text, line, lead.start()))
        aged = not year_only and r.birth_after_age.search(text, line, m.start())
        if not (named or baby or aged):
            continue
        # the letter's date: from the details, else the latest other date it gives, else today
        # (the latest day given that is not this one: listing all the others for each date took
        # time growing as the square of their number)
        ref = given or next((d for d in seen if d != born), None) or today
        if (baby or aged) and born <= ref:
            out.append(_Cand(*m.span(), "dob"))
        elif (born.year + r.birth_years, born.month, born.day) <= (ref.year, ref.month, ref.day):
            out.append(_Cand(*m.span(), "dob"))
    return out


def _other_case_refs(doc: _Doc, spans: list[_Cand], context: LetterContext | None) -> list[_Cand]:
    """A reference shaped like a CPS case reference (urn_shape) that is not this case's
    (the context's urn) is tagged [OTHER CASE REF]: a letter giving the wrong case's reference
    is a fault the panel should see ("Case [OTHER CASE REF]", and its finding '... "[OTHER CASE
    REF]", but this case is [CASE REF]'), not two [CASE REF]s that read as the same."""
    if context is None or not context.urn or doc.rules.urn_shape is None:
        return spans
    own = _urn_regex(context.urn)
    want = re.sub(r"[^A-Za-z0-9]", "", context.urn).upper()
    out = []
    for c in spans:
        if c.kind == "case_ref" and c.tag is None:
            text = doc.text[c.start:c.end]
            plain = re.sub(r"[^A-Za-z0-9]", "", text).upper()
            # (the case's own reference without its year, "21 GH 04567", is this case's)
            if (doc.rules.urn_shape.fullmatch(text) and not own.fullmatch(text)
                    and not (len(plain) >= 9 and want.startswith(plain))):
                c = c._replace(tag=doc.rules.tags.get("other_case_ref", "[OTHER CASE REF]"))
        out.append(c)
    return out


def _hidden(doc: _Doc, words: Iterable[str]) -> list[_Cand]:
    """Every place a word or phrase to hide appears (any case, whole words only)."""
    out = []
    for phrase in {w.strip() for w in words or () if w and w.strip()}:
        rx = r"[ \t\n]+".join(re.escape(p) for p in phrase.split())
        out += [_Cand(*m.span(), "hidden") for m in re.finditer(rf"(?<!\w){rx}(?!\w)", doc.text, re.IGNORECASE)]
    return out


def _cued_names(doc: _Doc) -> list[_Cand]:
    """Capitalised words after a family word or "called" ("your daughter Grace", "a man called
    Lee Barker") or after a word for a person and a comma ("another boy, Sami,"): a name with
    no title, even one that is also an ordinary word."""
    out, toks, r = [], doc.tokens, doc.rules
    starts = [m.end() for m in doc.cues() if "A" <= doc.text[m.end()] <= "Z" and not _pet_cue(doc, m)]
    for m in APPOSITION.finditer(doc.text):  # "another boy, Sami,"
        k = bisect.bisect_left(doc.starts, m.start()) - 1
        if (k >= 0 and toks[k][2] in r.people  # lower case only: not a role line's "Prosecutor,"
                and not doc.text[toks[k][1]:m.start()].strip(" \t")):
            starts.append(m.end())
    for start in starts:
        i = bisect.bisect_left(doc.starts, start)
        if i >= len(toks) or toks[i][0] != start or not doc.namelike(i):
            continue
        names = [i] + doc.grow(i, 2, upper=toks[i][2].isupper() and len(toks[i][2]) > 1)
        while len(names) > 1 and toks[names[-1]][2].lower() in r.not_surnames:
            names.pop()
        if toks[names[-1]][2].lower() in r.not_surnames:
            continue
        k = names[-1] + 1  # "Victim Liaison Officer, Harrowfield Area": an area, not a person
        if (any(toks[n][2].lower() in r.name_not_before for n in names[1:])
                or (k < len(toks) and toks[k][2].lower() in r.name_not_before and doc.same_line(k - 1, k))):
            continue
        out.append(_Cand(toks[i][0], toks[names[-1]][1], "name", True))
        out += _listed_with(doc, names[-1])  # "his brothers Jack and Noel"
    for m in r.family_after.finditer(doc.text):  # "Mark, your son, told us"
        cand = _family_after(doc, m)
        out += [cand] if cand else []
    for m in r.possessor_cue.finditer(doc.text):  # "Anika's childminder", "Owen's mother"
        i = bisect.bisect_left(doc.starts, m.start(1))
        if i >= len(toks) or toks[i][0] != m.start(1) or not doc.namelike(i):
            continue
        j = i - 1  # a first name before it: "Anika Shah's childminder"
        if (j >= 0 and doc.namelike(j) and doc.joined(j, i) and "\n" not in doc.text[toks[j][1]:toks[i][0]]
                and not doc.sentence_start(toks[j][0])):
            i = j
        out.append(_Cand(toks[i][0], m.end(1), "name", True))
    return out


def _heading_regex(cues: list) -> re.Pattern:
    """A line that opens with one of `cues` (rules/redaction.yml heading_cues) and names whom the
    letter is for or about: "To: Bronwen Castellano", "FAO Mr Kyle Dunn", "Re: Bronwen
    Castellano - criminal damage" (the name ends at a dash, comma or bracket)."""
    words = "|".join(r"[ \t]+".join(re.escape(w) for w in str(c).split())
                     for c in sorted(cues, key=lambda c: -len(str(c)))) or "(?!)"
    return re.compile(rf"(?im)^[ \t]*({words})[ \t]*[:.]?[ \t]+([^\n,(\[]{{1,80}}?)[ \t]*(?:[-–—,(\[]|$)")


def _heading_names(doc: _Doc) -> list[_Cand]:
    """The name on a line that says whom the letter is for or about (_HEADING_NAME): two to four
    words read as a name with no title; after "Re" or "Subject" only words that are no ordinary
    word ("Re: Criminal Damage at Harbour Lane" names nobody)."""
    out = []
    for m in doc.rules.heading_name.finditer(doc.text):
        start, end = m.span(2)
        words = _span_of_words(doc, start, end)
        if len(words) < 2 or len(words) > 4:
            continue
        if m.group(1).lower() in doc.rules.heading_about and any(doc.ordinary(doc.tokens[i][2]) for i in words):
            continue
        cand = _name_line(doc, start, end, max_words=4)
        if cand is None and doc.tokens[words[0]][2].lower() in doc.rules.titles and len(words) > 1:
            cand = _name_line(doc, doc.tokens[words[1]][0], end, max_words=3)  # "FAO Mr Kyle Dunn"
        out += [cand] if cand else []
    return out


def _pet_cue(doc: _Doc, m: re.Match) -> bool:
    """The cue is "called", "named" or "known as" (pet_cues) and, of the animal words and the
    words for a person, the nearest one before it in its sentence is an animal: "a dog called
    Roxy", "her dog, a brown terrier cross called Roxy" (a pet's name, not a person's); "the
    dog's owner, a man called Rex Hale" and "a dog walker called Sue" are people."""
    r, text = doc.rules, doc.text
    if " ".join(re.sub(r",", " ", m.group()).lower().split()) not in r.pet_cues:
        return False
    for w in reversed(doc.last_words(doc.sentence_from(m.start()), m.start(), r.pet_window)):
        low = w.lower()
        if _is_thing(r.cue_persons, low):
            return False
        if _is_thing(r.animals, low):
            return True
    return False


_LIST_JOIN = re.compile(r"[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+")


def _listed_with(doc: _Doc, j: int) -> list[_Cand]:
    """The names listed after a cued name, whose token ends at j ("his brothers Jack and Noel",
    "your children Amy, Ben and Cara"): each capitalised word (and a surname after it) up to
    the "and" that closes the list; a list with no "and" ("your son Jack, Leeds ...") is no list."""
    r, toks, out = doc.rules, doc.tokens, []
    for _ in range(8):
        m = _LIST_JOIN.match(doc.text, toks[j][1])
        if not m:
            return []
        k = bisect.bisect_left(doc.starts, m.end())
        if (k >= len(toks) or toks[k][0] != m.end() or not doc.namelike(k) or _key(toks[k][2]) in r.not_list_names
                or toks[k][2].lower() in r.months_days or toks[k][2].lower() in r.not_surnames):
            return []
        names = [k] + doc.grow(k, 1, upper=False)
        while len(names) > 1 and toks[names[-1]][2].lower() in r.not_surnames:
            names.pop()
        out.append(_Cand(toks[k][0], toks[names[-1]][1], "name", True))
        if "and" in m.group():
            return out
        j = names[-1]
    return []


def _family_after(doc: _Doc, m: re.Match) -> _Cand | None:
    """The name before a comma and a family word ("Mark, your son,", "Zuri, her sister,"): a
    listed first name anywhere (also one that is a word: "Mark", "Grace"); another capitalised
    word only inside a sentence, with the family word closing the phrase ("we told Zuri, your
    daughter, ..."), not after a word that places something ("in Leeds, your sister, said"), and
    never a month or day. A first name, or particles, before it on its line go with it."""
    r, toks = doc.rules, doc.tokens
    i = bisect.bisect_left(doc.starts, m.start(1))
    if i >= len(toks) or toks[i][0] != m.start(1) or toks[i][1] != m.end(1) or not doc.namelike(i):
        return None
    low = toks[i][2].lower()
    if low in r.months_days or not _clear(doc, *m.span(1)):
        return None
    if low not in r.first_names and (
            doc.sentence_start(toks[i][0]) or not re.match(r"[ \t]*(?:[,.;:!?)]|$)", doc.text[m.end():m.end() + 2])
            or (i > 0 and toks[i - 1][2].lower() in r.not_after_place)):
        return None
    first = doc.particles_before(i)
    j = first - 1  # "Mark Trent, your son,"
    if (j >= 0 and doc.namelike(j) and doc.same_line(j, first)
            and (toks[j][2].lower() in r.first_names or not doc.sentence_start(toks[j][0]))):
        first = j
    return _Cand(toks[first][0], toks[i][1], "name", True)


def _name_handles(doc: _Doc, context: LetterContext | None, extra: tuple[str, ...]) -> list[_Cand]:
    """User names and handles built from the victim's name or an extra name: "tomasznowak77",
    "Nowak_T", "@joy.field", "tnowak", "joy_field": the whole handle is hidden. A part of the
    handle between dots, underscores and digits must be made wholly of the name's words (three
    letters or more), its particles and its initials, with one word at least; two pieces or more
    ("tomasznowak", "tnowak") when it is no ordinary word, or one word with an @, an underscore
    or a digit in the handle (or a dot, or a hyphen, between lower-case parts: "nowak-family.co.uk"),
    and an ordinary word ("field_2") only with an @, an underscore or a digit. Parts joined by dots
    or hyphens that are each the name's words or initials, two pieces at least with a word among
    them, are a handle too ("rose-young", "Rose-Young", "young.rose", "r.young", "t-nowak",
    "r-young"), but not an English word made of a letter and a word ("x-ray" for a victim Xavi
    Ray: `hyphen_compounds` in rules/redaction.yml)."""
    named = [(n, "name") for n in extra]
    if context is not None and context.victim_name:
        named.append((context.victim_name, "victim"))
    out = []
    for name, kind in named:
        shape = _name_shape(name)
        if not shape:
            continue
        words = {w.lower() for w in (*shape[0], shape[2]) if len(w) >= 3}
        # and the name's other spellings ("jeanluc", "mueller": _name_spellings), without accents
        # ("zoebrown" for a Zoë), and the pieces of a hyphenated word ("jean.luc.martin")
        spelt = _name_spellings(name)
        others = [v for w in (*shape[0], shape[2]) for v in (*spelt.words.get(w, ()), *w.split("-"))]
        words |= {_folded(v) for v in (*shape[0], shape[2], *others, *spelt.joined)}  # "zoebrown" for a Zoë
        words = {w for w in words if len(w) >= 3 and "-" not in w}
        if not words:
            continue
        pieces = words | {p.lower() for p in shape[1]} | {w[0].lower() for w in (*shape[0], shape[2])}
        has_word = re.compile("|".join(re.escape(w) for w in sorted(words)), re.IGNORECASE)
        if not has_word.search(doc.text):
            continue
        for m in HANDLE.finditer(doc.text):
            if has_word.search(m.group()) and _is_handle(doc, m.group(), words, pieces):
                out.append(_Cand(*m.span(), kind, kind == "name"))
    return out


# A user name, handle or web address: letters and digits joined by dots, underscores or hyphens,
# maybe after an @ ("tomasz.nowak", "rose-young88", "nowak-family.co.uk"); letters with accents
# too ("hans.müller": a name given as "Muller" is read as the "Müller" the details have).
HANDLE = re.compile(r"(?<![\w@.'’\-])@?_*[^\W_]+(?:[._\-]+[^\W_]+)*_*(?![\w'’\-@]|[.\-][^\W_])")


def _is_handle(doc: _Doc, handle: str, words: set[str], pieces: set[str]) -> bool:
    """See _name_handles. `strong`: an @, an underscore or a digit; `joined`: a dot, or a hyphen
    between lower-case letters or digits (not a sentence run on after a full stop, "rose.Young")."""
    strong = handle.startswith("@") or "_" in handle or any(ch.isdigit() for ch in handle)
    joined = bool(re.search(r"[a-z0-9][.\-][a-z0-9]", handle)) and not re.search(r"\.[A-Z]", handle)
    parts = [p for p in re.split(r"[._@\d\-]+", handle) if p]
    made = [_pieces(p.lower(), words, pieces) for p in parts]
    for part, n in zip(parts, made):
        if not n or not n[1]:
            continue
        seg = part.lower()
        count, _ = n
        # two pieces: a handle in lower case, in capitals or with a capital inside ("TomaszNowak"),
        # not a capitalised word ("Alford" for a victim Al Ford)
        if (count >= 2 and (strong or joined or not re.fullmatch(r"[A-Z][a-z]+", part))
                and not (doc.ordinary(seg) or seg in doc.rules.first_names or seg in doc.rules.stop_words)):
            return True
        if count == 1 and (strong or (joined and not doc.ordinary(seg))):
            return True
    # parts that are each the name's words or initials, two pieces at least and a word among
    # them, joined by dots or hyphens: "rose-young", "Rose-Young", "young.rose", "r.young",
    # "t-nowak". Not an initial and ordinary words joined by hyphens only ("x-ray", "e-mail").
    if len(parts) < 2 or not all(made) or re.search(r"\.[A-Z]", handle):
        return False
    if sum(n[0] for n in made) < 2 or not any(n[1] for n in made):
        return False
    # An initial and ordinary words joined by hyphens only: a handle ("r-young" for Rachel
    # Young) unless the whole is an English word ("x-ray" for Xavier Ray, "e-mail").
    initials = any(len(p) == 1 for p in parts)
    plain = all(doc.ordinary(p) for p in parts if len(p) > 1)
    if initials and plain and "." not in handle and not strong:
        low = handle.lower()
        return not (low in doc.rules.hyphen_compounds or low.removesuffix("s") in doc.rules.hyphen_compounds
                    or doc.ordinary(low))
    return True


def _pieces(seg: str, words: set[str], pieces: set[str]) -> tuple[int, bool] | None:
    """`seg` made wholly of `pieces`: (fewest pieces, whether one of `words` is among them; a
    split with a word preferred), else None."""
    if not seg:
        return None
    best: list[tuple[int, bool] | None] = [None] * (len(seg) + 1)
    best[0] = (0, False)
    for a in range(len(seg)):
        if best[a] is None:
            continue
        for p in pieces:
            if seg.startswith(p, a):
                b, (n, has) = a + len(p), best[a]
                cand = (n + 1, has or p in words)
                if best[b] is None or (cand[1], -cand[0]) > (best[b][1], -best[b][0]):
                    best[b] = cand
    return best[len(seg)]


def _incident_dates(doc: _Doc) -> list[_Cand]:
    """Dates of what happened ("assaulted you on 14 September", "on 14 September he hit you"):
    the nearest telling word before the date in its sentence (else the nearest after it) is an
    incident word, not a word of the case's own dates (decided, hearing, wrote...: those dates
    stay, so the panel can judge timeliness). Words count in any inflection of a listed one
    ("abusing", "pushed", "bruises"); the window counts lower-case words only, so a place
    ("outside the Fox and Anchor in Brighton") does not push the incident word out of it.
    "after", "until" and the like tell only right before the date ("until 3 June", not "just
    after 7am on 9 January"). With no telling word, a time of day just before the date ("at
    8.40pm on 6 June") says it is what happened ("on 3 June at 10:30" may be a hearing: it stays).
    A public place where offences happen just before "on" and the date ("at the petrol station
    on 14 February": incident_dates.places) is the word nearest the date, so it tells first.
    "when" and a clause right after the date ("about 7 June, when you were pushed") tell before
    anything in front of it. A date with no telling word counted from the date before it ("on
    9 May, two days before") is hidden when that one was. In the sentence that says what the
    letter is about ("This letter is about your flat on 2 May": incident_dates.subject_cue) only
    the words after the cue tell, and a date that nothing tells is what happened, unless a call,
    visit or the like is named there (subject_keep_words: "writing about your call on 3 June").
    A sentence is read at most sentence_reach characters either side of the date, and the window
    before it holds at most window_most_words words (a long run with no full stop costs no more
    for each date in it than a sentence does)."""
    r, out, text = doc.rules, [], doc.text
    untold: list[re.Match] = []  # dates nothing in their sentences tells about
    hidden_days: set[str] = set()  # the days hidden as what happened (_date_key)
    last_hidden = False  # was the date before this one hidden as what happened?
    quiet: dict[str, bool] = {}  # a word that tells nothing wherever it stands (looked up once a word)
    abouts = [a.start() for a in re.finditer(r"(?i:about)", text)]  # (no cue to look for without one)

    def tell(w: str, next_to_date: bool, words: list[str], i: int, backwards: bool = False) -> str | None:
        if w not in quiet:
            quiet[w] = _quiet(r, w)
        return None if quiet[w] else _telling(r, w, next_to_date, words, i, backwards)

    def search(pattern: re.Pattern, lo: int, hi: int) -> re.Match | None:
        return pattern.search(text, lo, hi) if doc.may_find(pattern, lo, hi) else None

    for m in r.dates.finditer(text):
        start, end = doc.sentence_from(m.start()), doc.sentence_to(m.end())
        # "This letter is about your flat on 2 May": "letter" and "writing" there tell nothing
        k = bisect.bisect_left(abouts, start)
        subject = (search(r.subject_cue, start, m.start())
                   if k < len(abouts) and abouts[k] < m.start() else None)
        from_ = subject.end() if subject else start
        before = _window(doc.last_words(from_, m.start(), r.cue_window_most)[::-1], r.cue_window)
        counted = r.counted_after.match(text, m.end(), end) or search(
            r.counted_before, max(start, m.start() - 40), m.start())
        # "on 9 May, two days before": the count's own "before" tells nothing
        after_from = counted.end() if counted and counted.start() >= m.end() else m.end()
        after = [w.lower() for w in doc.first_words(after_from, end, r.cue_window_after)]
        telling = [c for c in (tell(w, i == 0, before, i, True) for i, w in enumerate(before)) if c]
        clause = r.clause_after.match(text, m.end(), end)
        if clause:
            # "about 7 June, when you were pushed": the clause says what the date was
            words = [w.lower() for w in doc.first_words(clause.end(), end, r.clause_window)]
            told = [c for c in (tell(w, False, words, i) for i, w in enumerate(words)) if c]
            telling = told[:1] + telling
        if search(r.place_before, max(start, m.start() - 60), m.start()):
            telling.insert(0, "incident")  # "at the bus stop on 3 March": the place is nearest the date
        if ((search(r.contact_before, max(start, m.start() - 120), m.start())
                or r.contact_after.match(text, m.end(), end)) and not r.contact_keep_after.match(text, m.end(), end)):
            telling.insert(0, "incident")  # "the man who rang you on 11 October": the offender's call
        telling = telling or [c for c in (tell(w, True, after, i) for i, w in enumerate(after)) if c]
        if subject and not telling and not any(
                _is_thing(r.subject_keep, w) for w in before + after):
            telling = ["incident"]  # the letter is about what happened, and this is its date
        if (not telling and start > 0 and text[start - 1] in ".!?;" and end - m.end() < r.sentence_reach
                and doc.count_words(start, end) - len(WORD.findall(m.group())) <= r.short_sentence):
            # "He hit you in the car park. That was on 2 February.": a short sentence with no
            # telling word of its own reads as the one before ends (no word is next to the date)
            earlier = _window(doc.last_words(doc.sentence_from(start - 1), start - 1, r.cue_window_most)[::-1],
                              r.cue_window)
            telling = [c for c in (tell(w, False, earlier, i, True) for i, w in enumerate(earlier)) if c]
        previous_hidden, last_hidden = last_hidden, False
        if telling:
            if telling[0] != "incident":
                continue
        elif not r.time_before.search(text, max(start, m.start() - 30), m.start()) and not (
                previous_hidden and counted):
            untold.append(m)
            continue
        last_hidden = True
        hidden_days.add(_date_key(m.group()))
        out.append(_date_cand(r, m))
    # The same day told again with no telling word of its own ("The dog bit you on 11 January.
    # ... No one saw her dog there on 11 January.") is the date of what happened there too.
    out += [_date_cand(r, m) for m in untold if _date_key(m.group()) in hidden_days]
    return out


def _date_cand(r: RedactionRules, m: re.Match) -> _Cand:
    if r.keep_month and m.group("day") is not None:
        return _Cand(m.start("day"), m.end("day"), "date", tag="[DAY]")
    return _Cand(*m.span(), "date")


def _date_key(date: str) -> str:
    """A date as written, for telling the same day written twice: "11 January", "the 11th of
    January" and "Monday 11 January" are one."""
    return " ".join(_DATE_PARTS.findall(_DATE_NOISE.sub(" ", date.lower())))


_DATE_NOISE = re.compile(r"(?<=\d)(st|nd|rd|th)\b|\bthe\b|\bof\b|\b(mon|tues|wednes|thurs|fri|satur|sun)day\b")
_DATE_PARTS = re.compile(r"[a-z]+|\d+")


_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?([A-Za-z]+)")


def _same_date_in_welsh(doc: _Doc, hidden: list[_Cand]) -> list[_Cand]:
    """A bilingual letter tells what happened twice: a date hidden as the date of what happened
    in the English ("damaging your van on 2 June") is hidden where the Welsh gives the same day
    ("... eich fan ar 2 Mehefin"; incident_dates.welsh_months)."""
    r, out = doc.rules, []
    if not r.welsh_months or not hidden:
        return out
    wanted: set[tuple[str, str]] = set()
    for c in hidden:
        m = _DAY_MONTH.search(doc.text, c.start, c.end + 20)
        if m and m.start() <= c.end and m.group(2).lower() in r.welsh_months:
            wanted.add((m.group(1), r.welsh_months[m.group(2).lower()]))
    if not wanted:
        return out
    # (every day in one pass: a pass for each took a second at 200 KB of dates)
    wanted = {(day, month.lower()) for day, month in wanted}
    months = "|".join(re.escape(mo) for mo in sorted({mo for _, mo in wanted}, key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w£.])(\d{{1,2}})(?:af|ed|fed|ydd|il)?[ \t]+(?:o[ \t]+)?({months})\b(?:[ \t]+\d{{4}})?",
                         doc.text, re.IGNORECASE):
        if (m.group(1), m.group(2).lower()) in wanted:
            if r.keep_month:
                out.append(_Cand(m.start(1), m.end(1), "date", tag="[DAY]"))
            else:
                out.append(_Cand(*m.span(), "date"))
    return out


def _window(words: list[str], size: int) -> list[str]:
    """The words nearest the date, up to `size` lower-case ones (capitalised words ride along)."""
    out, lower = [], 0
    for w in words:
        if lower >= size:
            break
        out.append(w.lower())
        lower += w[0].islower()
    return out


def _telling(r: RedactionRules, word: str, next_to_date: bool, words: list[str] | tuple = (),
             i: int = 0, backwards: bool = False) -> str | None:
    """'incident', 'keep' or None for one word near a date (`words[i]` is the word, in the order
    read, `backwards` when read from the date back to the sentence's start: "sent" or
    "received" with a message word within two words tells what happened, unless the writer's
    side is right next to it: "we sent a message"; so does "sent" with "he" or "she" next to it
    and a thing an offender sends or leaves near it, "the letters he sent"; and such a thing
    that he or she sent, left or made, "the voicemail he left", "he made 40 calls")."""
    if word in r.keep_next_to_date and not next_to_date:
        return None
    if _offender_thing(r, list(words), i, backwards):
        return "incident"
    for form in (word, lemma(word)):  # "abusing" -> "abuse", "pushed" -> "push"
        if form in r.keep_date_cues:
            if form in r.sending_words or lemma(word) in r.sending_words:
                near = words[max(0, i - 2):i] + words[i + 1:i + 3]
                beside = words[max(0, i - 1):i] + words[i + 1:i + 2]
                if any(_is_sent_thing(r, w) for w in near) and not any(w in r.writer_words for w in beside):
                    return "incident"
                if (any(_noun_of(r.offender_things, w) for w in near) and any(w in r.offender_words for w in beside)
                        and not any(w in r.writer_words for w in near)):
                    return "incident"  # "the letters he sent on 3 June"
            return "keep"
        if form in r.incident_cues:
            return "incident"
        if form in r.using_words:  # "your card was used", "someone used your bank details"
            # a thing next to "of" is not what was used: "your account of events", "details of"
            near = [w for k, w in enumerate(words) if 0 < abs(k - i) <= 5 and _is_thing(r.used_things, w)
                    and "of" not in words[max(0, k - 1):k] + words[k + 1:k + 2]]
            beside = words[max(0, i - 1):i] + words[i + 1:i + 2]
            if near and not any(w in r.writer_words for w in beside):
                return "incident"
    return None


def _quiet(r: RedactionRules, word: str) -> bool:
    """`_telling` gives None for `word` wherever it stands: no listed word in any inflection."""
    return not _noun_of(r.offender_things, word) and not any(
        form in r.keep_date_cues or form in r.incident_cues or form in r.using_words
        for form in (word, lemma(word)))


def _noun_of(things: frozenset[str], word: str) -> bool:
    """`word` is one of `things` as a noun, singular or plural ("voicemail", "calls", "DMs"), not
    another inflection ("called" is no call)."""
    return word in things or (word.endswith("s") and word[:-1] in things)


def _offender_thing(r: RedactionRules, words: list[str], i: int, backwards: bool) -> bool:
    """`words[i]` is a thing an offender sends, leaves or makes (offender_things: a voicemail, a
    note, calls, letters, posts) that he or she sent, left or made: "he" or "she" right after it
    ("the voicemail he left", "the note she put through your door") or up to three words before
    it ("he left a voicemail", "she made 40 calls"), with none of the writer's side there ("the
    note I left you", "the email he sent us"). A thing in the singular needs a word such as "the"
    or "a" before it: "he will call you" is no call."""
    if not r.offender_things or i >= len(words) or not _noun_of(r.offender_things, words[i]):
        return False
    seq = list(reversed(words)) if backwards else words
    k = len(words) - 1 - i if backwards else i
    if words[i] in r.offender_things and not (k > 0 and seq[k - 1] in r.thing_determiners):
        return False
    after, before = seq[k + 1:k + 5], seq[max(0, k - 3):k]
    if after and after[0] in r.offender_words and not any(w in r.writer_words for w in after):
        return True
    return any(w in r.offender_words for w in before) and not any(w in r.writer_words for w in before)


def _is_sent_thing(r: RedactionRules, word: str) -> bool:
    """A message word in any inflection ("messages", "texts", "DMs")."""
    return _is_thing(r.sent_things, word)


def _is_thing(things: frozenset[str], word: str) -> bool:
    """One of `things` in any inflection ("messages", "cards", "details")."""
    return word in things or (word.endswith("s") and word[:-1] in things) or lemma(word) in things


def redact_letter(letter: Letter, extra_names: Iterable[str] = ()) -> Redacted:
    return redact(letter.text, letter.context, extra_names)


def _pattern_cands(doc: _Doc) -> list[_Cand]:
    # (the patterns read no name given and tell no Welsh line, so they read the letters
    # _kept_letters keeps without their marks too: "Özkan Motors" is a firm as "Ozkan Motors" is)
    text = _accents_plain(doc.text)
    out = []
    for p in doc.rules.patterns:
        for m in p.regex.finditer(text):
            start, end = m.span(p.group)
            if start < 0 or start == end:
                continue
            if p.digits:
                cut = _phone_length(m.group(p.group), p.digits)
                if cut is None:
                    continue
                end = start + cut
            out.append(_Cand(start, end, p.kind, p.heuristic, p.regex if p.group == 0 else None))
    return out


def _phone_length(s: str, digits: tuple[int, int]) -> int | None:
    """Length of the longest prefix of `s` that is a whole number (None if none is): a UK
    number's digits counted from its 0 (+44 read as 0: "+44 (0)20 ..." is "020 ..."), a number in
    international form's ("+351 912 ...", "0048 601 ...") after its + or 00, country code included."""
    ends = [m.end() for m in re.finditer(r"\d+", s)]
    bare = s.lstrip("(")
    for end in reversed(ends):
        d = re.sub(r"\D", "", s[:end])
        if bare.startswith("+44"):
            d = d[2:] if d[2:3] == "0" else "0" + d[2:]
        elif bare.startswith(("+", "00")):
            if digits[0] <= len(d) - bare.startswith("00") * 2 <= digits[1]:
                return end
            continue
        if d.startswith("0") and digits[0] <= len(d) <= digits[1]:
            return end
    return None


def _context_cands(doc: _Doc, context: LetterContext | None, extra: tuple[str, ...]) -> list[_Cand]:
    out = []
    spaced = SPACED_RUN.search(doc.text) is not None  # (a name may be spelt out letter by letter)
    if context is not None and context.victim_name:
        own = _group(doc.rules, context.victim_name)
        for rx in (_name_regex(context.victim_name), _spaced_name_regex(context.victim_name) if spaced else None):
            for m in rx.finditer(doc.text) if rx else ():
                other = own and _group(doc.rules, m.group()) not in (None, own)
                out.append(_Cand(*m.span(), "name" if other else "victim"))
    for name in extra:
        for rx in (_name_regex(name), _spaced_name_regex(name) if spaced else None):
            out += [_Cand(*m.span(), "name") for m in rx.finditer(doc.text)] if rx else []
    if context is not None and context.urn:
        out += [_Cand(*m.span(), "case_ref") for m in _urn_regex(context.urn).finditer(doc.text)]
    return out


def _key(word: str) -> str:
    """How a name word is looked up: lower case, one kind of apostrophe, no accents (_folded:
    "Müller" found in the letter is "Muller" there too, and the reverse)."""
    return word.lower() if word.isascii() else _folded(word)


def _group(rules: RedactionRules, name: str) -> str | None:
    """'male' or 'female' when the name starts with such an honorific (not a couple: "Mr and Mrs
    Patel" is both, so "Mrs Patel" there is the victim too)."""
    if re.search(r"(?i)(?:\band\b|&)", name):
        return None
    first = (WORD.findall(name) or [""])[0].lower()
    return "male" if first in rules.male else "female" if first in rules.female else None


def _name_parts(name: str) -> list[str]:
    """The name's words without titles, and without the "and" joining a couple ("Mr and Mrs
    Patel": "Patel"). A surname particle that is also a rank is a particle unless in capitals
    ("Ms Lucia di Stefano"; "DI Shaw" is a detective inspector)."""
    rules = load_rules()
    words = WORD.findall(name)
    lows = [w.lower().rstrip(".") for w in words]
    # (the surname even when it is also a title, structure.surname_at: the panel saw "Dear Ms
    # Judge" for Ms Jane Judge)
    return [w for i, w in enumerate(words)
            if (lows[i] not in rules.titles or (w.lower() in rules.particles and not w.isupper())
                or surname_at(lows, i))
            and w.lower() != "and"]


@lru_cache(maxsize=512)
def _name_shape(name: str) -> tuple[tuple[str, ...], tuple[str, ...], str] | None:
    """A known name's given (and middle) names, its surname particles and its last word: "Maria de
    la Cruz" -> (Maria), (de, la), Cruz. Particles are the words of surname_particles right before
    the last word; the first word of the name only when another particle follows it ("Van der
    Berg"; in "Al Sayed", "Al" is a first name)."""
    rules = load_rules()
    parts = [p for p in _name_parts(name) if len(p) >= 2]
    if not parts:
        return None
    k = len(parts) - 1
    while k > 0 and parts[k - 1].lower() in rules.particles:
        if k == 1 and parts[0][0].isupper() and k == len(parts) - 1:
            break
        k -= 1
    return tuple(parts[:k]), tuple(parts[k:-1]), parts[-1]


def _name_words(name: str) -> list[str]:
    """The words of a known name that are a name on their own: not its surname particles."""
    shape = _name_shape(name)
    return [*shape[0], shape[2]] if shape else []


# A word's other spellings change at most this many of its letters (each has up to four
# spellings): a long name with many umlauts gives a few dozen spellings, not thousands.
MAX_RESPELT = 3
_CAMEL = re.compile(r"(?<=[^\W\d_])(?=[A-Z][a-z])")  # "Jean|Luc", "Mary|Ann", "O|Brien"


def _cased(spelling: str, first: str, word: str) -> str:
    """`spelling` in the case of the letters it stands for: "UE" in "MÜLLER", "Oe" in "Ødegaard"."""
    if word.isupper() and len(word) > 1:
        return spelling.upper()
    return spelling[0].upper() + spelling[1:] if first.isupper() else spelling


@lru_cache(maxsize=2048)
def _letter_spellings(word: str) -> tuple[str, ...]:
    """`word` with its German or Scandinavian letters written otherwise (letter_spellings in
    rules/redaction.yml), each in the word's case: "Müller" -> Mueller, Muller; "Mueller" ->
    Müller, Muller; "Weiß" -> Weiss; "Aaberg" -> Åberg, Aberg. Two plain letters are read as
    the letter only where they may be one: not in a listed first name or surname ("Michael" is
    never "Michal"), and as the word's last two letters only as the letter ("Weiss" is "Weiß",
    "Zoe" never "Zo"). A plain u, o or a between two consonants may be the letter spelt with an e
    (`plain`: "Muller" -> Mueller, "Schroder" -> Schroeder: a case system drops the umlaut that
    the letter spells out), with the same care, and never where that makes an ordinary word or a
    listed name ("Tod" is no "toed"; "Jo" no "Joe": not a word's first or last letter)."""
    rules = load_rules()
    pairs_ok = word.lower() not in rules.first_names and word.lower() not in rules.surnames
    options: list[tuple[str, ...]] = []
    plain_at: set[int] = set()  # the options that spell a plain letter with an e
    i = 0
    while i < len(word):
        ch = word[i]
        others = rules.letter_spellings.get(ch.lower())
        if others:
            options.append((ch, *(_cased(o, ch, word) for o in others)))
            i += 1
            continue
        others = rules.plain_spellings.get(ch.lower()) if pairs_ok and 0 < i < len(word) - 1 else None
        if others and _consonant(word[i - 1]) and _consonant(word[i + 1]):
            others = tuple(o for o in others if word[i - 1].lower() not in rules.pairs_not_after.get(o, ()))
            if others:  # ("Guntar" is no "Guentar": the u after a g is the g's)
                plain_at.add(len(options))
                options.append((ch, *(_cased(o, ch, word) for o in others)))
                i += 1
                continue
        pair = word[i:i + 2]
        others = rules.pair_spellings.get(pair.lower()) if pairs_ok and len(pair) == 2 else None
        if others and i and word[i - 1].lower() in rules.pairs_not_after.get(pair.lower(), ()):
            others = None  # "Marques": the u of "que" is the q's
        if others and i + 2 == len(word):
            others = tuple(o for o in others if not o.isascii())  # "Weiss" is "Weiß"; "Zoe" no "Zo"
        if others:
            options.append((pair, *(_cased(o, ch, word) for o in others)))
            i += 2
            continue
        options.append((ch,))
        i += 1
    # (a letter's own spellings first: a plain letter's are the guess)
    varied = sorted((k for k, o in enumerate(options) if len(o) > 1), key=lambda k: k in plain_at)
    if not varied:
        return ()
    for k in varied[MAX_RESPELT:]:
        options[k] = options[k][:1]
    out = set()
    for p in itertools.product(*options):
        spelt = "".join(p)
        if any(p[k] != options[k][0] for k in plain_at) and not _unlisted_spelling(rules, spelt):
            continue
        out.add(spelt)
    return tuple(sorted(out - {word}))


def _consonant(ch: str) -> bool:
    return ch.isascii() and ch.isalpha() and ch.lower() not in "aeiouwy"  # ("Brown" is no "Broewn")


def _unlisted_spelling(rules: RedactionRules, spelt: str) -> bool:
    """`spelt` is no ordinary English word and no listed first name or surname: a guessed
    spelling of a name ("Mueller" for a Muller) that hides no word and no other person."""
    low = spelt.lower()
    return not ordinary_word(rules, low) and low not in rules.first_names and low not in rules.surnames


class _Spellings(NamedTuple):
    words: dict[str, tuple[str, ...]]  # a word of the name -> its other spellings, one word each
    joined: tuple[str, ...]  # the first two given names run together ("JeanLuc", "Jeanluc")
    apart: dict[str, tuple[tuple[str, ...], ...]]  # a word -> its pieces written apart ("Jean", "Luc")


@lru_cache(maxsize=512)
def _name_spellings(name: str) -> _Spellings:
    """How else a letter writes the words of a known name than its details do (each hidden as
    the name): run together where the details split it ("Jean-Luc" or "Jean Luc" as "JeanLuc"
    or "Jeanluc"; "O Brien" as "OBrien" or "O'Brien"; "Van Dyke" as "Vandyke"; "Smith-Jones"
    as "SmithJones"), split where they run it together ("JeanLuc" as "Jean-Luc" or "Jean Luc",
    "OBrien" as "O'Brien"), and with a German or Scandinavian letter spelt otherwise
    (_letter_spellings: "Müller" and "Mueller")."""
    rules = load_rules()
    shape = _name_shape(name)
    if not shape:
        return _Spellings({}, (), {})
    given, particles, last = shape
    words: dict[str, set[str]] = {}
    apart: dict[str, set[tuple[str, ...]]] = {}
    for w in (*given, last):
        forms = {w}
        pieces = w.split("-") if "-" in w else _CAMEL.split(w)
        if len(pieces) > 1 and all(pieces):
            run = "".join(pieces)
            forms |= {run, run[0] + run[1:].lower()}  # "JeanLuc", "Jeanluc"
            if "-" not in w:
                forms.add("-".join(pieces))  # "Jean-Luc" for a "JeanLuc"
                if len(pieces[0]) == 1 and pieces[0] in rules.apostrophe_letters:
                    forms.add("'".join(pieces))  # "O'Brien" for an "OBrien"
            apart.setdefault(w, set()).add(tuple(pieces))
        words[w] = forms
    parts = _name_parts(name)
    k = len(parts) - 1 - parts[::-1].index(last) if last in parts else -1
    heads = []
    if k > 0 and parts[k - 1] in rules.apostrophe_letters:
        heads.append(parts[k - 1])  # "Sean O Brien": "O'Brien", "OBrien", "Obrien"
    if particles:
        heads.append("".join(particles))  # "Van Dyke": "VanDyke", "Vandyke"; "de Souza": "DeSouza"
    for head in heads:
        head = head[0].upper() + head[1:]
        sep = ["'", ""] if len(head) == 1 else [""]
        words[last] |= {head + s + last for s in sep} | {head + last.lower()}
    for w, forms in words.items():
        for f in list(forms):
            forms.update(_letter_spellings(f))
    joined: set[str] = set()
    if len(given) >= 2:
        run = given[0] + given[1]
        joined = {run, given[0] + given[1].lower()}
        joined |= {s for j in joined for s in _letter_spellings(j)}
    return _Spellings({w: tuple(sorted(f - {w})) for w, f in words.items()}, tuple(sorted(joined)),
                      {w: tuple(sorted(p)) for w, p in apart.items()})


@lru_cache(maxsize=512)
def _name_regex(name: str) -> re.Pattern | None:
    """Every multi-word form of a known name: with or without any title, initial, middle names and
    surname particles ("Ms de la Cruz", "de la Cruz", "Maria Cruz"), and in lower case or mixed
    case with no initial ("tomasz nowak", "mrs nowak")."""
    rules = load_rules()
    shape = _name_shape(name)
    if not shape:
        return None
    given, particles, last_word = shape
    sp = rules.sp
    spelt = _name_spellings(name)

    def word(w: str) -> str:
        return _name_word(w, rules, spelt.words.get(w, ()), spelt.apart.get(w, ()))

    title = rf"(?:{rules.titles_regex})\.?"
    low_title = rf"(?:{rules.lower_titles})\.?"
    initial = r"[A-Z]\.?"
    last = word(last_word)
    own = "".join(rf"{word(p)}{sp}" for p in particles)  # "de la ", "van der "
    opt = rf"(?:{own})?" if own else ""
    forms = [rf"{title}{sp}(?:{initial}{sp})?{opt}{last}"]
    lower = [rf"{low_title}{sp}{opt}{last}"]
    # a word written apart, alone ("Jean Luc" for a Jean-Luc, "Smith Jones"); in its case
    alone = [sp.join(_spell(p) for p in pieces) for w in (*given, last_word) for pieces in spelt.apart.get(w, ())
             for pieces in {pieces, tuple(p.upper() for p in pieces)}]
    if given:
        first = word(given[0])
        middles = "".join(rf"(?:{sp}{word(m)})?" for m in given[1:])
        run = rf"{first}{middles}"
        if spelt.joined:  # the first two given names run together: "JeanLuc Martin", "Mr JeanLuc"
            joined = "(?:" + "|".join(_spell(f) for j in spelt.joined for f in sorted({j, j.upper()})) + ")"
            run = rf"(?:{run}|{joined}{''.join(rf'(?:{sp}{word(m)})?' for m in given[2:])})"
            first = rf"(?:{first}|{joined})"
            alone.append(rf"{word(given[0])}{sp}{word(given[1])}")  # "Mary Ann": both given names
        full = rf"{run}{sp}{opt}{last}"
        forms = [rf"(?:{title}{sp})?{full}"] + forms + [rf"{title}{sp}{first}"]
        lower = [rf"(?:{low_title}{sp})?{full}", rf"{low_title}{sp}{first}"] + lower
    forms.append(rf"{initial}{sp}{opt}{last}")
    if own:
        forms.append(rf"{own}{last}")  # "de la Cruz", "Van der Berg" with no title
        lower.append(rf"{own}{last}")
    forms += alone
    # any case for the forms with no initial ("tomasz nowak"); an initial is a capital letter
    return re.compile(r"(?=[^\W\d_])(?<![\w'’\-])(?:(?i:" + "|".join(lower) + ")|" + "|".join(forms) + r")(?!\w)")


def _name_word(w: str, rules: RedactionRules, others: tuple[str, ...] = (),
               apart: tuple[tuple[str, ...], ...] = ()) -> str:
    """A word of a known name as _name_regex reads it: as written, capitalised, in capitals (a
    particle in lower case too), and written apart (_written_apart: "ONeill", "O Neill"; without
    the apostrophe only where its letters make no ordinary word, never "Death" for D'Eath); and
    so each of its `others` spellings and its pieces `apart` (_name_spellings: "Mueller" for a
    Müller, "JeanLuc" and "Jean Luc" for a Jean-Luc)."""
    alts: list[str] = []
    for v in (w, *others):
        forms = {v, v[0].upper() + v[1:], v.upper()} | ({v.lower()} if v.lower() in rules.particles else set())
        joined = not ordinary_word(rules, re.sub(r"['’]", "", v))
        alts += [_spell(f) for f in sorted(forms)] + _written_apart(v, joined)
    for pieces in apart:
        alts += [rules.sp.join(_spell(p) for p in ps) for ps in sorted({pieces, tuple(p.upper() for p in pieces)})]
    return "(?:" + "|".join(dict.fromkeys(alts)) + ")"


@lru_cache(maxsize=512)
def _spaced_name_regex(name: str) -> re.Pattern | None:
    """A known name with words spelt out letter by letter (LETTER_GAP, in any case), with
    a title or the rest of the name beside them: "Ms O k a f o r", "G r a c e O k a f o r", "Grace
    O K A F O R", "Ms G r a c e". Not after an initial ("P R O S E" is no P. Rose). Used only in a
    letter with a run of single letters spaced out (SPACED_RUN): it takes longer to build than
    _name_regex, which every letter needs."""
    rules = load_rules()
    shape = _name_shape(name)
    if not shape:
        return None
    given, particles, last_word = shape
    sp = rules.sp

    def word(w: str) -> str:
        letters = [ch for ch in w if ch.isalpha()]
        if len(letters) < SPACED_LETTERS:
            return _name_word(w, rules)
        spelt = LETTER_GAP.join(f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]" if len(ch.upper()) == 1
                                else re.escape(ch) for ch in letters)
        return f"(?:{spelt}|{_name_word(w, rules)})"

    title = rf"(?:{rules.titles_regex})\.?"
    own = "".join(rf"{_name_word(p, rules)}{sp}" for p in particles)
    opt = rf"(?:{own})?" if own else ""
    last = word(last_word)
    forms = [rf"{title}{sp}{opt}{last}"]
    if given:
        first = word(given[0])
        middles = "".join(rf"(?:{sp}{word(m)})?" for m in given[1:])
        forms = [rf"(?:{title}{sp})?{first}{middles}{sp}{opt}{last}"] + forms + [rf"{title}{sp}{first}"]
    return re.compile(r"(?<![\w'’\-])(?:" + "|".join(forms) + r")(?!\w)")


# How the letters of a name spaced out are kept apart: one or two spaces, or one of these marks
# (spaces either side): "O k a f o r", "O K A F O R", "O.k.a.f.o.r", "O-k-a-f-o-r", "O ' N e i l l".
LETTER_GAP = r"(?:[ \t]{1,2}|[ \t]?[.\-_·*/'’][ \t]?)"
# The fewest letters a name word spelt out letter by letter must have ("L e e", not "A l").
SPACED_LETTERS = 3


def _spell(f: str) -> str:
    return "".join("['’]" if ch in "'’" else re.escape(ch) for ch in f)


def _written_apart(w: str, joined: bool = True) -> list[str]:
    """A name with an apostrophe written without it, or with a space for it: "O'Neill" as
    "ONeill", "O Neill", "O' Neill", "Oneill"; "D'Souza" as "DSouza", "D Souza". Each form
    with the apostrophe's parts as written or in capitals, or the whole in the case a name
    takes when it is written without the apostrophe ("Oneill"). Not `joined`: always with a
    space or the apostrophe between the parts ("D Eath", never "Death", for a Mr D'Eath)."""
    m = re.fullmatch(r"([^\W\d_]+)['’]([^\W\d_].*)", w)
    if not m:
        return []
    head, rest = m.groups()
    heads = "|".join(sorted({_spell(h) for h in (head, head.lower(), head.upper())}))
    rests = "|".join(sorted({_spell(r) for r in (rest, rest.upper())}))
    if not joined:
        return [rf"(?:{heads})(?:['’][ \t]?|[ \t])(?:{rests})"]
    whole = head + rest.replace("'", "").replace("’", "")
    return [rf"(?:{heads})(?:['’][ \t]?|[ \t])?(?:{rests})", re.escape(whole[0].upper() + whole[1:].lower())]


def _letter_forms(w: str, lower: bool = False) -> set[str]:
    """The letters of a name word (no apostrophes), as written, in capitals and capitalised
    ("O'Neill": ONeill, ONEILL, Oneill); in lower case too when `lower`."""
    letters = "".join(ch for ch in w if ch.isalpha())
    if len(letters) < SPACED_LETTERS:
        return set()
    forms = {letters, letters.upper(), letters[0].upper() + letters[1:].lower()}
    return forms | {letters.lower()} if lower else forms


@lru_cache(maxsize=1024)
def _apart_regex(spellings: tuple[str, ...], lower: bool, joined: bool) -> re.Pattern:
    """The ways _known_variants takes of writing a known name word with an apostrophe, spelt
    `spellings`, without it or with a space for it (read whole, with fullmatch)."""
    alts: list[str] = []
    for w in spellings:
        apart = _written_apart(w, joined)
        alts += apart
        if apart and lower:  # "o neill", "oneill"
            alts.append(_spell(w.lower()).replace("['’]", "(?:['’][ \\t]?|[ \\t])" + ("?" if joined else ""), 1))
    return re.compile("|".join(alts) or "(?!)")


# A run of single letters spaced out ("O k a f o r", "t o  O N E I L L", "O.k.a.f.o.r"): each
# letter alone between gaps (LETTER_GAP), three or more.
SPACED_RUN = re.compile(rf"(?<![^\W\d_])[^\W\d_](?:{LETTER_GAP}[^\W\d_]){{{SPACED_LETTERS - 1},}}(?![^\W\d_])")
_APART_GAP = re.compile(r"['’]?[ \t]?")


def _known_variants(doc: _Doc, names: list[_Cand], context: LetterContext | None,
                    extra: tuple[str, ...], parts: tuple[dict[str, str], dict[str, str], dict[str, str]]) -> list[_Cand]:
    """The words of the names known in this letter (the victim's, extra_names', and every name
    found) written so that a word-by-word reading misses them: spelt out letter by letter ("We
    spoke to O k a f o r", "Dear O N E I L L") or an apostrophe left out or made a space ("ONeill
    said", "O Neill said"). Each is hidden as the word would be. In lower case only a word of the
    names given that is no ordinary word, of four letters or more ("o k a f o r"). Not a single
    letter ("O"), nor words that only share letters ("one ill"), nor a name's letters inside a
    longer word spaced out the same way ("P R O S E C U T I O N" for a Mr Rose: a single letter
    just before or after across the same gap), nor an apostrophe word whose letters make an
    ordinary word ("Death" for a Mr D'Eath). Read in one pass over the runs of single letters
    and one over the words, each looked up by its letters: time growing with the letter's
    length, however many names it holds."""
    known, given, _ = parts
    written: dict[str, set[str]] = {}  # a known word's key -> its spellings met (case kept)
    for cand in names:
        for i in _span_of_words(doc, cand.start, cand.end):
            key = _key(doc.tokens[i][2])
            if key in known:
                written.setdefault(key, set()).add(doc.tokens[i][2])
    named = list(extra) + ([context.victim_name] if context is not None and context.victim_name else [])
    for name in named:
        for w in _name_words(name):
            written.setdefault(_key(w), set()).add(w)
    by_letters: dict[str, list[str]] = {}  # letters, lower case -> the keys spelt with them
    apart: dict[str, str] = {}  # an apostrophe word's letters, lower case -> its key
    for key in written:
        if not known.get(key) or (known[key] == "name" and key in doc.rules.stop_words):
            continue
        bare = key.replace("'", "")
        if len(bare) >= SPACED_LETTERS:
            by_letters.setdefault(bare, []).append(key)
        if "'" in key:
            apart.setdefault(bare, key)
    if not by_letters and not apart:
        return []
    out: list[_Cand] = []

    def lower_too(key: str) -> bool:
        bare = key.replace("'", "")
        return bool(given.get(key)) and len(bare) > SPACED_LETTERS and not doc.ordinary(bare)

    def spelt(key: str, cased: str, gaps: list[str]) -> bool:
        """The letters in a case the name is written in; an apostrophe alone between two of
        them only where the name has one ("O'N e i l l", never "I'm a" for a Ms Ima Shah)."""
        for w in written[key]:
            if cased in _letter_forms(w, lower_too(key)):
                marks = {len(re.sub(r"[^\w]", "", w[:k])) - 1 for k, ch in enumerate(w) if ch in "'’"}
                if all(g not in ("'", "’") or k in marks for k, g in enumerate(gaps)):
                    return True
        return False

    def apart_as_written(key: str, start: int, end: int) -> bool:
        joined = not doc.ordinary(key.replace("'", ""))
        return bool(_apart_regex(tuple(sorted(written[key])), lower_too(key), joined).fullmatch(doc.text, start, end))

    lengths = sorted({len(b) for b in by_letters})
    text = doc.text
    for run in SPACED_RUN.finditer(text) if by_letters else ():
        at = [m.start() for m in re.finditer(r"[^\W\d_]", run.group())]
        at = [run.start() + k for k in at]
        gaps = [text[at[k] + 1:at[k + 1]] for k in range(len(at) - 1)]
        # (one by one: "İ" is two characters in lower case; without accents, as the keys are)
        low = [_key(text[k]) for k in at]
        for i in range(len(at)):
            if i and i < len(gaps) and gaps[i - 1] == gaps[i]:
                continue  # (inside a word spaced out: "P R [O S E]")
            for size in lengths:
                j = i + size - 1  # the last letter
                if j >= len(at):
                    break
                if j < len(gaps) and gaps[j] == gaps[i]:
                    continue  # (a letter follows across the same gap: "[R O S] E")
                for key in by_letters.get("".join(low[i:j + 1]), ()):
                    if spelt(key, "".join(text[k] for k in at[i:j + 1]), gaps[i:j]):
                        out.append(_Cand(at[i], at[j] + 1, known[key], known[key] == "name"))
    toks = doc.tokens
    out += _chunked(doc, by_letters, known, lambda key, cased: spelt(key, cased, []))
    for i, (start, end, word) in enumerate(toks if apart else ()):
        key, found = _key(word), None
        if "'" not in key and key in apart:
            found = (apart[key], start, end)  # "ONeill"
        elif i + 1 < len(toks):
            nxt_start, nxt_end, nxt = toks[i + 1]
            joined = key + _key(nxt)
            if "'" not in joined and joined in apart and _APART_GAP.fullmatch(text, end, nxt_start):
                found = (apart[joined], start, nxt_end)  # "O Neill", "O' Neill"
        if found and apart_as_written(*found):
            out.append(_Cand(found[1], found[2], known[found[0]], known[found[0]] == "name"))
    return out


# A known name word cut into pieces ("Oka for", "OKA FOR", "Oka-for", "O ka f or"): words
# whose letters together spell it, kept apart as letters spelt out are (LETTER_GAP), the word
# of CHUNKED_LETTERS letters or more.
CHUNKED_LETTERS = 4
_CHUNK_GAP = re.compile(LETTER_GAP)
_INNER_MARKS = re.compile(r"(?<=[^\W\d_])[.\-_·*/'’](?=[^\W\d_])")  # between two letters of a word


def _chunked(doc: _Doc, by_letters: dict[str, list[str]], known: dict[str, str],
             spelt: Callable[[str, str], bool]) -> list[_Cand]:
    """The words of the names known in this letter cut into pieces, each hidden as the word
    would be (_known_variants): the pieces' letters in a case the name is written in
    (`spelt`: "Oka for", never "oka for" unless the name is lower_too), and either some piece
    no ordinary word ("Oka" of "Oka for") or a title just before ("Mr At wood"): "at wood" is
    no Atwood, nor "Rose hill" a Rosehill. One pass over the words, each looked up by its
    letters."""
    wanted = {b: keys for b, keys in by_letters.items() if len(b) >= CHUNKED_LETTERS}
    if not wanted:
        return []
    starts = {b[:k] for b in wanted for k in range(1, len(b) + 1)}  # what the letters so far may be
    toks, text, out = doc.tokens, doc.text, []
    for i in range(len(toks) - 1):
        letters, cased = "", ""
        for j in range(i, len(toks)):  # (while the letters so far begin a name word)
            word = _INNER_MARKS.sub("", toks[j][2])  # ("O'Ne ill", "Oka-for")
            if _key(letters + word) not in starts or not word.isalpha():  # (keys have no accents)
                break
            if j > i and not _CHUNK_GAP.fullmatch(text, toks[j - 1][1], toks[j][0]):
                break
            cased += word
            letters = _key(cased)
            if (j == i and word == toks[i][2]) or letters not in wanted:
                continue  # (a word written whole is read by the other detectors)
            # (as written, with their accents: "Él an" is no "El an", the Spanish "el" and "an")
            pieces = [doc.marked[toks[k][0]:toks[k][1]] for k in range(i, j + 1)]
            if all(len(p) == 1 for p in pieces) or _in_spaced_word(doc, i, j):
                continue  # letters alone are a name spelt out (SPACED_RUN's), or a longer word's
            titled = i > 0 and toks[i - 1][2].lower().rstrip(".") in doc.rules.titles
            if not titled and all(len(p) > 1 and (p.lower() in doc.rules.stop_words or doc.ordinary(p))
                                  for p in pieces):
                continue
            # the case of its first letter, and capitals throughout or not, as the name is written
            form = cased.upper() if cased.isupper() else cased[0] + cased[1:].lower()
            for key in wanted[letters]:
                if spelt(key, form):
                    # a title just before goes into the tag, as with a name written whole
                    start = toks[i - 1][0] if titled and doc.same_line(i - 1, i) else toks[i][0]
                    cand = _Cand(start, toks[j][1], known[key], known[key] == "name")
                    if out and out[-1].kind == cand.kind and out[-1].end <= start and not text[out[-1].end:start].strip(" \t"):
                        cand = cand._replace(start=out.pop().start)  # "Gra ce Oka for": one name
                    out.append(cand)
                    break
    return out


def _in_spaced_word(doc: _Doc, i: int, j: int) -> bool:
    """Tokens i..j have a single letter just before or after them across a gap, as inside a
    word spaced out ("P R O S E C U T I O N" holds R O S E)."""
    toks, text = doc.tokens, doc.text
    before = i > 0 and len(toks[i - 1][2]) == 1 and _CHUNK_GAP.fullmatch(text, toks[i - 1][1], toks[i][0])
    after = j + 1 < len(toks) and len(toks[j + 1][2]) == 1 and _CHUNK_GAP.fullmatch(text, toks[j][1], toks[j + 1][0])
    return bool(before or after)


@lru_cache(maxsize=512)
def _urn_regex(urn: str) -> re.Pattern:
    chars = [re.escape(c) for c in urn if c.isalnum()]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\s/\-]?".join(chars) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _titled(doc: _Doc) -> list[_Cand]:
    """Names after a title; honorifics and titles_in_tag ("Dr") go into the tag, ranks stay outside."""
    out, toks, titles = [], doc.tokens, doc.rules.titles
    for i, (start, _, word) in enumerate(toks):
        if not word[0].isupper() or word.lower() not in titles or _particle_not_rank(doc, i):
            continue
        if i and toks[i - 1][2].lower() in titles and doc.joined(i - 1, i):
            continue  # inside a chain such as "Detective Sergeant"
        j = i
        while (j + 1 < len(toks) and toks[j + 1][2].lower() in titles and doc.joined(j, j + 1)
               and not _particle_not_rank(doc, j + 1)):
            j += 1
        honorific_only = all(toks[k][2].lower() in doc.rules.honorifics for k in range(i, j + 1))
        upper = honorific_only and word.isupper() and len(word) > 1
        names = doc.grow(j, 3, upper=upper)
        if not names and _month_first_name(doc, j, upper):
            names = [j + 1] + doc.grow(j + 1, 2, upper=upper)  # "Mrs June Patterson", "Mr Sunday Obi"
        if len(names) <= 1 and _stop_surname(doc, names[-1] if names else j, upper):
            names = names + [(names[-1] if names else j) + 1]  # "Mrs Brenda Holiday", "Mr Head"
        number = None  # a police collar number between rank and name: "PC 4521 Smith"
        if not names and j + 1 < len(toks):
            number = COLLAR.fullmatch(doc.text, toks[j][1], toks[j + 1][0])
            names = [j + 1] + doc.grow(j + 1, 2, upper=False) if number and doc.namelike(j + 1) else []
        if not names:
            continue
        begin = start if honorific_only else number.start(1) if number else toks[names[0]][0]
        out.append(_Cand(begin, toks[names[-1]][1], "name", True))
    return out


def _particle_not_rank(doc: _Doc, k: int) -> bool:
    """Token k is a surname particle that is also written as a rank, here in the particle's case
    before a name ("Ms Di Marco"; "DI Marco" is a detective inspector)."""
    word = doc.tokens[k][2]
    return (word.lower() in doc.rules.particles and not word.isupper()
            and doc.particle_run(k, upper=False) is not None)


def _month_first_name(doc: _Doc, i: int, upper: bool) -> bool:
    """The word after token i (a title) is a first name that is also a month or day name ("Mrs
    June Patterson", "DC April Hallam", "Mr Sunday Obi", "Mr Jan Nowak"), and a surname follows
    it: both on the title's line, capitalised as the title is, not inside a protected phrase.
    With no surname after it ("Mrs June") it is left to the other rules."""
    toks, k = doc.tokens, i + 1
    if k + 1 >= len(toks) or toks[k][2].lower() not in doc.rules.months_days:
        return False
    if "\n" in doc.text[toks[i][1]:toks[k + 1][0]] or not (doc.joined(i, k) and doc.joined(k, k + 1)):
        return False
    word, surname = toks[k][2], toks[k + 1][2]
    if not word[0].isupper() or (word.isupper() and len(word) > 1) != upper:
        return False
    if not doc.namelike(k + 1) or surname.lower() in doc.rules.not_surnames or (upper and not surname.isupper()):
        return False
    return _clear(doc, toks[k][0], toks[k + 1][1])


def _month_before(doc: _Doc, j: int) -> bool:
    """Token j is a month or day name used as a first name right before a known surname ("June
    Patterson" once "Mrs June Patterson" is known): capitalised, not in capitals, and not part
    of a date ("on 3 June Patterson", "in June Patterson", "the 4th of June")."""
    s, _, word = doc.tokens[j]
    if word.lower() not in doc.rules.months_days or not word[0].isupper() or word.isupper():
        return False
    before = doc.text[max(0, s - 24):s].rstrip(" \t")
    if re.search(r"\d(?:st|nd|rd|th)?$", before):
        return False
    last = re.search(r"([^\W\d_]+)$", before)
    return not (last and last.group(1).lower() in doc.rules.stop_words)


def _venue_again(doc: _Doc, found: list[_Cand]) -> list[_Cand]:
    """A venue named in full by a pattern ("Hartfield Baths", "Millbrook Leisure Centre"), or a
    school ("Brookfield Primary School"), and then by its name alone after a placing word ("he was
    never at Hartfield", "the damage to Brookfield"): that name is the venue or school too. Its
    name words must all be capitalised and none a stop word; the short form must not run on into
    another capitalised word ("at Hartfield Magistrates' Court", "at Hartfield Baths" itself) or a
    place named after a town ("at Hartfield station": venue_again_not_before).
    When the letter also says "in Hartfield", the name is a town or district there and stays
    everywhere."""
    r, out, names = doc.rules, [], set()
    for c in found:
        if c.kind not in ("place", "school") or not _clear(doc, c.start, c.end):
            continue
        full = doc.text[c.start:c.end]
        m = (r.venue_end if c.kind == "place" else r.school_end).search(full)
        name = full[:m.start()] if m else ""
        words = name.split()
        if words and all(WORD.fullmatch(w) and w[0].isupper() and w.lower() not in r.stop_words for w in words):
            names.add((tuple(words), c.kind))
    if not names:
        return out
    # (the names are looked for word by word in one pass: each name read through the whole letter
    # took time growing as the square of their number)
    text, toks, trie = doc.text, doc.tokens, _trie(words for words, _ in names)
    towns = set()  # "in Hartfield": a town or district in this letter
    for i in range(1, len(toks)):
        if (toks[i - 1][2].lower() == "in" and _SPACES.fullmatch(text, toks[i - 1][1], toks[i][0])
                and not (toks[i - 1][0] and _NOT_BEFORE_WORD.match(text, toks[i - 1][0] - 1))):
            towns |= {words for words, k in _names_at(doc, trie, i) if not _NOT_BEFORE_WORD.match(text, toks[k][1])}
    kinds: dict[tuple[str, ...], list[str]] = {}
    for words, kind in names:
        if words not in towns:
            kinds.setdefault(words, []).append(kind)
    tail = re.compile(rf"(?![\w'’\-])(?![ \t]+(?:[A-Z]|{r.venue_again_not_before}))")
    last_end: dict[tuple[str, ...], int] = {}  # a name's matches do not overlap (as re.finditer's)
    for i in range(len(toks)):
        for words, k in _names_at(doc, trie, i):
            s, e = toks[i][0], toks[k][1]
            if words not in kinds or s < last_end.get(words, 0) or not tail.match(text, e):
                continue
            last_end[words] = e
            if r.venue_again_after.search(text, max(0, s - 20), s):
                out += [_Cand(s, e, kind, True) for kind in kinds[words]]
    return out


_NOT_BEFORE_WORD = re.compile(r"[\w'’\-]")  # what may not come right before or after a whole name
_SPACES = re.compile(r"[ \t]+")
_END = ""  # the key of a name's end in a trie (no word is empty)


def _trie(names: Iterable[tuple[str, ...]]) -> dict:
    """Names (tuples of words) as a tree of their words, for finding them all in one pass."""
    root: dict = {}
    for words in names:
        node = root
        for w in words:
            node = node.setdefault(w, {})
        node[_END] = words
    return root


def _names_at(doc: _Doc, trie: dict, i: int) -> Iterable[tuple[tuple[str, ...], int]]:
    """The names of `trie` written from token i (not right after a letter, digit, apostrophe or
    hyphen), their words apart by spaces or tabs: each name and the index of its last token."""
    toks, text, node = doc.tokens, doc.text, trie
    if toks[i][0] and _NOT_BEFORE_WORD.match(text, toks[i][0] - 1):
        return
    for k in range(i, len(toks)):
        node = node.get(toks[k][2])
        if node is None:
            return
        if _END in node:
            yield node[_END], k
        if k + 1 == len(toks) or not _SPACES.fullmatch(text, toks[k][1], toks[k + 1][0]):
            return


def _stop_surname(doc: _Doc, i: int, upper: bool) -> bool:
    """The word after token i (a title, or a title's one name word) is a surname that is also a
    stop word ("Mrs Brenda Holiday", "Mr Head"): listed, on the same line, capitalised as the name
    around it, the last word of the name (not before a capitalised word or "of": "Mr Cole Head
    of Unit", "Ms Cole Senior Caseworker") and not inside a protected phrase."""
    toks, k = doc.tokens, i + 1
    if k >= len(toks) or not doc.joined(i, k) or "\n" in doc.text[toks[i][1]:toks[k][0]]:
        return False
    s, e, word = toks[k]
    if word.lower() not in doc.rules.stop_surnames or not word[0].isupper() or word.isupper() != upper:
        return False
    if k + 1 < len(toks) and doc.joined(k, k + 1) and "\n" not in doc.text[e:toks[k + 1][0]]:
        after = toks[k + 1][2]
        if after[0].isupper() or after.lower() == "of":
            return False
    return _clear(doc, s, e)


def _pairs(doc: _Doc) -> list[_Cand]:
    """A listed first name followed by one or two capitalised words."""
    out, toks, r = [], doc.tokens, doc.rules
    for i, (start, _, word) in enumerate(toks):
        low = word.lower()
        if low not in r.first_names or low in r.months_days or not word[0].isupper():
            continue
        if r.saint.search(doc.text, max(0, start - 8), start):  # "St Mary's Hospital", "Saint John's"
            continue
        names = doc.grow(i, 2, upper=word.isupper() and len(word) > 1)
        while names and toks[names[-1]][2].lower() in r.not_surnames:
            names.pop()
        if names:
            out.append(_Cand(start, toks[names[-1]][1], "name", True))
    return out


def _surname_pairs(doc: _Doc) -> list[_Cand]:
    """A capitalised word right before a listed surname that is no English word ("Rain Patel",
    "Blessing Hussain"): a first name, whatever it is, unless it opens a sentence as an
    ordinary word ("Yesterday Patel said"); and a capitalised word before "and" ahead of such a
    pair shares the surname ("Sunny and Rain Patel"; "Amy, Ben and Cara Khan") when it is a
    listed first name or an ordinary word written as a name, not a town ("Cardiff and ...")."""
    r, toks, out = doc.rules, doc.tokens, []
    for i in range(1, len(toks)):
        s, e, w = toks[i]
        low = _key(w)
        if low not in r.surnames or not w[0].isupper():
            continue
        j = i - 1
        first = toks[j][2]
        if (not doc.namelike(j) or not doc.joined(j, i) or not doc.same_line(j, i)
                or first.lower() in r.months_days or first.lower() in r.not_surnames or first.isupper()
                or (doc.sentence_start(toks[j][0]) and doc.ordinary(first) and first.lower() not in r.first_names)
                or r.saint.search(doc.text, max(0, toks[j][0] - 8), toks[j][0])):
            continue
        start = toks[j][0]
        k = j  # "Sunny and Rain Patel", "Amy, Ben and Cara Patel": back along the list
        while True:
            m = _LIST_BACK.search(doc.text, max(0, toks[k][0] - 8), toks[k][0])
            p = bisect.bisect_left(doc.starts, m.start()) - 1 if m else -1
            if (p < 0 or toks[p][1] != m.start() or not doc.namelike(p) or toks[p][2].isupper()
                    or toks[p][2].lower() in r.months_days or toks[p][2].lower() in r.not_surnames
                    or "\n" in doc.text[toks[p][1]:toks[k][0]]):
                break
            word = toks[p][2].lower()  # a first name, or a word as a name ("Sunny"), not a town
            if word not in r.first_names and word not in r.not_alone and not (
                    doc.ordinary(word) and not doc.sentence_start(toks[p][0])):
                break
            out.append(_Cand(toks[p][0], toks[p][1], "name", True))
            k = p
        out.append(_Cand(start, e, "name", True))
    return out


def _surname_first(doc: _Doc) -> list[_Cand]:
    """A surname written first (surname_first) and one or two capitalised words after it on its
    line: "Nguyen Van An", "Tran Thi Mai" (rules/redaction.yml surname_first, given_stop_words)."""
    r, toks, out = doc.rules, doc.tokens, []
    for i in range(len(toks) - 1):
        w = toks[i][2]
        if not w[0].isupper() or _key(w) not in r.surname_first:
            continue
        k = i + 1
        while (k < len(toks) and k - i <= 2 and doc.same_line(k - 1, k) and toks[k][2][0].isupper()
               and toks[k][2].lower() not in r.months_days
               and (doc.namelike(k) or toks[k][2].lower() in r.given_stop_words)):
            k += 1
        if k > i + 1:
            out.append(_Cand(toks[i][0], toks[k - 1][1], "name", True))
    return out


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_STOP_WORDS = _stop_words()


def _lower_case_names(doc: _Doc) -> list[_Cand]:
    """A name typed in lower case after a name cue ("the case against kyle dunn", "his brother
    wayne dunn") or a lower-case title ("mr wisniewski"): the first word a listed first name or
    no ordinary word, the next no ordinary word, each of lower_case_name_min_letters letters or
    more but a listed first name ("fiancé, déjà vu" stays); two words, or one after a title."""
    r, toks, out = doc.rules, doc.tokens, []
    if not doc.lower_words:
        return out
    starts = [(m.end(), False) for m in doc.cues() if "a" <= doc.text[m.end()] <= "z"]
    starts += [(m.end(), True) for m in r.lower_title_name.finditer(doc.text)]
    for start, titled in starts:
        i = bisect.bisect_left(doc.starts, start)
        if i >= len(toks) or toks[i][0] != start:
            continue
        first = toks[i][2]
        # (a word English uses to build sentences is never one: "The defendant will therefore
        # not face trial" read "The defendant [NAME] not face trial", "via whatsapp" a name; a
        # review)
        if (not first.islower() or first in r.stop_words or first in r.titles or first in _STOP_WORDS
                or (first not in r.first_names and doc.ordinary(first))):
            continue
        if titled:
            if len(first) >= r.lower_name_min_letters:  # ("dont miss ur chance": no name)
                out.append(_Cand(_title_start(doc, start), toks[i][1], "name", True))
            continue
        k = i + 1
        if (k < len(toks) and doc.same_line(i, k) and toks[k][2].islower() and toks[k][2] not in r.stop_words
                and toks[k][2] not in _STOP_WORDS and toks[k][2] not in r.lower_not_names
                and not doc.ordinary(toks[k][2]) and len(toks[k][2]) >= r.lower_name_min_letters
                and (len(first) >= r.lower_name_min_letters or first in r.first_names)):
            out.append(_Cand(toks[i][0], toks[k][1], "name", True))
    return out


def _title_start(doc: _Doc, start: int) -> int:
    """Where the lower-case title before `start` begins ("mr " of "mr wisniewski")."""
    m = doc.rules.lower_title_before.search(doc.text, max(0, start - 8), start)
    return m.start() if m else start


_LIST_BACK = re.compile(r"(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+)$")


def _alone(doc: _Doc) -> list[_Cand]:
    """A listed first name on its own (not before a place word such as "Park")."""
    r, toks, out = doc.rules, doc.tokens, []
    for i, (s, e, w) in enumerate(toks):
        low = w.lower()
        if low not in r.first_names or low in r.not_alone or low in r.stop_words:
            continue
        if not w[0].isupper() or w.isupper() or doc.ambiguous(s, e, w) or r.saint.search(doc.text, max(0, s - 8), s):
            continue
        if i + 1 < len(toks) and toks[i + 1][2].lower() in r.not_surnames and doc.joined(i, i + 1):
            continue
        out.append(_Cand(s, e, "name", True))
    return out


def _span_of_words(doc: _Doc, start: int, end: int) -> list[int]:
    """Indices of the words wholly inside [start, end)."""
    i = bisect.bisect_left(doc.starts, start)
    out = []
    while i < len(doc.tokens) and doc.tokens[i][1] <= end:
        out.append(i)
        i += 1
    return out


def _name_line(doc: _Doc, start: int, end: int, max_words: int) -> _Cand | None:
    """A line (or part) that is only a name with no title: 1..max_words capitalised words,
    surname particles and the word after them counting as one ("Elisabeth van der Berg")."""
    idx = _span_of_words(doc, start, end)
    if not idx or doc.tokens[idx[0]][2].lower() in doc.rules.titles:
        return None
    pos = words = 0
    while pos < len(idx):
        run = doc.particle_run(idx[pos], upper=False)
        if run is not None and run <= idx[-1]:
            pos += run - idx[pos] + 1
        elif doc.namelike(idx[pos]) or doc.initial(idx[pos]):
            pos += 1
        else:
            return None
        words += 1
    if words > max_words:
        return None
    if re.search(r"[\d@:/\[\]<>{}]", doc.text[start:end]):
        return None
    return _Cand(doc.tokens[idx[0]][0], doc.tokens[idx[-1]][1], "name", True)


def _greeting(doc: _Doc) -> list[_Cand]:
    out = []
    for m in _GREETING_NAME.finditer(doc.text):
        idx = _span_of_words(doc, *m.span(1))
        if idx and doc.tokens[idx[0]][2].lower() not in doc.rules.impersonal:
            cand = _name_line(doc, *m.span(1), max_words=3)
            out += [cand] if cand else []
    return out


def _sign_off(doc: _Doc) -> list[_Cand]:
    """The line under the sign-off. A surname that is also a word ("Rachel Senior") counts when
    the line starts with a name and every word is capitalised."""
    out = []
    for m in doc.rules.sign_off.finditer(doc.text):
        start, end = m.span(1)
        bracket = doc.text.find("(", start, end)  # "Smith, John (VLO)": the role in brackets stays
        end = bracket if bracket > start else end
        cand = _name_line(doc, start, end, max_words=4)
        if cand is None:
            idx = _span_of_words(doc, start, end)
            if (1 < len(idx) <= 4 and doc.namelike(idx[0]) and _clear(doc, start, end)
                    and all(doc.tokens[i][2][0].isupper() for i in idx)
                    and not re.search(r"[\d@:/\[\]<>{}]", doc.text[start:end])):
                cand = _Cand(doc.tokens[idx[0]][0], doc.tokens[idx[-1]][1], "name", True)
        out += [cand] if cand else _lower_signature(doc, start, end)
    return out


def _lower_signature(doc: _Doc, start: int, end: int) -> list[_Cand]:
    """A signature name typed in lower case ("john smith" under "Yours sincerely"): two or three
    words of letters alone on the line, none a word of a team or service (sign_off_not_names),
    the first a listed first name or no ordinary word."""
    line = doc.text[start:end]
    words = line.split()
    if not 2 <= len(words) <= 3 or not all(re.fullmatch(r"[a-z][a-z'’\-]+", w) for w in words):
        return []
    if any(w in doc.rules.sign_off_not_names or w in doc.rules.titles for w in words) or not _clear(doc, start, end):
        return []
    if words[0] not in doc.rules.first_names and doc.ordinary(words[0]):
        return []  # "please reply soon": words, not a name
    lead = len(line) - len(line.lstrip())
    return [_Cand(start + lead, start + lead + len(line.strip()), "name", True)]


# A role line: a role of one to five words ("Site Manager", "Head of Income"), a comma, the rest.
ROLE_LINE = re.compile(r"[ \t]*((?:[A-Z][\w'’\-]*)(?:[ \t]+(?:[A-Z][\w'’\-]*|of|and|&)){0,4})"
                       r"[ \t]*,[ \t]*(\S.*?)[ \t]*")


def _recipient_organisation(doc: _Doc) -> list[_Cand]:
    """The organisation on the role line under the recipient's name above the greeting ("Mrs Ann
    Cole" then "Site Manager, Moorside Service Station, Halifax"), and the same name wherever it
    comes again in the letter ("fuel taken from Moorside Service Station"). The role and the town
    stay. The organisation is the first part after the role: not a house number or street, not a
    protected name, and alone on the line only with two words or more ("Store Manager, Leeds"
    stays: a town)."""
    dear = re.search(r"(?m)^[ \t]*Dear\b", doc.text)
    if not dear:
        return []
    r, out, names = doc.rules, [], set()
    lines = _lines(doc.text, 0, dear.start())
    for k in range(1, len(lines)):
        s, e = lines[k]
        m = ROLE_LINE.fullmatch(doc.text, s, e)
        above = doc.text[slice(*lines[k - 1])].strip()
        if not m or not above or not any(w.lower() in r.role_words for w in WORD.findall(m.group(1))):
            continue
        first = WORD.match(above)
        if not (first and first.group().lower() in r.titles) and _name_line(doc, *lines[k - 1], 4) is None:
            continue  # not right under the recipient's name
        parts = m.group(2).split(",")
        org = parts[0].rstrip()
        words = WORD.findall(org)
        if (not words or not org[0].isupper() or re.search(r"\d", org)
                or (len(parts) == 1 and len(words) < 2)):
            continue
        start = m.start(2)
        if _clear(doc, start, start + len(org)):
            out.append(_Cand(start, start + len(org), "organisation"))
            names.add(org)
    # (all names in one pass: each read through the whole letter took time growing as the square
    # of their number)
    out += [_Cand(s, e, "organisation", True) for s, e in _phrases_in(doc.text, names)]
    return out


_NOT_AFTER_NAME = re.compile(r"[\w\-]|['’](?![sS]\b)")  # "Moorside Service Station's" is the name
_WHITE = re.compile(r"\s+")


def _phrases_in(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase is written whole, its words (as str.split gives them) apart by any white
    space: (start, end) of each, a phrase's places not overlapping (as re.finditer finds them)."""
    trie = _trie(tuple(p.split()) for p in phrases if p.split())
    if not trie:
        return []
    lengths: dict[int, set[int]] = {}  # id of a node -> the lengths of its words
    nodes = [trie]
    while nodes:
        node = nodes.pop()
        lengths[id(node)] = {len(w) for w in node if w != _END}
        nodes += [child for w, child in node.items() if w != _END]
    out, last_end = [], {}
    firsts = re.compile("[" + "".join(sorted({re.escape(w[0]) for w in trie})) + "]")
    for first in firsts.finditer(text):
        p = first.start()
        if p and _NOT_BEFORE_WORD.match(text, p - 1):
            continue
        stack = [(trie, p)]
        while stack:
            node, q = stack.pop()
            for n in lengths[id(node)]:
                e = q + n
                child = node.get(text[q:e]) if e <= len(text) else None
                if child is None:
                    continue
                if _END in child and not _NOT_AFTER_NAME.match(text, e) and p >= last_end.get(child[_END], 0):
                    out.append((p, e))
                    last_end[child[_END]] = e
                white = _WHITE.match(text, e)
                if white and len(child) > (_END in child):
                    stack.append((child, white.end()))
    return out


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for line in text[start:end].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _address_block(doc: _Doc) -> tuple[list[_Cand], list[_Cand]]:
    """Address lines above the greeting, and the recipient's name line above them."""
    dear = re.search(r"(?m)^[ \t]*Dear\b", doc.text)
    if not dear:
        return [], []
    lines = _lines(doc.text, 0, dear.start())
    anchors = [i for i, (s, e) in enumerate(lines) if _is_address_line(doc, s, e)]
    addresses, names = [], []
    for top, bottom in _runs(doc, lines, anchors):
        while bottom + 1 < len(lines) and _is_locality(doc, *lines[bottom + 1]):
            bottom += 1
        ups = []  # place lines above the first address line, up to a title line or a gap
        while top - len(ups) > 0 and _is_place(doc, *lines[top - len(ups) - 1]):
            ups.append(top - len(ups) - 1)
        if ups and _starts_block(doc, lines, ups[-1]) and not _is_building(doc, *lines[ups[-1]]):
            cand = _name_line(doc, *lines[ups.pop()], max_words=4)  # the recipient, untitled
            names += [cand] if cand else []
        top = ups[-1] if ups else top
        start, end = lines[top][0], lines[bottom][1]
        text = doc.text[start:end]
        addresses.append(_Cand(start + len(text) - len(text.lstrip()),
                               end - (len(text) - len(text.rstrip())), "address"))
    return addresses, names


def _recipient_block(doc: _Doc, found: list[_Cand]) -> list[_Cand]:
    """Every line under the recipient's name above the greeting, to a blank line or a line of
    recipient_block.stop_line, hidden whole as one address (rules/redaction.yml recipient_block)."""
    # (the first greeting in either language: in a letter in Welsh first, "Annwyl", the Welsh
    # sign-off's role and service were read as an address above the English "Dear"; a review)
    dear = re.search(r"(?m)^[ \t]*(?:Dear|Annwyl)\b", doc.text)
    if not dear:
        return []
    lines = _lines(doc.text, 0, dear.start())
    victims = sorted((c.start, c.end) for c in found if c.kind == "victim" and c.end <= dear.start())
    out, k = [], 0
    while k < len(lines):
        if not _recipient_line(doc, lines, k, victims):
            k += 1
            continue
        j = k + 1
        # (an address has at most recipient_block.most_lines lines: with no blank line under it,
        # the reference, date and heading lines after it were hidden too; a review)
        while j < len(lines) and j - k <= doc.rules.recipient_most_lines and _recipient_address_line(doc, *lines[j]):
            j += 1
        if j > k + 1:
            start, end = lines[k + 1][0], lines[j - 1][1]
            text = doc.text[start:end]
            out.append(_Cand(start + len(text) - len(text.lstrip()), end - (len(text) - len(text.rstrip())), "address"))
        k = j
    return out


def _recipient_line(doc: _Doc, lines: list[tuple[int, int]], k: int, victims: list[tuple[int, int]]) -> bool:
    """Line k names the recipient: the victim's name, a titled name, "To:" and a name, or an
    untitled name with a figure on the next line. No figure, "@" or ":" past a cue."""
    s, e = lines[k]
    line = doc.text[s:e]
    cue = doc.rules.recipient_cue.match(line)
    body_start = s + (cue.end() if cue else 0)
    body = doc.text[body_start:e]
    words = WORD.findall(body)
    if not words or len(words) > 7 or re.search(r"[\d@:/]", body) or not _clear(doc, body_start, e):
        return False
    if cue or words[0].lower().rstrip(".") in doc.rules.titles:
        return True
    # (the victim's name the whole line: the one victim span starting at or before the line's
    # words, found by bisection; a scan of them all made 200 KB of name lines take a minute)
    first = body_start + len(body) - len(body.lstrip())
    at = bisect.bisect_right(victims, (first, float("inf"))) - 1
    if at >= 0 and victims[at][1] >= s + len(line.rstrip()):
        return True
    nxt = doc.text[slice(*lines[k + 1])] if k + 1 < len(lines) else ""
    return bool(re.search(r"\d", nxt)) and _name_line(doc, body_start, e, 4) is not None


def _recipient_address_line(doc: _Doc, s: int, e: int) -> bool:
    line = doc.text[s:e]
    if not line.strip() or doc.rules.recipient_stop.match(line) or not _clear(doc, s, e):
        return False
    return not any(w.lower() in doc.rules.role_words for w in WORD.findall(line))


def _starts_block(doc: _Doc, lines: list[tuple[int, int]], k: int) -> bool:
    return k == 0 or not doc.text[lines[k - 1][0]:lines[k - 1][1]].strip()


def _runs(doc: _Doc, lines: list[tuple[int, int]], anchors: list[int]) -> list[tuple[int, int]]:
    """Group anchor lines of one block (no empty line between them)."""
    runs: list[list[int]] = []
    for i in anchors:
        if runs and all(_is_place(doc, *lines[k]) for k in range(runs[-1][1] + 1, i)):
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b) for a, b in runs]


def _clear(doc: _Doc, s: int, e: int) -> bool:
    return not any(ps < e and pe > s for ps, pe in doc.protected)


def _is_address_line(doc: _Doc, s: int, e: int) -> bool:
    """A header line that is an address: a street or postcode with only place words around it,
    or a line starting with a house number. (Its text alone decides: kept for the letter by the
    text, as a line repeated thousands of times was read again each time.)"""
    line = doc.text[s:e]
    found = doc.address_lines.get(line)
    if found is None:
        found = doc.address_lines[line] = _address_line(doc.rules, line)
    return found


def _address_line(rules: RedactionRules, line: str) -> bool:
    """`_is_address_line` of a line's text, worked out."""
    if rules.house_line.fullmatch(line):
        return True
    role = ROLE_LINE.fullmatch(line)
    if role and any(w.lower() in rules.role_words for w in WORD.findall(role.group(1))):
        return False  # "Store Manager, Fresh Basket, 8 Bridge Street": the role stays
    rest, hit = line, False
    for p in rules.patterns:
        if p.kind == "address":
            rest, n = p.regex.subn(",", rest)
            hit = hit or n > 0
    rest = rest.strip(" \t,")
    return hit and (not rest or bool(rules.locality_line.fullmatch(rest)))


def _is_place(doc: _Doc, s: int, e: int) -> bool:
    """A non-empty line of place words (or a building line), not a title line or a service."""
    line = doc.text[s:e]
    if not line.strip() or not doc.rules.locality_line.fullmatch(line) or not _clear(doc, s, e):
        return False
    first = WORD.match(line.strip())
    return not (first and first.group().lower() in doc.rules.titles)


def _is_locality(doc: _Doc, s: int, e: int) -> bool:
    return _is_place(doc, s, e) and not re.search(r"\d", doc.text[s:e])


def _is_building(doc: _Doc, s: int, e: int) -> bool:
    line = doc.text[s:e]
    return bool(re.search(r"\d", line)) or any(w.lower() in doc.rules.building_words for w in WORD.findall(line))


def _known_parts(doc: _Doc, names: list[_Cand], context: LetterContext | None,
                 extra: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Every word of every name found (lower case) -> its tag kind, the victim's winning; the
    words of the names given (the victim's and extra_names) alone; and their last words. Surname
    particles are no name on their own ("de", "van"; a last word "Le" is)."""
    known: dict[str, str] = {}
    for cand in names:
        idx = _span_of_words(doc, cand.start, cand.end)
        for i in idx:
            if doc.namelike(i) and (doc.tokens[i][2].lower() not in doc.rules.particles or i == idx[-1]):
                known[_key(doc.tokens[i][2])] = "name"
    given: dict[str, str] = {}
    surnames: dict[str, str] = {}
    named = [(n, "name") for n in extra]
    if context is not None and context.victim_name:
        named.append((context.victim_name, "victim"))
    for name, kind in named:
        spelt = _name_spellings(name)
        given.update({_key(p): kind for p in _name_words(name)})
        # its other spellings ("JeanLuc", "Mueller": _name_spellings)
        given.update({_key(v): kind for p in _name_words(name) for v in spelt.words.get(p, ())})
        given.update({_key(v): kind for v in spelt.joined})
        shape = _name_shape(name)
        if shape:
            surnames[_key(shape[2])] = kind
            surnames.update({_key(v): kind for v in spelt.words.get(shape[2], ())})  # "the Muellers"
    known.update(given)
    return known, given, surnames


# A word broken at the end of a line with a hyphen, as a PDF or an e-mail wraps it: "Mr Now-"
# then "ak told the police" on the next line.
_LINE_END_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)")


def _broken_at_line_end(doc: _Doc, known: dict[str, str]) -> list[_Cand]:
    """Known name words broken over two lines with a hyphen ("Now-\nak" for Nowak), hidden whole:
    the panel read "Mr Now-\nak" in text pasted from a PDF (an audit). Only a known name's word
    is joined so; "well-\nknown" stays as it is."""
    if "-" not in doc.text or "\n" not in doc.text:
        return []
    out = []
    for m in _LINE_END_BREAK.finditer(doc.text):
        kind = known.get(_key(m.group(1) + m.group(2)))
        if kind:
            out.append(_Cand(m.start(), m.end(), kind))
    return out


def _known_again(doc: _Doc, parts: tuple[dict[str, str], dict[str, str], dict[str, str]]) -> list[_Cand]:
    """Known name words on their own, taking an unknown first name before them with them
    ("Karl Denton" once "Mr Denton" is known); then once more for the names so learnt."""
    known, given, surnames = parts
    out, learnt = _known_once(doc, known, given, surnames)
    if learnt:
        out += _known_once(doc, {w: "name" for w in learnt if w not in known}, {}, {})[0]
    return out


def _known_once(doc: _Doc, known: dict[str, str], given: dict[str, str],
                surnames: dict[str, str]) -> tuple[list[_Cand], set[str]]:
    """`given`: the words of the names given (the victim's, extra_names), also hidden in lower case
    when no ordinary word ("nowak"); `surnames`: their last words, also hidden as the family's
    plural ("the Nowaks", "the Fields": an ordinary word only after "the")."""
    out, learnt, toks = [], set(), doc.tokens
    for i, (s, e, w) in enumerate(toks):
        key = _key(w)
        kind = known.get(key)
        if not kind:
            plural = _family_plural(doc, i, surnames)
            if plural:
                out.append(_Cand(doc.tokens[doc.particles_before(i)][0], e, plural, plural == "name"))
            joined = _hyphened_given(doc, s, w, given) or _camel_given(doc, w, given)
            if joined:
                out.append(_Cand(s, e, joined, joined == "name"))
            owner = None if plural or joined else _bare_possessive(doc, w, known)
            if owner:  # "causing Serens death": hidden whole, as "Mr Treachers car" is
                out.append(_Cand(s, e, owner, owner == "name"))
            elif not (plural or joined) and _misspelt_given(doc, w, given):
                out.append(_Cand(s, e, "name", True))
            continue
        if not w[0].isupper():
            if (w.islower() and given.get(key) and len(w) >= 3 and key not in doc.rules.particles
                    and (not doc.ordinary(w) or _vocative(doc, s, e)) and not doc.welsh_line(s)):
                # "addressed to nowak"; "grace, I want to be frank with you" (spoken to)
                out.append(_Cand(doc.tokens[doc.particles_before(i)][0], e, given[key], given[key] == "name"))
            continue
        if ((kind == "name" and w.lower() in doc.rules.stop_words) or doc.ambiguous(s, e, w, known=True)
                or doc.month_reading(s, e, w)):
            continue
        first = doc.particles_before(i)  # "van der Berg" for a known "Berg"
        out.append(_Cand(toks[first][0], e, kind, kind == "name"))
        s, i = toks[first][0], first
        j = i - 1
        if (j >= 0 and _key(toks[j][2]) not in known and doc.namelike(j) and doc.joined(j, i)
                and "\n" not in doc.text[toks[j][1]:s]
                # (at a sentence's start only a word that is no ordinary word: "Re: Bronwen
                # Castellano", not "Yesterday Castellano said")
                and (not doc.sentence_start(toks[j][0]) or not (doc.ordinary(toks[j][2]) or _CONTRACTION.search(toks[j][2])))
                and toks[j][2].lower() not in doc.rules.months_days):
            out.append(_Cand(toks[j][0], e, "name", True))
            learnt.add(_key(toks[j][2]))
        elif (j >= 0 and kind == "name" and doc.joined(j, i) and "\n" not in doc.text[toks[j][1]:s]
                and _month_before(doc, j)):
            out.append(_Cand(toks[j][0], e, "name", True))  # "June Patterson": not learnt
    return out, learnt



# A word with a contraction's ending ("I'm", "We’ll", "Here's"): no first name.
_CONTRACTION = re.compile(r"['’](?:m|ll|ve|d|re|s|t)$", re.I)


def _bare_possessive(doc: _Doc, word: str, known: dict[str, str]) -> str | None:
    """`word` is a known name with a possessive "s" and no apostrophe ("causing Serens death" for
    a Seren named in the letter, "SERENS" in capitals): the name's kind. Not where the name or
    the word with its "s" is an ordinary word or a name that is one (common_word_names, or seen
    in lower case in this letter: "Marks", "Bills", "Roses", "Parks" stay), nor a stop word."""
    if len(word) < 4 or not word[0].isupper() or word[-1] != ("S" if word.isupper() else "s"):
        return None
    base = word[:-1]
    kind = known.get(_key(base))
    if (not kind or base.lower() in doc.rules.stop_words or doc.is_common(base)
            or doc.ordinary(base) or doc.ordinary(word)):
        return None
    return kind


def _hyphened_given(doc: _Doc, start: int, word: str, given: dict[str, str]) -> str | None:
    """`word` (at `start`) is joined by hyphens and some of its capitalised pieces are a word of a
    name given ("Okafor-Smith", "OKAFOR-TILES", "Smith-Okafor" for an Okafor; "Élan-Tiles" for a
    Zoë Élan; "Lloyd-Davies-Tiles" for a Lloyd-Davies; "Vo-Tiles" for a Vo): the kind of that
    name, and the whole word is hidden (the name in the word reached the panel). A piece that is
    also an ordinary word only inside a sentence, not in capitals and of three letters or more,
    and never a month or day ("Price-Tiles paid"; "Long-Term Support" as a heading,
    "FIELD-TESTED", "Co-Op", "June-July", "mid-May" stay)."""
    if "-" not in word or not given:  # ("mid-May", "pre-Christmas": no name in them; "pre-Castellano" has)
        return None
    pieces = word.split("-")
    for i in range(len(pieces)):
        for j in range(i + 1, len(pieces) + (i > 0)):  # (the whole word is looked up as it is)
            part = "-".join(pieces[i:j])
            key = _key(part)
            if len(part) < 2 or not part[0].isupper() or key not in given or key in doc.rules.particles:
                continue
            if key in doc.rules.months_days or (doc.ordinary(part) and (
                    len(part) < 3 or part.isupper() or doc.sentence_start(start))):
                continue  # ("June-July" for a Ms June, "Co-Op" for a Ms Co)
            return given[key]
    return None


def _misspelt_given(doc: _Doc, word: str, given: dict[str, str]) -> bool:
    """`word` is a word of a name given spelt one letter out ("Castelano", "Bronwyn" for a
    Bronwen Castellano: a letter left out, added, changed, or two swapped), as drafts misspell the
    name the checks then flag: hidden as a [NAME], whose owner is not known for sure (a "Samul"
    in a letter to a Samuel may be someone else: never tagged the victim). Five letters or more,
    capitalised, no ordinary word, month or day ("March" is no Marsh)."""
    if not given or len(word) < 5 or not word[0].isupper() or not word.isalpha():
        return False
    key = _key(word)
    if key in given or key in doc.rules.months_days or doc.ordinary(word):
        return False
    return any(len(name) >= 5 and abs(len(name) - len(key)) <= 1 and _one_letter_out(key, name) for name in given)


def _one_letter_out(a: str, b: str) -> bool:
    """Are `a` and `b` one letter apart: one changed, left out or added, or two side by side swapped?"""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


# The pieces of a word written in camel case: "JusticeForBronwen" -> Justice, For, Bronwen.
_CAMEL_PIECE = re.compile(r"[A-Z][a-z'’]+|[a-z'’]+|[A-Z]+(?![a-z])")


def _camel_given(doc: _Doc, word: str, given: dict[str, str]) -> str | None:
    """`word` runs a word of a name given into others with capitals inside it, as hashtags and
    page names do ("#JusticeForBronwen", "CastellanoFamily", "MsCastellano" for a Bronwen
    Castellano): the kind of that name, and the whole word is hidden. A piece of three letters or
    more that is no ordinary word, month or day ("SmithField" hides nothing for a Ms Field)."""
    if not given or word.isupper() or word.islower() or not any(c.isupper() for c in word[1:]):
        return None
    for piece in _CAMEL_PIECE.findall(word):
        key = _key(piece)
        if (len(piece) >= 3 and key in given and key not in doc.rules.particles
                and key not in doc.rules.months_days and not doc.ordinary(piece)):
            return given[key]
    return None


def _vocative(doc: _Doc, s: int, e: int) -> bool:
    """The word at s:e is the person spoken to: it opens a sentence with a comma after it
    ("grace, I want to be frank with you") or closes one after a comma ("Thank you, grace.").
    A name given for this letter that is also an ordinary word is then the name, in lower case too."""
    text = doc.text
    after = text[e:e + 1]
    if after == "," and doc.sentence_start(s):
        return bool(doc.rules.spoken_to.match(text, e + 1))  # not a list: "grace, dignity and care"
    return after in (".", "!", "?") and text[max(0, s - 2):s] == ", "


def _family_plural(doc: _Doc, i: int, surnames: dict[str, str]) -> str | None:
    """Token i is the plural of a given surname, the family ("the Nowaks", "the Nowaks'", "the
    Joneses"): its kind, else None. Capitalised, or in lower case when the surname is no
    ordinary word; a surname that is an ordinary word only right after "the" ("the Fields", not
    "Playing Fields" or "the fields")."""
    w = doc.tokens[i][2]
    if not surnames or w[-1] not in "sS":
        return None
    key = _key(w)
    for cut in (1, 2):
        base = key[:-cut]
        if key[-cut:] not in ("s", "es") or base not in surnames:
            continue
        ordinary = doc.ordinary(base) or doc.ordinary(key)
        if not w[0].isupper() and (ordinary or not w.islower() or doc.welsh_line(doc.tokens[i][0])):
            return None
        k = doc.particles_before(i)  # "the van der Bergs"
        if ordinary and not (k > 0 and doc.tokens[k - 1][2].lower() == "the" and doc.same_line(k - 1, k)):
            return None
        return surnames[base]
    return None


def _resolve(cands: list[_Cand], doc: _Doc) -> list[_Cand]:
    """Drop guesses inside protected phrases, then merge overlaps: the longest gives the tag."""
    kept = [c for c in (_off_protected(doc, c) for c in cands) if c is not None]
    kept.sort(key=lambda c: (c.start, -c.end))
    rank = doc.rules.rank
    merged: list[_Cand] = []
    group: list[_Cand] = []
    end = 0  # the group's furthest end (kept as it grows: a long chain of overlaps stays linear)
    for c in kept + [None]:  # type: ignore[list-item]
        if c is not None and group and c.start < end:
            group.append(c)
            end = max(end, c.end)
            continue
        if group:
            best = max(group, key=lambda g: (g.end - g.start, -rank.get(g.kind, 99)))
            merged.append(_Cand(_couple_start(doc, group[0].start, best.kind), end, best.kind, tag=best.tag))
        group = [c] if c is not None else []
        end = c.end if c is not None else 0
    return merged


_COUPLE = re.compile(r"(?<![\w'’\-])([A-Za-z]+)\.?[ \t]+(?:and|&)[ \t]+$")


def _couple_start(doc: _Doc, start: int, kind: str) -> int:
    """Where a name starts when a couple is named by one surname: "Mr and Mrs Hollis" is one
    name, all of it in the tag (not "Mr and [NAME]"), as the title of one name goes in its tag."""
    if kind not in ("name", "victim"):
        return start
    m = _COUPLE.search(doc.text, max(0, start - 20), start)
    if m and m.group(1).lower() in doc.rules.honorifics and doc.text[start:start + 8].split()[0].rstrip(".").lower() in doc.rules.honorifics:
        return m.start()
    return start


def _house_names(doc: _Doc, spans: list[_Cand]) -> list[_Cand]:
    """A house's name in quotes right before an address that is hidden ("“Rosemount”, 9 Old Mill
    Road", house_name in rules/redaction.yml; or "The Willows, " with no quotes), or with the address starting inside its quotes
    ("‘Ty'n y Coed’, 4 ...": "Coed’" read as a word of the address), is part of the address: the
    tag starts at its opening quote, and takes in a tag inside the quotes ("“Rose Cottage”" for a
    victim called Rose), which would name the house in part."""
    out: list[_Cand] = []
    for c in spans:
        if c.kind == "address":
            names = doc.rules.house_name.finditer(doc.text, max(0, c.start - 200), min(len(doc.text), c.start + 200))
            m = next((m for m in names if m.start() < c.start <= m.end() and _clear(doc, m.start(), c.start)), None)
            # (the spans are in order and apart: those inside the quotes are the last ones; looking
            # through all of them for each address took time growing as the square of their number)
            k = len(out)
            while m and k and out[k - 1].end > m.start():
                k -= 1
            if m and all(o.start >= m.start() for o in out[k:]):
                del out[k:]
                c = c._replace(start=m.start())
        out.append(c)
    return out


def _off_protected(doc: _Doc, c: _Cand) -> _Cand | None:
    if not c.heuristic or _clear(doc, c.start, c.end):
        return c
    first = min(ps for ps, pe in doc.protected if ps < c.end and pe > c.start)
    if c.pattern is None or first <= c.start:
        return None
    end = c.start + len(doc.text[c.start:first].rstrip(" \t\n,"))
    return c._replace(end=end) if c.pattern.fullmatch(doc.text, c.start, end) else None


def _apply(text: str, spans: list[_Cand], rules: RedactionRules) -> Redacted:
    out, reps, pos = [], [], 0
    for c in spans:
        tag = c.tag or rules.tags[c.kind]
        out += [text[pos:c.start], tag]
        reps.append(Replacement(c.start, c.end, tag))
        pos = c.end
    out.append(text[pos:])
    return Redacted(text="".join(out), replacements=reps)
