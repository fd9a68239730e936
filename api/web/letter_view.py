"""What the letter page shows, worked out from a stored letter and its result: the findings
(with the ones marked 'not a problem' kept, struck through, with who, when and why), what each
offers (a checked replacement, a paragraph to insert, a field for template text, or advice),
the details a check still needs, and a word-by-word comparison of two versions."""
from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
from collections import Counter
from typing import Any

from vcl_qa import config, labels
from vcl_qa.engine import workdays
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.structure import patterns as structure_patterns, sign_off_alternatives, titles
from vcl_qa.engine.rules_data import load_yaml
from vcl_qa import clock
from vcl_qa.engine.letter import Letter, context_from_mapping
from vcl_qa.engine.run import decision_stated, read_together
from vcl_qa.errors import LetterError
from vcl_qa.letters import service

from ..deps import scoring_slot
from .forms import BEREAVED_LABELS, CATEGORY_LABELS, DECISION_LABELS, FIELD_ORDER, OFFENCE_LABELS, WITHDRAWAL_LABELS

SEVERITY_ORDER = {"error": 0, "warning": 1, "suggestion": 2}
PLACEHOLDER_RULE = "content.placeholder"
# Rule kinds whose inserts have a place of their own: a header line at the very top; the
# greeting of a letter with none at the top of its body (api/static/greeting.js).
INSERT_PLACES = {"header_line": "top", "salutation": "greeting"}


def insert_where(rule: Any) -> str:
    """Where a paragraph to insert for this rule goes (api/static/insert.js): 'top' (a header
    line), 'greeting' (the greeting of a letter with none: at the top of the body, after the
    header lines), else the rule's `insert_place` (rules/*.yml): 'opening' (the first paragraph
    under the greeting: the decision), 'early' (after the paragraph that gives the decision, or
    the first under the greeting: an acknowledgement of feelings, condolences, an apology for a
    late letter) or 'body' (before the sign-off)."""
    if rule is None:
        return "body"
    if rule.kind in INSERT_PLACES:
        return INSERT_PLACES[rule.kind]
    return getattr(rule.config, "insert_place", "body")


def insert_data(rules: list, text: str, context: dict | None) -> dict[str, Any]:
    """What api/static/insert.js needs to place a paragraph: the rules whose paragraphs go
    first under the greeting ('opening') and early ('early'), the checker's greeting, header,
    reference-line and sign-off patterns, where `text` states the decision
    (`decision_place`, [start, end] in characters, and its words, `decision_words`; None
    without a `context`), and the pairs of sentences an early paragraph must not come between
    (`read_together`, [start, end] each; none without a `context`). Worked out even when no
    finding offers an early paragraph: the page checks the letter again as it is typed, and a
    paragraph taken out then brings its finding, and its button, back; the letter page follows
    the decision's place and the pairs through every edit made there, one-click changes to
    their words included."""
    place, together = early_places(text, context) if context is not None else (None, [])
    return {**greeting_place_data(), "greeting": [p.pattern for p in structure_patterns().greeting],
            "welsh_first": welsh_first(text),
            "early_rules": [r.id for r in rules if insert_where(r) == "early"],
            "feelings_inserts": feelings_inserts(rules),
            "opening_rules": [r.id for r in rules if insert_where(r) == "opening"],
            "decision_place": list(place) if place else None,
            "decision_words": text[place[0]:place[1]] if place else None,
            "read_together": [list(pair) for pair in together]}


def feelings_inserts(rules: list) -> list[str]:
    """Every paragraph an empathy rule puts early (an acknowledgement of feelings, condolences,
    an apology for a late letter), in each of its forms (per decision, to a bereaved family, Easy
    Read, Welsh): another early paragraph ("What the CPS does") goes after one of these standing
    next to the decision, not between them (api/static/insert.js; a staff review found the CPS
    paragraph put between the decision and the acknowledgement put in a moment before)."""
    out: list[str] = []
    for rule in rules:
        if insert_where(rule) != "early" or rule.dimension != "empathy":
            continue
        cfg = rule.config
        for field in ("insert", "insert_cy", "insert_bereaved", "insert_bereaved_cy", "insert_easy_read"):
            value = getattr(cfg, field, None)
            for text in (value.values() if isinstance(value, dict) else [value]):
                if text and text.strip() not in out:
                    out.append(text.strip())
    return out


