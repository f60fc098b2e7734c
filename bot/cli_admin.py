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
    from bot.errors import UserError
    from bot.handlers.admin import FEATURE_ORG
    from bot.org import import_org

    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    core = open_app()
    services = core.services
    try:
        result = import_org(
            file.read_bytes(),
            org=services.feature(FEATURE_ORG),
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
