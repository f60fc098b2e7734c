"""Administration from the shell: the org chart import, the audit log and the xAPI export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli import JsonOpt

org_app = typer.Typer(help="The org chart: who reports to whom (managers), departments, locations.")
export_app = typer.Typer(help="Exports: learning events as xAPI statements.")


def register(app: typer.Typer) -> None:
    """Attach the org, audit and export commands to the main CLI."""
    app.add_typer(org_app, name="org")
    app.add_typer(export_app, name="export")
    app.command("audit")(audit)


@org_app.command("import")
def org_import(
    file: Annotated[
        Path, typer.Argument(help="A CSV: email, manager_email, department, location, role.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Replace the org chart with FILE (nothing changes if it has an error)."""
    from bot.cli import emit_json, fail, open_app
    from bot.core.errors import UserError
    from bot.features.org import import_org

    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    core = open_app()
    services = core.services
    try:
        result = import_org(
            file.read_bytes(),
            org=services.org,
            learners=services.learners,
            profiles=services.profiles,
            now=services.clock.now(),
        )
    except UserError as err:
        raise fail(str(err)) from err
    services.audit.record(
        actor="cli",
        action="org.import",
        target=file.name,
        detail=result.as_json(),
        now=services.clock.now(),
    )
    if as_json:
        emit_json(result.as_json())
    else:
        typer.echo(
            f"Imported {result.people} people ({result.managers} managers, "
            f"{result.linked} already known learners)."
        )


def audit(
    as_json: JsonOpt = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many entries, newest first.")
    ] = 50,
) -> None:
    """Print the audit log of admin and manager actions, newest first."""
    from bot.cli import emit_json, open_app

    entries = open_app().services.audit.entries(limit=limit)
    if as_json:
        emit_json([{**e, "at": e["at"].isoformat()} for e in entries])
        return
    for e in entries:
        typer.echo(f"{e['at']:%Y-%m-%d %H:%M:%S}  {e['actor']:<32} {e['action']:<20} {e['target']}")
    if not entries:
        typer.echo("The audit log is empty.")


@export_app.command("xapi")
def export_xapi(
    since: Annotated[
        str | None, typer.Option("--since", help="Only events on or after this date (YYYY-MM-DD).")
    ] = None,
    forward: Annotated[
        bool, typer.Option("--forward", help="Send pending statements to LRS_URL instead.")
    ] = False,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Retries when forwarding.")] = 3,
) -> None:
    """Write learning events as xAPI statements, one JSON object per line (or forward them)."""
    import json
    from datetime import UTC, date, datetime, time

    from bot.cli import emit_json, fail, open_app
    from bot.features.xapi import Forwarder, LrsError, statements

    start = None
    if since is not None:
        try:
            start = datetime.combine(date.fromisoformat(since), time(), tzinfo=UTC)
        except ValueError as err:
            raise fail(f"--since '{since}' is not a date (YYYY-MM-DD)", 2) from err
    core = open_app()
    services = core.services
    if not forward:
        for _, stmt in statements(services.xapi, core.settings, since=start):
            typer.echo(json.dumps(stmt, ensure_ascii=False))
        return
    if not core.settings.lrs_url:
        raise fail("set LRS_URL (and LRS_USERNAME, LRS_PASSWORD) to forward statements", 2)
    forwarder = Forwarder(services.xapi, core.settings)
    try:
        sent = forwarder.forward(now=services.clock.now(), retries=retries)
    except LrsError as err:
        raise fail(f"{err}; {forwarder.pending()} statements wait and will be sent later") from err
    emit_json({"sent": sent, "pending": forwarder.pending()})
