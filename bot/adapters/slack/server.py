"""Mounts Slack on the shared aiohttp app: POST /slack/events, the OAuth pages, Socket Mode.

Every request's signature is checked here before bolt parses anything: a missing, wrong,
stale (older than 5 minutes) or malformed signature or timestamp gets 401, never 500, and
the body is never logged. Kinds of payload nobody listens to are acknowledged with 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.server import OPTIONS, QUEUE, ServeOptions, note
from bot.adapters.slack.bridge import BridgeOptions
from bot.adapters.slack.logs import guard_bolt_loggers
from bot.adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from bot.adapters.slack.runtime import OAUTH, OFF, SOCKET, SlackRuntime, build_runtime, slack_mode
from bot.adapters.slack.web import make_async_client, quiet_logger
from bot.app import App

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_SKEW_S = 60 * 5
MAX_TS_DIGITS = 12
RUNTIME = web.AppKey("learnbot.slack", SlackRuntime)
PRUNE_EVERY_S = 3600.0
# Top-level fields of Slack payloads that bolt reads as objects or lists of objects (a user
# id string, as in slash commands, travels in `user_id`, never in `user`).
OBJECT_FIELDS = ("event", "user", "team", "channel", "container", "message", "view")
LIST_FIELDS = ("actions", "authorizations")


def mount(web_app: web.Application, core: App, *, insecure_dev: bool) -> bool:
    """Add Slack to the web app when its settings are present; False (and why) when not.

    `insecure_dev` changes nothing for Slack: requests are always verified.
    """
    options = web_app.get(OPTIONS) or ServeOptions(insecure_dev=insecure_dev)
    mode, reason = slack_mode(core.settings, socket_mode=options.slack_socket_mode)
    note(web_app, "slack", reason)
    if mode == OFF:
        log.warning("slack: off (%s)", reason)
        return False
    runtime = build_runtime(
        core,
        mode,
        options=BridgeOptions(
            placeholder_after=options.slack_placeholder_after,
            event_lease=timedelta(seconds=core.settings.event_lease_seconds),
        ),
        queue=web_app.get(QUEUE),
    )
    guard_bolt_loggers()
    web_app[RUNTIME] = runtime
    if mode != SOCKET:
        secret = core.settings.slack_signing_secret
        assert secret is not None
        web_app.router.add_post(EVENTS_PATH, _events_handler(runtime, secret.get_secret_value()))
    if mode == OAUTH:
        oauth = _oauth_handler(runtime.bolt)
        web_app.router.add_get(INSTALL_PATH, oauth)
        web_app.router.add_get(REDIRECT_PATH, oauth)
    web_app.cleanup_ctx.append(_lifecycle(core, runtime))
    log.info("slack: on (%s)", reason)
    return True


def verified(verifier: SignatureVerifier, body: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 signature check, tolerant of any junk a caller may send."""
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()), and at most 12 of
    # them: a longer number is no time Slack sends and could overflow the comparison.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TS_DIGITS):
        return False
    if abs(time.time() - int(timestamp)) > MAX_SKEW_S:
        return False
    if not signature.startswith("v0=") or len(signature) > 200:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(body=text, timestamp=timestamp, signature=signature)


def well_formed(body: bytes, content_type: str) -> bool:
    """Whether a verified body has the shape bolt reads: a JSON object, or a form whose
    `payload` (when present) is a JSON object, with the top-level fields bolt looks into
    (`event`, `user`, `team`, `actions`…) of the right kind. Anything else would make bolt
    answer 500."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return _shaped(json.loads(text))
        form = parse_qs(text, keep_blank_values=True)
        payloads = form.get("payload")
        if payloads is None:
            return True
        return len(payloads) == 1 and _shaped(json.loads(payloads[0]))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False


def _shaped(payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    for key in OBJECT_FIELDS:
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            return False
    for key in LIST_FIELDS:
        value = payload.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ):
            return False
    return True


def _events_handler(runtime: SlackRuntime, secret: str):  # type: ignore[no-untyped-def]
    verifier = SignatureVerifier(signing_secret=secret)
    bolt, bridge = runtime.bolt, runtime.bridge

    async def events(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not verified(verifier, body, timestamp, signature):
            log.info("slack request refused: missing, stale or invalid signature")
            return web.json_response({"error": "invalid request"}, status=401)
        if not well_formed(body, request.content_type):
            return web.json_response({"error": "malformed body"}, status=400)
        with bridge.acknowledging():
            try:
                bolt_request = await to_bolt_request(request)
            except (ValueError, TypeError, AttributeError):
                return web.json_response({"error": "malformed body"}, status=400)
            return await to_aiohttp_response(_acked(await bolt.async_dispatch(bolt_request)))

    return events


def _acked(response: BoltResponse) -> BoltResponse:
    """Bolt answers 404 for kinds no listener takes; Slack only needs to hear 200."""
    if response.status == 404:
        return BoltResponse(status=200, body="")
    return response


def _oauth_handler(bolt: AsyncApp):  # type: ignore[no-untyped-def]
    flow = bolt.oauth_flow
    assert flow is not None

    async def oauth(request: web.Request) -> web.StreamResponse:
        bolt_request = await to_bolt_request(request)
        if request.path == INSTALL_PATH:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))

    return oauth


class LearnbotSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode with the same rule as HTTP: unknown kinds are acknowledged, not refused."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time.time()
        response = _acked(await run_async_bolt_app(self.app, req))
        await send_async_response(client, req, response, start)


def socket_handler(runtime: SlackRuntime, core: App) -> LearnbotSocketModeHandler:
    """The Socket Mode connection (SLACK_APP_TOKEN) for the runtime's bolt app."""
    token = core.settings.slack_app_token
    if token is None:
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN")
    return LearnbotSocketModeHandler(
        runtime.bolt,
        app_token=token.get_secret_value(),
        logger=quiet_logger("learnbot.slack.socket"),
        web_client=make_async_client(None, core.settings.slack_api_url),
    )


def _lifecycle(core: App, runtime: SlackRuntime):  # type: ignore[no-untyped-def]
    async def lifecycle(web_app: web.Application) -> AsyncIterator[None]:
        pruner = asyncio.ensure_future(_prune_forever(core))
        resumer = asyncio.ensure_future(_resume_forever(runtime))
        if runtime.auth is not None:
            await runtime.auth.warm()
        handler = socket_handler(runtime, core) if runtime.mode == SOCKET else None
        if handler is not None:
            await handler.connect_async()  # type: ignore[no-untyped-call]
        yield
        for task in (pruner, resumer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if handler is not None:
            await handler.close_async()  # type: ignore[no-untyped-call]
        await runtime.bridge.drain()

    return lifecycle


async def _resume_forever(runtime: SlackRuntime) -> None:
    """On start, then every lease: process messages received and not done (their holder,
    this replica before a restart or another one, died before finishing them)."""
    every = runtime.bridge.options.event_lease.total_seconds()
    while True:
        try:
            await runtime.bridge.resume()
        except SQLAlchemyError as err:
            log.warning("slack: unfinished messages not resumed (%s)", type(err).__name__)
        await asyncio.sleep(every)


async def _prune_forever(core: App) -> None:
    """Forget processed event ids after two days (Slack retries within minutes)."""
    services = core.services
    while True:
        await asyncio.to_thread(
            lambda: services.events.prune(older_than=timedelta(days=2), now=services.clock.now())
        )
        await asyncio.sleep(PRUNE_EVERY_S)
