"""`learnbot lesson show`: a module's lesson as a learner would see it in chat."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli import JsonOpt

lesson_app = typer.Typer(help="Lessons: a module read card by card, with practice questions.")


def register(app: typer.Typer) -> None:
    """Attach the lesson commands to the main CLI."""
    app.add_typer(lesson_app, name="lesson")


@lesson_app.command("show")
def lesson_show(
    module: Annotated[
        str, typer.Argument(help="A module id, its title, or its source file as ingested.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Print MODULE's lesson: each card with "card N of M", practice items and the check."""
    from bot.cli import emit_json, fail, open_app
    from bot.core.errors import UserError
    from bot.features.lessons import LessonService

    services = open_app().services
    service = LessonService(
        content=services.content, lessons=services.lessons, items=services.items
    )
    try:
        lesson = service.lesson(module)
    except UserError as err:
        raise fail(str(err)) from err
    if as_json:
        emit_json(lesson.as_json())
        return
    typer.echo(f"{lesson.title} ({lesson.module_id}, about {lesson.minutes} min)")
    total = len(lesson.cards)
    for n, card in enumerate(lesson.cards, start=1):
        label = "" if card.kind in ("text", "media") else f" · {card.kind}"
        typer.echo(f"\n── card {n} of {total}{label} ──")
        typer.echo(card.text)
