"""Routes events to handlers: commands by name, buttons by action, messages by dialog or intent."""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from bot.context import Command, Context, Services
from bot.core import messages as msg
from bot.core.errors import Forbidden, LearnbotError, UserError
from bot.core.events import (
    ActionClicked,
    CommandInvoked,
    Event,
    FileShared,
    Installed,
    MessageReceived,
    Uninstalled,
)
from bot.core.replies import Reply, say
from bot.dialogs.engine import DIALOG_ACTION, DialogEngine
from bot.handlers.files import upload_role

log = logging.getLogger(__name__)
ROLE_ORDER = {"learner": 0, "manager": 1, "admin": 2}
# A typed button number ("1", "2, 3") that no dialog took: never a question for the library.
_BARE_NUMBERS = re.compile(r"^\d{1,3}(\s*[, ]\s*\d{1,3})*$")
ActionHandler = Callable[[Context, ActionClicked], list[Reply]]
EventHandler = Callable[[Context, Event], list[Reply]]


def clean_text(text: str) -> str:
    """Drop control and format characters (keeping newlines and tabs) and trim."""
    kept = (
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C" or ch == "\u200d"
    )
    return "".join(kept).strip()


def _bounded(text: str) -> str:
    if len(text) > msg.MAX_MESSAGE_CHARS:
        raise UserError(msg.TOO_LONG.format(length=len(text), limit=msg.MAX_MESSAGE_CHARS))
    return text


class Router:
    """The core's front door: every adapter hands events to `handle` and sends what it returns.

    Args:
        services: Repositories and feature services.
        commands: The `/learn` subcommands.
        actions: Button handlers by action id.
        dialogs: The dialog engine.
        ask: Handles a plain-language question (text that is not a command).
        on_file: Handles a shared file the sender may send (checked here, by its name).
    """

    def __init__(
        self,
        *,
        services: Services,
        commands: Iterable[Command],
        actions: Mapping[str, ActionHandler],
        dialogs: DialogEngine,
        ask: Callable[[Context, str], list[Reply]],
        on_file: EventHandler | None = None,
    ) -> None:
        self.services = services
        self.commands = {c.name: c for c in commands}
        self.actions = dict(actions)
        self.dialogs = dialogs
        self._ask = ask
        self._on_file = on_file

    def handle(self, event: Event) -> list[Reply]:
        """Handle one event; errors meant for the user become replies, never exceptions."""
        try:
            return self._dispatch(event)
        except LearnbotError as err:
            return [say(str(err))]

    def visible_commands(self, ctx: Context) -> list[Command]:
        """The commands the learner's role may use, in registration order."""
        return [c for c in self.commands.values() if ctx.learner.has_role(c.role)]

    def _dispatch(self, event: Event) -> list[Reply]:
        if isinstance(event, Installed | Uninstalled):
            return []
        services = self.services
        now = services.clock.now()
        learner = services.learners.resolve(event.identity, event.user, now=now)
        ctx = Context(event=event, learner=learner, services=services, now=now)
        if isinstance(event, CommandInvoked):
            return self._command(ctx, _bounded(clean_text(event.text)))
        if isinstance(event, ActionClicked):
            return self._action(ctx, event)
        if isinstance(event, FileShared):
            return self._file(ctx, event)
        if isinstance(event, MessageReceived):
            return self._message(ctx, event)
        return []

    def _command(self, ctx: Context, text: str) -> list[Reply]:
        name, _, args = text.partition(" ")
        name = name.lower() or "help"
        command = self.commands.get(name)
        if command is None:
            return [self._unknown(ctx, name)]
        args = args.strip()
        first = args.split(maxsplit=1)[0].lower() if args else ""
        # The command's least role, then a higher one some first words need (`team all`).
        for what, role in ((name, command.role), (f"{name} {first}", command.sub_roles.get(first))):
            if role is not None and not ctx.learner.has_role(role):
                refusal = msg.NOT_ALLOWED.format(name=what, role=role, see_help=msg.SEE_HELP)
                raise self._refused(ctx, what, role, refusal)
        if command.needs_args and not args:
            raise UserError(msg.MISSING_ARGS.format(name=name, usage=f"`{command.usage}`"))
        return command.handler(ctx, args)

    def _file(self, ctx: Context, event: FileShared) -> list[Reply]:
        """Authorize a shared file by its name, before the handler downloads a single byte."""
        if self._on_file is None:
            return [say(msg.SEE_HELP)]
        role = upload_role(event.name)
        if not ctx.learner.has_role(role):
            raise self._refused(ctx, "upload", role, msg.UPLOAD_ADMINS_ONLY)
        return self._on_file(ctx, event)

    def _refused(self, ctx: Context, what: str, role: str, message: str) -> Forbidden:
        """Audit a refused privileged attempt (who, what, the role it needs), then refuse."""
        self.services.audit.record(
            actor=ctx.learner.id, action="denied", target=what, detail={"needs": role}, now=ctx.now
        )
        return Forbidden(message)

    def _unknown(self, ctx: Context, name: str) -> Reply:
        allowed = [c.name for c in self.visible_commands(ctx)]
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
        lines = [msg.UNKNOWN_COMMAND.format(name=name[:40])]
        if close:
            lines.append(msg.DID_YOU_MEAN.format(suggestion=close[0]))
        lines.append(msg.SEE_HELP)
        return say(" ".join(lines))

    def _action(self, ctx: Context, event: ActionClicked) -> list[Reply]:
        if event.action == DIALOG_ACTION:
            return self.dialogs.on_action(ctx, event.value, event.values)
        prefix = event.action.split(".", 1)[0]
        handler = self.actions.get(event.action) or self.actions.get(prefix)
        if handler is None:
            raise UserError(msg.STALE_BUTTON)
        return handler(ctx, event)

    def _message(self, ctx: Context, event: MessageReceived) -> list[Reply]:
        if not event.channel.is_direct and not event.mentioned:
            return []
        text = _bounded(clean_text(event.text))
        if not text:
            active = self.services.dialogs.active(ctx.learner.id)
            waiting = self.dialogs.on_empty(ctx, active) if active is not None else None
            return waiting or [say(msg.EMPTY_MESSAGE)]
        if text.lower().startswith("/learn"):
            return self._command(ctx, text[len("/learn") :].strip())
        active = self.services.dialogs.active(ctx.learner.id)
        if active is not None:
            replies = self.dialogs.on_text(ctx, active, text)
            if replies is not None:
                return replies
        if event.channel.is_direct and self._needs_onboarding(ctx):
            return self.dialogs.start(ctx, "onboarding", text)
        if _BARE_NUMBERS.match(text):
            return [say(msg.NUMBER_WITHOUT_BUTTONS.format(number=text[:20]))]
        return self._ask(ctx, text)

    def _needs_onboarding(self, ctx: Context) -> bool:
        if not self.dialogs.has("onboarding"):
            return False
        if self.services.profiles.get(ctx.learner.id).onboarded_at is not None:
            return False
        return self.services.dialogs.latest(ctx.learner.id, "onboarding") is None
