"""Training: exercises, attempts scored by the real engine, feedback, progress, the board's
training line, and exercises made from letters the panel rated poorly.

An attempt is scored with `score_letter` exactly as a real letter is, and stored only in the
training tables: exercises never enter the letters list, the dashboard or the panel's figures.
"""
from __future__ import annotations

import io
import json
import re
from typing import Any

from sqlite_utils import Database

from vcl_qa import clock, csv_safe, labels
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.engine.result import Finding, Result
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import LetterError
from vcl_qa.letters import matching
from vcl_qa.letters.service import check_attempt_storage, check_text, refuse_too_many
from vcl_qa.panel import periods
from vcl_qa.panel.redact import load_rules as redaction_rules
from vcl_qa.panel.redact import redact
from vcl_qa.training import own_work, store
from vcl_qa.training.exercises import EDITABLE, READERS, Exercise, load_exercises, settings
from vcl_qa.training.store import NotFound

PANEL_PREFIX = "panel-"
# The fields of an exercise made from a panel letter that a manager writes, as the page names them.
LEAK_FIELDS = {"title": "The title gives", "brief": "The brief gives", "facts": "The case facts give",
               "model_answer": "The model answer gives"}
# Plain headers and values, as every CSV export (docs/web.md), the role's code in a column of
# its own; every cell made safe from spreadsheet formulas (vcl_qa/csv_safe.py): a person's or a
# team's name is typed by whoever added them.
# "Exercises tried" and "Attempts" count the exercises on offer; attempts at those taken off the
# list come last (added after "Role code", so that no column a spreadsheet reads by place moves).
CSV_COLUMNS = ("Team", "Person", "Role", "Exercises passed", "Exercises on offer", "Exercises tried",
               "Attempts", "Passed them all", "Last activity (UK time)", "Role code",
               "Attempts at exercises taken off the list")


# --- exercises ------------------------------------------------------------------------------

def _from_panel_row(row: dict, position: int) -> Exercise:
    return Exercise(f"{PANEL_PREFIX}{row['id']}", row["title"], row["brief"], tuple(row["facts"]),
                    row["reader"], row["context"], (), tuple(row["teaches"]), row["letter"],
                    row["model_answer"], {}, "panel", position)


def all_exercises(db: Database) -> list[Exercise]:
    """The exercises in rules/training/, then those made from panel letters."""
    built = list(load_exercises())
    return built + [_from_panel_row(r, len(built) + n) for n, r in enumerate(store.panel_exercises(db), 1)]


def get_exercise(db: Database, exercise_id: str) -> Exercise:
    for ex in load_exercises():
        if ex.id == exercise_id:
            return ex
    if exercise_id.startswith(PANEL_PREFIX) and exercise_id[len(PANEL_PREFIX):].isdigit():
        number = int(exercise_id[len(PANEL_PREFIX):])
        if number < 2**63:
            return _from_panel_row(store.panel_exercise(db, number), 0)
    raise NotFound(f"no exercise '{exercise_id[:80]}'")


def _titles() -> dict[str, str]:
    return {r.id: r.title for r in load_rules().rules}


def _is_error(f: Finding) -> bool:
    return f.severity == "error" and not f.suppressed


def passes(result: Result) -> bool:
    """The checker's part of a pass: no error-level finding left (suppressed ones do not count)
    and score >= pass_score. An attempt also needs to be the writer's own fix of the
    exercise's letter (`own_work.not_counted`)."""
    return not any(_is_error(f) for f in result.findings) and result.score >= settings().pass_score


def _meets_standard(data: dict) -> bool:
    """`passes` for a stored result (JSON)."""
    return (data.get("score", 0) >= settings().pass_score
            and not any(f["severity"] == "error" and not f.get("suppressed") for f in data.get("findings") or []))


def _brief_finding(f: Finding | dict, titles: dict[str, str]) -> dict:
    d = f if isinstance(f, dict) else f.model_dump()
    return {"rule": d["rule"], "title": titles.get(d["rule"], d["rule"]), "severity": d["severity"],
            "severity_words": labels.label(labels.SEVERITIES, d["severity"]), "message": d["message"],
            "text": d.get("text")}


