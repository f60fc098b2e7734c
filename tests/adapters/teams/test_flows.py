"""Conversations through botbuilder's TestAdapter: activity -> LearnbotBot -> router -> cards."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    Entity,
)

from bot.adapters.teams.bot import LearnbotBot
from bot.adapters.teams.render import ADAPTIVE_CARD
from bot.app import App
from bot.core.events import Identity
from bot.core.replies import Reply, Text
from bot.sample.loader import load_framework
from bot.storage.conversations import ConversationRepository

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
USER = ChannelAccount(id="29:1user", name="Ana Lima", aad_object_id="aad-ana")
BOT = ChannelAccount(id="28:bot", name="learnbot")


def template(*, personal: bool = True) -> Activity:
    conversation = (
        ConversationAccount(id="a:personal-ana", conversation_type="personal")
        if personal
        else ConversationAccount(
            id="19:general@thread.skype", conversation_type="channel", is_group=True
        )
    )
    return Activity(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/emea/",
        from_property=USER,
        recipient=BOT,
        conversation=conversation,
        channel_data={"tenant": {"id": TENANT}},
    )


def make_bot(core: App) -> LearnbotBot:
    services = core.services
    return LearnbotBot(
        handle=core.router.handle,
        commands=lambda: core.router.commands.keys(),
        conversations=ConversationRepository(services.engine),
        events=services.events,
        clock=services.clock,
        max_upload_bytes=core.settings.max_upload_bytes,
    )


@pytest.fixture
def onboard_core(core: App) -> App:
    load_framework(core)
    return core


def card_of(activity: Activity) -> dict[str, Any]:
    (attachment,) = activity.attachments
    assert attachment.content_type == ADAPTIVE_CARD
    content: dict[str, Any] = attachment.content
    return content


def texts(activity: Activity) -> str:
    if not activity.attachments:
        return str(activity.text)
    return "\n".join(e.get("text", "") for e in card_of(activity)["body"])


def submit_data(activity: Activity, title: str) -> dict[str, Any]:
    for element in card_of(activity)["body"]:
        for action in element.get("actions", []):
            if action["title"] == title:
                data: dict[str, Any] = dict(action["data"])
                return data
    raise AssertionError(f"no button {title!r}")


def choice_set(activity: Activity) -> dict[str, Any]:
    (found,) = [e for e in card_of(activity)["body"] if e["type"] == "Input.ChoiceSet"]
    return found


async def test_onboarding_runs_in_a_personal_chat_with_cards(onboard_core: App) -> None:
    adapter = TestAdapter(make_bot(onboard_core).on_turn, template())
    await adapter.receive_activity(Activity(type="message", text="hello"))
    welcome = adapter.get_next_activity()
    assert "Hi Ana Lima!" in texts(welcome)
    start = submit_data(welcome, "Let's start")

    await adapter.receive_activity(Activity(type="message", value=start, reply_to_id="1"))
    role_card = adapter.get_next_activity()
    roles = choice_set(role_card)
    assert roles["isMultiSelect"] is False
    role = roles["choices"][0]["value"]
    pick = {**submit_data(role_card, "Submit"), roles["id"]: role}

    await adapter.receive_activity(Activity(type="message", value=pick))
    goals_card = adapter.get_next_activity()
    goals = choice_set(goals_card)
    assert goals["isMultiSelect"] is True
    chosen = [c["value"] for c in goals["choices"][:2]]
    save = {**submit_data(goals_card, "Save goals"), goals["id"]: ",".join(chosen)}

    await adapter.receive_activity(Activity(type="message", value=save))
    assert "prefer to learn" in texts(adapter.get_next_activity())
    learner = onboard_core.services.learners.find(Identity("teams", TENANT, "aad-ana"))
    assert learner is not None
    profile = onboard_core.services.profiles.get(learner.id)
    assert profile.job_role
    assert list(profile.goals) == chosen


async def test_a_double_click_is_applied_once(onboard_core: App) -> None:
    adapter = TestAdapter(make_bot(onboard_core).on_turn, template())
    await adapter.receive_activity(Activity(type="message", text="hello"))
    start = submit_data(adapter.get_next_activity(), "Let's start")
    await adapter.receive_activity(Activity(type="message", value=start))
    assert "role" in texts(adapter.get_next_activity())
    await adapter.receive_activity(Activity(type="message", value=start))
    assert "closed" in texts(adapter.get_next_activity()), "the old step answers 'closed'"


async def test_a_redelivered_activity_is_handled_once(core: App) -> None:
    adapter = TestAdapter(make_bot(core).on_turn, template())
    await adapter.receive_activity(Activity(type="message", text="/learn help", id="42"))
    assert adapter.get_next_activity() is not None
    await adapter.receive_activity(Activity(type="message", text="/learn help", id="42"))
    assert adapter.get_next_activity() is None


async def test_the_command_menu_word_runs_the_command(core: App) -> None:
    adapter = TestAdapter(make_bot(core).on_turn, template())
    flow = await adapter.send("help")
    await flow.assert_reply(lambda reply, _: _assert_in("/learn profile", texts(reply)))


async def test_channel_messages_need_a_mention(core: App) -> None:
    adapter = TestAdapter(make_bot(core).on_turn, template(personal=False))
    await adapter.receive_activity(Activity(type="message", text="what is the leave policy?"))
    assert adapter.get_next_activity() is None, "unaddressed channel chatter is ignored"

    mention = Entity(type="mention")
    mention.additional_properties = {
        "mentioned": {"id": BOT.id, "name": BOT.name},
        "text": "<at>learnbot</at>",
    }
    await adapter.receive_activity(
        Activity(
            type="message", text="<at>learnbot</at> what is the leave policy?", entities=[mention]
        )
    )
    answer = adapter.get_next_activity()
    assert "library is empty" in texts(answer)


async def test_a_reply_that_replaces_updates_the_clicked_card(core: App) -> None:
    core.router.actions["test.replace"] = lambda ctx, event: [
        Reply(blocks=(Text("Thanks, recorded."),), replace=True)
    ]
    adapter = TestAdapter(make_bot(core).on_turn, template())
    await adapter.receive_activity(
        Activity(
            type="message", value={"action": "test.replace", "value": ""}, reply_to_id="card-7"
        )
    )
    assert adapter.get_next_activity() is None
    (updated,) = adapter.updated_activities
    assert updated.id == "card-7"
    assert updated.text == "Thanks, recorded."


async def test_invokes_are_answered_with_200_and_conversation_updates_stored(core: App) -> None:
    adapter = TestAdapter(make_bot(core).on_turn, template())
    await adapter.receive_activity(
        Activity(type=ActivityTypes.invoke, name="composeExtension/query")
    )
    response = adapter.get_next_activity()
    assert response.type == ActivityTypes.invoke_response
    assert response.value.status == 200
    assert "composeExtension" in response.value.body

    await adapter.receive_activity(
        Activity(type=ActivityTypes.conversation_update, members_added=[BOT])
    )
    assert adapter.get_next_activity() is None, "installation is quiet"
    stored = ConversationRepository(core.services.engine).personal(TENANT, "aad-ana")
    assert stored is not None
    assert stored.reference["serviceUrl"] == "https://smba.trafficmanager.net/emea/"


def _assert_in(needle: str, haystack: str) -> None:
    assert needle in haystack, haystack
