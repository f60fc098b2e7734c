"""`/learn my-data` (a JSON export of everything stored about you) and `/learn forget-me`."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.replies import Attachment, Direct, Reply, Text


def my_data(ctx: Context, args: str) -> list[Reply]:
    """Send the export privately to the learner who asked."""
    from bot.features.data_rights import export

    data = export(ctx.services, ctx.learner, now=ctx.now)
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
    name = f"learnbot-my-data-{ctx.now:%Y%m%d}.json"
    attachment = Attachment(name=name, data=body, mime="application/json", title=msg.MY_DATA_TITLE)
    reply = Reply((Text(msg.MY_DATA_SENT), attachment), to=Direct(ctx.event.identity))
    return [reply]


MY_DATA_COMMAND = Command(
    "my-data", "Get a file with everything I store about you.", "/learn my-data", "learner", my_data
)


def forget_me_command(start: Callable[[Context, str], list[Reply]]) -> Command:
    """`/learn forget-me`: asks for confirmation, then deletes everything about the learner."""
    return Command(
        "forget-me",
        "Delete everything I store about you (asks first).",
        "/learn forget-me",
        "learner",
        lambda ctx, args: start(ctx, "forget_me"),
    )
