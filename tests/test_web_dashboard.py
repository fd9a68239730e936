"""The managers' figures over HTTP against the real server and the demo's data: the on-time rate
from the decisions register, the letters not sent (the decisions page agrees with the morning
digest), filters that are wrong say so, problems by severity, CSV exports in plain words, and
no page or export showing a rule id or a raw code."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape as html_unescape

import pytest

from figures import half_up
from vcl_qa import clock
from web_site import csrf, field_error, signed_in, start, visible_text

DAYS = [dt.date(2025, 12, 29), dt.date(2025, 12, 31), dt.date(2025, 4, 22), None]  # None: today
PAST = ("sent_on_time", "sent_late", "overdue")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "dashboard")
    yield s
    s["server"].stop()


def _register(site, day):
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register

    db = open_db(site["db"])
    try:
        return register.register(db, today=day or clock.today(), decided_to=day or clock.today())
    finally:
        db.close()


@pytest.mark.parametrize("day", DAYS, ids=lambda d: str(d or "today"))
def test_headline_is_letters_on_time_out_of_letters_due_from_the_register(site, day):
    client = signed_in(site, "manager")
    today = day or clock.today()
    rows = _register(site, day)
    due = [r for r in rows if r["status"] in PAST and r["due_date"] < today.isoformat()]
    on_time = sum(r["status"] == "sent_on_time" for r in due)
    late = sum(r["status"] == "sent_late" for r in due)
    missing = sum(r["status"] == "overdue" for r in due)
    assert on_time + late + missing == len(due) and missing > 0
    page = client.get("/dashboard", params={"as_of": day.isoformat()} if day else {})
    text = visible_text(page.text)
    assert f"{half_up(on_time, len(due))}% on time" in text
    assert f"{on_time} of the {len(due)} letters that were due before" in text
    assert f"{late} were sent late" in text or f"{late} was sent late" in text
    assert re.search(rf"{missing} (were|was) never sent", text)
    assert 'href="/decisions?status=overdue' in page.text


def test_letters_never_sent_count_against_the_rate(site):
    """The issue's complaint: the old headline left out letters never sent. Now every letter
    due counts, so the rate is below the one for sent letters alone."""
    rows = _register(site, None)
    today = clock.today().isoformat()
    due = [r for r in rows if r["status"] in PAST and r["due_date"] < today]
    sent = [r for r in due if r["status"] != "overdue"]
    on_time = sum(r["status"] == "sent_on_time" for r in due)
    assert len(sent) < len(due)
    text = visible_text(signed_in(site, "manager").get("/dashboard").text)
    shown = float(re.search(r"([\d.]+)% on time", text).group(1))
    assert shown == half_up(on_time, len(due)) < half_up(on_time, len(sent))


def _page_rows(page: str) -> list[tuple[str, str]]:
    """(case reference, working days in words) of each row of the decisions table."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.S):
        cells = [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        out.append((cells[0], re.search(r"(\d+ working days? \w+|due today)", cells[4]).group(1)))
    return out


@pytest.mark.parametrize("day", DAYS[:3], ids=str)
def test_decisions_page_and_morning_digest_agree(site, day):
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register

    db = open_db(site["db"])
    try:
        digest = register.digest_for(db, today=day)
        text = register.digest_text(digest)
    finally:
        db.close()
    client = signed_in(site, "manager")
    words = {"overdue": "overdue", "due": "left"}
    headline = re.search(r"(\d+) overdue, (\d+) due today, (\d+) due later", text).groups()
    for status, expected in zip(("overdue", "due_today", "due"), headline):
        page = client.get("/decisions", params={"status": status, "as_of": day.isoformat()})
        assert page.status_code == 200
        rows = _page_rows(page.text)
        want = [(r["urn"], "due today" if status == "due_today" else
                 f"{r['working_days_late'] or r['working_days_left']} working "
                 f"day{'s' if (r['working_days_late'] or r['working_days_left']) != 1 else ''} {words[status]}")
                for r in digest.rows if r["status"] == status]
        assert rows == want
        assert len(rows) == int(expected)
        assert re.search(rf'id="tab-{status}">[^<]*<strong>\({expected}\)</strong>', page.text)
        for urn, _days in rows:  # every case the digest lists is on the page, the same way
            assert urn in text


def test_missing_letters_page_links_to_writing_the_letter(site):
    client = signed_in(site, "manager")
    page = client.get("/decisions", params={"status": "overdue"})
    text = visible_text(page.text)
    assert "Case reference" in text and "Team" in text and "Due" in text
    assert re.search(r"\d+ working days? overdue", text)
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} \w+ 20\d\d", text)
    link = re.search(r'href="(/decisions/(\d+)/letter)"', page.text)
    form = client.get(link.group(1))
    assert form.status_code == 200 and 'action="/check"' in form.text
    from vcl_qa.db import open_db

    db = open_db(site["db"])
    try:
        urn, team = db.execute("SELECT urn, team FROM decisions WHERE id = ?", [int(link.group(2))]).fetchone()
    finally:
        db.close()
    assert f'value="{urn}"' in form.text and f'value="{team}"' in form.text
    # Staff see their own team's register only, and cannot open another team's decision.
    other = signed_in(site, "other")
    assert "demo" not in visible_text(other.get("/decisions").text).split("Decisions that need a letter", 2)[-1]
    assert other.get(link.group(1)).status_code == 404
    assert signed_in(site, "panel").get("/decisions").status_code == 403


