"""Prometheus metrics: requests and latency by route and status, letters scored and scoring
time (counted in each server process), and the database's own figures (read when scraped).

With several server workers, each process writes its counters to files in a folder that
`vcl-qa serve` makes for the run (prometheus_client's multiprocess mode) and a scrape adds them
up, whichever worker answers it.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from vcl_qa.db.connection import add_functions

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
SCORING_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
CONTENT_TYPE = CONTENT_TYPE_LATEST
DB_FIGURES_SECONDS = 15  # the database figures are read at most this often per process

REQUESTS = Counter("vcl_qa_http_requests", "HTTP requests answered, by route template and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("vcl_qa_http_request_duration_seconds", "Time to answer a request, in seconds.",
                    ["method", "route", "status"], buckets=LATENCY_BUCKETS)
SCORED = Counter("vcl_qa_letters_scored", "Letters scored (checks, new versions, re-scores).")
SCORING = Histogram("vcl_qa_scoring_duration_seconds", "Time to score one letter, in seconds.",
                    buckets=SCORING_BUCKETS)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method, route, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


@contextlib.contextmanager
def scoring() -> Iterator[None]:
    """Time one scoring of a letter (counted only when it finishes without an error)."""
    start = time.perf_counter()
    yield
    SCORING.observe(time.perf_counter() - start)
    SCORED.inc()


def prepare_workers(workers: int) -> None:
    """Before starting several worker processes: a fresh folder for their counters, removed
    when the server stops. One process needs none (its counters are in its memory)."""
    if workers <= 1 or os.environ.get(MULTIPROCESS_VARIABLE):
        return
    folder = tempfile.mkdtemp(prefix="vcl-qa-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


def exposition(db_path: Path) -> bytes:
    """The text a scrape gets: this process's (or every worker's) counters, then the
    database's figures."""
    folder = os.environ.get(MULTIPROCESS_VARIABLE)
    if folder and Path(folder).is_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        counters = generate_latest(registry)
    else:
        counters = generate_latest(REGISTRY)
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(Path(db_path)))
    return counters + generate_latest(figures)


class DatabaseFigures:
    """Gauges read from the database: letters by state, the register's due and overdue
    decisions, panel reviews waiting, size, retention and the last backup."""

    _cache: dict[str, tuple[float, list]] = {}

    def __init__(self, path: Path):
        self.path = path

    def collect(self):
        key = str(self.path)
        at, families = self._cache.get(key, (0.0, []))
        if time.monotonic() - at > DB_FIGURES_SECONDS or not families:
            families = self._read()
            self._cache[key] = (time.monotonic(), families)
        yield from families

    def _read(self) -> list:
        from sqlite_utils import Database

        from vcl_qa.ops import retention
        from vcl_qa.ops.status import last_backup, register_counts

        conn = sqlite3.connect(f"file:{self.path.resolve()}?mode=ro", uri=True, timeout=5)
        add_functions(conn)  # uk_day: retention counts a letter's age by the UK day it was stored
        try:
            db = Database(conn)
            letters = GaugeMetricFamily("vcl_qa_letters", "Stored letters by state.", labels=["state"])
            counts = {"draft": 0, "sent": 0, "purged": 0}
            for status, purged, n in conn.execute("SELECT status, purged_at IS NOT NULL, count(*)"
                                                  " FROM letters GROUP BY 1, 2"):
                counts["purged" if purged else status] += n
            for state, n in counts.items():
                letters.add_metric([state], n)
            decisions = GaugeMetricFamily("vcl_qa_decisions", "Decisions in the register needing a "
                                          "letter, by status today.", labels=["status"])
            for status, n in sorted(register_counts(db).items()):
                decisions.add_metric([status], n)
            waiting = GaugeMetricFamily("vcl_qa_panel_reviews_waiting",
                                        "Panel reviews assigned and not yet rated.")
            waiting.add_metric([], self._reviews_waiting(conn))
            keep = retention.settings()
            due = GaugeMetricFamily("vcl_qa_letters_past_retention",
                                    "Letters past the retention period that still hold their text.")
            due.add_metric([], retention.letters_due(db, keep.letters_days))
            size = GaugeMetricFamily("vcl_qa_database_bytes", "Size of the database file and its WAL.")
            size.add_metric([], sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal"))
                                    if p.exists()))
            backup = GaugeMetricFamily("vcl_qa_last_backup_timestamp_seconds",
                                       "When the last backup was made (Unix time; 0: none recorded).")
            last = last_backup(db)
            backup.add_metric([], dt.datetime.fromisoformat(last["at"]).timestamp() if last else 0)
            return [letters, decisions, waiting, due, size, backup]
        finally:
            conn.close()

    @staticmethod
    def _reviews_waiting(conn: sqlite3.Connection) -> int:
        try:
            return conn.execute("SELECT count(*) FROM panel_assignments a JOIN panel_items i"
                                " ON i.id = a.item_id WHERE a.rated_at IS NULL AND i.removed_at IS NULL"
                                ).fetchone()[0]
        except sqlite3.OperationalError:  # no panel tables yet
            return 0
