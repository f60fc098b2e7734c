"""Block Kit rendering: mrkdwn, Slack's limits, unique action ids, uploads."""

from __future__ import annotations

import json

import pytest

from bot.adapters.slack.inbound import action_event
from bot.adapters.slack.mrkdwn import split_text, to_mrkdwn
from bot.adapters.slack.render import (
    MAX_BLOCKS,
    SECTION_TEXT,
    home_view,
    parse_action_id,
    render,
)
from bot.core.events import Identity, UserInfo
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
    Text,
)

ANA = Identity("slack", "T1", "U1")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold** and _italic_ and `code`", "*bold* and _italic_ and `code`"),
        (
            "see [the handbook](https://example.com/h?a=1&b=2)",
            "see <https://example.com/h?a=1&amp;b=2|the handbook>",
        ),
        ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("<!channel> <@U123> hi", "&lt;!channel&gt; &lt;@U123&gt; hi"),
        ("[not a link](javascript:alert(1))", "[not a link](javascript:alert(1))"),
        ("[a|b](https://x.io)", "<https://x.io|a¦b>"),
    ],
)
def test_markdown_subset_becomes_mrkdwn(source: str, expected: str) -> None:
    assert to_mrkdwn(source) == expected


def test_long_text_is_split_below_3000_characters_without_breaking_links() -> None:
    link = "[the policy](https://example.com/" + "p" * 40 + ")"
    text = " ".join([f"Paragraph {i} " + "word " * 30 + link for i in range(60)])
    blocks = render(Reply((Text(text),))).messages[0].blocks
    assert len(blocks) > 1
    for block in blocks:
        piece = block["text"]["text"]
        assert len(piece) <= SECTION_TEXT
        assert piece.count("<") == piece.count(">")
    joined = " ".join(b["text"]["text"] for b in blocks)
    assert joined.split() == to_mrkdwn(text).split()


def test_a_single_unbreakable_word_is_still_split_within_the_limit() -> None:
    pieces = split_text("x" * 7000, SECTION_TEXT)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_more_than_50_blocks_become_several_messages() -> None:
    reply = Reply(tuple(Text(f"line {i}") for i in range(120)), summary="many lines")
    messages = render(reply).messages
    assert [len(m.blocks) for m in messages] == [MAX_BLOCKS, MAX_BLOCKS, 20]
    assert all(m.text == "many lines" for m in messages)


def test_action_ids_are_unique_per_message_and_carry_the_action() -> None:
    reply = Reply(
        (
            Buttons((Button("Yes", "quiz.answer", "q1:yes"), Button("No", "quiz.answer", "q1:no"))),
            Buttons((Button("Yes", "quiz.answer", "q2:yes"),)),
            Choices("dlg", "d1:3:choices", (("a", "Alpha"), ("b", "Beta"))),
        )
    )
    elements = [e for b in render(reply).messages[0].blocks for e in b.get("elements", [])]
    ids = [e["action_id"] for e in elements]
    assert len(set(ids)) == len(ids) == 5
    assert [parse_action_id(i)[0] for i in ids] == ["quiz.answer"] * 3 + ["dlg"] * 2
    assert [e["value"] for e in elements[:3]] == ["q1:yes", "q1:no", "q2:yes"]


def _click(element: dict, state: dict | None = None) -> dict:  # type: ignore[type-arg]
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "container": {"type": "message", "message_ts": "111.222", "channel_id": "D1"},
        "actions": [
            {"action_id": element["action_id"], "value": element.get("value", ""), "action_ts": "1"}
        ],
        "state": {"values": state or {}},
    }


def test_pick_one_buttons_round_trip_to_the_choice() -> None:
    reply = Reply(
        (Choices("dlg", "d1:3:choices", (("role-a", "Support agent"), ("role-b", "Engineer"))),)
    )
    second = render(reply).messages[0].blocks[0]["elements"][1]
    event = action_event(_click(second), ANA, UserInfo())
    assert event is not None
    assert (event.action, event.value, event.values) == ("dlg", "d1:3:choices", ("role-b",))
    assert event.message_id == "111.222"


