"""Full-text search that finds a word however its letters were typed.

The search index (`versions_fts`, kept in step with `versions` by triggers) reads each version's
text as stored. A letter pasted from a PDF often has its "fi" and "ffi" as one character each
(the ligatures U+FB01, U+FB03: "Mrs Griﬃths", "conﬁdential"), and text from some systems has
full-width letters ("ｏｆｆｉｃｅｒ"), a soft hyphen or a zero-width space inside a word: the
index holds those words as typed, so a search for "Griffiths" did not find the letter, though
the checks and the panel read it as plain letters (engine/invisible.py).

`versions_plain_fts` holds, for each version whose text reads differently so, the text as
search reads it (`plain_for_search`: compatibility forms as plain letters, Unicode's NFKC, and
characters nobody sees left out); a search looks in both indexes, with the words searched for
read the same way. Most letters (plain ASCII, or accents and curly quotes only) have no row
there. Rows are added where a version is stored (letters/store.py) and by migration 0012 for
versions stored before; triggers take a version's row out when the version is deleted (a
letter deleted) or its text changed in place (a purge empties it), and `scrub` rewrites this
index too, so no purged word stays in the file. Without the engine: the stores never import it.
"""
from __future__ import annotations

import unicodedata

from sqlite_utils import Database

PLAIN_TABLE = "versions_plain_fts"


def plain_for_search(text: str | None) -> str | None:
    """The text as search reads it, or None where that is the text itself (every ASCII text).
    Compatibility forms read as the letters they stand for (NFKC: "ﬃ" is "ffi", "Ｏ" is "O"),
    and format characters nobody sees (soft hyphen, zero-width space, direction marks, a
    byte-order mark) left out, so that "con\\u00adfidential" is one word."""
    if not text or text.isascii():
        return None
    plain = unicodedata.normalize("NFKC", text)
    if not plain.isascii():
        plain = "".join(c for c in plain if unicodedata.category(c) != "Cf")
    return None if plain == text else plain


def search_words(q: str) -> str:
    """A search's words read as `plain_for_search` reads letters ("ｏｆｆｉｃｅｒ" is "officer")."""
    return plain_for_search(q) or q


def create_plain_index(db: Database) -> None:
    """The table of plain texts and the triggers that keep it from outliving its version."""
    db.execute(f"CREATE VIRTUAL TABLE {PLAIN_TABLE} USING fts5(text, tokenize='porter')")
    db.execute(f"CREATE TRIGGER {PLAIN_TABLE}_ad AFTER DELETE ON versions BEGIN"
               f" DELETE FROM {PLAIN_TABLE} WHERE rowid = old.id; END")
    db.execute(f"CREATE TRIGGER {PLAIN_TABLE}_au AFTER UPDATE OF text ON versions BEGIN"
               f" DELETE FROM {PLAIN_TABLE} WHERE rowid = old.id; END")


def index_version(db: Database, version_id: int, text: str | None) -> bool:
    """Add the version's plain text to the search, where it reads differently from the text
    (in the caller's transaction). Whether a row was added."""
    plain = plain_for_search(text)
    if plain is None:
        return False
    db.execute(f"INSERT OR REPLACE INTO {PLAIN_TABLE} (rowid, text) VALUES (?, ?)", [version_id, plain])
    return True


def index_stored_versions(db: Database) -> int:
    """Every stored version's plain text added (migration 0012); how many were added."""
    added = 0
    rows = db.execute("SELECT id, text FROM versions WHERE text IS NOT NULL AND text != ''")
    while batch := rows.fetchmany(500):
        for version_id, text in batch:
            added += index_version(db, version_id, text)
    return added
