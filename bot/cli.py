"""The `transition-bot` command line."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from bot import logs
from bot.config import ConfigError, Settings, load_settings, require
from bot.i18n import parse_lang
from storage.db import Database

log = logging.getLogger("transition-bot")
cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="A Slack bot that carries a sales team through the Linksys → Cisco partner migration.",
)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line to stderr and return the Exit to raise."""
    typer.echo(f"transition-bot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit(*, required: str | None = None, **overrides: object) -> Settings:
    """Load settings, with the key `required` set; a bad or missing key stops here with one line naming it."""
    try:
        settings = load_settings(**overrides)
        if required:
            require(settings, required)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    logs.configure(settings.log_level)
    return settings


def migrated_database(settings: Settings) -> Database:
    """Open the database and apply pending migrations, or stop with a clear line."""
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        applied = upgrade(db)
    except Exception as exc:
        raise fail(
            f"DATABASE_URL: cannot open or migrate the database ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200]})"
        ) from None
    if applied:
        log.info("database migrated to %s", applied[-1])
    return db


@cli.command()
def run(
    port: Annotated[int | None, typer.Option(help="HTTP port (default: PORT)")] = None,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler", help="Do not run the nudge scheduler here")] = False,
) -> None:
    """Run the bot: HTTP mode on a production server, or Socket Mode when SLACK_APP_TOKEN is set."""
    from bot.memory import cap_malloc_arenas, fix_mmap_threshold

    cap_malloc_arenas()  # before any thread starts: arenas glibc has made stay
    fix_mmap_threshold()
    settings = settings_or_exit()
    try:
        require(settings, "SLACK_BOT_TOKEN")
        if not settings.slack_app_token:
            require(settings, "SLACK_SIGNING_SECRET")
    except ConfigError as exc:
        raise fail(str(exc)) from None
    for doubt in settings.doubtful_ids():
        log.warning(doubt)
    from bot.app import build_runtime, create_app

    db = migrated_database(settings)
    rt = build_runtime(settings, db=db)
    try:
        app = create_app(rt)
    except Exception as exc:
        raise fail(f"SLACK_BOT_TOKEN: Slack refused the token or could not be reached ({type(exc).__name__})") from None
    scheduler = None
    stop_metrics = None
    try:
        if settings.metrics_address is not None:
            from bot.server import serve_metrics

            stop_metrics = serve_metrics(*settings.metrics_address)
        if not no_scheduler:
            from bot.nudges.scheduler import start_scheduler

            scheduler = start_scheduler(rt)
        if settings.slack_app_token:
            _serve_socket_mode(app, settings.slack_app_token)
        else:
            from bot.server import router_for, serve

            limit = settings.max_request_bytes
            serve(router_for(app, rt), port=port or settings.port, threads=settings.http_threads, max_body=limit)
    except ConfigError as exc:  # PORT or METRICS_BIND cannot be listened on
        raise fail(str(exc)) from None
    finally:
        if stop_metrics is not None:
            stop_metrics()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        db.dispose()


def _serve_socket_mode(app: Any, app_token: str) -> None:
    """Serve over Socket Mode; an app token Slack refuses stops here with one line naming it."""
    from slack_sdk.errors import SlackApiError

    from bot.socket_mode import serve_socket_mode, socket_mode_handler

    log.info("starting in Socket Mode")
    try:
        serve_socket_mode(socket_mode_handler(app, app_token))
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        raise fail(f"SLACK_APP_TOKEN: Slack refused the app token ({error or 'no reason given'})") from None
    except OSError as exc:
        raise fail(f"SLACK_APP_TOKEN: Slack could not be reached to open Socket Mode ({type(exc).__name__})") from None


@cli.command()
def scheduler() -> None:
    """Run only the nudge scheduler (for deployments with several `run --no-scheduler` workers)."""
    settings = settings_or_exit(required="SLACK_BOT_TOKEN")
    from bot.app import build_runtime
    from bot.nudges.scheduler import run_scheduler_forever

    db = migrated_database(settings)
    run_scheduler_forever(build_runtime(settings, db=db))


@cli.command()
def migrate() -> None:
    """Apply pending database migrations and exit."""
    settings = settings_or_exit()
    migrated_database(settings)
    typer.echo("database is up to date")


@cli.command()
def manifest(
    request_url: Annotated[
        str, typer.Option(help="Public URL of POST /slack/events")
    ] = "https://example.com/slack/events",
    socket_mode: Annotated[
        bool | None,
        typer.Option("--socket-mode/--http", help="Default: Socket Mode when SLACK_APP_TOKEN is set"),
    ] = None,
) -> None:
    """Print the Slack app manifest (JSON) for "create app from manifest"."""
    from bot.manifest import build_manifest

    settings = settings_or_exit()
    typer.echo(
        json.dumps(
            build_manifest(settings, request_url=request_url, socket_mode=socket_mode),
            indent=2,
            ensure_ascii=False,
        )
    )


@cli.command()
def console(
    demo: Annotated[bool, typer.Option("--demo", help="Load about 50 sample partners")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this Slack user ID")] = None,
    today: Annotated[
        str | None, typer.Option(help="Simulated date (YYYY-MM-DD); --demo picks one in the window")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Read the bot in this language: en or fr (default: your user's)")
    ] = None,
) -> None:
    """Drive the whole bot from the terminal against a simulated Slack; reads standard input."""
    from bot.console import run_console

    settings = settings_or_exit()
    if "log_level" not in settings.model_fields_set:
        logs.configure("WARNING")  # the terminal is the conversation; INFO lines would drown it
    try:
        simulated = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise fail(f"--today: {today!r} is not a date like 2008-09-02") from None
    language = parse_lang(lang) if lang else None
    if lang and language is None:
        raise fail(f"--lang: {lang!r} is not en or fr")
    db = migrated_database(settings)
    code = run_console(
        settings,
        db=db,
        demo=demo,
        as_user=as_user,
        today=simulated,
        stdin=sys.stdin,
        stdout=sys.stdout,
        lang=language,
    )
    raise typer.Exit(code)


@cli.command()
def nudge(
    now: Annotated[bool, typer.Option("--now", help="Run one round at once, whatever the day or hour")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send again even if today's round went out, even while paused")
    ] = False,
) -> None:
    """Run one nudge round now (same content and once-per-day keys as the scheduled one), then exit."""
    if not now:
        raise fail("nudge: say --now to run a round now (the scheduled rounds run inside `run` or `scheduler`)")
    settings = settings_or_exit(required="SLACK_BOT_TOKEN")
    from bot.app import build_runtime
    from bot.errors import BotError
    from bot.nudges.service import run_now
    from storage.db import DatabaseUnavailable

    db = migrated_database(settings)
    try:
        report = run_now(build_runtime(settings, db=db), actor="cli", force=force)
    except BotError as exc:
        raise fail(exc.user_text().replace("*", ""), code=1) from None
    except DatabaseUnavailable:
        raise fail("DATABASE_URL: the database stopped answering during the round; run it again", code=1) from None
    finally:
        db.dispose()
    typer.echo(f"nudge round: {report.line()}")
    if report.closed:
        typer.echo("the deadline has passed: only the closing summary can go out")
    if report.failed:  # for cron: some nudges did not go out (the log says why); running again retries them
        raise typer.Exit(1)


@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr (only on a terminal), fed with (stage, done, total)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield advance


@cli.command("import-partners")
def import_partners(
    file: Annotated[Path, typer.Argument(help="CSV or .xlsx with partner_id,name,country,owner_email[,status]")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and report; write nothing")] = False,
) -> None:
    """Import partners: every line is checked first, and nothing is imported when one is bad."""
    from bot.app import build_runtime
    from bot.partners.io import FileRefused
    from bot.partners.io import import_partners as run_import

    settings = settings_or_exit()
    try:
        if file.stat().st_size > settings.import_max_bytes:
            raise fail(f"{file}: larger than IMPORT_MAX_BYTES ({settings.import_max_bytes:,} bytes)", code=1)
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"{file}: cannot read the file ({exc.strerror})") from None
    db = migrated_database(settings)
    rt = build_runtime(settings, db=db)
    lookups = bool(settings.slack_bot_token)
    if not lookups:
        typer.echo(
            "SLACK_BOT_TOKEN is not set: owners are not looked up in Slack now; "
            "each is matched by e-mail when they first use the bot.",
            err=True,
        )
    try:
        with progress_bar() as progress:
            report = run_import(
                rt,
                data,
                source_name=file.name,
                dry_run=dry_run,
                resolve_owners=lookups,
                progress=progress,
                max_rows=settings.import_max_rows,
            )
    except FileRefused as exc:
        raise fail(f"{file}: {exc}", code=1) from None
    finally:
        db.dispose()
    for error in report.errors:
        typer.echo(f"{file.name}: {error}", err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if report.errors:
        raise fail(f"{len(report.errors)} bad line(s) in {file.name}: nothing was imported", code=1)
    done = "checked, would import" if dry_run else "imported"
    typer.echo(
        f"{done} {report.rows} partners: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.registered} became registered"
        + (f"; {len(report.unknown)} IDs not in the partner list left out" if report.unknown else "")
        + (" (dry run: nothing was written)" if dry_run else "")
    )


@cli.command("export-partners")
def export_partners(
    file: Annotated[Path, typer.Argument(help="Where to write it: an Excel workbook when it ends in .xlsx, else CSV")],
) -> None:
    """Export every partner (.xlsx or CSV): partner_id,name,country,owner_email,status,updated_at,updated_by,note…"""
    from bot.app import build_runtime
    from bot.partners.io import export_partners as run_export
    from bot.partners.io import export_xlsx

    settings = settings_or_exit()
    db = migrated_database(settings)
    rt = build_runtime(settings, db=db)
    if str(file) == "-":
        count = run_export(rt, sys.stdout)
    else:
        partial = file.with_name(file.name + ".partial")
        try:
            if file.suffix.lower() == ".xlsx":  # the workbook `/partner export xlsx` sends
                data, count = export_xlsx(rt)
                partial.write_bytes(data)
            else:
                with open(partial, "w", newline="", encoding="utf-8") as out:
                    count = run_export(rt, out)
            partial.replace(file)
        except OSError as exc:
            partial.unlink(missing_ok=True)  # half a file left behind would look like an export
            raise fail(f"{file}: cannot write the file ({exc.strerror})") from None
    db.dispose()
    typer.echo(f"exported {count} partners to {file}", err=str(file) == "-")


def main() -> None:
    """Entry point of the `transition-bot` script."""
    try:
        cli()
    except ConfigError as exc:
        typer.echo(f"transition-bot: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