def compare(before: list[dict], after: list[dict], old_text: str | None = None,
            new_text: str | None = None) -> dict[str, list[dict]]:
    """What was fixed, what is left and what is new, from the flawed letter to the attempt,
    matched as versions of a letter are (`letters/matching.py`: by rule and words, or by place
    once the edit is allowed for, so a long sentence shortened but still long is left, not
    fixed and new)."""
    diff = matching.compare_findings(before, after, old_text, new_text)
    titles = _titles()
    rank = {"error": 0, "warning": 1, "suggestion": 2}
    parts = (("fixed", diff["fixed"]), ("left", diff["unchanged"] + diff["set_aside"]), ("new", diff["new"]))
    return {k: sorted((_brief_finding(f, titles) for f in v), key=lambda f: rank.get(f["severity"], 3))
            for k, v in parts}


def _flawed_findings(ex: Exercise) -> list[dict]:
    return [f.model_dump() for f in score_letter(ex.letter_for(ex.letter)).findings]


def _changes(ex: Exercise, changes: dict[str, Any] | None) -> dict[str, str]:
    """The case details the trainee changed: only those the exercise lets them change."""
    out = {}
    for key, value in (changes or {}).items():
        if key not in EDITABLE or key not in ex.editable:
            allowed = ", ".join(ex.editable) or "none in this exercise"
            raise LetterError(f"this detail cannot be changed in this exercise (allowed: {allowed})", field=key)
        if value in (None, ""):
            continue
        out[key] = str(value)
    return out


def model_answer_unlocked(db: Database, user_id: int, exercise_id: str) -> bool:
    status = store.status_by_exercise(db, user_id).get(exercise_id)
    return bool(status) and (status["passed"] or status["attempts"] >= settings().model_answer_after)


def _model(ex: Exercise) -> dict | None:
    if not ex.model_answer:
        return None
    return {"text": ex.model_answer, "context": {**ex.model_context}}


def attempt(db: Database, user: Any, exercise_id: str, text: Any,
            changes: dict[str, Any] | None = None) -> dict:
    """Score an attempt with the real engine, store it, and say what was fixed and what is left.
    Returns the result plus `passed`, `attempt`, `feedback` and `model_answer` (once passed or
    after `model_answer_after` tries; otherwise None).

    A pass needs the checker's pass (`meets_standard`) and the writer's own fix of this
    exercise's letter: an attempt too short to be a letter is refused (LetterError on `text`);
    one that is (nearly) the model answer already shown to this person, or that has lost this
    case's name or reference, is stored but not counted (`not_counted` says why)."""
    ex = get_exercise(db, exercise_id)
    text = check_text(text)
    changed = _changes(ex, changes)
    try:
        letter = ex.letter_for(text, changed)
    except LetterError as exc:  # only a changed detail can be wrong: the exercise's own are checked
        exc.field, exc.source = exc.field or next(iter(changed), None), None
        raise
    own_work.check_length(ex, text)
    shown = model_answer_unlocked(db, user.id, ex.id)  # before this attempt
    result = score_letter(letter)
    refuse_too_many(result)  # (as a letter kept: letters/service.py)
    meets = passes(result)
    not_counted = own_work.not_counted(ex, text, shown)
    passed = meets and not not_counted
    data = result.model_dump(mode="json")
    check_attempt_storage(db, user, text, data)  # counted with the person's saves
    left = sorted({f.rule for f in result.findings if _is_error(f)})
    row = store.add_attempt(db, user, ex.id, text, changed, result.score, passed, left, data, not_counted,
                            guard=lambda: check_attempt_storage(db, user, text, data))  # again, under the write lock
    return _answer(db, user.id, ex, data, passed, row["number"], row["created_at"], not_counted, text)


def _answer(db: Database, user_id: int, ex: Exercise, data: dict, passed: bool, number: int,
            created_at: str, not_counted: list[dict] | None = None, text: str | None = None) -> dict:
    status = store.status_by_exercise(db, user_id).get(ex.id) or {"passed": False, "attempts": 0}
    after = settings().model_answer_after
    unlocked = status["passed"] or status["attempts"] >= after
    return {**data, "exercise": ex.id, "passed": passed, "pass_score": settings().pass_score,
            "meets_standard": _meets_standard(data), "not_counted": list(not_counted or []),
            "attempt": number, "attempts": status["attempts"], "passed_before": bool(status["passed"]),
            "created_at": created_at,
            "feedback": compare(_flawed_findings(ex), data["findings"], ex.letter, text),
            "model_answer": _model(ex) if unlocked else None,
            "tries_before_model_answer": 0 if unlocked else max(after - status["attempts"], 0)}


