"""A letter's result for another day worked out from its result for one day (engine/redate.py)
is the letter scored in full for that day, exactly: field by field, every finding with its
message, penalty and one-click replacements, the dimensions, score, verdict and figures.

The gate for judging undated drafts without scoring them again each day (letters/service.py
judged_on): every sample letter and every held-out letter (824), their letter dates taken out
(undated drafts), each scored in full on about ten days around its due date (the decision day,
before the due date, on it, the day after, the next working day, the weekend after, the next
bank holiday, weeks and months later), and each day's result worked out from every other day's;
where the letter is late on one day and not on the other, it is refused. Then the service: a
draft saved on one day and judged on the nine days after scores at most once per lateness, and
says what scoring it says; a kept result is not read for other rules or once the letter is purged.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from vcl_qa import Letter, clock
from vcl_qa.engine import redate, workdays
from vcl_qa.engine.letter import LetterContext
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT_EVERY = 1  # every held-out letter (780)


def _letters() -> list[tuple[str, Letter]]:
    files = sorted((ROOT / "sample_letters").glob("*.txt"))
    holdout = sorted(ROOT.glob("bench/holdout*/letters/*.txt"))
    out = []
    for path in files + holdout[::HOLDOUT_EVERY]:
        letter = Letter.from_file(path)
        out.append((str(path.relative_to(ROOT)), letter.model_copy(
            update={"context": letter.context.model_copy(update={"letter_date": None})})))
    return out


def _variants(letters: list[tuple[str, Letter]]) -> list[tuple[str, Letter]]:
    """A few more shapes: marks set aside (one a rule that only a late letter has), an invisible
    character inside a word, a bereaved family (the enhanced limit), no victim category (lateness
    cannot be told), and a long letter of thousands of findings (buttons for the first few only)."""
    out = []

    def changed(letter: Letter, **fields) -> Letter:
        return letter.model_copy(update={"context": LetterContext.model_validate(
            {**letter.context.model_dump(mode="json"), **fields})})

    for name, letter in letters[:12]:
        out.append((name + " +marks", changed(letter, suppress=[
            {"rule": "empathy.delay_apology", "reason": "apologised by telephone"},
            {"rule": "readability.passive", "reason": "house style"}])))
        out.append((name + " +bereaved", changed(letter, bereaved=True)))
        out.append((name + " -category", changed(letter, victim_category=None)))
        text = letter.text.replace("decided", "deci\u200bded", 1)
        out.append((name + " +invisible", letter.model_copy(update={"text": text})))
    line = "Please note u must attend the court in relation to the case."
    long = "Dear Ms Okafor\n\n" + "\n".join([line] * 400) + "\n\nYours sincerely\n\nSam Staff\n"
    ctx = LetterContext(decision="discontinued", decision_date=dt.date(2024, 12, 19), victim_category="enhanced")
    out.append(("long letter", Letter(text=long, context=ctx)))
    return out


def _days(ctx: LetterContext) -> list[dt.date]:
    """The decision day, the day before the due date, the due date, the day after, the next
    working day, the Saturday and Sunday after it, the next bank holiday (or closure), three
    weeks and ten weeks after."""
    start = ctx.decision_date or dt.date(2025, 3, 3)
    due = workdays.due_date(start, ctx.victim_category or "standard", ctx.bereaved)
    days = {start, due - dt.timedelta(days=1), due, due + dt.timedelta(days=1),
            workdays.add_working_days(due, 1), due + dt.timedelta(days=21), due + dt.timedelta(days=70)}
    saturday = due + dt.timedelta(days=(5 - due.weekday()) % 7 or 7)
    days |= {saturday, saturday + dt.timedelta(days=1)}
    day = start
    while day < start + dt.timedelta(days=150):
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and not workdays.is_working_day(day):
            days.add(day)
            break
    return sorted(d for d in days if d >= start)


def _scored(letter: Letter, day: dt.date) -> dict:
    """The letter scored in full as sent on `day`, as stored (JSON)."""
    dated = letter.model_copy(update={"context": letter.context.model_copy(update={"letter_date": day})})
    return json.loads(json.dumps(score_letter(dated).model_dump(mode="json")))


def test_a_result_worked_out_for_another_day_is_the_letter_scored_for_that_day():
    rs = load_rules()
    assert redate.plan(rs) is not None  # the rules as shipped can be redated
    letters = _letters()
    letters += _variants(letters)
    assert len(letters) >= 800
    seen = Counter()
    compared = refused = 0
    for name, letter in letters:
        days = _days(letter.context)
        full = {d: _scored(letter, d) for d in days}
        late = {d: redate_late(letter.context, d) for d in days}
        heads = {d: redate.head(full[d], rs) for d in days}
        for a in days:
            for b in days:
                ctx = letter.context.model_copy(update={"letter_date": b})
                got = redate.redated(full[a], ctx, b, rs)
                if late[a] != late[b]:
                    assert got is None, (name, a, b)
                    refused += 1
                    continue
                assert got is not None, (name, a, b)
                assert got == full[b], (name, a, b)
                assert json.dumps(got) == json.dumps(full[b]), (name, a, b)  # the same numbers, int or float
                head = redate.redated(heads[a], ctx, b, rs)
                assert json.dumps(head) == json.dumps(heads[b]), (name, a, b)
                compared += 1
        seen.update({f"decision {letter.context.decision}": 1,
                     **{f"late {late[d]}": 1 for d in days},
                     **{"weekend": 1 for d in days if d.weekday() >= 5},
                     **{"bank holiday": 1 for d in days if d.weekday() < 5 and not workdays.is_working_day(d)},
                     **{"apology asked": 1 for d in days if any(f["rule"] == "empathy.delay_apology"
                                                                for f in full[d]["findings"])},
                     **{"days late message": 1 for d in days if any("working days late" in f["message"]
                                                                   for f in full[d]["findings"])},
                     **{"dated after the due date message": 1 for d in days if any(
                         "after the due date" in f["message"] for f in full[d]["findings"])},
                     **{"one-click replacements": 1 for d in days if any(f["replacements"]
                                                                        for f in full[d]["findings"])},
                     **{"verdict " + full[d]["verdict"]: 1 for d in days}})
    print(f"\n{len(letters)} letters, {compared} results worked out for another day, {refused} refused; {dict(seen)}")
    for decision in ("discontinued", "no_evidence_offered", "charge_altered", "not_charged", "left_on_file"):
        assert seen[f"decision {decision}"] >= 10, decision
    for wanted in ("late True", "late False", "late None", "weekend", "bank holiday", "apology asked",
                   "days late message", "dated after the due date message", "one-click replacements",
                   "verdict good", "verdict needs_work", "verdict poor"):
        assert seen[wanted], wanted
    assert compared >= 30_000 and refused >= 20_000


def redate_late(ctx: LetterContext, day: dt.date) -> bool | None:
    from vcl_qa.engine.metrics import timeliness_figures

    return timeliness_figures(ctx.model_copy(update={"letter_date": day}), day)[1]


def test_a_result_is_not_redated_for_other_rules_or_other_details():
    rs = load_rules()
    letter = _letters()[0][1]
    day = letter.context.decision_date + dt.timedelta(days=30)
    result = _scored(letter, day)
    ctx = letter.context.model_copy(update={"letter_date": day + dt.timedelta(days=7)})
    assert redate.redated(result, ctx, ctx.letter_date, rs) is not None
    assert redate.redated({**result, "rules_version": "another"}, ctx, ctx.letter_date, rs) is None
    # details that do not give the figures the result has (another decision date): refused
    other = ctx.model_copy(update={"decision_date": ctx.decision_date - dt.timedelta(days=1)})
    assert redate.redated(result, other, other.letter_date, rs) is None
    # a rule set where a rule could read the date otherwise is never redated
    import copy

    odd = copy.copy(rs)
    odd.rules = [*rs.rules[:1], copy.copy(rs.rules[1])]
    odd.rules[1].kind = "some_new_kind"
    assert redate.plan(odd) is None and redate.redated(result, ctx, ctx.letter_date, odd) is None


# --- the service ------------------------------------------------------------------------------

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nWe have decided to stop the case "
        "against the man who hit you. The evidence is not strong enough.\n\nYou can ask us to look at "
        "the decision again under the Victims' Right to Review scheme.\n\nYours sincerely\nJ Whitcombe\n")
# Decided Thursday 18 December 2025, enhanced rights: due the next working day, Friday 19 December;
# saved on the day it was decided, judged on the nine days after: on time, then late over a weekend
# (0 working days late: "dated ... after the due date"), 1, 2, 3 working days, and the bank holidays.
DECIDED = dt.date(2025, 12, 18)
CASE = {"decision": "discontinued", "decision_date": DECIDED.isoformat(), "victim_category": "enhanced",
        "victim_name": "Ms Grant"}


@pytest.fixture
def counted(db, monkeypatch):
    """A staff member and a draft saved undated on the day it was decided; every full scoring
    from then on counted (service._score)."""
    from vcl_qa.db.users import add_user
    from vcl_qa.letters import service

    staff = add_user(db, "sam", "staff", "north")[0]
    monkeypatch.setattr(clock, "today", lambda: DECIDED)
    letter_id = service.submit(db, staff, TEXT, CASE, team="north")["id"]
    scored: list[str] = []
    real = service._score
    monkeypatch.setattr(service, "_score", lambda *a, **k: scored.append(a[1].get("letter_date")) or real(*a, **k))
    monkeypatch.setattr(service, "_score_in_full", real, raising=False)  # (for _as_before)
    return staff, letter_id, scored


def _restart(monkeypatch) -> None:
    """What a worker keeps in memory gone (another worker, or the server started again)."""
    from vcl_qa.letters import service

    monkeypatch.setattr(service, "_judged", service.OrderedDict())
    monkeypatch.setattr(service, "_judged_chars", 0)


def _as_before(db, letter_id: int, day: dt.date) -> dict:
    """What judged_on gave before: the latest version scored in full as sent on `day`."""
    from vcl_qa.letters import service, store

    _, v = store.latest_version_row(db, letter_id)
    context = {**json.loads(v[2]), "letter_date": day.isoformat()}
    context.pop("suppress", None)
    scored = service._score_in_full(v[1], context, store.stored_suppressions(db, letter_id), None)[1]
    return json.loads(json.dumps(scored.model_dump(mode="json")))


def test_a_draft_judged_on_nine_days_scores_once_for_each_lateness(db, counted, monkeypatch):
    from vcl_qa.letters import service

    staff, letter_id, scored = counted
    days = [DECIDED + dt.timedelta(days=k) for k in range(1, 10)]
    answers = {}
    for day in days:
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        _restart(monkeypatch)
        answers[day] = service.current_result(db, store_letter(db, letter_id))[0]
        rows, _ = service.list_letters(db, team="north", verdict=answers[day]["verdict"])
        assert [(r["id"], r["score"], r["verdict"]) for r in rows] == [
            (letter_id, answers[day]["score"], answers[day]["verdict"])]
        summary = service.judged_summary(db, letter_id, day)
        assert summary["score"] == answers[day]["score"]
        assert summary["rules"] == dict(Counter(f["rule"] for f in answers[day]["findings"] if not f["suppressed"]))
    assert len(scored) == 2, scored  # once on time, once late (and never again after a "restart")
    due = dt.date(2025, 12, 19)
    assert [answers[d]["metrics"]["working_days_late"] for d in days] == [0, 0, 0, 1, 2, 3, 3, 3, 3]
    assert not any(f["rule"] == "timeliness.late" for d in days if d <= due for f in answers[d]["findings"])
    # the same answers as scoring each day in full
    for day in days:
        assert json.dumps(answers[day]) == json.dumps(_as_before(db, letter_id, day)), day


def store_letter(db, letter_id: int) -> dict:
    from vcl_qa.letters import store

    return store.get_letter(db, letter_id)


def test_a_kept_result_is_not_read_for_other_rules_marks_or_after_a_purge(db, counted, monkeypatch):
    from vcl_qa.letters import bulk, service

    staff, letter_id, scored = counted
    late_days = [dt.date(2026, 1, 5), dt.date(2026, 1, 6)]
    monkeypatch.setattr(clock, "today", lambda: late_days[0])
    service.judged_on(db, letter_id, late_days[0])
    assert len(scored) == 1 and db.execute("SELECT count(*) FROM judged_sources").fetchone()[0] == 1
    _restart(monkeypatch)
    service.judged_on(db, letter_id, late_days[1])
    assert len(scored) == 1
    # kept for another rules version (or another engine): not read, scored again
    db.execute("UPDATE judged_sources SET rules_version = 'older'")
    db.conn.commit()
    _restart(monkeypatch)
    service.judged_on(db, letter_id, late_days[0])
    assert len(scored) == 2
    assert [r[0] for r in db.execute("SELECT rules_version FROM judged_sources")] == [load_rules().version]
    db.execute("UPDATE judged_sources SET engine = 'another'")
    db.conn.commit()
    _restart(monkeypatch)
    service.judged_on(db, letter_id, late_days[1])
    assert len(scored) == 3
    # a mark: other inputs, scored (by the mark itself, and for each lateness once)
    service.suppress(db, staff, letter_id, "empathy.delay_apology", "apologised by telephone first")
    scored.clear()
    _restart(monkeypatch)
    monkeypatch.setattr(clock, "today", lambda: late_days[1])
    after_mark = service.judged_on(db, letter_id, late_days[1])
    assert [f["suppressed"] for f in after_mark["findings"] if f["rule"] == "empathy.delay_apology"] == [True]
    assert json.dumps(after_mark) == json.dumps(_as_before(db, letter_id, late_days[1]))
    # purged: every kept result goes with the text
    assert db.execute("SELECT count(*) FROM judged_sources WHERE letter_id = ?", [letter_id]).fetchone()[0] >= 1
    db.execute("UPDATE letters SET created_at = '2025-01-01T09:00:00+00:00' WHERE id = ?", [letter_id])
    db.conn.commit()
    assert letter_id in bulk.purge(db, 30, today=dt.date(2026, 6, 1))
    assert db.execute("SELECT count(*) FROM judged_sources").fetchone()[0] == 0
    # and a deleted letter's go with it
    monkeypatch.setattr(clock, "today", lambda: DECIDED)
    other = service.submit(db, staff, TEXT + "\nP.S.\n", CASE, team="north")["id"]
    monkeypatch.setattr(clock, "today", lambda: late_days[0])
    service.judged_on(db, other, late_days[0])
    assert db.execute("SELECT count(*) FROM judged_sources").fetchone()[0] == 1
    from vcl_qa.db.users import add_user
    from vcl_qa.letters import store

    manager = add_user(db, "max", "manager", None)[0]
    store.delete(db, manager, other)
    assert db.execute("SELECT count(*) FROM judged_sources").fetchone()[0] == 0
