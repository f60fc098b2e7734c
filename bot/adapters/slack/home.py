"""App Home: the learner's profile, path, progress and next nudge on the bot's Home tab.

Features fill the path, progress and next-nudge sections by registering a callable in
`Services.extras` under `home.path`, `home.progress` or `home.next_nudge`; each takes
`(learner_id, now)` and returns Markdown text, or None for "not available yet".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.adapters.slack.port import SlackChatPort
from bot.adapters.slack.render import home_view
from bot.context import Services
from bot.core import messages as msg
from bot.core.events import Identity
from bot.core.model import Learner
from bot.core.ports import DeliveryFailed
from bot.core.replies import Divider, Note, Reply, Section, Text
from bot.features.profile import describe

log = logging.getLogger(__name__)
SECTIONS = (
    ("home.path", msg.HOME_PATH, msg.HOME_PATH_NONE),
    ("home.progress", msg.HOME_PROGRESS, msg.HOME_PROGRESS_NONE),
    ("home.next_nudge", msg.HOME_NEXT_NUDGE, msg.HOME_NEXT_NUDGE_NONE),
)
Provider = Callable[[str, datetime], "str | None"]


def home_reply(services: Services, learner: Learner, now: datetime) -> Reply:
    """The Home tab's content for one learner."""
    profile = services.profiles.get(learner.id)
    blocks: list[Any] = [Section(msg.HOME_TITLE, f"Hi {learner.name}!")]
    if profile.onboarded_at is None:
        blocks.append(Text(msg.HOME_NOT_ONBOARDED))
    blocks.append(Section(msg.HOME_PROFILE, fields=describe(profile)))
    for key, title, fallback in SECTIONS:
        blocks += [Divider(), Section(title, _provided(services, key, learner.id, now) or fallback)]
    blocks += [Divider(), Note(msg.HOME_HINT)]
    return Reply(tuple(blocks), summary=msg.HOME_TITLE)


def _provided(services: Services, key: str, learner_id: str, now: datetime) -> str | None:
    provider = services.extras.get(key)
    if not callable(provider):
        return None
    text = provider(learner_id, now)
    return text if isinstance(text, str) and text.strip() else None


class HomePublisher:
    """Publishes the Home tab with views.publish (on open, and when a feature asks)."""

    def __init__(self, *, services: Services, port: SlackChatPort) -> None:
        self._services = services
        self._port = port

    def publish_home(self, identity: Identity) -> bool:
        """Refresh a Slack user's Home tab; False when the identity is unknown or not Slack."""
        if identity.platform != "slack":
            return False
        learner = self._services.learners.find(identity)
        if learner is None:
            return False
        return self.publish_for(identity, learner)

    def publish_for(self, identity: Identity, learner: Learner) -> bool:
        """Publish the Home tab of a known learner."""
        view = home_view(home_reply(self._services, learner, self._services.clock.now()))
        try:
            self._port.publish_home(identity, view)
        except DeliveryFailed as err:
            log.warning("slack views.publish failed: %s", err)
            return False
        return True