def last_attempt(db: Database, user: Any, exercise_id: str, number: int | None = None) -> dict | None:
    """A stored attempt with its feedback, as `attempt` returned it; None when there is none."""
    ex = get_exercise(db, exercise_id)
    try:
        row = store.attempt(db, user.id, ex.id, number)
    except NotFound:
        if number is not None:
            raise
        return None
    out = _answer(db, user.id, ex, row["result"], row["passed"], row["number"], row["created_at"],
                  row["not_counted"], row["text"])
    out["text"], out["changes"] = row["text"], row["changes"]
    return out


def exercise_detail(db: Database, user: Any, exercise_id: str) -> dict:
    """An exercise as a trainee sees it: the brief, the case, the letter to fix, their progress."""
    ex = get_exercise(db, exercise_id)
    status = store.status_by_exercise(db, user.id).get(ex.id)
    unlocked = bool(status) and (status["passed"] or status["attempts"] >= settings().model_answer_after)
    return {**ex.public(), "text": ex.letter, "status": _status(status),
            "model_answer": _model(ex) if unlocked else None}


def _status(status: dict | None) -> dict:
    if not status:
        return {"attempts": 0, "passed": False, "best_score": None, "passed_at": None, "last_at": None}
    return {k: status[k] for k in ("attempts", "passed", "best_score", "passed_at", "last_at")}


def exercise_list(db: Database, user: Any) -> list[dict]:
    mine = store.status_by_exercise(db, user.id)
    return [{**ex.public(), "status": _status(mine.get(ex.id))} for ex in all_exercises(db)]


# --- progress ---------------------------------------------------------------------------------

def counted(person: dict) -> bool:
    """Whether a person is one the training is for, counted in the teams' figures and the board's
    line: an active staff account. Managers may take the exercises too (as staff, the pages and
    the API let them), and someone switched off or no longer staff may have tried them before:
    they are listed apart, never counted as people doing the training."""
    return person["role"] == "staff" and not person.get("disabled")


def progress(db: Database, user: Any | None = None) -> dict:
    """Per person: exercises passed, exercises tried and attempts, all three over the exercises
    on offer now; attempts at exercises since taken off the list apart (`attempts_withdrawn`:
    counted in `attempts`, they made "Tried 0, Attempts 3"); last activity.
    `data`: the staff the training is for (`counted`), whose figures make `teams`; `others`:
    anyone else who has tried (managers, accounts switched off or no longer staff), counted in
    no figure. `user`: that person only, in `data` (staff see themselves); None: everyone
    (managers)."""
    ids = [e.id for e in all_exercises(db)]
    offered = set(ids)
    rows, others = [], []
    for r in store.people(db, user.id if user is not None else None):
        passed = [e for e in ids if e in set(r["passed"])]
        tried = offered & set(r["by_exercise"])
        row = {"user_id": r["id"], "name": r["name"], "role": r["role"], "team": r["team"],
               "switched_off": r["disabled"], "exercises_passed": len(passed),
               "exercises_tried": len(tried), "exercises": len(ids),
               "completed": bool(ids) and len(passed) == len(ids),
               "attempts": sum(r["by_exercise"][e] for e in tried),
               "attempts_withdrawn": sum(n for e, n in r["by_exercise"].items() if e not in offered),
               "last_activity": r["last_at"], "passed": passed}
        (rows if user is not None or counted(r) else others).append(row)
    teams: dict[str, dict] = {}
    for r in rows:
        t = teams.setdefault(r["team"] or "", {"team": r["team"], "people": 0, "completed": 0, "started": 0})
        t["people"] += 1
        t["completed"] += r["completed"]
        t["started"] += r["exercises_tried"] > 0
    return {"exercises": len(ids), "data": rows, "count": len(rows), "teams": list(teams.values()),
            "others": others}


