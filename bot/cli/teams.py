"""`learnbot teams-package`: the Microsoft Teams app package an admin uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutOpt = Annotated[
    Path, typer.Option("--out", help="Where to write the zip.", dir_okay=False, writable=True)
]


def register(app: typer.Typer) -> None:
    """Attach the Teams commands to the main CLI."""
    app.command("teams-package")(teams_package)


def teams_package(out: OutOpt = Path("learnbot-teams.zip")) -> None:
    """Build the Teams app package (manifest with MICROSOFT_APP_ID, icons) to upload in Teams."""
    from pydantic import ValidationError

    from bot.adapters.teams.package import build_package
    from bot.cli import fail
    from bot.core.errors import UserError
    from bot.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as err:
        raise fail(f"invalid settings: {err.errors()[0]['msg']}") from err
    if not settings.microsoft_app_id:
        raise fail(
            "MICROSOFT_APP_ID is not set. Register a bot in Azure (Azure Bot resource), then set "
            "MICROSOFT_APP_ID (and MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID) and run again."
        )
    try:
        path = build_package(settings.microsoft_app_id, out)
    except UserError as err:
        raise fail(str(err)) from err
    typer.echo(f"Wrote {path} for app {settings.microsoft_app_id}.")
    typer.echo("Upload it in Teams: Apps > Manage your apps > Upload an app.")
