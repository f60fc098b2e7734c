"""`/learn quiz`, `/learn check` and the quiz buttons: validate the request, start or resume."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import Conflict, UserError
from bot.core.events import ActionClicked
from bot.core.names import Named
from bot.core.replies import Reply, say
from bot.dialogs.engine import DialogEngine, DialogRef
from bot.dialogs.onboarding import INTAKE_ACTION
from bot.dialogs.quiz import FLOWS, QuizSpec, intake_config
from bot.dialogs.quiz_outcome import RETRY_ACTION
from bot.features.names import resolve
from bot.features.quiz.intake import intake_plan
from bot.features.quiz.learner_model import (
    Competencies,
    competency_modules,
    module_titles,
    quiz_competencies,
    target_competencies,
    visible_modules,
)
from bot.handlers.ask import audience_of
from bot.storage.dialogs import ACTIVE, DialogRecord

CHECK_MIN_ITEMS = 3


def _engine() -> DialogEngine:
    # The flows are stateless and all state is in the dialog row, so an engine over the
    # quiz flows is as good as the router's one for starting a quiz.
    return DialogEngine(FLOWS)


def _resumable(ctx: Context, kind: str) -> DialogRecord | None:
    record = ctx.services.dialogs.active(ctx.learner.id, kind)
    return record if record is not None and "cat" in record.state else None


def resume(ctx: Context, record: DialogRecord) -> list[Reply]:
    """Continue a paused (or interrupted) quiz: un-pause it and ask its question again."""
    saved = ctx.services.dialogs.advance(
        record, state={**record.state, "paused": False}, status=ACTIVE, now=ctx.now
    )
    if saved is None:
        raise Conflict(msg.QUESTION_CLOSED)
    flow = FLOWS[record.kind]
    return [say(msg.QUIZ_RESUMED), *flow.prompt(ctx, DialogRef(saved.id, saved.step), saved.state)]


def _spec(ctx: Context, comps: Competencies, chosen: tuple[str, ...], context: str) -> QuizSpec:
    return QuizSpec(
        context=context,
        cuts={c: comps.cuts[c] for c in chosen},
        titles={c: comps.title(c) for c in chosen},
    )


def start_quiz(ctx: Context, competency: str = "", *, context: str = "quiz") -> list[Reply]:
    """Start an adaptive quiz on one competency, or on the learner's targets.

    Raises:
        UserError: The bank is empty, or the competency is unknown or has no questions.
    """
    comps = quiz_competencies(ctx.services)
    if competency:
        chosen: tuple[str, ...] = (comps.resolve(competency),)
    else:
        chosen = target_competencies(ctx.services, ctx.learner.id, comps)
    spec = _spec(ctx, comps, chosen, context)
    if context == "intake":
        return _start_intake(ctx, spec)
    return _engine().start(ctx, "quiz", spec.to_args())


def _start_intake(ctx: Context, spec: QuizSpec) -> list[Reply]:
    """The intake quiz: role priors, and only the competencies worth asking (the skip rule)."""
    found, minutes = intake_plan(
        ctx.services, ctx.learner.id, spec.cuts, config=intake_config(), now=ctx.now
    )
    if not found.asked:
        for competency in found.skipped:
            ctx.services.mastery.save_intake_note(
                ctx.learner.id, competency, "not asked", now=ctx.now
            )
        return [say(msg.INTAKE_NOTHING_TO_ASK)]
    intake = replace(
        spec,
        cuts=dict(found.asked),
        priors={c: (p.mean, p.sd) for c, p in found.priors.items()},
        minutes=minutes,
        skipped=found.skipped,
        planner_threshold=ctx.services.settings.mastery_threshold,
    )
    return _engine().start(ctx, "quiz", intake.to_args())


def handle_quiz(ctx: Context, args: str) -> list[Reply]:
    """`/learn quiz [COMPETENCY]`: resume the active quiz, or start one."""
    active = _resumable(ctx, "quiz")
    if not args and active is not None:
        return resume(ctx, active)
    return start_quiz(ctx, args)


def check_pool(
    ctx: Context, competency: str, module_id: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Items for a check, and those to ask first: the module's own.

    Items the learner has not met in a quiz or check make up the pool when there are enough
    of them (practice in a lesson does not use an item up). The module's own items not yet
    practised in its lesson are asked first; the rest of the pool follows.
    """
    items = ctx.services.items.bank([competency])
    seen = ctx.services.items.answered_ids(ctx.learner.id)
    unseen = [i for i in items if i.id not in seen]
    pool = unseen if len(unseen) >= CHECK_MIN_ITEMS else list(items)
    own = [i for i in pool if module_id and i.module_id == module_id]
    practised = ctx.services.items.answered_ids(ctx.learner.id, practice=True)
    fresh = tuple(i.id for i in own if i.id not in practised)
    return tuple(i.id for i in pool), fresh


