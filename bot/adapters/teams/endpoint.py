"""The Bot Framework endpoint `POST /api/messages`, mounted on the learnbot web server.

A thin layer over botbuilder's CloudAdapter: this module parses and checks the request itself
(so a bad body is a 400 and a bad token a 401, where the stock adapter answers 500),
authenticates with ConfigurationBotFrameworkAuthentication, applies the tenant allow-list,
then either records the activity and answers 200 at once, its turn running afterwards
(messages, conversation and installation updates: `bot.adapters.teams.turns`), or lets the
adapter run the turn in the request (invokes, whose answer is the HTTP response).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ServiceClientCredentialsFactory,
)
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.queue import LearnerQueue
from bot.adapters.server import QUEUE
from bot.adapters.teams.bot import TYPING_AFTER_S, LearnbotBot, answer_invoke, not_supported
from bot.adapters.teams.config import app_type, problems
from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.inbound import tenant_of
from bot.adapters.teams.logs import pin_sdk_loggers
from bot.adapters.teams.port import TeamsChatPort
from bot.adapters.teams.turns import TurnOptions, Turns, deferred
from bot.app import App
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.settings import Settings

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
APP_TYPES = {
    "singletenant": "SingleTenant",
    "multitenant": "MultiTenant",
    "userassignedmsi": "UserAssignedMSI",
}


@dataclass(frozen=True)
class BotFrameworkCloud:
    """Where Bot Framework tokens are checked and obtained; the defaults are the public cloud.

    Tests point these at a local server that issues its own signing keys.
    """

    channel_openid_metadata_url: str = (
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )
    channel_token_issuer: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    emulator_openid_metadata_url: str = (
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    )
    login_url: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
    oauth_scope: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    oauth_url: str = AuthenticationConstants.OAUTH_URL
    caller_id: str = CallerIdConstants.public_azure_channel


PUBLIC_CLOUD = BotFrameworkCloud()


def sdk_configuration(settings: Settings, cloud: BotFrameworkCloud) -> SimpleNamespace:
    """The configuration object botbuilder reads (validated; the password stays in memory).

    Raises:
        UserError: when the app type is unknown or lacks the settings it needs.
    """
    found = problems(settings)
    if found:
        raise UserError(found[0] + ".")
    app_id = settings.microsoft_app_id or ""
    secret = settings.microsoft_app_password
    # Without an app id (insecure development mode) there are no credentials at all.
    kind = app_type(settings) if app_id else "MultiTenant"
    return SimpleNamespace(
        APP_ID=app_id,
        APP_PASSWORD=secret.get_secret_value() if secret else "",
        APP_TYPE=kind,
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=cloud.channel_openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=cloud.channel_token_issuer,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=cloud.emulator_openid_metadata_url,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=cloud.login_url,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=cloud.oauth_scope,
        OAUTH_URL=cloud.oauth_url,
        CALLER_ID=cloud.caller_id,
        VALIDATE_AUTHORITY=True,
    )


def allowed_tenants(settings: Settings) -> frozenset[str]:
    """LEARNBOT_TEAMS_ALLOWED_TENANTS as lower-case ids (empty: every tenant)."""
    return frozenset(
        t.strip().lower() for t in settings.teams_allowed_tenants.split(",") if t.strip()
    )


class TeamsEndpoint:
    """Handles `POST /api/messages`: 400 for a bad body, 401 for a bad token, 403 for a tenant
    outside the allow-list; otherwise 200 once a message or update is recorded (503 when it
    cannot be), or the invoke's own answer."""

    def __init__(
        self,
        *,
        adapter: CloudAdapter,
        auth: ConfigurationBotFrameworkAuthentication,
        bot: LearnbotBot,
        port: TeamsChatPort,
        turns: Turns,
        tenants: frozenset[str],
        auth_required: bool,
    ) -> None:
        self.adapter = adapter
        self.auth = auth
        self.bot = bot
        self.port = port
        self.turns = turns
        self._tenants = tenants
        self._auth_required = auth_required

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One inbound activity."""
        if request.content_type != "application/json":
            return _refuse(415, "the body is not JSON")
        activity = _parse(await request.read())
        if activity is None:
            return _refuse(400, "the body is not a Bot Framework activity")
        header = request.headers.get("Authorization") if self._auth_required else None
        if self._auth_required and not header:
            return _refuse(401, "no Authorization header")
        result = await self._authenticate(activity, header)
        if isinstance(result, web.Response):
            return result
        tenant = tenant_of(activity).lower()
        if self._tenants and tenant not in self._tenants:
            log.info("Teams activity from a tenant outside the allow-list: %s", tenant or "none")
            return _refuse(403, "tenant not allowed")
        if deferred(activity):
            return await self._accept(activity)
        invoke = await self.adapter.process_activity(result, activity, self.bot.on_turn)
        if invoke is None:
            return web.Response(status=200)
        if invoke.body is None:
            return web.Response(status=invoke.status or 200)
        return web.json_response(invoke.body, status=invoke.status or 200)

    async def _accept(self, activity: Activity) -> web.Response:
        try:
            await self.turns.accept(activity)
        except SQLAlchemyError as err:
            log.warning("Teams activity not recorded (%s); answered 503", type(err).__name__)
            return _refuse(503, "try again")
        return web.Response(status=200)

    async def _authenticate(
        self, activity: Activity, header: str | None
    ) -> AuthenticateRequestResult | web.Response:
        if header and _lacks_expiry(header):
            log.info("Teams request refused: a token without an expiry")
            return _refuse(401, "invalid token")
        try:
            return await self.auth.authenticate_request(activity, header)
        except requests.RequestException as err:
            log.warning("Bot Framework signing keys unavailable: %s", type(err).__name__)
            return _refuse(503, "signing keys unavailable")
        except Exception as err:  # noqa: BLE001 - the SDK raises bare Exception, jwt and key errors
            # PermissionError (bad claims), jwt.DecodeError (not a JWT), IndexError (unknown
            # key id), Exception("Could not validate endorsement key"): all mean "not trusted".
            log.info("Teams request refused: %s", type(err).__name__)
            return _refuse(401, "invalid token")


def _lacks_expiry(header: str) -> bool:
    """Whether a bearer JWT has no `exp` claim: the SDK checks an expiry only when one is
    present, so a token without one would never expire. Its signature is checked later."""
    token = header.removeprefix("Bearer ").strip()
    try:
        jwt.decode(token, options={"verify_signature": False, "require": ["exp"]})
    except jwt.MissingRequiredClaimError:
        return True
    except jwt.PyJWTError:
        return False  # not a JWT at all: the SDK refuses it
    return False


ENDPOINT_KEY = web.AppKey("learnbot_teams_endpoint", TeamsEndpoint)


def _parse(body: bytes) -> Activity | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not _envelope_ok(data):
        return None
    try:
        activity = Activity.deserialize(data)
    except (DeserializationError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(activity.type, str) or not activity.type:
        return None
    # Replies go to serviceUrl with the bot's token: it must be a web address.
    if urlsplit(activity.service_url or "").scheme not in ("https", "http"):
        return None
    return activity


def _envelope_ok(data: dict[str, Any]) -> bool:
    """Ids are strings and the conversation has one (msrest would turn `{}` into "{}")."""
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return False
    if not conversation["id"]:
        return False
    accounts_ok = all(isinstance(data.get(k, {}), dict) for k in ("from", "recipient"))
    ids_ok = all(isinstance(data.get(k, ""), str) for k in ("id", "replyToId"))
    return accounts_ok and ids_ok


def _refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def mount(
    web_app: web.Application,
    core: App,
    *,
    insecure_dev: bool,
    cloud: BotFrameworkCloud = PUBLIC_CLOUD,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
    retry: RetryPolicy | None = None,
    turn_options: TurnOptions | None = None,
) -> bool:
    """Add `POST /api/messages` to `web_app` when Teams is configured.

    Args:
        web_app: The aiohttp application of `learnbot serve` (not started yet).
        core: The built learnbot core.
        insecure_dev: Mount even without MICROSOFT_APP_ID, with authentication OFF (for the
            Bot Framework Emulator on a developer's machine only).
        cloud: Token endpoints (public cloud by default; tests use local ones).
        credentials_factory: Replaces the one built from settings (tests issue local tokens).
        retry: Send retry policy (tests use one that does not sleep).
        turn_options: Leases of recorded activities (default: `TurnOptions()` with the lease
            of LEARNBOT_EVENT_LEASE_SECONDS).

    Returns:
        True when the endpoint was mounted.

    Raises:
        UserError: when the Teams settings are inconsistent (e.g. SingleTenant without a tenant).
    """
    settings = core.settings
    app_id = settings.microsoft_app_id or ""
    if not app_id and not insecure_dev:
        log.warning(
            "Microsoft Teams is off: MICROSOFT_APP_ID is not set, so /api/messages is not "
            "mounted (use --insecure-dev only for a local emulator)."
        )
        return False
    if not app_id:
        log.warning(
            "!!! Microsoft Teams endpoint mounted with AUTHENTICATION OFF (--insecure-dev): anyone "
            "who can reach %s can act as any user. Never expose this server. !!!",
            ROUTE,
        )
    elif insecure_dev:
        log.warning("--insecure-dev ignored: MICROSOFT_APP_ID is set, so tokens are checked.")
    pin_sdk_loggers()
    config = sdk_configuration(settings, cloud)
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials_factory)
    queue = web_app.get(QUEUE) or LearnerQueue(settings.learner_queue)
    endpoint = _build(
        core, auth, app_id=app_id, retry=retry, queue=queue, turn_options=turn_options
    )
    web_app[ENDPOINT_KEY] = endpoint
    core.services.chat_ports.add(endpoint.port)
    web_app.router.add_post(ROUTE, endpoint.handle)
    web_app.on_startup.append(_bind_loop)
    web_app.cleanup_ctx.append(_resuming)
    web_app.on_cleanup.append(_close_port)
    log.info("Microsoft Teams endpoint mounted at %s", ROUTE)
    return True


def chat_port(web_app: web.Application) -> TeamsChatPort | None:
    """The Teams chat port of a mounted endpoint (for nudges and reports), else None."""
    endpoint = web_app.get(ENDPOINT_KEY)
    return endpoint.port if isinstance(endpoint, TeamsEndpoint) else None


def _build(
    core: App,
    auth: ConfigurationBotFrameworkAuthentication,
    *,
    app_id: str,
    retry: RetryPolicy | None,
    queue: LearnerQueue,
    turn_options: TurnOptions | None,
) -> TeamsEndpoint:
    services = core.services
    conversations = services.conversations
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = _on_turn_error
    port = TeamsChatPort(
        adapter=adapter,
        app_id=app_id,
        conversations=conversations,
        clock=services.clock,
        retry=retry,
    )
    bot = LearnbotBot(
        handle=core.router.handle,
        commands=lambda: core.router.commands.keys(),
        conversations=conversations,
        events=services.events,
        clock=services.clock,
        max_upload_bytes=core.settings.max_upload_bytes,
        port=port,
        retry=retry,
        is_known=lambda identity: services.learners.find(identity) is not None,
        others=lambda: services.chat_ports,
        queue=queue,
        typing_after=TYPING_AFTER_S,
    )
    turns = Turns(
        adapter=adapter,
        bot=bot,
        events=services.events,
        clock=services.clock,
        app_id=app_id,
        options=turn_options
        or TurnOptions(lease=timedelta(seconds=core.settings.event_lease_seconds)),
    )
    return TeamsEndpoint(
        adapter=adapter,
        auth=auth,
        bot=bot,
        port=port,
        turns=turns,
        tenants=allowed_tenants(core.settings),
        auth_required=bool(app_id),
    )


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    """A bug in a turn: log it (never the activity), tell the user, answer invokes with 200."""
    log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
    try:
        if context.activity.type == ActivityTypes.invoke:
            await answer_invoke(context, not_supported(context.activity.name or ""))
        elif context.activity.type == ActivityTypes.message:
            await context.send_activity(msg.INTERNAL_ERROR)
    except Exception as err:  # noqa: BLE001 - the error reply itself failed; nothing more to do
        log.warning("could not tell the user about the failure: %s", type(err).__name__)


async def _bind_loop(web_app: web.Application) -> None:
    web_app[ENDPOINT_KEY].port.bind_loop(asyncio.get_running_loop())


async def _resuming(web_app: web.Application) -> AsyncIterator[None]:
    """Resume unfinished activities on start and every lease; on stop, let running turns end."""
    turns = web_app[ENDPOINT_KEY].turns
    resumer = asyncio.ensure_future(turns.resume_forever())
    yield
    resumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await resumer
    await turns.drain()


async def _close_port(web_app: web.Application) -> None:
    web_app[ENDPOINT_KEY].port.close()
