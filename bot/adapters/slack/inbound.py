"""Inbound translation: signed Slack payloads become the core's platform-neutral events.

Identity comes only from the payload's own team and user fields (which Slack signs), never
from a button value. The workspace is the team the app is installed in, the one that sent
the request, so an uninstall can find every identity that came through it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.adapters.slack.render import parse_action_id
from bot.core.events import (
    ActionClicked,
    Channel,
    CommandInvoked,
    Identity,
    MessageReceived,
    UserInfo,
)

PLATFORM = "slack"
COMMAND = "/learn"
# Message subtypes that are a person writing to the bot; edits, joins, bot posts and file
# shares (handled through `file_shared`) are not.
_PERSON_SUBTYPES = {None, "thread_broadcast"}
_SPECIAL = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[^>]+>)+\s*")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def workspace_of(body: dict[str, Any]) -> str:
    """The team id of the workspace that sent the payload."""
    team = body.get("team")
    if isinstance(team, dict) and _str(team.get("id")):
        return _str(team.get("id"))
    if _str(team):
        return _str(team)
    if _str(body.get("team_id")):
        return _str(body.get("team_id"))
    user = body.get("user")
    if isinstance(user, dict):
        return _str(user.get("team_id"))
    return ""


def enterprise_of(body: dict[str, Any]) -> str | None:
    """The Enterprise Grid org id, when the payload names one."""
    enterprise = body.get("enterprise")
    if isinstance(enterprise, dict):
        return _str(enterprise.get("id")) or None
    team = body.get("team")
    from_team = _str(team.get("enterprise_id")) if isinstance(team, dict) else ""
    return _str(body.get("enterprise_id")) or _str(enterprise) or from_team or None


def acting_user(body: dict[str, Any]) -> str:
    """The user id of whoever caused the payload (message author, clicker, command user)."""
    event = body.get("event")
    if isinstance(event, dict):
        user = event.get("user")
        if isinstance(user, dict):
            return _str(user.get("id"))
        return _str(user) or _str(event.get("user_id"))
    user = body.get("user")
    if isinstance(user, dict):
        return _str(user.get("id"))
    return _str(body.get("user_id"))


def identity_of(body: dict[str, Any]) -> Identity | None:
    """The signed identity behind a payload, or None when it names no user and team."""
    team, user = workspace_of(body), acting_user(body)
    if not team or not user:
        return None
    return Identity(PLATFORM, team, user)


def user_info(user: dict[str, Any]) -> UserInfo:
    """What `users.info` (or `user_change`) says about a user."""
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    name = (
        _str(profile.get("display_name"))
        or _str(profile.get("real_name"))
        or _str(user.get("real_name"))
        or _str(user.get("name"))
    )
    grid = user.get("enterprise_user")
    return UserInfo(
        display_name=name[:200],
        email=_str(profile.get("email")),
        timezone=_str(user.get("tz")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        enterprise=_str(grid.get("enterprise_id")) if isinstance(grid, dict) else "",
    )


def clean_text(text: str, *, strip_mentions: bool = False) -> str:
    """Slack's wire text as plain text: mentions, channels and links readable, entities decoded."""
    if strip_mentions:
        text = _LEADING_MENTIONS.sub("", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)

    def special(match: re.Match[str]) -> str:
        kind, ident, label = match.group(1), match.group(2), match.group(3)
        if kind == "!":
            return "@" + (label or ident.split("^", 1)[0])
        return kind + (label or ident)

    text = _SPECIAL.sub(special, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def is_person_message(event: dict[str, Any]) -> bool:
    """Whether a `message` event is a person writing (not a bot, edit, join or file share)."""
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return False
    return bool(_str(event.get("user")))


def message_event(
    body: dict[str, Any], identity: Identity, info: UserInfo
) -> MessageReceived | None:
    """A direct message or an @-mention as a MessageReceived (None for other messages)."""
    event = body.get("event")
    if not isinstance(event, dict):
        return None
    channel_id = _str(event.get("channel"))
    if event.get("type") == "app_mention":
        thread = _str(event.get("thread_ts")) or _str(event.get("ts"))
        channel = Channel(channel_id, is_direct=False, thread_id=thread or None)
        text = clean_text(_str(event.get("text")), strip_mentions=True)
        return MessageReceived(
            identity, channel, info, _str(body.get("event_id")), text=text, mentioned=True
        )
    if event.get("channel_type") != "im" or not is_person_message(event):
        return None
    channel = Channel(channel_id, is_direct=True, thread_id=_str(event.get("thread_ts")) or None)
    text = clean_text(_str(event.get("text")))
    return MessageReceived(identity, channel, info, _str(body.get("event_id")), text=text)


def command_event(body: dict[str, Any], identity: Identity, info: UserInfo) -> CommandInvoked:
    """A `/learn ...` slash command; `text` is what follows the command."""
    channel_id = _str(body.get("channel_id"))
    channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
    text = clean_text(_str(body.get("text")))
    return CommandInvoked(identity, channel, info, _str(body.get("trigger_id")), text=text)


def action_event(body: dict[str, Any], identity: Identity, info: UserInfo) -> ActionClicked | None:
    """A button click as an ActionClicked; None for checkbox ticks and link buttons."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    clicked = actions[0]
    action, kind, counter = parse_action_id(_str(clicked.get("action_id")))
    value, values = _str(clicked.get("value")), tuple[str, ...]()
    if kind in ("m", "u"):
        return None
    if kind == "o":
        value, values = _option_value(value)
    elif kind == "s":
        values = _ticked(body, f"{action}#m{counter}.")
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    assert isinstance(container, dict)
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    assert isinstance(message, dict)
    channel_field = body.get("channel")
    channel_id = _str(container.get("channel_id")) or (
        _str(channel_field.get("id")) if isinstance(channel_field, dict) else ""
    )
    thread = _str(container.get("thread_ts")) or _str(message.get("thread_ts"))
    channel = Channel(channel_id, is_direct=channel_id.startswith("D"), thread_id=thread or None)
    return ActionClicked(
        identity,
        channel,
        info,
        _str(clicked.get("action_ts")),
        action=action,
        value=value,
        values=values,
        message_id=_str(container.get("message_ts")),
    )


def _option_value(value: str) -> tuple[str, tuple[str, ...]]:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value, ()
    if isinstance(decoded, list) and len(decoded) == 2 and all(isinstance(v, str) for v in decoded):
        return decoded[0], (decoded[1],)
    return value, ()


def _ticked(body: dict[str, Any], prefix: str) -> tuple[str, ...]:
    """The options ticked in the checkbox groups whose action ids start with `prefix`."""
    state = body.get("state")
    blocks = state.get("values") if isinstance(state, dict) else None
    if not isinstance(blocks, dict):
        return ()
    found: list[tuple[str, list[str]]] = []
    for inputs in blocks.values():
        if not isinstance(inputs, dict):
            continue
        for element_id, element in inputs.items():
            suffix = element_id[len(prefix) :] if isinstance(element_id, str) else ""
            if element_id.startswith(prefix) and suffix.isdigit():
                options = element.get("selected_options") if isinstance(element, dict) else None
                picked = [_str(o.get("value")) for o in options or [] if isinstance(o, dict)]
                found.append((element_id, [p for p in picked if p]))
    found.sort(key=lambda item: int(item[0][len(prefix) :] or 0))
    return tuple(value for _, values in found for value in values)
