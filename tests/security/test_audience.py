"""A module whose audience excludes the learner is never named to them, whatever they type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.storage.content import ContentRepository
from content_index.model import ModuleMeta
from tests.security.conftest import Server

SECRET_TITLE = "Merger plan Falcon"
SECRET_ID = "exec/merger-plan"


def add_modules(server: Server) -> None:
    content = ContentRepository(server.core.services.engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for mid, title, audience in (
        ("writing/notes", "Meeting notes", ()),
        (SECRET_ID, SECRET_TITLE, ("exec",)),
    ):
        meta = ModuleMeta(
            id=mid,
            title=title,
            audience=audience,
            source=f"{mid}.md",
            summary=f"What {title.lower()} covers.",
            url=f"https://learn.example/{mid}",
        )
        content.save(meta, content_hash=mid, new_chunks=[], now=now)


@pytest.mark.parametrize(
    "command",
    [
        f"done {SECRET_ID}",
        f"check {SECRET_ID}",
        f"quiz {SECRET_ID}",
        "quiz falcon",
        "path",
        "next",
        "progress",
        "my-data",
    ],
)
async def test_a_restricted_module_is_never_named(server: Server, command: str) -> None:
    add_modules(server)
    slack = server.slack
    slack.onboard("U0ANA")
    await slack.command("U0ANA", command)
    await slack.settle()
    said = "\n".join(slack.fake.posted_texts())
    assert said, "the learner got an answer"
    assert "Falcon" not in said
    if SECRET_ID not in command:
        assert SECRET_ID not in said
