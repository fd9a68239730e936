"""An undated draft on the managers' dashboard and in the board's panel report, judged as of the
day counted, never as of the day it was last checked.

A draft with no letter date is scored as if it went out on the day it is checked. Checked on its
due date it was on time; a week later its page (service.current_result) says it is late and
needs an apology, and scores lower. The dashboard counted it with the result stored that first
day: no "Letter late", no missing apology, the higher score and result. Now each undated draft is
judged as of today (or the "Figures as on" day), as its page shows it; the on-time figures count
sent letters only, so the draft is neither on time nor late there; the register counts the case
overdue. The panel report reads sent letters only, each judged by the day it was sent.

A real SQLite file and the real service functions; "today" is set with vcl_qa.clock, as in the
other tests; the page test runs the real server on dates counted back from the real today."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from live_server import LiveServer
from web_site import signed_in, visible_text

from vcl_qa import clock
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register
from vcl_qa.decisions import store as decisions
from vcl_qa.engine import workdays
from vcl_qa.letters import service, store
from vcl_qa.reports import dashboard, timeliness

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
# Decided Thursday 20 November 2025, enhanced rights: due Friday 21 November.
DECIDED, DUE = dt.date(2025, 11, 20), dt.date(2025, 11, 21)
CHECKED = DUE                      # the undated draft was checked on its due date: on time then
TODAY = dt.date(2025, 11, 28)      # a week later: 5 working days late if sent today
CASE = {"decision": "discontinued", "decision_date": DECIDED.isoformat(), "victim_category": "enhanced"}
LATE_RULES = ("timeliness.late", "empathy.delay_apology")


def on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def stored_on(db, letter_id: int, day: dt.date) -> None:
    """The letter, its versions and results stored (and marked sent) on `day` (UTC morning)."""
    stamp = f"{day.isoformat()}T09:00:00+00:00"
    db.execute("UPDATE letters SET created_at = ?, sent_marked_at = CASE WHEN sent_marked_at IS NULL THEN NULL"
               " ELSE ? END WHERE id = ?", [stamp, stamp, letter_id])
    db.execute("UPDATE versions SET created_at = ? WHERE letter_id = ?", [stamp, letter_id])
    db.execute("UPDATE results SET created_at = ? WHERE letter_id = ?", [stamp, letter_id])
    db.conn.commit()


@pytest.fixture
def letters(tmp_path, monkeypatch):
    """A sent letter on time (A), a draft dated its due date (D) and an undated draft checked on
    its due date (U), each its own case in the register; then today is a week later."""
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    manager = add_user(db, "manager", "manager")[0]
    on(monkeypatch, CHECKED)
    ids = {}
    for name, urn, letter_date in (("A", "01AA1111125", DUE), ("D", "01DD2222225", DUE), ("U", "01UU3333325", None)):
        ctx = {**CASE, "urn": urn, **({"letter_date": letter_date.isoformat()} if letter_date else {})}
        ids[name] = service.submit(db, staff, TEXT, ctx, team="east")["id"]
        decisions.upsert_many(db, manager, [register.record_from_mapping(
            {**CASE, "urn": urn, "team": "east"}, today=CHECKED)])
    service.mark_sent(db, staff, ids["A"], DUE, before_saved_reason="posted first, saved here afterwards to record it")
    for letter_id in ids.values():
        stored_on(db, letter_id, CHECKED)
    on(monkeypatch, TODAY)
    yield db, ids, staff, manager
    db.close()


def rules_of(result: dict) -> set[str]:
    return {f["rule"] for f in result["findings"] if not f.get("suppressed")}


def test_the_undated_draft_was_on_time_when_checked_and_is_late_today(letters):
    db, ids, *_ = letters
    letter = store.get_letter(db, ids["U"])
    stored = letter["result"]
    assert stored["metrics"]["letter_date"] == CHECKED.isoformat() and stored["metrics"]["working_days_late"] == 0
    assert not rules_of(stored) & set(LATE_RULES)
    now, scored_for = service.current_result(db, letter)  # what its page shows today
    assert scored_for == CHECKED.isoformat()
    assert now["metrics"]["working_days_late"] == workdays.working_days_between(DUE, TODAY) == 5
    assert set(LATE_RULES) <= rules_of(now)
    assert now["score"] < stored["score"] and (stored["verdict"], now["verdict"]) == ("needs_work", "poor")


def test_the_dashboard_counts_the_undated_draft_as_its_page_shows_it_today(letters):
    db, ids, *_ = letters
    letter = store.get_letter(db, ids["U"])
    now = service.current_result(db, letter)[0]
    sent, dated = store.get_letter(db, ids["A"])["result"], store.get_letter(db, ids["D"])["result"]
    rows = {r["id"]: r for r in dashboard.letters_in_scope(db)}
    draft = rows[ids["U"]]
    assert (draft["status"], draft["score"], draft["verdict"]) == ("draft", now["score"], "poor")
    assert draft["on_time"] is None and draft["working_days_late"] is None  # a draft: never judged for time
    # the dated draft keeps its own date's result (on time on 21 November), the sent letter its sent day's
    assert (rows[ids["D"]]["score"], rows[ids["D"]]["verdict"]) == (dated["score"], dated["verdict"])
    assert rows[ids["A"]]["on_time"] is True and rows[ids["A"]]["score"] == sent["score"]

    summary = dashboard.summary(list(rows.values()))
    # By hand: 3 letters, 1 sent (on time); the drafts count neither way; only U is poor today.
    assert {k: summary[k] for k in ("letters", "sent", "judged_for_time", "on_time", "timeliness_rate", "poor")} == {
        "letters": 3, "sent": 1, "judged_for_time": 1, "on_time": 1, "timeliness_rate": 100.0, "poor": 1}
    assert summary["mean_score"] == round((sent["score"] + dated["score"] + now["score"]) / 3, 1)
    assert letter["result"]["score"] != now["score"]  # the stored score would give another average

    problems, _ = dashboard.problems_and_suggestions(db, list(rows.values()))
    found = {p["rule"]: p["letters"] for p in problems}
    assert found["timeliness.late"] == 1 and found["empathy.delay_apology"] == 1  # the undated draft, today
    month = dashboard.by_month(list(rows.values()))
    assert [(m["month"], m["letters"], m["judged_for_time"], m["on_time"], m["poor"]) for m in month] == [
        ("2025-11", 3, 1, 1, 1)]


def test_the_register_counts_the_case_overdue_as_of_today(letters):
    db, *_ = letters
    reg = timeliness.from_register(db)
    assert reg.today == TODAY
    # A sent on time; D and U never sent: both count against the rate, as never sent.
    assert (reg.due, reg.on_time, reg.late, reg.missing, reg.rate) == (3, 1, 0, 2, 33.3)
    rows = {r["urn"]: r for r in register.register(db, today=clock.today())}
    assert (rows["01UU3333325"]["status"], rows["01UU3333325"]["working_days_late"]) == ("overdue", 5)


def test_the_dashboard_csv_counts_the_same(letters):
    from api.web.dashboard import csv_rows

    db, ids, *_ = letters
    now = service.current_result(db, store.get_letter(db, ids["U"]))[0]
    scores = [store.get_letter(db, ids[k])["result"]["score"] for k in "AD"] + [now["score"]]
    f = {"team": None, "decision": None, "date_from": None, "date_to": None, "as_of": None}
    (row,) = csv_rows(db, f)
    assert (row["Month (YYYY-MM)"], row["Letters checked"], row["Letters sent"], row["Poor"]) == ("2025-11", 3, 1, 1)
    assert row["Average score"] == round(sum(scores) / 3, 1)
    assert (row["Letters due"], row["Sent on time"], row["Never sent"], row["On time (%)"]) == (3, 1, 2, 33.3)


def test_figures_as_on_a_past_day_judge_the_draft_as_of_that_day(letters):
    db, ids, *_ = letters
    stored = store.get_letter(db, ids["U"])["result"]
    then = {r["id"]: r for r in dashboard.letters_in_scope(db, as_of=CHECKED)}[ids["U"]]
    assert (then["score"], then["verdict"]) == (stored["score"], stored["verdict"])  # on time that day
    wednesday = dt.date(2025, 11, 26)  # 3 working days after the due date
    rows = dashboard.letters_in_scope(db, as_of=wednesday)
    draft = {r["id"]: r for r in rows}[ids["U"]]
    assert draft["verdict"] == "poor" and draft["on_time"] is None
    as_then = service.judged_on(db, ids["U"], wednesday)
    assert as_then["metrics"]["working_days_late"] == 3 and draft["score"] == as_then["score"]
    assert {p["rule"] for p in dashboard.problems_and_suggestions(db, rows)[0]} >= set(LATE_RULES)


def test_figures_as_on_a_past_day_apply_the_marks_that_stood_that_day(letters, monkeypatch):
    """A "not a problem" mark made after the day replayed is not applied to it, nor one restored
    before it; one made before and restored after it is."""
    db, ids, staff, _ = letters
    wednesday, friday = dt.date(2025, 11, 26), dt.date(2025, 11, 28)

    def marked(rule: str, made: dt.date, restored: dt.date | None = None) -> None:
        service.suppress(db, staff, ids["U"], rule, "the family asked us to write it this way")
        db.execute("UPDATE suppressions SET created_at = ?, revoked_at = ? WHERE id = (SELECT max(id) FROM suppressions)",
                   [f"{made.isoformat()}T10:00:00+00:00", f"{restored.isoformat()}T10:00:00+00:00" if restored else None])
        db.conn.commit()

    marked("empathy.delay_apology", made=friday)  # after Wednesday: not applied to it
    late = {r["id"]: r for r in dashboard.letters_in_scope(db, as_of=wednesday)}[ids["U"]]
    assert "empathy.delay_apology" in late["findings"]
    # today (that Friday) the mark stands: the result stored as it was made, which the dashboard counts
    today = {r["id"]: r for r in dashboard.letters_in_scope(db)}[ids["U"]]
    stored = store.get_letter(db, ids["U"])["result"]
    assert "empathy.delay_apology" not in rules_of(stored) and today["score"] == stored["score"] > late["score"]

    db.execute("DELETE FROM suppressions")
    marked("empathy.delay_apology", made=dt.date(2025, 11, 24), restored=friday)  # stood on Wednesday
    marked("content.cps_role", made=dt.date(2025, 11, 24), restored=dt.date(2025, 11, 25))  # gone by then
    then = {r["id"]: r for r in dashboard.letters_in_scope(db, as_of=wednesday)}[ids["U"]]
    assert "empathy.delay_apology" not in then["findings"] and "content.cps_role" in then["findings"]
    assert [m["rule"] for m in store.stored_suppressions(db, ids["U"], wednesday)] == ["empathy.delay_apology"]
    assert store.stored_suppressions(db, ids["U"]) == []  # both restored by now


def test_a_draft_checked_today_is_not_scored_again(letters, monkeypatch):
    db, ids, *_ = letters
    calls = []
    monkeypatch.setattr(service, "judged_on", lambda *a, **k: calls.append(a) or None)
    on(monkeypatch, CHECKED)
    dashboard.letters_in_scope(db)
    assert calls == []  # its stored result is already as of today
    on(monkeypatch, TODAY)
    dashboard.letters_in_scope(db)
    assert [a[1] for a in calls] == [ids["U"]]  # only the undated draft, never the dated one


def test_the_panel_report_reads_sent_letters_judged_by_the_day_they_went_out(letters):
    from vcl_qa.db.users import user_by_name
    from vcl_qa.panel import report, sampling
    from vcl_qa.panel.sampling import Conflict

    db, ids, staff, manager = letters
    sampling.draw(db, manager, "2025Q4")
    drawn = {r[0] for r in db.execute("SELECT letter_id FROM panel_items WHERE removed_at IS NULL")}
    assert ids["U"] not in drawn and ids["D"] not in drawn  # drafts never reach the panel
    with pytest.raises(Conflict):
        sampling.add_letter(db, user_by_name(db, "manager"), "2025Q4", ids["U"], "to see it")
    # Sent today, a week late: stored as judged on the day it went out, and so in the board's report.
    service.mark_sent(db, staff, ids["U"], TODAY,
                      before_saved_reason="posted first, saved here afterwards to record it")
    sent = store.get_letter(db, ids["U"])["result"]
    assert sent["metrics"]["letter_date"] == TODAY.isoformat() and set(LATE_RULES) <= rules_of(sent)
    sampling.draw(db, manager, "2025Q4")
    failed = {r["rule"]: r["letters"] for r in report.build(db, "2025Q4")["failed_rules"]}
    assert failed.get("timeliness.late") == 1  # the letter sent late; A went out on its due date


# --- the page, on the real server ---------------------------------------------------------------

REAL_TODAY = clock.today()


def _working_days_before(day: dt.date, n: int) -> dt.date:
    out = day
    while workdays.working_days_between(out, day) < n:
        out -= dt.timedelta(days=1)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An undated draft checked on its due date, two working days before the real today."""
    due = _working_days_before(REAL_TODAY, 2)
    decided = due - dt.timedelta(days=1)
    while workdays.due_date(decided, "enhanced") != due:
        decided -= dt.timedelta(days=1)
    path = tmp_path_factory.mktemp("undated-dashboard") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    token = add_user(db, "manager", "manager")[1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "today", lambda: due)
        letter_id = service.submit(db, staff, TEXT, {**CASE, "decision_date": decided.isoformat()}, team="east")["id"]
    stored = store.get_letter(db, letter_id)["result"]
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "id": letter_id, "stored": stored}
    server.stop()