def progress_csv(db: Database) -> str:
    """Everyone on the managers' page: the staff the training is for, then the others who have
    tried (their role says which; an account switched off says so)."""
    buf = io.StringIO()
    w = csv_safe.Writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    data = progress(db)
    for r in data["data"] + data["others"]:
        role = (r["role"] or "").capitalize() + (" (switched off)" if r["switched_off"] else "")
        w.writerow([r["team"] or "", r["name"], role, r["exercises_passed"],
                    r["exercises"], r["exercises_tried"], r["attempts"], "Yes" if r["completed"] else "No",
                    _uk_time(r["last_activity"]), r["role"] or "", r["attempts_withdrawn"]])
    return buf.getvalue()


def _uk_time(stamp: str | None) -> str:
    """A stored UTC time as the UK's clock showed it, to the minute ("2025-03-04 14:05")."""
    return clock.uk_time(stamp).strftime("%Y-%m-%d %H:%M") if stamp else ""


def board_summary(db: Database, start: str | None = None, end: str | None = None) -> dict:
    """The board report's training line: staff who have passed every exercise, staff who have
    started, and their attempts made in the period (`start`/`end`: ISO dates). All three count
    the same people (`counted`) and the exercises on offer: a manager's tries, or tries at an
    exercise since taken off the list, made "0 have started; 4 attempts"."""
    data = progress(db)
    staff = data["data"]
    completed = sum(r["completed"] for r in staff)
    started = sum(r["exercises_tried"] > 0 for r in staff)
    exercises = data["exercises"]
    attempts = store.attempts_between(db, start, end, user_ids=[r["user_id"] for r in staff],
                                      exercise_ids=[e.id for e in all_exercises(db)])
    line = (f"Training: {completed} of {len(staff)} staff have passed all {exercises} exercises; "
            f"{started} {'has' if started == 1 else 'have'} started; {attempts} {'attempt' if attempts == 1 else 'attempts'} "
            f"{'in the period' if start or end else 'so far'}.")
    return {"staff": len(staff), "completed": completed, "started": started, "exercises": exercises,
            "attempts": attempts, "share_completed": round(completed / len(staff), 3) if staff else None,
            "line": line}


# --- learning from the panel ------------------------------------------------------------------

def panel_letters(db: Database) -> list[dict]:
    """Sent letters whose panel ratings average `poor_panel_rating` or less, still with text."""
    limit = settings().poor_panel_rating
    rows = list(db.query(
        "SELECT i.letter_id, i.version, p.name AS period, p.start_date, p.end_date, i.decision, i.offence, l.team, i.score,"
        " count(r.id) AS ratings, round(avg(r.overall), 2) AS mean_overall"
        " FROM panel_items i JOIN panel_periods p ON p.id = i.period_id JOIN letters l ON l.id = i.letter_id"
        " JOIN versions v ON v.letter_id = i.letter_id AND v.version = i.version"
        " JOIN panel_assignments a ON a.item_id = i.id JOIN panel_ratings r ON r.assignment_id = a.id"
        " WHERE i.removed_at IS NULL AND l.status = 'sent' AND v.text IS NOT NULL AND v.text != ''"
        " GROUP BY i.id HAVING avg(r.overall) <= ? ORDER BY avg(r.overall), p.start_date DESC, i.letter_id",
        [limit]))
    made = {r["from_letter_id"] for r in store.panel_exercises(db)}
    seen, out = set(), []
    for r in rows:
        if r["letter_id"] in seen:
            continue
        seen.add(r["letter_id"])
        r["already_an_exercise"] = r["letter_id"] in made
        # the period as people say it ("April to June 2025"), not its code ("2025Q2")
        r["period_words"] = periods.period_words({"name": r["period"], "start_date": r.pop("start_date"),
                                                  "end_date": r.pop("end_date")})
        out.append(r)
    return out


