"""The bolt app: every listener acknowledges first and leaves the work to the bridge.

A message or mention is recorded as received (one insert, in a middleware) before it is
acknowledged, so an acknowledged message is never lost (`bot.adapters.slack.bridge`).

`EVENTS` and `COMMAND` are the single list of what the app listens to; the manifest test
checks `manifest/slack/manifest.yaml` subscribes to exactly these.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.slack.bridge import Bridge
from bot.adapters.slack.inbound import COMMAND
from bot.adapters.slack.logs import bolt_logger
from bot.core import messages as msg

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


class SingleWorkspaceAuth:
    """bolt's `authorize` for one bot token: auth.test once (at start-up), then reused.

    Bolt's own single-workspace authorization calls auth.test lazily, so a burst of first
    requests all call it at once; this asks once and shares the answer. If Slack cannot be
    reached, requests still go through with the token alone (replies will report the error).
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    def serves(self, enterprise_id: str | None, team_id: str | None) -> bool | None:
        """Whether a request from this workspace is for the token's own workspace (None: not
        known yet, as when auth.test failed). An Enterprise Grid org-wide token serves every
        workspace of its enterprise."""
        if self._result is None:
            return None
        own_enterprise = self._result.enterprise_id
        if own_enterprise and enterprise_id == own_enterprise:
            return True
        return team_id is not None and team_id == self._result.team_id

    @property
    def bot_user_id(self) -> str | None:
        """The bot's own user id, once known."""
        return self._result.bot_user_id if self._result else None

    async def warm(self) -> bool:
        """Call auth.test now; False (logged) when the token does not work."""
        async with self._lock:
            if self._result is not None:
                return True
            try:
                response = await self._client.auth_test()
            except (SlackApiError, SlackClientError, OSError) as err:
                logging.getLogger(__name__).error(
                    "slack auth.test failed (%s): check SLACK_BOT_TOKEN and SLACK_API_URL",
                    type(err).__name__,
                )
                return False
            self._result = AuthorizeResult.from_auth_test_response(
                auth_test_response=response, bot_token=self._client.token
            )
            return True

    async def authorize(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """The cached authorization (bolt passes the ids by name)."""
        if self._result is None:
            await self.warm()
        if self._result is not None:
            return self._result
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=self._client.token
        )


def _authorize_with(auth: SingleWorkspaceAuth) -> Callable[..., Awaitable[AuthorizeResult]]:
    # bolt passes arguments by their names, so it needs a plain function, not a method.
    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return await auth.authorize(enterprise_id, team_id, user_id)

    return authorize


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
    authorize: SingleWorkspaceAuth | None = None,
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
        before_authorize=(
            _installed_only(installations)
            if installations is not None
            else _own_workspace_only(authorize)
            if authorize is not None
            else None
        ),
        authorize=_authorize_with(authorize) if authorize is not None else None,
        request_verification_enabled=bool(signing_secret),
    )
    app.use(_received_first(bridge))
    _register(app, bridge)
    return app


def _register(app: AsyncApp, bridge: Bridge) -> None:
    async def on_message(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any]) -> None:
        await ack()
        claim = context.get(CLAIM)  # recorded by `_received_first`, before bolt's ack
        if claim is not None:
            bridge.spawn(bridge.message(body, claim))

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


Middleware = Callable[..., Awaitable[BoltResponse]]
CLAIM = "learnbot_claim"
MESSAGES = frozenset({"message", "app_mention"})


def _received_first(bridge: Bridge) -> Middleware:
    """Record a message or mention as received before bolt acknowledges it (bolt acks Events
    API requests before the listener runs). If the record cannot be written the request is
    answered 503, so Slack sends it again; the claim is handed to the listener."""

    async def received_first(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body or {}
        event = body.get("event") if body.get("type") == "event_callback" else None
        if isinstance(event, dict) and event.get("type") in MESSAGES:
            try:
                req.context[CLAIM] = await bridge.receive(body, retry=_retry(req))
            except SQLAlchemyError as err:
                logging.getLogger(__name__).error(
                    "slack message not recorded (%s): not acknowledged, Slack will retry",
                    type(err).__name__,
                )
                return BoltResponse(status=503, body="")
        return await next()

    return received_first


def _own_workspace_only(auth: SingleWorkspaceAuth) -> Middleware:
    """For one bot token: requests from any other workspace are ignored.

    The signing secret belongs to the app, not to a workspace, so a request signed with it
    may come from another workspace the app was added to; its ids must never reach the core.
    """

    async def served(req: AsyncBoltRequest) -> bool:
        context = req.context
        known = auth.serves(context.enterprise_id, context.team_id)
        if known is None and await auth.warm():  # auth.test once, on the first request
            known = auth.serves(context.enterprise_id, context.team_id)
        return bool(known)

    return _served_only(served, "which this token does not serve")


def _installed_only(installations: AsyncInstallationStore) -> Middleware:
    """With OAuth: requests from a workspace with no installation are ignored."""

    async def served(req: AsyncBoltRequest) -> bool:
        body = req.body or {}
        event = (body.get("event") or {}) if body.get("type") == "event_callback" else {}
        if event.get("type") in NO_INSTALL_NEEDED:
            return True
        context = req.context
        bot = await installations.async_find_bot(
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        return bot is not None

    return _served_only(served, "which is not installed")


def _served_only(served: Callable[[AsyncBoltRequest], Awaitable[bool]], why: str) -> Middleware:
    """Middleware: a request `served` refuses is answered politely and goes no further
    (Slack's own url_verification and ssl_check always pass)."""

    async def served_only(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body or {}
        if body.get("type") in ("url_verification", "ssl_check") or await served(req):
            return await next()
        logging.getLogger(__name__).info(
            "slack request from workspace %s, %s: ignored", req.context.team_id, why
        )
        text = msg.NOT_INSTALLED if "command" in body else ""
        return BoltResponse(status=200, body=text)

    return served_only