def test_the_dashboard_page_shows_the_draft_late_as_its_page_does(site):
    client = signed_in(site, "manager")
    assert site["stored"]["metrics"]["working_days_late"] == 0  # on time the day it was checked
    letter_page = client.get(f"/letters/{site['id']}").text
    score_today = int(re.search(r'id="score">(\d+)<', letter_page).group(1))
    assert score_today < site["stored"]["score"]
    page = client.get("/dashboard")
    assert page.status_code == 200
    headline = re.findall(r"<strong>([^<]+)</strong>", re.search(r'id="headline">(.*?)</ul>', page.text, re.S).group(1))
    assert headline == ["1", "0", f"{float(score_today)}", "1"]  # 1 checked, 0 sent, its score today, 1 poor
    table = re.search(r'id="problems-table">(.*?)</table>', page.text, re.S).group(1)
    rows = {visible_text(tr.split("</td>")[0]).strip(): [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)}
    assert rows["Letter late"][2] == "1" and rows["No apology for lateness"][2] == "1"
    note = visible_text(re.search(r'id="undated-drafts">(.*?)</p>', page.text, re.S).group(1))
    assert note.startswith("1 draft has no letter date: it is counted here as if sent on ")
    assert "Drafts are never counted as on time or late until they are sent." in note
    assert "Drafts are not counted until they are sent." in visible_text(page.text)  # the on-time figure


