"""Service commands: init, serve, users, import, export, purge, rescore, demo-setup."""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from vcl_qa import clock, config
from vcl_qa.cli import database
from vcl_qa.errors import LetterError
from vcl_qa.letters import bulk
from vcl_qa.ops import rescore as ops_rescore
from vcl_qa.reports import exports
from vcl_qa.db import users as user_store

err = Console(stderr=True)
ROLES = list(user_store.ROLES)
DEMO_TEAM = "demo"
DEMO_PANEL_PERIODS = ["2024Q4", "2025Q2"]


@click.command()
def init() -> None:
    """Create the database (VCL_QA_DB, default ./vcl_qa.db) if there is none, and bring it up to
    date. Running it again changes nothing."""
    path = database.database_path()
    new = not path.exists() or path.stat().st_size == 0
    db = database.create_or_open()
    try:
        letters = db["letters"].count
        decisions = db["decisions"].count
        users_count = db["users"].count
    finally:
        db.close()
    if new:
        click.echo("Created a new, empty database. Next: `vcl-qa users add NAME --role admin`, "
                   "`vcl-qa import FOLDER` or `vcl-qa import-decisions FILE.csv`.")
    else:
        click.echo(f"The database is up to date: {letters} letters, {decisions} decisions, "
                   f"{users_count} users.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Server processes.")
@click.option("--root-path", default="", help="The path prefix a reverse proxy serves this under "
              "(for example /vcl-qa); the proxy removes it before passing requests on.")
def serve(host: str, port: int, workers: int, root_path: str) -> None:
    """Run the API and web pages (database from VCL_QA_DB, default ./vcl_qa.db; created if
    there is none)."""
    import uvicorn

    if root_path and (not root_path.startswith("/") or root_path.startswith("//")):
        raise click.BadParameter("give a path that starts with / (for example /vcl-qa)", param_hint="--root-path")
    from vcl_qa.config import daily_storage_chars

    try:  # a mistyped setting stops the service here, not at someone's save
        daily_storage_chars()
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    db = database.create_or_open(machine=True)  # migrate once here, before the workers start
    db.close()
    # The workers open the same file, whatever folder they start in.
    os.environ["VCL_QA_DB"] = str(database.database_path())
    if clock.offset():
        from vcl_qa.engine.dates import long_date

        err.print(f"Warning: {clock.OFFSET_ENV} sets this service's clock "
                  f"{clock.offset().total_seconds() / 3600:+.2f} hours away from the machine's, so today is {long_date(clock.today())} here. It is for tests: unset "
                  "it in service.", markup=False, highlight=False, soft_wrap=True)
    from vcl_qa.ops.status import classifier_problem, classifier_warning

    problem = classifier_problem(thorough=False)  # (its files: loading it here would cost the
    if problem:                                    # supervisor of several workers its memory)
        err.print("Warning: " + classifier_warning(problem), markup=False, highlight=False, soft_wrap=True)
    err.print(f"Serving http://{host}:{port}{root_path.rstrip('/')}/ (pages and, under /api/v1, the API); "
              "stop with Ctrl+C.", markup=False, highlight=False)
    # Access logs are off: request lines can carry search words or names.
    from vcl_qa.ops import metrics

    metrics.prepare_workers(workers)  # one folder for the workers' counters
    config = uvicorn.Config("api.main:app", host=host, port=port, workers=workers,
                            access_log=False, log_level="warning", root_path=root_path.rstrip("/"))
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[_listening_socket(host, port)]).run()
    else:
        uvicorn.Server(config).run()


