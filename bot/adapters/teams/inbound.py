"""Inbound translation for Teams: Bot Framework activities become platform-neutral core events.

Who acts is read only from the activity's signed envelope (`from`, the tenant in
`channelData`/`conversation`), never from anything a user can type or submit in a card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from bot.core.events import (
    ActionClicked,
    Channel,
    CommandInvoked,
    Event,
    FileReader,
    FileShared,
    Identity,
    Installed,
    MessageReceived,
    Uninstalled,
    UserInfo,
)

PLATFORM = "teams"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
PERSONAL = "personal"
MAX_ACTION_CHARS = 200
MAX_VALUE_CHARS = 2000
_THREAD = re.compile(r";messageid=(\d+)$")
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "txt": "text/plain",
    "html": "text/html",
    "htm": "text/html",
    "csv": "text/csv",
    "gift": "text/plain",
    "yaml": "application/yaml",
    "yml": "application/yaml",
    "json": "application/json",
}

ReaderFactory = Callable[[str, str], FileReader]


@dataclass(frozen=True)
class Where:
    """The conversation an activity belongs to, as learnbot stores and addresses it."""

    conversation_id: str
    kind: str
    tenant_id: str
    thread_id: str | None = None

    @property
    def is_direct(self) -> bool:
        """A personal (1:1) chat with the bot."""
        return self.kind == PERSONAL


def tenant_of(activity: Activity) -> str:
    """The tenant id from `channelData.tenant.id`, else `conversation.tenantId` ("" if none)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return str(tenant["id"])
    conversation = activity.conversation
    if conversation is None:
        return ""
    value = conversation.tenant_id or conversation.additional_properties.get("tenantId")
    return value if isinstance(value, str) else ""


def where_of(activity: Activity) -> Where:
    """Conversation id (channel threads split off), kind and tenant of an activity."""
    conversation = activity.conversation
    raw_id = (conversation.id if conversation else None) or ""
    match = _THREAD.search(raw_id)
    base = raw_id[: match.start()] if match else raw_id
    kind = (conversation.conversation_type if conversation else None) or ""
    if kind not in ("personal", "channel", "groupChat"):
        kind = "groupChat" if conversation is not None and conversation.is_group else PERSONAL
    return Where(base, kind, tenant_of(activity), match.group(1) if match else None)


def identity_of(activity: Activity) -> Identity:
    """Identity("teams", tenant, user): the Entra object id when Teams sends it, else `from.id`.

    The Entra object id is stable across bot registrations and is what admins can look up;
    the emulator and some system events only carry the Bot Framework id (`29:...`).
    """
    sender = activity.from_property
    user_id = ((sender.aad_object_id or sender.id) if sender else None) or ""
    workspace = tenant_of(activity) or activity.channel_id or "unknown"
    return Identity(PLATFORM, workspace, user_id)


def user_info(activity: Activity) -> UserInfo:
    """What Teams reports about the sender: display name and the client's time zone."""
    name = (activity.from_property.name if activity.from_property else None) or ""
    timezone = ""
    for entity in activity.entities or []:
        if entity.type == "clientInfo":
            value = entity.additional_properties.get("timezone")
            timezone = value if isinstance(value, str) else ""
    return UserInfo(display_name=name, timezone=timezone)


def to_events(
    activity: Activity, *, commands: Iterable[str], open_file: ReaderFactory
) -> list[Event]:
    """Translate one activity; unknown kinds give no events.

    Args:
        activity: The authenticated inbound activity.
        commands: Names of the `/learn` subcommands; a message that is exactly one of them
            (what Teams' command menu sends) becomes a command.
        open_file: Builds the `read(max_bytes)` function for a file's (download URL, name).
    """
    if not activity.from_property or not activity.from_property.id:
        return []
    where = where_of(activity)
    base: dict[str, Any] = {
        "identity": identity_of(activity),
        "channel": Channel(where.conversation_id, where.is_direct, where.thread_id),
        "user": user_info(activity),
        "event_id": activity.id or "",
    }
    if activity.type == ActivityTypes.message:
        return _message(activity, base, frozenset(commands), open_file)
    if activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
        change = installation_change(activity)
        if change == "added":
            return [Installed(**base)]
        if change == "removed":
            return [Uninstalled(**base)]
    return []