def test_the_letters_list_its_filter_and_its_export_judge_the_draft_as_of_today(letters):
    """Found in a manager's review: the undated draft saved as on time ("Good") was listed, found
    by the "Good" filter and exported as Good, while its page and the dashboard said it was late
    today and needed work. The list, its filter, its CSV and GET /letters judge it as of today."""
    from vcl_qa.reports import exports

    db, ids, _, _ = letters
    page = store.get_letter(db, ids["U"])
    today = service.current_result(db, page)[0]
    saved = page["result"]
    assert today["score"] < saved["score"]  # late today: the test has something to tell apart
    rows, count = service.list_letters(db, team="east")
    assert count == 3 and [r["id"] for r in rows] == sorted(ids.values(), reverse=True)
    draft = next(r for r in rows if r["id"] == ids["U"])
    assert (draft["score"], draft["verdict"]) == (today["score"], today["verdict"])
    assert (draft["saved_score"], draft["saved_verdict"], draft["saved_on"]) == (saved["score"], saved["verdict"],
                                                                                CHECKED.isoformat())
    assert draft["rescored_for_today"]
    assert not any(r.get("rescored_for_today") for r in rows if r["id"] != ids["U"])  # dated: as stored
    # the filter reads today's result
    for verdict in ("good", "needs_work", "poor"):
        found, n = service.list_letters(db, team="east", verdict=verdict)
        assert (ids["U"] in [r["id"] for r in found]) == (verdict == today["verdict"]), verdict
        assert n == len(found)
    # paged, newest first, the drafts among the rest
    first, n = service.list_letters(db, team="east", limit=1)
    second, _ = service.list_letters(db, team="east", limit=2, offset=1)
    assert n == 3 and [r["id"] for r in first + second] == [r["id"] for r in rows]
    row = exports.letter_row(draft)
    assert row["Score"] == today["score"] and row["Result code"] == today["verdict"]
    assert saved["verdict"] == "needs_work"
    assert row["Score note"] == f"If sent today; {saved['score']} (Needs work) when saved, scored for Friday 21 November 2025"
    assert exports.letter_row(next(r for r in rows if r["id"] == ids["A"]))["Score note"] == ""