def _listening_socket(host: str, port: int):
    """The shared socket for several workers, with Nagle off: uvicorn's own leaves it on, and
    each small response then waits ~40 ms for the client's delayed ACK."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@click.group()
def users() -> None:
    """Manage users and their API tokens."""


def _cmd(*words: str) -> str:
    """A command as the admin would type it (a name with spaces or quotes quoted for the shell)."""
    return " ".join(shlex.quote(w) for w in words)


def _record(db, name: str):
    """The user called `name` as the admin pages list them (switched off or not), or None."""
    return next((u for u in user_store.all_users(db) if u.name == name), None)


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--team", default=None, help="Team (required for staff).")
@click.option("--expires-days", type=click.IntRange(1, user_store.MAX_TOKEN_DAYS), default=None,
              help="The token stops working after this many days (default: never).")
def users_add(name: str, role: str, team: str | None, expires_days: int | None) -> None:
    """Add a user and print their new API token (shown once). Creates the database if needed."""
    db = database.create_or_open(machine=True)
    try:
        user, token = user_store.add_user(db, name, role, team, actor=bulk.Actor(),
                                          expires_days=expires_days)
    except user_store.UserExists as exc:
        existing = _record(db, exc.name)
        if existing is not None and existing.disabled:
            raise click.ClickException(
                f"{exc}, switched off; switch them back on (with a new token) with "
                f"'{_cmd('vcl-qa', 'users', 'enable', exc.name)}'") from None
        raise click.ClickException(f"{exc}; use '{_cmd('vcl-qa', 'users', 'token', exc.name)}' for a "
                                   "new token") from None
    except LetterError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
    err.print(f"Added {user.name} ({user.role}{', team ' + user.team if user.team else ''}). "
              "This token is shown once; keep it safe:", markup=False, highlight=False)
    click.echo(token)


@users.command("token")
@click.argument("name")
@click.option("--expires-days", type=click.IntRange(1, user_store.MAX_TOKEN_DAYS), default=None,
              help="The token stops working after this many days (default: never).")
def users_token(name: str, expires_days: int | None) -> None:
    """Issue a new token for NAME and print it once: the old one stops working and NAME's web
    sessions end. A switched-off user stays off (see `users enable`)."""
    db = database.existing(machine=True)
    user = user_store.user_by_name(db, name)
    if user is None:
        raise click.ClickException(f"no user called '{name}' (see 'vcl-qa users list')")
    try:
        click.echo(user_store.reset_token(db, user.id, actor=bulk.Actor(), expires_days=expires_days))
    except user_store.UserDisabled:
        raise click.ClickException(
            f"'{name}' is switched off, and a new token would not let them in; to let them back "
            f"in, switch them on (with a new token) with '{_cmd('vcl-qa', 'users', 'enable', name)}'") from None


@users.command("enable")
@click.argument("name")
@click.option("--expires-days", type=click.IntRange(1, user_store.MAX_TOKEN_DAYS), default=None,
              help="The new token stops working after this many days (default: never).")
def users_enable(name: str, expires_days: int | None) -> None:
    """Switch a switched-off user back on and print their new token once (switching off
    destroyed the old one). Recorded in the audit log."""
    db = database.existing(machine=True)
    user = _record(db, name)
    if user is None:
        raise click.ClickException(f"no user called '{name}' (see 'vcl-qa users list')")
    try:
        token = user_store.enable_user(db, user.id, actor=bulk.Actor(), expires_days=expires_days)
    except user_store.UserSwitchedOn:
        raise click.ClickException(f"'{name}' is already switched on, so cannot be switched back on; for a new "
                                   f"token use '{_cmd('vcl-qa', 'users', 'token', name)}'") from None
    err.print(f"Switched {user.name} back on ({user.role}{', team ' + user.team if user.team else ''}). "
              "This token is shown once; keep it safe:", markup=False, highlight=False)
    click.echo(token)


@users.command("list")
def users_list() -> None:
    """List users, switched-off ones too, with when each token expires (never the tokens), on
    the UK's clock as the pages and `vcl-qa status` give times: stored in UTC, an expiry at 23:30
    UTC in summer is 00:30 the next day in the UK."""
    db = database.existing()
    now = clock.now().replace(microsecond=0).isoformat()
    table = Table("id", "name", "role", "team", "on/off", "token expires (UK time)")
    for u in user_store.all_users(db):
        if u.disabled:
            expires = "-"
        elif u.token_expires_at is None:
            expires = "never"
        else:
            expires = clock.uk_when(u.token_expires_at)
            if u.token_expires_at <= now:
                expires += " (expired)"
        # Text, not markup: a name such as '[bold]x[/]' is shown as it is stored.
        table.add_row(str(u.id), Text(u.name), Text(u.role), Text(u.team or ""),
                      "off" if u.disabled else "on", expires)
    Console(highlight=False).print(table)


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sent", is_flag=True, help="Store the letters as sent on their letter_date.")
@click.option("--team", default=None,
              help="The team the letters are for: one the service knows (a user, a letter or a decision "
                   "has it). Left out: 'default', while no team has users, letters or decisions.")
def import_cmd(folder: Path, sent: bool, team: str | None) -> None:
    """Store every letter file in FOLDER, reporting what failed and why (every problem of each
    file). Creates the database if needed."""
    db = database.create_or_open(machine=True)
    team = _import_team(db, team)
    report = _import(db, folder, team, sent)
    sys.exit(1 if report.failed else 0)


# The team letters imported with no --team go to while the service has none (a new database).
IMPORT_TEAM = "default"


def _import_team(db, team: str | None) -> str:
    """The team to import for: --team when the service knows it (a user, a letter or a decision
    has it) or knows none yet; left out, 'default' while it knows none (or knows 'default').
    Anything else is refused before a file is read (exit 2): the letters went to team 'default'
    unsaid, or to a misspelt team, where no staff member's list or team figures showed them."""
    from vcl_qa.db import teams
    from vcl_qa.decisions.register import NEW_TEAM

    known = teams.known_teams(db)
    if team is None:
        if not known or IMPORT_TEAM in known:
            return IMPORT_TEAM
        listed = ", ".join(f"'{t}'" for t in known[:teams.LISTED])
        more = f" and {len(known) - teams.LISTED} more" if len(known) > teams.LISTED else ""
        raise click.UsageError(f"say which team the letters are for, with --team: the teams are {listed}{more}; "
                               "nothing was stored")
    if known and team not in known:
        new = NEW_TEAM.replace("import the file again", "import the folder again")
        raise click.BadParameter(f"{teams.unknown_team_message(team, known)}; nothing was stored{new}",
                                 param_hint="--team")
    return team