def start_mastery_check(ctx: Context, competency: str, module_id: str | None = None) -> list[Reply]:
    """Start a short mastery check (3-5 questions) on a competency, e.g. after a module.

    Other features call this when a learner finishes a module; the check prefers that
    module's questions. Passing needs P(mastery) >= LEARNBOT_MASTERY_THRESHOLD.

    Raises:
        UserError: The bank is empty, or the competency is unknown or has no questions.
    """
    comps = quiz_competencies(ctx.services)
    cid = comps.resolve(competency)
    pool, prefer = check_pool(ctx, cid, module_id)
    spec = QuizSpec(
        context="check",
        cuts={cid: comps.cuts[cid]},
        titles={cid: comps.title(cid)},
        pool=pool,
        prefer=prefer,
        module=module_id,
    )
    return _engine().start(ctx, "check", spec.to_args())


def handle_check(ctx: Context, args: str) -> list[Reply]:
    """`/learn check COMPETENCY [MODULE]`: a mastery check; alone, resumes a paused check."""
    words = args.split()
    if not words:
        active = _resumable(ctx, "check")
        if active is not None:
            return resume(ctx, active)
        raise UserError(msg.MISSING_ARGS.format(name="check", usage=f"`{CHECK_COMMAND.usage}`"))
    cid, rest = quiz_competencies(ctx.services).resolve_leading(words)
    module_id = _check_module(ctx, cid, " ".join(rest)) if rest else None
    return start_mastery_check(ctx, cid, module_id)


def _check_module(ctx: Context, cid: str, name: str) -> str:
    """The module of a competency a check follows, by id, title or a title's prefix."""
    tags = audience_of(ctx.services, ctx.learner)
    every = competency_modules(ctx.services, cid)
    modules = visible_modules(ctx.services, every, audience=tags)
    titles = module_titles(ctx.services, list(modules))
    listed = ", ".join(f"`{m}`" for m in modules) or "none"
    unknown = msg.CHECK_UNKNOWN_MODULE.format(module=name[:80], modules=listed)
    named = [Named(m, titles[m]) for m in modules]
    return resolve(name, named, kind="module", unknown=unknown).id


def on_intake_click(ctx: Context, event: ActionClicked) -> list[Reply]:
    """The "Take the intake quiz" button after onboarding: resume or start the intake quiz."""
    active = _resumable(ctx, "quiz")
    if active is not None:
        return resume(ctx, active)
    return start_quiz(ctx, context="intake")


def on_retry_click(ctx: Context, event: ActionClicked) -> list[Reply]:
    """The "Retry the check" button of a failed check."""
    competency, _, module_id = event.value.partition("|")
    return start_mastery_check(ctx, competency, module_id or None)


QUIZ_COMMAND = Command(
    "quiz",
    "An adaptive quiz that finds what you already know (on your targets, or one competency).",
    "/learn quiz [COMPETENCY]",
    "learner",
    handle_quiz,
)
CHECK_COMMAND = Command(
    "check",
    "A short mastery check on a competency, after studying it.",
    "/learn check COMPETENCY [MODULE]",
    "learner",
    handle_check,
)
COMMANDS = [QUIZ_COMMAND, CHECK_COMMAND]
ACTIONS = {INTAKE_ACTION: on_intake_click, RETRY_ACTION: on_retry_click}