@pytest.mark.parametrize("params,field,words", [
    ({"date_from": "2025-03-01", "date_to": "2025-01-31"}, "date_to", "is before the From date"),
    ({"date_from": "2025-02-30"}, "date_from", "is not a date"),
    ({"team": "nowhere"}, "team", "no team called 'nowhere'"),
    ({"decision": "dropped"}, "decision", "Choose a decision"),
    ({"as_of": "1999-01-01"}, "as_of", "choose a day between Saturday 1 January 2000 and Thursday 31 December 2099"),
])
def test_bad_filters_say_what_is_wrong(site, params, field, words):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params=params)
    assert page.status_code == 400
    assert words in field_error(page.text, field)
    assert 'class="error-summary"' in page.text and 'role="img"' not in page.text
    assert client.get("/dashboard.csv", params=params).status_code == 400
    bad = client.get("/decisions", params={"status": "lost"})
    assert bad.status_code == 400 and "'lost' is not a status" in visible_text(bad.text)


def test_problems_are_ranked_by_severity_and_suggestions_are_apart(site):
    page = signed_in(site, "manager").get("/dashboard").text
    table = re.search(r'<table id="problems-table">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    ranks = {"Must fix": 0, "Should fix": 1}
    order = [ranks[visible_text(m).strip()] for m in re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", table)]
    assert order and order == sorted(order) and order[0] == 0
    assert "Worth a look" not in visible_text(table)
    suggestions = re.search(r'<details id="suggestions">(.*?)</details>', page, re.S)
    assert suggestions and "Passive voice" in suggestions.group(1)  # collapsed: no "open"
    chart = re.search(r'<svg[^>]*id="chart-rules".*?</svg>', page, re.S).group(0)
    assert "Passive voice" not in chart


def test_chart_text_is_never_smaller_than_13_units_and_charts_never_shrink(site):
    page = signed_in(site, "manager").get("/dashboard").text
    sizes = [int(s) for s in re.findall(r'<text[^>]*font-size="(\d+)"', page)]
    assert sizes and min(sizes) >= 13
    css = signed_in(site, "manager").get("/static/app.css").text
    assert ".chart-scroll svg { min-width: 560px; }" in css
    assert page.count('class="chart-scroll" tabindex="0" role="region"') == 5
    assert page.count("<desc") == 5  # text alternatives kept


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dashboard_csv_in_plain_words_with_the_register(site):
    client = signed_in(site, "manager")
    rows = _csv(client.get("/dashboard.csv").text)
    assert list(rows[0])[:4] == ["Month", "Month (YYYY-MM)", "Letters checked", "Letters sent"]
    assert all(re.fullmatch(r"[A-Z][a-z]+ 20\d\d", r["Month"]) for r in rows)
    today = clock.today().isoformat()
    due = [r for r in _register(site, None) if r["status"] in PAST and r["due_date"] < today]
    assert sum(int(r["Letters due"] or 0) for r in rows) == len(due)
    assert sum(int(r["Never sent"] or 0) for r in rows) == sum(r["status"] == "overdue" for r in due)
    from live_server import SAMPLES

    assert sum(int(r["Letters checked"]) for r in rows) == len(list(SAMPLES.glob("*.txt")))


def test_no_page_or_export_shows_a_rule_id_or_a_raw_code(site):
    """Every page a manager, staff member, panel member and admin reads in the demo, and every
    export: no `dimension.rule` id and no snake_case code in what a person sees (CSV columns
    headed "... code" and "(YYYY-MM)" are for programs)."""
    rule_id = re.compile(r"\b(content|readability|empathy|timeliness)\.[a-z_]+\b")
    code = re.compile(r"\b[a-z]+_[a-z_]+\b")
    seen: list[tuple[str, str]] = []
    manager = signed_in(site, "manager")
    pages = ["/dashboard", "/dashboard?as_of=2025-12-29", "/decisions", "/letters", "/panel-periods",
             "/panel/guide", "/panel-periods/2024Q4/report", "/letters/1", "/letters/14"]
    pages += [f"/decisions?status={s}" for s in ("overdue", "due_today", "due", "sent_late", "sent_on_time")]
    for path in pages:
        r = manager.get(path)
        assert r.status_code == 200, path
        seen.append((path, visible_text(r.text)))
    panel = signed_in(site, "panel")
    queue = panel.get("/panel").text
    seen.append(("/panel", visible_text(queue)))
    code_link = re.search(r'href="(/panel/[0-9a-f]{16})"', queue).group(1)
    item = panel.get(code_link).text
    rating = {"csrf_token": csrf(item), "comment": ""}
    for name in re.findall(r'name="(score_\w+|overall)"', item):
        rating[name] = "3"
    panel.post(f"{code_link}/rating", data=rating)
    panel.post(f"{code_link}/reveal", data={"csrf_token": csrf(item)})
    seen.append((code_link, visible_text(panel.get(code_link).text)))
    admin = signed_in(site, "admin")
    seen.append(("/admin/users", visible_text(admin.get("/admin/users").text)))
    staff = signed_in(site, "staff")
    seen += [(p, visible_text(staff.get(p).text)) for p in ("/check", "/letters", "/decisions")]
    for path in ("/dashboard.csv", "/letters.csv", "/panel-periods/2024Q4/report.csv"):
        rows = _csv(manager.get(path).text)
        assert rows, path
        people = [k for k in rows[0] if not (k.lower().endswith("code") or k.endswith("(YYYY-MM)"))]
        seen.append((path, " ".join(people) + " " + " ".join(str(r[k]) for r in rows for k in people)))
    for path, text in seen:
        assert not rule_id.search(text), (path, rule_id.search(text).group(0))
        found = [c for c in code.findall(text) if not c.startswith(("x_",))]
        assert not found, (path, found[:5])


def test_letters_csv_in_plain_words_with_due_date_and_working_days_late(site):
    rows = _csv(signed_in(site, "manager").get("/letters.csv").text)
    assert list(rows[0])[:9] == ["Letter", "Team", "Status", "Decision", "Decision date", "Due date",
                                 "Letter date", "Sent date", "Working days late"]
    by_code = {r["Decision code"]: r["Decision"] for r in rows}
    assert by_code["not_charged"] == "Not to charge" and by_code["left_on_file"].startswith("Leave the charges")
    assert {r["Result"] for r in rows} == {"Good", "Needs work", "Poor"}
    assert {r["Result code"] for r in rows} == {"good", "needs_work", "poor"}
    # Sample 14: decided Thursday 19 December 2024, enhanced (1 working day): due Friday 20th,
    # sent Monday 23rd: 1 working day late. Sample 01 went out on time.
    from vcl_qa import Letter
    from live_server import SAMPLES

    for name, late in (("14_flawed_late_no_apology.txt", "1"), ("01_good_discontinued_assault_standard.txt", "0")):
        ctx = Letter.from_file(SAMPLES / name).context
        row = next(r for r in rows if r["Decision date"] == str(ctx.decision_date)
                   and r["Sent date"] == str(ctx.letter_date) and r["Decision code"] == str(getattr(ctx.decision, "value", ctx.decision))
                   and r["Victim category code"] == str(getattr(ctx.victim_category, "value", ctx.victim_category)))
        assert row["Working days late"] == late, name
        assert row["Due date"] > row["Decision date"]


def test_a_decision_needing_no_letter_leaves_the_rate_and_the_digest_alone(site):
    """Issue 16: a decision registered as needing no letter is never missing or overdue; the
    dashboard's rate and the digest agree with it added, and the page lists it with its reason."""
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register, store
    from vcl_qa.letters.bulk import Actor

    day = DAYS[0]
    client = signed_in(site, "manager")
    before = visible_text(client.get("/dashboard", params={"as_of": day.isoformat()}).text)
    db = open_db(site["db"])
    try:
        digest_before = register.digest_text(register.digest_for(db, today=day))
        record = register.record_from_mapping({
            "urn": "99NL0000125", "decision": "discontinued", "decision_date": "2025-11-03",
            "victim_category": "enhanced", "team": "north", "letter_required": False,
            "no_letter_reason": "The victim died before the decision; the family liaison officer told the family in person."})
        [(row_id, _)] = store.upsert_many(db, Actor("test"), [record])
        digest = register.digest_for(db, today=day)
    finally:
        db.close()
    try:
        after = visible_text(client.get("/dashboard", params={"as_of": day.isoformat()}).text)
        headline = r"[\d.]+% on time.{0,400}"
        assert re.search(headline, after, re.S).group(0) == re.search(headline, before, re.S).group(0)
        assert "99NL0000125" not in {r["urn"] for r in digest.rows}
        text = register.digest_text(digest)
        assert text.split("\n")[0] == digest_before.split("\n")[0]  # the same counts
        assert "NO LETTER NEEDED (1" in text and "family liaison officer" in text
        page = client.get("/decisions", params={"status": "not_required", "as_of": day.isoformat()})
        assert "99NL0000125" in page.text and "family liaison officer" in visible_text(page.text)
        overdue = client.get("/decisions", params={"status": "overdue", "as_of": day.isoformat()})
        assert "99NL0000125" not in overdue.text
    finally:
        db = open_db(site["db"])
        try:
            db.execute("DELETE FROM decisions WHERE id = ?", [row_id])
            db.conn.commit()
        finally:
            db.close()


def test_figures_as_on_a_day_count_only_what_was_stored_by_then(site):
    """Report item 14: "Figures as on" a day before any letter was stored still counted every
    letter stored later. Now only what had been stored by then counts, and the page says so."""
    client = signed_in(site, "manager")
    checked = lambda page: int(re.search(r"<strong>(\d+)</strong> letters checked", page.text).group(1))
    now = client.get("/dashboard")
    assert checked(now) > 0 and 'id="as-of-note"' not in now.text
    early = client.get("/dashboard", params={"as_of": "2000-01-01"})
    assert early.status_code == 200 and checked(early) == 0
    note = visible_text(early.text)
    assert "No letter had been checked by Saturday 1 January 2000: the first was stored on" in note
    assert "Figures as on Saturday 1 January 2000: only letters stored by then count" in note
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboard.csv", params={"as_of": "2000-01-01"}).text)))
    assert sum(int(r["Letters checked"] or 0) for r in rows) == 0
    today = client.get("/dashboard", params={"as_of": clock.today().isoformat()})
    assert checked(today) == checked(now) and "No letter had been checked" not in today.text


def _on_time_windows(site, day: dt.date) -> dict[int, tuple[dt.date, dt.date]]:
    """A From/To window of due dates for each count of letters on time found (1 and many)."""
    from vcl_qa.db import open_db
    from vcl_qa.reports import timeliness

    db = open_db(site["db"])
    try:
        due_dates = sorted({dt.date.fromisoformat(r["due_date"]) for r in
                            register_rows(db, day) if r["due_date"] < day.isoformat()})
        windows: dict[int, tuple[dt.date, dt.date]] = {}
        for low, high in [(d, d) for d in due_dates] + [(due_dates[0], due_dates[-1])]:
            t = timeliness.from_register(db, today=day, due_from=low, due_to=high)
            if t and t.due:
                windows.setdefault(1 if t.on_time == 1 else 2 if t.on_time > 1 else 0, (low, high))
        return windows
    finally:
        db.close()


def register_rows(db, day):
    from vcl_qa.decisions import register

    return register.register(db, today=day, decided_to=day)


def test_the_on_time_sentence_agrees_with_its_count(site):
    """Review 9: '1 of the 5 letters that were due before ... was sent by their due date'."""
    day = dt.date(2025, 12, 29)
    windows = _on_time_windows(site, day)
    assert 1 in windows and 2 in windows
    client = signed_in(site, "manager")
    for count, (low, high) in windows.items():
        params = {"as_of": day.isoformat(), "date_from": low.isoformat(), "date_to": high.isoformat()}
        text = visible_text(client.get("/dashboard", params=params).text)
        sentence = re.search(r"(\d+) of the \d+ letters? that (?:was|were) due before [^.]*?"
                             r"(was sent by its due date|were sent by their due dates)\.", text)
        assert sentence, text[:2000]
        if count == 1:
            assert sentence.group(1) == "1" and sentence.group(2) == "was sent by its due date"
        elif " of the 1 letter that was due " in sentence.group(0):
            # none on time of the one letter due: "0 of the 1 letter ... was sent by its due date"
            # (an audit: "... were sent by their due dates" of one letter)
            assert sentence.group(1) == "0" and sentence.group(2) == "was sent by its due date"
        else:
            assert sentence.group(2) == "were sent by their due dates"
        assert "was sent by their" not in text


def _headline(page: str) -> str:
    return visible_text(re.search(r'id="timeliness-headline">(.*?)</section>', page, re.S).group(1))


def test_the_dashboard_dates_are_typed_as_day_month_and_year(site):
    """The dashboard's From, To and "Figures as on" were the browser's date pickers (mm/dd/yyyy
    in some browsers) where every other date on the pages is typed as day, month and year. Now
    they are boxes, read as the letters list and the register read theirs; a link's ISO dates
    (other pages', the dashboard's own) still work and fill the boxes."""
    client = signed_in(site, "manager")
    boxes = {"date_from-day": "1", "date_from-month": "12", "date_from-year": "2025",
             "date_to-day": "31", "date_to-month": "12", "date_to-year": "2025",
             "as_of-day": "31", "as_of-month": "12", "as_of-year": "2025"}
    link = {"date_from": "2025-12-01", "date_to": "2025-12-31", "as_of": "2025-12-31"}
    typed, linked = client.get("/dashboard", params=boxes), client.get("/dashboard", params=link)
    assert typed.status_code == linked.status_code == 200
    assert 'type="date"' not in typed.text
    for page in (typed, linked):
        assert 'id="date_from" aria-describedby="date_from-hint"' in page.text
        for name, value in (("date_from-day", "1"), ("date_to-day", "31"), ("as_of-month", "12"), ("as_of-year", "2025")):
            assert re.search(rf'name="{name}"[^>]*value="{value}"', page.text), name
        assert "before Wednesday 31 December 2025" in _headline(page.text)
        # the links onwards carry ISO dates, as before
        assert "due_from=2025-12-01&amp;due_to=2025-12-31&amp;as_of=2025-12-31" in page.text
    assert _headline(typed.text) == _headline(linked.text)
    assert client.get("/dashboard.csv", params=boxes).text == client.get("/dashboard.csv", params=link).text
    # The download link keeps the dates as typed.
    csv_link = html_unescape(re.search(r'href="(/dashboard\.csv\?[^"]*)"', typed.text).group(1))
    assert client.get(csv_link).text == client.get("/dashboard.csv", params=link).text


@pytest.mark.parametrize("params,field,message", [
    ({"date_from-day": "31", "date_from-month": "2", "date_from-year": "2025"}, "date_from",
     "The From date must be a real date, for example 27 3 2025."),
    ({"date_to-day": "3", "date_to-year": "2025"}, "date_to", "The To date must include a month."),
    ({"as_of-day": "1", "as_of-month": "1", "as_of-year": "25"}, "as_of",
     "The 'Figures as on' date must be a real date, with the year in 4 figures, for example 27 3 2025."),
    ({"date_from": "2025-02-30"}, "date_from",
     "The From date ('2025-02-30') is not a date: type the day, month and year, for example 27 3 2025."),
])
def test_a_wrong_dashboard_date_is_named_beside_its_boxes(site, params, field, message):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params=params)
    assert page.status_code == 400
    assert field_error(page.text, field) == message
    assert f'<a href="#{field}">{message}</a>' in page.text.replace("&#39;", "'")
    assert f'<fieldset class="date-input" role="group" id="{field}"' in page.text
    assert 'role="img"' not in page.text  # no figures for a filter that was not understood
    for part, value in ((k.split("-")[1], v) for k, v in params.items() if "-" in k):
        assert re.search(rf'name="{field}-{part}"[^>]*value="{value}"', page.text)  # kept as typed
    csv_answer = client.get("/dashboard.csv", params=params)
    assert csv_answer.status_code == 400 and message in csv_answer.text


@pytest.fixture(scope="module")
def replay_site(tmp_path_factory):
    """Two letters sent on time in early March 2025, each known to the service only later: the
    first stored on the 3rd, sent on the 4th and marked sent on the 10th; the second sent on
    the 5th and stored (marked sent) on the 12th. The register holds both decisions."""
    from live_server import LiveServer, make_user
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.decisions import register, store
    from vcl_qa.letters import service
    from vcl_qa.letters.bulk import Actor

    path = tmp_path_factory.mktemp("replay") / "vcl_qa.db"
    tokens = {"manager": make_user(path, "Mo Manager", "manager")}
    db = open_db(path)
    try:
        user = user_by_name(db, "Mo Manager")
        text = "Dear Ms Grant\n\nWe have decided to stop the case.\n\nYours sincerely\nJ Whitcombe\n"
        days = {"11AA0000125": ("2025-03-03", "2025-03-04", "2025-03-03", "2025-03-10"),
                "11AA0000225": ("2025-03-04", "2025-03-05", "2025-03-12", "2025-03-12")}
        store.upsert_many(db, Actor("test"), [register.record_from_mapping(
            {"urn": urn, "decision": "discontinued", "decision_date": decided, "victim_category": "enhanced",
             "team": "north"}) for urn, (decided, *_rest) in days.items()])
        for urn, (decided, sent, stored, marked) in days.items():
            letter = service.submit(db, user, text, {"urn": urn, "decision": "discontinued", "decision_date": decided,
                                                     "victim_category": "enhanced", "letter_date": sent}, team="north")
            service.mark_sent(db, user, letter["id"], dt.date.fromisoformat(sent),
                              before_saved_reason="posted first, saved here afterwards to record it")
            with db.conn:
                db.execute("UPDATE letters SET created_at = ?, sent_marked_at = ? WHERE id = ?",
                           [f"{stored}T09:00:00", f"{marked}T09:00:00", letter["id"]])
                db.execute("UPDATE results SET created_at = ? WHERE letter_id = ?", [f"{stored}T09:00:00", letter["id"]])
    finally:
        db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": tokens, "db": path}
    server.stop()


def test_a_replayed_day_says_what_each_block_counts_as_sent(replay_site):
    """Review: replayed for 7 March, the register's block said both letters were sent on time
    while the letters block said "0 sent", with nothing to say why. The register counts a letter
    as sent from the day it went out (its sent date, as held now), the letters block only what
    had been stored and marked sent here by then: the page now says so on both blocks."""
    client = signed_in(replay_site, "manager")
    page = client.get("/dashboard", params={"as_of": "2025-03-07"})
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "2 of the 2 letters that were due before Friday 7 March 2025 were sent by their due dates" in text
    headline = visible_text(re.search(r'<ul class="headline" id="headline">(.*?)</ul>', page.text, re.S).group(1))
    assert "1 letter checked" in headline and "0 marked sent by then" in headline
    register_note = visible_text(re.search(r'id="register-as-of">(.*?)</p>', page.text, re.S).group(1))
    assert ("As on Friday 7 March 2025, a letter counts as sent here from the day it went out, as the register "
            "holds it now: also a letter stored or marked sent in this service after Friday 7 March 2025") in register_note
    note = visible_text(re.search(r'id="as-of-note" class="inset">(.*?)</p>', page.text, re.S).group(1))
    assert ("only letters stored by then count, each with the result and the sent mark it had then, so a letter "
            "marked sent after Friday 7 March 2025 counts as a draft here (the on-time figures above count it "
            "as sent from the day it went out)") in note
    # Once both were marked sent, the two blocks agree, and the page needs no such words.
    later = client.get("/dashboard", params={"as_of": "2025-03-12"})
    headline = visible_text(re.search(r'<ul class="headline" id="headline">(.*?)</ul>', later.text, re.S).group(1))
    assert "2 letters checked" in headline and "2 marked sent by then" in headline
    now = client.get("/dashboard")
    assert "2 sent" in visible_text(now.text) and 'id="register-as-of"' not in now.text
    # The same span, chosen by From and To: the page says each block chooses by its own day.
    span = client.get("/dashboard", params={"as_of": "2025-03-07", "date_from": "2025-03-01", "date_to": "2025-03-31"})
    assert ("From and To choose these letters by the day each was sent (a draft: the day it is dated, else the "
            "day it was stored), not by the day it was due as the on-time figures above do.") in visible_text(span.text)


def test_each_monthly_figure_says_which_month_it_counts_by(site):
    """The dashboard counts the on-time figures by the month each letter was due, the timeliness
    report by the month of the decision: documented, but not on the page nor in either CSV, so a
    manager comparing "the same month" was misled. Each now says it in words."""
    import httpx

    client = signed_in(site, "manager")
    page = client.get("/dashboard").text
    due_words = ("the month each letter was due, sent or not, not the month of the decision (the timeliness "
                 "report, which other systems read, counts by the month of the decision, so its figure for a "
                 "month can differ)")
    sent_words = "the month each letter was sent (a draft: the month it is dated, else the month it was stored)"
    section = re.search(r'<h2 id="h-timeliness">On time, by month</h2>\s*<p class="hint" id="timeliness-months">(.*?)</p>',
                        page, re.S)
    assert section and visible_text(section.group(1)) == f"Counted by {due_words}."
    results = re.search(r'<h2 id="h-verdicts">Results by month</h2>\s*<p class="hint" id="verdict-months">(.*?)</p>',
                        page, re.S)
    assert results and visible_text(results.group(1)) == f"Counted by {sent_words}."
    rows = _csv(client.get("/dashboard.csv").text)
    assert rows and list(rows[0])[-1] == "Months counted by"
    assert {r["Months counted by"] for r in rows} == {
        f"Letters checked, sent, average score and results: {sent_words}. "
        f"Letters due, sent on time, sent late, never sent and on time (%): {due_words}."}
    report = httpx.get(f"{site['url']}/api/v1/reports/timeliness", params={"format": "csv"}, timeout=30,
                       headers={"Authorization": f"Bearer {site['tokens']['manager']}"})
    lines = _csv(report.text)
    assert lines and {r["month_counted_by"] for r in lines} == {
        "the month of the decision, not the month each letter was due (the dashboard counts by the month due, "
        "so its figure for a month can differ)"}


def _svg(page: str, chart_id: str):
    import xml.etree.ElementTree as ET

    return ET.fromstring(re.search(rf'(<svg[^>]*id="{chart_id}".*?</svg>)', page, re.S).group(1))


def test_chart_months_read_as_months_and_each_on_time_bar_carries_its_counts(site):
    """A manager's review: the month labels "Dec 25", "Jan 26" read as dates (25 December), and
    an on-time bar showed "25" with nothing to say 25% of how many. Months are "Dec 2025"; each
    bar's title and the chart's description give "25% (1 of 4)", as the table of numbers does."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    page = signed_in(site, "manager").get("/dashboard", params={"as_of": "2025-12-31"}).text
    for chart_id in ("chart-timeliness", "chart-verdicts"):
        texts = [t.text or "" for t in _svg(page, chart_id).iter(f"{svg_ns}text")]
        months = [t for t in texts if re.fullmatch(r"[A-Z][a-z]{2} \d+", t)]
        assert months and all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", m) for m in months), months
    table = re.search(r'<h2 id="h-timeliness">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    counted = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        month, on_time, due, rate = [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        counted[month[:3] + " " + month.split()[-1]] = (float(rate), int(on_time), int(due))
    svg = _svg(page, "chart-timeliness")
    said = {r.find(f"{svg_ns}title").text.split(": ")[0]: r.find(f"{svg_ns}title").text.split(": ")[1]
            for r in svg.iter(f"{svg_ns}rect")}
    bars = {}
    for month, words in said.items():
        rate, on_time, due = re.fullmatch(r"(\d+(?:\.\d)?)% \((\d+) of (\d+)\)", words).groups()
        bars[month] = (float(rate), int(on_time), int(due))
    assert bars and bars == counted
    desc = svg.find(f"{svg_ns}desc").text
    assert all(f"{month}: {words}" in desc for month, words in said.items())


def test_the_suggestions_say_how_many_kinds_letters_and_times(site):
    """A manager's review: "Suggestions (worth a look): 2" counted kinds of problem while
    reading like a count of problems. It says what it counts: kinds, times found, letters."""
    import sqlite3

    page = signed_in(site, "manager").get("/dashboard").text
    details = re.search(r'<details id="suggestions"><summary>(.*?)</summary>(.*?)</details>', page, re.S)
    rows = [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", details.group(2).split("<tbody>")[1], re.S)]
    with sqlite3.connect(site["db"]) as db:  # letters whose latest result has a suggestion counting
        letters = db.execute(
            "SELECT count(DISTINCT f.letter_id) FROM findings f WHERE f.suppressed = 0 AND f.severity = 'suggestion'"
            " AND f.result_id IN (SELECT max(id) FROM results GROUP BY letter_id)").fetchone()[0]
    times = sum(int(r[2]) for r in rows)
    assert len(rows) > 1 and times > letters > 1
    assert visible_text(details.group(1)).strip() == (
        f"Suggestions (worth a look): {len(rows)} kinds, found {times} times in {letters} letters")


@pytest.mark.parametrize("params", [{"team": "north"}, {"decision": "discontinued"},
                                    {"date_from": "2025-01-01"}, {"date_to": "2025-12-31"}])
def test_the_panels_figures_say_they_are_not_filtered(site, params):
    """The panel's agreement is worked out over every letter it rated in a period: a dashboard
    filtered by a decision or by dates said nothing of it (only a team filter was named), so its
    figures read as if for those letters alone (a managers' review)."""
    client = signed_in(site, "manager")
    page = visible_text(client.get("/dashboard", params=params).text)
    assert "these figures are for all the letters it rated in each period, not only those chosen above" in page
    assert "not only those chosen above" not in visible_text(client.get("/dashboard").text)
