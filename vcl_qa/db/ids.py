"""An id, once handed out, is never handed out again: not after a delete, not after a restore.

Other systems keep our ids (the case system keeps letter 735). SQLite gives a table whose key is
`id INTEGER PRIMARY KEY` the highest id in the table plus one, so an id comes back when the
newest row is deleted, and every id issued since a backup comes back once that backup is
restored. Two things stop it:

- every table with an integer id is made `AUTOINCREMENT` (`ensure`, run by `migrate()` after
  every area's migrations, so a table added later is covered too): SQLite then keeps the
  highest id ever issued in `sqlite_sequence` and never goes below it;
- a restore reads the highest ids the database it replaces had issued (`high_water`) and
  raises the restored database's counters above them (`keep_above`), keeping the marks in
  `ids_issued` so that a migration that rebuilds a table (dropping its counter) cannot
  lower them again.

A table is made AUTOINCREMENT by SQLite's own procedure for schema changes (a new table with the
new definition, the rows copied with their ids, the old table dropped, the new one renamed, its
indexes and triggers made again), with foreign keys off and in one transaction: the ids, and so
every reference to them and the search index keyed by them, are unchanged. The old table's
pages are zeroed as it is dropped (secure_delete), so no stale copy of a letter's text is left
in the file to outlive its purge. About 4 s for 30,000 letters (a 380 MB file), once.

These functions take a plain `sqlite3.Connection` and do not lock: the caller holds the writers'
lock (`migrate()` through `write_tx`, a restore its own hold on it).
"""
from __future__ import annotations

import re
import sqlite3

MARKS_TABLE = "ids_issued"
_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)
_CREATE = re.compile(r'^\s*CREATE\s+TABLE\s+(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[^\s(]+)', re.IGNORECASE)
NOT_IDS = {"_sqlite_migrations"}  # sqlite-utils' own bookkeeping, never shown to anyone


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def id_tables(conn: sqlite3.Connection) -> dict[str, str]:
    """Each ordinary table whose key is one INTEGER column (SQLite's rowid), with that column's
    name. Virtual tables and their shadow tables (the search index) are left out."""
    out = {}
    for (name,) in conn.execute(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall():
        if name in NOT_IDS:
            continue
        keys = [(col, (decl or "").upper()) for _, col, decl, _, _, pk in
                conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall() if pk]
        if len(keys) == 1 and keys[0][1] == "INTEGER":
            out[name] = keys[0][0]
    return out


def _table_sql(conn: sqlite3.Connection, name: str) -> str:
    return conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [name]).fetchone()[0]


def without_autoincrement(conn: sqlite3.Connection) -> list[str]:
    """The tables with an integer id that SQLite may hand out again."""
    return [t for t in id_tables(conn) if not _AUTOINCREMENT.search(_table_sql(conn, t))]


def _sequences(conn: sqlite3.Connection) -> dict[str, int]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return {}
    return {n: s for n, s in conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall() if s is not None}


def needed(conn: sqlite3.Connection) -> bool:
    """Whether `ensure` has anything to do (a read: cheap enough for every start)."""
    tables = id_tables(conn)
    return bool(_convertible(conn, tables)) or _behind(conn, tables)


def _convertible(conn: sqlite3.Connection, tables: dict[str, str]) -> list[str]:
    """The tables without AUTOINCREMENT whose key is declared so that it can be added."""
    return [t for t in without_autoincrement(conn) if _key_declared(tables[t]).search(_table_sql(conn, t))]


def _marks(conn: sqlite3.Connection) -> dict[str, int]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [MARKS_TABLE]).fetchone():
        return {}
    return dict(conn.execute(f"SELECT name, highest FROM {MARKS_TABLE}").fetchall())


def high_water(conn: sqlite3.Connection) -> dict[str, int]:
    """For each table with an integer id: the highest id this database has handed out, as far
    as it can tell (its highest row, its AUTOINCREMENT counter, the marks a restore left)."""
    seqs, marks = _sequences(conn), _marks(conn)
    out = {}
    for table, key in id_tables(conn).items():
        top = conn.execute(f"SELECT max({_quote(key)}) FROM {_quote(table)}").fetchone()[0] or 0
        out[table] = max(top, seqs.get(table, 0), marks.get(table, 0))
    for table, mark in marks.items():  # a table this release no longer has keeps its mark
        out.setdefault(table, mark)
    return {t: n for t, n in out.items() if n}


