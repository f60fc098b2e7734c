"""`/learn next`, `/learn done` and `/learn skip`: working through the path step by step.

The mastery check after a step, and the test-out offered for a skipped step, go through
``services.mastery_check``: a callable ``(ctx, competency_id, module_id) -> list[Reply]`` that
starts the check (the quiz feature's). Without it, learners are told checks are not available
yet. A module with a check is completed by passing it: `/learn done` offers the check, or
"done without check", recorded as ``unverified``. A module whose audience excludes the
learner is answered like an unknown one.
"""

from __future__ import annotations

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import Conflict, UserError
from bot.core.events import ActionClicked
from bot.core.names import Named, match_name
from bot.core.replies import Block, Button, Buttons, Note, Progress, Reply, Section, Text
from bot.features.names import resolve
from bot.features.paths.service import PathService, PlannedPath
from bot.handlers.ask import audience_of
from bot.handlers.lessons import open_lesson
from bot.handlers.paths import service, step_line, why_button
from bot.storage.paths import ProgressStatus
from learning.path_model import FINISHED, Step

NEXT_ACTION = "path.next"
DONE_ACTION = "path.done"
CHECK_ACTION = "path.check"
UNVERIFIED_ACTION = "path.done_unverified"
OPEN_ACTION = "path.open"


def _check_button(ctx: Context, step: Step, label: str) -> Button | None:
    if ctx.services.mastery_check is None:
        return None
    return Button(label, CHECK_ACTION, step.module_id, "primary")


def handle_next(ctx: Context, args: str) -> list[Reply]:
    """Open the next step: its lesson in the chat, or its summary and link."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    paths.record_shown(planned)
    step = planned.path.next_step()
    if step is None:
        return [Reply((Text(msg.PATH_COMPLETE if planned.path.steps else msg.PATH_EMPTY),))]
    # A module done without its check and now due for review stays "unverified" when it is
    # opened again: "started" would let its old completion count as verified.
    if step.module_id not in planned.state.unverified:
        paths.repo.mark(ctx.learner.id, step.module_id, "started", now=ctx.now)
    ctx.services.activity.record(ctx.learner.id, "path.next", object_id=step.module_id, now=ctx.now)
    return study(ctx, step)


def study(ctx: Context, step: Step, *, reason: str = "") -> list[Reply]:
    """A step's lesson, opened where the learner left off; a module without lesson cards
    (a link, a video) is delivered as a summary with its link instead."""
    intro = "\n".join(
        (f"**{msg.NEXT_TITLE.format(title=step.title)}**", f"_{reason or step.reason}_")
    )
    opened = open_lesson(ctx, step.module_id, intro=intro)
    return opened if opened is not None else [deliver(ctx, step)]


def deliver(ctx: Context, step: Step) -> Reply:
    """One step as a message: what it is, why, where to open it, and what to do after."""
    text = "\n".join(t for t in (step.summary, step_line(step), f"_{step.reason}_") if t)
    blocks: list[Block] = [Section(msg.NEXT_TITLE.format(title=step.title), text)]
    buttons = []
    if step.url:
        buttons.append(Button(msg.OPEN_STEP_MODULE, OPEN_ACTION, step.module_id, url=step.url))
    buttons.append(Button(msg.MARK_DONE, DONE_ACTION, step.module_id))
    check = _check_button(ctx, step, msg.TAKE_CHECK)
    if check is not None:
        buttons.append(check)
    buttons.append(why_button(step))
    blocks.append(Buttons(tuple(buttons)))
    if check is None:
        blocks.append(Note(msg.CHECKS_NOT_AVAILABLE))
    return Reply(tuple(blocks), summary=msg.NEXT_TITLE.format(title=step.title))


def find_step(ctx: Context, paths: PathService, planned: PlannedPath, ref: str) -> tuple[str, str]:
    """(module id, title) for a module named by id, title or a title's prefix: in the path
    first, then in the library.

    Raises:
        NotFound: no module of the library that the learner may see has that name.
        Ambiguous: the name could be several steps (or modules); they are listed.
    """
    ref = ref.strip()
    unknown = msg.NO_SUCH_STEP.format(module=ref[:200])
    steps = [Named(s.module_id, s.title) for s in planned.path.steps]
    if match_name(ref, steps):
        found = resolve(ref, steps, kind="module", unknown=unknown)
        return found.id, found.title
    from retrieval.hybrid import visible_to  # numpy stays out of the command path

    audience = audience_of(ctx.services, ctx.learner)
    visible = [Named(m.id, m.title) for m in paths.catalogue() if visible_to(m.audience, audience)]
    found = resolve(ref, visible, kind="module", unknown=unknown)
    return found.id, found.title


def _current(paths: PathService, planned: PlannedPath) -> Step:
    """The step the learner is on (see `PathService.current_step`)."""
    step = paths.current_step(planned)
    if step is None:
        raise UserError(msg.NO_CURRENT_STEP)
    return step


def mark_done(ctx: Context, ref: str) -> list[Reply]:
    """Mark the current (or named) step done, or offer its mastery check when it has one."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    if ref.strip():
        module_id, title = find_step(ctx, paths, planned, ref)
    else:
        current = _current(paths, planned)
        module_id, title = current.module_id, current.title
    step = planned.path.step(module_id)
    if step is not None and step.status == "done":
        date = planned.state.completed[module_id].date().isoformat()
        return [Reply((Text(msg.ALREADY_DONE.format(title=title, date=date)),))]
    if paths.check_competency(planned, module_id) is None:
        return complete(ctx, paths, module_id, title, verified=True)
    buttons = (
        Button(msg.TAKE_CHECK, CHECK_ACTION, module_id, "primary"),
        Button(msg.DONE_WITHOUT_CHECK, UNVERIFIED_ACTION, module_id),
    )
    return [Reply((Text(msg.DONE_NEEDS_CHECK.format(title=title)), Buttons(buttons)))]


