"""Panel tables: periods, sampled items, rater assignments, ratings, marks, verdicts, settings."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("panel")


@migrations(name="0001_panel")
def panel_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE panel_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE panel_periods (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            seed TEXT,
            policy TEXT,
            draw_summary TEXT,
            drawn_at TEXT,
            drawn_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE panel_items (
            id INTEGER PRIMARY KEY,
            period_id INTEGER NOT NULL REFERENCES panel_periods(id) ON DELETE CASCADE,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            result_id INTEGER REFERENCES results(id) ON DELETE SET NULL,
            score INTEGER,
            verdict TEXT,
            decision TEXT,
            offence TEXT,
            stratum TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('verdict', 'random', 'manual')),
            note TEXT,
            text TEXT NOT NULL,
            redactions TEXT NOT NULL,
            added_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            removed_at TEXT,
            removed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            remove_reason TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (period_id, letter_id)
        );
        CREATE TABLE panel_assignments (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            item_id INTEGER NOT NULL REFERENCES panel_items(id) ON DELETE CASCADE,
            rater_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            assigned_at TEXT NOT NULL,
            rated_at TEXT,
            revealed_at TEXT,
            UNIQUE (item_id, rater_id)
        );
        CREATE INDEX panel_assignments_rater ON panel_assignments(rater_id, id);
        CREATE TABLE panel_ratings (
            id INTEGER PRIMARY KEY,
            assignment_id INTEGER NOT NULL UNIQUE REFERENCES panel_assignments(id) ON DELETE CASCADE,
            overall INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
            comment TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE panel_scores (
            rating_id INTEGER NOT NULL REFERENCES panel_ratings(id) ON DELETE CASCADE,
            item TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            PRIMARY KEY (rating_id, item)
        );
        CREATE TABLE panel_marks (
            id INTEGER PRIMARY KEY,
            rating_id INTEGER NOT NULL REFERENCES panel_ratings(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            comment TEXT NOT NULL
        );
        CREATE TABLE panel_verdicts (
            id INTEGER PRIMARY KEY,
            assignment_id INTEGER NOT NULL REFERENCES panel_assignments(id) ON DELETE CASCADE,
            finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
            rule TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('not_a_problem', 'agree')),
            note TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (assignment_id, finding_id)
        );
        """
    )


@migrations(name="0002_preview")
def preview(db: Database) -> None:
    """A period may hold its letters back until a manager has checked each anonymised text (and
    hidden more words); only then do they reach the panel's queues."""
    db.executescript(
        """
        ALTER TABLE panel_periods ADD COLUMN preview INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE panel_items ADD COLUMN hidden_words TEXT;
        ALTER TABLE panel_items ADD COLUMN approved_at TEXT;
        ALTER TABLE panel_items ADD COLUMN approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
        """
    )


@migrations(name="0003_deleted_items")
def deleted_items(db: Database) -> None:
    """A sampled letter deleted from the service (allowed before the panel rates the period)
    takes its sample row with it: kept here, how it was chosen and whether it had been taken out,
    so that the board report still says what the draw gave and that the sample changed since
    (panel/report.py `_sample_changes`). A new draw of the period forgets the drawn ones it
    replaces."""
    db.executescript(
        """
        CREATE TABLE panel_deleted_items (
            id INTEGER PRIMARY KEY,
            period_id INTEGER NOT NULL REFERENCES panel_periods(id) ON DELETE CASCADE,
            letter_id INTEGER NOT NULL,
            reason TEXT NOT NULL,
            verdict TEXT,
            removed INTEGER NOT NULL,
            deleted_at TEXT NOT NULL
        );
        CREATE INDEX panel_deleted_items_period ON panel_deleted_items(period_id);
        """
    )


@migrations(name="0004_detail_reports")
def detail_reports(db: Database) -> None:
    """A panel member's word that a letter still shows a detail that should have been hidden
    (the guide asked them to "tell the panel's organiser", with no way to): which words, if they
    say, kept for the managers' page of the period (panel/rating.py report_detail)."""
    db.executescript(
        """
        CREATE TABLE panel_detail_reports (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES panel_items(id) ON DELETE CASCADE,
            rater_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            words TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX panel_detail_reports_item ON panel_detail_reports(item_id);
        """
    )
