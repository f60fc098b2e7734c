"""Who holds which role: admins from settings and grants, managers from the org chart and grants.

Guests are never managers or admins. User references in commands (a Slack mention, a Teams
mention, a terminal name or `platform:workspace:user`) are resolved only within the actor's
own platform and workspace.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot.core import messages as msg
from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.events import Identity
from bot.core.model import Learner
from bot.core.ports import RolePolicyPort
from bot.features.org import apply_entry
from bot.settings import Settings
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.org import OrgRepository

GRANTABLE = ("admin", "manager")
SLACK_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
TEAMS_MENTION = re.compile(r"^<at>(.+)</at>$", re.IGNORECASE)
_WORDS = re.compile(r"<at>.*?</at>|\S+", re.IGNORECASE)


def split_args(text: str) -> list[str]:
    """Split command arguments on spaces, keeping a Teams mention (`<at>Ana Lopez</at>`) whole."""
    return _WORDS.findall(text)


class RolePolicy:
    """Applied after each resolve: LEARNBOT_ADMINS and the org chart (see `LearnerRepository`).

    Args:
        settings: Where LEARNBOT_ADMINS comes from.
        org: The org chart.
        learners: The learner repository (to store roles).
        profiles: The profile repository (to copy org attributes).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        org: OrgRepository,
        learners: LearnerRepository,
        profiles: ProfileRepository,
    ) -> None:
        self._handles = {h.lower() for h in settings.admin_handles}
        self._org = org
        self._learners = learners
        self._profiles = profiles

    def is_configured_admin(self, learner: Learner, identity: Identity | None = None) -> bool:
        """Whether LEARNBOT_ADMINS names this learner (by identity, terminal name or email)."""
        keys = {i.key.lower() for i in learner.identities}
        if identity is not None:
            keys.add(identity.key.lower())
        keys |= {i.user_id.lower() for i in learner.identities if i.platform == "terminal"}
        if learner.email:
            keys.add(learner.email.lower())
        return bool(keys & self._handles)

    def __call__(self, learner: Learner, identity: Identity, now: datetime) -> bool:
        """Grant what settings and the org chart say; True when something changed."""
        if learner.is_guest:
            return False
        changed = False
        configured = self.is_configured_admin(learner, identity)
        if "admin" not in learner.roles and configured:
            roles = learner.roles | {"admin"}
            self._learners.set_roles(learner.id, roles, now=now, admin_from_settings=True)
            learner = replace(learner, roles=roles, admin_from_settings=True)
            changed = True
        elif learner.admin_from_settings and not configured:
            # The name left LEARNBOT_ADMINS: the role it gave goes too (a grant would stay).
            roles = learner.roles - {"admin"}
            self._learners.set_roles(learner.id, roles, now=now, admin_from_settings=False)
            learner = replace(learner, roles=roles, admin_from_settings=False)
            changed = True
        entry = self._org.get(learner.email) if learner.email else None
        if entry is not None:
            changed |= apply_entry(
                entry,
                learner_id=learner.id,
                is_manager=self._org.has_reports(entry.email),
                roles=learner.roles,
                is_guest=learner.is_guest,
                learners=self._learners,
                profiles=self._profiles,
                now=now,
            )
        return changed


def target_identity(actor: Identity, ref: str, *, learners: LearnerRepository) -> Learner:
    """The learner a command names, looked up in the actor's own platform and workspace.

    Raises:
        Forbidden: the reference names a user of another platform or workspace.
        NotFound: nobody by that reference has talked to learnbot.
        UserError: the reference is not a user reference.
    """
    ref = ref.strip()
    slack = SLACK_MENTION.match(ref)
    teams = TEAMS_MENTION.match(ref)
    if slack:
        identity = Identity(actor.platform, actor.workspace, slack.group(1))
        if actor.platform != "slack":
            raise Forbidden(msg.OTHER_WORKSPACE)
    elif teams:
        return _by_name(actor, teams.group(1).strip(), learners=learners)
    elif ref.startswith("@"):
        return _by_name(actor, ref[1:], learners=learners)
    elif ":" in ref:
        identity = Identity.parse(ref)
        if (identity.platform, identity.workspace) != (actor.platform, actor.workspace):
            raise Forbidden(msg.OTHER_WORKSPACE)
    elif actor.platform == "terminal":
        identity = Identity("terminal", actor.workspace, ref)
    else:
        return _by_name(actor, ref, learners=learners)
    found = learners.find(identity)
    if found is None:
        raise NotFound(msg.USER_UNKNOWN.format(ref=ref[:80]))
    return found


def _by_name(actor: Identity, name: str, *, learners: LearnerRepository) -> Learner:
    """A learner of the actor's workspace by terminal name, display name or email."""
    if actor.platform == "terminal":
        found = learners.find(Identity("terminal", actor.workspace, name))
        if found is not None:
            return found
    wanted = name.strip().lower()
    matches = [
        learner
        for learner in learners.in_workspace(actor.platform, actor.workspace)
        if wanted in {learner.display_name.lower(), (learner.email or "").lower()}
    ]
    if not matches:
        raise NotFound(msg.USER_UNKNOWN.format(ref=name[:80]))
    if len(matches) > 1:
        raise UserError(msg.USER_AMBIGUOUS.format(ref=name[:80]))
    return matches[0]


def grant(
    learner: Learner, role: str, *, learners: LearnerRepository, now: datetime
) -> frozenset[str]:
    """Give a role (admin or manager); guests can never hold one.

    Raises:
        UserError: an unknown role.
        Forbidden: the learner is a guest.
    """
    if role not in GRANTABLE:
        raise UserError(msg.ROLE_UNKNOWN.format(role=role[:40]))
    if learner.is_guest:
        raise Forbidden(msg.ROLE_GUEST.format(name=learner.name))
    roles = learner.roles | {role}
    # A grant in chat is kept even if the name later leaves LEARNBOT_ADMINS.
    from_settings = False if role == "admin" else None
    learners.set_roles(learner.id, roles, now=now, admin_from_settings=from_settings)
    return roles


def revoke(
    learner: Learner,
    role: str,
    *,
    learners: LearnerRepository,
    policy: RolePolicyPort | None,
    org: OrgRepository,
    now: datetime,
) -> frozenset[str]:
    """Take a granted role away (refused when settings or the org chart would give it back).

    Raises:
        UserError: an unknown role, or one that comes from LEARNBOT_ADMINS or the org chart.
    """
    if role not in GRANTABLE:
        raise UserError(msg.ROLE_UNKNOWN.format(role=role[:40]))
    if role == "admin" and policy is not None and policy.is_configured_admin(learner):
        raise UserError(msg.ROLE_FROM_SETTINGS.format(name=learner.name))
    if role == "manager" and learner.email and org.has_reports(learner.email):
        raise UserError(msg.ROLE_FROM_ORG.format(name=learner.name))
    roles = learner.roles - {role}
    learners.set_roles(learner.id, roles, now=now)
    return roles
