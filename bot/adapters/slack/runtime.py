"""Assembles the Slack adapter for one process: mode, clients, port, bridge and the bolt app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp

from bot.adapters.queue import LearnerQueue
from bot.adapters.slack.bolt import SingleWorkspaceAuth, build_bolt_app
from bot.adapters.slack.bridge import Bridge, BridgeOptions
from bot.adapters.slack.clients import Clients, UserDirectory
from bot.adapters.slack.files import FileFetcher
from bot.adapters.slack.home import HomePublisher
from bot.adapters.slack.oauth import DatabaseInstallationStore, build_oauth_flow, oauth_enabled
from bot.adapters.slack.port import SlackChatPort
from bot.adapters.slack.web import make_async_client
from bot.adapters.slack.workspace import WorkspaceRemoval
from bot.app import App
from bot.core.errors import UserError
from bot.settings import Settings
from bot.storage.secrets import secret_box
from bot.storage.workspaces import SlackInstallations

if TYPE_CHECKING:
    from sqlalchemy import Engine

HTTP, OAUTH, SOCKET, OFF = "http", "oauth", "socket", "off"


class SlackSetupError(UserError):
    """Slack was asked for (Socket Mode) but a setting it needs is missing."""


def slack_mode(settings: Settings, *, socket_mode: bool = False) -> tuple[str, str]:
    """How Slack runs with these settings, and why, in words for the start-up banner.

    Raises:
        SlackSetupError: Socket Mode was requested without SLACK_APP_TOKEN or SLACK_BOT_TOKEN.
    """
    has = {
        "SLACK_BOT_TOKEN": settings.slack_bot_token is not None,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret is not None,
        "SLACK_APP_TOKEN": settings.slack_app_token is not None,
    }
    if socket_mode:
        missing = [k for k in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN") if not has[k]]
        if missing:
            raise SlackSetupError(
                f"Socket Mode needs {' and '.join(missing)} (an app-level token with "
                "connections:write, and the bot token)."
            )
        return SOCKET, "Socket Mode with SLACK_APP_TOKEN"
    if not has["SLACK_SIGNING_SECRET"]:
        return OFF, "SLACK_SIGNING_SECRET is not set"
    if oauth_enabled(settings):
        return OAUTH, "multi-workspace (SLACK_CLIENT_ID/SECRET): installs at /slack/install"
    if has["SLACK_BOT_TOKEN"]:
        return HTTP, "one workspace (SLACK_BOT_TOKEN) at POST /slack/events"
    return OFF, "set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"


@dataclass
class SlackRuntime:
    """Everything the Slack side of a process holds."""

    mode: str
    bolt: AsyncApp
    bridge: Bridge
    port: SlackChatPort
    home: HomePublisher
    clients: Clients
    auth: SingleWorkspaceAuth | None = None


def slack_clients(settings: Settings, engine: Engine) -> Clients | None:
    """Web API clients from settings: installations with OAuth, else SLACK_BOT_TOKEN."""
    if oauth_enabled(settings):
        installs = SlackInstallations(
            engine, client_id=settings.slack_client_id or "", secrets=secret_box(settings)
        )
        return _clients(settings, installs)
    if settings.slack_bot_token is not None:
        return _clients(settings, None)
    return None


def _clients(settings: Settings, installs: SlackInstallations | None) -> Clients:
    if installs is not None:
        return Clients(base_url=settings.slack_api_url, lookup=installs.bot_token)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return Clients(base_url=settings.slack_api_url, token=token)


def slack_chat_port(settings: Settings, engine: Engine) -> SlackChatPort | None:
    """A Slack chat port for proactive sends from any process (nudges, reports)."""
    clients = slack_clients(settings, engine)
    return None if clients is None else SlackChatPort(clients=clients)


def build_runtime(
    core: App,
    mode: str,
    *,
    options: BridgeOptions | None = None,
    queue: LearnerQueue | None = None,
) -> SlackRuntime:
    """Build the adapter for a mode returned by `slack_mode` (not OFF); `queue` is the
    process's per-learner line (a private one when not given)."""
    settings, services = core.settings, core.services
    oauth = mode == OAUTH
    sql_installs = services.slack_installations if oauth else None
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    clients = _clients(settings, sql_installs)
    users = UserDirectory(clients)
    port = SlackChatPort(clients=clients)
    api_host = (urlsplit(settings.slack_api_url).hostname or "").lower()
    files = FileFetcher(clients, extra_hosts=frozenset({api_host}) if api_host else frozenset())
    home = HomePublisher(services=services, port=port)
    removal = WorkspaceRemoval(
        services=services, clients=clients, users=users, port=port, installations=sql_installs
    )
    bridge = Bridge(
        core=core,
        port=port,
        users=users,
        files=files,
        home=home,
        removal=removal,
        options=options,
        queue=queue,
    )
    auth = None if oauth else SingleWorkspaceAuth(make_async_client(token, settings.slack_api_url))
    bolt = _bolt(core, mode, bridge, token, auth)
    services.chat_ports.add(port)
    services.publish_home = home.publish_home
    return SlackRuntime(mode, bolt, bridge, port, home, clients, auth)


def _bolt(
    core: App, mode: str, bridge: Bridge, token: str | None, auth: SingleWorkspaceAuth | None
) -> AsyncApp:
    settings = core.settings
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    if mode != OAUTH:
        return build_bolt_app(
            bridge=bridge,
            client=make_async_client(token, settings.slack_api_url),
            signing_secret="" if mode == SOCKET else secret,
            authorize=auth,
        )
    installs = DatabaseInstallationStore(core.services.slack_installations)
    flow = build_oauth_flow(
        settings, engine=core.services.engine, clock=core.services.clock, installations=installs
    )
    return build_bolt_app(
        bridge=bridge,
        client=make_async_client(None, settings.slack_api_url),
        signing_secret=secret,
        oauth_flow=flow,
        installations=installs,
    )