def _import(db, folder: Path, team: str, sent: bool) -> bulk.ImportReport:
    files = bulk.letter_files(folder)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Importing", total=len(files))
        report = bulk.import_folder(db, folder, team, sent=sent,
                                    progress=lambda _p: progress.advance(task))
    err.print(f"Stored {len(report.stored)}, new versions {len(report.versions)}, marked sent "
              f"{len(report.marked_sent)}, already there {len(report.skipped)}, failed "
              f"{len(report.failed)} (team {team}).", markup=False, highlight=False)
    # (new files stored as sent count in "marked sent" too; a line each only for stored drafts)
    new = set(report.stored)
    sent_now = {path: (letter_id, day) for path, letter_id, day in report.marked_sent if path not in new}
    for path, letter_id, version in report.versions:
        err.print(f"  {path}: changed since it was stored as letter {letter_id}: stored as version "
                  f"{version} of it", markup=False, highlight=False)
    for path, (letter_id, day) in sent_now.items():
        err.print(f"  {path}: letter {letter_id} marked as sent on {day} (--sent)",
                  markup=False, highlight=False)
    for path, why in report.failed:
        err.print(f"  {path}: {why}", markup=False, highlight=False)
    return report


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--what", type=click.Choice(["results", "findings"]), default="results", show_default=True,
              help="One row per letter (latest result) or per finding.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def export(fmt: str, what: str, output: Path | None) -> None:
    """Export results or findings (no letter text, no personal details)."""
    db = database.existing(machine=True)
    rows, columns = bulk.rows_for(what, db)
    if what == "results":  # the time limit, on time or not, working days late (review 11a, finding 7)
        rows, columns = exports.with_timeliness(rows), [*columns, *exports.RESULT_TIMELINESS_COLUMNS]
    if output:
        # Created 0600: an export holds case details (never letter text), for its owner only.
        if not output.parent.is_dir():
            database.fail(f"There is no folder {output.parent.resolve()}: make it first, or write the export elsewhere")
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            database.fail(f"Cannot write {output}: {exc.strerror or exc}")
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, 0o600)  # an older export file kept its looser mode
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            n = bulk.write_export(rows, columns, fmt, fh)
        err.print(f"Wrote {n} rows to {output}")
    else:
        bulk.write_export(rows, columns, fmt, sys.stdout)


