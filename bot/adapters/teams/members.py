"""What the Teams roster says about a user: email and guest status, asked once at first contact.

Activities carry only a display name. The email links a Teams identity to the same person's
Slack identity (the core links by email when it first meets someone), and the roster's
`userRole` tells guests apart. One connector call, only for identities learnbot has not met.
"""

from __future__ import annotations

import logging

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.core.events import UserInfo

log = logging.getLogger(__name__)


async def with_roster_details(context: TurnContext, user: UserInfo) -> UserInfo:
    """`user` completed with the roster's email and guest status (unchanged if unavailable)."""
    sender = context.activity.from_property
    if context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY) is None or sender is None:
        return user
    try:
        member = await TeamsInfo.get_member(context, sender.id)
    except (HttpOperationError, ClientRequestError, TypeError, ValueError, PermissionError) as err:
        log.info("Teams roster lookup failed: %s", type(err).__name__)
        return user
    email = member.email or member.user_principal_name or ""
    return UserInfo(
        display_name=user.display_name or member.name or "",
        email=email if "@" in email else "",
        timezone=user.timezone,
        is_guest=user.is_guest or (member.user_role or "").lower() == "guest",
    )
