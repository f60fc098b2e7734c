"""The coach's reply: after "Reply to ...", the coach types a message the learner receives.

The dialog belongs to the coach (their next text goes to it) and keeps only whom and what it
is about. Who may reply is checked again when the message is sent, since the org chart or the
coach's roles may have changed since the click. The message itself is never logged or audited.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.model import Learner
from bot.core.replies import Buttons, Direct, Reply, Text, say
from bot.dialogs.engine import DialogRef, Step
from bot.features.coach import may_reply

KIND = "coach_reply"
MAX_REPLY_CHARS = 2000
CANCEL = "cancel"


def _learner(ctx: Context, state: dict[str, Any]) -> Learner:
    learner = ctx.services.learners.get(str(state.get("learner", "")))
    if learner is None or not learner.identities:
        raise NotFound(msg.COACH_GONE)
    return learner


def _title(ctx: Context, competency: str) -> str:
    found = ctx.services.framework.get().competency(competency)
    return found.title if found is not None else competency


class CoachReplyFlow:
    """Asks the coach for a message, then sends it to the learner attributed to the coach."""

    kind = KIND

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """`args` is "learner id|competency" (the caller checked the coach may reply)."""
        learner_id, _, competency = args.partition("|")
        if not learner_id or not competency:
            raise UserError(msg.STALE_BUTTON)
        state = {"learner": learner_id, "competency": competency}
        return Step(state=state, replies=self.prompt(ctx, ref, state))

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """Ask for the message, with a Cancel button."""
        learner = _learner(ctx, state)
        text = msg.COACH_REPLY_PROMPT.format(
            name=learner.name,
            title=_title(ctx, state["competency"]),
            limit=msg.plural(MAX_REPLY_CHARS, "character"),
        )
        return [Reply((Text(text), Buttons((ref.button(msg.COACH_REPLY_CANCEL, CANCEL),))))]

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """Cancel: nothing is sent."""
        name = _learner(ctx, state).name
        return Step(
            state=state, replies=[say(msg.COACH_REPLY_CANCELLED.format(name=name))], done=True
        )

    def on_empty(self, ctx: Context, state: dict[str, Any]) -> list[Reply]:
        """An empty message: say so; the dialog waits for a real one."""
        return [say(msg.COACH_REPLY_EMPTY.format(name=_learner(ctx, state).name))]

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Send the message to the learner, or say why not (the dialog stays open)."""
        learner = _learner(ctx, state)
        competency = state["competency"]
        if not may_reply(ctx.services, ctx.learner, learner, competency):
            raise Forbidden(msg.COACH_NOT_ASKED.format(name=learner.name))
        message = text.strip()
        if not message:
            return Step(state=state, replies=self.on_empty(ctx, state))
        if len(message) > MAX_REPLY_CHARS:
            error = msg.COACH_REPLY_TOO_LONG.format(
                name=learner.name,
                length=msg.plural(len(message), "character"),
                limit=f"{MAX_REPLY_CHARS:,}",
            )
            return Step(state=state, replies=[say(error)])
        title = _title(ctx, competency)
        coach = ctx.learner.name
        delivered = Reply(
            (Text(msg.COACH_MESSAGE_TO_LEARNER.format(coach=coach, title=title, text=message)),),
            to=Direct(learner.identities[0]),
            summary=msg.COACH_MESSAGE_SUMMARY.format(coach=coach, title=title),
        )

        def record() -> None:
            ctx.services.audit.record(
                actor=ctx.learner.id,
                action="coach_reply",
                target=learner.id,
                detail={"competency": competency, "characters": len(message)},
                now=ctx.now,
            )

        done = say(msg.COACH_REPLY_DELIVERED.format(name=learner.name))
        return Step(state=state, replies=[done, delivered], done=True, effects=(record,))
