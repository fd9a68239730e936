"""One-click replacements: the suggestions that are safe to put into the letter as they stand.

A finding's `suggestions` are advice for a person. Each one is turned into an edit of the
letter only when it fits: it keeps the capital at the start of a sentence, takes the form of
the word it replaces ("has been determined" -> "has been decided", "the complainant's account"
-> "your account"), holds no template text and never contains the flagged words. The edit is
then checked: applied to the letter, it must clear that finding at that place and raise no new
finding. Only then is it offered in `replacements`; what fails stays advice.

The check is local, so scoring stays fast: the rules run on the changed sentence and the ones
on either side (every concept a rule looks for spans at most that), before and after the edit,
and the two sets of findings are compared place by place; the letter's reading-ease figure is
worked out again from its sentences' counts. Results are cached by the text checked.
Word lists (irregular verbs, determiners, advice-only suggestions) are in rules/wording.yml.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache


from vcl_qa import config
from vcl_qa.engine import classifier
from vcl_qa.engine.kinds import KINDS, NotAssessed, State, applies
from vcl_qa.engine.letter import Letter
from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo, keep_short
from vcl_qa.engine.metrics import compute_metrics, flesch, sentence_counts
from vcl_qa.engine.nlp import lemma
from vcl_qa.engine.result import Finding, put
from vcl_qa.engine.rules_data import parse_yaml
from vcl_qa.engine.structure import Document, Sentence, Tok, _line_traits, analyse, line_shape, patterns, tokenize

# Kinds a local check cannot judge: the reading-ease figure (checked over the whole letter
# below), timeliness and a missing letter detail (the text does not change them; a window's
# checks are kept by its text and the few details in `Checker.ctx_key`, not the decision).
LETTER_WIDE_KINDS = {"metric", "timeliness", "details", "sign_off"}
# Of those, kinds whose suggestions are still tried as one-click replacements, on the whole
# letter scored again with the edit (`Checker.whole_letter_kept`): a sign-off goes with the
# letter's greeting, which a window of sentences around the sign-off does not hold.
WHOLE_LETTER_CHECKED = {"sign_off"}
# Kinds whose findings may be replaced by the suggestion as it stands. `acronym` puts the
# spelled-out name in front of the abbreviation (which it therefore still contains);
# `salutation` replaces the whole greeting.
EXPLAINS_TERM = {"acronym"}
WHOLE_LINE = {"salutation"}
NEUTRAL_GREETING = "Dear Sir\n\n"  # so that a window of sentences reads as prose
# What may change where a sentence or a line begins or ends (Checker._spliced).
_STRUCTURAL = re.compile(r"[\n\r.!?:;\"“”‘’'()\[\]{}<>•·–—-]")
_CACHE_MAX = 20_000
_cache = TextMemo(_CACHE_MAX, 4_000_000)  # at most 4,000,000 characters of window text


@dataclass(frozen=True)
class Wording:
    irregular: dict[str, tuple[str, str]]
    participle_after: frozenset[str]
    adverbs: frozenset[str]
    determiners: frozenset[str]
    you_agreement: dict[str, str]
    max_words: int
    max_words_anchored: int
    advice: frozenset[str]
    never: frozenset[str]
    verbs: frozenset[str]
    noun_markers: frozenset[str]
    subjects: frozenset[str]
    no_article: frozenset[str]
    fits: dict[str, dict]
    prepositions: frozenset[str]
    no_passive: frozenset[str] = frozenset()
    be_forms: frozenset[str] = frozenset()
    not_you_after: frozenset[str] = frozenset()
    not_you_later: frozenset[str] = frozenset()
    not_you_before: frozenset[str] = frozenset()
    not_you_letter: re.Pattern | None = None
    kept_adverbs: frozenset[str] = frozenset()
    adverb_after: frozenset[str] = frozenset()
    most_checked: int = 60
    most_rescored_chars: int = 200_000


_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def wording() -> Wording:
    """rules/wording.yml from the rules folder, else the one shipped with the package (an
    area's own rules folder may not have it: it does not change scores)."""
    path = config.rules_dir() / "wording.yml"
    if not path.exists():
        path = config._CHECKOUT / "rules" / "wording.yml"  # not __file__: a build lives elsewhere
        if not path.exists():
            path = config._shipped("vcl_qa.default_rules", "rules") / "wording.yml"
    data = parse_yaml(path.read_text(encoding="utf-8")) or {}
    return Wording(
        irregular={str(k): (str(v[0]), str(v[1])) for k, v in (data.get("irregular_verbs") or {}).items()},
        participle_after=frozenset(str(w).lower() for w in data.get("participle_after") or []),
        adverbs=frozenset(str(w).lower() for w in data.get("adverbs_between") or []),
        determiners=frozenset(str(w).lower() for w in data.get("determiners") or []),
        you_agreement={str(k).lower(): str(v) for k, v in (data.get("you_agreement") or {}).items()},
        max_words=int(data.get("max_words", 3)),
        max_words_anchored=int(data.get("max_words_anchored", 8)),
        advice=frozenset(str(w).lower() for w in data.get("advice") or []),
        never=frozenset(str(w) for w in data.get("never") or []),
        verbs=frozenset(str(w).lower() for w in data.get("verbs") or []),
        noun_markers=frozenset(str(w).lower() for w in data.get("noun_markers") or []),
        subjects=frozenset(str(w).lower() for w in data.get("subjects") or []),
        no_article=frozenset(str(w).lower() for w in data.get("no_article") or []),
        fits={str(k).lower(): dict(v or {}) for k, v in (data.get("fits") or {}).items()},
        prepositions=frozenset(str(w).lower() for w in data.get("prepositions") or []),
        no_passive=frozenset(str(w).lower() for w in data.get("no_passive") or []),
        be_forms=frozenset(str(w).lower() for w in data.get("be_forms") or []),
        not_you_after=frozenset(str(w).lower() for w in data.get("not_you_after") or []),
        not_you_later=frozenset(str(w).lower() for w in data.get("not_you_later") or []),
        not_you_before=frozenset(str(w).lower() for w in data.get("not_you_before") or []),
        not_you_letter=re.compile(data["not_you_letter"], re.I) if data.get("not_you_letter") else None,
        kept_adverbs=frozenset(str(w).lower() for w in data.get("kept_adverbs") or []),
        adverb_after=frozenset(str(w).lower() for w in data.get("adverb_after") or []),
        most_checked=int(data.get("most_checked", 60)),
        most_rescored_chars=int(data.get("most_rescored_chars", 200_000)),
    )


# --- word forms ------------------------------------------------------------------------------

def _words(toks: list[Tok]) -> list[Tok]:
    return [t for t in toks if not t.space]


def form_of(word: str, before: list[str]) -> str:
    """base, s, ing, past or participle (after has/been/was...); 'other' when unsure."""
    low = word.lower()
    base = lemma(low)
    if base == low:
        return "base"
    if low.endswith("ing"):
        return "ing"
    if low in (base + "s", base + "es") or (base.endswith("y") and low == base[:-1] + "ies"):
        return "s"
    irregular = wording().irregular.get(base)
    if low.endswith("ed") or (irregular and low in irregular):
        w = wording()
        for prev in reversed(before):
            if prev in w.adverbs and prev not in w.participle_after:
                continue
            if prev in w.participle_after:
                return "participle"
            break
        # "the prosecutor furnished" (past) or "the papers furnished to us" (participle): the
        # same for regular verbs, not for "gave"/"given"
        return "past_or_participle"
    return "other"


def inflect(base: str, form: str) -> str:
    """The form of a base word ("decide", "participle" -> "decided")."""
    w = wording()
    if form == "base":
        return base
    if form == "s":
        if base in ("be", "have"):
            return {"be": "is", "have": "has"}[base]
        if re.search(r"[^aeiou]y$", base):
            return base[:-1] + "ies"
        return base + ("es" if re.search(r"(s|sh|ch|x|z|o)$", base) else "s")
    if form == "ing":
        if base.endswith("ie"):
            return base[:-2] + "ying"
        if base.endswith("e") and not base.endswith(("ee", "ye", "oe")) and base != "be":
            return base[:-1] + "ing"
        return _double(base) + "ing"
    if form in ("past", "participle", "past_or_participle"):
        if base in w.irregular:
            past, participle = w.irregular[base]
            if form == "past_or_participle":
                return past  # only asked for when both are the same
            return past if form == "past" else participle
        if base.endswith("e"):
            return base + "d"
        if re.search(r"[^aeiou]y$", base):
            return base[:-1] + "ied"
        return _double(base) + "ed"
    return base


def _double(base: str) -> str:
    """stop -> stopp(ed): one short syllable ending consonant-vowel-consonant."""
    if len(base) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", base):
        return base + base[-1]
    return base


def fit_word(replacement: str, target_form: str) -> str | None:
    """The replacement word in the target form; None when it cannot be fitted."""
    if target_form == "other":
        return None
    low = replacement.lower()
    current = form_of(low, [])
    if current == "other":
        return replacement  # a form the tables do not know ("were"): as the rule wrote it
    base = lemma(low)
    verb_forms = ("past", "participle", "past_or_participle")
    if current == target_form or (current in verb_forms and target_form in verb_forms
                                  and base not in wording().irregular):
        return replacement
    irregular = wording().irregular.get(base)
    if target_form == "past_or_participle" and irregular and irregular[0] != irregular[1]:
        return None  # "gave" or "given": which one the sentence needs is not known
    out = inflect(base, target_form)
    return out if replacement[:1].islower() else out[:1].upper() + out[1:]


def fit_phrase(phrase: str, target_form: str) -> str | None:
    """The phrase with its first word in the target form ("find out" -> "found out")."""
    if target_form == "base":
        return phrase
    first, _, rest = phrase.partition(" ")
    if first.lower() in wording().determiners:
        return None  # a noun phrase ("the list of charges") cannot take a verb's form
    word = fit_word(first, target_form)
    if word is None:
        return None
    return word + (" " + rest if rest else "")


# --- fitting a suggestion to the words found -------------------------------------------------

@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def _is_advice(suggestion: str) -> bool:
    s = suggestion.strip()
    return (not s or s.startswith("(") or any(c in s for c in "[]<>{}") or "..." in s or "…" in s
            or s.lower() in wording().advice)


@keep_short(maxsize=20_000, longest=400)
def _lemmas(text: str) -> tuple[str, ...]:
    """The lemmas of a suggestion's or a flagged term's words (kept: the same few hundred
    suggestions and terms are asked about in letter after letter)."""
    return tuple(lemma(t.lower) for t in _words(tokenize(text)) if not t.punct)


def contains_term(replacement: str, term: str) -> bool:
    """Does the replacement contain the flagged words (in any form)?"""
    want, have = _lemmas(term), _lemmas(replacement)
    if not want:
        return False
    return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


# A label a subject line starts with: the words after it start the subject ("Re: The case
# against ...", not "Re: the case against ...").
_LABEL = re.compile(r"(?i)[ \t]*(?:re|subject|regarding|case)[ \t]*:[ \t]*")


def _sentence_start(state: State, start: int) -> bool:
    """Is `start` the first word of a sentence (or of a line that is not prose, or after the
    label of a subject line, "Re:")?"""
    doc = state.document
    i = doc.sentence_at(start)
    if i is not None:
        lead = doc.text[doc.sentences[i].start:start]
    else:
        lead = doc.text[doc.lines[doc.line_col(start)[0] - 1].start:start]
    lead = lead.strip(" \t\n\"'“‘(")
    return not lead or bool(_LABEL.fullmatch(lead + " "))


def _capitalise(text: str, state: State, start: int) -> str:
    if text[:1].islower() and _sentence_start(state, start):
        return text[:1].upper() + text[1:]
    return text


def _words_before(state: State, start: int, n: int = 4) -> list[str]:
    out: list[str] = []
    toks = state.document.toks
    for k in range(state.document.tok_span(0, start)[1] - 1, -1, -1):
        t = toks[k]  # (each token put in place once: structure.py Toks)
        if not t.space:
            out.append(t.lower)
            if len(out) == n:
                break
    return out[::-1]


def _sentence_words_before(state: State, start: int) -> list[str]:
    """The words of the sentence before `start` (lower case)."""
    i = state.document.sentence_at(start)
    lo = state.document.sentences[i].start if i is not None else state.document.lines[
        state.document.line_col(start)[0] - 1].start
    i, j = state.document.tok_span(lo, start)
    return [t.lower for t in state.document.toks[i:j] if not t.space]


def _sentence_words_after(state: State, end: int) -> list[str]:
    """The words of the sentence after `end` (lower case)."""
    doc = state.document
    i = doc.sentence_at(max(0, end - 1))
    hi = doc.sentences[i].end if i is not None else doc.lines[doc.line_col(max(0, end - 1))[0] - 1].end
    i, j = doc.tok_span(end, max(end, hi))
    return [t.lower for t in doc.toks[i:j] if not t.space]


def _tok_before(state: State, start: int) -> Tok | None:
    toks = state.document.toks
    for k in range(state.document.tok_span(0, start)[1] - 1, -1, -1):
        t = toks[k]
        if not t.space:
            return t
    return None


def _toks_after(state: State, end: int, n: int = 2) -> list[Tok]:
    out = []
    toks = state.document.toks
    for k in range(state.document.tok_span(end, end)[0], len(toks)):  # (one at a time: a letter's
        t = toks[k]  # tokens are put in place only as asked for, structure.py Toks)
        if not t.space:
            out.append(t)
            if len(out) == n:
                break
    return out


def build_edit(f: Finding, suggestion: str, state: State, kind: str) -> Edit | None:
    """The edit that puts `suggestion` in place of the finding's words, fitted to them; None
    when it cannot be done safely (the suggestion then stays advice)."""
    if _is_advice(suggestion) or f.start is None or f.end is None or not f.text:
        return None
    text = state.document.text
    flagged = text[f.start:f.end]  # as analysed: typographic quotes folded (f.text is as written)
    s = suggestion.strip()
    # (a greeting is put in place whole, and the new one may keep words of the old: "Dear Sir,"
    # -> "Dear Sir John," for Sir John Smith; the check that the finding goes is `Checker.safe`)
    if kind not in EXPLAINS_TERM and kind not in WHOLE_LINE and contains_term(s, flagged):
        return None
    if kind in WHOLE_LINE:
        end_punct = flagged.rstrip()[-1:] if flagged.rstrip()[-1:] in ",.:;" else ""
        return Edit(f.start, f.end, s + (end_punct if not s.endswith(end_punct) else ""))
    if kind in EXPLAINS_TERM:
        after = text[f.end:f.end + 1]
        if after and (after.isalnum() or after in "'’"):
            return None  # "CPSs", "CPS's": the spelled-out name would not fit
        return Edit(f.start, f.end, _capitalise(s, state, f.start))
    if sum(c.isalpha() for c in flagged) > 1 and flagged.isupper():
        return None  # a heading in capitals ("DISCONTINUANCE NOTICE"): new words in small letters would not fit
    i, j = state.document.tok_span(f.start, f.end)
    found = _words(state.document.toks[i:j])
    if not found:
        return None
    if s.lower() == "you":
        return _you(state, f.start, f.end)
    if kind == "substitution":
        return _swap(state, f.start, f.end, found, s, as_written=flagged.lower() in _terms(f.rule, state))
    return _align(state, f.start, f.end, found, s)


def _reads(state: State, start: int, end: int, new: str) -> bool:
    """The suggestion's own limits on where it reads (rules/wording.yml `fits`)."""
    words = new.lower().split()
    if not words:
        return True
    fits = wording().fits
    prev = _tok_before(state, start)
    first, last = fits.get(words[0], {}), fits.get(words[-1], {})
    if first.get("clause_start") and not (_sentence_start(state, start) or (
            prev is not None and prev.lower in ("and", "but", ",", ";", ":", "—", "–"))):
        return False
    if first.get("after") and (prev is None or prev.lower not in {str(a).lower() for a in first["after"]}):
        return False
    after = _toks_after(state, end, 1)
    if last.get("not_before") and after and after[0].lower in {str(a).lower() for a in last["not_before"]}:
        return False
    # "liaise with" -> never "work with with", "talk to with"; nor "the the".
    if after and (after[0].lower == words[-1] or (
            words[-1] in wording().prepositions and after[0].lower in wording().prepositions)):
        return False
    if prev is not None and prev.lower == words[0]:
        return False
    # nor across "and", "or" or a comma: "help and assistance" -> not "help and help", "tell and
    # inform you" -> not "tell and tell you", "Subsequently, later that day" -> not "Later, later"
    if after[:1] and after[0].lower in _JOINS:
        further = _toks_after(state, end, 2)
        if len(further) == 2 and further[1].lower == words[-1]:
            return False
    if prev is not None and prev.lower in _JOINS:
        before = _words_before(state, start, 2)
        if len(before) == 2 and before[0] == words[0]:
            return False
    if words[0] in wording().no_passive and _after_be(state, start):
        return False  # "may be obtained" -> not "may be got"; "was communicated to" -> not "was written to"
    return True


_JOINS = {"and", "or", ",", "&", "/"}


def _after_be(state: State, start: int) -> bool:
    """Does a form of "be" come just before `start` (adverbs between allowed)?"""
    for word in reversed(_words_before(state, start, 4)):
        if word in wording().be_forms:
            return True
        if word not in wording().adverbs:
            return False
    return False


def _edit(state: State, start: int, end: int, new: str) -> Edit | None:
    if not _reads(state, start, end, new):
        return None
    return Edit(start, end, _capitalise(new, state, start))


def _you(state: State, start: int, end: int) -> Edit | None:
    """'the complainant' -> 'you'; 'the complainant's' -> 'your'; 'the complainant was' -> 'you were'."""
    w = wording()
    text = state.document.text
    if state.letter.context.bereaved or (w.not_you_letter is not None and w.not_you_letter.search(text)):
        return None  # written to a family (about "your daughter"): the complainant is not the reader
    if {"you", "your", "yourself"} & set(_sentence_words_before(state, start)):
        return None  # "you are named as the complainant" -> not "named as you"
    last = _words(state.document.toks[slice(*state.document.tok_span(start, end))])[-1:]
    if last and last[0].lower.endswith("s") and lemma(last[0].lower) != last[0].lower:
        return None  # "the complainants gave statements": other people, not "you gave"
    later = set(_sentence_words_after(state, end))
    if {"you", "your", "yourself"} & later:
        return None  # "As the complainant, you will be told" -> not "As you, you will"; "The
        # victim and complainant in this case is you" -> not "The victim and you ... is you"
    if w.not_you_later & later:
        return None  # "The complainant and her sister gave statements" -> not "You and her
        # sister": she, her, himself ... later in the sentence may be the complainant
    nxt = _toks_after(state, end, 1)
    if nxt and nxt[0].lower in w.not_you_before:
        return None  # "The complainant, Ms Shah, was clear" -> not "You, Ms Shah, was"
    prev = _tok_before(state, start)
    if prev is not None and prev.lower in w.determiners and text[prev.idx + len(prev.text):start].strip() == "":
        start = prev.idx
        prev = _tok_before(state, start)
    if prev is not None and prev.lower in w.not_you_after:
        return None  # "as the injured party" -> "as you" does not read
    after = _toks_after(state, end, 2)
    new = "you"
    if after and after[0].lower in ("'s", "’s") and after[0].idx == end:
        end, new = after[0].idx + len(after[0].text), "your"
    elif text[end:end + 1] == "'" and text[end - 1:end].lower() == "s":
        end, new = end + 1, "your"  # a singular word ending in s: "the witness' statement"
    elif after:
        two = " ".join(t.lower for t in after)
        if two in w.you_agreement and len(after) == 2:
            end, new = after[1].idx + len(after[1].text), "you " + w.you_agreement[two]
        elif after[0].lower in w.you_agreement:
            verb = after[0]
            if verb.idx + len(verb.text) <= len(text):
                end, new = verb.idx + len(verb.text), "you " + w.you_agreement[verb.lower]
    return Edit(start, end, _capitalise(new, state, start))


_TERMS: dict[tuple[str, str], frozenset[str]] = {}


def _terms(rule_id: str, state: State) -> frozenset[str]:
    """A substitution rule's terms as written (lower case)."""
    key = (rule_id, state.ruleset.version)
    if key not in _TERMS:
        rule = state.ruleset.by_id[rule_id]
        _TERMS[key] = frozenset(t.lower() for g in rule.config.groups for t in g.swap)
    return _TERMS[key]


def _used_as_noun(state: State, head: Tok, end: int, form: str) -> bool:
    w = wording()
    prev = _tok_before(state, head.idx)
    after = _toks_after(state, end, 1)
    if prev is not None and prev.lower in w.noun_markers:
        return True
    if after and after[0].lower == "of":
        return True
    return form == "s" and (prev is None or prev.lower not in w.subjects)


def _swap(state: State, start: int, end: int, found: list[Tok], s: str, as_written: bool) -> Edit | None:
    """A word or phrase with a plainer one, in the same form and with a fitting article."""
    w = wording()
    text = state.document.text
    if len(s.split()) > w.max_words:
        return None  # an explanation to fit into the sentence, not a swap
    head = next((t for t in found if lemma(t.lower) != t.lower), found[0])
    # A term written in one form ("concerning", "going forward") is matched only as written.
    form = "base" if as_written else form_of(head.text, _words_before(state, head.idx))
    if s.split()[0].lower() in w.verbs and _used_as_noun(state, found[0], end, form):
        return None
    new = s if form == "base" else fit_phrase(s, form)
    if new is None:
        return None
    prev = _tok_before(state, start)
    joined = prev is not None and text[prev.idx + len(prev.text):start].strip() == ""
    starts_with_det = s.split()[0].lower() in w.determiners
    if joined and prev.lower in w.determiners:
        if starts_with_det:
            start = prev.idx  # "the indictment" -> "the list of charges", not "the the list"
        elif len(s.split()) > 1:
            return None  # "the discontinuance" -> "the stopping the case" would not read
        elif prev.lower in ("a", "an"):
            if new.lower() in w.no_article:
                return None
            start, new = prev.idx, _article(new, prev.text) + " " + new
    return _edit(state, start, end, new)


def _article(word: str, original: str) -> str:
    art = "an" if word[:1].lower() in "aeiou" else "a"
    return art.capitalize() if original[:1].isupper() else art


def _align(state: State, start: int, end: int, found: list[Tok], s: str) -> Edit | None:
    """A suggestion for a phrase a pattern found: keep the words both share at either end and
    replace what lies between ("you failed to" -> "you were not able to" changes one word)."""
    w = wording()
    text = state.document.text
    sug = _words(tokenize(s))
    p = 0
    while p < min(len(found), len(sug)) and found[p].lower == sug[p].lower:
        p += 1
    q = 0
    while q < min(len(found), len(sug)) - p and found[-1 - q].lower == sug[-1 - q].lower:
        q += 1
    anchored = p + q > 0
    # An adverb of the writer's next to the words kept stays ("you also failed to" -> "you were
    # also not able to", not "you were not able to": the "also" was part of what they meant).
    lead = p
    if anchored:
        said = {t.lower for t in sug}
        while lead < len(found) - q - 1 and found[lead].lower in w.kept_adverbs and found[lead].lower not in said:
            lead += 1
    mid_found, mid_sug = found[lead:len(found) - q], sug[p:len(sug) - q]
    if not mid_found:
        return None  # only adds words: leave that to the writer
    if len(s.split()) > (w.max_words_anchored if anchored else w.max_words):
        return None
    if (not anchored and len(sug) == 1 and len(found) > 1
            and found[-2].lower in w.participle_after | w.adverbs):
        mid_found = found[-1:]  # "the case has been dropped" -> "stopped" swaps the last word
        if form_of(mid_found[0].text, []) == "base" and form_of(sug[0].text, []) != "base":
            return None
    # otherwise the phrase is one meaning: "reach out" -> "call", not "reach call"
    elif not anchored and len(found) > w.max_words:
        return None
    r_start = mid_found[0].idx
    r_end = mid_found[-1].idx + len(mid_found[-1].text)
    if not mid_sug:  # a deletion: take one space with it
        if text[r_end:r_end + 1] == " ":
            r_end += 1
        elif text[r_start - 1:r_start] == " ":
            r_start -= 1
        return Edit(r_start, r_end, "")
    new = s[mid_sug[0].idx:mid_sug[-1].idx + len(mid_sug[-1].text)]
    head = mid_found[0]
    form = form_of(head.text, _words_before(state, head.idx))
    if form != "base":
        fitted = fit_phrase(new, form)
        if fitted is None:
            return None
        new = fitted
    if lead > p > 0:
        # The writer's adverbs kept go after the new words' first when that is a word such as
        # "were" ("you also failed to" -> "you were also not able to"): the edit takes them in.
        first, _, rest = new.partition(" ")
        if rest and first.lower() in w.adverb_after:
            r_start = found[p].idx
            new = f"{first} {text[r_start:mid_found[0].idx].strip()} {rest}"
    return _edit(state, r_start, r_end, new)


# --- checking an edit ------------------------------------------------------------------------

class Checker:
    """Checks edits of one letter: findings near the edit before and after, the concepts the
    letter's content rules look for, and the reading ease."""

    def __init__(self, state: State, findings: list[Finding]):
        self.state = state
        self.findings_now = findings
        # Characters of the letter scored again whole so far (`whole_letter_kept`), against
        # rules/wording.yml most_rescored_chars.
        self.rescored = 0
        self.doc = state.document
        rs = state.ruleset
        self.local_rules, self.concepts = _rule_split(rs)
        self.local_ids = {r.id for r in self.local_rules}
        # The word and sentence rules whose `when` holds for this letter (the windows share
        # its details and lateness, so the answer is the same for each of them): as the
        # letter's scoring decided them (State.applying), else decided here.
        if state.applying is not None:
            self.local_applying = [r for r in self.local_rules if r.id in state.applying]
        else:
            self.local_applying = []
            for r in self.local_rules:
                try:
                    if applies(r, state):
                        self.local_applying.append(r)
                except NotAssessed:
                    continue
        # What the checks of a window depend on besides its text, so that a sentence met again
        # in another letter is checked once: the rules, which of them apply, and the only
        # details those kinds read themselves (kinds/salutation.py, kinds/sentence_length.py,
        # kinds/case_details.py: the case reference);
        # concepts depend on the rules, the language (the second opinion is English) and the
        # classifier giving it: its model's folder, None with no model (a window's answers
        # worked out without one, by the patterns alone, are never given with one, and back).
        ctx = state.letter.context
        language = getattr(state, "language", None)
        self.ctx_key = (rs.version, tuple(r.id for r in self.local_applying), ctx.reader, ctx.victim_name,
                        ctx.urn, language)
        model = classifier.model_folder()
        self.concepts_key = (rs.version, language, model)
        self._fre: tuple | None = None
        self._states: dict[str, State] = {}
        self._spans: dict[str, tuple[int, int]] = {}
        self._seg_starts: list[int] | None = None
        self._opinions: list[tuple[int, int]] | None = None
        # The concepts the letter's scoring asked for, in the letter or in a view of it that
        # some rules read (a bilingual letter's English lines): a concept no rule read changes
        # no finding, so an edit that finds it or loses it is not checked for it.
        read = set(state.concept_cache)
        for view in state.views.values():
            read.update(view.concept_cache)
        self.concepts_read = frozenset(read)
        # ... and of those, the ones the classifier gives a second opinion on.
        self.opinion_concepts = [c for c in self.concepts if c.second_opinion and c.name in read]
        self.fre_floors = _fre_floors(rs, state.letter.context.reader)

    def window(self, start: int, end: int, spread: int = 1) -> tuple[int, int, str]:
        """The changed sentences and `spread` on either side (or the line, outside the prose),
        and the text put in front so that it reads as the body of a letter."""
        doc = self.doc
        first, last = doc.sentence_at(start), doc.sentence_at(max(start, end - 1))
        if first is None or last is None:
            line = doc.line_col(start)[0] - 1
            ln = doc.lines[line]
            prefix = "" if ln.kind == "greeting" else NEUTRAL_GREETING
            last_line = doc.line_col(max(start, end - 1))[0] - 1
            return ln.start, max(doc.lines[last_line].end, end), prefix
        lo = doc.sentences[max(0, first - spread)].start
        hi = doc.sentences[min(len(doc.sentences) - 1, last + spread)].end
        return min(lo, start), max(hi, end), NEUTRAL_GREETING

    def _state(self, text: str) -> State:
        """The window analysed as a letter (kept for the last few texts: the findings and the
        concepts of one text are asked for in turn)."""
        st = self._states.get(text)
        if st is None:
            if len(self._states) > 8:
                self._states.clear()
            # The letter's own figures and lateness: the kinds that depend on them are judged
            # over the whole letter, not over this window.
            st = self._states[text] = State(
                Letter.of_text(text, self.state.letter.context),
                analyse(text), self.state.ruleset, self.state.today,
                metrics=dict(self.state.metrics), late=self.state.late, positions_only=True)
            if hasattr(self.state, "language"):  # the letter's language, not the window's guess
                st.language = self.state.language
        return st

    def findings(self, text: str) -> tuple[tuple[str, int | None, int | None], ...]:
        key = (*self.ctx_key, "findings", text)
        hit = _cache.get(key)
        if hit is not None:
            return hit
        st = self._state(text)
        out = []
        for rule in self.local_applying:
            try:
                out.extend((f.rule, f.start, f.end) for f in KINDS[rule.kind].check(rule, st))
            except NotAssessed:
                continue
        return _remember(key, tuple(out))

    def _found_span(self, name: str, hit) -> tuple[int, int]:
        """The sentences where the letter's concept was found (worked out once)."""
        span = self._spans.get(name)
        if span is None:
            doc = self.doc
            first = doc.sentence_at(hit.start)
            last = doc.sentence_at(max(hit.start, hit.end - 1))
            span = self._spans[name] = (doc.sentences[first].start if first is not None else hit.start,
                                        doc.sentences[last].end if last is not None else hit.end)
        return span

    def concepts_found(self, text: str, names: tuple[str, ...]) -> tuple[tuple[str, int | None], ...]:
        """Which of the concepts the text holds, and where the first one starts (each concept
        kept per text on its own: which concepts are asked about differs from letter to letter)."""
        return self._answers(names, ("concept", text), lambda: self._state(text))

    def _answers(self, names: tuple[str, ...], where: tuple, state) -> tuple[tuple[str, int | None], ...]:
        """Each concept's first place in a window (kept per concept and `where`: the window,
        and how it is read), the window's State made (`state()`) only if one is not kept."""
        keys = [(*self.concepts_key, where[0], name, *where[1:]) for name in names]
        found = [_cache.get(key) for key in keys]
        if any(f is None for f in found):
            st = state()
            for i, name in enumerate(names):
                if found[i] is None:
                    hit = st.concept(name)
                    found[i] = _remember(keys[i], (hit.start if hit else None,))
        return tuple((name, f[0]) for name, f in zip(names, found))

    def concepts_kept(self, lo: int, hi: int, old_text: str, new_text: str,
                      s: int, e: int, new_e: int, edit: Edit) -> bool:
        """No concept is lost or gained by the edit, and none is first found somewhere else
        (`lo`, `hi`: the window in the letter; `s`, `e`, `new_e`: the edit in the window's text).

        Only concepts some rule read in scoring the letter, and that the edit could touch, are
        looked for again: one found where the edit is,
        or one the edited words could make appear before the place it is first found; and
        only when the words taken out or put in are words its patterns are written with."""
        doc = self.doc
        added = _word_list(edit.text)
        by_prefix = _vocabulary_index(self.state.ruleset, self.concepts)
        touched = _concepts_touched(by_prefix, _word_list(doc.text[edit.start:edit.end]))
        added_touched = _concepts_touched(by_prefix, added)
        touched |= added_touched
        new_bits: tuple | None = None  # (the word index, its bits of the new text)
        suspects = []
        for c in self.concepts:
            if c.name not in touched or c.name not in self.concepts_read:
                continue  # neither taken out nor put in, or no rule reads it in this letter
            full = self.state.concept(c.name)
            if full is not None:
                seg_lo, seg_hi = self._found_span(c.name, full)
                if seg_lo <= edit.end and edit.start <= seg_hi:
                    suspects.append(c.name)  # found where the edit is: it may be lost
                    continue
                if full.end <= edit.start:
                    continue  # found before the edit: it stays where it is
            if c.name in added_touched:
                index = c.word_place()[0]  # (one index serves all the rule set's concepts)
                if new_bits is None or new_bits[0] is not index:
                    new_bits = (index, self._window_bits(index, lo, hi, new_text, edit))
                if c.may_have(new_bits[1]):
                    suspects.append(c.name)  # the new words may make it appear (earlier)
        if not suspects:
            return True
        names = tuple(suspects)
        delta = new_e - e
        spliced = self._spliced(lo, hi, old_text, edit)
        if spliced is None:
            old_found, new_found = self.concepts_found(old_text, names), self.concepts_found(new_text, names)
        else:
            old_found = self._concepts_in(old_text, spliced[0], names)
            new_found = self._concepts_in(new_text, spliced[1], names)
        for (_, old_at), (_, new_at) in zip(old_found, new_found):
            if (old_at is None) != (new_at is None):
                return False
            if old_at is not None and not s <= old_at <= e:
                if (old_at + delta if old_at > e else old_at) != new_at:
                    return False
        return True

    def _window_bits(self, index, lo: int, hi: int, new_text: str, edit: Edit) -> int:
        """The word index's bits of the edited window [lo, hi) (`new_text`, the words put in
        front included), or more: those of its parts, each kept by its text (the words put in
        front, each of the letter's segments there, the edited one with its new words), where
        nothing but space lies between them and none of the index's words has a space in it,
        so that each word found in the window is in one part. A window over two paragraphs side
        by side is new in each letter, and its words were read afresh; its sentences, and the
        edited one, come back letter after letter. Otherwise the window's own bits."""
        if index.spaced:
            return index.bits(new_text)
        text = self.doc.text
        delta = len(edit.text) - (edit.end - edit.start)
        prefix = new_text[:len(new_text) - (hi - lo) - delta]
        if prefix and not prefix[-1].isspace():
            return index.bits(new_text)
        found = index.bits(prefix) if prefix else 0
        pos, edited = lo, 0
        for x in self._segments_around(lo, hi):
            if x.end <= lo or x.start >= hi:
                continue
            # (each part inside the window, in order, its text the letter's there, and space,
            # at least one, between it and the part before: the words put in front end in space)
            between = text[pos:x.start]
            apart = between.isspace() if between else pos == lo
            if x.start < pos or x.end > hi or not apart or text[x.start:x.end] != x.text:
                return index.bits(new_text)
            if x.start <= edit.start and edit.end <= x.end:
                edited += 1
                found |= index.bits(x.text[:edit.start - x.start] + edit.text + x.text[edit.end - x.start:])
            elif x.start < edit.end and edit.start < x.end:
                return index.bits(new_text)  # (the edit reaches over a segment's end)
            else:
                found |= index.bits(x.text)
            pos = x.end
        rest = text[pos:hi]
        if edited != 1 or (rest and not rest.isspace()):
            return index.bits(new_text)
        return found

    def _spliced(self, lo: int, hi: int, old_text: str, edit: Edit) -> tuple[list, list] | None:
        """The letter's own segments (sentences, headings) in the window [lo, hi), before and
        after the edit, in the window text's offsets; None when the window must be analysed
        afresh instead (`concepts_found`).

        Analysing the window as a letter of its own (a greeting put in front) finds the
        letter's sentences there again, and costs most of the check when the window runs over
        two paragraphs side by side for the first time. The letter's segments serve when the
        edit cannot change where sentences or lines begin and end: it lies inside one prose
        sentence, and neither the words taken out nor those put in have a line break, a mark
        that ends a sentence or clause, a quote or a bracket; the window is sentences of the
        prose, with every segment it touches wholly inside it."""
        prefix = len(old_text) - (hi - lo)
        if prefix != len(NEUTRAL_GREETING) or not old_text.startswith(NEUTRAL_GREETING):
            return None
        if not self._keeps_lines(edit):
            return None
        segs = []
        for x in self._segments_around(lo, hi):
            if x.end <= lo or x.start >= hi:
                continue
            if x.start < lo or x.end > hi:
                return None
            segs.append(x)
        one = _prose_segment_of(segs, edit)
        if one is None:
            return None
        delta = len(edit.text) - (edit.end - edit.start)
        numbers: dict[int, int] = {}  # paragraphs numbered afresh in the window (only equality counts)
        old, new = [], []
        for x in segs:
            para = x.paragraph if x.paragraph < 0 else numbers.setdefault(x.paragraph, len(numbers))
            a, b = x.start - lo + prefix, x.end - lo + prefix
            old.append(Sentence(a, b, x.text, -1, -1, x.words, para))
            if x is one:
                text = x.text[:edit.start - x.start] + edit.text + x.text[edit.end - x.start:]
                new.append(Sentence(a, b + delta, text, -1, -1, x.words, para))
            elif x.start >= edit.end:
                new.append(Sentence(a + delta, b + delta, x.text, -1, -1, x.words, para))
            else:
                new.append(Sentence(a, b, x.text, -1, -1, x.words, para))
        return old, new

    def _keeps_lines(self, edit: Edit) -> bool:
        """Can the edit not move where a sentence or a line begins or ends? Neither the words
        taken out nor those put in have a line break, a mark that ends a sentence or clause, a
        quote or a bracket; nor does it change what its line's own words say of the line: a
        line cut to a few words becomes a heading, a first word given a capital or a last word
        "or" decides whether a list item ends at the line (engine/structure.py line_shape)."""
        doc = self.doc
        if _STRUCTURAL.search(edit.text) or _STRUCTURAL.search(doc.text, edit.start, edit.end):
            return False
        ls = doc.text.rfind("\n", 0, edit.start) + 1
        le = doc.text.find("\n", edit.end)
        old_line = doc.text[ls:le if le >= 0 else len(doc.text)]
        new_line = old_line[:edit.start - ls] + edit.text + old_line[edit.end - ls:]
        return line_shape(old_line) == line_shape(new_line)

    def _spliced_letter(self, edit: Edit) -> Document | None:
        """The edited letter's segments, read from the letter's own (`_spliced`, over the whole
        letter): the one the edit is in with its words changed, those after it moved along.
        None when the edit may move a boundary (`_keeps_lines`), or is neither inside one
        segment of prose nor inside the greeting alone (`_inside_greeting`): then the edited
        letter is analysed afresh. What the concepts and the second opinion read (segments,
        their paragraphs and the text) is all the Document holds."""
        if not self._keeps_lines(edit):
            return None
        doc = self.doc
        one = _prose_segment_of(self._segments_around(edit.start, max(edit.end, edit.start + 1)), edit)
        if one is None and not self._inside_greeting(edit):
            return None
        delta = len(edit.text) - (edit.end - edit.start)
        text = doc.text[:edit.start] + edit.text + doc.text[edit.end:]
        segments = []
        for x in doc.segments:
            if x is one:
                words = x.text[:edit.start - x.start] + edit.text + x.text[edit.end - x.start:]
                segments.append(Sentence(x.start, x.end + delta, words, -1, -1, x.words, x.paragraph))
            elif x.start >= edit.end:
                segments.append(Sentence(x.start + delta, x.end + delta, x.text, -1, -1, x.words, x.paragraph))
            else:
                segments.append(x)
        return Document(text, None, [], [], 0, 0, None, None, [0], segments, [])  # type: ignore[arg-type]

    def _inside_greeting(self, edit: Edit) -> bool:
        """Is the edit inside the greeting line (which is no segment: no concept is looked for
        there), touching no segment, and the line still a greeting after it? Then the edited
        letter's lines are of the same kinds and its segments the same, those after the edit
        moved along ("Dear Mr Hale" -> "Dear Ms Okafor": the letter was analysed afresh for
        it, about a tenth of a millisecond)."""
        g = self.doc.greeting
        if g is None or not g.start <= edit.start <= edit.end <= g.end or self._touching(edit):
            return False
        line = g.text[:edit.start - g.start] + edit.text + g.text[edit.end - g.start:]
        return bool(line.strip()) and _line_traits(line.strip(), patterns())[0]

    def _segments_around(self, lo: int, hi: int) -> list:
        """The letter's segments that may reach into [lo, hi): from the last to start at or
        before lo to the last to start before hi (segments are in order of where they start,
        and none holds another)."""
        starts = self._starts()
        first = max(0, bisect_right(starts, lo) - 1)
        return self.doc.segments[first:bisect_left(starts, hi)]

    def _starts(self) -> list[int]:
        """Where each of the letter's segments starts (worked out once)."""
        if self._seg_starts is None:
            self._seg_starts = [x.start for x in self.doc.segments]
        return self._seg_starts

    def _concepts_in(self, text: str, segments: list, names: tuple[str, ...]) -> tuple[tuple[str, int | None], ...]:
        """`concepts_found` over the given segments of the window text (`_spliced`), each
        concept's answer kept per window text and segments."""
        def state() -> State:
            doc = Document(text, None, [], [], 0, 0, None, None, [0], segments, [])  # type: ignore[arg-type]
            st = State(Letter.of_text(text, self.state.letter.context),
                       doc, self.state.ruleset, self.state.today)
            if hasattr(self.state, "language"):  # the letter's language, not the window's guess
                st.language = self.state.language
            return st

        shape = tuple((x.start, x.end, x.paragraph) for x in segments)
        return self._answers(names, ("segments", text, shape), state)

    def safe(self, f: Finding, edit: Edit) -> bool:
        """Applied to the letter, does the edit clear this finding here and raise no other?"""
        rule = self.state.ruleset.by_id[f.rule]
        if rule.kind in WHOLE_LETTER_CHECKED:
            return self.whole_letter_kept(f, edit)
        if rule.id not in self.local_ids:
            return False  # content found by meaning is not put right by swapping words
        # Words and sentences: the changed sentences alone, before and after.
        old_text, new_text, s, e, new_e, _, _ = self._texts(edit, 0)
        if len(old_text) > LONGEST_KEPT:
            # A run-on "sentence" of thousands of characters (a hostile paste, text with no
            # full stops): checking each edit would read all of it again, so a letter of a few
            # hundred such words would take minutes. Its suggestions stay advice.
            return False
        before = _tally([_place(r, a, b, s, e, new_e - e) for r, a, b in self.findings(old_text)])
        after = _tally([_place(r, a, b, s, new_e, 0) for r, a, b in self.findings(new_text)])
        if _gains(after, before):
            return False  # a finding the letter did not have
        here = (f.rule, "edit")
        if after.get(here, 0) >= before.get(here, 0):
            return False  # the finding is still there
        if not self.reading_ease_kept(edit):
            return False
        # Content found by meaning spans up to a sentence either side.
        old_text, new_text, s, e, new_e, lo, hi = self._texts(edit, 1)
        if self.concepts_kept(lo, hi, old_text, new_text, s, e, new_e, edit):
            if self._in_opinion_span(edit) or self._may_add_doubt(edit):
                # The classifier reads every word of the sentences it judged, not only the
                # words the concept's patterns are written with: "determined" -> "decided" in
                # a reason sentence can leave the reason doubted.
                return self.opinions_kept(f, edit)
            return True
        # The edit changes what content is found (it may add the acknowledgement a letter
        # lacked, or lose the review right): only the whole letter scored again can tell.
        return self.whole_letter_kept(f, edit)

    def _may_add_doubt(self, edit: Edit) -> bool:
        """Does the edit put in words of a concept the classifier may veto, that the letter's
        scoring found nowhere (or only doubted)? Found there by its patterns and doubted, it is
        a finding at the edit ("This may be a reason that could fit any case") where the letter
        had one with no place ("does not explain why"): the windows' answers say found or not
        found, never doubted ("notwithstanding" -> "despite", a word of a case-specific reason,
        in a sentence the classifier doubts)."""
        veto = [c for c in self.opinion_concepts if c.second_opinion == "veto" and self.state.concept(c.name) is None]
        if not veto:
            return False
        added = _concepts_touched(_vocabulary_index(self.state.ruleset, self.concepts), _word_list(edit.text))
        return any(c.name in added for c in veto)

    def _in_opinion_span(self, edit: Edit) -> bool:
        """Does the edit touch a sentence the second opinion turned on (`_opinion_spans`)?
        Those sentences are the ones a vetoing concept's patterns find it in, and the sentence
        either side of each: where its patterns find it in no window of one or two sentences
        around the edit (most edits), the edit touches none of them, and they are not worked
        out for the whole letter (a letter's every sentence looked at for each such concept,
        on a letter whose one button was a greeting's name)."""
        if self._opinions is None and getattr(self.state, "language", "en") == "en":
            near = self._touching(edit)
            for c in self.opinion_concepts:
                hit = self.state.concept(c.name)
                if c.second_opinion == "rescue" and hit is not None and hit.start <= edit.end and edit.start <= hit.end:
                    return True
                if (c.second_opinion == "veto" and (hit is not None or c.name in self.state.doubted)
                        and near and self._found_near(c, near[0], near[-1])):
                    break  # (found near the edit: the spans, worked out, tell)
            else:
                return False
        return any(a <= edit.end and edit.start <= b for a, b in self._opinion_spans())

    def _found_near(self, concept, lo: int, hi: int) -> bool:
        """Do the concept's patterns find it in a window of one or two segments that could put
        one of segments lo..hi among the second opinion's sentences (the segment either side of
        a hit is one of them)?"""
        from vcl_qa.engine.concepts import _answers, _found_in, _segment_bits

        segs, cache = self.doc.segments, self.state.window_cache
        seg_bits = _segment_bits(concept, segs, cache)
        index = concept.word_place()[0]
        ones = _answers(index, segs, 1, cache)
        if any(_found_in(concept, ones, segs, cache, seg_bits, i, 1) for i in range(max(0, lo - 1), min(len(segs), hi + 2))):
            return True
        if concept.window < 2:
            return False
        twos = _answers(index, segs, 2, cache)
        return any(_found_in(concept, twos, segs, cache, seg_bits, i, 2)
                   for i in range(max(0, lo - 2), min(len(segs) - 1, hi + 2)))

    def _touching(self, edit: Edit) -> list[int]:
        """The indexes of the segments whose span touches the edit's, ends included (as
        `_opinion_spans` are compared with an edit)."""
        segs, starts = self.doc.segments, self._starts()
        last = bisect_right(starts, edit.end)  # (those that start at or before its end)
        first = last
        while first > 0 and segs[first - 1].end >= edit.start:
            first -= 1  # (segments end in the order they start: none holds another)
        return [j for j in range(first, last) if segs[j].start <= edit.end and edit.start <= segs[j].end]

    def _opinion_spans(self) -> list[tuple[int, int]]:
        """The sentences the classifier's second opinion turned on for this letter (worked out
        once): for a concept it may doubt, every sentence its patterns find it in and the one
        after each (engine/second_opinion.py reads those); for one it may rescue, the sentence
        it rescued. An edit there is checked on the whole letter (`safe`). Only concepts the
        letter's scoring read count: one no rule asked for (its rule does not apply to this
        letter) is not worked out now."""
        if self._opinions is None:
            from vcl_qa.engine.concepts import hit_segments
            from vcl_qa.engine.second_opinion import _with_next, refers_back

            spans: list[tuple[int, int]] = []
            segs = self.doc.segments
            if getattr(self.state, "language", "en") == "en":  # (the model reads English only)
                for c in self.opinion_concepts:
                    hit = self.state.concept(c.name)
                    if c.second_opinion == "veto" and (hit is not None or c.name in self.state.doubted):
                        spans += [(segs[j].start, segs[j].end) for i in hit_segments(c, self.doc, self.state.window_cache)
                                  for j in _with_next(segs, i, refers_back(self.state.ruleset))]
                    elif c.second_opinion == "rescue" and hit is not None:
                        spans.append((hit.start, hit.end))
            self._opinions = spans
        return self._opinions

    def _texts(self, edit: Edit, spread: int) -> tuple[str, str, int, int, int, int, int]:
        """The window before and after the edit, where the edit is in it, and the window's
        place in the letter."""
        lo, hi, prefix = self.window(edit.start, edit.end, spread)
        old_text = prefix + self.doc.text[lo:hi]
        s, e = edit.start - lo + len(prefix), edit.end - lo + len(prefix)
        return old_text, old_text[:s] + edit.text + old_text[e:], s, e, s + len(edit.text), lo, hi

    def opinions_kept(self, f: Finding, edit: Edit) -> bool:
        """An edit in a sentence the second opinion read: the edited letter analysed, and each
        concept with a second opinion that the letter's scoring read worked out again, patterns
        and classifier. Found (or doubted) in the same places, no finding can change that the
        checks of the window did not see; else the whole letter is scored again."""
        text = self.doc.text[:edit.start] + edit.text + self.doc.text[edit.end:]
        # (an edit that moves no sentence or line boundary: the letter's own segments, the
        # edited one changed, rather than the edited letter analysed afresh)
        spliced = self._spliced_letter(edit)
        document = spliced or analyse(text)
        st = State(Letter.of_text(text, self.state.letter.context),
                   document, self.state.ruleset, self.state.today)
        st.language = self.state.language  # (English: only then has the opinion a say)
        s, e, new_e = edit.start, edit.end, edit.start + len(edit.text)
        for c in self.opinion_concepts:
            if (_where(self.state.concept(c.name), s, e, new_e - e) != _where(st.concept(c.name), s, new_e, 0)
                    or _where(self.state.doubted.get(c.name), s, e, new_e - e)
                    != _where(st.doubted.get(c.name), s, new_e, 0)):
                return self.whole_letter_kept(f, edit, None if spliced else document)
        return True

    def whole_letter_kept(self, f: Finding, edit: Edit, document: Document | None = None) -> bool:
        """The edited letter scored in full (`document`: the edited letter, analysed already):
        this finding gone there, and no finding it did not have."""
        text = self.doc.text[:edit.start] + edit.text + self.doc.text[edit.end:]
        if self.rescored + len(text) > wording().most_rescored_chars:
            raise OverBudget()
        self.rescored += len(text)
        st = State(Letter.of_text(text, self.state.letter.context),
                   document or analyse(text), self.state.ruleset, self.state.today, positions_only=True)
        compute_metrics(st)
        new: list[tuple[str, int | None, int | None]] = []
        for rule in self.state.ruleset.rules:
            try:
                if applies(rule, st):
                    new.extend((x.rule, x.start, x.end) for x in KINDS[rule.kind].check(rule, st))
            except NotAssessed:
                continue
        s, e, new_e = edit.start, edit.end, edit.start + len(edit.text)
        before = _tally([_place(x.rule, x.start, x.end, s, e, new_e - e) for x in self.findings_now])
        after = _tally([_place(r, a, b, s, new_e, 0) for r, a, b in new])
        here = (f.rule, "edit")
        return not _gains(after, before) and after.get(here, 0) < before.get(here, 0)

    def reading_ease_kept(self, edit: Edit) -> bool:
        """The edit does not take the letter below a reading-ease minimum it meets."""
        value = self.state.metrics.get("flesch_reading_ease")
        if value is None or not self.fre_floors:
            return True
        floor = max(self.fre_floors)  # the minimum for this letter's reader
        if value < floor:
            return True  # already reported: the edit adds no new finding
        i = self.doc.sentence_at(edit.start)
        if i is None:
            return True  # not in the prose the figure is worked out from
        sent = self.doc.sentences[i]
        if edit.end > sent.end:
            return False  # spans sentences: cannot tell cheaply, so do not offer it
        new_sentence = sent.text[:edit.start - sent.start] + edit.text + sent.text[edit.end - sent.start:]
        return self.reading_ease_with(i, new_sentence) >= floor

    def reading_ease_with(self, i: int, new_sentence: str) -> float:
        """The letter's Flesch Reading Ease with sentence i changed, from per-sentence counts
        (as compute_metrics works it out over the prose, one sentence after another)."""
        if self._fre is None:
            parts = [sentence_counts(s.text) for s in self.doc.sentences]
            self._fre = (parts, [sum(p[k] for p in parts) for k in range(3)])
        parts, (words, sylls, sents) = self._fre
        new = sentence_counts(new_sentence)
        words += new[0] - parts[i][0]
        sylls += new[1] - parts[i][1]
        sents += new[2] - parts[i][2]
        return flesch(words, sylls, sents)[0]


def _prose_segment_of(segments: list, edit: Edit):
    """The one segment of prose among `segments` that the edit touches and lies wholly inside,
    else None (it touches none, or two, or a heading or line)."""
    hit = [x for x in segments if x.start < max(edit.end, edit.start + 1) and edit.start < x.end]
    if len(hit) != 1 or hit[0].paragraph < 0 or not (hit[0].start <= edit.start and edit.end <= hit[0].end):
        return None
    return hit[0]


class OverBudget(Exception):
    """The letter has been scored again whole as many times as its length allows
    (most_rescored_chars): the edit is not checked, and its finding's suggestions stay advice."""


def _rule_split(rs) -> tuple[list, list]:
    """The rules an edit's window is checked with, and the concepts whose place it must keep
    (worked out once per rule set).

    Kinds that look for concepts (content found by meaning, over windows of sentences) are
    judged by the concepts themselves: an edit that changes whether (or where first) any
    concept is found is not offered. The other kinds run on the edited window."""
    kept = getattr(rs, "_edit_split", None)  # kept on the rule set it was worked out from
    if kept is not None:
        return kept
    checked = [r for r in rs.rules if r.kind not in LETTER_WIDE_KINDS]
    concept_ids = {r.id for r in checked if callable(getattr(r.config, "concepts", None))}
    local = [r for r in checked if r.id not in concept_ids]
    names: list[str] = []
    for r in rs.rules:
        names += list(r.config.concepts()) if r.id in concept_ids else []
        names += [r.config.within] if getattr(r.config, "within", None) else []
    concepts = [rs.concepts[n] for n in dict.fromkeys(names) if n in rs.concepts]
    rs._edit_split = (local, concepts)
    return local, concepts


def _fre_floors(rs, reader: str) -> list[float]:
    """The reading-ease floors the rule set's metric rules set for this reader (worked out
    once per rule set and reader)."""
    kept = rs.__dict__.setdefault("_edit_fre_floors", {})
    floors = kept.get(reader)
    if floors is None:
        floors = kept[reader] = [float(r.config.minimum(reader)) for r in rs.rules if r.kind == "metric"
                                 and r.config.metric == "flesch_reading_ease"
                                 and r.config.minimum(reader) is not None]
    return floors


_VOCAB: dict[int, tuple[str, ...]] = {}


def concept_vocabulary(concept) -> tuple[str, ...]:
    """The words (and stems) a concept's patterns and exclusions are written with."""
    key = id(concept)
    if key not in _VOCAB:
        found: set[str] = set()
        for required, masks in concept.alternatives:
            for p in (*required, *masks):
                found.update(re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", p.pattern.lower())))
        _VOCAB[key] = tuple(sorted(found))
    return _VOCAB[key]


def _vocabulary_index(rs, concepts: list) -> dict[str, frozenset[str]]:
    """Each word of the concepts' vocabularies (concept_vocabulary) and the concepts it is
    in (worked out once per rule set)."""
    kept = getattr(rs, "_edit_vocabulary", None)
    if kept is not None:
        return kept
    index: dict[str, set[str]] = {}
    for c in concepts:
        for word in concept_vocabulary(c):
            index.setdefault(word, set()).add(c.name)
    rs._edit_vocabulary = {w: frozenset(names) for w, names in index.items()}
    return rs._edit_vocabulary


def _concepts_touched(by_prefix: dict[str, frozenset[str]], words: list[str]) -> set[str]:
    """The concepts one of whose vocabulary's words one of `words` begins with ("reviewed"
    begins with "review"; every vocabulary word has at least three letters)."""
    found: set[str] = set()
    for w in words:
        for k in range(3, len(w) + 1):
            names = by_prefix.get(w[:k])
            if names:
                found |= names
    return found


def _word_list(text: str) -> list[str]:
    return _LETTERS.findall(text.lower())


def _remember(key: tuple, value: tuple) -> tuple:
    if len(key[-1]) > LONGEST_KEPT:  # a hostile run-on window is checked, not kept
        return value
    _cache.put(key, value, len(key[-1]))
    return value


def _tally(places: list) -> dict:
    """How many findings there are at each place (`_place`): what collections.Counter counts,
    counted here, since Counter is Python code and two are made for every edit checked."""
    out: dict = {}
    for p in places:
        out[p] = out.get(p, 0) + 1
    return out


def _gains(after: dict, before: dict) -> bool:
    """Has `after` more findings at some place than `before` (Counter's `after - before` not
    empty)?"""
    return any(n > before.get(p, 0) for p, n in after.items())


def _place(rule: str, a: int | None, b: int | None, s: int, e: int, delta: int) -> tuple:
    """Where a finding is, in the edited letter's terms: 'edit' when it touches the change."""
    if a is None or b is None:
        return (rule, None)
    if a <= e and b >= s:
        return (rule, "edit")
    return (rule, a + delta if a >= e else a)


def _where(hit, s: int, e: int, delta: int) -> tuple | None:
    """Where a concept's hit (or doubt) is, in the edited letter's terms (`_place`), each end
    on its own: 'edit' when it falls inside the edited words."""
    if hit is None:
        return None

    def at(x: int):
        return x if x <= s else x + delta if x >= e else "edit"

    return at(hit.start), at(hit.end)


def _fits_here(f: Finding, suggestion: str, edit: Edit, state: State) -> bool:
    """The rule's own limits on where this suggestion reads (a substitution's `fits`)."""
    fit = f._fits.get(suggestion)
    if not fit:
        return True
    text = state.document.text
    if fit.get("next") and not _fit_pattern(fit["next"], False).match(text, edit.end):
        return False
    before = text[max(0, edit.start - 100):edit.start]
    return not fit.get("previous") or bool(_fit_pattern(fit["previous"], True).search(before))


@lru_cache(maxsize=512)
def _fit_pattern(pattern: str, before: bool) -> re.Pattern:
    """A `fits` entry's `next` pattern, or its `previous` one as it must end the text before
    the edit, compiled once (case-blind)."""
    return re.compile(rf"(?:{pattern})\s*$" if before else pattern, re.I)


# Where no word is changed at one click, whatever the rule says of it (an audit pressed 227
# buttons on letters written to trap them, and read every sentence after; each of these passed
# the check that the finding goes and no other comes, since no rule reads what they broke):
# - inside an e-mail or web address: "VLU.WestMidlands@cps.gov.uk" became "Victim Liaison Unit
#   (VLU).WestMidlands@cps.gov.uk", "www.cps.gov.uk/VRR" a link that goes nowhere;
# - inside quotation marks: what someone said or wrote ("I was informed prior to the search",
#   the court was told "The complainant is unavailable") is theirs, not the letter's to change;
# - a word with a capital letter inside a sentence: a name or a title ("Mr Prior to explain",
#   "Discontinued Books Ltd", "the Personal Effects Officer") is not the jargon word.
_ADDRESS = re.compile(r"@|://|\bwww\.|\b[\w-]+\.(?:uk|com|org|net|gov|nhs|wales|scot|info|co|police)\b", re.I)
_LIST_MARK = re.compile(r"\s*(?:[-\u2022*\u2013\u2014\u00b7]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)])?\s*", re.I)


def _in_place(state: State, edit: Edit, kind: str) -> bool:
    """May the words at `edit` be changed at one click here (see above)?"""
    text = state.document.text
    a, b = edit.start, edit.end
    # the run of text with no space around the words changed (an address is never longer)
    lo, hi = a, b
    while lo > max(0, a - 200) and not text[lo - 1].isspace():
        lo -= 1
    while hi < min(len(text), b + 200) and not text[hi].isspace():
        hi += 1
    if kind not in WHOLE_LINE and _ADDRESS.search(text, lo, hi):
        return False
    if kind not in WHOLE_LINE and _quoted(text, a, b):
        return False
    if kind in EXPLAINS_TERM or kind in WHOLE_LINE:
        return True  # (an abbreviation is capitals by nature; a greeting names the person)
    flagged = text[a:b]
    if flagged[:1].isupper() and not flagged.isupper() and not _starts_sentence(state, a):
        return False
    return True


def _starts_sentence(state: State, start: int) -> bool:
    """`_sentence_start`, also after a list's bullet or number ("1. Prior to the trial")."""
    if _sentence_start(state, start):
        return True
    doc = state.document
    i = doc.sentence_at(start)
    begin = doc.sentences[i].start if i is not None else doc.lines[doc.line_col(start)[0] - 1].start
    lead = doc.text[begin:start].strip(" \t\n\"'(")
    return bool(_LIST_MARK.fullmatch(lead))


# Quotations, in the text as analysed (curly quotes are straight ones there), neither crossing a
# blank line: double quotes in pairs; a single quote opening after a space or a bracket and
# before a word, closing after a word where no letter or digit follows, so that an apostrophe
# ("don't", "victims' rights") neither opens nor closes one. Found in one pass over the quote
# marks (a hostile paste of thousands of unclosed quotes costs one pass, not one a quote).
_QUOTE_MARK = re.compile(r"[\"']")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# The last letter's text, where its paragraphs start and end, and the quotations of each of
# them looked at, by where it starts (a paragraph too long to keep in the memo below, a hostile
# paste, is still read once a letter, not once a finding).
_PARAGRAPHS: tuple = (None, [], [], {})
# Each paragraph's quotations (double, single), counted from its start, kept by its text: a
# letter's paragraphs come back in others (a template's, a draft checked again).
_PARAGRAPH_QUOTES = TextMemo(4_096, 400_000)


def _quotations(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    breaks = [m.start() for m in _BLANK_LINE.finditer(text)]
    doubles: list[tuple[int, int]] = []
    singles: list[tuple[int, int]] = []
    open_double = open_single = None
    paragraph = -1
    for m in _QUOTE_MARK.finditer(text):
        k = m.start()
        p = bisect_right(breaks, k)
        if p != paragraph:
            open_double = open_single = None
            paragraph = p
        if text[k] == '"':
            if open_double is None:
                open_double = k
            else:
                doubles.append((open_double, k + 1))
                open_double = None
            continue
        before = text[k - 1] if k else " "
        after = text[k + 1] if k + 1 < len(text) else " "
        if (before.isspace() or before in "([{-\u2014") and not after.isspace() and after not in "'\"":
            open_single = k
        elif open_single is not None and not before.isspace() and not after.isalnum():
            singles.append((open_single, k + 1))
            open_single = None
    return doubles, singles


def _quoted(text: str, a: int, b: int) -> bool:
    """Is text[a:b] inside a quotation (`_quotations`)? Only the paragraph that holds `a` is
    looked at: no quotation crosses a blank line, each paragraph's are found as if it were the
    whole text (the character either side of it is a line break, read as the space that is
    taken to be beyond the text's ends), and one that ends past the paragraph holds nothing
    that reaches beyond it. Each paragraph's are kept by its text."""
    global _PARAGRAPHS
    kept = _PARAGRAPHS
    if kept[0] is not text:
        spans = [m.span() for m in _BLANK_LINE.finditer(text)]
        kept = _PARAGRAPHS = (text, [e for _, e in spans], [s for s, _ in spans], {})
    _, after_breaks, break_starts, by_start = kept
    i = bisect_right(after_breaks, a)  # (the paragraph after the i-th break: the last to end at or before a)
    lo = after_breaks[i - 1] if i else 0
    hi = break_starts[i] if i < len(break_starts) else len(text)
    if a >= hi:
        return False  # (in a blank line: blank lines quote nothing)
    found = by_start.get(lo)
    if found is None:
        paragraph = text[lo:hi]
        if '"' not in paragraph and "'" not in paragraph:
            found = ([], [])
        else:
            found = _PARAGRAPH_QUOTES.get(paragraph)
            if found is None:
                found = _quotations(paragraph)
                if len(paragraph) <= LONGEST_KEPT:
                    _PARAGRAPH_QUOTES.put(paragraph, found, len(paragraph))
        by_start[lo] = found
    a, b = a - lo, b - lo
    for spans in found:  # (each list in order, none of its quotations inside another)
        j = bisect_right(spans, (a, hi - lo + 1)) - 1
        if j >= 0 and spans[j][0] < a and b < spans[j][1]:
            return True
    return False


# --- the engine's call -----------------------------------------------------------------------

def add_replacements(findings: list[Finding], state: State) -> None:
    """Fill each finding's `replacements` with the suggestions that pass the checks."""
    w = wording()
    checker: Checker | None = None
    by_id = state.ruleset.by_id
    candidates = [f for f in findings if not (f.suppressed or f.start is None or not f.suggestions
                                              or f.rule in w.never or f._advice_only or f.rule not in by_id)]
    if len(candidates) > w.most_checked:
        # A letter with thousands of findings: buttons for the most serious `most_checked` (must
        # fix first, then in the order they stand); the rest stay advice, and say why.
        from vcl_qa.labels import SEVERITY_ORDER

        chosen = {id(f) for f in sorted(candidates, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.start))[:w.most_checked]}
        for f in candidates:
            if id(f) not in chosen:
                f.replacements_unchecked = True
        candidates = [f for f in candidates if id(f) in chosen]
    for f in candidates:
        rule = by_id[f.rule]
        edits: list[Edit] = []
        for suggestion in f.suggestions:
            edit = build_edit(f, suggestion, state, rule.kind)
            if edit is None or edit in edits or not _fits_here(f, suggestion, edit, state) \
                    or not _in_place(state, edit, rule.kind):
                continue
            checker = checker or Checker(state, findings)
            try:
                if checker.safe(f, edit):
                    edits.append(edit)
            except OverBudget:
                # A long letter (a pasted bundle of 190 KB) scored again whole for each edit
                # took seconds a finding; the rest of its suggestions stay advice, and say why.
                f.replacements_unchecked = True
        if edits:
            lo, hi = min(e.start for e in edits), max(e.end for e in edits)
            lo, hi = min(lo, f.start), max(hi, f.end)
            text = state.original_text  # the writer's own characters around the edit
            put(f, "replace_start", lo)
            put(f, "replace_end", hi)
            put(f, "replacements", list(dict.fromkeys(text[lo:e.start] + e.text + text[e.end:hi] for e in edits)))
