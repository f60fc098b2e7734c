"""`learnbot module open`: a module's page saved as one standalone HTML file."""

from __future__ import annotations

from typing import Annotated

import typer

module_app = typer.Typer(help="Modules: a module's full page.")


def register(app: typer.Typer) -> None:
    """Attach the module commands to the main CLI."""
    app.add_typer(module_app, name="module")


@module_app.command("open")
def module_open(
    module: Annotated[
        str, typer.Argument(help="A module id, its title, or its source file as ingested.")
    ],
) -> None:
    """Write MODULE's page to LEARNBOT_HOME/files/ as one HTML file (images inside it) and
    print its path."""
    import base64

    from bot.adapters.page.html import FILE_CSP, render_page
    from bot.adapters.terminal.render import save_file
    from bot.cli import fail, open_app
    from bot.core.errors import UserError
    from bot.features.lessons import LessonService
    from bot.features.module_page import ModulePages, read_image

    services = open_app().services
    lessons = LessonService(
        content=services.content, lessons=services.lessons, items=services.items
    )
    try:
        record = lessons.find(module)
    except UserError as err:
        raise fail(str(err)) from err
    view = ModulePages(services).view(record, learner=None)
    content = services.lessons.page(record.meta.id)
    limit = services.settings.max_upload_bytes

    def inline(path: str) -> str | None:
        if content is None or path not in view.images:
            return None
        try:
            data, mime = read_image(content, path, max_bytes=limit)
        except UserError:
            return None
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    html = render_page(view, image_src=inline, csp=FILE_CSP)
    name = f"{record.meta.id.replace('/', '-')}.html"
    typer.echo(save_file(services.settings.home / "files", name, html.encode("utf-8")))
