"""Registering a decision looks its case up by index: the work for a record does not grow with
the team's register (review 10b, finding 5: with `urn = ? OR urn_key = ?` in one query, SQLite
read every entry of the team for each record; a batch of 1,000 into a register of 30,000 held
the write lock for 100 s, and letters were refused with 503 meanwhile).

The work is counted in SQLite's own steps (a progress handler on the real database file), not
timed, so the test says the same on a busy machine. bench/bench_decisions.py prints the times.
"""
from __future__ import annotations

from vcl_qa.db.connection import now
from vcl_qa.decisions import store
from vcl_qa.letters.bulk import Actor

ACTOR = Actor("test")  # `db`: the shared fresh database fixture (tests/conftest.py)


def _fill(db, team: str, entries: int, start: int = 0) -> None:
    """`entries` registered decisions for `team`, written straight into the table (as the
    register holds them: urn_key is the reference's pseudonym)."""
    stamp = now()
    db.conn.executemany(
        "INSERT INTO decisions (urn, decision, decision_date, victim_category, team, urn_key,"
        " created_at, updated_at) VALUES (?, 'discontinued', '2025-03-10', 'standard', ?, ?, ?, ?)",
        [(f"77ZZ{i:07d}", team, store.case_pseudonym(f"77ZZ{i:07d}"), stamp, stamp)
         for i in range(start, start + entries)])
    db.conn.commit()


def _records(team: str, start: int, count: int, **extra) -> list[dict]:
    return [{"urn": f"77ZZ{start + i:07d}", "decision": "discontinued", "decision_date": "2025-03-10",
             "victim_category": "standard", "team": team, **extra} for i in range(count)]


def _steps(db, work) -> int:
    """SQLite's virtual-machine steps taken by `work()` (counted in hundreds)."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 100)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 0)
    return ticks[0] * 100


def test_a_batch_costs_the_same_in_a_small_and_a_large_register(db):
    _fill(db, "small", 200)
    _fill(db, "large", 20_000, start=1_000_000)
    batches = {  # team -> the first reference of its new records, and of records already there
        "small": (500_000, 0),
        "large": (2_000_000, 1_000_000),
    }
    work = {}
    for team, (new, old) in batches.items():
        created = _records(team, new, 100)
        updated = _records(team, old, 100, letter_date="2025-03-12")
        work[team] = {
            "created": _steps(db, lambda records=created: store.upsert_many(db, ACTOR, records)),
            "unchanged": _steps(db, lambda records=created: store.upsert_many(db, ACTOR, records)),
            "updated": _steps(db, lambda records=updated: store.upsert_many(db, ACTOR, records)),
        }
    for outcome in ("created", "unchanged", "updated"):
        small, large = work["small"][outcome], work["large"][outcome]
        # before: a register 100 times as large took about 40 times the steps for each record
        assert large < 1.5 * small + 5_000, (outcome, small, large)


def _insert(db, urn: str, key: str, **extra) -> int:
    columns = {"urn": urn, "decision": "discontinued", "decision_date": "2025-03-10",
               "victim_category": "standard", "team": "north", "urn_key": key, "created_at": now(),
               "updated_at": now(), **extra}
    cur = db.conn.execute(f"INSERT INTO decisions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                          list(columns.values()))
    db.conn.commit()
    return cur.lastrowid


def test_the_entry_with_the_reference_comes_before_a_purged_entry_of_the_same_case(db):
    """The look-up is two queries now; which entry a record updates is as before: the entry
    with its case reference (any letter case), else the first purged entry of the same case."""
    key = store.case_pseudonym("AB12345")
    _insert(db, key, key, letter_date="2025-03-12")  # purged, and older (a lower id)
    live = _insert(db, "AB12345", key)
    [(got, outcome)] = store.upsert_many(db, ACTOR, [{**_records("north", 0, 1)[0], "urn": "ab12345",
                                                      "offence": "theft"}])
    assert (got, outcome) == (live, "updated")
    assert db.execute("SELECT urn, offence FROM decisions WHERE id = ?", [live]).fetchone() == ("AB12345", "theft")


def test_a_purged_entry_is_found_by_its_pseudonym_the_first_of_several(db):
    key = store.case_pseudonym("CD67890")
    first = _insert(db, key, key, letter_date="2025-03-12")
    _insert(db, key + "-b", key, letter_date="2025-03-12")  # the same pseudonym, a later id
    [(got, _)] = store.upsert_many(db, ACTOR, [{**_records("north", 0, 1)[0], "urn": "cd67890"}])
    assert got == first
