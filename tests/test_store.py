"""The SQLite store: migrations, WAL, letters and versions, transactions, search, rescore."""
from __future__ import annotations

import json

import pytest
from sqlite_utils.migrations import Migrations

from vcl_qa.errors import LetterError
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service
from vcl_qa.letters import store as letters
from vcl_qa.db import migrations as migrate_module
from vcl_qa.letters.bulk import Actor

TEXT = "Dear Ms Okafor\nWe have decided to stop the case against Lee Barker.\n"
CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
WHO = Actor("test")


# `db`: a fresh migrated database (tests/conftest.py)


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_open_db_uses_wal_and_migrations_run_once(tmp_path):
    db = open_db(tmp_path / "new" / "x.db")
    assert db.journal_mode == "wal"
    applied = migrate(db)
    assert applied[0] == "core:0001_core"
    assert len(applied) == len(set(applied))
    assert migrate(db) == []
    assert {"letters", "versions", "results", "findings", "suppressions", "users", "audit_log",
            "versions_fts"} <= set(db.table_names())


def test_another_area_registers_its_own_migrations(tmp_path, monkeypatch):
    import types

    module = types.ModuleType("area_for_test")
    module.migrations = Migrations("area_for_test")

    @module.migrations(name="0001_things")
    def things(db):
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, letter_id INTEGER REFERENCES letters(id))")

    sets = migrate_module.migration_sets()
    monkeypatch.setattr(migrate_module, "migration_sets", lambda: [*sets, module.migrations])
    db = open_db(tmp_path / "x.db")
    applied = migrate(db)
    assert (applied[0], applied[-1]) == ("core:0001_core", "area_for_test:0001_things")
    assert "things" in db.table_names()


def test_a_failing_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    import types

    module = types.ModuleType("broken_area")
    module.migrations = Migrations("broken_area")

    @module.migrations(name="0001_half")
    def half(db):
        db.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("boom")

    sets = migrate_module.migration_sets()
    monkeypatch.setattr(migrate_module, "migration_sets", lambda: [*sets, module.migrations])
    db = open_db(tmp_path / "x.db")
    with pytest.raises(RuntimeError):
        migrate(db)
    assert "half_done" not in db.table_names()
    assert "letters" in db.table_names()


def test_submit_stores_letter_version_result_and_findings(db):
    out = service.submit(db, WHO, TEXT, CTX, team="north")
    assert (out["id"], out["version"]) == (1, 1)
    row = next(db.query("SELECT * FROM letters"))
    assert (row["team"], row["status"], row["urn"], row["latest_version"]) == ("north", "draft", "42AB1234524", 1)
    version = next(db.query("SELECT * FROM versions"))
    assert version["text"] == TEXT
    assert json.loads(version["context"])["victim_name"] == "Ms Jane Okafor"
    result = next(db.query("SELECT * FROM results"))
    assert json.loads(result["result"]) == out["result"]
    assert count(db, "findings") == len(out["result"]["findings"])


def test_invalid_context_writes_nothing(db):
    with pytest.raises(LetterError) as exc:
        service.submit(db, WHO, TEXT, {**CTX, "offence": "speeding"}, team="north")
    assert exc.value.field == "offence"
    assert count(db, "letters") == 0
    assert count(db, "versions") == 0


