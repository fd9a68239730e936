"""Figures for the managers' dashboard: timeliness, scores, verdicts by month, frequent rules,
panel agreement. Read-only queries over the store (an undated draft scored again as of the day
counted, nothing stored); filters by team, decision and dates."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter, defaultdict

from sqlite_utils import Database

from vcl_qa import clock, labels
from vcl_qa.letters import service as letter_service
from vcl_qa.panel import agreement as panel_agreement
from vcl_qa.engine.rules import load_rules
from vcl_qa.letters.store import LETTER_DAY, SENT_BEFORE_SAVED, letter_filters
from vcl_qa.panel import periods as panel_periods

VERDICTS = tuple(labels.VERDICTS)  # the codes, in the table's order
# Which month a monthly figure counts by, in words for the page and its CSV (docs/web.md): the
# register's on-time figures by the month each letter was due (vcl_qa.reports.timeliness), the
# timeliness report by the month of the decision (register.REPORT_MONTH_WORDS), the checked
# letters by the month each was sent. A manager comparing them must not be misled.
MONTH_DUE_WORDS = ("the month each letter was due, sent or not, not the month of the decision (the timeliness "
                   "report, which other systems read, counts by the month of the decision, so its figure for a "
                   "month can differ)")
MONTH_SENT_WORDS = "the month each letter was sent (a draft: the month it is dated, else the month it was stored)"
MONTH_COLUMNS = ("month", "letters", "sent", "judged_for_time", "on_time", "timeliness_rate",
                 "mean_score", *VERDICTS)


def letters_in_scope(db: Database, *, team: str | None = None, decision: str | None = None,
                     date_from: dt.date | None = None, date_to: dt.date | None = None,
                     as_of: dt.date | None = None, scoring_slot: contextlib.AbstractContextManager | None = None) -> list[dict]:
    """Each letter's month (sent, else letter, else stored date), score, verdict and timeliness.

    `as_of` replays a past day: only letters stored by then, each with the last result it had
    by then, and sent only if it had been marked sent by then (else a draft, its month its
    letter or stored date).

    A draft with no letter date is counted as its page shows it on the day counted (today, or
    `as_of`): judged as if it went out that day (`judge_undated_drafts`), not as it stood on the
    day it was last checked. `scoring_slot`: held while each is scored (the pages' slot)."""
    where, params = letter_filters(team=team or None, decision=decision or None)
    where.insert(0, "l.latest_version > 0")
    if as_of is None:
        day, status, score, verdict, when = LETTER_DAY, "l.status", "l.score", "l.verdict", ""
    else:
        # Sent by then: its sent date and, when recorded, the day it was marked, on or before as_of.
        sent = ("(l.status = 'sent' AND l.sent_date <= :as_of AND (l.sent_marked_at IS NULL"
                " OR uk_day(l.sent_marked_at) <= :as_of))")
        day = f"CASE WHEN {sent} THEN l.sent_date ELSE COALESCE(l.letter_date, uk_day(l.created_at)) END"
        status = f"CASE WHEN {sent} THEN 'sent' ELSE 'draft' END"
        when = " AND uk_day(r.created_at) <= :as_of"
        score = f"(SELECT r.score FROM results r WHERE r.letter_id = l.id{when} ORDER BY r.id DESC LIMIT 1)"
        verdict = f"(SELECT r.verdict FROM results r WHERE r.letter_id = l.id{when} ORDER BY r.id DESC LIMIT 1)"
        where.append("uk_day(l.created_at) <= :as_of")
        where.append(f"EXISTS (SELECT 1 FROM results r WHERE r.letter_id = l.id{when})")
    # From and To choose letters by the day each is counted on (`day`): with `as_of`, a letter
    # marked sent after that day is a draft of its own date then, so it is chosen by that date,
    # not by the sent date it was given later (it was missing from its own month, and counted in
    # the month it was sent under its earlier month).
    if date_from:
        where.append(f"{day} >= :date_from")
    if date_to:
        where.append(f"{day} <= :date_to")
    named = {f"p{i}": v for i, v in enumerate(params)}
    clause = " AND ".join(where)
    for i in range(len(params)):  # letter_filters' "?" placeholders, named so :as_of can sit beside them
        clause = clause.replace("?", f":p{i}", 1)
    if as_of is not None:
        named["as_of"] = as_of.isoformat()
    named.update({k: v.isoformat() for k, v in (("date_from", date_from), ("date_to", date_to)) if v})
    latest = f"FROM results r JOIN versions v ON v.id = r.version_id WHERE r.letter_id = l.id{when} ORDER BY r.id DESC LIMIT 1"
    sql = (f"SELECT l.id, {status} AS status, {score} AS score, {verdict} AS verdict, {day} AS day,"
           f" (SELECT r.id FROM results r WHERE r.letter_id = l.id{when} ORDER BY r.id DESC LIMIT 1) AS result_id,"
           f" (SELECT r.metrics FROM results r WHERE r.letter_id = l.id{when} ORDER BY r.id DESC LIMIT 1) AS metrics,"
           # the version that result is for, and whether that version carries a letter date
           f" (SELECT v.version {latest}) AS version,"
           f" (SELECT json_extract(v.context, '$.letter_date') {latest}) AS version_dated, l.purged_at,"
           " l.rules_version"
           f" FROM letters l WHERE {clause} ORDER BY day")
    rows = []
    for r in db.query(sql, named):
        metrics = json.loads(r.pop("metrics") or "{}")
        r["scored_for"] = metrics.get("letter_date")
        due = metrics.get("due_date")
        # Only a letter actually sent (by `as_of`, when given) is judged for time: a draft has
        # not gone out, so it is neither on time nor late yet (review 11a, finding 6).
        judged = bool(due) and r["status"] == "sent"
        r["due_date"] = due
        r["working_days_late"] = metrics.get("working_days_late") if judged else None
        # On time as the engine judges it: sent (`day` is the sent date) by the due date. A
        # Saturday after a Friday due date is 0 working days late, and late all the same.
        r["on_time"] = (str(r["day"] or "") <= due) if judged else None
        r["month"] = (r["day"] or "")[:7]
        rows.append(r)
    judge_undated_drafts(db, rows, as_of or clock.today(), scoring_slot, replayed=as_of is not None)
    return rows


def sent_before_saved(db: Database, *, team: str | None = None, decision: str | None = None,
                      date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """How many letters are marked sent on a day before they were first saved here (as they stand
    now; the letters list's `sent_before_saved` filter lists them, with the same filters): their
    sent dates, and so the on-time figures they count in, rest on the word of whoever marked them."""
    where, params = letter_filters(team=team or None, decision=decision or None, date_from=date_from,
                                   date_to=date_to, sent_before_saved=True)
    return db.execute(f"SELECT count(*) FROM letters l WHERE {' AND '.join(where)}", params).fetchone()[0]


def sent_before_saved_among(db: Database, letter_ids: list[int]) -> int:
    """How many of these letters are marked sent on a day before they were first saved here (the
    letters the register's rate counts as sent: `timeliness.Timeliness.sent_letter_ids`)."""
    n = 0
    for start in range(0, len(letter_ids), 500):  # SQLite's limit on bound parameters
        chunk = letter_ids[start:start + 500]
        n += db.execute(f"SELECT count(*) FROM letters l WHERE {SENT_BEFORE_SAVED}"
                        f" AND l.id IN ({','.join('?' * len(chunk))})", chunk).fetchone()[0]
    return n


def undated_draft(row: dict) -> bool:
    """A draft (as counted: not sent by then, not purged) whose result is for a version with no
    letter date: judged as if it went out on the day it was scored."""
    return row["status"] != "sent" and not row["purged_at"] and not row["version_dated"] and row["version"] is not None


def judge_undated_drafts(db: Database, rows: list[dict], day: dt.date,
                         scoring_slot: contextlib.AbstractContextManager | None = None,
                         replayed: bool = False) -> int:
    """Each undated draft of `rows` judged as if it went out on `day`, as its page judges it
    (letters.service.current_result: a draft checked on time last week and now past its due date
    is late today, and needs an apology), nothing stored: its score, result and problems
    (`findings`, the rules; `finding_severities`, each (rule, severity), read by rules_found
    instead of the stored result's). A draft is never judged
    for time here: the on-time figures count sent letters only. `replayed`: `day` is a past day
    replayed ("Figures as on"), so each draft's "not a problem" marks are those that stood then
    (a mark made later, or one restored since, is not applied to a day before it). Returns how
    many were judged."""
    judged = 0
    for r in rows:
        # Scored for another day: its stored timeliness (Letter late, the apology for the delay,
        # and the score and result they weigh on) says how it stood on the day it was checked.
        if not undated_draft(r) or r["scored_for"] == day.isoformat():
            continue
        # (its score, verdict and rules found: worked out from a result kept for another day
        # when there is one, without reading or scoring its findings: letters/service.py)
        result = letter_service.judged_summary(db, r["id"], day, version=r["version"],
                                               marks_as_of=day if replayed else None, scoring_slot=scoring_slot)
        if result is None:
            continue
        severities = _with_severities(db, r["result_id"], result["rules"])
        r.update(score=result["score"], verdict=result["verdict"], result_id=None, judged_as_of=day.isoformat(),
                 findings=[rule for rule, _severity in severities], finding_severities=severities)
        judged += 1
    return judged


def _with_severities(db: Database, stored_result: int | None, rules: dict[str, int]) -> list[tuple[str, str]]:
    """An undated draft's problems as judged for the day counted (`rules`: each rule with how many
    times, judged_summary's answer), each with its own severity: a finding can be stored at
    another severity than its rule's (a reason the second opinion only doubts is should-fix,
    content.reason is must-fix; `severity_when`). judged_summary names the rules only, so each
    takes the severities the same version's stored result (`stored_result`) gives that rule
    when it finds it as many times, or gives it one severity only: a check that does not read
    the date finds the same on every day. A rule the stored result does not find (a late
    letter's "Letter late") takes the rule's own severity."""
    stored: dict[str, Counter] = defaultdict(Counter)
    if stored_result is not None:
        for rule, severity, n in db.execute(
                "SELECT rule, severity, count(*) FROM findings WHERE result_id = ? AND suppressed = 0"
                " GROUP BY rule, severity", [stored_result]):
            stored[rule][severity] += n
    known = load_rules().by_id
    out: list[tuple[str, str]] = []
    for rule, n in rules.items():
        had = stored.get(rule)
        if had and sum(had.values()) == n:
            out += [(rule, severity) for severity, k in had.items() for _ in range(k)]
        elif had and len(had) == 1:
            out += [(rule, next(iter(had)))] * n
        else:
            out += [(rule, known[rule].severity if rule in known else "warning")] * n
    return out


def scored_with_older_rules(rows: list[dict]) -> int:
    """How many of the letters' results (as counted, today) came from rules older than the
    current ones, or were left to be scored again (a mark whose meaning changed, migration
    0011): their scores, verdicts and problems are from then until `vcl-qa rescore` scores
    them again. A purged letter cannot be scored again; an undated draft counted here was just
    judged with the current rules (`judge_undated_drafts`)."""
    from vcl_qa.engine.rules import load_rules

    current = load_rules().version
    return sum(1 for r in rows if not r.get("purged_at") and not r.get("judged_as_of")
               and r.get("rules_version") != current)


def by_month(rows: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["month"]].append(r)
    out = []
    for month in sorted(groups):
        g = groups[month]
        judged = [r for r in g if r["on_time"] is not None]  # sent letters with a due date
        on_time = sum(1 for r in judged if r["on_time"])
        scores = [r["score"] for r in g if r["score"] is not None]
        verdicts = Counter(r["verdict"] for r in g)
        out.append({"month": month, "letters": len(g), "sent": sum(r["status"] == "sent" for r in g),
                    "judged_for_time": len(judged), "on_time": on_time,
                    "timeliness_rate": labels.percent(on_time, len(judged)),
                    "mean_score": labels.average(sum(scores), len(scores)),
                    **{v: verdicts.get(v, 0) for v in VERDICTS}})
    return out


def score_bands(rows: list[dict], width: int = 10) -> list[tuple[str, int]]:
    """Letters per score band: 0-9, 10-19, ..., 90-100."""
    counts = Counter(min(r["score"] // width, 100 // width - 1) for r in rows if r["score"] is not None)
    return [(f"{b * width}-{b * width + width - 1 if b < 100 // width - 1 else 100}", counts.get(b, 0))
            for b in range(100 // width)]


SEVERITY_ORDER = labels.SEVERITY_ORDER


def rules_found(db: Database, rows: list[dict]) -> tuple[Counter, dict[tuple[str, str], set]]:
    """Each rule found in the latest result of each letter (suppressed ones left out), by the
    severity each finding was stored with (not the rule's own: a reason the second opinion only
    doubts is a should-fix content.reason, whose rule is must-fix): how many times, and in which
    letters, keyed by (rule, severity)."""
    ids = [r["result_id"] for r in rows if r["result_id"]]
    counts: Counter = Counter()
    letters: dict[tuple[str, str], set] = defaultdict(set)
    for r in rows:  # an undated draft judged as of the day counted (judge_undated_drafts)
        for key in r.get("finding_severities") or ():
            counts[key] += 1
            letters[key].add(r["id"])
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for rule, severity, letter_id in db.execute(
                f"SELECT rule, severity, letter_id FROM findings WHERE suppressed = 0 AND result_id IN ({marks})",
                chunk):
            counts[(rule, severity)] += 1
            letters[(rule, severity)].add(letter_id)
    return counts, letters


def frequent_rules(db: Database, rows: list[dict], top: int | None = 10,
                   found: tuple[Counter, dict[tuple[str, str], set]] | None = None) -> list[dict]:
    """Rules found in the latest result of each letter (suppressed ones left out), the most
    serious first (must fix, then should fix, then worth a look), then by letters affected.
    Each finding counts under its own severity: a rule found at two severities (must fix in
    one letter, should fix in another) has a row for each, with its own letters and times
    (`at_two_severities` names such rules). `found`: `rules_found`'s answer, when it is to hand."""
    counts, letters = found or rules_found(db, rows)
    known = {r.id: r for r in load_rules().rules}
    rows = [{"rule": rule, "title": known[rule].title if rule in known else labels.rule_title(rule),
             "severity": severity, "findings": n, "letters": len(letters[(rule, severity)])}
            for (rule, severity), n in counts.items()]
    rows.sort(key=lambda r: (SEVERITY_ORDER.get(r["severity"], 3), -r["letters"], -r["findings"], r["rule"]))
    return rows if top is None else rows[:top]


def at_two_severities(kinds: list[dict]) -> set[str]:
    """The rules among `frequent_rules` rows that have a row at more than one severity."""
    seen = Counter(k["rule"] for k in kinds)
    return {rule for rule, n in seen.items() if n > 1}


def problems_and_suggestions(db: Database, rows: list[dict],
                             found: tuple[Counter, dict[tuple[str, str], set]] | None = None
                             ) -> tuple[list[dict], list[dict]]:
    """Every must-fix and should-fix problem (the most serious first, then by letters), and
    the suggestions ("worth a look") on their own, each finding by its own severity."""
    found = frequent_rules(db, rows, top=None, found=found)
    problems = [r for r in found if r["severity"] in ("error", "warning")]
    return problems, [r for r in found if r["severity"] not in ("error", "warning")]


def spread(found: tuple[Counter, dict[tuple[str, str], set]], kinds: list[dict]) -> dict:
    """How far some kinds of problem (`frequent_rules` rows) reach: how many kinds, in how many
    letters (a letter with two of them counted once) and how many times in all. A count of
    kinds alone read as a count of problems ("Suggestions: 2" for 22 in 10 letters)."""
    _counts, letters = found
    return {"kinds": len(kinds), "letters": len(set().union(*(letters[(k["rule"], k["severity"])] for k in kinds))),
            "findings": sum(k["findings"] for k in kinds)}


def charted_problems(problems: list[dict], each: int = 8) -> list[dict]:
    """What the chart shows: the `each` most frequent must-fix problems, then the `each` most
    frequent should-fix ones (review 6: with ten kinds of must-fix problem, a common should-fix
    problem found in 17 letters was on no chart); the table lists every one."""
    return ([r for r in problems if r["severity"] == "error"][:each]
            + [r for r in problems if r["severity"] != "error"][:each])


def first_stored(db: Database) -> dt.date | None:
    """The day the first letter still held was stored (None when there is none)."""
    row = db.execute("SELECT min(uk_day(created_at)) FROM letters WHERE latest_version > 0").fetchone()
    return dt.date.fromisoformat(row[0]) if row and row[0] else None


def panel_figures(db: Database, as_of: dt.date | None = None) -> list[dict]:
    """Agreement per panel period, in words and figures: between panel members (alpha) and
    between the panel and the automatic score (Spearman). With `as_of`, periods that began
    after that day are left out (the figures of the others are as they stand now)."""
    out = []
    for p in panel_periods.list_periods(db):
        if as_of is not None and p["start_date"] and p["start_date"] > as_of.isoformat():
            continue
        a = panel_agreement.agreement(db, p["name"])
        out.append({"period": p["name"], "period_words": panel_periods.period_words(p),
                    "letters_rated": a["letters_rated"], "ratings": a["ratings"],
                    "alpha_overall": a["alpha_overall"], "spearman_overall_vs_score": a["spearman_overall_vs_score"],
                    # in words, or "too few letters to say" (agreement.min_letters_for_agreement)
                    "members_agree": a["members_agree_words"], "score_agrees": a["score_agrees_words"],
                    "too_few_letters": 0 < a["letters_with_two_or_more_ratings"] < a["min_letters"],
                    # the figures beside the words: a negative one is never hidden (review 11a, finding 9)
                    "members_figure": panel_agreement.figure_words(a["alpha_overall"]),
                    "score_figure": panel_agreement.figure_words(a["spearman_overall_vs_score"])})
    return out


def summary(rows: list[dict]) -> dict:
    """The headline: letters, sent, mean score, poor; and, of the letters sent with a due date
    (`judged_for_time`; a draft is never counted), how many went out on time."""
    judged = [r for r in rows if r["on_time"] is not None]
    on_time = sum(1 for r in judged if r["on_time"])
    scores = [r["score"] for r in rows if r["score"] is not None]
    return {"letters": len(rows), "sent": sum(r["status"] == "sent" for r in rows),
            "judged_for_time": len(judged), "on_time": on_time,
            "timeliness_rate": labels.percent(on_time, len(judged)),
            "mean_score": labels.average(sum(scores), len(scores)),
            "poor": sum(r["verdict"] == "poor" for r in rows)}
