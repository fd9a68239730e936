"""Bulk work for the command line: import a folder, export results, purge old letters, re-score."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


from sqlite_utils import Database

from vcl_qa import csv_safe
from vcl_qa.errors import LetterError
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import LETTER_SUFFIXES, Letter
from vcl_qa.db import audit
from vcl_qa.letters import service, store
from vcl_qa.db.connection import now, write_tx
from vcl_qa import clock
from vcl_qa.decisions.store import COUNTS_AS_SENT, LINK, case_pseudonym
from vcl_qa.panel import retention as panel_retention


@dataclass(frozen=True)
class Actor:
    """Who the audit log names for work done from the command line."""

    name: str = "command line"
    id: int | None = None


@dataclass
class ImportReport:
    """What an import did with each file (paths relative to the folder). `versions`: a file
    stored before and changed since, stored as a new version of that letter (path, letter id,
    version); `marked_sent`: every letter --sent stored or marked as sent, a new file stored as
    sent as well as a stored draft marked sent (path, letter id, sent date); `skipped`: already
    stored as it is, nothing to do."""

    stored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    versions: list[tuple[str, int, int]] = field(default_factory=list)
    marked_sent: list[tuple[str, int, str]] = field(default_factory=list)


def letter_files(folder: Path) -> list[Path]:
    """Letter files under `folder`, sorted; .docx sidecars (.yml) are not letters."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in LETTER_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_from(db: Database, team: str, source: str) -> dict | None:
    """The letter imported from `source` for `team` (the latest, should there be several from
    before files were matched by their name), with every version's text hash and context."""
    row = db.execute("SELECT id, status, sent_date, latest_version, sent_changes FROM letters WHERE team = ?"
                     " AND source = ? AND purged_at IS NULL ORDER BY id DESC LIMIT 1",
                     [team, source]).fetchone()
    if row is None:
        return None
    versions = db.execute("SELECT version, text_hash, context, author_id FROM versions"
                          " WHERE letter_id = ? ORDER BY version", [row[0]]).fetchall()
    return {"id": row[0], "status": row[1], "sent_date": row[2], "latest_version": row[3],
            "sent_changes": row[4] or 0,
            "versions": [(v, h, json.loads(c), a) for v, h, c, a in versions]}


