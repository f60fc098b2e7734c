"""Runs dialogs: persisted state machines advanced by buttons and text, one step at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import Conflict, Forbidden
from bot.core.replies import Button, Choices, Reply
from bot.storage.dialogs import ACTIVE, DONE, DialogRecord

DIALOG_ACTION = "dlg"


@dataclass(frozen=True)
class Step:
    """The outcome of one dialog step: the new state, what to say, and what to do once saved.

    `effects` run only after the state was saved by this request, so a double click or a
    replayed request cannot apply them twice.
    """

    state: dict[str, Any]
    replies: list[Reply]
    done: bool = False
    effects: tuple[Callable[[], None], ...] = field(default_factory=tuple)


class Flow(Protocol):
    """A dialog's state machine. Implementations are stateless; all state is in `state`."""

    kind: str

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """The first state and prompt."""
        ...

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """Show the current question again (after a restart or a stray message)."""
        ...

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """A button or a submitted choice list."""
        ...

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Typed text; None when the current step does not take text."""
        ...


@dataclass(frozen=True)
class DialogRef:
    """Identifies a dialog step, so its buttons can be matched to it when clicked."""

    dialog_id: str
    step: int

    def value(self, choice: str) -> str:
        """The button value for `choice` at this step."""
        return f"{self.dialog_id}:{self.step}:{choice}"

    def button(self, label: str, choice: str, style: str = "") -> Button:
        """A button that answers this step with `choice`."""
        return Button(label=label, action=DIALOG_ACTION, value=self.value(choice), style=style)  # type: ignore[arg-type]

    def choices(
        self, options: tuple[tuple[str, str], ...], *, multi: bool = False, submit: str = "Submit"
    ) -> Choices:
        """A choice list that answers this step."""
        return Choices(
            action=DIALOG_ACTION,
            value=self.value("choices"),
            options=options,
            multi=multi,
            submit_label=submit,
        )


def parse_value(value: str) -> tuple[str, int, str]:
    """Split a dialog button value into (dialog id, step, choice)."""
    dialog_id, _, rest = value.partition(":")
    step, _, choice = rest.partition(":")
    if not dialog_id or not step.isdigit():
        raise Conflict(msg.STALE_BUTTON)
    return dialog_id, int(step), choice


class DialogEngine:
    """Starts dialogs and feeds them input, saving the state after every step."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self._flows = dict(flows)

    def has(self, kind: str) -> bool:
        """Whether a flow of this kind is registered."""
        return kind in self._flows

    def start(self, ctx: Context, kind: str, args: str = "") -> list[Reply]:
        """Start a dialog of `kind` for the learner (replacing one of the same kind)."""
        repo = ctx.services.dialogs
        record = repo.create(ctx.learner.id, kind, {}, now=ctx.now)
        step = self._flows[kind].start(ctx, DialogRef(record.id, 0), args)
        return self._save(ctx, record, step, next_step=False)

    def on_action(self, ctx: Context, value: str, values: tuple[str, ...]) -> list[Reply]:
        """Apply a clicked dialog button, once, if it is the learner's and still current."""
        dialog_id, step_no, choice = parse_value(value)
        record = ctx.services.dialogs.get(dialog_id)
        if record is None:
            raise Conflict(msg.STALE_BUTTON)
        if record.learner_id != ctx.learner.id:
            raise Forbidden(msg.NOT_YOUR_DIALOG)
        flow = self._flows[record.kind]
        if record.status != ACTIVE or record.step != step_no:
            raise Conflict(getattr(flow, "closed", msg.QUESTION_CLOSED))
        ref = DialogRef(record.id, record.step + 1)
        step = flow.on_action(ctx, ref, dict(record.state), choice, values)
        return self._save(ctx, record, step)

    def on_text(self, ctx: Context, record: DialogRecord, text: str) -> list[Reply] | None:
        """Offer typed text to an active dialog; None when the dialog does not take it."""
        flow = self._flows.get(record.kind)
        if flow is None:
            return None
        step = flow.on_text(ctx, DialogRef(record.id, record.step + 1), dict(record.state), text)
        return None if step is None else self._save(ctx, record, step)

    def on_empty(self, ctx: Context, record: DialogRecord) -> list[Reply] | None:
        """What an active dialog says to an empty message (None: it has nothing to add).

        Only flows that wait for free text (a flow with an `on_empty` method) answer it.
        """
        flow = self._flows.get(record.kind)
        answer = getattr(flow, "on_empty", None)
        return None if answer is None else list(answer(ctx, dict(record.state)))

    def resume(self, ctx: Context, record: DialogRecord) -> list[Reply]:
        """Show an active dialog's current prompt again."""
        flow = self._flows[record.kind]
        return flow.prompt(ctx, DialogRef(record.id, record.step), dict(record.state))

    def _save(
        self, ctx: Context, record: DialogRecord, step: Step, *, next_step: bool = True
    ) -> list[Reply]:
        saved = ctx.services.dialogs.advance(
            record,
            state=step.state,
            status=DONE if step.done else ACTIVE,
            now=ctx.now,
            next_step=next_step,
        )
        if saved is None:
            return []
        for effect in step.effects:
            effect()
        return step.replies
