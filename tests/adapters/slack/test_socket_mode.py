"""Socket Mode: refused without an app-level token; with one, events arrive over a websocket."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.adapters.slack.runtime import SlackSetupError
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, message_text


def test_socket_mode_without_an_app_token_is_refused(
    tmp_path: Path, fake: FakeSlack, clock
) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.server import ServeOptions, build_web_app
    from bot.app import build_app

    core = build_app(slack_settings(tmp_path / "home", fake), clock=clock)
    with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN"):
        build_web_app(core, options=ServeOptions(slack_socket_mode=True))


def test_the_cli_refuses_socket_mode_without_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app
    from bot.cli.serve import register

    for var in ("SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.chdir(tmp_path)
    register(app)
    result = CliRunner().invoke(app, ["serve", "--socket-mode", "--port", "0"])
    assert result.exit_code == 2
    assert "Socket Mode needs SLACK_APP_TOKEN" in result.output


async def test_events_over_the_socket_are_acknowledged_and_answered(
    tmp_path: Path, fake: FakeSlack, clock
) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.server import ServeOptions, build_web_app, start
    from bot.app import build_app

    def envelope(envelope_id: str, event: dict) -> dict:  # type: ignore[type-arg]
        body = {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "Ev" + envelope_id,
            "event_time": int(time.time()),
            "event": event,
        }
        return {
            "envelope_id": envelope_id,
            "type": "events_api",
            "payload": body,
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }

    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ANA",
        "user": "U0ANA",
        "text": "hello",
        "ts": "1700.3",
    }
    fake.socket_envelopes.extend(
        [envelope("env-dm", dm), envelope("env-odd", {"type": "reaction_added", "user": "U0ANA"})]
    )
    settings = slack_settings(
        tmp_path / "home", fake, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET=None
    )
    core = build_app(settings, clock=clock)
    web_app = build_web_app(core, options=ServeOptions(slack_socket_mode=True))
    assert not [
        r for r in web_app.router.routes() if r.resource and r.resource.canonical == "/slack/events"
    ]
    runner, _port = await start(web_app, host="127.0.0.1", port=0)
    try:
        await fake.wait_for(lambda: len(fake.socket_acks) == 2)
        assert sorted(a["envelope_id"] for a in fake.socket_acks) == ["env-dm", "env-odd"]
        (opened,) = fake.named("apps.connections.open")
        assert opened.token == "xapp-test"
        await fake.wait_for(lambda: bool(fake.named("chat.postMessage")))
        post = fake.named("chat.postMessage")[0]
        assert post.token == "xoxb-test"
        assert "I'm *learnbot*" in message_text(post.params)
    finally:
        await runner.cleanup()