def welsh_first(text: str) -> bool:
    """The letter is in Welsh and English with the Welsh first (engine/language.py): a paragraph
    the checker offers in such a letter is English (a rule that reads Welsh offers none there:
    kinds/base.py `insert_suggestion`), and api/static/insert.js puts it in the English half,
    from its greeting on, not before the Welsh half's sign-off ("Yn gywir")."""
    from vcl_qa.engine.language import by_lines, detect

    lines = text.split("\n")
    if detect(lines).language != "cy+en":
        return False
    langs = by_lines(lines).lines
    first = {lang: langs.index(lang) for lang in ("cy", "en") if lang in langs}
    return "cy" in first and first["cy"] < first.get("en", len(langs))


def decision_place(text: str, context: dict) -> tuple[int, int] | None:
    """Where the letter states its decision (engine/run.py `decision_stated`), for
    api/static/insert.js to put an acknowledgement of feelings, condolences or an apology after
    the paragraph that holds it; None when it does not say, or its details cannot be read."""
    return early_places(text, context)[0]


def early_places(text: str, context: dict) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """Where the letter states its decision (`decision_place`), and the pairs of sentences from
    there on (from the greeting, when it does not say) that the checker reads together, which
    an early paragraph goes after, never between (engine/run.py `read_together`): a term named
    at the end of the decision's paragraph and explained at the start of the next. (None, [])
    when the letter's details cannot be read."""
    try:
        letter = Letter(text=text, context=context_from_mapping(context))
        with scoring_slot:
            place = decision_stated(letter)
            return place, read_together(letter, after=place[0] if place else 0)
    except LetterError:
        return None, []


def greeting_place_data() -> dict[str, Any]:
    """What api/static/greeting.js needs to find where a greeting goes, from the checker's own
    patterns (rules/structure.yml): the header and reference lines it passes over, the sign-off,
    a list item's bullet or number, how many words make a line of prose, the titles a name
    starts with, and what makes a line a heading (which the greeting goes above), a subject line
    under the greeting (which a paragraph put first goes below: api/static/insert.js) and a date."""
    pats = structure_patterns()
    structure_yml = load_yaml("structure.yml")
    return {"sign_off": sign_off_alternatives(), "header": [p.pattern for p in pats.header],
            "reference_line": [p.pattern for p in pats.reference_line],
            "bullet": pats.bullet.pattern, "prose_min_words": pats.prose_min_words,
            "titles": sorted(titles()), "heading_max_words": pats.heading_max_words,
            "date_line": structure_yml["date_line"],
            # (an area's own rules folder made before this setting: as insert.js's own 15)
            "subject_line_max_words": int(structure_yml.get("subject_line_max_words", 15)),
            "subject_line_never_ends_with": [str(w).lower() for w in structure_yml.get("subject_line_never_ends_with") or []],
            # (likewise: three times prose_min_words, as greeting.js had it)
            "long_line_min_words": int(structure_yml.get("long_line_min_words", 3 * pats.prose_min_words)),
            # (likewise: the numbers insert.js and greeting.js had of their own)
            "insert_prose_min_words": int(structure_yml.get("insert_prose_min_words", 4)),
            "insert_long_line_words": int(structure_yml.get("insert_long_line_words", 10)),
            "re_line_max_words": int(structure_yml.get("re_line_max_words", 30))}
# The context fields, as the check form names them (api/templates/check.html).
FIELD_LABELS = {
    "decision": "What did we decide?", "decision_date": "Date of the decision",
    "letter_date": "Date the letter will be sent", "victim_category": "Victim's rights",
    "bereaved": "Writing to a bereaved family member?", "offence": "Offence",
    "victim_name": "Name the letter should greet", "urn": "Case reference (URN)",
    "withdrawal": "Did the victim withdraw support?", "reader": "Who will read the letter?",
}
FIELD_OPTIONS = {"decision": DECISION_LABELS, "victim_category": CATEGORY_LABELS,
                 "bereaved": BEREAVED_LABELS, "offence": OFFENCE_LABELS, "withdrawal": WITHDRAWAL_LABELS,
                 "reader": labels.READERS}
