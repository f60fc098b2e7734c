"""Inbound translation: identity from signed fields only, Slack text cleaned, messages filtered."""

from __future__ import annotations

import json

import pytest

from bot.adapters.slack.inbound import (
    clean_text,
    command_event,
    identity_of,
    message_event,
    user_info,
)
from bot.core.events import Identity, UserInfo

ANA = Identity("slack", "T1", "U1")


@pytest.mark.parametrize(
    ("wire", "plain"),
    [
        (
            "<@UBOT> how do I &lt;reset&gt; my password &amp; 2FA?",
            "@UBOT how do I <reset> my password & 2FA?",
        ),
        (
            "see <https://example.com/a|the guide> or <https://example.com/b>",
            "see the guide or https://example.com/b",
        ),
        ("ask in <#C123|help-desk> <!here>", "ask in #help-desk @here"),
        ("<!subteam^S123|@support> please", "@@support please"),
    ],
)
def test_slack_wire_text_becomes_plain_text(wire: str, plain: str) -> None:
    assert clean_text(wire) == plain


def test_leading_mentions_are_stripped_from_app_mentions_only() -> None:
    body = {
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1.5",
            "text": "<@UBOT> <@UBOT2> what about <@U9>?",
        },
    }
    event = message_event(body, ANA, UserInfo())
    assert event is not None
    assert (event.text, event.mentioned, event.channel.thread_id) == (
        "what about @U9?",
        True,
        "1.5",
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed"},
        {"subtype": "bot_message", "bot_id": "B1"},
        {"bot_id": "B2"},
        {"subtype": "file_share"},
        {"channel_type": "channel"},
    ],
)
def test_only_people_writing_in_the_dm_become_messages(extra: dict[str, str]) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "channel": "D1",
        "text": "hi",
        "ts": "1",
    }
    assert message_event({"team_id": "T1", "event": {**event, **extra}}, ANA, UserInfo()) is None
    assert message_event({"team_id": "T1", "event": event}, ANA, UserInfo()) is not None


def test_identity_comes_from_team_and_user_fields_never_from_a_button_value() -> None:
    forged = json.dumps({"user": "U_ADMIN", "team": "T_OTHER"})
    body = {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "actions": [{"action_id": "x#b1", "value": forged}],
    }
    assert identity_of(body) == ANA
    assert (
        identity_of(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event": {"type": "file_shared", "user_id": "U1"},
            }
        )
        == ANA
    )
    assert identity_of({"team_id": "T1", "user_id": "U1", "command": "/learn"}) == ANA
    assert identity_of({"type": "event_callback", "event": {"type": "app_uninstalled"}}) is None


def test_commands_keep_their_text_and_channel() -> None:
    event = command_event(
        {
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C7",
            "text": "ask what is PTO?",
            "trigger_id": "t1",
        },
        ANA,
        UserInfo(),
    )
    assert (event.text, event.channel.id, event.channel.is_direct) == (
        "ask what is PTO?",
        "C7",
        False,
    )


def test_users_info_fields() -> None:
    info = user_info(
        {
            "id": "U1",
            "name": "ana",
            "real_name": "Ana K",
            "tz": "Europe/Lisbon",
            "is_ultra_restricted": True,
            "is_owner": True,
            "profile": {"display_name": "", "real_name": "Ana K", "email": "ana@x.io"},
        }
    )
    assert info == UserInfo("Ana K", "ana@x.io", "Europe/Lisbon", is_guest=True, is_admin=True)
    assert user_info({"id": "U2"}) == UserInfo()
