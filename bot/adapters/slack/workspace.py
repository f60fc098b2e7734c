"""Workspace lifecycle: uninstall and token revocation purge; `user_change` refreshes learners."""

from __future__ import annotations

import logging
from typing import Any

from bot.adapters.slack import inbound
from bot.adapters.slack.clients import Clients, UserDirectory
from bot.adapters.slack.port import SlackChatPort
from bot.context import Services
from bot.core.events import Identity
from bot.storage.workspaces import SlackInstallations, purge_workspace
from learning.profile import ProfileError, parse_timezone

log = logging.getLogger(__name__)


class WorkspaceRemoval:
    """Forgets a workspace when Slack says the app was removed or its bot token revoked.

    Installation rows and tokens go first (nothing can be sent there any more), then the
    learners known only through that workspace, then every cache that mentions it.
    """

    def __init__(
        self,
        *,
        services: Services,
        clients: Clients,
        users: UserDirectory,
        port: SlackChatPort,
        installations: SlackInstallations | None,
    ) -> None:
        self._services = services
        self._clients = clients
        self._users = users
        self._port = port
        self._installations = installations

    def handle(self, body: dict[str, Any]) -> bool:
        """Apply an app_uninstalled or tokens_revoked event; True when data was purged."""
        event = body.get("event") or {}
        kind = event.get("type")
        if kind == "tokens_revoked":
            tokens = event.get("tokens") or {}
            if not tokens.get("bot"):
                # Only user tokens were revoked; learnbot asks for none, so nothing to do.
                return False
        elif kind != "app_uninstalled":
            return False
        team = inbound.workspace_of(body)
        if not team:
            return False
        self.remove(team, enterprise_id=inbound.enterprise_of(body), reason=str(kind))
        return True

    def _forget_learner(self, learner_id: str) -> None:
        from bot.features.data_rights import forget

        learner = self._services.learners.get(learner_id)
        if learner is not None:
            forget(self._services, learner, now=self._services.clock.now())

    def remove(self, team: str, *, enterprise_id: str | None, reason: str) -> None:
        """Purge one workspace's installation, learners and caches."""
        services = self._services
        rows = (
            self._installations.remove(team, enterprise_id=enterprise_id)
            if self._installations
            else 0
        )
        deleted, unlinked = purge_workspace(
            services.engine, "slack", team, forget=self._forget_learner
        )
        self._clients.forget(team)
        self._users.forget_workspace(team)
        self._port.forget_workspace(team)
        services.audit.record(
            actor="slack",
            action="workspace.purged",
            target=f"slack:{team}",
            detail={
                "reason": reason,
                "installations": rows,
                "learners": deleted,
                "unlinked": unlinked,
            },
            now=services.clock.now(),
        )
        if not self._clients.multi_workspace:
            log.warning("slack workspace %s removed the app: SLACK_BOT_TOKEN no longer works", team)
        log.info("slack workspace %s purged (%s): %d learners deleted", team, reason, deleted)


def apply_user_change(body: dict[str, Any], *, services: Services, users: UserDirectory) -> bool:
    """Refresh a known learner from a `user_change` event; True when one was updated.

    People who never wrote to learnbot are not stored.
    """
    user = (body.get("event") or {}).get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return False
    team = inbound.workspace_of(body) or str(user.get("team_id") or "")
    identity = Identity("slack", team, user["id"])
    if services.learners.find(identity) is None:
        return False
    info = inbound.user_info(user)
    users.remember(identity, info)
    now = services.clock.now()
    learner = services.learners.resolve(identity, info, now=now)
    profile = services.profiles.get(learner.id)
    try:
        zone = parse_timezone(info.timezone) if info.timezone else profile.timezone
    except ProfileError:
        zone = profile.timezone
    if zone != profile.timezone:
        services.profiles.save(learner.id, profile.with_changes(timezone=zone), now=now)
    return True
