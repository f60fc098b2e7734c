"""`/learn calendar`: subscribe to an ICS feed, remove the calendar, see its state; and .ics
files sent to the bot (through the file hook in `bot.handlers.files`)."""

from __future__ import annotations

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.replies import Reply, say
from nudges import calendars
from nudges.calendars import ImportResult


def _summary(result: ImportResult, template: str, ctx: Context) -> list[Reply]:
    hours = ctx.services.settings.calendar_refresh_hours
    texts = [
        template.format(
            events=msg.plural(result.events, "event"),
            busy=result.busy,
            days=msg.plural(result.days, "day"),
            hours=f"{hours:g} {'hour' if hours == 1 else 'hours'}",
        )
    ]
    if result.skipped:
        texts.append(msg.CALENDAR_SKIPPED.format(skipped=msg.plural(result.skipped, "event")))
    return [say(*texts)]


def handle_calendar(ctx: Context, args: str) -> list[Reply]:
    """`/learn calendar [URL|off]`."""
    arg = args.strip()
    learner_id = ctx.learner.id
    if not arg:
        calendar = calendars.info(ctx.services, learner_id)
        if calendar is None:
            return [say(msg.CALENDAR_NONE)]
        texts = [
            msg.CALENDAR_STATUS.format(
                source=calendars.source_label(calendar),
                events=msg.plural(calendar.event_count, "event"),
                until=calendar.horizon_end.astimezone(ctx.services.profiles.get(learner_id).zone),
            )
        ]
        if calendar.last_error:
            texts.append(msg.CALENDAR_LAST_ERROR.format(error=calendar.last_error))
        return [say(*texts)]
    if arg.lower() in {"off", "remove", "delete", "stop"}:
        calendars.remove(ctx.services, learner_id, now=ctx.now)
        return [say(msg.CALENDAR_REMOVED)]
    if " " in arg:
        raise UserError(msg.CALENDAR_USAGE)
    result = calendars.subscribe(ctx.services, learner_id, arg, now=ctx.now)
    return _summary(result, msg.CALENDAR_SUBSCRIBED, ctx)


def import_upload(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """A calendar file received through the file hook (`bot.handlers.files`)."""
    result = calendars.import_calendar_bytes(ctx.services, ctx.learner.id, data, now=ctx.now)
    return _summary(result, msg.CALENDAR_IMPORTED, ctx)


COMMAND = Command(
    "calendar",
    "Connect your calendar so nudges avoid your meetings and prepare you for them.",
    "/learn calendar [URL|off]",
    "learner",
    handle_calendar,
)
