"""Who helps a learner stuck on a competency, and what that person may do about it.

The coach is, in order: the learner's manager in the org chart, the competency's `coach`
in the framework, then `LEARNBOT_COACH`. Each must be reachable (a learnbot user, or a user
reference for LEARNBOT_COACH). Only the coach asked to help (as found at click and send time)
and admins may write to the learner; only managers of the learner and admins may assign the
module again or waive it, checked at click time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.context import Services
from bot.core.errors import UserError
from bot.core.events import Identity
from bot.core.model import Learner

log = logging.getLogger(__name__)
CoachSource = Literal["manager", "competency", "settings"]


@dataclass(frozen=True)
class Coach:
    """The person asked to help, where to reach them, and why them.

    Attributes:
        identity: Where the message goes.
        source: manager (org chart), competency (framework) or settings (LEARNBOT_COACH).
        person: The coach as a learnbot user, when known (their roles decide the buttons).
    """

    identity: Identity
    source: CoachSource
    person: Learner | None = None

    @property
    def name(self) -> str:
        """How to name the coach to the learner."""
        return self.person.name if self.person is not None else self.identity.user_id


def _reach(services: Services, ref: str) -> tuple[Identity, Learner | None] | None:
    """An email (a learnbot user) or a user reference, as somewhere to send a message."""
    ref = ref.strip()
    if not ref:
        return None
    if "@" in ref and ":" not in ref:
        person = services.learners.find_by_email(ref)
        if person is None or not person.identities:
            return None
        return person.identities[0], person
    try:
        identity = Identity.parse(ref)
    except UserError:
        log.warning("a coach reference is not a user reference; skipped")
        return None
    return identity, services.learners.find(identity)


def manager_of(services: Services, learner: Learner) -> Learner | None:
    """The learner's manager in the org chart, when they are a learnbot user."""
    entry = services.org.get(learner.email) if learner.email else None
    if entry is None or not entry.manager_email:
        return None
    manager = services.learners.find_by_email(entry.manager_email)
    return manager if manager is not None and manager.identities else None


def find_coach(services: Services, learner: Learner, competency_id: str) -> Coach | None:
    """The learner's manager, else the competency's coach, else LEARNBOT_COACH (or None)."""
    manager = manager_of(services, learner)
    if manager is not None and manager.id != learner.id:
        return Coach(manager.identities[0], "manager", manager)
    competency = services.framework.get().competency(competency_id)
    found = _reach(services, competency.coach) if competency is not None else None
    if found is not None:
        return Coach(found[0], "competency", found[1])
    found = _reach(services, services.settings.coach)
    return Coach(found[0], "settings", found[1]) if found is not None else None


def may_manage(services: Services, actor: Learner, learner: Learner) -> bool:
    """Admins, and managers with the learner below them in the org chart."""
    if actor.has_role("admin"):
        return True
    if not actor.has_role("manager") or not actor.email or not learner.email:
        return False
    return learner.email in services.org.reports(actor.email)


def may_reply(services: Services, actor: Learner, learner: Learner, competency_id: str) -> bool:
    """The coach asked to help (as found now), and admins."""
    if actor.has_role("admin"):
        return True
    coach = find_coach(services, learner, competency_id)
    if coach is None:
        return False
    if coach.person is not None and coach.person.id == actor.id:
        return True
    return coach.identity in actor.identities
