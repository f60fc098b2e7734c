"""`/learn path`, `/learn progress` and the Why? button: the path previewed and explained."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import Conflict, UserError
from bot.core.events import ActionClicked
from bot.core.names import Named
from bot.core.replies import Block, Button, Buttons, Note, Progress, Reply, Section, Text
from bot.features.names import resolve
from bot.features.paths.service import PathService, PlannedPath, path_service
from learning.mastery import mastery_fraction
from learning.path_model import FINISHED, Step
from learning.streak import streak

WHY_ACTION = "path.why"
ALL_ACTION = "path.all"
# `/learn path` shows this many sessions (packed to the learner's session length); the rest
# is one "Show all" away.
SHORT_SESSIONS = 2


def service(ctx: Context) -> PathService:
    """The path service of the request's core."""
    return path_service(ctx.services)


def why_button(step: Step) -> Button:
    """The Why? button of a step."""
    return Button(msg.WHY_BUTTON, WHY_ACTION, step.module_id)


def step_line(step: Step) -> str:
    """Minutes, format, status, due date and skipped mark of a step, on one line."""
    status = msg.STATUS_LABELS[step.status]
    if step.due_at and step.status in {"due", "overdue"}:
        template = msg.STATUS_DUE if step.status == "due" else msg.STATUS_OVERDUE
        status = template.format(date=step.due_at.date().isoformat())
    return msg.STEP_LINE.format(
        minutes=step.minutes,
        format=step.format,
        status=status,
        skipped=msg.STEP_SKIPPED if step.skipped else "",
    )


def _step_blocks(step: Step) -> list[Block]:
    return [
        Section(step.title, f"{step_line(step)}\n_{step.reason}_"),
        Buttons((why_button(step),)),
    ]


def _summary(planned: PlannedPath) -> str:
    path, prefs = planned.path, planned.prefs
    todo = sum(1 for s in path.steps if s.actionable)
    return msg.PATH_SUMMARY.format(
        steps=msg.plural(todo, "step"),
        minutes=path.total_minutes,
        sessions=msg.plural(path.sessions, "session"),
        session=prefs.session_minutes,
        weeks=msg.plural(path.weeks, "week"),
        a_pace=msg.article(prefs.pace),
        pace=prefs.pace,
    )


def preview_blocks(ctx: Context, planned: PlannedPath, *, whole: bool = True) -> list[Block]:
    """The path: sessions of steps with reasons, then what was left out.

    Args:
        whole: Every session and the steps done or not needed; when False, only the next
            `SHORT_SESSIONS` sessions, with a Show all button when anything is left out.
    """
    path = planned.path
    shown = path.sessions if whole else min(path.sessions, SHORT_SESSIONS)
    blocks: list[Block] = [Section(msg.PATH_TITLE, _summary(planned))]
    blocks += [Note(n) for n in path.notices]
    for number in range(1, shown + 1):
        steps = [s for s in path.steps if s.session == number]
        minutes = sum(s.minutes for s in steps)
        blocks.append(Text(msg.PATH_SESSION.format(number=number, minutes=minutes)))
        for step in steps:
            blocks += _step_blocks(step)
    rest = [s for s in path.steps if not s.actionable]
    if whole and rest:
        blocks.append(Text(f"**{msg.PATH_LEFT_OUT}**"))
        for step in rest:
            blocks += _step_blocks(step)
    if not whole:
        blocks += _more(planned, shown, left_out=len(rest))
    blocks.append(Note(msg.PATH_WHY_HINT))
    if path.warnings and ctx.learner.has_role("admin"):
        first = path.warnings[0]
        blocks.append(Note(msg.PATH_LIBRARY_WARNINGS.format(count=len(path.warnings), first=first)))
    return blocks


def _more(planned: PlannedPath, shown: int, *, left_out: int) -> list[Block]:
    """What the short view leaves out, and the Show all button (nothing when it is all there)."""
    path = planned.path
    later = [s for s in path.steps if s.actionable and s.session > shown]
    if not later and not left_out:
        return []
    parts = []
    if later:
        steps, sessions = len(later), path.sessions - shown
        parts.append(
            msg.PATH_MORE_LATER.format(
                steps=msg.plural(steps, "step"), sessions=msg.plural(sessions, "more session")
            )
        )
    if left_out:
        parts.append(msg.PATH_MORE_LEFT_OUT.format(steps=msg.plural(left_out, "step")))
    return [
        Note(" ".join(parts) + " " + msg.PATH_SHOW_ALL_HINT),
        Buttons((Button(msg.PATH_SHOW_ALL, ALL_ACTION, "all"),)),
    ]


