"""Block Kit rendering: a core Reply becomes Slack messages (at most 50 blocks each) and uploads.

Button action ids must be unique within a message, so each one is the core's action, a `#`,
a kind letter and a counter: `dlg#b3`. The kind tells the inbound side how to read the value:

- `b`: a plain button; `value` is the button's value.
- `o`: one option of a pick-one list; `value` is JSON `[list value, option value]`.
- `m`: a checkbox group of a pick-several list (clicking a box only changes the message state).
- `s`: the submit button of a pick-several list; the ticked boxes are read from the state.
- `u`: a link button (Slack still reports the click; it is ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.slack.mrkdwn import escape, split_text, to_mrkdwn, to_plain
from bot.core.replies import (
    Attachment,
    Block,
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

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
CONTEXT_TEXT = 2000
BUTTON_LABEL = 75
ACTIONS_PER_BLOCK = 25
CHECKBOX_OPTIONS = 10
OPTION_VALUE = 150
VALUE = 2000
ACTION_ID = 255
FALLBACK_TEXT = 3000
HOME_BLOCKS = 100
KINDS = ("b", "o", "m", "s", "u")

SlackBlock = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file to upload next to the message (an image given as bytes, or an attachment)."""

    name: str
    data: bytes
    title: str
    mime: str


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage worth of content."""

    text: str
    blocks: tuple[SlackBlock, ...]


@dataclass(frozen=True)
class Rendered:
    """A reply as Slack messages, in order, plus files to upload after them."""

    messages: tuple[SlackMessage, ...]
    uploads: tuple[Upload, ...] = ()


def action_id(action: str, kind: str, n: int) -> str:
    """The action id of the n-th interactive element of a message."""
    suffix = f"#{kind}{n}"
    return action[: ACTION_ID - len(suffix)] + suffix


def parse_action_id(value: str) -> tuple[str, str, str]:
    """Split an action id into (core action, kind, counter); foreign ids are plain buttons."""
    action, sep, tail = value.rpartition("#")
    if sep and tail[:1] in KINDS:
        return action, tail[:1], tail[1:]
    return value, "b", ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(to_plain(text), limit) or " ", "emoji": True}


def _mrkdwn_sections(text: str) -> list[SlackBlock]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(to_mrkdwn(text), SECTION_TEXT)
        if piece
    ]


@dataclass
class _Builder:
    """Renders blocks one by one, numbering interactive elements across the reply."""

    blocks: list[SlackBlock] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    counter: int = 0

    def next_id(self, action: str, kind: str) -> str:
        self.counter += 1
        return action_id(action, kind, self.counter)

    def add(self, block: Block) -> None:
        match block:
            case Text(text=text):
                self.blocks.extend(_mrkdwn_sections(text))
            case Section():
                self._section(block)
            case Buttons(buttons=buttons):
                elements = [self._button(b) for b in buttons]
                self._actions(elements)
            case Choices():
                self._choices(block)
            case Progress():
                self._progress(block)
            case Image():
                self._image(block)
            case Attachment(name=name, data=data, mime=mime, title=title):
                self.uploads.append(Upload(name, data, title or name, mime))
            case Divider():
                self.blocks.append({"type": "divider"})
            case Note(text=text):
                for piece in split_text(to_mrkdwn(text), CONTEXT_TEXT):
                    self.blocks.append(
                        {"type": "context", "elements": [{"type": "mrkdwn", "text": piece}]}
                    )

    def _section(self, block: Section) -> None:
        # The title is bold already; bold marks inside it would close the bold early.
        title = f"*{to_mrkdwn(block.title.replace('**', ''))}*" if block.title else ""
        body = to_mrkdwn(block.text) if block.text else ""
        joined = "\n".join(part for part in (title, body) if part)
        for piece in split_text(joined, SECTION_TEXT):
            if piece:
                self.blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
        fields = [
            {"type": "mrkdwn", "text": _clip(f"*{to_mrkdwn(k)}*\n{to_mrkdwn(v)}", FIELD_TEXT)}
            for k, v in block.fields
        ]
        for start in range(0, len(fields), MAX_FIELDS):
            self.blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})

    def _button(self, button: Button) -> SlackBlock:
        element: SlackBlock = {"type": "button", "text": _plain(button.label, BUTTON_LABEL)}
        if button.url:
            element["url"] = button.url
            element["action_id"] = self.next_id(button.action or "link", "u")
        else:
            element["action_id"] = self.next_id(button.action, "b")
        if button.value:
            element["value"] = _bounded(button.value, VALUE)
        if button.style:
            element["style"] = button.style
        return element

    def _actions(self, elements: list[SlackBlock]) -> None:
        for start in range(0, len(elements), ACTIONS_PER_BLOCK):
            self.blocks.append(
                {"type": "actions", "elements": elements[start : start + ACTIONS_PER_BLOCK]}
            )

    def _choices(self, block: Choices) -> None:
        if not block.multi:
            elements = []
            for value, label in block.options:
                element = {
                    "type": "button",
                    "text": _plain(label, BUTTON_LABEL),
                    "action_id": self.next_id(block.action, "o"),
                    "value": _bounded(json.dumps([block.value, value]), VALUE),
                }
                elements.append(element)
            self._actions(elements)
            return
        self.counter += 1
        group = self.counter
        boxes = []
        for n, start in enumerate(range(0, len(block.options), CHECKBOX_OPTIONS)):
            options = [
                {"text": _plain(label, BUTTON_LABEL), "value": _bounded(value, OPTION_VALUE)}
                for value, label in block.options[start : start + CHECKBOX_OPTIONS]
            ]
            box_id = action_id(block.action, "m", group) + f".{n}"
            boxes.append({"type": "checkboxes", "action_id": box_id, "options": options})
        submit = {
            "type": "button",
            "text": _plain(block.submit_label, BUTTON_LABEL),
            "style": "primary",
            "action_id": action_id(block.action, "s", group),
            "value": _bounded(block.value, VALUE),
        }
        # The boxes and their submit button share one block: state travels per message.
        self.blocks.append({"type": "actions", "elements": [*boxes, submit]})

    def _progress(self, block: Progress) -> None:
        width = 20
        filled = round(block.fraction * width)
        bar = "█" * filled + "░" * (width - filled)
        text = f"*{to_mrkdwn(block.label)}*\n`{bar}` {round(block.fraction * 100)}%"
        self.blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})

    def _image(self, block: Image) -> None:
        if block.url:
            image: SlackBlock = {
                "type": "image",
                "image_url": block.url,
                "alt_text": _clip(block.alt, 2000) or "image",
            }
            if block.title:
                image["title"] = _plain(block.title, 2000)
            self.blocks.append(image)
        elif block.data:
            name = (block.title or block.alt or "image")[:80]
            self.uploads.append(Upload(f"{name}.png", block.data, block.title or block.alt, "png"))


def _bounded(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"a Slack element value is {len(value)} characters; the limit is {limit}")
    return value


def render_blocks(blocks: tuple[Block, ...]) -> tuple[list[SlackBlock], list[Upload]]:
    """Block Kit blocks (unsplit) and uploads for a sequence of core blocks."""
    builder = _Builder()
    for block in blocks:
        builder.add(block)
    return builder.blocks, builder.uploads


def render(reply: Reply) -> Rendered:
    """Render a reply: split into messages of at most 50 blocks, each with a text fallback."""
    blocks, uploads = render_blocks(reply.blocks)
    fallback = _clip(escape(to_plain(reply.fallback)), FALLBACK_TEXT)
    chunks = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]
    if not chunks:
        chunks = [[]] if not uploads else []
    messages = tuple(SlackMessage(fallback, tuple(chunk)) for chunk in chunks)
    return Rendered(messages, tuple(uploads))


def home_view(reply: Reply) -> dict[str, Any]:
    """An App Home tab view (at most 100 blocks) from a reply."""
    blocks, _ = render_blocks(reply.blocks)
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}
