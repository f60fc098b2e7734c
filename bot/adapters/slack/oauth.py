"""Multi-workspace installs: the OAuth flow with its installation and state stores in our database.

Installations live in tables with slack_sdk's installation schema (tokens sealed with
LEARNBOT_SECRET_KEY when it is set), written by our repository: slack_sdk's SQLAlchemy store
imports SQLAlchemy's asyncio extension, which needs greenlet. OAuth state uses a single-use
store (one DELETE decides, so a state cannot be used twice). Both are synchronous and run in
threads behind bolt's asyncio interfaces.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Engine

from bot.adapters.slack.web import make_async_client, quiet_logger
from bot.core.clock import Clock
from bot.core.errors import ConfigError
from bot.settings import Settings
from bot.storage.workspaces import OAuthStates, SlackInstallations

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
    "users:read.email",
)


class DatabaseInstallationStore(AsyncInstallationStore):
    """Installations and bot tokens in the project's database, for bolt's asyncio interface.

    A token that cannot be decrypted (LEARNBOT_SECRET_KEY changed since it was stored) is
    logged once per lookup as the setting to fix, and the workspace is treated as not
    installed: the request is refused instead of failing with a traceback.
    """

    def __init__(self, rows: SlackInstallations) -> None:
        self.rows = rows

    @property
    def logger(self) -> logging.Logger:
        return quiet_logger()

    async def async_save(self, installation: Installation) -> None:
        bot = installation.to_bot().to_dict() if installation.bot_token else None
        await asyncio.to_thread(self.rows.save, installation.to_dict(), bot)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.rows.save_bot, bot.to_dict())

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        row = await _opened(
            lambda: self.rows.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=bool(is_enterprise_install),
            )
        )
        return None if row is None else Bot(**row)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await _opened(
            lambda: self.rows.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=bool(is_enterprise_install),
            )
        )
        return None if row is None else Installation(**row)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            lambda: self.rows.delete(enterprise_id=enterprise_id, team_id=team_id, bots=True)
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.rows.delete(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bots=False
            )
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            lambda: self.rows.delete(enterprise_id=enterprise_id, team_id=team_id, bots=True)
        )


async def _opened(find: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """A row from a lookup run in a thread, or None when its tokens cannot be decrypted."""
    try:
        return await asyncio.to_thread(find)
    except ConfigError as err:
        log.error("Slack installation unusable: %s", err)
        return None


class SingleUseStateStore(AsyncOAuthStateStore):
    """OAuth state in the `slack_oauth_states` table: issued once, consumed once."""

    def __init__(self, states: OAuthStates, clock: Clock) -> None:
        self.states = states
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return quiet_logger()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(lambda: self.states.issue(now=self.clock.now()))

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(lambda: self.states.consume(state, now=self.clock.now()))


def oauth_enabled(settings: Settings) -> bool:
    """Whether multi-workspace installs are configured (SLACK_CLIENT_ID and SECRET)."""
    return bool(settings.slack_client_id and settings.slack_client_secret)


def build_oauth_flow(
    settings: Settings, *, engine: Engine, clock: Clock, installations: DatabaseInstallationStore
) -> AsyncOAuthFlow:
    """The install flow at /slack/install and /slack/oauth_redirect."""
    assert settings.slack_client_id
    assert settings.slack_client_secret
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=SingleUseStateStore(OAuthStates(engine), clock),
        logger=quiet_logger(),
    )
    client = make_async_client(None, settings.slack_api_url)
    return AsyncOAuthFlow(client=client, logger=quiet_logger(), settings=oauth)
