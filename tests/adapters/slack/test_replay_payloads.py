"""Real Slack payloads (bolt-python's scenario tests, java-slack-sdk's field-complete samples),
signed and sent to the server: nothing answers 500, known kinds reach the core, the rest is
acknowledged and ignored."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.core.events import ActionClicked, Event, MessageReceived
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import SlackHarness

INTERACTIVE = {
    "block_actions",
    "block_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_submission",
    "view_closed",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "workflow_step_edit",
}


def _record_router(slack: SlackHarness) -> list[Event]:
    seen: list[Event] = []
    handle = slack.core.router.handle

    def recording(event: Event):  # type: ignore[no-untyped-def]
        seen.append(event)
        return handle(event)

    slack.core.router.handle = recording  # type: ignore[method-assign]
    return seen


def _as_sent(payload: Any, content_type: str, n: int) -> tuple[str, str]:
    """The body and content type Slack would use for this payload."""
    if isinstance(payload, str):
        return payload, "application/x-www-form-urlencoded"
    payload = dict(payload)
    if payload.get("type") == "event_callback":
        payload["event_id"] = f"EvReplay{n:04d}"  # real ids are unique; the samples reuse Ev111
        return json.dumps(payload), "application/json"
    if payload.get("type") in INTERACTIVE:
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    if "command" in payload and "type" not in payload:
        return urlencode(
            {k: str(v) for k, v in payload.items()}
        ), "application/x-www-form-urlencoded"
    return json.dumps(payload), content_type


async def _replay(slack: SlackHarness, files: list[Path], unwrap: bool) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for n, path in enumerate(files):
        data = json.loads(path.read_text(encoding="utf-8"))
        payload = data["payload"] if unwrap else data
        content_type = (
            data.get("content_type", "application/json") if unwrap else "application/json"
        )
        body, kind = _as_sent(_in_workspace(payload, RECORDED_TEAM), content_type, n)
        statuses[path.name] = (await slack.post(body, content_type=kind)).status
    await slack.settle()
    return statuses


RECORDED_TEAM, RECORDED_ENTERPRISE = "T111", "E111"  # where bolt's recorded payloads come from


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The fake Web API, its bot token serving the workspace the recorded payloads come from
    (a token serves only its own workspace)."""
    server = FakeSlack(team_id=RECORDED_TEAM, enterprise_id=RECORDED_ENTERPRISE).start()
    yield server
    server.stop()


def _in_workspace(payload: Any, team: str) -> Any:
    """A sample whose workspace fields are blank, as Slack would send it from `team`."""
    if not isinstance(payload, dict):
        return payload
    payload = dict(payload)
    if payload.get("team_id") == "":
        payload["team_id"] = team
    if isinstance(payload.get("team"), dict) and payload["team"].get("id") == "":
        payload["team"] = {**payload["team"], "id": team}
    return payload


async def test_bolt_scenario_payloads(
    slack: SlackHarness, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    folder = shared_data / "chat-payloads" / "slack" / "bolt_python_test_payloads"
    files = sorted(folder.glob("*.json"))
    assert len(files) >= 60
    seen = _record_router(slack)
    statuses = await _replay(slack, files, unwrap=True)
    assert {name: s for name, s in statuses.items() if s != 200} == {}
    mentions = [e for e in seen if isinstance(e, MessageReceived) and e.mentioned]
    clicks = [e for e in seen if isinstance(e, ActionClicked)]
    # Every app_mention payload from the workspaces the token serves (its own, and its
    # enterprise's); the one installed elsewhere (a shared channel's T_INSTALLED) is ignored,
    # and so are the plain channel messages.
    assert len(mentions) == 3
    assert {e.text for e in mentions} >= {"Hi there!"}
    assert {e.identity.workspace for e in mentions} == {"T111"}
    assert len(clicks) == 3  # the three block_actions payloads
    assert {c.value for c in clicks} == {"click_me_123"}
    assert not [e for e in seen if isinstance(e, MessageReceived) and not e.mentioned]
    # The one app_home_opened sample is for the Messages tab, which has no view to publish.
    assert slack.fake.named("views.publish") == []
    assert "slack work failed" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_field_complete_samples_with_blank_values(
    slack: SlackHarness, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    folder = shared_data / "chat-payloads" / "slack" / "java_slack_sdk_json_log_samples"
    files = sorted(p for p in folder.rglob("*.json"))
    assert len(files) >= 100
    statuses = await _replay(slack, files, unwrap=False)
    assert {name: s for name, s in statuses.items() if s != 200} == {}
    assert "slack work failed" not in caplog.text
    assert "Traceback" not in caplog.text
