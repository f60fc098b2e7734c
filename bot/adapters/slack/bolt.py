"""The bolt app: every listener acknowledges first and leaves the work to the bridge.

`EVENTS` and `COMMAND` are the single list of what the app listens to; the manifest test
checks `manifest/slack/manifest.yaml` subscribes to exactly these.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages as msg
from bot.adapters.slack.bridge import Bridge
from bot.adapters.slack.inbound import COMMAND
from bot.adapters.slack.logs import bolt_logger

# Manifest bot event -> the bolt event type it arrives as.
EVENTS = {
    "app_mention": "app_mention",
    "message.im": "message",
    "app_home_opened": "app_home_opened",
    "file_shared": "file_shared",
    "app_uninstalled": "app_uninstalled",
    "tokens_revoked": "tokens_revoked",
    "user_change": "user_change",
}
# Events Slack sends even after an uninstall, so no installation is needed to handle them.
NO_INSTALL_NEEDED = frozenset({"app_uninstalled", "tokens_revoked", "team_access_revoked"})


def _retry(req: AsyncBoltRequest) -> str | None:
    values = req.headers.get("x-slack-retry-num") or []
    return values[0] if values else None


def build_bolt_app(
    *,
    bridge: Bridge,
    client: AsyncWebClient,
    signing_secret: str,
    oauth_flow: AsyncOAuthFlow | None = None,
    installations: AsyncInstallationStore | None = None,
) -> AsyncApp:
    """An AsyncApp whose listeners ack at once and spawn the bridge's work."""
    app = AsyncApp(
        logger=bolt_logger(),
        name="learnbot",
        signing_secret=signing_secret,
        client=client,
        oauth_flow=oauth_flow,
        installation_store=installations,
        installation_store_bot_only=True if installations is not None else None,
        before_authorize=_installed_only(installations) if installations is not None else None,
        request_verification_enabled=bool(signing_secret),
    )
    _register(app, bridge)
    return app


def _register(app: AsyncApp, bridge: Bridge) -> None:
    async def on_message(ack: AsyncAck, body: dict[str, Any], req: AsyncBoltRequest) -> None:
        await ack()
        bridge.spawn(bridge.message(body, retry=_retry(req)))

    async def on_home(ack: AsyncAck, body: dict[str, Any], req: AsyncBoltRequest) -> None:
        await ack()
        bridge.spawn(bridge.home_opened(body, retry=_retry(req)))

    async def on_file(
        ack: AsyncAck, body: dict[str, Any], req: AsyncBoltRequest, context: dict[str, Any]
    ) -> None:
        await ack()
        bot_user = context.get("bot_user_id")
        bridge.spawn(bridge.file_shared(body, bot_user=bot_user, retry=_retry(req)))

    async def on_removed(ack: AsyncAck, body: dict[str, Any], req: AsyncBoltRequest) -> None:
        await ack()
        bridge.spawn(bridge.removed(body, retry=_retry(req)))

    async def on_user_change(ack: AsyncAck, body: dict[str, Any], req: AsyncBoltRequest) -> None:
        await ack()
        bridge.spawn(bridge.user_changed(body, retry=_retry(req)))

    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        in_dm = str(body.get("channel_id", "")).startswith("D")
        await (ack() if in_dm else ack(msg.ANSWER_IN_DM))
        bridge.spawn(bridge.command(body))

    async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        bridge.spawn(bridge.action(body))

    handlers: dict[str, Callable[..., Awaitable[None]]] = {
        "app_mention": on_message,
        "message": on_message,
        "app_home_opened": on_home,
        "file_shared": on_file,
        "app_uninstalled": on_removed,
        "tokens_revoked": on_removed,
        "user_change": on_user_change,
    }
    for bolt_event in EVENTS.values():
        app.event(bolt_event)(handlers[bolt_event])
    app.command(COMMAND)(on_command)
    app.block_action(re.compile(r".*"))(on_action)
    app.error(_on_error)


async def _on_error(error: Exception) -> None:
    logging.getLogger(__name__).error("slack listener failed: %s", type(error).__name__)


def _installed_only(
    installations: AsyncInstallationStore,
) -> Callable[..., Awaitable[BoltResponse]]:
    """Middleware: requests from a workspace with no installation are answered politely."""

    async def installed_only(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body or {}
        kind = body.get("type")
        event_type = (body.get("event") or {}).get("type") if kind == "event_callback" else None
        if kind in ("url_verification", "ssl_check") or event_type in NO_INSTALL_NEEDED:
            return await next()
        context = req.context
        bot = await installations.async_find_bot(
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        if bot is not None:
            return await next()
        logging.getLogger(__name__).info(
            "slack request from workspace %s, which is not installed: ignored", context.team_id
        )
        text = msg.NOT_INSTALLED if "command" in body else ""
        return BoltResponse(status=200, body=text)

    return installed_only
