"""App Home: the learner's profile, path, progress and next nudge on the bot's Home tab.

The path, progress and next-nudge sections come from `Services.home` (a `HomePort`): Markdown
text, or None for "not available yet".
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.adapters.slack.port import SlackChatPort
from bot.adapters.slack.render import home_view
from bot.context import Services
from bot.core import messages as msg
from bot.core.events import Identity
from bot.core.model import Learner
from bot.core.ports import DeliveryFailed, HomePort
from bot.core.replies import Button, Buttons, Divider, Note, Reply, Section, Text
from bot.dialogs.lesson import NEXT_STEP_ACTION
from bot.features.profile import describe

log = logging.getLogger(__name__)


def home_reply(services: Services, learner: Learner, now: datetime) -> Reply:
    """The Home tab's content for one learner."""
    profile = services.profiles.get(learner.id)
    blocks: list[Any] = [Section(msg.HOME_TITLE, f"Hi {learner.name}!")]
    if profile.onboarded_at is None:
        blocks.append(Text(msg.HOME_NOT_ONBOARDED))
    blocks.append(Section(msg.HOME_PROFILE, fields=describe(profile)))
    for title, text, fallback in _sections(services.home, learner.id, now):
        blocks += [Divider(), Section(title, text if text and text.strip() else fallback)]
        if title == msg.HOME_PATH and text and text.strip():
            # Opens the next step's lesson where the learner left off, in the DM.
            study = Button(msg.HOME_STUDY, NEXT_STEP_ACTION, style="primary")
            blocks.append(Buttons((study,)))
    blocks += [Divider(), Note(msg.HOME_HINT)]
    return Reply(tuple(blocks), summary=msg.HOME_TITLE)


def _sections(
    home: HomePort | None, learner_id: str, now: datetime
) -> list[tuple[str, str | None, str]]:
    """(title, text or None, text when there is none) of the path, progress and nudge sections."""
    path = progress = nudge = None
    if home is not None:
        path = home.path(learner_id, now=now)
        progress = home.progress(learner_id, now=now)
        nudge = home.next_nudge(learner_id, now=now)
    return [
        (msg.HOME_PATH, path, msg.HOME_PATH_NONE),
        (msg.HOME_PROGRESS, progress, msg.HOME_PROGRESS_NONE),
        (msg.HOME_NEXT_NUDGE, nudge, msg.HOME_NEXT_NUDGE_NONE),
    ]


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
