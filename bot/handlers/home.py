"""The home tab's sections (Slack App Home): the learner's path, progress and next nudge."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Services
from bot.core import messages as msg
from bot.features.paths.service import path_service
from learning.mastery import mastery_text
from learning.path_model import FINISHED


class HomeSections:
    """What a platform home tab shows of paths, progress and nudges (a `HomePort`).

    Args:
        services: The core services (paths and nudges are read when a tab is published).
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    def path(self, learner_id: str, *, now: datetime) -> str | None:
        """The open steps: how many, how long, and the first one with its reason."""
        steps = path_service(self._services).open_steps(learner_id, now=now)
        if not steps:
            return None
        minutes = sum(s.minutes for s in steps)
        return msg.HOME_PATH_SUMMARY.format(
            steps=msg.plural(len(steps), "step"),
            minutes=minutes,
            title=steps[0].title,
            reason=steps[0].reason,
        )

    def progress(self, learner_id: str, *, now: datetime) -> str | None:
        """Steps done and competencies mastered."""
        planned = path_service(self._services).plan(learner_id, now=now).path
        if not planned.steps:
            return None
        done = sum(1 for s in planned.steps if s.status in FINISHED)
        mastered = sum(1 for c in planned.competencies if c.standing in ("mastered", "exempt"))
        summary = msg.HOME_PROGRESS_SUMMARY.format(
            done=done,
            total=msg.plural(len(planned.steps), "path step"),
            mastered=mastered,
            competencies=msg.plural(len(planned.competencies), "competency", "competencies"),
        )
        measured = [
            msg.HOME_MASTERY_ITEM.format(title=c.title, pct=mastery_text(c.mastery))
            for c in planned.competencies
            if c.mastery is not None and c.standing != "exempt"
        ]
        if measured:
            summary += "\n" + msg.HOME_MASTERY.format(items=", ".join(measured))
        return summary

    def next_nudge(self, learner_id: str, *, now: datetime) -> str | None:
        """The next planned nudge, in the learner's time zone."""
        nudges = self._services.nudges
        upcoming = nudges.get().upcoming(learner_id, now=now) if nudges is not None else []
        if not upcoming:
            return None
        first = upcoming[0]
        zone = ZoneInfo(self._services.profiles.get(learner_id).timezone)
        return msg.HOME_NUDGE_SUMMARY.format(
            at=first.due_at.astimezone(zone).strftime("%a %d %b %H:%M"),
            title=first.title,
            reason=first.reason,
        )
