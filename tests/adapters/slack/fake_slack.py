"""A local fake of Slack's Web API: records every call, answers like Slack, fails on request.

It runs on its own thread and event loop (port 0), so both the blocking WebClient (from the
adapter's worker threads) and the asyncio clients (bolt, OAuth, Socket Mode) can reach it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM = "T0LEARN"
BOT_USER = "UBOT0001"
BOT_ID = "B0001"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    token: str
    at: float
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    """Answer `method` with an HTTP status (and optionally a Slack error) `times` times."""

    status: int
    times: int
    retry_after: int | None = None
    error: str = ""


@dataclass
class FakeSlack:
    """The fake server's state; `url` is the SLACK_API_URL to give the adapter."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_bytes: dict[str, bytes] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    socket_envelopes: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # Posted messages per channel (ts, text, metadata), served by conversations.history.
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    url: str = ""
    host: str = ""
    download_token: str = "xoxb-test"
    auto_users: bool = False
    team_id: str = TEAM  # the workspace auth.test reports: the only one the bot token serves
    enterprise_id: str | None = None  # set for an Enterprise Grid org-wide token
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _stalls: dict[str, float] = field(default_factory=dict)
    _unstalled: threading.Event = field(default_factory=threading.Event)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    # -- control ------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        error: str = "",
    ) -> None:
        """Make the next `times` calls of `method` fail."""
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(status, times, retry_after, error))

    def stall(self, method: str, seconds: float) -> None:
        """Make the next call of `method` wait `seconds` before answering (0 lets every
        stalled call go on at once)."""
        with self._lock:
            if seconds:
                self._unstalled.clear()
                self._stalls[method] = seconds
            else:
                self._stalls.pop(method, None)
                self._unstalled.set()

    def add_user(
        self,
        user_id: str,
        *,
        name: str = "",
        tz: str = "Europe/Berlin",
        email: str = "",
        guest: bool = False,
        admin: bool = False,
    ) -> None:
        """Register a user for users.info."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": name.lower() or user_id.lower(),
            "real_name": name or user_id,
            "tz": tz,
            "is_admin": admin,
            "is_restricted": guest,
            "profile": {"display_name": name, "real_name": name, "email": email},
        }

    def add_file(
        self,
        file_id: str,
        data: bytes,
        *,
        name: str = "notes.md",
        size: int | None = None,
        host: str | None = None,
    ) -> None:
        """Register a file for files.info; its download URL is on this server unless `host`."""
        base = f"https://{host}" if host else self.url.rsplit("/api/", 1)[0]
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "text/markdown",
            "size": len(data) if size is None else size,
            "url_private_download": f"{base}/files/{file_id}/{name}",
        }
        self.file_bytes[file_id] = data

    def named(self, method: str) -> list[Call]:
        """Every recorded call of one method."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted_texts(self) -> list[str]:
        """All text of chat.postMessage / postEphemeral / update calls, blocks included."""
        out = []
        for call in self.calls:
            if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
                out.append(message_text(call.params))
        return out

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (from any event loop) until `predicate()` holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.01)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeSlack:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-slack", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Slack did not start")
        return self

    def stop(self) -> None:
        self._unstalled.set()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files/{file_id}/{name}", self._download)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/_record", self._record)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.host = "127.0.0.1"
        self.url = f"http://127.0.0.1:{port}/api/"

    # -- handlers -----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw and request.content_type == "application/json":
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in ("blocks", "view", "files", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _forced(self, method: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(method) or []
            if not queue:
                return None
            head = queue[0]
            head.times -= 1
            if head.times <= 0:
                queue.pop(0)
            return head

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(params.get("token", ""))
        call = Call(method, params, token, time.monotonic())
        with self._lock:
            self.calls.append(call)
        with self._lock:
            stall = self._stalls.pop(method, 0.0)
        deadline = time.monotonic() + stall
        while time.monotonic() < deadline and not self._unstalled.is_set():
            await asyncio.sleep(0.05)
        forced = self._forced(method)
        if forced is not None:
            headers = (
                {"Retry-After": str(forced.retry_after)} if forced.retry_after is not None else {}
            )
            body = {
                "ok": False,
                "error": forced.error
                or ("ratelimited" if forced.status == 429 else "internal_error"),
            }
            return web.json_response(body, status=forced.status, headers=headers)
        call.response = self._answer(method, params, request)
        return web.json_response(call.response)

    def _answer(self, method: str, params: dict[str, Any], request: web.Request) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._ts):06d}"  # real time: history filters on it
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://learn.slack.com/",
                "team": "Learn",
                "user": "learnbot",
                "team_id": self.team_id,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None and self.auto_users:
                self.add_user(str(params.get("user")), name=str(params.get("user")))
                user = self.users[str(params.get("user"))]
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "chat.postMessage":
            self._keep(params, ts)
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts") or ts}
        if method == "conversations.history":
            return self._history(params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users"))[1:]}}
        if method == "files.info":
            file = self.files.get(str(params.get("file")))
            return {"ok": True, "file": file} if file else {"ok": False, "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):05d}"
            base = str(request.url.origin())
            return {"ok": True, "upload_url": f"{base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [
                    {"id": f["id"], "title": f.get("title")} for f in params.get("files", [])
                ],
            }
        if method == "oauth.v2.access":
            if params.get("code") != "good-code":
                return {"ok": False, "error": "invalid_code"}
            return {
                "ok": True,
                "access_token": "xoxb-installed",
                "token_type": "bot",
                "scope": "chat:write,commands",
                "bot_user_id": BOT_USER,
                "app_id": "A0LEARN",
                "team": {"id": "T0NEW", "name": "New team"},
                "enterprise": None,
                "authed_user": {"id": "U0INSTALLER"},
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            base = str(request.url.origin()).replace("http://", "ws://")
            return {"ok": True, "url": f"{base}/socket"}
        return {"ok": True}

    def _keep(self, params: dict[str, Any], ts: str) -> None:
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": params.get("text", "")}
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        with self._lock:
            self.history.setdefault(str(params.get("channel")), []).append(message)

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, from `oldest` on; metadata only on request."""
        oldest = float(params.get("oldest") or 0)
        with_meta = str(params.get("include_all_metadata")).lower() in ("true", "1")
        with self._lock:
            kept = list(self.history.get(str(params.get("channel")), []))
        messages = [
            m if with_meta else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(kept)
            if float(m["ts"]) >= oldest
        ]
        return {"ok": True, "messages": messages, "has_more": False}

    def keyed_posts(self, key: str) -> list[dict[str, Any]]:
        """Every posted message whose metadata carries this nudge key."""
        with self._lock:
            return [
                m
                for kept in self.history.values()
                for m in kept
                if (m.get("metadata") or {}).get("event_payload", {}).get("key") == key
            ]

    async def _record(self, request: web.Request) -> web.Response:
        """What was called so far, for a benchmark running in another process."""
        with self._lock:
            rows = [
                [
                    c.method,
                    c.params.get("channel"),
                    bool(c.response.get("ok")),
                    str(c.params.get("text") or "")[:60],
                ]
                for c in self.calls
            ]
        return web.json_response({"calls": rows})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(await request.read())
        return web.Response(text="OK")

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.downloads.append(file_id)
        if request.headers.get("Authorization") != "Bearer " + self.download_token:
            return web.Response(status=403)
        return web.Response(body=self.file_bytes.get(file_id, b""))

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for envelope in list(self.socket_envelopes):
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
            elif message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
        return ws


def message_text(params: dict[str, Any]) -> str:
    """The visible text of a posted message: its fallback plus every text in its blocks."""
    parts = [str(params.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params.get("blocks") or [])
    return "\n".join(parts)
