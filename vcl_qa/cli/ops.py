"""Operations commands: backup, restore, status."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from vcl_qa import clock
from vcl_qa.cli import database
from vcl_qa.engine.dates import long_date
from vcl_qa.db import migrate, open_db
from vcl_qa.ops import backup as backups
from vcl_qa.ops import status as status_mod

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _existing_db() -> Path:
    """The database path, which must hold a database: these commands never create one (exit 2,
    as every such command: vcl_qa/cli/database.py). Never migrated here: a backup or a status
    leaves the file as it found it."""
    path = database.database_path()
    why = database.problem(path)
    if why:
        _fail(why)
    database.announce(path, machine=True)
    return path


def _fail(message: str, code: int = 2) -> None:
    err.print(message, markup=False)
    sys.exit(code)


@click.command("backup")
@click.argument("path", type=click.Path())
def backup_cmd(path: str) -> None:
    """Copy the database to PATH while the server runs: a new file, or a folder for a dated file
    (a PATH ending in / is made if missing). A manifest PATH.json goes beside it; both are
    readable by their owner only."""
    source = _existing_db()
    try:
        manifest = backups.backup(source, path)
    except backups.BackupError as exc:
        _fail(str(exc), 1 if "integrity" in str(exc) else 2)
    db = open_db(source)
    try:
        status_mod.record_backup(db, manifest)
    finally:
        db.close()
    counts = manifest["row_counts"]
    err.print(f"Backed up {counts.get('letters', 0)} letters, {counts.get('users', 0)} users and "
              f"{counts.get('decisions', 0)} register decisions; integrity check "
              f"{manifest['integrity_check']}.", markup=False)
    err.print(f"Manifest: {backups.manifest_path(Path(manifest['path']))}", markup=False)
    click.echo(manifest["path"])


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the database that is there (it is first copied aside; a damaged one "
                   "byte for byte).")
@click.option("--allow-no-letters", is_flag=True,
              help="Allow a backup holding no letters to replace a database that holds some.")
def restore_cmd(path: Path, force: bool, allow_no_letters: bool) -> None:
    """Put the backup at PATH in place of the database (VCL_QA_DB), after checking it is a sound
    vcl-qa database. An existing database is replaced only with --force, and is first copied
    aside (a damaged one byte for byte); one holding letters is replaced by a backup holding
    none only with --allow-no-letters as well."""
    import sqlite3

    target = database.database_path()
    database.announce(target, machine=True)
    try:
        out = backups.restore(path, target, force=force, allow_no_letters=allow_no_letters)
    except backups.BackupError as exc:
        _fail(str(exc))
    except (sqlite3.Error, OSError) as exc:
        _fail(f"The restore failed ({exc}). The database at {target} may not have been replaced; "
              f"any copy put aside is beside it as {target.name}.before-restore-TIME", 1)
    replaced_backups = (backups.backups_recorded(Path(out["previous"]), damaged=bool(out["damaged"]))
                        if out["previous"] else [])
    db = open_db(target)
    try:
        upgraded = migrate(db)  # a backup from an older release gets today's tables
        status_mod.record_restore(db, out, path, _login(), replaced_backups)
    finally:
        db.close()
    counts = out["row_counts"]
    made = _uk_when((out.get("manifest") or {}).get("created_at"))
    letters, users = counts.get('letters', 0), counts.get('users', 0)
    err.print(f"Restored {letters} letter{'' if letters == 1 else 's'} and {users} user{'' if users == 1 else 's'}"
              + (f" from the backup made {made}" if made else "") + "; integrity check ok.", markup=False)
    if out["damaged"]:
        err.print(f"The database that was there was damaged ({out['damaged']}); it is kept, byte "
                  f"for byte, at {out['previous']}", markup=False)
    elif out["previous"]:
        err.print(f"The database that was there is kept at {out['previous']}", markup=False)
    if out["previous"]:
        _say_what_was_lost(out)
        err.print("That copy holds every letter's text and names as they were, purged ones too: "
                  "`vcl-qa purge` removes it once it is older than the letters' retention period "
                  "(`vcl-qa status` lists it meanwhile). Remove it yourself once it is not needed.",
                  markup=False)
    if out["replaced_file"]:
        err.print("SQLite could not open the damaged file, so the file itself was replaced: "
                  "restart the server if it is running.", markup=False)
    if upgraded:
        err.print(f"Upgraded to this release: {', '.join(upgraded)}", markup=False)


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        import os

        return f"uid {os.getuid()}"


def _uk_when(stamp: str | None) -> str | None:
    """A manifest's time (UTC) on the UK's clock, as `vcl-qa status` gives the last backup's: the
    UTC text put a backup made at 00:30 on a summer's night on the evening before. Text that is
    not a time (a manifest edited by hand) is given as it is."""
    if not stamp:
        return None
    try:
        return clock.uk_when(stamp)
    except (TypeError, ValueError):
        return str(stamp)


def _say_what_was_lost(out: dict) -> None:
    """Which letters the restore could not bring back, and that their ids stay unused."""
    kept, lost, changed = out.get("ids_kept"), out["letters_lost"], out["letters_changed"]
    if kept is None:
        err.print("The ids the database that was there had handed out could not be read (it is "
                  "damaged): an id given out after the backup may be given out again.", markup=False)
        return
    if lost:
        err.print(f"{len(lost)} letter{'s' if len(lost) != 1 else ''} made after the backup "
                  f"{'are' if len(lost) != 1 else 'is'} not in the restored database (only in the "
                  f"copy kept aside): id{'s' if len(lost) != 1 else ''} {status_mod.id_ranges(lost)}. "
                  "Tell anyone who keeps these ids (the case system): they will never be given to "
                  "another letter.", markup=False)
    if changed:
        err.print(f"{len(changed)} letter{'s' if len(changed) != 1 else ''} changed after the backup "
                  f"(a new version, sent or purged) {'are' if len(changed) != 1 else 'is'} back as "
                  f"the backup held {'them' if len(changed) != 1 else 'it'}: "
                  f"id{'s' if len(changed) != 1 else ''} {status_mod.id_ranges(changed)}.", markup=False)
    versions = out.get("versions_kept") or {}
    if versions:
        shown = sorted(versions.items())
        examples = ", ".join(f"letter {i} at version {n + 1}" for i, n in shown[:3])
        err.print(f"{len(shown)} letter{'s' if len(shown) != 1 else ''} had versions made after the backup: "
                  f"{'their' if len(shown) != 1 else 'its'} next version is numbered after the highest "
                  f"{'they' if len(shown) != 1 else 'it'} had, so no version number is given twice "
                  f"({examples}{', ...' if len(shown) > 3 else ''}).", markup=False)
    if kept.get("letters"):
        err.print(f"New letters start after id {kept['letters']}: no id handed out before the "
                  "restore is used again.", markup=False)


def purge_by_retention(db, dry_run: bool) -> None:
    """`vcl-qa purge` with no --older-than: apply the retention settings."""
    from vcl_qa.ops import retention

    try:
        keep = retention.settings()
    except ValueError as exc:
        _fail(str(exc))
    report = retention.apply(db, keep, dry_run=dry_run)
    verb = "Would purge" if dry_run else "Purged"
    if keep.letters_days is None:
        err.print("Letters: kept until purged by hand (VCL_QA_KEEP_LETTERS_DAYS=never).")
    else:
        err.print(f"{verb} {report['letters']} letters older than {keep.letters_days} days "
                  f"(before {long_date(report['letters_cutoff'])}): text and personal details removed, "
                  "anonymous scores kept.", markup=False)
        err.print(report["register"].describe(report["letters_cutoff"], dry_run=dry_run), markup=False)
    if keep.audit_days is None:
        err.print("Audit log: kept for good (VCL_QA_KEEP_AUDIT_DAYS=never).")
    else:
        err.print(f"{'Would remove' if dry_run else 'Removed'} {report['audit']} audit entries older "
                  f"than {keep.audit_days} days (before {long_date(report['audit_cutoff'])}).", markup=False)
    path = database.database_path()
    copies = retention.set_aside_copies(path)
    if keep.letters_days is None:
        if copies:
            err.print(f"Copies set aside by a restore: {len(copies)} kept (letters are kept until "
                      "purged by hand); remove them yourself when they are not needed.", markup=False)
        return
    removed = retention.remove_set_aside(db, path, keep.letters_days, dry_run=dry_run)
    for copy in removed:  # the UK day of the restore, as `status` names it (copy.made is UTC)
        err.print(f"{'Would remove' if dry_run else 'Removed'} the copy set aside by the restore of "
                  f"{clock.uk_date(copy.made):%-d %B %Y} ({copy.path.name}): older than "
                  f"{keep.letters_days} days, it held letter text and names.", markup=False)
    if len(copies) > len(removed):
        err.print(f"Kept {len(copies) - len(removed)} cop{'ies' if len(copies) - len(removed) != 1 else 'y'} "
                  f"set aside by a restore within the last {keep.letters_days} days (`vcl-qa status` "
                  "lists them).", markup=False)


@click.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status_cmd(fmt: str) -> None:
    """Database size, letters by status, the oldest letter still holding its text, the last
    backup, and what is overdue. Exit 1 when something needs doing."""
    path = _existing_db()
    db = open_db(path)
    try:
        facts = status_mod.gather(db, path)
    except ValueError as exc:  # a retention setting that is not a number of days
        _fail(str(exc))
    finally:
        db.close()
    click.echo(json.dumps(facts, indent=2) if fmt == "json" else status_mod.render(facts))
    sys.exit(1 if facts["warnings"] else 0)