def _panel_source(db: Database, letter_id: int) -> dict:
    for r in panel_letters(db):
        if r["letter_id"] == letter_id:
            row = db.execute("SELECT text, context FROM versions WHERE letter_id = ? AND version = ?",
                             [letter_id, r["version"]]).fetchone()
            comments = [c for (c,) in db.execute(
                "SELECT r.comment FROM panel_ratings r JOIN panel_assignments a ON a.id = r.assignment_id"
                " JOIN panel_items i ON i.id = a.item_id WHERE i.letter_id = ? AND i.removed_at IS NULL"
                " AND r.comment IS NOT NULL AND r.comment != '' ORDER BY r.id", [letter_id])]
            return {**r, "text": row[0], "context": json.loads(row[1]) if row[1] else {}, "comments": comments}
    raise NotFound(f"letter {letter_id} is not a sent letter the panel rated {settings().poor_panel_rating:g} "
                   f"or less overall")


def _people(text: str, replacements: list) -> dict[int, str]:
    """The invented name for each [NAME] replacement: mentions that share a word ("Craig
    Mellor", "Mr Mellor", "Mellor") are one person and get the same invented person."""
    s = settings()
    titles = redaction_rules().titles
    names = [r for r in replacements if r.tag == s_tag("name")]
    words = {i: [w for w in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text[r.start:r.end])
                 if w.lower() not in titles] for i, r in enumerate(names)}
    group: dict[int, int] = {}
    seen: dict[str, int] = {}
    for i in range(len(names)):
        linked = {seen[w.lower()] for w in words[i] if w.lower() in seen}
        g = min(linked) if linked else i
        for j, gj in list(group.items()):  # a mention that links two people's words joins them
            if gj in linked:
                group[j] = g
        for w, gw in list(seen.items()):
            if gw in linked:
                seen[w] = g
        group[i] = g
        for w in words[i]:
            seen[w.lower()] = g
    full: dict[int, list[str]] = {}
    for i, g in group.items():
        if len(words[i]) > len(full.get(g, [])):
            full[g] = words[i]
    order = {g: n for n, g in enumerate(dict.fromkeys(group[i] for i in range(len(names))))}
    pool = s.name_stand_ins or (s.stand_ins.get(s_tag("name"), s.other_stand_in),)
    out = {}
    for i, r in enumerate(names):
        invented = pool[order[group[i]] % len(pool)].split()
        original = text[r.start:r.end]
        title = next((w for w in original.split()[:1] if w.lower().rstrip(".") in titles), None)
        if len(words[i]) == 1 and len(full[group[i]]) > 1 and len(invented) > 1:
            part = invented[0] if words[i][0].lower() == full[group[i]][0].lower() else invented[-1]
        else:
            part = " ".join(invented)
        if title:
            part = f"{title} {invented[-1]}"
        out[r.start] = part
    return out


def s_tag(kind: str) -> str:
    return redaction_rules().tags.get(kind, f"[{kind.upper()}]")


def _stand_ins(text: str, replacements: list) -> tuple[str, list[dict]]:
    """The letter with each redacted detail replaced by an invented one; where each one went."""
    s = settings()
    people = _people(text, replacements)
    out, marks, pos, length = [], [], 0, 0
    for rep in sorted(replacements, key=lambda r: r.start):
        if rep.start < pos:
            continue
        out.append(text[pos:rep.start])
        length += rep.start - pos
        value = people.get(rep.start) if rep.tag == s_tag("name") else None
        value = value or s.stand_ins.get(rep.tag, s.other_stand_in)
        marks.append({"start": length, "end": length + len(value), "tag": rep.tag, "stand_in": value})
        out.append(value)
        length += len(value)
        pos = rep.end
    out.append(text[pos:])
    return "".join(out), marks


def _has(text: str, phrase: str, case: bool = False) -> bool:
    """Whether `text` has `phrase` as whole words ("Hollis's" has "Hollis"), any spaces or line
    breaks between them; in any case unless `case`."""
    words = [re.escape(w) for w in phrase.replace("\u2019", "'").split()]
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return bool(words) and re.search(pattern, text.replace("\u2019", "'"), 0 if case else re.I) is not None


