"""Replays of real Bot Framework traffic (../shared/data/chat-payloads/teams) into the endpoint."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.inbound import where_of
from bot.app import App, build_app
from bot.settings import Settings
from bot.storage.conversations import ConversationRepository
from tests.adapters.teams.conftest import BotServer, start_server
from tests.adapters.teams.fakes import FakeBotFramework

TEAMS = "chat-payloads/teams"
RECORDINGS = f"{TEAMS}/botbuilder_js_teams_integrationBot_recordings"


def inbound_recordings(shared_data: Path) -> list[tuple[str, dict[str, Any]]]:
    index = (shared_data / RECORDINGS / "index.jsonl").read_text().splitlines()
    names = [json.loads(line)["file"] for line in index if '"inbound' in line]
    bodies = [json.loads((shared_data / RECORDINGS / n).read_text())["body"] for n in names]
    return list(zip(names, bodies, strict=True))


async def test_every_recorded_teams_activity_is_accepted_and_answered(
    server: BotServer, fake: FakeBotFramework, teams_core: App, shared_data: Path
) -> None:
    recordings = inbound_recordings(shared_data)
    assert len(recordings) >= 30
    statuses: dict[str, int] = {}
    for name, body in recordings:
        body["serviceUrl"] = fake.service_url  # replies go to the local connector
        statuses[name] = (await server.send(body)).status
    assert set(statuses.values()) == {200}, statuses

    kinds = {b["type"] for _, b in recordings}
    assert {"message", "invoke", "conversationUpdate"} <= kinds
    repo = ConversationRepository(teams_core.services.engine)
    updates = [Activity.deserialize(b) for _, b in recordings if b["type"] == "conversationUpdate"]
    for update in updates:
        ref = repo.get(where_of(update).conversation_id)
        assert ref is not None, f"no reference stored for {update.id}"
        assert ref.service_url == fake.service_url
    mentioned = [
        b for _, b in recordings if b["type"] == "message" and "<at>" in (b.get("text") or "")
    ]
    assert len(fake.messages()) >= len(mentioned), "each message addressed to the bot is answered"


@pytest.fixture
async def emulator_server(
    tmp_path: Path,
    clock,
    fake: FakeBotFramework,
    retry: RetryPolicy,  # type: ignore[no-untyped-def]
) -> AsyncIterator[BotServer]:
    core = build_app(Settings(LEARNBOT_HOME=tmp_path / "home", _env_file=None), clock=clock)
    bot_server, runner = await start_server(core, fake, retry=retry, insecure_dev=True)
    yield bot_server
    await bot_server.session.close()
    await runner.cleanup()


async def test_bot_framework_transcripts_replay_without_errors_in_insecure_dev_mode(
    emulator_server: BotServer, fake: FakeBotFramework, shared_data: Path
) -> None:
    transcripts = sorted((shared_data / TEAMS / "botbuilder_transcripts").glob("*/*.transcript"))
    assert len(transcripts) >= 10
    turns = 0
    for path in transcripts:
        for body in json.loads(path.read_text()):
            if (body.get("from") or {}).get("role") != "user":
                continue
            body["serviceUrl"] = fake.service_url
            body["conversation"]["id"] = f"{path.stem}-{body['conversation']['id']}"
            response = await emulator_server.post(body)
            assert response.status == 200, (path.name, body.get("text"))
            turns += 1
    assert turns > 50
    assert fake.messages(), "the user turns were answered"