def _key_declared(key: str) -> re.Pattern:
    """`KEY INTEGER PRIMARY KEY` in a table's definition (the column constraint AUTOINCREMENT
    goes after)."""
    name = re.escape(key)
    return re.compile(r'((?:"' + name + r'"|`' + name + r'`|\[' + name + r'\]|\b' + name
                      + r'\b)\s+INTEGER\s+PRIMARY\s+KEY(?:\s+(?:ASC|DESC))?)', re.IGNORECASE)


def _make_autoincrement(conn: sqlite3.Connection, table: str, key: str) -> bool:
    sql = _table_sql(conn, table)
    pattern = _key_declared(key)
    if not pattern.search(sql):
        return False  # declared some other way (a table constraint): left as it is, not guessed at
    temp = f"{table}__ids_kept"
    new_sql = _CREATE.sub(f"CREATE TABLE {_quote(temp)}", pattern.sub(r"\1 AUTOINCREMENT", sql, count=1), count=1)
    others = [s for (s,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type, name", [table]).fetchall()]
    columns = ", ".join(_quote(r[1]) for r in conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall())
    before = conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
    conn.execute(f"DROP TABLE IF EXISTS {_quote(temp)}")
    conn.execute(new_sql)
    conn.execute(f"INSERT INTO {_quote(temp)} ({columns}) SELECT {columns} FROM {_quote(table)}")
    if conn.execute(f"SELECT count(*) FROM {_quote(temp)}").fetchone()[0] != before:
        raise RuntimeError(f"Copying table {table} lost rows")
    conn.execute(f"DROP TABLE {_quote(table)}")
    conn.execute(f"ALTER TABLE {_quote(temp)} RENAME TO {_quote(table)}")
    for statement in others:
        conn.execute(statement)
    return True


def ensure(conn: sqlite3.Connection, raise_to: dict[str, int] | None = None) -> list[str]:
    """Make every table with an integer id AUTOINCREMENT, then set each counter to at least the
    highest id ever issued (its rows, its counter, the marks in `ids_issued`, and `raise_to`,
    which are kept there). Runs in its own transaction on `conn` (foreign keys off meanwhile,
    so that dropping the old table cascades nothing); the caller holds the writers' lock.
    Returns the tables it changed to AUTOINCREMENT."""
    tables = id_tables(conn)
    todo = _convertible(conn, tables)
    raise_to = {t: n for t, n in (raise_to or {}).items() if n}
    if not todo and not raise_to and not _behind(conn, tables):
        return []
    if conn.in_transaction:
        raise RuntimeError("ids.ensure needs a connection outside a transaction")
    fk = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    legacy = conn.execute("PRAGMA legacy_alter_table").fetchone()[0]
    secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA legacy_alter_table = ON")  # the rename leaves other tables' references be
    # The old table's pages are zeroed as it is dropped: a copy of a letter's text left in free
    # pages would outlive that letter's purge.
    conn.execute("PRAGMA secure_delete = ON")
    try:
        if conn.execute("PRAGMA foreign_keys").fetchone()[0]:
            raise RuntimeError("foreign keys could not be switched off")  # a drop would cascade
        conn.execute("BEGIN IMMEDIATE")
        try:
            todo = [t for t in todo if _make_autoincrement(conn, t, tables[t])]
            if raise_to:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {MARKS_TABLE} (name TEXT PRIMARY KEY,"
                             " highest INTEGER NOT NULL)")
                for table, n in raise_to.items():
                    conn.execute(f"INSERT INTO {MARKS_TABLE} (name, highest) VALUES (?, ?) ON CONFLICT (name)"
                                 " DO UPDATE SET highest = max(highest, excluded.highest)", [table, n])
            _catch_up(conn, tables)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA secure_delete = {int(secure)}")
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")
        conn.execute(f"PRAGMA foreign_keys = {int(fk)}")
    return todo


def _wanted(conn: sqlite3.Connection, tables: dict[str, str]) -> dict[str, int]:
    marks = _marks(conn)
    out = {}
    for table, key in tables.items():
        top = conn.execute(f"SELECT max({_quote(key)}) FROM {_quote(table)}").fetchone()[0] or 0
        out[table] = max(top, marks.get(table, 0))
    return out


def _behind(conn: sqlite3.Connection, tables: dict[str, str]) -> bool:
    """A counter below a mark a restore left (a migration rebuilt the table since)."""
    marks = _marks(conn)
    if not marks:
        return False
    seqs = _sequences(conn)
    return any(seqs.get(t, 0) < n for t, n in marks.items() if t in tables)


def _catch_up(conn: sqlite3.Connection, tables: dict[str, str]) -> None:
    seqs = _sequences(conn)
    for table, n in _wanted(conn, tables).items():
        if not n or seqs.get(table, 0) >= n:
            continue
        if table in seqs:
            conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", [n, table])
        else:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, n])
