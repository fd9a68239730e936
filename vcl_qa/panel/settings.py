"""Panel settings: defaults from rules/panel.yml, sampling policy overridable by managers."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from vcl_qa.errors import LetterError, RulesError
from vcl_qa.engine.rules_data import load_yaml
from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx

RULES_FILE = "panel.yml"
SCALE = (1, 5)
STRATUM_FIELDS = ("decision", "offence", "victim_category", "bereaved", "team")
VERDICTS = ("good", "needs_work", "poor")
# Keys a manager may change, with their checks (value -> error message or None).
POLICY_KEYS = ("seed", "always_include_verdicts", "random_share", "min_per_stratum", "strata",
               "max_letters", "raters_per_letter")


@dataclass(frozen=True)
class RubricItem:
    id: str
    label: str
    question: str
    points: dict[int, str]

    def public(self) -> dict:
        return {"id": self.id, "label": self.label, "question": self.question,
                "points": {str(k): v for k, v in sorted(self.points.items())}}


@dataclass(frozen=True)
class PanelRules:
    sampling: dict[str, Any]
    raters_per_letter: int
    items: tuple[RubricItem, ...]
    overall: RubricItem
    limits: dict[str, int]
    report: dict[str, Any]

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def rubric(self) -> dict:
        return {"scale": list(SCALE), "items": [i.public() for i in self.items],
                "overall": self.overall.public()}

    def label(self, item_id: str) -> str:
        for i in (*self.items, self.overall):
            if i.id == item_id:
                return i.label
        return item_id


def _item(raw: dict, where: str) -> RubricItem:
    for key in ("id", "label", "question", "points"):
        if not raw.get(key):
            raise RulesError(f"{RULES_FILE}: {where} needs '{key}'")
    points = {int(k): str(v) for k, v in raw["points"].items()}
    if sorted(points) != list(range(SCALE[0], SCALE[1] + 1)):
        raise RulesError(f"{RULES_FILE}: {where} must describe every point from {SCALE[0]} to {SCALE[1]}")
    return RubricItem(str(raw["id"]), str(raw["label"]), str(raw["question"]), points)


@lru_cache(maxsize=1)
def load_panel_rules() -> PanelRules:
    data = load_yaml(RULES_FILE) or {}
    rubric = data.get("rubric") or {}
    items = tuple(_item(r, f"rubric item {n + 1}") for n, r in enumerate(rubric.get("items") or []))
    if not items:
        raise RulesError(f"{RULES_FILE}: the rubric has no items")
    overall = _item(rubric.get("overall") or {}, "rubric overall")
    sampling = dict(data.get("sampling") or {})
    sampling["raters_per_letter"] = data.get("raters_per_letter", 2)
    problems = validate_policy(sampling)
    if problems:
        raise RulesError(f"{RULES_FILE}: {problems[0]['field']}: {problems[0]['message']}")
    return PanelRules(sampling=sampling, raters_per_letter=int(sampling["raters_per_letter"]),
                      items=items, overall=overall, limits=dict(data.get("limits") or {}),
                      report=dict(data.get("report") or {}))


def validate_policy(policy: dict[str, Any]) -> list[dict]:
    """Problems with a sampling policy as [{field, message}] (empty when it is fine)."""
    out = []

    def bad(field: str, message: str) -> None:
        out.append({"field": field, "message": message})

    unknown = sorted(set(policy) - set(POLICY_KEYS))
    for key in unknown:
        bad(key, "unknown setting")
    seed = policy.get("seed")
    if not isinstance(seed, (int, str)) or isinstance(seed, bool) or str(seed) == "":
        bad("seed", "a whole number or a word")
    verdicts = policy.get("always_include_verdicts")
    if not isinstance(verdicts, list) or any(v not in VERDICTS for v in verdicts):
        bad("always_include_verdicts", f"a list of {', '.join(VERDICTS)}")
    share = policy.get("random_share")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        bad("random_share", "a number from 0 to 1")
    for key, low, high in (("min_per_stratum", 0, 1000), ("max_letters", 1, 100_000),
                           ("raters_per_letter", 1, 10)):
        value = policy.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            bad(key, f"a whole number from {low} to {high}")
    strata = policy.get("strata")
    if not isinstance(strata, list) or any(s not in STRATUM_FIELDS for s in strata):
        bad("strata", f"a list of {', '.join(STRATUM_FIELDS)}")
    return out


def policy(db: Database) -> dict[str, Any]:
    """The sampling policy in force: the rules/ defaults with the managers' changes on top."""
    out = dict(load_panel_rules().sampling)
    for key, value in db.execute("SELECT key, value FROM panel_settings").fetchall():
        if key in POLICY_KEYS:
            out[key] = json.loads(value)
    return out


def update_policy(db: Database, user: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some policy settings (validated together with the rest); audited."""
    merged = {**policy(db), **changes}
    problems = validate_policy(merged)
    if problems:
        first = problems[0]
        raise LetterError(first["message"], field=first["field"])
    stamp = now()
    with write_tx(db):
        for key, value in changes.items():
            db.execute(
                "INSERT INTO panel_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                [key, json.dumps(value), getattr(user, "id", None), stamp],
            )
        audit.record(db, user, "panel.policy", "panel_policy", None, {"changed": sorted(changes)})
    return policy(db)