@click.command()
@click.option("--older-than", "days", default=None, type=click.IntRange(min=0),
              help="Age in days. Without it: the retention settings (VCL_QA_KEEP_LETTERS_DAYS, "
                   "VCL_QA_KEEP_AUDIT_DAYS), for letters and audit entries.")
@click.option("--dry-run", is_flag=True, help="Only say how many letters and register entries would be purged.")
def purge(days: int, dry_run: bool) -> None:
    """Remove letter text and personal details from old letters, keeping anonymous scores."""
    db = database.existing(machine=True)
    if days is None:  # the retention settings (vcl_qa/ops/retention.py)
        from vcl_qa.cli.ops import purge_by_retention

        return purge_by_retention(db, dry_run)
    report = bulk.purge_all(db, days, dry_run=dry_run)
    if (report.letters or report.register.changed) and not dry_run:
        from vcl_qa.ops.retention import scrub

        scrub(db)  # the purged words gone from the file too
    verb = "Would purge" if dry_run else "Purged"
    err.print(f"{verb} {len(report.letters)} letters older than {days} days.")
    err.print(report.register.describe(report.cutoff, dry_run=dry_run), markup=False, soft_wrap=True,
              highlight=False)


@click.command()
def rescore() -> None:
    """Re-score the latest version of every letter with the current rules (old results kept)."""
    db = database.existing(machine=True)
    total = db.execute("SELECT count(*) FROM letters").fetchone()[0]
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Re-scoring", total=total)
        counts, moved = ops_rescore.rescore_all(db, progress=lambda _i: progress.advance(task))
    err.print(f"Re-scored {counts['rescored']}, already current {counts['current']}, "
              f"purged (no text) {counts['purged']}.")
    err.print(ops_rescore.describe(moved), markup=False)


def _sample_folder() -> Path:
    return config.samples_dir()


@click.command("demo-setup")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Letters to load (default: the project's sample_letters/).")
def demo_setup(folder: Path | None) -> None:
    """Prepare a demo database: sample letters as sent, the sample decisions register, one user
    per role (two panel members) with a token, and a panel sample drawn for two periods."""
    from vcl_qa.decisions.register import import_sample
    from vcl_qa.panel import sampling

    db = database.create_or_open(machine=True)
    folder = folder or _sample_folder()
    if folder.is_dir():
        _import(db, folder, DEMO_TEAM, sent=True)
    report = import_sample(db)
    err.print(f"Decisions register: {report.created} added, {report.updated} updated, "
              f"{report.unchanged} unchanged, {len(report.failed)} failed.")
    table = Table("role", "user", "token", title="Demo sign-in tokens (shown once)")
    users = {}
    for role, name in [(r, f"demo-{r}") for r in ROLES] + [("panel", "demo-panel-2")]:
        user = user_store.user_by_name(db, name)
        if user is None:
            user, token = user_store.add_user(db, name, role, DEMO_TEAM if role in ("staff", "manager") else None)
        else:
            token = user_store.reset_token(db, user.id)
        users[name] = user
        table.add_row(role, name, token)
    for period in DEMO_PANEL_PERIODS:
        try:
            drawn = sampling.draw(db, users["demo-manager"], period)
            err.print(f"Panel period {period}: {drawn['letters']} letters drawn for review, "
                      f"{drawn['assigned']} reviews assigned.")
        except Exception as exc:  # already rated: keep the panel's work
            err.print(f"Panel period {period}: kept as it is ({exc}).")
    Console(width=200).print(table)
    click.echo("Sign in to the pages at http://127.0.0.1:8000/sign-in with a token above.")
    click.echo("Use a token as:  curl -H 'Authorization: Bearer TOKEN' "
               "http://127.0.0.1:8000/api/v1/letters   (docs/api.md has more)")
