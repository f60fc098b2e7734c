"""Inbound translation: real Teams activities become the right core events and identities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.adapters.teams.inbound import (
    FILE_DOWNLOAD_INFO,
    identity_of,
    installation_change,
    message_text,
    to_events,
    where_of,
)
from bot.core.events import (
    ActionClicked,
    CommandInvoked,
    FileShared,
    Identity,
    Installed,
    MessageReceived,
    Uninstalled,
)

RECORDINGS = "chat-payloads/teams/botbuilder_js_teams_integrationBot_recordings"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
COMMANDS = frozenset({"help", "ask", "quiz", "profile"})


def recorded(shared_data: Path, name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((shared_data / RECORDINGS / name).read_text())["body"]
    return body


def events(body: dict[str, Any]) -> list[Any]:
    opened: list[str] = []

    def open_file(url: str, name: str) -> Any:
        opened.append(url)
        return lambda max_bytes: b""

    found = to_events(Activity.deserialize(body), commands=COMMANDS, open_file=open_file)
    assert not opened or all(isinstance(e, FileShared) for e in found[: len(opened)])
    return found


def test_a_channel_mention_is_a_mentioned_message_without_the_mention(shared_data: Path) -> None:
    body = recorded(shared_data, "20191020020553704-request-integrationBot.json")
    (event,) = events(body)
    assert isinstance(event, MessageReceived)
    assert event.text == "1"
    assert event.mentioned is True
    assert event.channel.is_direct is False
    assert event.channel.id == "19:097e6717fd7245bdbeba6baa13840db8@thread.skype"
    assert event.channel.thread_id == "1571537152320"
    assert event.identity == Identity("teams", TENANT, "6b703ce3-6d14-4fe6-b90c-dc5f03657ae4")
    assert event.user.display_name == "Dave Taniguchi"


def test_a_personal_chat_message_is_direct(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    (event,) = events(body)
    assert isinstance(event, MessageReceived)
    assert event.channel.is_direct is True
    assert event.mentioned is False
    assert event.text == "file"
    assert where_of(Activity.deserialize(body)).kind == "personal"


def test_a_mention_of_someone_else_is_not_a_mention_of_the_bot(shared_data: Path) -> None:
    body = recorded(shared_data, "20191020020553704-request-integrationBot.json")
    body["entities"][0]["mentioned"]["id"] = "29:someone-else"
    (event,) = events(body)
    assert event.mentioned is False
    assert message_text(Activity.deserialize(body)) == "My Combined1", "other names stay"


def test_a_command_menu_word_becomes_a_command(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body["text"] = "Help"
    assert events(body) == [CommandInvoked(**_base(events(body)[0]), text="help")]
    body["text"] = "help me with expenses"
    (event,) = events(body)
    assert isinstance(event, MessageReceived), "only the bare command word is a command"


def test_identity_falls_back_to_the_bot_framework_id(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    del body["from"]["aadObjectId"]
    assert identity_of(Activity.deserialize(body)).user_id.startswith("29:1kbOecyrymSn")


def test_the_tenant_comes_from_conversation_when_channel_data_lacks_it(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body["channelData"] = {}
    assert identity_of(Activity.deserialize(body)).workspace == TENANT


def test_submitted_card_values_never_decide_who_acts(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body.pop("text")
    body["replyToId"] = "1:card"
    body["value"] = {
        "action": "dlg",
        "value": "d1:2:choices",
        "input": "choice0",
        "choice0": "returns,safety",
        "from": {"id": "29:intruder", "aadObjectId": "intruder"},
        "user_id": "intruder",
        "tenant": "another-tenant",
    }
    (event,) = events(body)
    assert isinstance(event, ActionClicked)
    assert (event.action, event.value, event.values) == (
        "dlg",
        "d1:2:choices",
        ("returns", "safety"),
    )
    assert event.message_id == "1:card"
    assert event.identity == Identity("teams", TENANT, "6d415fdd-f97e-4f70-ac45-e69601e4ecb2")


@pytest.mark.parametrize(
    "value",
    [
        {"action": 5, "value": "x"},
        {"action": "", "value": "x"},
        {"action": "dlg", "value": ["not", "a", "string"]},
        {"action": "a" * 201, "value": ""},
        {"submitLocation": "messagingExtensionSubmit", "Answer": ""},
    ],
)
def test_malformed_or_foreign_card_submissions_give_no_event(
    shared_data: Path, value: dict[str, Any]
) -> None:
    body = recorded(shared_data, "20191020015221814-request-integrationBot.json")
    body["value"] = value
    assert events(body) == []


def test_values_list_is_taken_as_given(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body["value"] = {"action": "quiz.answer", "value": "q1", "values": ["b", 3, " c "]}
    (event,) = events(body)
    assert event.values == ("b", "c")


def test_a_file_in_personal_chat_is_file_shared(shared_data: Path) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body["text"] = ""
    body["attachments"] = [
        {
            "contentType": FILE_DOWNLOAD_INFO,
            "contentUrl": "https://contoso.sharepoint.com/personal/a/Documents/handbook.pdf",
            "name": "handbook.pdf",
            "content": {
                "downloadUrl": "https://download.example/x",
                "uniqueId": "1150D938",
                "fileType": "pdf",
            },
        },
        {"contentType": "text/html", "content": "<div></div>"},
    ]
    (event,) = events(body)
    assert isinstance(event, FileShared)
    assert (event.name, event.mime, event.size) == ("handbook.pdf", "application/pdf", 0)
    assert event.read is not None


def test_bot_added_and_removed(shared_data: Path) -> None:
    added = recorded(shared_data, "20191019235900304-request-integrationBot.json")
    added["membersAdded"].append({"id": added["recipient"]["id"]})
    assert [type(e) for e in events(added)] == [Installed]
    removed = dict(added, membersAdded=[], membersRemoved=[{"id": added["recipient"]["id"]}])
    assert [type(e) for e in events(removed)] == [Uninstalled]


def test_other_members_joining_is_not_an_installation(shared_data: Path) -> None:
    body = recorded(shared_data, "20191019181214767-request-integrationBot.json")
    assert installation_change(Activity.deserialize(body)) == ""
    assert events(body) == []


@pytest.mark.parametrize(("action", "kind"), [("add", Installed), ("remove", Uninstalled)])
def test_installation_update(shared_data: Path, action: str, kind: type) -> None:
    body = recorded(shared_data, "20191021205338231-request-integrationBot.json")
    body.update(type="installationUpdate", action=action)
    assert [type(e) for e in events(body)] == [kind]


def _base(event: Any) -> dict[str, Any]:
    return {
        "identity": event.identity,
        "channel": event.channel,
        "user": event.user,
        "event_id": event.event_id,
    }
