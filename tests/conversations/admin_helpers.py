"""Drive the router with signed-looking identities of several platforms and read replies as text."""

from __future__ import annotations

from bot.app import App
from bot.core.events import ActionClicked, Channel, CommandInvoked, Identity, UserInfo
from bot.core.replies import Attachment, Buttons, Choices, Image, Note, Reply, Section, Text

SLACK_T1 = "T1"


def slack(user: str, team: str = SLACK_T1) -> Identity:
    return Identity("slack", team, user)


def run(
    core: App,
    who: Identity,
    text: str,
    *,
    email: str = "",
    guest: bool = False,
    channel: bool = False,
    name: str = "",
) -> list[Reply]:
    """Send `/learn TEXT` as `who` and return the replies."""
    info = UserInfo(display_name=name, email=email, is_guest=guest)
    event = CommandInvoked(
        identity=who,
        channel=Channel("C1" if channel else "D1", is_direct=not channel),
        user=info,
        text=text,
    )
    return core.router.handle(event)


def click(core: App, who: Identity, action: str, value: str, *, email: str = "") -> list[Reply]:
    """Click a button as `who`."""
    event = ActionClicked(
        identity=who, channel=Channel("D1"), user=UserInfo(email=email), action=action, value=value
    )
    return core.router.handle(event)


def text_of(replies: list[Reply]) -> str:
    """Every text of the replies, one string."""
    out: list[str] = []
    for reply in replies:
        for block in reply.blocks:
            if isinstance(block, Text | Note):
                out.append(block.text)
            elif isinstance(block, Section):
                out += [block.title, block.text, *(f"{k}: {v}" for k, v in block.fields)]
            elif isinstance(block, Buttons):
                out += [b.label for b in block.buttons]
            elif isinstance(block, Choices):
                out += [label for _, label in block.options]
            elif isinstance(block, Image | Attachment):
                out.append(f"[{type(block).__name__}]")
    return "\n".join(out)


def make_admin(core: App, who: Identity, *, email: str = "") -> str:
    """Resolve `who` and give them the admin role directly in storage (like LEARNBOT_ADMINS)."""
    services = core.services
    learner = services.learners.resolve(who, UserInfo(email=email), now=services.clock.now())
    services.learners.set_roles(learner.id, frozenset({"admin"}), now=services.clock.now())
    return learner.id