def test_pick_several_is_checkboxes_and_a_submit_that_reads_the_ticked_boxes() -> None:
    options = tuple((f"c{i}", f"Competency {i}") for i in range(13))
    reply = Reply((Choices("dlg", "d1:2:choices", options, multi=True, submit_label="Save goals"),))
    (block,) = render(reply).messages[0].blocks
    boxes, submit = block["elements"][:-1], block["elements"][-1]
    assert [len(b["options"]) for b in boxes] == [10, 3]
    assert submit["text"]["text"] == "Save goals"
    # A tick alone does nothing; the submit carries every ticked box, in order.
    assert action_event(_click(boxes[0]), ANA, UserInfo()) is None
    state = {
        "blk": {
            boxes[1]["action_id"]: {"type": "checkboxes", "selected_options": [{"value": "c12"}]},
            boxes[0]["action_id"]: {
                "type": "checkboxes",
                "selected_options": [{"value": "c1"}, {"value": "c4"}],
            },
        }
    }
    event = action_event(_click(submit, state), ANA, UserInfo())
    assert event is not None
    assert (event.action, event.value, event.values) == ("dlg", "d1:2:choices", ("c1", "c4", "c12"))


def test_sections_fields_progress_notes_dividers_and_images() -> None:
    fields = tuple((f"Field {i}", f"value {i}") for i in range(12))
    reply = Reply(
        (
            Section("Your **profile**", "Some text", fields),
            Progress("Security basics", 3, 4),
            Divider(),
            Note("Only you see this."),
            Image("A chart", url="https://example.com/c.png", title="Chart"),
        )
    )
    blocks = render(reply).messages[0].blocks
    assert blocks[0]["text"]["text"] == "*Your profile*\nSome text"
    assert [len(b["fields"]) for b in blocks[1:3]] == [10, 2]
    assert "75%" in blocks[3]["text"]["text"]
    assert [b["type"] for b in blocks[4:]] == ["divider", "context", "image"]
    assert blocks[6]["image_url"] == "https://example.com/c.png"


def test_image_bytes_and_attachments_are_uploads_not_blocks() -> None:
    reply = Reply(
        (
            Text("Your chart"),
            Image("Team progress", data=b"\x89PNG..."),
            Attachment("report.csv", b"a,b\n", "text/csv"),
        )
    )
    rendered = render(reply)
    assert len(rendered.messages[0].blocks) == 1
    assert [(u.name, u.data) for u in rendered.uploads] == [
        ("Team progress.png", b"\x89PNG..."),
        ("report.csv", b"a,b\n"),
    ]


def test_button_labels_are_clipped_and_oversized_values_refused() -> None:
    reply = Reply((Buttons((Button("L" * 200, "x", "v"),)),))
    label = render(reply).messages[0].blocks[0]["elements"][0]["text"]["text"]
    assert len(label) == 75
    with pytest.raises(ValueError, match="limit is 2000"):
        render(Reply((Buttons((Button("ok", "x", "v" * 2001),)),)))


def test_link_buttons_are_ignored_when_clicked() -> None:
    reply = Reply((Buttons((Button("Open", "", url="https://example.com"),)),))
    element = render(reply).messages[0].blocks[0]["elements"][0]
    assert element["url"] == "https://example.com"
    assert action_event(_click(element), ANA, UserInfo()) is None


def test_foreign_action_ids_and_malformed_option_values_are_read_plainly() -> None:
    event = action_event(_click({"action_id": "a", "value": "click_me_123"}), ANA, UserInfo())
    assert event is not None
    assert (event.action, event.value, event.values) == ("a", "click_me_123", ())
    odd = action_event(
        _click({"action_id": "dlg#o1", "value": json.dumps({"x": 1})}), ANA, UserInfo()
    )
    assert odd is not None
    assert odd.values == ()


def test_home_view_is_at_most_100_blocks() -> None:
    view = home_view(Reply(tuple(Text(f"t{i}") for i in range(150))))
    assert view["type"] == "home"
    assert len(view["blocks"]) == 100