def done_without_check(ctx: Context, module_id: str) -> list[Reply]:
    """The "Done without check" button: the module is done, recorded as not verified."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    module_id, title = find_step(ctx, paths, planned, module_id)
    step = planned.path.step(module_id)
    if step is not None and step.status == "done":
        date = planned.state.completed[module_id].date().isoformat()
        return [Reply((Text(msg.ALREADY_DONE.format(title=title, date=date)),))]
    verified = paths.check_competency(planned, module_id) is None
    return complete(ctx, paths, module_id, title, verified=verified)


def complete(
    ctx: Context, paths: PathService, module_id: str, title: str, *, verified: bool
) -> list[Reply]:
    """Record a module done (or done, not verified), re-plan, and say what comes next."""
    status: ProgressStatus = "done" if verified else "unverified"
    paths.repo.mark(ctx.learner.id, module_id, status, now=ctx.now)
    verb = "module.done" if verified else "module.unverified"
    ctx.services.activity.record(ctx.learner.id, verb, object_id=module_id, now=ctx.now)
    replanned = paths.plan(ctx.learner.id, now=ctx.now)
    paths.record_shown(replanned)
    said = msg.MARKED_DONE if verified else msg.MARKED_UNVERIFIED
    blocks: list[Block] = [Text(said.format(title=title))]
    following = replanned.path.next_step()
    if following is None:
        blocks.append(Text(msg.PATH_COMPLETE))
    else:
        blocks.append(Text(msg.UP_NEXT.format(title=following.title, minutes=following.minutes)))
        blocks.append(Buttons((Button(msg.NEXT_TITLE.format(title=following.title), NEXT_ACTION),)))
    blocks.append(Progress(msg.PROGRESS_PATH, replanned.path.completion))
    return [Reply(tuple(blocks))]


def handle_skip(ctx: Context, args: str) -> list[Reply]:
    """Skip a module for now and offer to test out of it."""
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    module_id, title = find_step(ctx, paths, planned, args)
    step = planned.path.step(module_id)
    if step is None:
        raise Conflict(msg.NOT_IN_PATH.format(module=module_id))
    _refuse_skip(step)
    paths.repo.mark(ctx.learner.id, module_id, "skipped", now=ctx.now)
    ctx.services.activity.record(ctx.learner.id, "module.skipped", object_id=module_id, now=ctx.now)
    blocks: list[Block] = [Text(msg.SKIPPED.format(title=title))]
    check = _check_button(ctx, step, msg.TEST_OUT)
    if check is None:
        blocks.append(Note(msg.SKIP_NO_CHECK))
    else:
        blocks += [Text(msg.SKIP_OFFER), Buttons((check, why_button(step)))]
    return [Reply(tuple(blocks))]


def _refuse_skip(step: Step) -> None:
    if step.status in FINISHED:
        raise Conflict(msg.CANNOT_SKIP_DONE.format(title=step.title))
    if step.status == "exempt":
        raise Conflict(msg.CANNOT_SKIP_EXEMPT.format(title=step.title, reason=step.reason))
    if step.required:
        due = f" (due {step.due_at.date().isoformat()})" if step.due_at else ""
        raise UserError(msg.CANNOT_SKIP_REQUIRED.format(title=step.title, due=due))


def start_check(ctx: Context, module_id: str) -> list[Reply]:
    """Hand over to the quiz feature's mastery check for a step's competency."""
    check = ctx.services.mastery_check
    if check is None:
        return [Reply((Text(msg.CHECKS_NOT_AVAILABLE),))]
    paths = service(ctx)
    planned = paths.plan(ctx.learner.id, now=ctx.now)
    module_id, _ = find_step(ctx, paths, planned, module_id)
    step = planned.path.step(module_id)
    competency = paths.check_competency(planned, module_id)
    if competency is None:
        if step is None:
            raise Conflict(msg.NOT_IN_PATH.format(module=module_id[:200]))
        competency = (list(step.competencies) or [""])[0]
    return check(ctx, competency, module_id)


def on_action(ctx: Context, event: ActionClicked) -> list[Reply]:
    """The buttons of a delivered or skipped step."""
    if event.action == DONE_ACTION:
        return mark_done(ctx, event.value)
    if event.action == CHECK_ACTION:
        return start_check(ctx, event.value)
    if event.action == UNVERIFIED_ACTION:
        return done_without_check(ctx, event.value)
    return handle_next(ctx, "")


def on_open(ctx: Context, event: ActionClicked) -> list[Reply]:
    """A link button: the platform opens the link; Slack still reports the click.

    Only a module of the library is recorded: the value comes from the client, and the
    record is exported (xAPI) under the module's id.
    """
    if ctx.services.content.get(event.value) is not None:
        ctx.services.activity.record(
            ctx.learner.id, "module.opened", object_id=event.value, now=ctx.now
        )
    return []


ACTIONS = {
    NEXT_ACTION: on_action,
    DONE_ACTION: on_action,
    CHECK_ACTION: on_action,
    UNVERIFIED_ACTION: on_action,
    OPEN_ACTION: on_open,
}
NEXT_COMMAND = Command(
    "next",
    "Get the next step of your path, with its link and mastery check.",
    "/learn next",
    "learner",
    handle_next,
)
DONE_COMMAND = Command(
    "done",
    "Mark the current step (or a named module) done, or take its mastery check if it has one.",
    "/learn done [MODULE]",
    "learner",
    mark_done,
)
SKIP_COMMAND = Command(
    "skip",
    "Skip a module for now, with an offer to test out of it.",
    "/learn skip MODULE",
    "learner",
    handle_skip,
    needs_args=True,
)
