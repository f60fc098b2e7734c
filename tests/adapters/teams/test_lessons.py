"""A lesson in Teams: `/learn study` over real HTTP with signed tokens, Adaptive Card buttons
sent back as Action.Submit activities, replies recorded by the local connector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from tests.adapters.teams.conftest import BotServer, activity, teams_settings
from tests.adapters.teams.fakes import FakeBotFramework
from tests.conftest import copy_sample_db

pytestmark = pytest.mark.slow
MODULE = "security/phishing"
CARD_BYTES = 28_000  # Teams refuses larger cards


@pytest.fixture
def teams_core(tmp_path: Path, clock, sample_db: Path) -> App:  # type: ignore[no-untyped-def]
    """The Teams core on a copy of the sample database."""
    home = tmp_path / "home"
    copy_sample_db(sample_db, home)
    return build_app(teams_settings(home), clock=clock)


def _actions(node: Any) -> list[dict[str, Any]]:
    """Every Action.Submit in an Adaptive Card, in order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "Action.Submit":
            found.append(node)
        for value in node.values():
            found += _actions(value)
    elif isinstance(node, list):
        for value in node:
            found += _actions(value)
    return found


def _of_type(node: Any, kind: str) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == kind else []
        return found + [x for v in node.values() for x in _of_type(v, kind)]
    if isinstance(node, list):
        return [x for v in node for x in _of_type(v, kind)]
    return []


def _text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


class Learner:
    """One learner's side of a Teams chat: send text, click card buttons by title."""

    def __init__(self, server: BotServer, fake: FakeBotFramework) -> None:
        self.server, self.fake = server, fake

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self._send(activity(self.fake, text=text))

    async def click(self, title: str) -> list[dict[str, Any]]:
        for body in reversed(self.fake.calls):
            for action in _actions(body.body):
                if action.get("title", "").startswith(title):
                    return await self._send(activity(self.fake, text=None, value=action["data"]))
        raise AssertionError(f"no button {title!r} in any card")

    async def choose(self, option: str) -> list[dict[str, Any]]:
        """Pick an option of the last card's choice set and submit it, as Teams does."""
        card = self.fake.calls[-1].body
        (choice_set,) = _of_type(card, "Input.ChoiceSet")
        (value,) = [c["value"] for c in choice_set["choices"] if c["title"] == option]
        (submit,) = [a for a in _actions(card) if a["data"].get("input") == choice_set["id"]]
        data = {**submit["data"], choice_set["id"]: value}
        return await self._send(activity(self.fake, text=None, value=data))

    async def _send(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.fake.calls)
        response = await self.server.send(body)
        assert response.status == 200
        sent = [c.body for c in self.fake.calls[before:]]
        for reply in sent:
            assert len(json.dumps(reply).encode()) < CARD_BYTES
        return sent

    def labels(self) -> list[str]:
        return [a["title"] for a in _actions(self.fake.calls[-1].body)]


async def test_a_module_is_studied_in_teams_to_its_check(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    ana = Learner(server, fake)
    sent = await ana.say(f"/learn study {MODULE}")
    assert "Card 1 of 11" in _text(sent[-1])
    assert ana.labels()[0] == "Continue"
    items = teams_core.services.items.bank()
    answered = 0
    for _ in range(30):
        shown = _text(fake.calls[-1].body)
        if "Take the mastery check" in ana.labels():
            break
        if "Practice question" in shown:
            (item,) = [i for i in items if json.dumps(i.stem, ensure_ascii=False)[1:-1] in shown]
            if item.kind == "multiple":
                await ana.click("Skip question")
                continue
            (right,) = [o.text for o in item.options if o.id in item.correct_ids]
            sent = await ana.choose(right)
            assert "Correct" in _text(sent[-1])
            answered += 1
        await ana.click("Continue")
    else:
        raise AssertionError("the lesson never reached its check")
    assert answered >= 1
    assert "Card 11 of 11" in _text(fake.calls[-1].body)
    sent = await ana.click("Take the mastery check")
    assert "A short check on **Security awareness**" in _text(sent[0])


async def test_pause_and_resume_in_teams_and_a_double_click_moves_one_card(
    server: BotServer, fake: FakeBotFramework
) -> None:
    ana = Learner(server, fake)
    await ana.say(f"/learn study {MODULE}")
    await ana.click("Continue")
    assert "Card 2 of 11" in _text(fake.calls[-1].body)
    sent = await ana.click("Continue")  # the same card's button again: a double click
    assert "Card 3 of 11" in _text(sent[-1])
    again = await ana._send(
        activity(fake, text=None, value=_actions(fake.calls[-2].body)[0]["data"])
    )
    assert "That card is closed" in _text(again[-1])
    paused = await ana.click("Pause")
    assert "Paused at card 3 of 11" in _text(paused[-1])
    sent = await ana.say("/learn study")
    assert "where you left off: card 3 of 11" in _text(sent[0])