def _real_details(src: dict, replacements: list, hide_words: list[str]) -> tuple[set[str], set[str]]:
    """What of the real case the exercise's own words (title, brief, facts, model answer) must
    not carry, as (name words, matched with their capital as written, so "Mark" the name but not
    "mark" the verb; other details, in any case): every detail the redaction hid in the letter
    (a person's name word by word, an address line by line), the words the manager asked to
    hide, and the victim's name and case reference from the letter's details. Less whatever the
    invented details use."""
    s, text, titles = settings(), src["text"], redaction_rules().titles
    names, other = set(), {w.strip() for w in hide_words} | {str(src["context"].get("urn") or "")}
    people = [text[r.start:r.end] for r in replacements if r.tag in (s_tag("name"), s_tag("victim"))]
    for name in people + [str(src["context"].get("victim_name") or "")]:
        names |= {w for w in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name)
                  if w.lower().rstrip(".") not in titles and len(w) > 1}
    for r in replacements:
        if r.tag not in (s_tag("name"), s_tag("victim")):
            lines = [line.strip(" ,") for line in text[r.start:r.end].splitlines()]
            other |= set(lines)
            if r.tag == s_tag("address"):  # the street without its number: "Bailgate"
                other |= {re.sub(r"^\d+[a-z]?\s+", "", line) for line in lines}
    invented = " ".join([s.victim_stand_in, s.other_stand_in, *s.stand_ins.values(), *s.name_stand_ins])
    # a short number alone ("24", an age) is in too many sentences to mean this case
    telling = [d for d in other if re.search(r"[^\W\d_]", d) or len(re.sub(r"\D", "", d)) >= 5]
    return ({n for n in names if not _has(invented, n, case=True)},
            {d for d in telling if not _has(invented, d)})


def _leaks(fields: dict[str, str], details: tuple[set[str], set[str]]) -> dict[str, str]:
    """Each field that names a detail of the real case, with what to do."""
    names, other = details
    out = {}
    for field, value in fields.items():
        found = sorted({n for n in names if _has(value, n, case=True)}
                       | {d for d in other if _has(value, d)})
        if found:
            shown = ", ".join(f"“{d}”" for d in found[:5]) + (" and more" if len(found) > 5 else "")
            out[field] = (f"{LEAK_FIELDS[field]} details of the real case: {shown}. Staff must "
                          "not learn who the real people are: use the invented details the letter "
                          f"now has (such as {settings().victim_stand_in}), or leave them out.")
    return out


