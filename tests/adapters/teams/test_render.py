"""The Adaptive Card renderer: shapes Teams accepts, and every activity below the 28 KB limit."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bot.adapters.teams.render import (
    ADAPTIVE_CARD,
    BUDGET,
    INLINE_IMAGE_BYTES,
    MAX_ACTIVITY_BYTES,
    activity_bytes,
    render,
    teams_markdown,
)
from bot.core.replies import (
    Attachment,
    Button,
    Buttons,
    Choices,
    Divider,
    Image,
    Note,
    Progress,
    Reply,
    Section,
    say,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
ENVELOPE = {
    "from": {"id": "28:" + "b" * 36, "name": "learnbot"},
    "recipient": {
        "id": "29:" + "u" * 120,
        "name": "A Rather Long Display Name",
        "aadObjectId": "6b703ce3-6d14-4fe6-b90c-dc5f03657ae4",
    },
    "conversation": {
        "conversationType": "personal",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "id": "a:" + "c" * 180,
    },
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "replyToId": "1571537152320",
    "locale": "en-US",
    "inputHint": "acceptingInput",
}


def card(activity: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    content: dict[str, Any] = attachment["content"]
    return content


def body_types(activity: dict[str, Any]) -> list[str]:
    return [e["type"] for e in card(activity)["body"]]


def sent_size(activity: dict[str, Any]) -> int:
    """Bytes of the activity as sent, with a long real-world envelope added."""
    return len(json.dumps({**activity, **ENVELOPE}))


def test_paragraph_only_replies_are_markdown_text_not_cards() -> None:
    (activity,) = render(say("Hello **Ana**.", "Type `/learn help`."))
    assert activity["type"] == "message"
    assert activity["textFormat"] == "markdown"
    assert activity["text"] == "Hello **Ana**.\n\nType `/learn help`."
    assert "attachments" not in activity


def test_a_rich_reply_is_one_adaptive_card_1_5_with_a_text_fallback() -> None:
    reply = Reply(
        blocks=(
            Section(
                "Your profile", "As you set it.", (("Role", "Support agent"), ("Goals", "returns"))
            ),
            Divider(),
            Note("Change a field with `/learn profile set`."),
        )
    )
    (activity,) = render(reply)
    content = card(activity)
    assert content["version"] == "1.5"
    assert content["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert activity["summary"] == content["fallbackText"] == "Your profile"
    assert body_types(activity) == ["TextBlock", "TextBlock", "FactSet", "TextBlock"]
    title, _, facts, note = content["body"]
    assert title["weight"] == "Bolder"
    assert facts["facts"] == [
        {"title": "Role", "value": "Support agent"},
        {"title": "Goals", "value": "returns"},
    ]
    assert note["separator"] is True, "a divider becomes the separator of what follows"
    assert note["isSubtle"] is True
    assert note["text"] == "Change a field with **/learn profile set**."


def test_buttons_submit_action_and_value_and_links_open_urls() -> None:
    reply = Reply(
        blocks=(
            Buttons(
                (
                    Button("Let's start", "dlg", "d1:0:go", style="primary"),
                    Button("No", "dlg", "d1:0:no", style="danger"),
                    Button("**Read** it", "open", url="https://example.org/doc"),
                )
            ),
        )
    )
    (actions,) = [e["actions"] for e in card(render(reply)[0])["body"]]
    assert actions[0] == {
        "type": "Action.Submit",
        "title": "Let's start",
        "data": {"action": "dlg", "value": "d1:0:go"},
        "style": "positive",
    }
    assert actions[1]["style"] == "destructive"
    assert actions[2] == {
        "type": "Action.OpenUrl",
        "title": "Read it",
        "url": "https://example.org/doc",
    }


@pytest.mark.parametrize("multi", [False, True])
def test_choices_are_a_choice_set_with_a_submit_naming_its_input(multi: bool) -> None:
    reply = Reply(
        blocks=(
            Choices(
                "dlg",
                "d1:2:choices",
                (("a", "Alpha"), ("b", "_Beta_")),
                multi=multi,
                submit_label="Save",
            ),
        )
    )
    choice_set, action_set = card(render(reply)[0])["body"]
    assert choice_set["type"] == "Input.ChoiceSet"
    assert choice_set["isMultiSelect"] is multi
    assert choice_set["choices"] == [
        {"title": "Alpha", "value": "a"},
        {"title": "Beta", "value": "b"},
    ]
    (submit,) = action_set["actions"]
    assert submit["title"] == "Save"
    assert submit["data"] == {"action": "dlg", "value": "d1:2:choices", "input": choice_set["id"]}


def test_two_choice_lists_in_one_card_have_distinct_inputs() -> None:
    options = (("a", "A"),)
    reply = Reply(blocks=(Choices("x", "1", options), Choices("y", "2", options)))
    body = card(render(reply)[0])["body"]
    ids = [e["id"] for e in body if e["type"] == "Input.ChoiceSet"]
    inputs = [e["actions"][0]["data"]["input"] for e in body if e["type"] == "ActionSet"]
    assert len(set(ids)) == 2
    assert ids == inputs


def test_progress_is_a_text_bar() -> None:
    reply = Reply(blocks=(Progress("Returns policy", 3, 4),))
    (columns,) = card(render(reply)[0])["body"]
    label = columns["columns"][0]["items"][0]["text"]
    bar = columns["columns"][1]["items"][0]["text"]
    assert label == "Returns policy"
    assert bar == "████████░░ 75%"


def test_small_images_are_inlined_and_large_ones_leave_their_alt_text() -> None:
    small = card(render(Reply(blocks=(Image("A chart", data=PNG),)))[0])["body"]
    assert small == [
        {
            "type": "Image",
            "url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
            "altText": "A chart",
        }
    ]
    big = PNG + b"\x00" * INLINE_IMAGE_BYTES
    (omitted,) = card(render(Reply(blocks=(Image("A chart", data=big),)))[0])["body"]
    assert omitted["type"] == "TextBlock"
    assert "A chart" in omitted["text"]
    linked = card(render(Reply(blocks=(Image("Logo", url="https://example.org/l.png"),)))[0])[
        "body"
    ]
    assert linked == [{"type": "Image", "url": "https://example.org/l.png", "altText": "Logo"}]


def test_attachments_say_what_could_not_be_attached() -> None:
    (text,) = card(render(Reply(blocks=(Attachment("export.csv", b"x" * 2048),)))[0])["body"]
    assert "export.csv" in text["text"]
    assert "2.0 KB" in text["text"]


def test_markdown_subset_becomes_teams_markdown() -> None:
    source = "**Bold**, _italic_, `code` and [docs](https://example.org).\n- one\n- two\nAfter."
    assert teams_markdown(source, card=True) == (
        "**Bold**, _italic_, **code** and [docs](https://example.org).\n\n- one\r- two\n\nAfter."
    )
    assert teams_markdown(source, card=False) == (
        "**Bold**, _italic_, `code` and [docs](https://example.org).\n\n- one\n- two\n\nAfter."
    )


def test_an_empty_reply_renders_nothing() -> None:
    assert render(Reply(blocks=())) == []


def test_long_text_is_split_into_activities_each_under_the_limit() -> None:
    paragraph = "Returns are accepted within thirty days when the receipt is shown. " * 12
    text = "\n".join(f"{i}. {paragraph}" for i in range(120))
    activities = render(say(text))
    assert len(activities) > 2
    assert all(sent_size(a) < MAX_ACTIVITY_BYTES for a in activities)
    joined = "".join(a["text"] for a in activities)
    assert "".join(joined.split()) == "".join(text.split()), "nothing is lost or repeated"


def test_a_huge_card_is_split_in_order_with_every_activity_under_the_limit() -> None:
    sections = tuple(
        Section(
            f"Module {i}", "Policy text with ünïcödé that JSON escapes. " * 30, (("Owner", "HR"),)
        )
        for i in range(40)
    )
    buttons = Buttons(tuple(Button(f"Open {i}", "open", str(i)) for i in range(6)))
    reply = Reply(blocks=(*sections, buttons), summary="Your modules")
    activities = render(reply)
    assert len(activities) > 1
    assert all(sent_size(a) < MAX_ACTIVITY_BYTES for a in activities)
    assert all(activity_bytes(a) <= MAX_ACTIVITY_BYTES for a in activities)
    titles = [e["text"] for a in activities for e in card(a)["body"] if e.get("weight") == "Bolder"]
    assert titles == [f"Module {i}" for i in range(40)]
    assert body_types(activities[-1])[-1] == "ActionSet", "the buttons stay at the end"
    assert all(a["summary"] == "Your modules" for a in activities)


def test_one_enormous_paragraph_in_a_card_is_cut_into_several_text_blocks() -> None:
    text = "word " * 20_000
    reply = Reply(blocks=(Section("Glossary", text),))
    activities = render(reply)
    assert len(activities) >= 4
    assert all(sent_size(a) < MAX_ACTIVITY_BYTES for a in activities)
    texts = [e["text"] for a in activities for e in card(a)["body"]]
    assert texts[0] == "Glossary"
    assert "".join(texts[1:]).replace(" ", "") == text.replace(" ", "")


def test_many_facts_and_buttons_are_split_into_groups_that_fit() -> None:
    fields = tuple((f"Field {i}", "v" * 300) for i in range(200))
    reply = Reply(blocks=(Section("Report", fields=fields),))
    activities = render(reply)
    assert len(activities) > 1
    facts = [
        f for a in activities for e in card(a)["body"] if e["type"] == "FactSet" for f in e["facts"]
    ]
    assert [f["title"] for f in facts] == [f"Field {i}" for i in range(200)]
    assert all(len(json.dumps(a)) <= BUDGET for a in activities)