def import_folder(db: Database, folder: Path, team: str, *, sent: bool = False,
                  progress: Callable[[Path], None] | None = None) -> ImportReport:
    """Store every letter file under `folder` (one transaction each), matched to what is stored
    by its path in the folder and the team:

    - a new file is stored as a new letter (sent on its letter_date with `sent`);
    - with `sent`, a file whose letter_date cannot be the day it went out (after today, or
      before its decision: service.check_sent_date, the check every way of marking a letter
      sent makes) is refused: reported as failed with the reason, nothing of it stored or changed;
    - a file whose text and details are those of a version already stored is left alone,
      so running an import twice adds nothing; with `sent`, a letter still a draft is then
      marked sent on its letter_date;
    - a file changed since it was stored (text or details) becomes a new version of the same
      letter, unless the letter was sent (it takes no new version) or someone has saved a
      version of it since, on the pages or through the API (their changes are not overwritten):
      both are reported as failed, with the reason.

    One file that cannot be read or stored never stops the rest."""
    report = ImportReport()
    actor = Actor("command line import")
    for path in letter_files(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            letter = Letter.from_file(path)
            sent_date = None
            if sent:
                if letter.context.letter_date is None:
                    raise LetterError("--sent needs letter_date in the letter's fields", field="letter_date")
                sent_date = letter.context.letter_date.isoformat()
            text = service.check_text(letter.text)
            ctx = letter.context.model_dump(mode="json", exclude_none=True)
            if sent_date:
                _check_sent(ctx, sent_date)
            _import_one(db, actor, report, rel, text, ctx, team, sent_date)
        except LetterError as exc:
            report.failed.append((rel, exc.message if exc.field is None else f"field '{exc.field}': {exc.message}"))
        except service.Conflict as exc:
            report.failed.append((rel, str(exc)))
        except sqlite3.Error:
            raise  # the database itself (busy, full, damaged): stop, the command says what
        except Exception as exc:  # one odd file never stops the rest
            report.failed.append((rel, f"could not be read, scored or stored ({type(exc).__name__}: "
                                       f"{str(exc)[:200]})"))
        if progress:
            progress(path)
    return report


def _import_one(db: Database, actor: Actor, report: ImportReport, rel: str, text: str, ctx: dict,
                team: str, sent_date: str | None) -> None:
    stored = stored_from(db, team, rel)
    if stored is None:
        out = service.submit(db, actor, text, ctx, team=team, source=rel, sent_date=sent_date, counted=False)
        report.stored.append(rel)
        if sent_date:
            report.marked_sent.append((rel, out["id"], sent_date))
        return
    letter_id = stored["id"]
    if sent_date and stored["status"] != "sent" and stored["sent_changes"]:
        # Marked sent once and the mark undone since (a manager's correction, on the page or
        # through the API): running the import again, the file changed or not, put the mark back,
        # silently, with its day before the letter was saved here and no reason asked (a figures
        # review). Nothing of the file is stored.
        raise service.Conflict(
            f"letter {letter_id} was marked as sent before, and that mark was undone since (on its "
            "page or through the API): --sent does not mark it again, and nothing of the file was stored. "
            "If it did go out, mark it as sent on its page, saying when; to store the file's changes as a "
            "draft, import it without --sent")
    # The file is compared with the last version an import stored (versions saved on the pages
    # or through the API name their author; an import's name none).
    imported = [v for v in stored["versions"] if v[3] is None] or stored["versions"]
    _v, last_hash, last_ctx, _a = imported[-1]
    if last_hash == _hash(text) and last_ctx == ctx:  # unchanged since it was last imported
        if sent_date and stored["status"] != "sent":
            _mark_sent(db, actor, letter_id, sent_date, _v)
            report.marked_sent.append((rel, letter_id, sent_date))
        else:
            report.skipped.append(rel)
        return
    latest_version, _h, latest_ctx, author = stored["versions"][-1]
    if stored["status"] == "sent":
        raise service.Conflict(
            f"the file has changed since it was stored as letter {letter_id}, which was sent on "
            f"{stored['sent_date']} and takes no new version: the changes were not stored")
    if author is not None:
        raise service.Conflict(
            f"the file has changed since it was stored as letter {letter_id}, and version "
            f"{latest_version} of that letter was saved since by someone on the pages or through "
            "the API: the file's changes were not stored, so as not to overwrite theirs. Bring the "
            "changes together on the letter's page")
    # Details taken out of the file are taken out of the new version too (not carried over).
    removed = {k: None for k in latest_ctx if k not in ctx and k != "suppress"}
    out = service.submit(db, actor, text, {**removed, **ctx}, team=team, letter_id=letter_id,
                         source=rel, base_version=latest_version, counted=False)
    report.versions.append((rel, letter_id, out["version"]))
    if sent_date:
        _mark_sent(db, actor, letter_id, sent_date, out["version"])
        report.marked_sent.append((rel, letter_id, sent_date))


def _check_sent(ctx: dict, sent_date: str) -> None:
    """--sent stores the letter as sent on its letter_date: refused, before anything is stored
    or changed, when that cannot be the day it went out."""
    today = clock.today()
    if sent_date > today.isoformat():
        why = (f"its letter_date, {long_date(sent_date)}, is after today ({long_date(today)}): it "
               "cannot have been sent yet")
    else:
        try:
            service.check_sent_date(ctx, sent_date)
            return
        except LetterError as exc:
            why = exc.message
    raise LetterError(f"--sent would store it as sent on its letter_date, but {why}. Nothing was stored: "
                      "correct the letter_date, or import the file without --sent to store it as a draft",
                      field="letter_date")


def _mark_sent(db: Database, actor: Actor, letter_id: int, sent_date: str, version: int) -> None:
    """Mark the file's version sent: not another one someone saved on the pages meanwhile (that
    one is theirs, not the file's: it is left a draft, and the file reported as failed)."""
    try:
        # the file's letter_date, not a person's word: no reason asked for a day before it was stored
        service.mark_sent(db, actor, letter_id, dt.date.fromisoformat(sent_date), imported=True,
                          base_version=version)
    except service.SendOutdated as exc:
        raise service.Conflict(f"stored as letter {letter_id}, but --sent did not mark it as sent: version "
                               f"{exc.latest} was saved since by someone on the pages or through the API, "
                               "and it is not the file's; check it on the letter's page and mark it sent there") from None
    except LetterError as exc:
        raise LetterError(f"stored as letter {letter_id}, but --sent could not mark it as sent: "
                          f"{exc.message}") from None


RESULT_COLUMNS = ["letter_id", "version", "team", "status", "sent_date", "decision", "decision_date",
                  "letter_date", "victim_category", "bereaved", "offence", "rules_version", "score",
                  "verdict", "timeliness", "content", "readability", "empathy", "due_date",
                  "working_days_taken", "errors", "warnings", "suggestions", "scored_at", "score_note"]
FINDING_COLUMNS = ["letter_id", "version", "team", "rules_version", "rule", "dimension", "severity",
                   "suppressed", "start", "end", "line", "column"]


def _judged_today(db: Database, row: dict, today: dt.date) -> dict | None:
    """A draft with no letter date of its own, last scored as if sent on an earlier day, judged
    as if it goes out today, as its page, the letters list, the dashboard and the API judge it
    (letters.service.judged_on; nothing stored). None for any other letter: its stored result
    stands. An export gave such a draft its score from the day it was saved (99, good, on time)
    where every other view gave 77, needs work, "Letter late"."""
    if row["status"] == "sent" or row["purged_at"] or row["letter_date"]:
        return None
    if (row["scored_at"] or "")[:10] >= today.isoformat():
        return None  # (scored today already: the same result; a stamp in UTC is at most an hour behind)
    return service.judged_on(db, row["id"], today)


def _latest_results(db: Database) -> Iterator[dict]:
    sql = """
        SELECT l.*, v.version, r.id AS result_id, r.rules_version AS r_rules_version,
               r.score AS r_score, r.verdict AS r_verdict, r.dimensions, r.metrics,
               r.created_at AS scored_at
        FROM letters l
        JOIN versions v ON v.letter_id = l.id AND v.version = l.latest_version
        JOIN results r ON r.id = (SELECT max(id) FROM results WHERE version_id = v.id)
        ORDER BY l.id
    """
    yield from db.query(sql)


def result_rows(db: Database) -> Iterator[dict]:
    """One row per letter: its latest result, without letter text or personal details; an
    undated draft's as if it went out today (`_judged_today`, said in `score_note`)."""
    today = clock.today()
    for row in _latest_results(db):
        judged = _judged_today(db, row, today)
        note = None
        if judged is None:
            dims = json.loads(row["dimensions"])
            metrics = json.loads(row["metrics"])
            counts = dict(db.execute("SELECT severity, count(*) FROM findings WHERE result_id = ?"
                                     " AND suppressed = 0 GROUP BY severity", [row["result_id"]]).fetchall())
        else:
            note = (f"an undated draft, judged as if sent today ({today.isoformat()}); scored "
                    f"{row['r_score']} ({row['r_verdict']}) when saved ({row['scored_at'][:10]})")
            row = {**row, "r_score": judged["score"], "r_verdict": judged["verdict"],
                   "r_rules_version": judged.get("rules_version") or row["r_rules_version"]}
            dims, metrics = judged.get("dimensions") or {}, judged.get("metrics") or {}
            counts = {}
            for f in judged.get("findings") or ():
                if not f.get("suppressed"):
                    counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        yield {
            "letter_id": row["id"], "version": row["version"], "team": row["team"],
            "status": row["status"], "sent_date": row["sent_date"], "decision": row["decision"],
            "decision_date": row["decision_date"], "letter_date": row["letter_date"],
            "victim_category": row["victim_category"],
            "bereaved": None if row["bereaved"] is None else bool(row["bereaved"]),
            "offence": row["offence"], "rules_version": row["r_rules_version"],
            "score": row["r_score"], "verdict": row["r_verdict"],
            **{d: (dims.get(d) or {}).get("score") for d in ("timeliness", "content", "readability", "empathy")},
            "due_date": metrics.get("due_date"), "working_days_taken": metrics.get("working_days_taken"),
            "errors": counts.get("error", 0), "warnings": counts.get("warning", 0),
            "suggestions": counts.get("suggestion", 0), "scored_at": row["scored_at"], "score_note": note,
        }


def finding_rows(db: Database) -> Iterator[dict]:
    """One row per finding of each letter's latest result (rule ids and places, not words); an
    undated draft's as if it went out today, as `result_rows` gives its score."""
    today = clock.today()
    for row in _latest_results(db):
        judged = _judged_today(db, row, today)
        if judged is None:
            found = db.query('SELECT rule, dimension, severity, suppressed, start, "end", line, "column"'
                             " FROM findings WHERE result_id = ? ORDER BY id", [row["result_id"]])
            rules_version = row["r_rules_version"]
        else:
            keys = ("rule", "dimension", "severity", "suppressed", "start", "end", "line", "column")
            found = [{k: f.get(k) for k in keys} for f in judged.get("findings") or ()]
            rules_version = judged.get("rules_version") or row["r_rules_version"]
        for f in found:
            yield {"letter_id": row["id"], "version": row["version"], "team": row["team"],
                   "rules_version": rules_version, **f, "suppressed": bool(f["suppressed"])}


def write_export(rows: Iterable[dict], columns: list[str], fmt: str, out: io.TextIOBase) -> int:
    n = 0
    if fmt == "csv":
        writer = csv_safe.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            n += 1
    else:
        for row in rows:
            out.write(json.dumps(row) + "\n")
            n += 1
    return n


# A letter's age for retention: its sent date, else the UK day it was stored. created_at is
# UTC: its first ten characters are a day early for a letter stored between midnight and 1 am
# in summer, which would be purged a day before its time (uk_day: vcl_qa/db/connection.py).
LETTER_AGE = "COALESCE({a}sent_date, uk_day({a}created_at))"


@dataclass
class RegisterPurge:
    """What a purge did (or, in a dry run, would do) to the decisions register."""

    purged: int = 0  # entries that lost their case reference and victim's name
    kept: int = 0  # entries decided before the cut-off that keep them: open, or with letters kept
    restored: int = 0  # purged entries given their case reference back by a letter that is kept
    merged: int = 0  # purged entries removed: the same case was registered again beside them

    @property
    def changed(self) -> int:
        return self.purged + self.restored + self.merged

    def describe(self, cutoff: str, *, dry_run: bool = False) -> str:
        """What the purge did (or would do) to the register, in words, one fact a line
        (`cutoff`: the first day kept)."""
        def n(count: int) -> str:
            return f"{count} {'entry' if count == 1 else 'entries'}"

        cutoff = long_date(cutoff)  # ("Monday 1 June 2026", as people read a day)
        lines = [f"Register: {n(self.purged)} decided before {cutoff} {'would be ' if dry_run else ''}"
                 "purged (closed, every letter purged): case reference and victim's name removed, "
                 "status kept."]
        if self.kept:
            one = self.kept == 1
            lines.append(f"Register: {n(self.kept)} decided before {cutoff} "
                         f"{'keep' + ('s' if one else '') if not dry_run else 'would keep'} "
                         f"{'its' if one else 'their'} case reference and victim's name: still open "
                         "(no letter sent yet) or with letters not purged.")
        if self.restored:
            one = self.restored == 1
            lines.append(f"Register: {n(self.restored)} purged earlier {'would take' if dry_run else 'took'} "
                         f"{'its' if one else 'their'} case reference back from a letter not purged "
                         "(still open, or with that letter to link).")
        if self.merged:
            one = self.merged == 1
            lines.append(f"Register: {n(self.merged)} purged earlier "
                         f"{'would be' if dry_run else 'was' if one else 'were'} removed: the same case "
                         f"had been registered again beside {'it' if one else 'them'}, and is counted once.")
        return "\n".join(lines)


@dataclass
class PurgeReport:
    letters: list[int] = field(default_factory=list)  # ids of the letters purged
    cutoff: str = ""  # the first day kept (ISO)
    register: RegisterPurge = field(default_factory=RegisterPurge)


def purge(db: Database, older_than_days: int, *, today: dt.date | None = None,
          dry_run: bool = False) -> list[int]:
    """The ids of the letters purged (see `purge_all`, which also says what the register lost)."""
    return purge_all(db, older_than_days, today=today, dry_run=dry_run).letters


def purge_all(db: Database, older_than_days: int, *, today: dt.date | None = None,
              dry_run: bool = False) -> PurgeReport:
    """Remove letter text and personal details from letters older than the cut-off (by sent
    date, else the day stored), then from register entries that no longer need them (see
    `purge_register`); scores, verdicts, rule ids and statuses stay for reports."""
    cutoff = ((today or clock.today()) - dt.timedelta(days=older_than_days)).isoformat()
    ids = [r[0] for r in db.execute(
        f"SELECT id FROM letters WHERE purged_at IS NULL AND {LETTER_AGE.format(a='')} < ?",
        [cutoff]).fetchall()]
    if not dry_run:
        for letter_id in ids:
            with write_tx(db):
                _purge_one(db, letter_id)
    return PurgeReport(ids, cutoff, purge_register(db, cutoff, dry_run=dry_run))


def purge_register(db: Database, cutoff: str, *, dry_run: bool = False) -> RegisterPurge:
    """Register entries lose the victim's name and their case reference (which becomes the
    pseudonym its purged letters carry, so links and statuses stay whole) only when nobody needs
    them any more: decided before the cut-off, closed (a letter sent, or no letter needed) and
    with every linked letter purged (or none). An open entry (overdue: no letter sent yet), or
    one with a letter newer than the cut-off, keeps them, so staff can still tell which case it
    is and its letters stay linked.

    Before that, what purges of earlier releases did to such entries is mended: a purged entry
    whose case was registered again beside it is removed (the entry registered again has the
    case), and a purged entry with a letter that is kept takes its case reference back from
    that letter."""
    report = RegisterPurge()
    if "decisions" not in db.table_names():
        return report
    kept_letter = f"l.purged_at IS NULL AND {LETTER_AGE.format(a='l.')} >= ?"
    with write_tx(db):
        duplicates = [r[0] for r in db.execute(
            "SELECT p.id FROM decisions p WHERE p.urn LIKE 'purged-%' AND EXISTS (SELECT 1 FROM decisions d"
            " WHERE d.team = p.team AND d.decision = p.decision AND d.urn_key = p.urn AND d.id != p.id"
            " AND d.urn NOT LIKE 'purged-%')").fetchall()]
        purged = {(team, decision, urn): (decision_id, decided) for decision_id, team, decision, urn, decided
                  in db.execute("SELECT id, team, decision, urn, decision_date FROM decisions"
                                " WHERE urn LIKE 'purged-%'").fetchall() if decision_id not in duplicates}
        restore: dict[int, tuple[str, str | None, str]] = {}
        if purged:
            for urn, team, decision, name in db.execute(
                    "SELECT l.urn, l.team, l.decision, l.victim_name FROM letters l WHERE l.urn IS NOT NULL"
                    f" AND l.urn NOT LIKE 'purged-%' AND {kept_letter} ORDER BY l.id", [cutoff]).fetchall():
                found = purged.get((team, decision, case_pseudonym(urn)))
                if found and urn.strip():
                    restore[found[0]] = (urn.strip(), name, found[1])  # the newest letter's
        report.merged, report.restored = len(duplicates), len(restore)
        candidates = db.execute(
            # closed: no letter needed, or one sent on or after the decision (one sent before it
            # is not its letter, and the entry stays open: decisions/store.py COUNTS_AS_SENT)
            "SELECT d.id, d.urn, d.letter_required = 0 OR d.letter_date >= d.decision_date"
            f" OR EXISTS (SELECT 1 FROM letters l WHERE {LINK} AND {COUNTS_AS_SENT}),"
            f" EXISTS (SELECT 1 FROM letters l WHERE {LINK} AND {kept_letter})"
            " FROM decisions d WHERE d.decision_date < ?"
            " AND (d.urn NOT LIKE 'purged-%' OR d.victim_name IS NOT NULL)", [cutoff, cutoff]).fetchall()
        to_purge = [(i, urn) for i, urn, closed, has_kept in candidates if closed and not has_kept]
        report.purged = len(to_purge)
        # Those given their reference back are kept too: each has a letter that is kept.
        report.kept = len(candidates) - len(to_purge) + sum(1 for *_, decided in restore.values()
                                                            if decided < cutoff)
        if dry_run:
            return report
        for decision_id in duplicates:
            db.execute("DELETE FROM decisions WHERE id = ?", [decision_id])
        for decision_id, (urn, name, _) in restore.items():
            db.execute("UPDATE decisions SET urn = ?, victim_name = COALESCE(victim_name, ?) WHERE id = ?",
                       [urn, name, decision_id])
        for decision_id, urn in to_purge:
            # (the free-text reason no letter was needed may name people too)
            db.execute("UPDATE decisions SET urn = ?, victim_name = NULL, no_letter_reason ="
                       " CASE WHEN no_letter_reason IS NULL THEN NULL ELSE '(purged)' END WHERE id = ?",
                       [urn if urn.startswith("purged-") else case_pseudonym(urn), decision_id])
        if report.changed:
            # Ids and counts only: no case reference or name goes into the audit log.
            audit.record(db, Actor("command line purge"), "decisions.purge", "decision", None, {
                "purged": [i for i, _ in to_purge], "reference_restored": sorted(restore),
                "duplicates_removed": duplicates, "before": cutoff})
    return report


def _purge_one(db: Database, letter_id: int) -> None:
    row = db.execute("SELECT urn FROM letters WHERE id = ?", [letter_id]).fetchone()
    urn = row[0] if row else None
    # The letter's decision keeps its link and status: it knows this pseudonym (its urn_key).
    # Whether the decision itself loses its reference is purge_register's to say.
    pseudonym = case_pseudonym(urn) if urn and not urn.startswith("purged-") else urn
    db.execute("UPDATE letters SET victim_name = NULL, urn = ?, source = NULL, purged_at = ?"
               " WHERE id = ?", [pseudonym, now(), letter_id])
    for vid, ctx in db.execute("SELECT id, context FROM versions WHERE letter_id = ?", [letter_id]).fetchall():
        context = {k: v for k, v in json.loads(ctx).items() if k not in ("victim_name", "urn", "suppress")}
        # (the text's hash goes too: with it, a guess at the letter could be confirmed)
        db.execute("UPDATE versions SET text = NULL, text_hash = '', context = ? WHERE id = ?",
                   [json.dumps(context), vid])
    # An idempotency key's stored request would confirm a guess at the letter in the same way.
    db.execute("DELETE FROM idempotency_keys WHERE letter_id = ?", [letter_id])
    for rid, res in db.execute("SELECT id, result FROM results WHERE letter_id = ?", [letter_id]).fetchall():
        data = json.loads(res)
        for f in data.get("findings", []):
            f["text"] = None
            f["message"] = ""
            f["suggestions"] = []
        db.execute("UPDATE results SET result = ? WHERE id = ?", [json.dumps(data), rid])
    db.execute("UPDATE findings SET text = NULL, message = NULL WHERE letter_id = ?", [letter_id])
    store.forget_judged_sources(db, letter_id)  # results kept to be worked out for another day
    db.execute("UPDATE suppressions SET term = NULL, reason = '(purged)' WHERE letter_id = ?", [letter_id])
    _purge_sent_reason(db, letter_id)
    panel_retention.purge_letter(db, letter_id)  # the panel's anonymised copy and comments too
    audit.record(db, Actor("command line purge"), "letter.purge", "letter", letter_id)


def _purge_sent_reason(db: Database, letter_id: int) -> None:
    """Why the letter went out before it was first saved here is free text, which may name
    people, as a "not a problem" reason may: it goes with the letter's text, from the letter and
    from its `letter.sent` audit entries (that one was given, and when, stays)."""
    db.execute("UPDATE letters SET sent_before_saved_reason = '(purged)' WHERE id = ?"
               " AND sent_before_saved_reason IS NOT NULL", [letter_id])
    for entry, detail in db.execute(
            "SELECT id, detail FROM audit_log WHERE object_type = 'letter' AND object_id = ? AND action = 'letter.sent'"
            " AND detail LIKE '%sent_before_saved_reason%'", [letter_id]).fetchall():
        data = json.loads(detail)
        if data.get("sent_before_saved_reason") is not None:
            data["sent_before_saved_reason"] = "(purged)"
            db.execute("UPDATE audit_log SET detail = ? WHERE id = ?", [json.dumps(data), entry])


def rescore_all(db: Database, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Re-score the latest version of every letter whose result has an older rules_version."""
    from vcl_qa import score_letter

    counts = {"rescored": 0, "current": 0, "purged": 0}
    current = score_letter(Letter(text="Dear reader\n")).rules_version
    ids = [r[0] for r in db.execute("SELECT id FROM letters ORDER BY id").fetchall()]
    actor = Actor("command line rescore")
    for letter_id in ids:
        row = db.execute("SELECT purged_at, rules_version FROM letters WHERE id = ?", [letter_id]).fetchone()
        if row is None:
            pass  # deleted meanwhile
        elif row[0]:
            counts["purged"] += 1
        elif row[1] == current:
            counts["current"] += 1  # no need to score it again to find that out
        elif _rescore_one(db, letter_id, actor) is not None:
            counts["rescored"] += 1
        else:
            counts["current"] += 1
        if progress:
            progress(letter_id)
    return counts


def _rescore_one(db: Database, letter_id: int, actor: Actor) -> dict | None:
    try:
        return service.rescore(db, letter_id, user=actor)
    except service.Conflict:  # still being changed by someone, who scores it with these rules
        return None


def rows_for(what: str, db: Database) -> tuple[Iterator[dict], list[str]]:
    if what == "findings":
        return finding_rows(db), FINDING_COLUMNS
    return result_rows(db), RESULT_COLUMNS


__all__ = ["import_folder", "purge", "purge_all", "rescore_all", "rows_for", "write_export", "Actor",
           "ImportReport", "PurgeReport", "RegisterPurge", "case_pseudonym"]
