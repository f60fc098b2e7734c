"""Feature command groups, attached to the CLI at start (each module imports lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

framework_app = typer.Typer(help="Competency frameworks: competencies, roles and requirements.")


def register(app: typer.Typer) -> None:
    """Attach every feature's commands to the main CLI."""
    from bot.cli import (
        admin as cli_admin,
    )
    from bot.cli import (
        content as cli_content,
    )
    from bot.cli import (
        lessons as cli_lessons,
    )
    from bot.cli import (
        module_page as cli_module_page,
    )
    from bot.cli import (
        nudges as cli_nudges,
    )
    from bot.cli import (
        paths as cli_paths,
    )
    from bot.cli import (
        quiz as cli_quiz,
    )
    from bot.cli import (
        serve as cli_serve,
    )
    from bot.cli import (
        teams as cli_teams,
    )

    app.add_typer(framework_app, name="framework")
    cli_content.register(app)
    cli_lessons.register(app)
    cli_module_page.register(app)
    cli_paths.register(app)
    cli_quiz.register(app)
    cli_teams.register(app)
    cli_serve.register(app)
    cli_nudges.register(app)
    cli_admin.register(app)


@framework_app.command("import")
def framework_import(
    file: Annotated[Path, typer.Argument(help="A YAML or JSON framework file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    replace_all: Annotated[
        bool,
        typer.Option(
            "--replace-all",
            help="Allow a file that removes every competency or every role.",
        ),
    ] = False,
) -> None:
    """Replace the competency framework with FILE (nothing changes if it has an error)."""
    from bot.cli import audit_cli, emit_json, fail, open_app
    from bot.core.errors import UserError
    from bot.features.imports import check_replacement, load_framework_file, uncovered_note

    try:
        framework = load_framework_file(file)
    except UserError as err:
        raise fail(str(err)) from err
    core = open_app()
    try:
        check_replacement(core.services.framework.get(), framework, replace_all=replace_all)
    except UserError as err:
        raise fail(f"{file}: {err}") from err
    core.services.framework.replace(framework)
    summary = {"competencies": len(framework.competencies), "roles": len(framework.roles)}
    audit_cli(core, "framework.import", file.name, **summary, replace_all=replace_all)
    if as_json:
        emit_json(summary)
    else:
        typer.echo(f"Imported {summary['competencies']} competencies and {summary['roles']} roles.")
    note = uncovered_note(framework, core.services.items.competencies())
    if note:
        typer.echo(f"note: {note}", err=True)
