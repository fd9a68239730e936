"""Search finds a word however its letters were typed (vcl_qa/db/search.py).

A letter pasted from a PDF has "fi" and "ffi" as one character each ("Mrs Griﬃths",
"conﬁdential"); text from some systems has full-width letters, a soft hyphen or a zero-width
space inside a word. The search index held those words as typed, so "Griffiths" did not find
the letter. Real SQLite files throughout; the purge and the migration for letters stored before
are checked on the file itself."""
from __future__ import annotations

from vcl_qa.db.connection import open_db
from vcl_qa.db.migrations import migrate
from vcl_qa.db.search import PLAIN_TABLE, plain_for_search
from vcl_qa.letters import service, store
from vcl_qa.letters.bulk import Actor, purge
from vcl_qa.letters.store import list_letters

CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "enhanced", "victim_name": "Mrs Ann Griffiths", "urn": "42AB1234524"}

PDF = ("Private - to be opened by addressee only\n\nDear Mrs Griﬃths\n\n"  # ffi as one character
       "We have decided to stop the case against Mr Lane. The ｃｏｎｆｉｄｅｎｔｉａｌ report from the "
       "hospital did not show when the injury happened. You can ask for a re\u00adview of this deci\u200bsion.\n\n"
       "Yours sincerely\n\nSam Patel\n")
PLAIN = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case. "
         "The witness could not be found.\n\nYours sincerely\n\nSam Patel\n")


def _found(db, q: str) -> list[int]:
    return [r["id"] for r in list_letters(db, q=q)[0]]


def _stored(tmp_path):
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    pdf = service.submit(db, Actor("writer"), PDF, CTX, team="north")["id"]
    plain = service.submit(db, Actor("writer"), PLAIN, {**CTX, "victim_name": "Ms Jane Okafor"}, team="north")["id"]
    return db, pdf, plain


def test_plain_for_search_reads_compatibility_forms_and_leaves_out_what_nobody_sees():
    assert plain_for_search("Mrs Griﬃths") == "Mrs Griffiths"
    assert plain_for_search("ｏｆｆｉｃｅｒ re\u00adview deci\u200bsion") == "officer review decision"
    # nothing to add where search reads the text as it is: ASCII, or accents and curly quotes only
    assert plain_for_search("Dear Ms Okafor") is None
    assert plain_for_search("Dear Ms O’Neill, Zoë") is None
    assert plain_for_search("") is None and plain_for_search(None) is None


def test_a_letter_pasted_from_a_pdf_is_found_by_its_words_typed_plainly(tmp_path):
    db, pdf, plain = _stored(tmp_path)
    assert _found(db, "Griffiths") == [pdf]  # the ligature, before: no letter found
    assert _found(db, "confidential hospital") == [pdf]  # full-width, with a plain word of the same letter
    assert _found(db, "review") == [pdf] and _found(db, "decision") == [pdf]  # soft hyphen, zero-width space
    assert _found(db, "reviewed") == [pdf]  # the index's stemming still applies
    # words typed in those forms find the plain letter too, and plain words it as before
    assert _found(db, "Ｏｋａｆｏｒ") == [plain]
    assert _found(db, "Griﬃths") == [pdf]
    assert _found(db, "witness") == [plain]
    assert _found(db, "Griffiths witness") == []  # every word in one letter, as before
    # a word split by a soft hyphen or a zero-width space is no two words: "re", "view", "deci"
    # found the letter, as the index of the stored text splits there
    assert _found(db, "view") == [] and _found(db, "deci") == [] and _found(db, "sion") == []
    # only the letter that reads differently has a row of its own
    assert db.execute(f"SELECT rowid FROM {PLAIN_TABLE}").fetchall() == [
        (db.execute("SELECT id FROM versions WHERE letter_id = ?", [pdf]).fetchone()[0],)]


def test_search_reads_the_latest_version_only_in_both_indexes(tmp_path):
    db, pdf, _ = _stored(tmp_path)
    service.submit(db, Actor("writer"), PDF.replace("Griﬃths", "Grant"), {**CTX, "victim_name": "Mrs Ann Grant"},
                   letter_id=pdf)
    assert _found(db, "Griffiths") == []
    assert _found(db, "Grant confidential") == [pdf]


def test_purge_and_delete_take_the_plain_text_out_of_the_file(tmp_path):
    db, pdf, plain = _stored(tmp_path)
    db.execute("UPDATE letters SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", [pdf])
    db.conn.commit()
    assert purge(db, 365) == [pdf]
    from vcl_qa.ops.retention import scrub

    scrub(db)
    assert _found(db, "Griffiths") == [] and _found(db, "confidential") == []
    assert db.execute(f"SELECT count(*) FROM {PLAIN_TABLE}").fetchone()[0] == 0
    dump = "\n".join(db.conn.iterdump())
    assert "Griffiths" not in dump and "Griﬃths" not in dump and "hospital" not in dump
    # a deleted letter's row goes with its versions
    other = service.submit(db, Actor("writer"), PDF, CTX, team="north")["id"]
    assert _found(db, "Griffiths") == [other]
    store.delete(db, Actor("admin"), other)
    assert db.execute(f"SELECT count(*) FROM {PLAIN_TABLE}").fetchone()[0] == 0
    assert _found(db, "witness") == [plain]


def test_the_migration_indexes_letters_stored_before_it(tmp_path):
    db, pdf, plain = _stored(tmp_path)
    # the release before: no index of plain texts
    db.execute(f"DROP TABLE {PLAIN_TABLE}")
    db.execute(f"DROP TRIGGER {PLAIN_TABLE}_ad")
    db.execute(f"DROP TRIGGER {PLAIN_TABLE}_au")
    db.execute("DELETE FROM _sqlite_migrations WHERE migration_set = 'core' AND name = '0012_search_plain'")
    db.conn.commit()
    assert f"{PLAIN_TABLE}_ad" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    db = open_db(tmp_path / "vcl_qa.db")
    assert "core:0012_search_plain" in migrate(db)
    assert _found(db, "Griffiths") == [pdf] and _found(db, "witness") == [plain]
    assert migrate(db) == []  # once