def installation_change(activity: Activity) -> str:
    """ "added" or "removed" when the activity adds or removes the bot, else ""."""
    if activity.type == ActivityTypes.installation_update:
        action = activity.action or ""
        return "added" if action.startswith("add") else "removed" if action else ""
    if activity.type != ActivityTypes.conversation_update:
        return ""
    bot_id = activity.recipient.id if activity.recipient else None
    if any(m.id == bot_id for m in activity.members_added or []):
        return "added"
    if any(m.id == bot_id for m in activity.members_removed or []):
        return "removed"
    return ""


def mentions_bot(activity: Activity) -> bool:
    """Whether the bot itself is @-mentioned."""
    return bool(_bot_mentions(activity))


def message_text(activity: Activity) -> str:
    """The message text with the bot's @-mention removed (other mentions keep their name)."""
    text = activity.text or ""
    for mention in _bot_mentions(activity):
        text = text.replace(mention, " ")
    return _AT_TAG.sub(lambda m: m.group(1), text).strip()


def _bot_mentions(activity: Activity) -> list[str]:
    bot_id = activity.recipient.id if activity.recipient else None
    found: list[str] = []
    for entity in activity.entities or []:
        if entity.type != "mention":
            continue
        props = entity.additional_properties
        mentioned = props.get("mentioned")
        if isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            found.append(str(props.get("text") or ""))
    return found


def _message(
    activity: Activity, base: dict[str, Any], commands: frozenset[str], open_file: ReaderFactory
) -> list[Event]:
    if isinstance(activity.value, dict):
        clicked = _action(activity, base)
        return [clicked] if clicked else []
    events: list[Event] = list(_files(activity, base, open_file))
    text = message_text(activity)
    if events and not text:
        return events
    if text.lower() in commands:
        return [*events, CommandInvoked(**base, text=text.lower())]
    mentioned = not base["channel"].is_direct and mentions_bot(activity)
    return [*events, MessageReceived(**base, text=text, mentioned=mentioned)]


def _action(activity: Activity, base: dict[str, Any]) -> ActionClicked | None:
    """An Action.Submit: `{"action", "value", "values"?, "input"?}` plus the card's inputs."""
    data: dict[str, Any] = activity.value
    action, value = data.get("action"), data.get("value", "")
    if not isinstance(action, str) or not action or not isinstance(value, str):
        return None
    if len(action) > MAX_ACTION_CHARS or len(value) > MAX_VALUE_CHARS:
        return None
    return ActionClicked(
        **base,
        action=action,
        value=value,
        values=_selected(data),
        message_id=activity.reply_to_id or "",
    )


def _selected(data: dict[str, Any]) -> tuple[str, ...]:
    raw = data.get("values")
    input_id = data.get("input")
    if raw is None and isinstance(input_id, str):
        raw = data.get(input_id)
    if isinstance(raw, str):
        # Input.ChoiceSet submits a multi-selection as one comma-separated string.
        raw = raw.split(",")
    if not isinstance(raw, list):
        return ()
    return tuple(v.strip() for v in raw if isinstance(v, str) and v.strip())[:100]


def _files(
    activity: Activity, base: dict[str, Any], open_file: ReaderFactory
) -> Iterable[FileShared]:
    for attachment in activity.attachments or []:
        if attachment.content_type != FILE_DOWNLOAD_INFO:
            continue
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if not isinstance(url, str) or not url:
            continue
        name = attachment.name or "file"
        file_type = str(content.get("fileType") or name.rsplit(".", 1)[-1]).lower()
        yield FileShared(
            **base,
            name=name,
            size=_declared_size(content),
            mime=_MIME.get(file_type, "application/octet-stream"),
            read=open_file(url, name),
        )


def _declared_size(content: dict[str, Any]) -> int:
    """A size Teams declared with the file, if any (0 when unknown)."""
    for key in ("size", "fileSize"):
        value = content.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0
