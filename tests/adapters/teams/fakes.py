"""A local stand-in for Microsoft's side of Teams: Bot Connector, token issuer, file host.

It runs a real aiohttp server on its own thread and event loop (the SDK fetches signing keys
with blocking `requests` calls on the bot's loop, so the fake must not share that loop).
Everything the bot sends is recorded; failures can be queued per route.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from aiohttp import web
from botframework.connector.auth import AppCredentials, PasswordServiceClientCredentialFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.adapters.teams.endpoint import BotFrameworkCloud

ISSUER = "https://botframework.local.test"
APP_ID = "11111111-2222-4333-8444-555555555555"
APP_PASSWORD = "local-test-password"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "00000000-aaaa-4bbb-8ccc-000000000000"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    conversation_id: str
    activity_id: str
    authorization: str
    body: Any


@dataclass
class FakeBotFramework:
    """Bot Connector + OpenID metadata + JWKS + token endpoint + file downloads."""

    calls: list[Call] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    files: dict[str, tuple[bytes, bool]] = field(default_factory=dict)
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    member_lookups: list[str] = field(default_factory=list)
    typing: list[str] = field(default_factory=list)
    member_delay: float = 0.0
    kid: str = "local-key-1"
    port: int = 0

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._ids = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> FakeBotFramework:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def reset(self) -> None:
        self.calls.clear()
        self.token_requests.clear()
        self.downloads.clear()
        self.files.clear()
        self.failures.clear()
        self.members.clear()
        self.member_lookups.clear()
        self.typing.clear()
        self.member_delay = 0.0

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/openid/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/openid/keys", self._keys)
        app.router.add_post("/token", self._token)
        app.router.add_post("/{prefix}/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_post("/{prefix}/v3/conversations/{cid}/activities", self._activity)
        app.router.add_put("/{prefix}/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_get("/{prefix}/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    # addresses -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """What activities carry as `serviceUrl` (Teams' regional prefix included)."""
        return f"{self.url}/amer/"

    @property
    def cloud(self) -> BotFrameworkCloud:
        openid = f"{self.url}/openid/.well-known/openidconfiguration"
        return BotFrameworkCloud(
            channel_openid_metadata_url=openid,
            channel_token_issuer=ISSUER,
            emulator_openid_metadata_url=openid,
            login_url=f"{self.url}/login/",
        )

    def file_url(self, name: str) -> str:
        return f"{self.url}/files/{name}"

    # tokens --------------------------------------------------------------------------------
    def token(
        self,
        *,
        audience: str = APP_ID,
        service_url: str | None = None,
        issuer: str = ISSUER,
        foreign_key: bool = False,
        expires_in: int = 3600,
    ) -> str:
        """A channel token as Bot Framework would sign it (with our key, or a stranger's)."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        key = self._other_key if foreign_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def credentials_factory(self) -> PasswordServiceClientCredentialFactory:
        """The real app-id checks, with outbound tokens fetched from this fake."""
        return _LocalCredentialsFactory(self, APP_ID, APP_PASSWORD, TENANT)

    # recorded traffic ------------------------------------------------------------------------
    def messages(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST"]

    def fail_next(self, status: int, *, retry_after: str | None = None, times: int = 1) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        for _ in range(times):
            self.failures.append((status, headers))

    def host(self, name: str, data: bytes, *, announce_length: bool = True) -> str:
        self.files[name] = (data, announce_length)
        return self.file_url(name)

    # handlers ------------------------------------------------------------------------------
    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{self.url}/openid/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", endorsements=["msteams", "emulator", "webchat"])
        return web.json_response({"keys": [jwk]})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if form.get("client_secret") != APP_PASSWORD:
            return web.json_response({"error": "invalid_client"}, status=401)
        self._ids += 1
        return web.json_response(
            {"access_token": f"local-token-{self._ids}", "token_type": "Bearer", "expires_in": 3600}
        )

    async def _activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        if isinstance(body, dict) and body.get("type") == "typing":
            # Typing indicators are kept apart, so counts of messages stay what they were.
            self.typing.append(request.match_info["cid"])
            return web.json_response({"id": "typing"})
        self.calls.append(
            Call(
                method=request.method,
                path=request.path,
                conversation_id=request.match_info["cid"],
                activity_id=request.match_info.get("aid", ""),
                authorization=request.headers.get("Authorization", ""),
                body=body,
            )
        )
        if self.failures:
            status, headers = self.failures.popleft()
            return web.json_response(
                {"error": {"code": "Failure", "message": "queued"}}, status=status, headers=headers
            )
        self._ids += 1
        return web.json_response({"id": f"activity-{self._ids}"})

    async def _member(self, request: web.Request) -> web.Response:
        """The roster entry of a member (404 unless `members` has it)."""
        member_id = request.match_info["mid"]
        self.member_lookups.append(member_id)
        # A slow roster holds a first-contact turn after its ack (until member_delay is 0).
        waited = 0.0
        while waited < self.member_delay:
            await asyncio.sleep(0.1)
            waited += 0.1
        if member_id not in self.members:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response({"id": member_id, **self.members[member_id]})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.downloads.append(name)
        data, announce = self.files.get(name, (b"", True))
        if announce:
            return web.Response(body=data, content_type="application/octet-stream")
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(data), 16 * 1024):
            await response.write(data[start : start + 16 * 1024])
        await response.write_eof()
        return response


class _LocalCredentials(AppCredentials):  # type: ignore[misc]
    """Client-credentials grant against the fake's /token (MSAL only accepts https)."""

    def __init__(self, fake: FakeBotFramework, app_id: str, password: str, scope: str) -> None:
        super().__init__(app_id=app_id, oauth_scope=scope)
        self._fake = fake
        self._password = password

    def get_access_token(self, force_refresh: bool = False) -> str:
        answer = requests.post(
            f"{self._fake.url}/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.microsoft_app_id,
                "client_secret": self._password,
                "scope": f"{self.oauth_scope}/.default",
            },
            timeout=10,
        )
        if answer.status_code != 200:
            raise PermissionError("token refused")
        return str(answer.json()["access_token"])


class _LocalCredentialsFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    def __init__(self, fake: FakeBotFramework, app_id: str, password: str, tenant: str) -> None:
        super().__init__(app_id, password, tenant)
        self._fake = fake

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return _LocalCredentials(self._fake, app_id, self.password, oauth_scope)
