"""A lesson in Slack: `/learn study` through the real HTTP server and bolt, Block Kit buttons
clicked as signed block_actions, replies recorded by the fake Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.render import MAX_BLOCKS, SECTION_TEXT
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import FakeSlack, message_text
from tests.adapters.slack.harness import SlackHarness, button, buttons
from tests.conftest import copy_sample_db

pytestmark = pytest.mark.slow
MODULE = "security/phishing"


@pytest.fixture
async def slack(
    tmp_path: Path, fake: FakeSlack, clock, sample_db: Path
) -> AsyncIterator[SlackHarness]:  # type: ignore[no-untyped-def]
    """The Slack server on a copy of the sample database."""
    home = tmp_path / "home"
    copy_sample_db(sample_db, home)
    harness, runner = await start_harness(slack_settings(home, fake), clock, fake)
    yield harness
    await harness.session.close()
    await runner.cleanup()


def _last(slack: SlackHarness) -> dict[str, Any]:
    return slack.fake.named("chat.postMessage")[-1].params


def _labels(params: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(params) if b.get("type") == "button"]


def _fits_slack(params: dict[str, Any]) -> None:
    blocks = params.get("blocks") or []
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= SECTION_TEXT


async def _click(slack: SlackHarness, params: dict[str, Any], label: str) -> dict[str, Any]:
    """Click a button; the message posted, or the clicked one updated, in answer."""
    sent = slack.fake.named("chat.postMessage") + slack.fake.named("chat.update")
    assert (await slack.click("U0ANA", button(params, label), channel="D0ANA")).status == 200
    await slack.settle()
    now = slack.fake.named("chat.postMessage") + slack.fake.named("chat.update")
    new = [c for c in now if c not in sent]
    assert new, f"clicking {label!r} sent nothing"
    return new[-1].params


def _right_option(slack: SlackHarness, params: dict[str, Any]) -> str | None:
    """The label of the right option of a single-answer practice question, else None."""
    text = message_text(params)
    for item in slack.core.services.items.bank():
        if item.stem in text and item.kind != "multiple":
            (right,) = [o.text for o in item.options if o.id in item.correct_ids]
            return right
    return None


async def test_a_module_is_studied_in_slack_to_its_check(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    assert (await slack.command("U0ANA", f"study {MODULE}")).status == 200
    await slack.settle()
    card = _last(slack)
    assert "Card 1 of 11" in message_text(card)
    assert _labels(card)[0] == "Continue"
    answered = 0
    for _ in range(30):
        _fits_slack(card)
        text = message_text(card)
        if "Take the mastery check" in _labels(card):
            break
        if "Practice question" in text:
            right = _right_option(slack, card)
            if right is None:
                card = await _click(slack, card, "Skip question")
                continue
            card = await _click(slack, card, right[:40])
            assert "Correct" in message_text(card)
            answered += 1
        card = await _click(slack, card, "Continue")
    else:
        raise AssertionError("the lesson never reached its check")
    assert answered >= 1
    assert "Card 11 of 11" in message_text(card)
    check = await _click(slack, card, "Take the mastery check")
    assert "Question 1" in message_text(check)
    posted = [message_text(c.params) for c in slack.fake.named("chat.postMessage")]
    assert "A short check on Security awareness" in posted[-2]


async def test_pause_and_resume_in_slack(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    await slack.command("U0ANA", f"study {MODULE}")
    await slack.settle()
    card = await _click(slack, _last(slack), "Continue")
    stale = button(_last(slack), "Continue")
    paused = await _click(slack, card, "Pause")
    assert "Paused at card 2 of 11" in message_text(paused)
    await slack.command("U0ANA", "study")
    await slack.settle()
    posted = [message_text(c.params) for c in slack.fake.named("chat.postMessage")]
    assert "where you left off: card 2 of 11" in posted[-2]
    assert "Card 2 of 11" in posted[-1]
    # An old card's button is answered as closed, to the clicker only.
    await slack.click("U0ANA", stale, channel="D0ANA")
    await slack.settle()
    notices = slack.fake.named("chat.postEphemeral") + slack.fake.named("chat.postMessage")
    assert "That card is closed" in message_text(notices[-1].params)


async def test_the_home_tab_opens_the_next_lesson_in_the_dm(slack: SlackHarness) -> None:
    learner = slack.onboard("U0ANA")
    services = slack.core.services
    profile = services.profiles.get(learner).with_changes(job_role="support-agent")
    services.profiles.save(learner, profile, now=services.clock.now())
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    await slack.event(event)
    await slack.settle()
    view = slack.fake.named("views.publish")[-1].params["view"]
    study = button({"blocks": view["blocks"]}, "Continue learning")
    assert (await slack.click("U0ANA", study, channel="")).status == 200
    await slack.settle()
    posted = [c.params for c in slack.fake.named("chat.postMessage")]
    assert posted[-1]["channel"] == "D0ANA"
    assert "Card 1 of" in message_text(posted[-1])
    assert "Next:" in message_text(posted[-2])


async def test_skip_a_part_in_slack_when_mastery_was_shown(slack: SlackHarness) -> None:
    from bot.storage.mastery import Ability

    learner = slack.onboard("U0ANA")
    services = slack.core.services
    services.mastery.save_ability(
        learner, Ability("security-awareness", 2.5, 0.3, 0.99, 0.3, 8, services.clock.now())
    )
    await slack.command("U0ANA", f"study {MODULE}")
    await slack.settle()
    card = await _click(slack, _last(slack), "Continue")
    assert "You've already shown you know Security awareness" in message_text(card)
    card = await _click(slack, card, "Skip this part")
    assert "Card 4 of 11" in message_text(card)


async def test_a_module_without_a_check_is_done_at_its_last_card_in_slack(
    slack: SlackHarness,
) -> None:
    learner = slack.onboard("U0ANA")
    services = slack.core.services
    now = services.clock.now()
    for item in services.items.bank(["security-awareness"]):
        services.items.set_retired(item.id, True, now=now)
    await slack.command("U0ANA", f"study {MODULE}")
    await slack.settle()
    card = _last(slack)
    for _ in range(10):
        if "Next step" in _labels(card):
            break
        card = await _click(slack, card, "Continue")
    text = message_text(card)
    assert "You finished *Spotting and reporting phishing*, so it is marked done" in text
    done = {p.module_id: p.status for p in services.path_records.progress(learner)}
    assert done[MODULE] == "done"
    thanks = await _click(slack, card, "Useful")
    assert "Thanks, noted" in message_text(thanks)