def handle_path(ctx: Context, args: str) -> list[Reply]:
    """`/learn path` previews the next sessions, `/learn path all` the whole path, and
    `/learn path why MODULE` explains one step."""
    words = args.split(None, 1)
    first = words[0].lower() if words else ""
    if first == "why":
        return explain(ctx, words[1].strip() if len(words) > 1 else "")
    if first and first != "all":
        raise UserError(msg.PATH_USAGE.format(word=words[0][:40]))
    return show_path(ctx, whole=first == "all")


def show_path(ctx: Context, *, whole: bool) -> list[Reply]:
    """The learner's path, planned now and recorded as shown."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    paths.record_shown(planned)
    if not planned.path.steps:
        empty = msg.PATH_NO_MODULES if planned.path.competencies else msg.PATH_EMPTY
        return [Reply((Text(empty), *(Note(n) for n in planned.path.notices)))]
    return [Reply(tuple(preview_blocks(ctx, planned, whole=whole)), summary=msg.PATH_TITLE)]


def on_show_all(ctx: Context, event: ActionClicked) -> list[Reply]:
    """The Show all button: the whole path."""
    return show_path(ctx, whole=True)


def explain(ctx: Context, module_id: str) -> list[Reply]:
    """The full reasoning behind one step of the learner's current path."""
    planned = service(ctx).plan(ctx.learner.id, now=ctx.now)
    step = planned.path.step(module_id)
    if step is None:
        steps = [Named(s.module_id, s.title) for s in planned.path.steps]
        unknown = msg.NOT_IN_PATH.format(module=module_id[:200])
        step = planned.path.step(resolve(module_id, steps, kind="module", unknown=unknown).id)
    if step is None:
        raise Conflict(msg.NOT_IN_PATH.format(module=module_id[:200]))
    # The step's one-line reason is on the path already; Why? gives the reasons behind it.
    own = [line for line in step.details if line != step.reason] or [step.reason]
    text = "\n".join(f"• {line}" for line in own)
    return [Reply((Section(msg.WHY_TITLE.format(title=step.title), text),))]


def on_why(ctx: Context, event: ActionClicked) -> list[Reply]:
    """The Why? button."""
    return explain(ctx, event.value)


def handle_progress(ctx: Context, args: str) -> list[Reply]:
    """`/learn progress`: mastery per competency, path completion and the streak."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    path = planned.path
    if not path.steps and not path.competencies:
        return [Reply((Text(msg.PROGRESS_NONE),))]
    blocks: list[Block] = [Section(msg.PROGRESS_TITLE)]
    for comp in path.competencies:
        label = comp.title
        if comp.standing == "exempt":
            label = msg.PROGRESS_EXEMPT.format(title=comp.title)
        elif comp.standing == "completed":
            label = msg.PROGRESS_COMPLETED.format(title=comp.title)
        elif comp.mastery is None:
            label = msg.PROGRESS_NO_EVIDENCE.format(title=comp.title)
        met = comp.standing in ("exempt", "completed")
        value = 1.0 if met else mastery_fraction(comp.mastery or 0.0)
        blocks.append(Progress(label, value))
    done = sum(1 for s in path.steps if s.status in FINISHED)
    total = done + sum(1 for s in path.steps if s.actionable)
    blocks.append(Progress(msg.PROGRESS_PATH, path.completion))
    blocks.append(
        Text(
            msg.PROGRESS_COUNTS.format(
                done=done, total=msg.plural(total, "step"), minutes=path.total_minutes
            )
        )
    )
    unverified = [s.title for s in path.steps if s.status == "unverified"]
    if unverified:
        blocks.append(Text(msg.PROGRESS_UNVERIFIED.format(titles=", ".join(unverified))))
    days = learner_streak(ctx, paths)
    blocks.append(
        Text(msg.STREAK.format(days=msg.plural(days, "day")) if days else msg.STREAK_NONE)
    )
    return [Reply(tuple(blocks), summary=msg.PROGRESS_TITLE)]


def learner_streak(ctx: Context, paths: PathService) -> int:
    """Consecutive local days with learning activity (any activity, or module progress)."""
    learner_id = ctx.learner.id
    times = [e["at"] for e in ctx.services.activity.for_learner(learner_id)]
    for p in paths.repo.progress(learner_id):
        times.append(p.at)
        if p.completed_at:
            times.append(p.completed_at)
    zone = ZoneInfo(ctx.services.profiles.get(learner_id).timezone)
    return streak(times, now=ctx.now, zone=zone)


PATH_COMMAND = Command(
    "path",
    "Preview your next learning sessions, with time estimates and the reason for every step.",
    "/learn path [all | why MODULE]",
    "learner",
    handle_path,
)
PROGRESS_COMMAND = Command(
    "progress",
    "Show your mastery per competency, how much of your path is done, and your streak.",
    "/learn progress",
    "learner",
    handle_progress,
)
