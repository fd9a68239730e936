"""salutation: no greeting, an impersonal one ("Dear Sir/Madam"), or a name other than the
victim's. Titles come from the shared word lists (rules/structure.yml `titles`)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo
from vcl_qa.engine.result import Finding, note
from vcl_qa.engine.structure import (as_written, first_name_titles, greeting_title_list, greeting_titles,
                                     impersonal_greetings, not_a_person, peer_titles, post_nominals_or_surnames,
                                     rank_first_words,
                                     surname_at, surname_particles, title_forms, title_lists, titles,
                                     titles_left_out_in_greeting)
from vcl_qa.engine.typography import fold

from .base import KindSettings, State, finding, rx

HONOURS = {"when"}


class Settings(KindSettings):
    impersonal: list[str]
    missing_message: str
    impersonal_message: str
    wrong_name_message: str
    # "Dear Okafor" to Ms Jane Okafor: her name, but the surname alone reads as curt.
    surname_only_message: str = 'The greeting "{text}" greets the victim by surname alone ({name}).'
    # The words a greeting starts with before the name ("Dear", Welsh "Annwyl").
    greeting_words: list[str] = ["Dear"]
    # Words that join two people greeted at once ("Mr and Mrs Okafor", "Ada & Tunde", Welsh "a").
    joining_words: list[str] = []
    # The word a greeting inserted into a letter with none starts with, by the letter's language
    # (metrics `language`: en, cy, cy+en); any other: the first of `greeting_words`.
    missing_greeting_words: dict[str, str] = {}
    # A title going with the first name as it is said after a greeting word in another language
    # (Welsh "Annwyl Syr John" for Sir John Smith): greeting word -> {title: its form there}.
    # Either form greets the person.
    title_words: dict[str, dict[str, str]] = {}


_NAME_PART = re.compile(r"[^\s,]+")
# Words after a greeting's comma, colon or exclamation mark on the same line: a sentence of the
# letter begun there (two words or more).
_MORE_THAN_GREETING = re.compile(r"[,:;!]\s*[^\W\d_]+[\s,]+[^\W\d_]+")
_BRACKET = re.compile(r"[(\[]")


def check(rule, state: State) -> Iterator[Finding]:
    cfg: Settings = rule.config
    g = state.document.greeting
    given = state.letter.context.victim_name
    if g is None:
        yield finding(rule, state, message=cfg.missing_message,
                      suggestions=greeting_to_insert(cfg, state))
        return
    lead = len(g.text) - len(g.text.lstrip())
    start, end = g.start + lead, g.start + len(g.text.rstrip())
    line = g.text.strip()
    verdict, suggestions, advice_only = _judged(cfg, line, given, state.letter.context.reader)
    if verdict is not None:
        message = {"impersonal": cfg.impersonal_message,
                   "surname_only": cfg.surname_only_message}.get(verdict, cfg.wrong_name_message)
        f = finding(rule, state, start, end, message=message, suggestions=list(suggestions), name=given)
        note(f, "_advice_only", advice_only)
        yield f


# What a greeting line says to the details' name (`_judged`), kept per settings, line, name and
# reader: a draft is checked again and again, and a letter's greeting is read by every check of
# an edit that rescores it whole. Each entry keeps its settings (so that a number once theirs
# names no other); at most 4,096 entries, and lines and names of at most LONGEST_KEPT characters.
_JUDGED = TextMemo(4_096, 1_000_000)


def _judged(cfg: Settings, line: str, given: str | None, reader: str | None) -> tuple[str | None, tuple[str, ...], bool]:
    """What is wrong with the greeting `line` (`_verdict`: "impersonal", "wrong_name" or None),
    the greetings to put instead, and whether they stay advice (no button)."""
    key = (id(cfg), line, given, reader)
    kept = _JUDGED.get(key)  # one call: another thread may empty the memo
    if kept is not None and kept[0] is cfg:
        return kept[1]
    victim = _as_greeted(given) if given else given  # ("Okafor, Jane (Ms)": Ms Jane Okafor)
    verdict = _verdict(cfg, line, victim)
    other = _other_reading(given) if given else None  # "Mrs Ann Lee MA": Lee, or Ma?
    if verdict in ("wrong_name", "surname_only") and other is not None and _verdict(cfg, line, _as_greeted(other)) is None:
        verdict = None  # the greeting reads the name the other way, as it may be read
    suggestions: tuple[str, ...] = ()
    advice_only = False
    if verdict is not None:
        said_word = _first_word(_lead_words(cfg)).match(line)
        word = said_word.group(1).capitalize() if said_word else cfg.greeting_words[0]
        suggestions = tuple(_suggested(given, reader, word, cfg))
        if other is not None:  # both readings, as advice: which one is right is the writer's to say
            suggestions = tuple(dict.fromkeys(tuple(_suggested(other, reader, word, cfg)) + suggestions))
        # "Dear Mr and Mrs Okafor": a button would drop one of the two people greeted; whether
        # the letter is to both is the writer's to say, so the greeting stays advice.
        two = verdict == "wrong_name" and _two_people(cfg.joining_words, _greeted(cfg, line) or "")
        # "Dear Mr Kowalczyk, thank you for your call last week.": the line holds more than the
        # greeting, and a button puts a greeting in place of the whole line (an audit: the thanks,
        # and in another letter an apology, were lost); the writer changes the greeting.
        more = _MORE_THAN_GREETING.search(line)
        advice_only = two or (bool(victim) and _unsure_case(victim)) or bool(more) or other is not None
    answer = (verdict, suggestions, advice_only)
    size = len(line) + len(given or "")
    if size <= LONGEST_KEPT:  # (a hostile greeting of many thousand characters is not kept)
        _JUDGED.put(key, (cfg, answer), size)
    return answer


def greeting_to_insert(cfg: Settings, state: State) -> list[str]:
    """The greeting line for a letter with none, to insert at the top of its body ("Dear Ms de
    la Cruz,"), built from victim_name as a wrong greeting's suggestion is; none without a name,
    or when the line built would not pass this check itself (the advice stays)."""
    victim = _as_greeted(state.letter.context.victim_name or "")
    if not victim or _unsure_case(victim) or _other_reading(state.letter.context.victim_name or ""):
        # (a name in capitals whose spelling in a letter cannot be told, or whose last word may
        # be letters after the name or the surname: the advice stays)
        return []
    word = cfg.missing_greeting_words.get(_language_at_top(state)) or cfg.greeting_words[0]
    line = greeting_suggestion(state, word, cfg)[0] + ","  # (a couple: both, as the details name them)
    if "<" in line or _verdict(cfg, line, victim) is not None:
        return []
    return [line]


def _language_at_top(state: State) -> str:
    """The language of the letter where the greeting goes in: the letter's; for a bilingual one
    (`cy+en`), the language of its first sentence ("Annwyl" above a Welsh paragraph, as a
    letter in Welsh first starts; "Dear" above an English one)."""
    if "+" not in state.language:
        return state.language
    from vcl_qa.engine.language import line_language

    first = state.document.sentences[0].text if state.document.sentences else ""
    return line_language(first) or state.language


def _lead_words(cfg: Settings) -> str:
    return _alternatives(tuple(cfg.greeting_words))


@lru_cache(maxsize=16)
def _alternatives(words: tuple[str, ...]) -> str:
    """The words as alternatives of a pattern (worked out once per rule set's words: asked
    for several times a letter)."""
    return "|".join(re.escape(w) for w in words)


@lru_cache(maxsize=16)
def _first_word(lead_words: str) -> re.Pattern:
    """A greeting's first word ("Dear"), compiled once per rule set's words (as the patterns
    below: not handed to `re` as text, looked up in its cache, on each call)."""
    return re.compile(rf"(?i)^({lead_words})\b")


@lru_cache(maxsize=16)
def _whom(lead_words: str) -> re.Pattern:
    """A greeting line, and who it greets."""
    return re.compile(rf"(?i)^(?:{lead_words})\s+(.+?)[\s,.!:;]*$")


def _greeted(cfg: Settings, line: str) -> str | None:
    """Who a greeting line greets: "Ms Okafor" of "Dear Ms Okafor,"."""
    m = _whom(_lead_words(cfg)).match(line)
    return m.group(1) if m else None


def _verdict(cfg: Settings, line: str, victim: str | None) -> str | None:
    """What is wrong with a greeting line: "impersonal", "wrong_name" (not the victim's name,
    or not as a greeting takes it), "surname_only" (the surname with no title, from a name with a
    first name: "Dear Okafor" to Ms Jane Okafor), or None."""
    knight = _first_name_form(victim) if victim else None
    if knight:
        # "Dear Sir John" (or the whole name) greets Sir John Smith, and Professor Sir Ian Wood
        # is "Dear Sir Ian" or "Dear Professor Wood"; "Dear Sir Smith" greets neither, and
        # "Dear Sir" alone is as impersonal as ever.
        said = name_tokens(_greeted(cfg, line) or "")
        if said:
            said[0] = _title_aliases(cfg).get(said[0], said[0])  # Welsh "Syr John": Sir John
        if len(said) > 1 and said[0] == knight[0]:
            return None if said[1:] in (knight[1][:1], knight[1]) else "wrong_name"
    if any(rx(p).search(line) for p in cfg.impersonal) or _impersonal_words(_lead_words(cfg)).search(line):
        return "impersonal"
    if not victim:
        return None
    greeted = _greeted(cfg, line)
    if greeted is None:
        return None
    said = name_tokens(greeted)
    known = name_tokens(victim)
    joining = {w.lower() for w in cfg.joining_words}  # "Mr & Mrs Okafor" as "Mr and Mrs Okafor"
    said_names = [t for i, t in enumerate(said) if not _title_at(said, i, 1) and t not in joining]
    known_names = [t for i, t in enumerate(known) if not _title_at(known, i) and t not in joining]
    said_titles = [t for i, t in enumerate(said) if _title_at(said, i, 1)]
    # (a title that goes with the first name, after another title, is not said with the
    # surname: Professor Sir Ian Wood is "Dear Professor Wood")
    known_titles = [t for i, t in enumerate(known) if _title_at(known, i)
                    and not (i and t in first_name_titles())]
    if _not_a_person(victim):
        # "The family of Mr Ali Khan": a member of the family, by a first name or by any title
        # with the family's surname ("Dear Mrs Khan"); who it is, the details do not say
        return None if said_names and (not said_titles or said_names[-1:] == known_names[-1:]) else "wrong_name"
    if len(said) > 1 and said == known_names and not _small_letter(greeted, victim):
        return None  # the whole name with no title: "Dear Earl Jones" greets Mr Earl Jones
    ok = bool(said_names) and all(t in known_names for t in said_names)
    if ok and said_titles and known_titles and not _same_titles(said_titles, known_titles):
        ok = False
    if ok and said_titles and not said_names[-1:] == known_names[-1:]:
        ok = False  # "Dear Ms Jane" is not how to address Ms Jane Okafor
    parts = _NAME_PART.findall(fold(victim))
    lows = [t.lower().rstrip(".") for t in parts]
    surname = [t.lower() for t in _surname([t for i, t in enumerate(parts) if not _title_at(lows, i)])]
    if ok and said_titles and said_names[-len(surname):] != [t.rstrip(".") for t in surname]:
        ok = False  # "Dear Ms Cruz" is not how to address Ms Anne-Marie de la Cruz
    if ok and _small_letter(greeted, victim):
        ok = False  # "Dear Mrs kowalska-brown": the name as the details give it, "Kowalska-Brown"
    if (ok and not said_titles and len(known_names) > len(surname) and said_names == [t.rstrip(".") for t in surname]
            and "," not in victim):  # (a name a case system gives that is not put in order: which is the surname?)
        return "surname_only"  # ("Dear Jane" and "Dear Jane Okafor" greet her; "Dear Okafor" is curt)
    return None if ok else "wrong_name"


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def _small_letter(greeted: str, victim: str) -> bool:
    """Does the greeting write with a small first letter a name (or a part of a double-barrelled
    one) that the details give with a capital? A details' name in small letters or in capitals
    says nothing of how it is written ("de la Cruz" is as the details give it)."""
    if victim == victim.lower() or victim == victim.upper():
        return False
    written = {}
    for w in _WORD.findall(fold(victim)):
        for part in re.split(r"['’\-]", w):
            if part:
                written.setdefault(part.lower(), part)
    for w in _WORD.findall(fold(greeted)):
        for part in re.split(r"['’\-]", w):
            given = written.get(part.lower())
            if given and part[0].islower() and given[0].isupper():
                return True
    return False


def _title_at(tokens: list[str], i: int, names_after: int = 2) -> bool:
    """Is the i-th of a name's lower-case words a title? Not when it is the surname
    (structure.surname_at): Ms Jane Judge is "Dear Ms Judge". A title the greeting check alone
    knows (rules/structure.yml greeting_titles) only at the start or after another of them, and
    with `names_after` words that are no such title after it: two in the details' name ("Lt Col
    John Ward"; "Mr Baron Davis" and "Earl Williams" are names), one in a greeting ("Dear Colonel
    Ward"; in "Dear Earl" it is the first name)."""
    if surname_at(tokens, i):
        return False
    return tokens[i] in titles() or _greeting_title_at(tokens, i, names_after)


def _greeting_title_at(lows: list[str], i: int, names_after: int = 2) -> bool:
    known, first_words = greeting_titles(), rank_first_words()
    if not all(t in known or t in first_words for t in lows[:i]):
        return False
    if lows[i] in first_words and lows[i] not in known:
        # "Group", "Lance": a title before a rank ("Dear Group Captain Ward"), else a name ("Dear Lance")
        return i + 1 < len(lows) and not surname_at(lows, i + 1) and _greeting_title_at(lows, i + 1, names_after)
    return (lows[i] in known
            and sum(1 for j in range(i + 1, len(lows)) if lows[j] not in known or surname_at(lows, j)) >= names_after)


def _other_reading(given: str) -> str | None:
    """The details' name without its last word, when that word may be letters after the name or
    the surname (rules/structure.yml post_nominals_or_surnames: "Mrs Ann Lee MA", "Mr Mamadou
    Lamine BA") and a first name and a surname stand before it; else None."""
    words = _name_only(given).split()  # ("Ms Jo Bell BA (Hons)": the note in brackets left out)
    if len(words) < 3 or words[-1].strip(",.") not in post_nominals_or_surnames():
        return None
    lows = [w.strip(",.").lower() for w in words[:-1]]
    if sum(1 for i in range(len(lows)) if not _title_at(lows, i)) < 2:
        return None
    return " ".join(words[:-1]).rstrip(" ,")


def _same_titles(said: list[str], known: list[str]) -> bool:
    """Do a greeting's titles greet someone with these titles (lower case)? The same titles, a
    short form for a full one ("Dear Colonel Ward", "Dear Col Ward"), and a rank greeted without
    the title before it that a greeting leaves out (Lt Col John Ward: "Dear Colonel Ward")."""
    if said == known:
        return True
    forms = title_forms()  # (a short form may stand for two words: "L/Cpl", Lance Corporal)
    said = [w for t in said for w in forms.get(t, t).split()]
    known = [w for t in known for w in forms.get(t, t).split()]
    if said == known:
        return True
    dropped = known[:len(known) - len(said)]
    return (0 < len(said) < len(known) and known[len(dropped):] == said
            and all(t in titles_left_out_in_greeting() for t in dropped))


def _title_aliases(cfg: Settings) -> dict[str, str]:
    """Each title's form after another greeting word, lower case, to the title ("syr": "sir")."""
    return {said.lower(): title.lower() for forms in cfg.title_words.values() for title, said in forms.items()}


def _first_name_form(victim: str) -> tuple[str, list[str], int] | None:
    """(title, the names after it, where it is) of a name with a title going with the first
    name ("Sir John Smith": "sir", ["john", "smith"], 0; "Professor Sir Ian Wood": "sir", ["ian",
    "wood"], 1), lower case; None for any other name."""
    said = name_tokens(_name_only(victim))
    for i, word in enumerate(said[:-1]):
        if word in first_name_titles():
            return word, said[i + 1:], i
    return None


def _two_people(joining: list[str], said: str) -> bool:
    """Does the greeting join two people? A word counts on its own ("and", not "Andrew"); a sign
    ("&", "+") anywhere ("Ada&Tunde")."""
    parts = [re.escape(w) if not w.isalnum() else rf"(?<!\S)(?i:{re.escape(w)})(?!\S)" if len(w) > 2
             else rf"(?<!\S){re.escape(w)}(?!\S)" for w in joining]  # ("A" is an initial; "a" Welsh "and")
    return bool(parts) and re.search("|".join(parts), said) is not None


@lru_cache(maxsize=4)
def _impersonal_words(lead_words: str = "Dear") -> re.Pattern:
    """ "Dear" + a word that addresses nobody in particular (rules/structure.yml, shared with
    the redaction)."""
    words = "|".join(re.escape(w) for w in sorted(impersonal_greetings(), key=len, reverse=True))
    return re.compile(rf"^(?:{lead_words})\s+({words})\b", re.I)


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a name, typographic quotes and dashes folded: "O’Neill" is O'Neill."""
    return [t.lower().rstrip(".") for t in _NAME_PART.findall(fold(name))]


def _surname(names: list[str]) -> list[str]:
    """The surname of a name's words (no title), with its particles: Maria de la Cruz -> de la
    Cruz; the first word only when written in lower case or another particle follows it ("de
    Souza", "Van der Berg"; in "Al Smith", "Al" is a first name), as the anonymiser reads them."""
    particles = _particles()
    k = len(names) - 1
    while k > 0 and names[k - 1].lower() in particles:
        if k == 1 and names[0][:1].isupper() and k == len(names) - 1:
            break
        k -= 1
    return names[k:] if names else []


@lru_cache(maxsize=1)
def _ranks() -> frozenset[str]:
    return frozenset(t.lower().rstrip(".") for t in title_lists()["ranks"])


@lru_cache(maxsize=1)
def _listed_titles() -> dict[str, str]:
    """Each title as rules/structure.yml writes it, by its lower case: "mrs": "Mrs", "dc": "DC"."""
    lists = title_lists()
    listed = [*lists["honorifics"], *lists["ranks"], *greeting_title_list()]
    return {t.lower().rstrip("."): t.rstrip(".") for t in listed}


@lru_cache(maxsize=1)
def _particles() -> frozenset[str]:
    return frozenset(w.lower() for w in surname_particles())


def greeting_suggestion(state: State, word: str = "Dear", cfg: Settings | None = None) -> list[str]:
    """The greeting to use, starting with the word the letter's greeting starts with: the titles
    and surname, its particles kept ("Dear Ms de la Cruz", "Dear Detective Sergeant Lee"), or a
    title that goes with the first name and the first name ("Dear Sir John"); a note after the
    name in brackets ("Sarah Jones (mother of Ella)") left out."""
    context = state.letter.context
    return _suggested(context.victim_name, context.reader, word, cfg)


def _suggested(given: str | None, reader: str | None, word: str, cfg: Settings | None) -> list[str]:
    """`greeting_suggestion` for the details' name and reader."""
    victim = _as_greeted(given or "")
    if not victim or _not_a_person(victim):
        return [f"{word} <the victim's title and surname>"]
    victim = _letter_case(victim)  # "Ms Jane OKAFOR" from a case system: "Dear Ms Okafor"
    if cfg is not None and _two_people(cfg.joining_words, victim):
        welsh = any(w.lower() == word.lower() for lang, w in cfg.missing_greeting_words.items() if lang == "cy")
        both = _couple_greeting(victim, cfg.joining_words, "a" if welsh else "and")  # "Annwyl Mr a Mrs Jones"
        return [f"{word} {both or victim}"]  # "Mr and Mrs Okafor": both, as the details name them
    return [f"{word} {_one_greeting(victim, word, cfg, reader)}"]


def _one_greeting(victim: str, word: str, cfg: Settings | None, reader: str | None = None) -> str:
    """How a greeting names one person (see greeting_suggestion), after its first word; a young
    person named with no title, by the first name ("Dear Jayden", not "Dear Jayden Clarke")."""
    parts = victim.split()
    knight = _first_name_form(victim)
    if knight and knight[2] == 0:
        # "Dear Sir John", "Dear Dame Judi"; after a word whose language has its own form of
        # the title, that form ("Annwyl Syr John")
        forms = {t.lower(): said for t, said in (cfg.title_words.get(word, {}) if cfg else {}).items()}
        return f"{forms.get(parts[0].lower(), parts[0])} {parts[1]}"
    k = _title_words(parts)
    if k and len(parts) - k >= 2:
        return f"{' '.join(parts[:k])} {' '.join(_surname(parts[k:]))}"
    if not k and reader == "young_person" and len(parts) >= 2:
        return parts[0]
    return victim


def _title_words(parts: list[str]) -> int:
    """How many of a name's first words are its title: the title before the name, and the ranks
    after it ("Detective Sergeant Amy Lee": 2; but "Professor Sir Ian Wood" is "Professor Wood":
    a "Sir" goes with the first name)."""
    lows = [p.rstrip(".").lower() for p in parts]
    k = 1 if len(parts) > 1 and (lows[0] in titles() or _greeting_title_at(lows, 0)) else 0
    while k and k < len(parts) - 1 and (lows[k] in _ranks() or _greeting_title_at(lows, k)):
        k += 1
    return k


def _couple_greeting(victim: str, joining: list[str], joiner: str = "and") -> str | None:
    """Two people, each with a title and a surname, as a greeting names them: "Mr and Mrs
    Okafor" for "Mr David Okafor and Mrs Jane Okafor", "Mr Okafor and Ms Lee" for two surnames;
    None for any other pair ("Jane and Tom Okafor": both, as the details name them)."""
    # (a word of three letters or more in any case, "And"; a shorter one as written: "a" is
    # Welsh for "and", "A" an initial, as in "Mr and Mrs A Varma")
    words = "|".join(f"(?i:{re.escape(w)})" if len(w) > 2 else re.escape(w) for w in joining if w.isalpha())
    found = list(re.finditer(rf"\s+({words})\s+|\s*[&+]\s*", victim)) if words else []
    if len(found) != 1:
        return None
    m = found[0]
    pair = [victim[:m.start()], victim[m.end():]]  # (joined again with the greeting's language's word)
    first, second = pair[0].split(), pair[1].split()
    if first and all(w.rstrip(".").lower() in titles() for w in first):
        # "Mr and Mrs Deepak Varma", "Mr & Mrs D Varma": the titles, then the one surname (a
        # staff review found "Dear Mr and Mrs Deepak Varma," inserted)
        k = _title_words(second)
        if not k or len(second) == k or _first_name_form(pair[1]) or pair[0].lower() == " ".join(second[:k]).lower():
            return None
        names = second[k:]
        return f"{pair[0]} {joiner} {' '.join(second[:k])} {' '.join(_surname(names) if len(names) >= 2 else names)}"
    people = []
    for person in pair:
        parts = person.split()
        k = _title_words(parts)
        if not k or len(parts) - k < 2 or _first_name_form(person):
            return None
        people.append((" ".join(parts[:k]), " ".join(_surname(parts[k:]))))
    (t1, s1), (t2, s2) = people
    if t1.lower() == t2.lower():
        return None  # "Ms Jane Okafor and Ms Ada Okafor" as the details name them, not "Ms and Ms"
    return f"{t1} {joiner} {t2} {s1}" if s1.lower() == s2.lower() else f"{t1} {s1} {joiner} {t2} {s2}"


_SEPARATED = re.compile(r"\s*[,;]\s*")


def _as_greeted(given: str) -> str:
    """victim_name as a letter writes it (structure.as_written), a note after it in brackets or
    after a comma left out, and two people separated by a comma or a semicolon ("Mr D. Okafor, Mrs J. Okafor",
    as a case system lists a couple) joined by "and", as "Mr D. Okafor and Mrs J. Okafor"."""
    victim = _name_only(as_written(given))
    pair = _SEPARATED.split(victim)
    if len(pair) == 2 and all(len(p.split()) >= 2 and _title_words(p.split()) for p in pair):
        return f"{pair[0]} and {pair[1]}"
    if len(pair) > 1 and pair[1][:1].islower() and len(pair[1].split()) >= 2:
        return pair[0]  # "Jane Okafor, mother of Ella": a note after the name, left out
    return victim


def _letter_case(victim: str) -> str:
    """A name a case system holds in capitals ("Ms Jane OKAFOR", "MR D O'NEILL") as a letter
    writes it: each word's first letter a capital ("Okafor", "O'Neill", "Smith-Jones",
    "McDonald"), a surname's particles in lower case ("de la Cruz"); the same for one all in
    small letters ("mrs jane o'brien"). Any other name is as given."""
    parts = victim.split()
    k = _title_words(parts)
    names = parts[k:] if k else parts
    if victim == victim.lower() and any(c.isalpha() for c in victim):
        parts = victim.upper().split()  # all in small letters ("mrs jane o'brien"): as if in capitals
        names = parts[k:] if k else parts
    if not any(len(w) > 1 and w.isupper() for w in names):
        return victim
    particles, listed = _particles(), _listed_titles()
    out = []
    for i, w in enumerate(parts):
        if not (len(w) > 1 and w.isupper()):
            out.append(w)
        elif i < k:
            out.append(listed.get(w.rstrip(".").lower(), w.capitalize()) + ("." if w.endswith(".") else ""))
        elif i >= max(k, 1) and w.lower() in particles and i < len(parts) - 1:
            out.append(w.lower())
        else:
            word = re.sub(r"[A-Z]+", lambda m: m.group(0).capitalize(), w)
            out.append(re.sub(r"^Mc([a-z])", lambda m: "Mc" + m.group(1).upper(), word))
    return " ".join(out)


def _not_a_person(victim: str) -> bool:
    """Does the details' name stand for people it does not name ("The family of Mr Ali Khan")?
    Then who the letter greets is the writer's to fill in (a staff review found "Dear The family
    of Mr Ali Khan," offered)."""
    return bool(not_a_person().match(victim))


def _unsure_case(victim: str) -> bool:
    """A name in capitals whose spelling in a letter cannot be told from them: "MACDONALD" is
    Macdonald or MacDonald (advice only, never written in by a button)."""
    return any(len(w) > 4 and (w.isupper() or w.islower()) and w.upper().startswith("MAC") for w in victim.split())


def _name_only(victim: str) -> str:
    """The name without a note after it in brackets: "Sarah Jones (mother of Ella)" -> "Sarah Jones";
    and without "the" before a title: "the Reverend Peter Hughes" -> "Reverend Peter Hughes"
    (a staff review found "Dear the Reverend Peter Hughes," suggested)."""
    name = _BRACKET.split(victim, maxsplit=1)[0].strip(" ,;-")
    words = name.split()
    if len(words) > 2 and words[0].lower() == "the" and words[1].rstrip(".").lower() in titles():
        name = name.split(None, 1)[1]
    # a peer's place ("Baroness Smith of Basildon", "Lord Smith of Finsbury"): greeted "Lady
    # Smith", "Lord Smith" (a review found "Dear Baroness Basildon" written in)
    peer = _PEER_PLACE.match(name)
    if peer and peer.group(1).rstrip(".").lower() in peer_titles():
        name = name[:peer.start(2)].rstrip()
    return name


_PEER_PLACE = re.compile(r"^(\S+)\s+(?:\S+\s+){0,2}?\S+(\s+of\s+(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){0,3})$")
