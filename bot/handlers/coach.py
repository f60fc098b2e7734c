"""The coach's buttons: reply to the learner (a dialog), assign the module again, or waive it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.events import ActionClicked
from bot.core.model import Learner
from bot.core.replies import Direct, Reply, Text
from bot.dialogs.coach_reply import KIND as COACH_REPLY_KIND
from bot.dialogs.quiz_help import COACH_ASSIGN, COACH_REPLY, COACH_WAIVE
from bot.features.coach import may_manage, may_reply
from bot.features.quiz.learner_model import module_titles
from bot.handlers.admin import audit


@dataclass(frozen=True)
class _Click:
    learner: Learner
    competency: str
    module: str

    def title(self, ctx: Context) -> str:
        found = ctx.services.framework.get().competency(self.competency)
        return found.title if found is not None else self.competency

    def module_title(self, ctx: Context) -> str:
        return module_titles(ctx.services, [self.module])[self.module]


def _parse(ctx: Context, event: ActionClicked) -> _Click:
    parts = event.value.split("|")
    if len(parts) != 3 or not all(parts[:2]):
        raise UserError(msg.STALE_BUTTON)
    learner = ctx.services.learners.get(parts[0])
    if learner is None or not learner.identities:
        raise NotFound(msg.COACH_GONE)
    return _Click(learner, parts[1], parts[2])


def _to_learner(click: _Click, text: str) -> Reply:
    return Reply((Text(text),), to=Direct(click.learner.identities[0]), summary=text)


Start = Callable[[Context, str, str], list[Reply]]


def reply_action(start: Start) -> Callable[[Context, ActionClicked], list[Reply]]:
    """ "Reply to ...": the coach asked (or an admin) types a message for the learner next."""

    def on_reply(ctx: Context, event: ActionClicked) -> list[Reply]:
        click = _parse(ctx, event)
        if not may_reply(ctx.services, ctx.learner, click.learner, click.competency):
            raise Forbidden(msg.COACH_NOT_ASKED.format(name=click.learner.name))
        return start(ctx, COACH_REPLY_KIND, f"{click.learner.id}|{click.competency}")

    return on_reply


def _manage(ctx: Context, event: ActionClicked) -> _Click:
    click = _parse(ctx, event)
    if not click.module:
        raise UserError(msg.STALE_BUTTON)
    if not may_manage(ctx.services, ctx.learner, click.learner):
        raise Forbidden(msg.COACH_NOT_ALLOWED.format(name=click.learner.name))
    return click


def on_assign(ctx: Context, event: ActionClicked) -> list[Reply]:
    """Assign the module to the learner again and put it back on their path."""
    click = _manage(ctx, event)
    lid = click.learner.id
    ctx.services.org.assign(lid, click.module, due_at=None, by=ctx.learner.id, now=ctx.now)
    ctx.services.path_records.reopen(lid, click.module, now=ctx.now)
    audit(ctx, "coach_assign", click.module, learner=lid, competency=click.competency)
    module = click.module_title(ctx)
    note = msg.COACH_ASSIGNED_TO_LEARNER.format(coach=ctx.learner.name, module=module)
    done = msg.COACH_ASSIGNED.format(module=module, name=click.learner.name)
    return [Reply((Text(done),)), _to_learner(click, note)]


def on_waive(ctx: Context, event: ActionClicked) -> list[Reply]:
    """Waive the module for the learner: it leaves their path."""
    click = _manage(ctx, event)
    lid = click.learner.id
    failures = len(ctx.services.mastery.failures_since_pass(lid, click.competency))
    reason = msg.COACH_WAIVE_REASON.format(
        actor=ctx.learner.name, failures=failures, competency=click.competency
    )
    ctx.services.path_records.waive(
        lid, click.module, reason=reason, actor=ctx.learner.id, now=ctx.now
    )
    audit(ctx, "coach_waive", click.module, learner=lid, competency=click.competency)
    module = click.module_title(ctx)
    note = msg.COACH_WAIVED_TO_LEARNER.format(coach=ctx.learner.name, module=module)
    done = msg.COACH_WAIVED.format(module=module, name=click.learner.name)
    return [Reply((Text(done),)), _to_learner(click, note)]


def actions(start: Start) -> dict[str, Callable[[Context, ActionClicked], list[Reply]]]:
    """The coach's buttons; `start` opens the reply dialog."""
    return {COACH_REPLY: reply_action(start), COACH_ASSIGN: on_assign, COACH_WAIVE: on_waive}