DATE_FIELDS = ("decision_date", "letter_date")


# Each detail named as a heading of a list names it (FIELD_LABELS are the form's questions).
DETAIL_NAMES = {"decision": "Decision", "decision_date": "Decision date", "letter_date": "Letter date",
                "victim_category": "Victim's rights", "bereaved": "Writing to a bereaved family member",
                "offence": "Offence", "victim_name": "Name the letter should greet",
                "urn": "Case reference (URN)", "withdrawal": "The victim withdrew support",
                "reader": "Who will read the letter"}


def _detail_words(field: str, value: Any) -> str:
    """A stored detail as the check form shows it: "Monday 30 December 2024", "Yes", "An adult"."""
    if value is None or value == "":
        return "not given"
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if field in DATE_FIELDS:
        try:
            return long_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    options = FIELD_OPTIONS.get(field)
    return str(options.get(str(value), value)) if options else str(value)


def detail_changes(old: dict, new: dict) -> list[dict]:
    """The letter details one version has and another has otherwise, in the check form's order
    and words: a version saved with a new letter date or name and the same words changes its
    findings and score, and the comparison says why."""
    out = []
    for field in FIELD_ORDER:
        before, after = _detail_words(field, old.get(field)), _detail_words(field, new.get(field))
        if before != after:
            out.append({"field": field, "label": DETAIL_NAMES.get(field, field), "old": before, "new": after})
    return out


def placeholder_label(words: str) -> str:
    """'[NAME OF PROSECUTOR]' -> 'Name of prosecutor'; '[insert trial date]' -> 'Trial date'."""
    inner = re.sub(r"^[\[<{]+|[\]>}]+$", "", words.strip()).replace("_", " ").strip()
    inner = re.sub(r"^(insert|enter|add)\s+(the\s+)?", "", inner, flags=re.I).strip()
    if not inner or not re.search(r"[A-Za-z]", inner) or re.fullmatch(r"[Xx/]+|dd/mm/yy(yy)?", inner, re.I):
        return "The missing words"
    inner = inner.lower()
    return inner[:1].upper() + inner[1:]


def _kind(f: dict) -> str:
    if f.get("replacements"):
        return "replace"
    if f["rule"] == PLACEHOLDER_RULE and f.get("start") is not None:
        return "fill"
    if f.get("suggestions"):
        return "insert" if f.get("start") is None else "advice"
    return "none"


def _suppression_for(f: dict, suppressions: list[dict]) -> dict | None:
    """The standing suppression that sets this finding aside (by rule, and words when given):
    of several on the same words (each for its own places), the one whose reason the engine
    gave the finding."""
    text = (f.get("text") or "").lower()
    found = [s for s in reversed(suppressions) if not s.get("revoked_at") and s["rule"] == f["rule"]
             and (not s.get("term") or s["term"].lower() == text)]
    return next((s for s in found if s["reason"] == f.get("suppressed_reason")), found[0] if found else None)


def findings_view(result: dict, suppressions: list[dict], text: str) -> list[dict]:
    """Every finding, numbered: the ones to fix first (worst, then in letter order), then the
    ones marked 'not a problem'."""
    rules = load_rules().by_id
    ordered = sorted(result.get("findings", []), key=lambda f: (
        bool(f.get("suppressed")), SEVERITY_ORDER.get(f["severity"], 3),
        f["start"] if f.get("start") is not None else -1))
    out = []
    for n, f in enumerate(ordered, start=1):
        rule = rules.get(f["rule"])
        lo, hi = f.get("replace_start"), f.get("replace_end")
        view = {**f, "n": n, "kind": _kind(f), "title": rule.title if rule else f["rule"],
                "severity_words": labels.SEVERITIES.get(f["severity"], f["severity"]),
                "where": insert_where(rule),
                "original": text[lo:hi] if lo is not None and hi is not None else None,
                "replacements": f.get("replacements") or [], "suppression": None,
                "markable": rule.markable if rule else True}
        if view["kind"] == "fill":
            view["label"] = placeholder_label(f.get("text") or "")
        if f.get("suppressed"):
            view["suppression"] = _suppression_for(f, suppressions)
        out.append(view)
    return out


