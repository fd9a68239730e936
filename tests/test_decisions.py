"""The decisions register: validation, statuses from linked letters, views, report and CSV import
(real SQLite file, real scoring)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pytest
import yaml

from figures import half_up

from vcl_qa.decisions import register as decisions
from vcl_qa.errors import LetterError
from vcl_qa.engine.rules_data import load_calendar, rules_dir
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service
from vcl_qa.decisions import store
from vcl_qa.letters.bulk import Actor

D = dt.date
TODAY = D(2025, 1, 6)  # a Monday
ACTOR = Actor("test")
TEXT = "Dear Mr Jones\n\nWe have decided to stop the case. I am sorry for the distress this causes.\n"


def rec(urn, decision, decided, category, team="north", **extra):
    return {"urn": urn, "decision": decision, "decision_date": decided, "victim_category": category,
            "team": team, **extra}


REGISTER = [
    rec("A1", "discontinued", "2024-12-19", "enhanced", victim_name="Mr Adam Jones"),  # sent on time
    rec("B1", "not_charged", "2024-12-19", "standard"),          # sent late
    rec("C1", "no_evidence_offered", "2024-12-31", "enhanced"),  # no letter: overdue
    rec("D1", "left_on_file", "2025-01-03", "enhanced"),         # Friday decision: due Monday
    rec("E1", "charge_altered", "2025-01-03", "standard"),       # due Friday 10th
    rec("F1", "discontinued", "2025-01-06", "enhanced"),         # a draft only
    rec("G1", "not_charged", "2025-01-08", "enhanced"),          # decided after TODAY: left out on TODAY
    rec("S1", "discontinued", "2024-12-19", "enhanced", team="south"),
]


def letter(db, urn, decision, decided, category, *, sent=None, team="north", letter_date=None):
    ctx = {"decision": decision, "decision_date": decided, "victim_category": category,
           "letter_date": letter_date or sent or decided}
    if urn is not None:
        ctx["urn"] = urn
    return service.submit(db, ACTOR, TEXT, ctx, team=team, sent_date=sent)["id"]


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "vcl_qa.db")
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def filled(db):
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(r) for r in REGISTER])
    ids = {
        "A1": letter(db, "A1", "discontinued", "2024-12-19", "enhanced", sent="2024-12-20"),
        "B1": letter(db, "B1", "not_charged", "2024-12-19", "standard", sent="2025-01-02"),
        "F1": letter(db, "F1", "discontinued", "2025-01-06", "enhanced"),
        "Z9": letter(db, "Z9", "discontinued", "2024-12-19", "enhanced", sent="2024-12-20"),
        "none": letter(db, None, "discontinued", "2024-12-19", "enhanced", team="south"),
    }
    db.letter_ids = ids
    return db


def by_urn(rows):
    return {r["urn"]: (r["status"], r["working_days"]) for r in rows}


def test_statuses_as_of_a_day(filled):
    rows = decisions.register(filled, today=TODAY)
    assert by_urn(rows) == {  # G1, decided after TODAY, had not been made on that day
        "A1": ("sent_on_time", 0), "B1": ("sent_late", -2), "C1": ("overdue", -2),
        "D1": ("due_today", 0), "E1": ("due", 4), "F1": ("due", 1),
        "S1": ("overdue", -8),  # 23, 24, 27, 30, 31 Dec, 2, 3, 6 Jan
    }
    assert by_urn(decisions.register(filled, today=D(2025, 1, 8), urn="G1")) == {"G1": ("due", 1)}
    a1 = next(r for r in rows if r["urn"] == "A1")
    assert a1["due_date"] == "2024-12-20"
    assert a1["sent_on"] == "2024-12-20"
    assert a1["working_day_limit"] == 1
    assert a1["letter_ids"] == [filled.letter_ids["A1"]]
    f1 = next(r for r in rows if r["urn"] == "F1")
    assert f1["letter_ids"] == [filled.letter_ids["F1"]]  # linked, but a draft is not a sent letter


def test_most_urgent_first(filled):
    rows = decisions.register(filled, today=TODAY, team="north")
    assert [r["urn"] for r in rows] == ["C1", "D1", "F1", "E1", "B1", "A1"]


def test_sending_a_letter_changes_its_decisions_status_at_once(filled):
    service.mark_sent(filled, ACTOR, filled.letter_ids["F1"], D(2025, 1, 6),
                      before_saved_reason="posted first, saved here afterwards to record it")
    assert by_urn(decisions.register(filled, today=TODAY, urn="F1")) == {"F1": ("sent_on_time", 1)}
    c1 = letter(filled, "C1", "no_evidence_offered", "2024-12-31", "enhanced", sent="2025-01-06")
    row = decisions.register(filled, today=TODAY, urn="c1")[0]  # case reference in any case
    assert (row["status"], row["working_days"], row["letter_ids"]) == ("sent_late", -2, [c1])


def test_earliest_sent_letter_counts(filled):
    letter(filled, "B1", "not_charged", "2024-12-19", "standard", sent="2024-12-23")
    assert by_urn(decisions.register(filled, today=TODAY, urn="B1")) == {"B1": ("sent_on_time", 3)}


def test_a_past_day_is_replayed_without_later_letters(filled):
    rows = by_urn(decisions.register(filled, today=D(2024, 12, 20)))
    assert rows["A1"] == ("sent_on_time", 0)
    assert rows["B1"] == ("due", 4)  # its letter went out on 2 January


def test_status_filter_and_team(filled):
    assert [r["urn"] for r in decisions.register(filled, today=TODAY, status="overdue")] == ["S1", "C1"]
    assert [r["urn"] for r in decisions.register(filled, today=TODAY, status="overdue", team="north")] == ["C1"]


def test_letter_date_recorded_in_the_register_counts_as_sent(db):
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        rec("R1", "discontinued", "2024-12-19", "standard", letter_date="2024-12-31"))])
    assert by_urn(decisions.register(db, today=TODAY)) == {"R1": ("sent_late", -1)}


def test_a_letter_sent_before_the_decision_is_not_its_letter(db):
    """Review 9, item 2: a letter sent on 23 November linked to a decision made on 30 November
    counted as 'sent on time'; so did one sent before a decision date changed later."""
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(rec("P1", "discontinued", "2024-12-31", "enhanced")),
                                  decisions.record_from_mapping(rec("P2", "discontinued", "2024-12-19", "enhanced"))])
    letter(db, "P1", "discontinued", "2024-12-20", "enhanced", sent="2024-12-23")  # its own decision: the 20th
    letter(db, "P2", "discontinued", "2024-12-19", "enhanced", sent="2024-12-20")
    assert by_urn(decisions.register(db, today=TODAY)) == {"P1": ("overdue", -2), "P2": ("sent_on_time", 0)}
    [p1] = decisions.register(db, today=TODAY, urn="P1")
    assert (p1["sent_on"], p1["working_days_late"]) == (None, 2)
    assert p1["letter_warning"] == ("a letter was sent on Monday 23 December 2024, before this decision "
                                    "(Tuesday 31 December 2024): check it belongs to this decision "
                                    "(it is not counted as sent)")
    # the register's decision date moved after the letter went out: the same
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        {**rec("P2", "discontinued", "2024-12-23", "enhanced")})])
    [p2] = decisions.register(db, today=TODAY, urn="P2")
    assert (p2["status"], p2["sent_on"]) == ("overdue", None)
    assert "sent on Friday 20 December 2024, before this decision (Monday 23 December 2024)" in p2["letter_warning"]
    # the rate, the digest and the report follow
    assert {r["urn"] for r in decisions.digest(db, today=TODAY)} == {"P1", "P2"}
    text = decisions.digest_text(decisions.digest_for(db, today=TODAY))
    assert "Note: a letter was sent on Monday 23 December 2024, before this decision" in text
    [all_dec] = [r for r in decisions.timeliness_report(db, today=TODAY)
                 if r["month"] == "2024-12" and r["working_day_limit"] is None]
    assert (all_dec["sent"], all_dec["missing"], all_dec["timeliness_rate"]) == (0, 2, 0.0)
    # a letter sent on or after the decision counts; the early one is still pointed out
    letter(db, "P1", "discontinued", "2024-12-31", "enhanced", sent="2025-01-02")
    [p1] = decisions.register(db, today=TODAY, urn="P1")
    assert (p1["status"], p1["sent_on"]) == ("sent_on_time", "2025-01-02")
    assert p1["letter_warning"].endswith("(a later letter is counted)")


def test_a_letter_date_recorded_before_a_changed_decision_date_is_not_counted(db):
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        rec("R2", "discontinued", "2024-12-19", "standard", letter_date="2024-12-20"))])
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(rec("R2", "discontinued", "2024-12-23", "standard"))])
    [row] = decisions.register(db, today=TODAY, urn="R2")
    assert (row["status"], row["letter_date"], row["sent_on"]) == ("overdue", "2024-12-20", None)
    assert row["letter_warning"].startswith("the register records a letter sent on Friday 20 December 2024, "
                                            "before this decision (Monday 23 December 2024)")


def test_clock_on_a_saturday():
    clock = decisions.StatusClock(D(2025, 1, 4))  # Saturday
    # Friday 3rd decision (enhanced) is due Monday 6th: on Saturday one working day is left.
    assert clock.status(D(2025, 1, 3), "enhanced", None) == decisions.Timeliness("due", D(2025, 1, 6), 1, None)
    # Due on Friday 3rd and nothing sent by Saturday: overdue, no working day lost yet.
    assert clock.status(D(2025, 1, 2), "enhanced", None).status == "overdue"
    assert clock.status(D(2025, 1, 2), "enhanced", None).working_days == 0
    # A letter dated after the clock's day does not count yet.
    assert clock.status(D(2025, 1, 2), "enhanced", D(2025, 1, 7)).status == "overdue"
    assert clock.status(D(2025, 1, 2), "enhanced", D(2025, 1, 3)).status == "sent_on_time"


def test_the_deprecated_signed_count_is_negative_whenever_late(db):
    """A script reading the deprecated working_days' sign for "late" (as the docs described it)
    saw 0, as for a letter sent on its due day, when no working day lay past the due date."""
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(r) for r in [
        rec("L1", "discontinued", "2025-01-02", "enhanced"),                           # due Fri 3rd
        rec("L2", "discontinued", "2025-01-02", "enhanced", letter_date="2025-01-04"),  # sent Saturday
        rec("L3", "discontinued", "2025-01-02", "enhanced", letter_date="2025-01-03"),  # sent on the due day
        rec("L4", "discontinued", "2024-12-30", "enhanced", letter_date="2025-01-03"),  # due 31st: 2nd and 3rd late
    ]])
    rows = {r["urn"]: r for r in decisions.register(db, today=D(2025, 1, 4))}  # a Saturday
    assert {u: (r["status"], r["working_days_late"], r["working_days"]) for u, r in rows.items()} == {
        "L1": ("overdue", 0, -1), "L2": ("sent_late", 0, -1), "L3": ("sent_on_time", 0, 0),
        "L4": ("sent_late", 2, -2)}


def test_digest_lists_open_letters_decided_by_today(filled):
    rows = decisions.digest(filled, today=TODAY, team="north")
    assert [(r["urn"], r["status"]) for r in rows] == [
        ("C1", "overdue"), ("D1", "due_today"), ("F1", "due"), ("E1", "due")]
    report = decisions.digest_for(filled, today=TODAY, team="north", unlinked=2)
    assert report.rows == rows
    text = decisions.digest_text(report)
    assert text.startswith("Letters to victims on Monday 6 January 2025 (team north): "
                           "1 overdue, 1 due today, 2 due later.\n"
                           "Counting Monday 6 January 2025 as today (the day asked for); "
                           "the register holds 7 decisions for team north "
                           "(1 decided after that day left out).")
    assert "C1" in text and "2 working days late" in text and "4 working days left" in text
    assert "-2" not in text
    assert "2 stored letters match no decision" in text
    buf = io.StringIO()
    decisions.write_digest_csv(rows, buf)
    out = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(out[0]) == decisions.DIGEST_COLUMNS
    assert out[0] == {"urn": "C1", "decision": "no_evidence_offered", "decision_date": "2024-12-31",
                      "victim_category": "enhanced", "due_date": "2025-01-02", "status": "overdue",
                      "working_days_left": "0", "working_days_late": "2", "working_days": "-2",
                      "team": "north"}
    assert [(r["working_days_left"], r["working_days_late"]) for r in rows] == [(0, 2), (0, 0), (1, 0), (4, 0)]


def test_digest_leaves_out_victim_names(filled):
    text = decisions.digest_text(decisions.digest_for(filled, today=D(2024, 12, 19)))
    assert "A1" in text
    assert "Adam" not in text and "Jones" not in text


def test_digest_of_an_empty_register_says_so(db):
    report = decisions.digest_for(db, today=TODAY)
    text = decisions.digest_text(report)
    assert report.held_all == 0 and report.rows == []
    assert "the register holds 0 decisions." in text
    assert "The register is empty: import decisions with `vcl-qa import-decisions`." in text
    assert "Nothing due" not in text


def test_digest_for_a_team_with_no_decisions_says_so(filled):
    text = decisions.digest_text(decisions.digest_for(filled, today=TODAY, team="nroth"))
    assert "The register holds no decisions for team nroth" in text and "check the team name" in text
    assert "Nothing due" not in text


def test_digest_says_when_everything_is_sent_and_what_it_counted(filled):
    report = decisions.digest_for(filled, today=D(2024, 12, 19))
    assert report.held == report.held_all > 0
    assert report.decided_later == sum(1 for r in decisions.register(filled) if r["decision_date"] > "2024-12-19")
    assert f"({report.decided_later} decided after that day left out)" in report.summary()
    assert "today's date in the UK" in decisions.digest_for(filled).summary()  # review 11a, finding 12


def test_unlinked_letters(filled):
    rows, count = decisions.unlinked_letters(filled)
    assert count == 2
    assert {r["id"] for r in rows} == {filled.letter_ids["Z9"], filled.letter_ids["none"]}
    rows, count = decisions.unlinked_letters(filled, team="north")
    assert (count, [r["urn"] for r in rows]) == (1, ["Z9"])


def test_timeliness_report(filled):
    rows = decisions.timeliness_report(filled, today=TODAY, team="north")
    table = {(r["month"], r["working_day_limit"]): {k: r[k] for k in decisions.REPORT_COLUMNS[3:]}
             for r in rows}
    assert table == {
        ("2024-12", 1): {"required": 2, "sent": 1, "sent_on_time": 1, "sent_late": 0, "missing": 1,
                         "pending": 0, "not_required": 0, "due_before_today": 2,
                         "on_time_of_due": 1, "timeliness_rate": 50.0},
        ("2024-12", 5): {"required": 1, "sent": 1, "sent_on_time": 0, "sent_late": 1, "missing": 0,
                         "pending": 0, "not_required": 0, "due_before_today": 1,
                         "on_time_of_due": 0, "timeliness_rate": 0.0},
        ("2024-12", None): {"required": 3, "sent": 2, "sent_on_time": 1, "sent_late": 1, "missing": 1,
                            "pending": 0, "not_required": 0, "due_before_today": 3,
                         "on_time_of_due": 1, "timeliness_rate": 33.3},
        ("2025-01", 1): {"required": 2, "sent": 0, "sent_on_time": 0, "sent_late": 0, "missing": 0,
                         "pending": 2, "not_required": 0, "due_before_today": 0,
                         "on_time_of_due": 0, "timeliness_rate": None},
        ("2025-01", 5): {"required": 1, "sent": 0, "sent_on_time": 0, "sent_late": 0, "missing": 0,
                         "pending": 1, "not_required": 0, "due_before_today": 0,
                         "on_time_of_due": 0, "timeliness_rate": None},
        ("2025-01", None): {"required": 3, "sent": 0, "sent_on_time": 0, "sent_late": 0, "missing": 0,
                            "pending": 3, "not_required": 0, "due_before_today": 0,
                         "on_time_of_due": 0, "timeliness_rate": None},
    }
    assert [r["working_day_limit"] for r in rows[:3]] == [1, 5, None]
    everyone = decisions.timeliness_report(filled, today=TODAY, month_from="2024-12", month_to="2024-12")
    assert {(r["team"], r["working_day_limit"]): r["missing"] for r in everyone} == {
        ("north", 1): 1, ("north", 5): 0, ("north", None): 1, ("south", 1): 1, ("south", None): 1}
    text = decisions.report_csv(rows)
    assert text.splitlines()[0] == ",".join(decisions.REPORT_COLUMNS) + ",month_counted_by"
    said = ',"the month of the decision, not the month each letter was due (the dashboard counts by the month due, ' \
           'so its figure for a month can differ)"'
    assert "2024-12,north,all,3,2,1,1,1,0,0,3,1,33.3" + said in text.splitlines()
    assert "2025-01,north,all,3,0,0,0,0,3,0,0,0," + said in text.splitlines()  # G1: decided after TODAY


def test_upsert_is_idempotent_and_updates_changes(db):
    records = [decisions.record_from_mapping(r) for r in REGISTER[:3]]
    assert [o for _, o in store.upsert_many(db, ACTOR, records)] == ["created"] * 3
    assert [o for _, o in store.upsert_many(db, ACTOR, records)] == ["unchanged"] * 3
    changed = {**records[1], "victim_category": "enhanced"}
    assert [o for _, o in store.upsert_many(db, ACTOR, [changed])] == ["updated"]
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 3
    assert by_urn(decisions.register(db, today=TODAY, urn="B1")) == {"B1": ("overdue", -8)}
    # Another team's register is its own: the same case there is a new entry, north's unchanged.
    assert [o for _, o in store.upsert_many(db, ACTOR, [{**records[0], "team": "south"}],
                                            only_team="south")] == ["created"]
    assert sorted(r[0] for r in db.execute("SELECT team FROM decisions WHERE urn = 'A1'")) == ["north", "south"]


@pytest.mark.parametrize("data,field,words", [
    ({"decision": "discontinued", "decision_date": "2025-01-02", "victim_category": "enhanced", "team": "n"},
     "urn", "is required"),
    ({**REGISTER[0], "decision": "dropped"}, "decision", "'dropped' is not one of"),
    ({**REGISTER[0], "decision_date": "2025-02-30"}, "decision_date", "not a real date"),
    ({**REGISTER[0], "decision_date": "1999-12-31"}, "decision_date", "is not between"),
    ({**REGISTER[0], "victim_category": None}, "victim_category", "is required"),
    ({**REGISTER[0], "bereaved": "maybe"}, "bereaved", "not true or false"),
    ({**REGISTER[0], "colour": "red"}, "colour", "unknown field"),
    ({**REGISTER[0], "suppress": []}, "suppress", "unknown field"),
    ({**REGISTER[0], "team": None}, "team", "is required"),
    ({**REGISTER[0], "team": 7}, "team", "must be text"),
    ({**REGISTER[0], "urn": "  "}, "urn", "is required"),
])
def test_validation_names_the_field(data, field, words):
    with pytest.raises(LetterError) as info:
        decisions.record_from_mapping(data)
    assert info.value.field == field
    assert words in info.value.message


def test_validation_names_every_wrong_field_at_once():
    with pytest.raises(LetterError) as info:
        decisions.record_from_mapping({"urn": " ", "decison": "discontinued", "decision_date": "2025-02-30",
                                       "victim_category": "vulnerable", "team": 7})
    assert info.value.details == [
        ("decison", f"unknown field (allowed: {', '.join(decisions.FIELDS)})"),
        ("decision_date", "'2025-02-30' is not a real date (use YYYY-MM-DD)"),
        ("victim_category", "'vulnerable' is not one of 'enhanced' or 'standard'"),
        ("team", "must be text"),
        ("urn", "is required for a decision"),
        ("decision", "is required for a decision"),
    ]
    assert info.value.field is None
    assert "field 'decison': unknown field" in str(info.value) and "field 'team': must be text" in str(info.value)


def test_working_days_left_and_late_are_never_negative(filled):
    rows = {r["urn"]: r for r in decisions.register(filled, today=TODAY)}
    got = {u: (r["status"], r["working_days_left"], r["working_days_late"]) for u, r in rows.items()}
    assert got == {
        "A1": ("sent_on_time", None, 0), "B1": ("sent_late", None, 2), "C1": ("overdue", 0, 2),
        "D1": ("due_today", 0, 0), "E1": ("due", 4, 0), "F1": ("due", 1, 0),
        "S1": ("overdue", 0, 8),
    }
    assert all(r["working_days"] == (r["working_days_left"] or 0) - r["working_days_late"]
               or r["status"] == "sent_on_time" for r in rows.values())


def test_record_from_mapping_fills_team_and_normalises():
    out = decisions.record_from_mapping({"urn": " 42AB1234524 ", "decision": "not_charged",
                                         "decision_date": "2025-01-02", "victim_category": "standard",
                                         "bereaved": "yes"}, team="east")
    # Only the fields given: what is left out keeps its registered value (review 9, item 1).
    assert out == {"urn": "42AB1234524", "decision": "not_charged", "decision_date": "2025-01-02",
                   "victim_category": "standard", "bereaved": True, "team": "east"}
    # null clears an optional detail; letter_required given brings its reason (or None) with it
    out = decisions.record_from_mapping({**REGISTER[0], "letter_date": None, "offence": None,
                                         "letter_required": True})
    assert (out["letter_date"], out["offence"], out["letter_required"], out["no_letter_reason"]) == (
        None, None, True, None)


FULL = rec("K1", "not_charged", "2024-12-19", "standard", victim_name="Mr Keep Me", bereaved=True,
           offence="homicide", letter_date="2024-12-20")


def test_registering_again_without_the_optional_fields_keeps_them(db):
    """Review 9, item 1: a second registration leaving out letter_date, victim_name, bereaved and
    offence erased them, and the sent case turned overdue."""
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(FULL)])
    bare = {k: FULL[k] for k in decisions.REQUIRED}
    changes: list = []
    assert [o for _, o in store.upsert_many(db, ACTOR, [decisions.record_from_mapping(bare)],
                                            changes=changes)] == ["unchanged"]
    assert changes == [[]]
    [row] = decisions.register(db, today=TODAY, urn="K1")
    assert (row["status"], row["sent_on"], row["victim_name"], row["bereaved"], row["offence"],
            row["letter_date"]) == ("sent_on_time", "2024-12-20", "Mr Keep Me", True, "homicide", "2024-12-20")
    # a field given changes it, and only it; the answer says which
    changes = []
    assert [o for _, o in store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        {**bare, "victim_name": "Mr K Me"})], changes=changes)] == ["updated"]
    assert changes == [["victim_name"]]
    [row] = decisions.register(db, today=TODAY, urn="K1")
    assert (row["victim_name"], row["letter_date"], row["offence"]) == ("Mr K Me", "2024-12-20", "homicide")
    # an explicit null (the API's way to clear) clears it
    changes = []
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping({**bare, "letter_date": None})], changes=changes)
    assert changes == [["letter_date"]]
    [row] = decisions.register(db, today=TODAY, urn="K1")
    assert (row["letter_date"], row["status"], row["victim_name"]) == (None, "overdue", "Mr K Me")


def test_a_decision_needing_no_letter_stays_so_when_registered_without_the_column(db):
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(NO_LETTER)])
    bare = {k: NO_LETTER[k] for k in decisions.REQUIRED}
    assert [o for _, o in store.upsert_many(db, ACTOR, [decisions.record_from_mapping(bare)])] == ["unchanged"]
    [row] = decisions.register(db, today=TODAY, urn=NO_LETTER["urn"])
    assert (row["status"], row["no_letter_reason"]) == ("not_required", NO_LETTER["no_letter_reason"])
    # saying a letter is needed after all clears the reason
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping({**bare, "letter_required": "yes"})])
    [row] = decisions.register(db, today=TODAY, urn=NO_LETTER["urn"])
    assert (row["status"], row["no_letter_reason"]) == ("overdue", None)


def test_a_case_reference_in_another_letter_case_keeps_the_stored_spelling(db):
    """Review 9, item 11: '90nr0000326' matched '90NR0000326' and rewrote it in lower case."""
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(rec("90NR0000326", "discontinued",
                                                                    "2024-12-19", "enhanced"))])
    outcome = store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        rec("90nr0000326", "discontinued", "2024-12-19", "enhanced"))])
    assert [o for _, o in outcome] == ["unchanged"]
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        rec("90nr0000326", "discontinued", "2024-12-19", "standard"))])
    assert db.execute("SELECT urn, victim_category FROM decisions").fetchall() == [("90NR0000326", "standard")]


NO_LETTER = {"urn": "77NL0000125", "decision": "discontinued", "decision_date": "2024-12-02",
             "victim_category": "enhanced", "team": "north", "letter_required": "no",
             "no_letter_reason": "The victim asked in writing not to be contacted again."}


def test_a_decision_needing_no_letter_is_never_missing_or_overdue(filled):
    store.upsert_many(filled, ACTOR, [decisions.record_from_mapping(NO_LETTER)])
    rows = {r["urn"]: r for r in decisions.register(filled, today=TODAY, team="north")}
    row = rows["77NL0000125"]
    assert (row["status"], row["working_days_left"], row["working_days_late"]) == ("not_required", None, 0)
    assert row["no_letter_reason"] == NO_LETTER["no_letter_reason"]
    assert "77NL0000125" not in {r["urn"] for r in decisions.digest(filled, today=TODAY, team="north")}
    # outside the rate: the December figures are as they were without it
    december = [r for r in decisions.timeliness_report(filled, today=TODAY, team="north")
                if r["month"] == "2024-12" and r["working_day_limit"] is None][0]
    assert (december["required"], december["not_required"], december["missing"], december["timeliness_rate"]) == (
        3, 1, 1, 33.3)
    # listed, with its reason, in the morning digest
    text = decisions.digest_text(decisions.digest_for(filled, today=TODAY, team="north"))
    assert "NO LETTER NEEDED (1" in text and "asked in writing not to be contacted" in text


def test_the_report_gives_the_rate_s_numerator_apart_from_letters_sent_early(filled):
    """A figures review: sent_on_time counts a letter sent early whose due date is still to come,
    so summing the report's rows to a rate (sent_on_time over due_before_today) gave 50% where
    the dashboard, rightly, gave 45%. on_time_of_due is the numerator the rate uses."""
    service.mark_sent(filled, ACTOR, filled.letter_ids["F1"], D(2025, 1, 6),  # due Tuesday 7 January
                      before_saved_reason="posted first, saved here afterwards to record it")
    january = [r for r in decisions.timeliness_report(filled, today=TODAY, team="north")
               if r["month"] == "2025-01" and r["working_day_limit"] is None][0]
    assert (january["sent_on_time"], january["due_before_today"], january["on_time_of_due"],
            january["timeliness_rate"]) == (1, 0, 0, None)
    for row in decisions.timeliness_report(filled, today=TODAY):
        assert row["on_time_of_due"] <= min(row["sent_on_time"], row["due_before_today"])
        assert row["timeliness_rate"] == (None if not row["due_before_today"] else
                                          half_up(row["on_time_of_due"], row["due_before_today"]))
    assert "on_time_of_due" in decisions.report_csv(decisions.timeliness_report(filled, today=TODAY)).splitlines()[0]


def test_a_letter_sent_anyway_for_a_decision_needing_none_keeps_it_out_of_the_rate(filled):
    """A review: a decision registered as needing no letter, then sent a courtesy letter a week
    on, became "sent late" (5 working days) and counted in the rate, against a deadline it never
    had; the December figures fell from 33.3% to 25%."""
    from vcl_qa.reports import timeliness

    before = timeliness.from_register(filled, today=TODAY)
    store.upsert_many(filled, ACTOR, [decisions.record_from_mapping(NO_LETTER)])
    sent = letter(filled, "77NL0000125", "discontinued", "2024-12-02", "enhanced", sent="2024-12-09")
    row = {r["urn"]: r for r in decisions.register(filled, today=TODAY, team="north")}["77NL0000125"]
    assert (row["status"], row["sent_on"], row["working_days_late"], row["working_days_left"]) == (
        "not_required", "2024-12-09", 0, None)
    assert row["letter_ids"] == [sent]
    december = [r for r in decisions.timeliness_report(filled, today=TODAY, team="north")
                if r["month"] == "2024-12" and r["working_day_limit"] is None][0]
    assert (december["required"], december["not_required"], december["sent_late"], december["timeliness_rate"]) == (
        3, 1, 1, 33.3)
    # the dashboard's figures as they were before the decision and its letter
    after = timeliness.from_register(filled, today=TODAY)
    assert (after.due, after.on_time, after.late, after.missing) == (before.due, before.on_time, before.late,
                                                                     before.missing)


@pytest.mark.parametrize("changes,field,words", [
    ({"no_letter_reason": None}, "no_letter_reason", "is required when letter_required is false"),
    ({"no_letter_reason": "asked"}, "no_letter_reason", "at least 10 characters"),
    ({"letter_required": "perhaps"}, "letter_required", "true or false"),
    ({"letter_required": True}, "no_letter_reason", "only when letter_required is false"),
])
def test_no_letter_needs_an_honest_reason(changes, field, words):
    with pytest.raises(LetterError) as err:
        decisions.record_from_mapping({**NO_LETTER, **changes})
    assert [(f, m) for f, m in err.value.details if f == field and words in m]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def teams_there(db, *teams):
    """Teams the service knows (a user each): the import refuses a row naming any other."""
    from vcl_qa.db.users import add_user

    for team in teams:
        add_user(db, f"{team} writer", "staff", team)


def test_import_csv_reports_rows_and_is_idempotent(db, tmp_path):
    teams_there(db, "north", "east")
    path = write(tmp_path / "register.csv",
                 "URN,decision,decision_date,victim_category,team,bereaved\n"
                 "A1,discontinued,2024-12-19,enhanced,north,false\n"
                 "B1,not_charged,2024-13-01,standard,north,\n"
                 "C1,stopped,2024-12-19,standard,north,\n"
                 "\n"
                 "D1,left_on_file,2024-12-19,enhanced,,\n"
                 "A1,discontinued,2024-12-19,enhanced,north,false\n"
                 "a1,discontinued,2024-12-20,enhanced,north,false\n"
                 "E1,charge_altered,2024-12-19,standard,north,,extra\n")
    report = decisions.import_csv(db, path)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert report.failed == [
        (3, "field 'decision_date': '2024-13-01' is not a real date (use YYYY-MM-DD)"),
        (4, "field 'decision': 'stopped' is not one of 'discontinued', 'no_evidence_offered', "
            "'charge_altered', 'not_charged' or 'left_on_file'"),
        (6, "field 'team': is required for a decision"),
        (8, "repeats the case reference and decision of row 2 with different values"),
        (9, "has more cells than the header has columns"),
    ]
    again = decisions.import_csv(db, path, team="east")  # --team fills the empty team cell
    assert (again.created, again.updated, again.unchanged) == (1, 0, 1)
    assert len(again.failed) == 4
    assert db.execute("SELECT team FROM decisions WHERE urn = 'D1'").fetchone()[0] == "east"


def test_import_csv_without_a_column_or_with_an_empty_cell_keeps_what_is_registered(db, tmp_path):
    """Review 9, item 1: a file with only the required columns (or an empty letter_date cell)
    erased the letter recorded as sent: the entry turned overdue, 229 working days late."""
    teams_there(db, "north")
    full = write(tmp_path / "full.csv", "urn,decision,decision_date,victim_category,team,victim_name,"
                                        "bereaved,offence,letter_date\n"
                                        "K1,not_charged,2024-12-19,standard,north,Mr Keep Me,yes,homicide,2024-12-20\n")
    assert decisions.import_csv(db, full).created == 1
    partial = write(tmp_path / "partial.csv", "urn,decision,decision_date,victim_category,team\n"
                                              "k1,not_charged,2024-12-19,standard,north\n")
    report = decisions.import_csv(db, partial)
    assert (report.created, report.updated, report.unchanged, report.changed) == (0, 0, 1, {})
    empty = write(tmp_path / "empty.csv", "urn,decision,decision_date,victim_category,team,victim_name,"
                                          "bereaved,offence,letter_date\n"
                                          "K1,not_charged,2024-12-19,enhanced,north,,,,\n")
    report = decisions.import_csv(db, empty)
    assert (report.updated, report.changed) == (1, {"victim_category": 1})
    assert report.summary() == "Registered 0 new, updated 1, unchanged 0, failed 0. Changed: victim_category (1)."
    [row] = decisions.register(db, today=TODAY, urn="K1")
    assert (row["urn"], row["status"], row["letter_date"], row["victim_name"], row["bereaved"], row["offence"]) == (
        "K1", "sent_on_time", "2024-12-20", "Mr Keep Me", True, "homicide")
    assert decisions.digest(db, today=TODAY, team="north") == []


def test_import_csv_row_lists_every_problem(db, tmp_path):
    teams_there(db, "north")
    path = write(tmp_path / "register.csv", "urn,decision,decision_date,victim_category,team\n"
                                            "A1,stopped,2024-13-01,vulnerable,north\n")
    report = decisions.import_csv(db, path)
    assert report.failed == [(2, "field 'decision': 'stopped' is not one of 'discontinued', "
                                 "'no_evidence_offered', 'charge_altered', 'not_charged' or 'left_on_file'; "
                                 "field 'decision_date': '2024-13-01' is not a real date (use YYYY-MM-DD); "
                                 "field 'victim_category': 'vulnerable' is not one of 'enhanced' or 'standard'")]


def test_import_csv_header_lists_every_problem(db, tmp_path):
    with pytest.raises(LetterError) as info:
        decisions.import_csv(db, write(tmp_path / "bad.csv", "urn,decison,when,victim_category\n"))
    assert [m.split(" (")[0] for _, m in info.value.details] == [
        "unknown columns 'decison' and 'when'", "missing columns 'decision', 'decision_date' and 'team'"]


@pytest.mark.parametrize("text,words", [
    ("", "the file is empty"),
    ("urn,decision,decision_date,victim_category,team,colour\n", "unknown column 'colour'"),
    ("urn,decision,victim_category,team\n", "missing column 'decision_date'"),
    ("urn,decision,decision_date,victim_category\n", "missing column 'team'"),
])
def test_import_csv_unusable_files(db, tmp_path, text, words):
    with pytest.raises(LetterError) as info:
        decisions.import_csv(db, write(tmp_path / "bad.csv", text))
    assert words in info.value.message


def test_sample_register_links_every_sample_letter(db):
    from vcl_qa import Letter
    from vcl_qa.letters.bulk import import_folder

    # Counted from the files, not written out: the samples grow.
    folder = decisions.SAMPLE_CSV.parent
    letters = sorted(folder.glob("*.txt"))
    cases = {(Letter.from_file(p).context.urn, Letter.from_file(p).context.decision) for p in letters}
    register = list(csv.DictReader(decisions.SAMPLE_CSV.open(encoding="utf-8")))
    without_letter = [r for r in register if (r["urn"], r["decision"]) not in cases]
    report = decisions.import_sample(db)
    assert (report.created, report.failed) == (len(register), [])
    imported = import_folder(db, folder, "demo", sent=True)
    assert len(imported.stored) == len(letters) >= 40
    # Every sample letter is linked but those checked without their decision (samples 42 and
    # 45: no case can be matched without knowing what was decided), which stay unlinked, as
    # they should.
    undecided = [p for p in letters if Letter.from_file(p).context.decision is None]
    assert len(undecided) == 2 and decisions.unlinked_letters(db)[1] == len(undecided)
    rows = decisions.register(db, today=D(2026, 1, 12))
    counts = {s: sum(1 for r in rows if r["status"] == s)
              for s in ("due", "due_today", "overdue", "sent_on_time", "sent_late")}
    # Late by the register exactly when the engine finds the sample letter late.
    expected = yaml.safe_load((folder / "expected.yml").read_text())
    late_files = {name for name, rules in expected.items() if "timeliness.late" in rules}
    late_letters = {r["id"] for r in filled_rows(db) if r["source"] in late_files}
    assert {i for r in rows if r["status"] == "sent_late" for i in r["letter_ids"]} == late_letters
    assert len(late_letters) == len(late_files) == 4
    assert len(without_letter) == 11  # decisions with no letter yet: overdue by now
    assert counts == {"due": 0, "due_today": 0, "overdue": 11,
                      "sent_on_time": len(register) - 11 - 4, "sent_late": 4}


def filled_rows(db):
    return list(db.query("SELECT id, source FROM letters"))


def test_extra_closure_day_moves_due_dates(filled, tmp_path, monkeypatch):
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    cal = yaml.safe_load((copy / "calendar.yml").read_text(encoding="utf-8"))
    cal["extra_non_working_days"] = ["2025-01-06"]
    (copy / "calendar.yml").write_text(yaml.safe_dump(cal), encoding="utf-8")
    monkeypatch.setenv("VCL_QA_RULES", str(copy))
    load_calendar.cache_clear()
    try:
        row = decisions.register(filled, today=TODAY, urn="D1")[0]
        assert (row["due_date"], row["status"], row["working_days"]) == ("2025-01-07", "due", 1)
    finally:
        load_calendar.cache_clear()


def test_import_csv_refuses_a_column_given_twice(db, tmp_path):
    """A review: "victim_category,Victim_Category" took the second column's cells and dropped the
    first's, unsaid. Names are compared as the header is read: case and spaces aside."""
    teams_there(db, "north")
    path = write(tmp_path / "twice.csv", "urn,decision,decision_date,victim_category, Victim_Category ,team\n"
                                         "A1,discontinued,2024-12-02,standard,enhanced,north\n")
    with pytest.raises(LetterError) as info:
        decisions.import_csv(db, path)
    assert [m for _, m in info.value.details] == [
        "column 'victim_category' is given twice, as columns 4 ('victim_category') and 5 (' Victim_Category '): "
        "keep only the one you mean"]
    assert db.execute("SELECT count(*) FROM decisions").fetchone() == (0,)


def test_a_letter_sent_before_a_decision_needing_no_letter_is_not_said_to_be_missing(db):
    """The note on a letter sent before its decision said "(it is not counted as sent)" on a
    decision registered as needing no letter, as if one were missing."""
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        {**NO_LETTER, "urn": "N1", "decision_date": "2024-12-31"})])
    letter(db, "N1", "discontinued", "2024-12-20", "enhanced", sent="2024-12-23")
    [row] = decisions.register(db, today=TODAY, urn="N1")
    assert row["status"] == "not_required"
    assert row["letter_warning"] == ("a letter was sent on Monday 23 December 2024, before this decision "
                                     "(Tuesday 31 December 2024): check it belongs to this decision "
                                     "(this decision needs no letter, so none is counted)")
