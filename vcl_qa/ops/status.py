"""`vcl-qa status`: the database at a glance, and what needs doing (retention, backups)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlite_utils import Database

from vcl_qa import clock, config
from vcl_qa.db import audit
from vcl_qa.db.connection import write_tx
from vcl_qa.ops import retention

BACKUP_ACTION = "database.backup"


def record_backup(db: Database, manifest: dict) -> None:
    """Note a backup in the audit log (where `status` finds the last one): file, size, check."""
    from vcl_qa.letters.bulk import Actor

    audit.record(db, Actor("command line backup"), BACKUP_ACTION, detail={
        "path": manifest["path"], "bytes": manifest["bytes"],
        "integrity_check": manifest["integrity_check"], "created_at": manifest["created_at"]})


def last_backup(db: Database) -> dict | None:
    """The newest backup recorded (by when it was made: a restore carries over, after the
    restored entries, the backups the database it replaced had recorded)."""
    row = db.execute("SELECT at, detail FROM audit_log WHERE action = ? ORDER BY at DESC, id DESC LIMIT 1",
                     [BACKUP_ACTION]).fetchone()
    if row is None:
        return None
    return {"at": row[0], **json.loads(row[1] or "{}")}


RESTORE_ACTION = "database.restore"


def record_restore(db: Database, out: dict, backup_file: Path, user: str,
                   replaced_backups: list[dict]) -> list[dict]:
    """After a restore: the backups made after the restored one (recorded in the database it
    replaced, `replaced_backups`, and the restored backup itself, which never holds its own
    entry) are carried over, so that `status` and the metrics tell the true last backup; then
    the restore itself: who (the login that ran it), from which file, what was put aside,
    which letters it could not bring back and the ids kept from reuse. Returns the backups
    carried over."""
    from vcl_qa.letters.bulk import Actor

    manifest = out.get("manifest") or {}
    known = last_backup(db)
    since = known["at"] if known else ""
    candidates = list(replaced_backups)
    if manifest.get("created_at"):
        candidates.append({"at": manifest["created_at"], "detail": {
            "path": str(Path(backup_file).resolve()), "bytes": manifest.get("bytes"),
            "integrity_check": manifest.get("integrity_check"), "created_at": manifest["created_at"]}})
    carried, seen = [], set()
    for entry in sorted(candidates, key=lambda e: e["at"]):
        key = (entry["detail"].get("path"), entry["detail"].get("created_at"))
        if entry["at"] <= since or key in seen:
            continue
        seen.add(key)
        carried.append(entry)
    with write_tx(db):
        for entry in carried:
            db.execute("INSERT INTO audit_log (at, user_name, action, detail) VALUES (?, ?, ?, ?)",
                       [entry["at"], "command line backup", BACKUP_ACTION,
                        json.dumps({**entry["detail"], "carried_over_by_restore": True})])
        kept = out.get("ids_kept")
        audit.record(db, Actor("command line restore"), RESTORE_ACTION, detail={
            "os_user": user,
            "backup": str(Path(backup_file).resolve()),
            "backup_made": manifest.get("created_at"),
            "set_aside": out.get("previous"),
            "damaged": bool(out.get("damaged")),
            "letters_restored": out["row_counts"].get("letters", 0),
            "letters_lost": len(out.get("letters_lost") or []),
            "letters_lost_ids": id_ranges(out.get("letters_lost") or []),
            "letters_changed_since_backup": len(out.get("letters_changed") or []),
            "highest_letter_id_kept": kept.get("letters") if kept else None,
            "ids_kept": kept is not None,
            # letter id -> the highest version number it had, kept back (its next is one above)
            "version_numbers_kept": {str(i): n for i, n in sorted((out.get("versions_kept") or {}).items())[:200]},
        })
    return carried


def id_ranges(numbers: list[int], most: int = 40) -> str:
    """'735-740, 745' (at most `most` runs, then how many more ids)."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:most])
    rest = sum(b - a + 1 for a, b in runs[most:])
    return shown + (f" and {rest} more" if rest else "")


def classifier_problem(thorough: bool = True) -> str | None:
    """Why letters would be judged without the sentence classifier's second opinion, in words
    for whoever runs the service; None when its model is there (and, `thorough`, loads: a few
    tenths of a second the first time, then kept)."""
    from vcl_qa.engine import classifier

    folder = config.concept_model_dir()
    if not (folder / "meta.json").is_file() or not (folder / "config.cfg").is_file():
        return f"There is no sentence classifier at {folder}"
    if thorough and classifier.load_model(folder) is None:
        return f"The sentence classifier at {folder} cannot be read"
    return None