def alike_key(f: dict) -> tuple[str, str]:
    """Findings alike: the same check on the same words ("please note" found 3,300 times)."""
    return f["rule"], (f.get("text") or "").casefold()


def listing(active: list[dict], most: int, alike: int) -> tuple[list[dict], list[dict]]:
    """The findings drawn on the page, in their order (must-fix first): at most `most`, and at
    most `alike` of the same check on the same words. The last one drawn of each kind carries
    `more_alike`, how many more like it are not drawn. Then the findings not drawn, counted by
    check and severity (most first): [{"title", "severity", "severity_words", "count",
    "words"}]. Every finding is drawn or counted; letter.js lists them the same way."""
    shown: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}  # kind -> index in `shown` of its last card
    more: dict[tuple[str, str], int] = {}
    rest: dict[tuple[str, str], dict] = {}
    for f in active:
        key = alike_key(f)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= alike and len(shown) < most:
            last[key] = len(shown)
            shown.append({**f, "more_alike": 0})
            continue
        more[key] = more.get(key, 0) + 1
        group = rest.setdefault((f["severity"], f["title"]), {
            "title": f["title"], "severity": f["severity"], "severity_words": f["severity_words"],
            "count": 0, "words": []})
        group["count"] += 1
        words = (f.get("text") or "").strip()
        if words and len(group["words"]) < 3 and words.casefold() not in {w.casefold() for w in group["words"]}:
            group["words"].append(words if len(words) <= 40 else words[:37] + "...")
    for key, i in last.items():
        shown[i]["more_alike"] = more.get(key, 0)
    unlisted = sorted(rest.values(), key=lambda g: (labels.SEVERITY_ORDER.get(g["severity"], 3), -g["count"], g["title"]))
    return shown, unlisted


def severity_counts(findings: list[dict]) -> list[tuple[str, str, int]]:
    active = [f for f in findings if not f.get("suppressed")]
    return [(sev, words, sum(f["severity"] == sev for f in active))
            for sev, words in labels.SEVERITIES.items()]


def checks_hint(checks: list[str]) -> str:
    """What answering a detail's question does, in plain words, each check named by its title in
    quotes so that it is never read as something said of the letter: 'Answering it lets us check
    the letter for this problem: “The victim's own views not mentioned”.' (it said "Lets these be
    checked: The victim's own views not mentioned.")."""
    names = ", ".join(f"“{c}”" for c in checks)
    return (f"Answering it lets us check the letter for {'this problem' if len(checks) == 1 else 'these problems'}: "
            f"{names}.")


def missing_details(result: dict, context: dict) -> list[dict]:
    """The letter details that checks could not do without, each with the checks it would let
    run (`checks`, their titles) and the hint saying so (`checks_hint`)."""
    rules = load_rules().by_id
    wanted: dict[str, list[str]] = {}
    for dim in (result.get("dimensions") or {}).values():
        for line in dim.get("not_assessed") or []:
            rule_id, _, why = line.partition(":")
            for field in FIELD_ORDER:
                if re.search(rf"\b{field}\b", why) and not context.get(field):
                    rule = rules.get(rule_id.strip())
                    wanted.setdefault(field, []).append(rule.title if rule else rule_id.strip())
    sooner = sooner_if_bereaved(context)
    if sooner:  # the answer also moves the due date: asked even when no check waits on it
        wanted.setdefault("bereaved", [])
    return [{"field": f, "label": FIELD_LABELS.get(f, f), "checks": sorted(set(wanted[f])),
             "hint": _missing_hint(f, sorted(set(wanted[f])), sooner), "options": FIELD_OPTIONS.get(f),
             "date": f in DATE_FIELDS}
            for f in FIELD_ORDER if f in wanted]


