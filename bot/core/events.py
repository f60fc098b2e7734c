"""Platform-neutral inbound events: what adapters turn Slack, Teams and terminal input into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.errors import UserError

PLATFORMS = ("slack", "teams", "terminal")
TERMINAL_WORKSPACE = "local"


@dataclass(frozen=True)
class Identity:
    """Who acts, as the platform's signed fields say: (platform, workspace or tenant, user id)."""

    platform: str
    workspace: str
    user_id: str

    @property
    def key(self) -> str:
        """The written form `platform:workspace:user`."""
        return f"{self.platform}:{self.workspace}:{self.user_id}"

    @classmethod
    def parse(cls, ref: str) -> Identity:
        """Parse `slack:TEAM:USER`, `teams:TENANT:USER` or a bare terminal user name.

        Raises:
            UserError: if the reference is empty or names an unknown platform.
        """
        ref = ref.strip()
        if not ref:
            raise UserError("A user reference cannot be empty.")
        # Teams user ids contain colons ("29:1abc..."), so only the first two separate fields.
        parts = ref.split(":", 2)
        if len(parts) == 1:
            return cls("terminal", TERMINAL_WORKSPACE, ref)
        if len(parts) == 3 and parts[0] in PLATFORMS and all(parts):
            return cls(parts[0], parts[1], parts[2])
        raise UserError(
            f"'{ref}' is not a user reference. Use a terminal name (e.g. ana), "
            "slack:TEAM:USER or teams:TENANT:USER."
        )


@dataclass(frozen=True)
class UserInfo:
    """What the platform reports about the user (display name, email, time zone, status).

    `is_admin` says the platform calls the user a workspace admin or owner; it is
    informational and grants no learnbot role. `enterprise` is the Slack Enterprise Grid
    organisation the user belongs to (empty elsewhere): workspaces of one enterprise are one
    organisation for linking identities by email.
    """

    display_name: str = ""
    email: str = ""
    timezone: str = ""
    is_guest: bool = False
    is_admin: bool = False
    enterprise: str = ""


@dataclass(frozen=True)
class Channel:
    """Where an event happened and where replies go."""

    id: str
    is_direct: bool = True
    thread_id: str | None = None


@dataclass(frozen=True)
class Event:
    """Common fields of every inbound event."""

    identity: Identity
    channel: Channel
    user: UserInfo = field(default_factory=UserInfo)
    event_id: str = ""


@dataclass(frozen=True)
class MessageReceived(Event):
    """A chat message. `mentioned` is true when the bot was @-mentioned in a channel."""

    text: str = ""
    mentioned: bool = False


@dataclass(frozen=True)
class CommandInvoked(Event):
    """A `/learn` command; `text` is everything after `/learn`."""

    text: str = ""


@dataclass(frozen=True)
class ActionClicked(Event):
    """A button or choice submitted. `values` holds every selected option for multi-selects."""

    action: str = ""
    value: str = ""
    values: tuple[str, ...] = ()
    message_id: str = ""


FileReader = Callable[[int], bytes]


@dataclass(frozen=True)
class FileShared(Event):
    """A file sent to the bot. `read(max_bytes)` downloads it, refusing more than max_bytes."""

    name: str = ""
    size: int = 0
    mime: str = ""
    read: FileReader | None = None


@dataclass(frozen=True)
class Installed(Event):
    """The app was installed in a workspace or added to a conversation."""


@dataclass(frozen=True)
class Uninstalled(Event):
    """The app was removed from a workspace or its tokens were revoked."""
