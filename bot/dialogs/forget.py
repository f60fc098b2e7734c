"""The `/learn forget-me` confirmation: a dialog whose buttons only their owner can press."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.replies import Buttons, Reply, Text, say
from bot.dialogs.engine import DialogRef, Step

YES, NO = "yes", "no"


class ForgetFlow:
    """Asks once; "yes" deletes everything after the dialog step is saved, "no" keeps it."""

    kind = "forget_me"

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """Ask for confirmation."""
        return Step(state={}, replies=self.prompt(ctx, ref, {}))

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """The question and its two buttons."""
        buttons = Buttons(
            (ref.button(msg.FORGET_YES, YES, "danger"), ref.button(msg.FORGET_NO, NO))
        )
        return [Reply((Text(msg.FORGET_CONFIRM), buttons))]

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """Delete on yes (as an effect, once), keep on anything else."""
        if choice != YES:
            return Step(state=state, replies=[say(msg.FORGET_KEPT)], done=True)
        from bot.features.data_rights import forget

        def delete_all() -> None:
            forget(ctx.services, ctx.learner, now=ctx.now)

        return Step(state=state, replies=[say(msg.FORGET_DONE)], done=True, effects=(delete_all,))

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Typed text never confirms a deletion."""
        return None