def _clean(value: Any, field: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and len(text) < 3:
        raise LetterError("write a few words here", field=field)
    if len(text) > limit:
        raise LetterError(f"keep it under {limit} characters (it has {len(text)})", field=field)
    return text


def _model_answer_checked(ex: Exercise, model_answer: Any) -> tuple[Result | None, str | None]:
    """A panel exercise's model answer scored as an attempt, and why it cannot be saved (None:
    it passes)."""
    try:
        result = score_letter(ex.letter_for(check_text(model_answer)))
    except LetterError as exc:  # said as the page's other problems are: a sentence
        return None, exc.message[:1].upper() + exc.message[1:] + ("" if exc.message.endswith(".") else ".")
    if passes(result):
        return result, None
    left = sorted({_titles().get(f.rule, f.rule) for f in result.findings if _is_error(f)})
    return result, (f"The model answer does not pass yet (score {result.score}"
                    + (f"; still to fix: {', '.join(left)}" if left else "") + ").")


def preview(db: Database, letter_id: int, title: Any = "", brief: Any = "", facts: Any = None,
            hide: Any = None, model_answer: Any = None) -> dict:
    """What saving would make, without saving: the letter anonymised with the panel's redaction
    (tags replaced by invented details), its case details, what the checker finds in it, and
    anything that stops it being saved (`problems`)."""
    src = _panel_source(db, letter_id)
    s = settings()
    hide_words = [w.strip() for w in (hide or []) if str(w).strip()]
    ctx = dict(src["context"])
    ctx.pop("suppress", None)
    red = redact(src["text"], context_from_mapping(ctx), hide=hide_words)
    reader = ctx.pop("reader", None) or "adult"  # an exercise says who reads it on its own
    text, marks = _stand_ins(src["text"], red.replacements)
    ctx["victim_name"] = s.victim_stand_in
    if ctx.get("urn"):
        ctx["urn"] = s.stand_ins.get("[CASE REF]", s.other_stand_in)
    ex = Exercise("preview", "", "", (), reader if reader in READERS else "adult",
                  context_from_mapping(ctx).model_dump(mode="json", exclude_none=True), (), (), text, None, {})
    result = score_letter(ex.letter_for(text))
    if any(f.rule == "timeliness.late" and _is_error(f) for f in result.findings):
        ctx["suppress"] = [{"rule": "timeliness.late", "reason": s.late_reason}]
        ex = Exercise("preview", "", "", (), ex.reader, context_from_mapping(ctx).model_dump(
            mode="json", exclude_none=True), (), (), text, None, {})
        result = score_letter(ex.letter_for(text))
    teaches = sorted({f.rule for f in result.findings if _is_error(f)})
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field, value, limit in (("title", title, 120), ("brief", brief, 2000)):
        try:
            clean[field] = _clean(value, field, limit)
        except LetterError as exc:
            problems[field] = exc.message
    lines = facts.splitlines() if isinstance(facts, str) else list(facts or [])
    clean["facts"] = [str(f).strip() for f in lines if str(f).strip()][:20]
    if not teaches:
        problems["letter"] = ("The checker finds nothing that must be fixed in this letter, so it would be "
                              "passed without any change. Choose another letter.")
    model = str(model_answer or "").strip()
    model_result, problem = _model_answer_checked(ex, model_answer) if model else (None, None)
    if problem:
        problems["model_answer"] = problem
    written = {"title": clean.get("title", ""), "brief": clean.get("brief", ""),
               "facts": "\n".join(clean["facts"]), "model_answer": model}
    for field, message in _leaks(written, _real_details(src, red.replacements, hide_words)).items():
        problems[field] = " ".join(filter(None, [message, problems.get(field)]))  # said first
    order = ("letter", "title", "brief", "facts", "model_answer")  # as the page shows them
    problems = {k: problems[k] for k in sorted(problems, key=order.index)}
    return {"letter_id": letter_id, "period": src["period"], "period_words": src["period_words"],
            "mean_overall": src["mean_overall"],
            "ratings": src["ratings"], "already_an_exercise": src["already_an_exercise"],
            "title": clean.get("title", str(title or "")), "brief": clean.get("brief", str(brief or "")),
            "facts": clean["facts"], "hide": hide_words, "reader": ex.reader, "context": ex.context,
            "letter": text, "replaced": marks, "teaches": teaches,
            "result": result.model_dump(mode="json"),
            "model_answer": model or None,
            "model_result": model_result.model_dump(mode="json") if model_result else None,
            "panel_comments": [redact(c, context_from_mapping(dict(src["context"], suppress=[])), hide=hide_words).text
                               for c in src["comments"]],
            "problems": problems, "can_save": not problems}


def create_from_panel(db: Database, user: Any, letter_id: int, title: Any, brief: Any, facts: Any = None,
                      hide: Any = None, model_answer: Any = None) -> dict:
    """Save the previewed exercise (worked out again here, never taken from the client)."""
    p = preview(db, letter_id, title, brief, facts, hide, model_answer)
    if p["problems"]:
        raise LetterError.many(list(p["problems"].items()))
    number = store.add_exercise(db, user, {
        "title": p["title"], "brief": p["brief"], "facts": p["facts"], "reader": p["reader"],
        "context": p["context"], "teaches": p["teaches"], "letter": p["letter"],
        "model_answer": p["model_answer"], "from_letter_id": letter_id})
    return {**get_exercise(db, f"{PANEL_PREFIX}{number}").public(), "text": p["letter"]}


def retire(db: Database, user: Any, exercise_id: str) -> None:
    """Take an exercise made from a panel letter off the list (attempts are kept)."""
    if not exercise_id.startswith(PANEL_PREFIX) or not exercise_id[len(PANEL_PREFIX):].isdigit():
        if any(e.id == exercise_id for e in load_exercises()):
            raise store.BuiltIn(f"'{exercise_id}' is one of the standard exercises in the rules folder; "
                                "only exercises made from panel letters can be removed here")
        raise NotFound(f"no exercise '{exercise_id[:80]}'")
    number = int(exercise_id[len(PANEL_PREFIX):])
    if number >= 2**63:
        raise NotFound(f"no exercise '{exercise_id[:80]}'")
    store.retire_exercise(db, user, number)
