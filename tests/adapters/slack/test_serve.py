"""`learnbot serve`: mounters, /healthz, the start-up banner, graceful shutdown, the real CLI."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy.engine import make_url

from bot.adapters.server import (
    ServeOptions,
    banner,
    build_web_app,
    health,
    platform_of,
    start,
)
from bot.app import App, build_app
from bot.cli.serve import bind_host
from bot.context import Lazy
from bot.storage.db import make_engine
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import FakeSlack, message_text
from tests.fakes import StandInLibrary, use_features

CALLS: list[bool] = []


def mount(web_app: web.Application, core: App, *, insecure_dev: bool) -> bool:
    """A stand-in platform mounter (as bot.adapters.teams.endpoint will provide)."""
    CALLS.append(insecure_dev)
    web_app.router.add_get("/teams-ping", lambda request: web.Response(text="pong"))
    return True


def test_platform_names_come_from_the_mounter_path() -> None:
    assert platform_of("bot.adapters.slack.server:mount") == "slack"
    assert platform_of("bot.adapters.teams.endpoint:mount") == "teams"
    assert platform_of("teams=tests.adapters.slack.test_serve:mount") == "teams"


async def test_without_slack_settings_slack_is_off_and_says_why(sqlite_settings, clock) -> None:  # type: ignore[no-untyped-def]
    core = build_app(sqlite_settings, clock=clock)
    web_app = build_web_app(core)
    assert any(
        "slack" in line and "off" in line and "SLACK_SIGNING_SECRET" in line
        for line in banner(web_app)
    )
    runner, port = await start(web_app, host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert await r.json() == {
                    "status": "ok",
                    "database": "ok",
                    "index": "empty",
                    "slack": False,
                    "teams": False,
                }
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data="{}") as r:
                assert r.status == 404
    finally:
        await runner.cleanup()


async def test_other_platform_mounters_are_called_with_insecure_dev(sqlite_settings, clock) -> None:  # type: ignore[no-untyped-def]
    CALLS.clear()
    core = build_app(sqlite_settings, clock=clock)
    mounters = ("bot.adapters.slack.server:mount", "teams=tests.adapters.slack.test_serve:mount")
    web_app = build_web_app(core, insecure_dev=True, mounters=mounters)
    assert CALLS == [True]
    runner, port = await start(web_app, host="127.0.0.1", port=0)
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as r,
        ):
            body = await r.json()
    finally:
        await runner.cleanup()
    assert (body["slack"], body["teams"]) == (False, True)


class SlowLibrary:
    def __init__(self) -> None:
        self.started = threading.Event()

    def answer(self, text: str) -> str:
        self.started.set()
        time.sleep(0.5)
        return "finished after shutdown began"


async def test_shutdown_finishes_work_that_was_already_acknowledged(
    tmp_path: Path, fake: FakeSlack, clock
) -> None:  # type: ignore[no-untyped-def]
    slack, runner = await start_harness(slack_settings(tmp_path / "home", fake), clock, fake)
    library = SlowLibrary()
    use_features(slack.core.services, library=Lazy.ready(StandInLibrary(library.answer)))
    slack.onboard("U0ANA")
    assert (await slack.dm("U0ANA", "a slow one")).status == 200
    await fake.wait_for(library.started.is_set)
    await slack.session.close()
    await runner.cleanup()
    (post,) = fake.named("chat.postMessage")
    assert "finished after shutdown began" in message_text(post.params)


def test_learnbot_serve_runs_answers_healthz_and_stops_on_sigterm(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = {
        **os.environ,
        "LEARNBOT_HOME": str(tmp_path / "home"),
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.url,
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("  slack"):
                break
        found = re.search(r"http://127\.0\.0\.1:(\d+)", "".join(lines))
        assert found, lines
        assert any("slack" in line and "ON" in line for line in lines), lines
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/healthz", timeout=10) as r:
            assert r.status == 200
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "learnbot stopped." in rest


def test_health_is_503_when_the_database_refuses_writes(sqlite_settings, clock) -> None:  # type: ignore[no-untyped-def]
    core = build_app(sqlite_settings, clock=clock)
    assert health(core) == (200, {"status": "ok", "database": "ok", "index": "empty"})
    path = make_url(sqlite_settings.db_url).database
    core.services.engine = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    status, body = health(core)
    assert status == 503
    assert body["database"] == "read-only"
    assert body["reason"] == "database read-only"


def test_health_is_degraded_when_the_index_folder_is_gone(sqlite_settings, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.content import ContentRepository
    from content_index.model import Chunk, ModuleMeta

    core = build_app(sqlite_settings, clock=clock)
    content: ContentRepository = core.services.content
    meta = ModuleMeta(id="m", title="M", source="m.md")
    chunk = Chunk(
        id="m::0", module_id="m", ordinal=0, section="M", anchor="", text="Payday is Friday."
    )
    content.save(meta, content_hash="h", new_chunks=[chunk], now=clock.now())
    assert not sqlite_settings.index_dir.exists()
    status, body = health(core)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["index"] == "missing"
    assert "learnbot ingest" in str(body["reason"])
    sqlite_settings.index_dir.mkdir(parents=True)
    assert health(core)[1]["index"] == "missing", "an empty folder is no index"


def test_insecure_dev_listens_on_this_machine_only_unless_told_otherwise() -> None:
    assert bind_host(None, insecure_dev=True) == "127.0.0.1"
    assert bind_host(None, insecure_dev=False) == "0.0.0.0"
    assert bind_host("10.0.0.5", insecure_dev=True) == "10.0.0.5", "an explicit --host wins"


def test_serve_options_default_to_a_verified_http_server() -> None:
    options = ServeOptions()
    assert (options.insecure_dev, options.slack_socket_mode) == (False, False)


async def test_the_access_log_leaves_out_query_strings(sqlite_settings, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    core = build_app(sqlite_settings, clock=clock)
    runner, port = await start(build_web_app(core), host="127.0.0.1", port=0)
    caplog.set_level(logging.DEBUG, logger="aiohttp.access")
    try:
        url = f"http://127.0.0.1:{port}/healthz?secret=x&code=c0de"
        async with aiohttp.ClientSession() as session, session.get(url) as r:
            assert r.status == 200
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /healthz" 200' in line for line in lines), lines
    assert not any("secret" in line or "c0de" in line for line in lines)
