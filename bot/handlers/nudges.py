"""Nudge commands (`/learn nudges`, `snooze`, `pause`, `resume`) and the nudge buttons.

Every button is checked against the nudge's owner on the server: a click on someone else's
nudge changes nothing and is written to the audit log. Each accepted click is recorded on
the nudge and in the learner's activity.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.events import ActionClicked
from bot.core.replies import Note, Reply, Section, Text, say
from bot.handlers.path_steps import study
from bot.handlers.paths import service as path_service
from learning.path_model import Step
from nudges import journal
from nudges.outbox import Nudge
from nudges.service import NudgeService, nudge_service

ACTION = "nudge"
MAX_SNOOZE_HOURS = 72
MAX_PAUSE_DAYS = 90


def local_time(at: datetime, zone: ZoneInfo) -> str:
    """A short local date and time, e.g. "Tue 24 Nov 09:00"."""
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _number(text: str, *, default: float, limit: int, message: str) -> float:
    value = text.strip().lower().rstrip("hd") or str(default)
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 1 <= number <= limit:
        raise UserError(message.format(value=text.strip()[:20], limit=limit))
    return number


def handle_nudges(ctx: Context, args: str) -> list[Reply]:
    """`/learn nudges`: what is planned and why, after planning again."""
    service = nudge_service(ctx.services)
    learner_id = ctx.learner.id
    profile = ctx.services.profiles.get(learner_id)
    if profile.onboarded_at is None:
        return [say(msg.NUDGES_NOT_ONBOARDED)]
    service.replan(learner_id, now=ctx.now)
    rows = service.upcoming(learner_id, now=ctx.now)
    lines = [
        msg.NUDGES_LINE.format(
            when=local_time(r.due_at, profile.zone),
            heading=msg.NUDGE_KIND_TITLES.get(r.kind, r.kind),
            title=r.title,
            reason=r.reason,
        )
        for r in rows
    ]
    blocks: list[Section | Text | Note] = [
        Section(msg.NUDGES_TITLE, "\n\n".join(lines) or msg.NUDGES_NONE)
    ]
    blocks += [Text(state) for state in _state(service, ctx, profile.zone)]
    blocks.append(Note(msg.NUDGES_HELP))
    return [Reply(tuple(blocks))]


def _state(service: NudgeService, ctx: Context, zone: ZoneInfo) -> list[str]:
    profile = ctx.services.profiles.get(ctx.learner.id)
    prefs = service.prefs.get(ctx.learner.id)
    out = []
    if prefs.stopped:
        out.append(msg.NUDGES_STOPPED)
    if profile.paused_until and profile.paused_until > ctx.now:
        out.append(msg.NUDGES_PAUSED.format(until=local_time(profile.paused_until, zone)))
    if prefs.snoozed_until and prefs.snoozed_until > ctx.now:
        out.append(msg.NUDGES_SNOOZED.format(until=local_time(prefs.snoozed_until, zone)))
    return out


def handle_snooze(ctx: Context, args: str) -> list[Reply]:
    """`/learn snooze [HOURS]`: no nudges for a while (1 hour unless told)."""
    hours = _number(args, default=1, limit=MAX_SNOOZE_HOURS, message=msg.BAD_HOURS)
    until = nudge_service(ctx.services).snooze(ctx.learner.id, hours=hours, now=ctx.now)
    journal.record(
        ctx.services, ctx.learner.id, "nudges_snoozed", detail={"hours": hours}, now=ctx.now
    )
    zone = ctx.services.profiles.get(ctx.learner.id).zone
    return [say(msg.SNOOZED.format(until=local_time(until, zone)))]


def handle_pause(ctx: Context, args: str) -> list[Reply]:
    """`/learn pause [DAYS]`: no nudges for some days (7 unless told)."""
    days = _number(args, default=7, limit=MAX_PAUSE_DAYS, message=msg.BAD_DAYS)
    until = nudge_service(ctx.services).pause(ctx.learner.id, days=days, now=ctx.now)
    journal.record(
        ctx.services, ctx.learner.id, "nudges_paused", detail={"days": days}, now=ctx.now
    )
    zone = ctx.services.profiles.get(ctx.learner.id).zone
    return [say(msg.PAUSED.format(until=local_time(until, zone)))]


def handle_resume(ctx: Context, args: str) -> list[Reply]:
    """`/learn resume`: undo pause, snooze and stop."""
    nudge_service(ctx.services).resume(ctx.learner.id, now=ctx.now)
    journal.record(ctx.services, ctx.learner.id, "nudges_resumed", now=ctx.now)
    return [say(msg.RESUMED)]


def handle_action(ctx: Context, event: ActionClicked) -> list[Reply]:
    """A nudge button: `nudge.start|snooze|not_today|fewer|stop`, value = the nudge id."""
    choice = event.action.partition(".")[2]
    handler = _BUTTONS.get(choice)
    service = nudge_service(ctx.services)
    nudge = service.outbox.get(event.value[:64])
    if handler is None or nudge is None:
        raise UserError(msg.STALE_BUTTON)
    if nudge.learner_id != ctx.learner.id:
        ctx.services.audit.record(
            actor=ctx.learner.id, action="nudge_click_refused", target=nudge.id, now=ctx.now
        )
        raise Forbidden(msg.NOT_YOUR_NUDGE)
    changed = service.outbox.respond(
        nudge.id, learner_id=ctx.learner.id, response=choice, now=ctx.now
    )
    if not changed and choice != "start":
        return [say(msg.NUDGE_ALREADY)]
    journal.record(
        ctx.services,
        ctx.learner.id,
        f"nudge_{choice}",
        object_id=nudge.id,
        detail={"kind": nudge.kind, "module_id": nudge.module_id},
        now=ctx.now,
    )
    return handler(ctx, service, nudge)


def open_nudge(ctx: Context, nudge: Nudge) -> list[Reply] | None:
    """What Start opens: the nudge's path step or module as `/learn next` opens it (its lesson,
    where the learner left off), or for a review a short mastery check on the module's topic
    (None: the nudge names no module)."""
    paths = path_service(ctx)
    try:
        module = paths.module(nudge.module_id) if nudge.module_id else None
    except NotFound:
        module = None  # retired or deleted since the nudge was planned
    if module is None:
        return None
    if nudge.kind == "review":
        check = ctx.services.mastery_check
        if check is None or not module.competencies:
            return None
        return check(ctx, module.competencies[0], module.id)
    step = paths.plan(ctx.learner.id, now=ctx.now).path.step(module.id)
    if step is not None and step.actionable:
        paths.repo.mark(ctx.learner.id, module.id, "started", now=ctx.now)
        ctx.services.activity.record(ctx.learner.id, "path.next", object_id=module.id, now=ctx.now)
    elif step is None:  # just-in-time content outside the path
        step = Step(
            module.id,
            module.title,
            module.minutes,
            module.format,
            module.difficulty,
            module.competencies,
            module.summary,
            module.url,
            "gap",
            nudge.reason,
            "todo",
        )
    return study(ctx, step, reason=nudge.reason)


def _start(ctx: Context, service: NudgeService, nudge: Nudge) -> list[Reply]:
    started = open_nudge(ctx, nudge)
    if started is not None:
        return started
    if nudge.kind == "review":
        return [say(msg.NUDGE_STARTED_REVIEW)]
    module = next((m for m in service.modules() if m.id == nudge.module_id), None)
    summary = module.summary if module else ""
    return [Reply((Section(msg.NUDGE_STARTED.format(title=nudge.title), summary),))]


def _snooze(ctx: Context, service: NudgeService, nudge: Nudge) -> list[Reply]:
    at = service.snooze_nudge(nudge, now=ctx.now)
    zone = ctx.services.profiles.get(ctx.learner.id).zone
    return [say(msg.NUDGE_SNOOZED.format(at=local_time(at, zone)))]


def _not_today(ctx: Context, service: NudgeService, nudge: Nudge) -> list[Reply]:
    service.not_today(ctx.learner.id, now=ctx.now)
    return [say(msg.NUDGE_NOT_TODAY_DONE)]


def _fewer(ctx: Context, service: NudgeService, nudge: Nudge) -> list[Reply]:
    weight = service.fewer(ctx.learner.id, nudge.kind, now=ctx.now)
    weekly = ctx.services.profiles.get(ctx.learner.id).nudges_per_week
    return [say(msg.NUDGE_FEWER_DONE.format(quota=max(1, math.floor(weekly * weight))))]


def _stop(ctx: Context, service: NudgeService, nudge: Nudge) -> list[Reply]:
    service.stop(ctx.learner.id, now=ctx.now)
    return [say(msg.NUDGE_STOPPED)]


_BUTTONS = {
    "start": _start,
    "snooze": _snooze,
    "not_today": _not_today,
    "fewer": _fewer,
    "stop": _stop,
}

COMMANDS = [
    Command(
        "nudges",
        "See your upcoming nudges and why each comes when it does.",
        "/learn nudges",
        "learner",
        handle_nudges,
    ),
    Command(
        "snooze", "No nudges for a few hours.", "/learn snooze [HOURS]", "learner", handle_snooze
    ),
    Command("pause", "Pause nudges for some days.", "/learn pause [DAYS]", "learner", handle_pause),
    Command("resume", "Turn nudges back on.", "/learn resume", "learner", handle_resume),
]