def _missing_hint(field: str, checks: list[str], sooner: tuple[dt.date, int] | None) -> str:
    """checks_hint, and for the bereaved question whose answer moves the due date, by how much:
    "It also sets the due date: a bereaved family's letter is due 1 working day after the
    decision, by Tuesday 4 November 2025."."""
    hint = checks_hint(checks) if checks else ""
    if field == "bereaved" and sooner:
        hint = (f"{hint} " if hint else "") + (
            f"It also sets the due date: a bereaved family's letter is due {labels.working_days(sooner[1])} "
            f"after the decision, by {long_date(sooner[0])}.")
    return hint


def due_facts(metrics: dict, status: str, sent_date: str | None, today: dt.date | None = None, *,
              undated: bool = False, context: dict | None = None) -> dict | None:
    """The due date in words and how the letter stands against it (on the letter's date, or the
    day it was sent): {'due': ..., 'left': int, 'late': bool, 'words': ...}. `undated`: a draft
    with no letter_date, judged as if sent today (`if_today`: the page says "if sent today",
    never "on the letter's date", a date the letter does not have). `why`: why the limit is
    shorter than the victim's rights give (a bereaved family), else "". `if_bereaved`: with the
    letter's details (`context`) saying nothing of a bereaved family, the sooner due date the
    answer "yes" would give, else None (`sooner_if_bereaved`)."""
    if not metrics.get("due_date"):
        return None
    today = today or clock.today()
    due = dt.date.fromisoformat(metrics["due_date"])
    on = dt.date.fromisoformat(sent_date or metrics.get("letter_date") or today.isoformat())
    left = workdays.working_days_between(on, due)
    # Late whenever the day is after the due date, as the engine's timeliness.late judges it:
    # a Saturday after a Friday due date is 0 working days past it, and late all the same.
    late = on > due
    limit = metrics.get("limit_working_days")
    why = _bereaved_limit(limit) if metrics.get("limit_reason") == "bereaved" and limit else ""
    sooner = sooner_if_bereaved(context or {}, due)
    return {"due": long_date(due, today), "due_iso": due.isoformat(), "left": left, "late": late,
            "on": long_date(on, today), "sent": status == "sent",
            "if_today": undated and status != "sent", "on_due": on == due, "why": why,
            "if_bereaved": {"due": long_date(sooner[0], today), "why": _bereaved_limit(sooner[1]),
                            "question": FIELD_LABELS["bereaved"]}
            if sooner else None}


def _bereaved_limit(limit: int) -> str:
    """"1 working day after the decision: bereaved families are owed the enhanced service"."""
    return f"{labels.working_days(limit)} after the decision: {workdays.BEREAVED_WHY}"


def _stored_day(value: Any) -> dt.date | None:
    """A letter detail's date as stored (ISO text, or a date), None when it is not one."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def past_dated(letter: dict, metrics: dict, today: dt.date | None = None) -> dict | None:
    """A draft (not sent, not purged) dated before today: {'on': its date in words, 'late_today':
    how it would stand against its due date sent today, in words ("12 working days late"), or
    None when it would still be on time}. Such a draft is checked as if it went out on its date,
    so the page said "on time" and "Good" of a letter dated 25 April 2025 still unsent in December
    2026 (a review); the page now says so. None for any other letter."""
    today = today or clock.today()
    day = _stored_day((letter.get("context") or {}).get("letter_date") or letter.get("letter_date"))
    if letter.get("status") == "sent" or letter.get("purged_at") or day is None or day >= today:
        return None
    facts = due_facts(metrics, "draft", today.isoformat(), today) if metrics.get("due_date") else None
    late = None
    if facts and facts["late"]:
        late = f"{days(facts['left'])} late" if facts["left"] else "late (after the due date)"
    return {"on": long_date(day, today), "late_today": late}


def sooner_if_bereaved(context: dict, due: dt.date | None = None) -> tuple[dt.date, int] | None:
    """With the letter's details saying nothing of a bereaved family (not "no"), the due date
    and working days a bereaved family would be owed, when sooner than the letter's own (a
    victim with the standard service: 1 working day, not 5); else None. A letter to a bereaved
    family checked without that answer was shown due days later than it is."""
    if context.get("bereaved") is not None:
        return None
    category, decided = context.get("victim_category"), _stored_day(context.get("decision_date"))
    if not category or decided is None:
        return None
    sooner, limit = workdays.due_date(decided, category, True), workdays.limit_for(category, True)
    own = due or workdays.due_date(decided, category, None)
    if sooner is None or limit is None or own is None or sooner >= own:
        return None
    return sooner, limit


def days(n: int) -> str:
    return labels.working_days(abs(n))


def when(stamp: str | None) -> str:
    """A stored timestamp (UTC) as the UK's clock showed it: "Wednesday 2 December 2026, 14:31"."""
    return clock.uk_when(stamp) if stamp else ""


