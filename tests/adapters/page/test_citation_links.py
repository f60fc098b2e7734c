"""An answer's "Open the full module" button: personal in a direct message, naming nobody in a
channel, absent where the module is not for everyone; rendered as a link on every platform."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.adapters.slack.render import render as slack_render
from bot.adapters.teams.render import render as teams_render
from bot.adapters.terminal.render import PlainRenderer
from bot.app import App, build_app
from bot.context import Lazy
from bot.core import messages as msg
from bot.core.events import Channel, CommandInvoked, Identity
from bot.core.replies import Button, Buttons, Reply
from bot.features.module_page import signing_key, verify
from tests.adapters.page.conftest import PUBLIC_URL, page_settings, store
from tests.conftest import T0
from tests.fakes import StandInLibrary, use_features

LEAVE = """---
id: handbook/leave
title: Leave
audience: {audience}
---
# Leave

## Requesting leave

Ask your manager two weeks ahead.
"""
ANN = Identity("terminal", "local", "ann")


def core_with_leave(tmp_path: Path, clock, *, audience: str = "[]", **settings) -> App:  # type: ignore[no-untyped-def]
    core = build_app(page_settings(tmp_path, **settings), clock=clock)
    root = tmp_path / "lib"
    (root / "handbook").mkdir(parents=True)
    (root / "handbook" / "leave.md").write_text(LEAVE.format(audience=audience), encoding="utf-8")
    store(core, root / "handbook" / "leave.md", root)
    use_features(core.services, library=Lazy.ready(StandInLibrary(lambda q: "Two weeks ahead.")))
    return core


def ask(core: App, channel: Channel) -> Button:
    event = CommandInvoked(identity=ANN, channel=channel, text="ask How do I ask for leave?")
    (reply,) = core.router.handle(event)
    core.services.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    buttons = next(b for b in reply.blocks if isinstance(b, Buttons)).buttons
    return buttons[-1]


def learner_of(core: App, link: str) -> str | None:
    token = link.removeprefix(f"{PUBLIC_URL}/m/").split("#")[0]
    return verify(signing_key(core.settings), token, now=T0).learner_id


def test_a_direct_message_gets_a_personal_link_at_the_cited_section(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    core = core_with_leave(tmp_path, clock)
    button = ask(core, Channel("D1", is_direct=True))
    assert button.label == msg.OPEN_FULL_MODULE
    assert button.url.startswith(f"{PUBLIC_URL}/m/")
    assert button.url.endswith("#leave")
    ann = core.services.learners.find(ANN)
    assert ann is not None
    assert learner_of(core, button.url) == ann.id


def test_a_channel_gets_a_link_naming_nobody(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    core = core_with_leave(tmp_path, clock)
    button = ask(core, Channel("C1", is_direct=False, thread_id="1.2"))
    assert button.label == msg.OPEN_FULL_MODULE
    assert learner_of(core, button.url) is None


def test_a_restricted_module_gets_no_page_link_in_a_channel(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    core = core_with_leave(tmp_path, clock, audience="[learner]")
    in_channel = ask(core, Channel("C1", is_direct=False))
    assert "/m/" not in in_channel.url
    assert in_channel.label != msg.OPEN_FULL_MODULE
    in_dm = ask(core, Channel("D1", is_direct=True))
    assert in_dm.label == msg.OPEN_FULL_MODULE


def test_without_a_public_url_the_module_address_stays(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    core = core_with_leave(tmp_path, clock, LEARNBOT_PUBLIC_URL="")
    button = ask(core, Channel("D1", is_direct=True))
    assert "/m/" not in button.url
    assert button.label == msg.OPEN_MODULE.format(title="Leave")


def test_the_link_button_renders_as_a_link_everywhere() -> None:
    url = f"{PUBLIC_URL}/m/abc#leave"
    reply = Reply((Buttons((Button(msg.OPEN_FULL_MODULE, "open", url=url),)),))
    slack = json.dumps(slack_render(reply).messages[0].blocks)
    assert f'"url": "{url}"' in slack
    teams = json.dumps(teams_render(reply))
    assert '"type": "Action.OpenUrl"' in teams
    assert f'"url": "{url}"' in teams
    assert any(url in line for line in PlainRenderer().render(reply))
