"""`learnbot nudges plan`, `learnbot calendar import` and `learnbot worker` (lazy imports)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.app import App

nudges_app = typer.Typer(help="Nudges: dry-run the planner for a learner.")
calendar_app = typer.Typer(help="Calendars: import a learner's .ics file.")

UserOpt = Annotated[
    str, typer.Option("--user", help="A terminal user name, slack:TEAM:USER or teams:TENANT:USER.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def register(app: typer.Typer) -> None:
    """Attach the nudge commands to the main CLI."""
    app.add_typer(nudges_app, name="nudges")
    app.add_typer(calendar_app, name="calendar")
    app.command("worker")(worker)


def _now(value: str | None, core: App) -> datetime:
    from bot.cli import fail

    if value is None:
        return core.services.clock.now()
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise fail(f"--now '{value}' is not an ISO time, e.g. 2026-11-23T09:00:00Z", 2) from err
    if at.tzinfo is None:
        raise fail(f"--now '{value}' has no time zone; add Z or an offset like +01:00", 2)
    return at


def _read(path: Path, limit: int) -> bytes:
    from bot.cli import fail

    if not path.is_file():
        raise fail(f"calendar file not found: {path}", 2)
    if path.stat().st_size > limit:
        raise fail(f"{path.name} is larger than {limit / 1_048_576:.0f} MB, the calendar limit")
    return path.read_bytes()


@nudges_app.command("plan")
def plan_command(
    user: UserOpt,
    calendar: Annotated[
        Path | None, typer.Option("--calendar", help="Plan around this .ics file instead.")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="Days ahead.")] = 7,
    now: Annotated[
        str | None, typer.Option("--now", help="Plan as of this ISO time (default: now).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Dry-run the planner for one learner: nothing is stored or sent."""
    from bot.cli import emit_json, fail, open_app, parse_user
    from bot.features.paths.state import dry_run
    from nudges.calendar import CalendarError, parse_calendar
    from nudges.service import nudge_service

    identity = parse_user(user)
    core = open_app()
    at = _now(now, core)
    services = core.services
    learner = services.learners.find(identity)
    learner_id = learner.id if learner else f"unknown:{identity.key}"
    events = None
    if calendar is not None:
        data = _read(calendar, services.settings.calendar_max_bytes)
        zone = services.profiles.get(learner_id).zone
        try:
            events = parse_calendar(
                data, zone=zone, start=at - timedelta(days=1), end=at + timedelta(days=days + 1)
            ).events
        except CalendarError as err:
            raise fail(f"{calendar.name}: {err}") from err
    with dry_run(at):
        planned = nudge_service(services).dry_run(learner_id, now=at, days=days, events=events)
    if as_json:
        emit_json([p.to_json() for p in planned])
        return
    if learner is None:
        typer.echo(f"{identity.key} has not used learnbot yet: planned with a default profile.")
    for p in planned:
        typer.echo(f"{p.local:%a %Y-%m-%d %H:%M %Z}  {p.kind:<13} {p.module_id or '-'}")
        typer.echo(f"    {p.reason}")
    if not planned:
        typer.echo(f"Nothing to plan in the next {days} days.")


@calendar_app.command("import")
def calendar_import(
    file: Annotated[Path, typer.Argument(help="An .ics file.")],
    user: UserOpt,
    as_json: JsonOpt = False,
) -> None:
    """Replace a learner's calendar with FILE (the previous one stays if FILE is bad)."""
    from bot.cli import audit_cli, emit_json, fail, open_app, parse_user
    from bot.core.errors import UserError
    from nudges.calendars import import_calendar_bytes

    identity = parse_user(user)
    core = open_app()
    services = core.services
    data = _read(file, services.settings.calendar_max_bytes)
    now = services.clock.now()
    # A calendar belongs to someone learnbot knows; a typo must not create a learner.
    learner = services.learners.find(identity)
    if learner is None:
        raise fail(
            f"no learner {user}: they appear once they have talked to learnbot "
            f"(or run `learnbot chat --user {user}` for a terminal user)"
        )
    try:
        result = import_calendar_bytes(services, learner.id, data, now=now)
    except UserError as err:
        raise fail(f"{file.name}: {err}") from err
    summary = {
        "events": result.events,
        "busy": result.busy,
        "days": result.days,
        "skipped": result.skipped,
    }
    audit_cli(core, "calendar.import", learner.id, file=file.name, **summary)
    if as_json:
        emit_json(summary)
    else:
        typer.echo(
            f"Imported {result.events} events ({result.busy} busy) for the next "
            f"{result.days} days; {result.skipped} without a start time were left out."
        )


def worker() -> None:
    """Run the nudge scheduler and delivery until Ctrl-C or SIGTERM."""
    import logging

    from bot.cli import open_app
    from bot.cli.startup import rebuild_index
    from nudges.worker import run_worker

    core = open_app()
    logging.basicConfig(
        level=core.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _add_platform_ports(core)
    rebuild_index(core, background=True)
    typer.echo("learnbot worker: planning and delivering nudges. Ctrl-C stops it.")
    run_worker(core.services)
    typer.echo("learnbot worker stopped.")


def _add_platform_ports(core: App) -> None:
    """Give a stand-alone worker the chat ports it can build without the web server."""
    from bot.adapters.server import standalone_ports

    for port in standalone_ports(core):
        core.services.chat_ports.add(port)
        typer.echo(f"{port.platform}: nudges are sent through its API from this worker")