def when_csv(stamp: str | None) -> str:
    """The same for a CSV column headed "(UK time)": "2026-12-02 14:31"."""
    return clock.uk_time(stamp).strftime("%Y-%m-%d %H:%M") if stamp else ""


# A changed stretch too big to compare word by word (config.WORD_DIFF_CELLS) is shown taken out
# and put in whole: by lines first, a 200 KB letter compares in well under a second.
WORD_DIFF_CELLS = config.WORD_DIFF_CELLS
_LINES = re.compile(r"[^\n]*\n|[^\n]+$")
# A word with the spaces after it is one piece, so that a changed phrase is one change; line
# breaks are pieces of their own, so that a changed line ends where it did.
_PIECES = re.compile(r"\S+[ \t]*|\s+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The new text as pieces marked 'same', 'ins' or 'del' (word by word; spaces kept): lines
    are matched first (difflib's autojunk on, so a line repeated hundreds of times anchors
    nothing), then each changed stretch of lines word by word, when it is not too big. The
    matching's work is bounded (config.DIFF_WORK): past it, lines are matched by those found once
    in each version (_anchored_opcodes), and what is left is shown taken out and put in whole."""
    a, b = _LINES.findall(old), _LINES.findall(new)
    out: list[tuple[str, str]] = []
    words_budget = [config.DIFF_WORK]  # shared by every changed stretch of this view

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))

    ops = _opcodes(a, b, True, [config.DIFF_WORK])
    for op, i1, i2, j1, j2 in ops if ops is not None else _anchored_opcodes(a, b):
        if op == "equal":
            add("same", "".join(a[i1:i2]))
            continue
        wa, wb = _PIECES.findall("".join(a[i1:i2])), _PIECES.findall("".join(b[j1:j2]))
        word_ops = _opcodes(wa, wb, False, words_budget) if len(wa) * len(wb) <= WORD_DIFF_CELLS else None
        if word_ops is None:
            add("del", "".join(wa))
            add("ins", "".join(wb))
            continue
        for wop, k1, k2, l1, l2 in word_ops:
            if wop == "equal":
                add("same", "".join(wa[k1:k2]))
                continue
            if wop in ("delete", "replace"):
                add("del", "".join(wa[k1:k2]))
            if wop in ("insert", "replace"):
                add("ins", "".join(wb[l1:l2]))
    return out


class _OverBudget(Exception):
    """A comparison would do more than its share of the work (config.DIFF_WORK)."""


class _Matcher(difflib.SequenceMatcher):
    """difflib's matcher, stopped (_OverBudget) once its searches for the longest match have looked
    at more items and pairs of equal items than `budget` (a one-item list, shared) allows: each
    search looks at every pair in its stretch, and it searches again around every block found."""

    def __init__(self, a: list[str], b: list[str], autojunk: bool, budget: list[int]):
        super().__init__(None, a, b, autojunk=autojunk)
        self.budget = budget

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget[0] -= ahi - alo
        if self.budget[0] >= 0:  # the search reads each item's places in b up to bhi
            get = self.b2j.get
            self.budget[0] -= sum(bisect.bisect_left(get(x, ()), bhi) for x in self.a[alo:ahi])
        if self.budget[0] < 0:
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


def _opcodes(a: list[str], b: list[str], autojunk: bool, budget: list[int]) -> list[tuple] | None:
    """difflib's opcodes for a and b, or None when they would take more than `budget`."""
    try:
        return _Matcher(a, b, autojunk, budget).get_opcodes()
    except _OverBudget:
        return None


def _anchored_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Lines matched cheaply, for versions difflib would take too long over: the lines the two
    share at the start and at the end, then the most lines found once in each version, in order
    ("patience" matching); between those difflib again while the work allows (config.DIFF_WORK),
    else the stretch is changed whole. Only 'equal' and 'replace' (any change) are given."""
    n, m = len(a), len(b)
    lo = 0
    while lo < min(n, m) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < min(n, m) - lo and a[n - 1 - hi] == b[m - 1 - hi]:
        hi += 1
    ops: list[tuple[str, int, int, int, int]] = []

    def mark(op: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        op = "equal" if op == "equal" else "replace"
        if ops and ops[-1][0] == op:  # one run of lines the same, or of lines changed
            ops[-1] = (op, ops[-1][1], i2, ops[-1][3], j2)
        else:
            ops.append((op, i1, i2, j1, j2))

    mark("equal", 0, lo, 0, lo)
    budget, i, j = [config.DIFF_WORK], lo, lo
    for ai, bj in _unique_in_order(a, b, lo, n - hi, lo, m - hi) + [(n - hi, m - hi)]:
        tried = (i, ai, j, bj) == (0, n, 0, m)  # (the whole: word_diff found it too much)
        gap = _opcodes(a[i:ai], b[j:bj], True, budget) if i < ai and j < bj and budget[0] > 0 and not tried else None
        for op, i1, i2, j1, j2 in gap or [("replace", 0, ai - i, 0, bj - j)]:
            mark(op, i + i1, i + i2, j + j1, j + j2)
        if ai < n - hi:  # a line found once in each
            mark("equal", ai, ai + 1, bj, bj + 1)
            i, j = ai + 1, bj + 1
    mark("equal", n - hi, n, m - hi, m)
    return ops


def _unique_in_order(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """The most lines found once in a[alo:ahi] and once in b[blo:bhi] that come in the same order
    in both, as (index in a, index in b): a longest increasing run, in n log n."""
    count_a, count_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    where_b = {line: j for j, line in enumerate(b[blo:bhi], blo) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(a[alo:ahi], alo)
             if count_a[line] == 1 and line in where_b]
    ends: list[int] = []  # ends[k]: the smallest index in b that ends a run of k + 1 pairs
    last: list[int] = []  # ... and that pair's place in pairs
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect.bisect_left(ends, j)
        back[k] = last[at - 1] if at else -1
        if at == len(ends):
            ends.append(j)
            last.append(k)
        else:
            ends[at], last[at] = j, k
    run, k = [], last[-1] if last else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def view_context(letter: dict, result: dict, user: Any, *, most: int = 100, alike: int = 10) -> dict[str, Any]:
    """Everything the letter page needs beyond the letter itself. A letter with thousands of
    findings lists at most `most` of them, and `alike` of the same check on the same words
    (`findings_listed_most` and `findings_listed_alike` in rules/web.yml); the rest are counted."""
    text = letter["versions"][-1]["text"] if letter["versions"] else ""
    text = text or ""
    findings = findings_view(result, letter.get("suppressions") or [], text)
    active = [f for f in findings if not f.get("suppressed")]
    listed, unlisted = listing(active, most, alike)
    # one mark on "please note" sets aside every place it is: listed the same way
    set_aside_all = [f for f in findings if f.get("suppressed")]
    set_aside, set_aside_rest = listing(set_aside_all, most, alike)
    rules = load_rules().by_id
    restored = [{**s, "title": rules[s["rule"]].title if s["rule"] in rules else s["rule"]}
                for s in reversed(letter.get("suppressions") or []) if s.get("revoked_at")]
    return {
        "text": text, "findings": listed, "active_count": len(active), "unlisted": unlisted,
        "unlisted_count": sum(g["count"] for g in unlisted),
        "set_aside": set_aside, "set_aside_count": len(set_aside_all),
        "set_aside_unlisted": sum(g["count"] for g in set_aside_rest),
        "restored": restored,
        "counts": severity_counts(findings), "must_fix": [f for f in active if f["severity"] == "error"],
        "missing": missing_details(result, letter.get("context") or {}),
        "due": due_facts(result.get("metrics", {}), letter["status"], letter["sent_date"],
                         undated=service.undated_draft(letter), context=letter.get("context") or {}),
    }
