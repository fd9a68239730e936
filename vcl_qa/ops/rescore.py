"""Re-scoring after a rules change, counting the verdicts that changed."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlite_utils import Database

from vcl_qa.letters import bulk

VERDICT_WORDS = {"good": "good", "needs_work": "needs work", "poor": "poor", None: "no verdict"}


def verdicts(db: Database) -> dict[int, str | None]:
    return dict(db.execute("SELECT id, verdict FROM letters").fetchall())


def rescore_all(db: Database, progress: Callable[[int], None] | None = None) -> tuple[dict, Counter]:
    """bulk.rescore_all, plus how many letters moved from one verdict to another:
    Counter({("good", "needs_work"): 3, ...})."""
    before = verdicts(db)
    counts = bulk.rescore_all(db, progress=progress)
    after = verdicts(db)
    moved = Counter((before[i], after[i]) for i in before if i in after and before[i] != after[i])
    return counts, moved


def describe(moved: Counter) -> str:
    total = sum(moved.values())
    if not total:
        return "No verdict changed."
    parts = ", ".join(f"{n} {VERDICT_WORDS.get(a, a)} to {VERDICT_WORDS.get(b, b)}"
                      for (a, b), n in sorted(moved.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    return f"{total} verdict{'s' if total != 1 else ''} changed: {parts}."