def classifier_warning(problem: str) -> str:
    return (f"{problem}, so letters are judged by their patterns alone, without the classifier's "
            "second opinion: a boilerplate reason, or a near miss of the review right or of an offer "
            "to meet, can pass as the real thing, and results are not those the checks were tested "
            "for. Build it with `make model` (or, where the service is installed, `python "
            "scripts/train_concept_model.py --out FOLDER`), and set VCL_QA_CONCEPT_MODEL to its folder.")


def gather(db: Database, path: Path, *, now: dt.datetime | None = None) -> dict:
    """Everything `status` shows, as plain data (its JSON output)."""
    now = now or clock.now()
    today = clock.uk_date(now)
    keep = retention.settings()
    files = {p.name: p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()}
    by_status = {"draft": 0, "sent": 0, "purged": 0}  # (each letter once: a purged one as purged)
    every = {"draft": 0, "sent": 0}  # every letter by status, purged or not, as the dashboard counts
    for status, purged, n in db.execute(
            "SELECT status, purged_at IS NOT NULL, count(*) FROM letters GROUP BY 1, 2").fetchall():
        by_status["purged" if purged else status] += n
        every[status] = every.get(status, 0) + n
    oldest = db.execute("SELECT min(COALESCE(sent_date, uk_day(created_at))) FROM letters"
                        " WHERE purged_at IS NULL").fetchone()[0]
    oldest_audit = db.execute("SELECT min(at) FROM audit_log").fetchone()[0]
    backup = last_backup(db)
    out = {
        "database": str(path.resolve()),
        "bytes": sum(files.values()),
        "letters": by_status,
        "letters_by_status": every,
        "oldest_unpurged_letter": oldest,
        "audit_entries": db.execute("SELECT count(*) FROM audit_log").fetchone()[0],
        # the UK day it was made (stored in UTC: 00:30 on a summer's night is the next day's), as
        # the pages say it (vcl_qa.clock)
        "oldest_audit_entry": clock.uk_date(oldest_audit).isoformat() if oldest_audit else None,
        "retention": {"letters_days": keep.letters_days, "audit_days": keep.audit_days,
                      "letters_due": retention.letters_due(db, keep.letters_days, today),
                      "audit_due": retention.audit_due(db, keep.audit_days, today)},
        "last_backup": backup,
        "set_aside": [c.as_dict(now) for c in retention.set_aside_copies(path)],
        "schema": [f"{s}:{n}" for s, n in db.execute(
            "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()],
        # letters whose stored result is from other rules than these (or was left to be scored
        # again: migration 0011), which `vcl-qa rescore` scores again
        "scored_with_older_rules": _scored_with_older_rules(db),
        # the engine's second opinion (engine/classifier.py): without it, the patterns alone
        "classifier": {"path": str(config.concept_model_dir()), "problem": classifier_problem()},
        # letters to victims the register says are due, due today or overdue, as the morning
        # digest and /metrics count them (the README's daily check relies on this one)
        "decisions": register_counts(db, today),
    }
    out["warnings"] = warnings(out, now)
    return out


def register_counts(db: Database, today: dt.date | None = None) -> dict[str, int]:
    """Decisions needing a letter by status as of `today`: due, due_today, overdue."""
    from vcl_qa.decisions.register import OPEN, register

    counts = {s: 0 for s in OPEN}
    if "decisions" in db.table_names():
        for row in register(db, today=today):
            if row["status"] in counts:
                counts[row["status"]] += 1
    return counts


def _scored_with_older_rules(db: Database) -> int:
    from vcl_qa.engine.rules import load_rules

    return db.execute("SELECT count(*) FROM letters WHERE purged_at IS NULL AND latest_version > 0"
                      " AND (rules_version IS NULL OR rules_version != ?)", [load_rules().version]).fetchone()[0]


def warnings(facts: dict, now: dt.datetime) -> list[str]:
    out = []
    overdue = (facts.get("decisions") or {}).get("overdue")
    if overdue:
        out.append(f"{overdue} {'letter to a victim is' if overdue == 1 else 'letters to victims are'} overdue: "
                   "the due date has passed and no letter has been sent. `vcl-qa digest` lists them.")
    older = facts.get("scored_with_older_rules")
    if older:
        out.append(f"{older} {'letter was' if older == 1 else 'letters were'} last scored with older rules (or "
                   "before a change to how a 'not a problem' mark counts): their scores, and the dashboard's "
                   "figures, are from then. Run `vcl-qa rescore`.")
    problem = (facts.get("classifier") or {}).get("problem")
    if problem:
        out.append(classifier_warning(problem))
    ret = facts["retention"]
    if ret["letters_due"]:
        one = ret["letters_due"] == 1
        out.append(f"Retention is overdue: {ret['letters_due']} {'letter is' if one else 'letters are'} older than "
                   f"{ret['letters_days']} days and still {'holds its' if one else 'hold their'} text and personal details. "
                   "Run `vcl-qa purge`.")
    if ret["audit_due"]:
        out.append(f"Retention is overdue: {ret['audit_due']} audit {'entry is' if ret['audit_due'] == 1 else 'entries are'} older than "
                   f"{ret['audit_days']} days. Run `vcl-qa purge`.")
    for copy in facts["set_aside"]:
        if ret["letters_days"] is not None and _older(copy, ret["letters_days"], now):
            out.append(f"The copy of the database set aside by the restore of {_day(clock.uk_date(copy['made']).isoformat())} "
                       f"({copy['path']}) is older than the {ret['letters_days']} days letters are "
                       "kept, and still holds letter text and names, purged letters' too. Run `vcl-qa "
                       "purge` (it removes such copies), or remove it.")
    backup = facts["last_backup"]
    if backup is None:
        out.append("No backup has been made (or none is recorded). Run `vcl-qa backup FOLDER`.")
    else:
        age = now - dt.datetime.fromisoformat(backup["at"])
        if age > dt.timedelta(hours=config.BACKUP_WARN_HOURS):
            out.append(f"The last backup is {_age(age)} old. Run `vcl-qa backup FOLDER`, and check "
                       "that the scheduled backup is running.")
    return out


def _letters_line(facts: dict) -> str:
    """Every letter by status, as the dashboard counts them (a purged letter was still sent), and
    how many of them are purged: "37 sent, 15 purged" read as 52 letters, the dashboard said 52 sent."""
    every = facts.get("letters_by_status") or facts["letters"]
    drafts, sent, purged = every.get("draft", 0), every.get("sent", 0), facts["letters"]["purged"]
    line = f"Letters: {drafts} {'draft' if drafts == 1 else 'drafts'}, {sent} sent"
    if not purged:
        return line + "; none purged"
    return line + f"; {purged} of {'it' if drafts + sent == 1 else 'them'} purged (text and personal details removed)"


def render(facts: dict, now: dt.datetime | None = None) -> str:
    now = now or clock.now()
    ret, letters = facts["retention"], facts["letters"]
    lines = [
        f"Database {facts['database']} ({_size(facts['bytes'])})",
        _letters_line(facts),
        "Oldest letter still holding its text: " + (_day(facts["oldest_unpurged_letter"]) or "none"),
        f"Audit log: {facts['audit_entries']} entries" + (
            f", the oldest from {_day(facts['oldest_audit_entry'])}" if facts["oldest_audit_entry"] else ""),
        "Retention: letter text and personal details kept " + _days(ret["letters_days"])
        + ", audit entries kept " + _days(ret["audit_days"]),
    ]
    backup = facts["last_backup"]
    if backup:
        age = now - dt.datetime.fromisoformat(backup["at"])
        lines.append(f"Last backup: {_when(backup['at'])} ({_age(age)} ago) to {backup.get('path')}, "
                     f"{_size(backup.get('bytes') or 0)}, integrity check {backup.get('integrity_check')}")
    else:
        lines.append("Last backup: none recorded")
    for copy in facts["set_aside"]:
        age = now - dt.datetime.fromisoformat(copy["made"])
        lines.append(f"Set aside by a restore: {copy['path']} ({_when(copy['made'])}, {_age(age)} ago, "
                     f"{_size(copy['bytes'])}): letter text and names as they were, purged letters' too")
    lines.append("Database changes applied: " + (", ".join(facts["schema"]) or "none"))
    counts = facts.get("decisions") or {}
    lines.append(f"Letters the register needs: {counts.get('overdue', 0)} overdue, {counts.get('due_today', 0)} due "
                 f"today, {counts.get('due', 0)} due later")
    lines.append("Sentence classifier: " + ("not there (see the warning below)" if facts["classifier"]["problem"]
                                            else facts["classifier"]["path"]))
    lines += [f"Warning: {w}" for w in facts["warnings"]] or ["Nothing needs doing."]
    return "\n".join(lines)


def _older(copy: dict, days: int, now: dt.datetime) -> bool:
    return now - dt.datetime.fromisoformat(copy["made"]) > dt.timedelta(days=days)


def _days(days: int | None) -> str:
    return "until purged by hand" if days is None else f"{days} days"


def _day(iso: str | None) -> str | None:
    return dt.date.fromisoformat(iso[:10]).strftime("%-d %B %Y") if iso else None


def _when(iso: str) -> str:
    """A stored moment (UTC) on the UK's clock, as the pages give it (README: status speaks UK time)."""
    return clock.uk_when(iso)


def _age(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"