def test_a_failure_inside_the_write_rolls_back_everything(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(letters, "_update_letter", broken)
    with pytest.raises(RuntimeError):
        service.submit(db, WHO, TEXT, CTX, team="north")
    assert [count(db, t) for t in ("letters", "versions", "results", "audit_log")] == [0, 0, 0, 0]


def test_new_version_inherits_context_and_numbering(db):
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    second = service.submit(db, WHO, TEXT + "Yours sincerely\n", {"letter_date": "2024-12-23"},
                            letter_id=first["id"])
    assert second["version"] == 2
    letter = letters.get_letter(db, first["id"])
    assert letter["context"]["victim_name"] == "Ms Jane Okafor"
    assert letter["letter_date"] == "2024-12-23"
    assert [v["version"] for v in letter["versions"]] == [1, 2]


def test_sent_letter_rejects_versions_and_second_send(db):
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    service.mark_sent(db, WHO, first["id"], before_saved_reason="posted first, saved here afterwards to record it")
    with pytest.raises(letters.Conflict):
        service.submit(db, WHO, TEXT, {}, letter_id=first["id"])
    with pytest.raises(letters.Conflict):
        service.mark_sent(db, WHO, first["id"])


def test_a_sent_letters_marks_cannot_change(db):
    """Found in a staff review: a finding of a sent letter could still be marked "not a problem"
    (the stored score went from 66 to 69) or restored, changing what the dashboard counted."""
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    mark = service.suppress(db, WHO, first["id"], "content.support", "named in the leaflet sent with it")
    service.mark_sent(db, WHO, first["id"], before_saved_reason="posted first, saved here afterwards to record it")
    before = letters.get_letter(db, first["id"])
    results = count(db, "results")
    with pytest.raises(letters.Conflict, match=r"was sent on Friday 20 December 2024; its findings and marks cannot change"):
        service.suppress(db, WHO, first["id"], "content.vrr", "the review right is in the leaflet")
    with pytest.raises(letters.Conflict, match="undo 'sent' first"):
        service.unsuppress(db, WHO, first["id"], mark["id"])
    after = letters.get_letter(db, first["id"])
    assert (after["score"], after["suppressions"], count(db, "results")) == (before["score"], before["suppressions"], results)
    from types import SimpleNamespace

    service.undo_sent(db, SimpleNamespace(name="manager", id=None, role="manager"), first["id"])  # a draft again
    assert service.unsuppress(db, WHO, first["id"], mark["id"])["restored"]


def test_delete_removes_every_row_of_the_letter(db):
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    service.suppress(db, WHO, first["id"], "content.support", "named in the leaflet sent with it")
    letters.delete(db, WHO, first["id"])
    assert [count(db, t) for t in ("letters", "versions", "results", "findings", "suppressions")] == [0] * 5
    with pytest.raises(letters.NotFound):
        letters.get_letter(db, first["id"])


def test_rescore_keeps_old_results(db, monkeypatch):
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    assert service.rescore(db, first["id"]) is None  # same rules_version: nothing to do
    from vcl_qa.engine.run import score_letter as real

    def newer_rules(letter):
        result = real(letter)
        return result.model_copy(update={"rules_version": result.rules_version + "-next"})

    monkeypatch.setattr(service.engine, "score_letter", newer_rules)
    again = service.rescore(db, first["id"])
    assert again["rules_version"].endswith("-next")
    versions = [r[0] for r in db.execute("SELECT rules_version FROM results ORDER BY id").fetchall()]
    assert len(versions) == 2 and versions[1].endswith("-next")
    assert letters.get_letter(db, first["id"])["rules_version"].endswith("-next")


def test_search_is_full_text_over_latest_version(db):
    a = service.submit(db, WHO, "Dear Ms Okafor\nThe cameras recorded over the film.\n", CTX, team="north")
    service.submit(db, WHO, "Dear Mr Nowak\nThe witness moved away.\n", CTX, team="south")
    rows, n = letters.list_letters(db, q="camera")  # porter stemming: camera ~ cameras
    assert (n, [r["id"] for r in rows]) == (1, [a["id"]])
    assert letters.list_letters(db, q="witness", team="north")[1] == 0
    assert letters.list_letters(db, q='"unbalanced')[1] == 0


def test_compare_matches_findings_by_rule_and_words(db, monkeypatch):
    first = service.submit(db, WHO, TEXT, CTX, team="north")
    service.submit(db, WHO, TEXT, {}, letter_id=first["id"])
    # Put known findings in the two stored results, as the engine would.
    def finding(rule, text):
        return {"rule": rule, "dimension": rule.split(".")[0], "severity": "warning", "message": "m",
                "text": text, "suppressed": False}

    rows = db.execute("SELECT id, result FROM results ORDER BY id").fetchall()
    for (rid, res), found in zip(rows, ([finding("readability.jargon", "discontinue"),
                                         finding("empathy.cold", "please note")],
                                        [finding("empathy.cold", "please note"),
                                         finding("content.vrr", None)])):
        data = json.loads(res)
        data["findings"] = found
        db.execute("UPDATE results SET result = ? WHERE id = ?", [json.dumps(data), rid])
    diff = letters.compare(db, first["id"], 1, 2)
    assert [f["rule"] for f in diff["fixed"]] == ["readability.jargon"]
    assert [f["rule"] for f in diff["new"]] == ["content.vrr"]
    assert [f["rule"] for f in diff["unchanged"]] == ["empathy.cold"]


def test_concurrent_writers_from_threads_all_land(tmp_path):
    import threading

    path = tmp_path / "c.db"
    setup = open_db(path)
    migrate(setup)
    setup.close()
    errors = []

    def worker(n):
        db = open_db(path)
        try:
            for i in range(10):
                service.submit(db, WHO, f"Dear Ms Okafor\nLetter {n}-{i}.\n", {}, team="north")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = open_db(path)
    assert errors == []
    assert count(db, "letters") == 60
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_findings_are_found_by_letter_through_an_index(tmp_path):
    db = open_db(tmp_path / "i.db")
    migrate(db)
    plan = " ".join(str(r[-1]) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM findings WHERE letter_id = ?", [1]).fetchall())
    assert "findings_letter" in plan
