"""The soak's local cluster: the replica launcher, processes that can be killed, the
round-robin proxy, the database and Chroma (see bench/soak.py)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_teams_fake_url = ""


# -- the replica (run as `python bench/soak.py replica`) -------------------------------------


def mount_teams(web_app: web.Application, core: Any, *, insecure_dev: bool) -> bool:
    """The Teams endpoint as `learnbot serve` mounts it, trusting the fake's keys and tokens."""
    from bot.adapters.teams.endpoint import BotFrameworkCloud, mount
    from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT
    from tests.adapters.teams.fakes import _LocalCredentialsFactory as LocalCredentialsFactory

    url = _teams_fake_url
    openid = f"{url}/openid/.well-known/openidconfiguration"
    cloud = BotFrameworkCloud(
        channel_openid_metadata_url=openid,
        channel_token_issuer="https://botframework.local.test",
        emulator_openid_metadata_url=openid,
        login_url=f"{url}/login/",
    )

    @dataclass
    class Remote:
        url: str

    class OneTokenFactory(LocalCredentialsFactory):  # type: ignore[misc,valid-type]
        """One outbound token per process, so the fake can tell processes apart."""

        async def create_credentials(self, *args: Any, **kwargs: Any) -> Any:
            credentials = await super().create_credentials(*args, **kwargs)
            fetch = credentials.get_access_token
            credentials.get_access_token = lambda force_refresh=False: _token(fetch)
            return credentials

    factory = OneTokenFactory(Remote(url), APP_ID, APP_PASSWORD, TENANT)
    return mount(web_app, core, insecure_dev=insecure_dev, cloud=cloud, credentials_factory=factory)


_tokens: list[str] = []


def _token(fetch: Any) -> str:
    if not _tokens:
        _tokens.append(fetch())
    return _tokens[0]


def run_replica(port: int, teams_fake: str) -> None:
    """`learnbot serve` (with its in-process nudge worker), Teams aimed at the fake."""
    global _teams_fake_url
    import logging

    from bot.adapters.server import ServeOptions, build_web_app, serve_forever
    from bot.cli import open_app
    from bot.cli.serve import _start_worker, _warm_up

    _teams_fake_url = teams_fake
    core = open_app()
    logging.basicConfig(level=core.settings.log_level, format="%(asctime)s %(name)s: %(message)s")
    mounters = ("bot.adapters.slack.server:mount", "teams=bench.soak_cluster:mount_teams")
    web_app = build_web_app(core, options=ServeOptions(), mounters=mounters)
    _warm_up(core)
    stop_worker = _start_worker(core)
    try:
        asyncio.run(serve_forever(web_app, host="127.0.0.1", port=port, echo=print))
    finally:
        stop_worker()


# -- infrastructure ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float, what: str, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up at {url}")


@contextmanager
def database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"learnbot_soak_{os.getpid()}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Proc:
    """One learnbot (or chroma) process that can be killed and started again."""

    name: str
    command: list[str]
    env: dict[str, str]
    logs: Path
    incarnation: int = 0
    proc: subprocess.Popen[bytes] | None = None
    killed: bool = False
    url: str = ""

    def start(self, **extra: str) -> None:
        self.incarnation += 1
        self.killed = False
        env = self.env | {"SLACK_BOT_TOKEN": f"xoxb-{self.name}-{self.incarnation}"} | extra
        log = open(self.logs / f"{self.name}-{self.incarnation}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.command, env=env, cwd=ROOT, stdout=log, stderr=log)

    def kill(self) -> None:
        assert self.proc is not None
        self.killed = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def exited_on_its_own(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None and not self.killed

    def peak_mb(self) -> int:
        """The process's peak resident memory (VmHWM), 0 when it is gone."""
        try:
            status = Path(f"/proc/{self.proc.pid if self.proc else 0}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        return 0

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Proxy:
    """Round-robin HTTP proxy: a refused connection goes to the next replica (nginx's
    `proxy_next_upstream error`); an upstream that fails mid-request is a 502."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.turn = itertools.count()
        self.session: aiohttp.ClientSession | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=200),
        )
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def forward(self, request: web.Request) -> web.Response:
        assert self.session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        first = next(self.turn)
        for n in range(len(self.upstreams)):
            upstream = self.upstreams[(first + n) % len(self.upstreams)]
            try:
                async with self.session.request(
                    request.method, upstream + request.path_qs, data=body, headers=headers
                ) as answer:
                    data = await answer.read()
                    kept = {"Content-Type": answer.headers.get("Content-Type", "text/plain")}
                    kept["X-Soak-Upstream"] = upstream
                    return web.Response(status=answer.status, body=data, headers=kept)
            except aiohttp.ClientConnectorError:
                continue
            except (TimeoutError, aiohttp.ClientError):
                return web.Response(status=502, text="upstream failed")
        return web.Response(status=502, text="no upstream")


def _fake_teams_class() -> Any:
    from tests.adapters.teams.fakes import FakeBotFramework

    class RefusalsKept(FakeBotFramework):  # type: ignore[misc,valid-type]
        """The fake Bot Framework, listing each recorded call once answered, with whether it
        was refused."""

        def __post_init__(self) -> None:
            super().__post_init__()
            self.settled: list[tuple[Any, bool]] = []

        async def _activity(self, request: web.Request) -> web.Response:
            answer = await super()._activity(request)
            # No await between recording the call and answering it: it is the last one.
            self.settled.append((self.calls[-1], answer.status >= 400))
            return answer

    return RefusalsKept


def start_chroma(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log = open(tmp / "chroma.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/api/v2/heartbeat", 60, "chroma", proc)
    return proc, url
