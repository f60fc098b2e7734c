"""Adaptive Card 1.5 rendering for Teams: each reply becomes message activities below 28 KB.

Replies made only of paragraphs are sent as Teams Markdown text; anything richer becomes an
Adaptive Card. The output is plain JSON (activity dicts), so this module needs no SDK.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.core import messages as msg
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

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
# Teams refuses messages above about 28 KB. The connector adds from/recipient/conversation/
# serviceUrl around what we render; 2 KB covers the longest ids seen in real traffic.
MAX_ACTIVITY_BYTES = 28 * 1024
ENVELOPE_BYTES = 2 * 1024
BUDGET = MAX_ACTIVITY_BYTES - ENVELOPE_BYTES
INLINE_IMAGE_BYTES = 12 * 1024
BAR_WIDTH = 10
_STYLES = {"primary": "positive", "danger": "destructive"}
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ITALIC = re.compile(r"(?<![\w_])_(\S(?:[^_]*\S)?)_(?![\w_])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+")

Element = dict[str, Any]


def teams_markdown(text: str, *, card: bool) -> str:
    """The learnbot Markdown subset as Teams Markdown.

    Bold, italic and links are the same. Adaptive Card text has no inline code, so `code`
    becomes bold there (plain text messages keep it). Paragraphs are separated by a blank line
    (a single newline is not a break in Teams); list items are joined with `\\r` in cards.
    """
    if card:
        text = _CODE.sub(r"**\1**", text)
    out: list[str] = []
    previous_item = False
    for line in text.split("\n"):
        if not line.strip():
            previous_item = False
            continue
        item = bool(_LIST_ITEM.match(line))
        if out:
            out.append(("\r" if card else "\n") if item and previous_item else "\n\n")
        out.append(line.rstrip())
        previous_item = item
    return "".join(out)


def plain(text: str) -> str:
    """The Markdown subset without marks (for button titles and fallback text)."""
    text = _LINK.sub(r"\1", text)
    return _ITALIC.sub(r"\1", text.replace("**", "").replace("`", ""))


def activity_bytes(activity: dict[str, Any]) -> int:
    """Serialized size of an activity as the connector sends it, envelope included."""
    return _size(activity) + ENVELOPE_BYTES


def render(reply: Reply) -> list[dict[str, Any]]:
    """Render a reply as one or more message activities (JSON dicts), each below the limit."""
    if not reply.blocks:
        return []
    if all(isinstance(b, Text) for b in reply.blocks):
        return _text_messages(reply)
    units = _Units()
    for block in reply.blocks:
        units.add_block(block)
    base = _card_activity(reply, [])
    return [_card_activity(reply, body) for body in _pack(units.units, _size(base))]


def _text_messages(reply: Reply) -> list[dict[str, Any]]:
    text = "\n\n".join(teams_markdown(b.text, card=False) for b in reply.blocks if b.text)  # type: ignore[union-attr]
    empty = {"type": "message", "text": "", "textFormat": "markdown"}
    room = BUDGET - _size(empty)
    return [{**empty, "text": chunk} for chunk in _split_text(text, room) if chunk.strip()]


def _card_activity(reply: Reply, body: list[Element]) -> dict[str, Any]:
    card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": plain(reply.fallback),
        "msteams": {"width": "Full"},
    }
    return {
        "type": "message",
        "summary": plain(reply.fallback),
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    }


@dataclass
class _Unit:
    """Elements that must land in the same card (a choice list and its submit button)."""

    elements: list[Element]
    atomic: bool = False


@dataclass
class _Units:
    units: list[_Unit] = field(default_factory=list)
    separator: bool = False
    inputs: int = 0

    def add(self, *elements: Element, atomic: bool = False) -> None:
        kept = [e for e in elements if e]
        if not kept:
            return
        if self.separator:
            kept[0] = {**kept[0], "separator": True, "spacing": "Medium"}
            self.separator = False
        self.units.append(_Unit(kept, atomic))

    def add_block(self, block: Block) -> None:
        match block:
            case Text(text=text):
                self.add(_text(text))
            case Section():
                self.add(*_section(block))
            case Buttons(buttons=buttons):
                self.add({"type": "ActionSet", "actions": [_action(b) for b in buttons]})
            case Choices():
                self.add(*_choices(block, f"choice{self.inputs}"), atomic=True)
                self.inputs += 1
            case Progress():
                self.add(_progress(block))
            case Image():
                self.add(*_image(block))
            case Attachment(name=name, data=data):
                self.add(_text(msg.TEAMS_FILE_NOT_SENT.format(name=name, size=_human(len(data)))))
            case Divider():
                self.separator = True
            case Note(text=text):
                self.add(_text(text, isSubtle=True, size="Small"))


def _text(text: str, **style: Any) -> Element:
    if not text.strip():
        return {}
    return {"type": "TextBlock", "text": teams_markdown(text, card=True), "wrap": True, **style}


def _section(block: Section) -> list[Element]:
    title = _text(block.title, weight="Bolder", size="Medium")
    facts = [
        {"title": teams_markdown(k, card=True), "value": teams_markdown(v, card=True)}
        for k, v in block.fields
    ]
    fact_set = {"type": "FactSet", "facts": facts} if facts else {}
    return [title, _text(block.text), fact_set]


def _action(button: Button) -> Element:
    if button.url:
        return {"type": "Action.OpenUrl", "title": plain(button.label), "url": button.url}
    action: Element = {
        "type": "Action.Submit",
        "title": plain(button.label),
        "data": {"action": button.action, "value": button.value},
    }
    if button.style:
        action["style"] = _STYLES[button.style]
    return action


def _choices(block: Choices, input_id: str) -> list[Element]:
    choice_set = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "style": "expanded",
        "isMultiSelect": block.multi,
        "choices": [{"title": plain(label), "value": value} for value, label in block.options],
    }
    submit = {
        "type": "Action.Submit",
        "title": plain(block.submit_label),
        "data": {"action": block.action, "value": block.value, "input": input_id},
    }
    return [choice_set, {"type": "ActionSet", "actions": [submit]}]


def _progress(block: Progress) -> Element:
    filled = round(block.fraction * BAR_WIDTH)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled) + f" {round(block.fraction * 100)}%"
    label = {"type": "TextBlock", "text": teams_markdown(block.label, card=True), "wrap": True}
    meter = {"type": "TextBlock", "text": bar, "fontType": "Monospace"}
    return {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [label]},
            {"type": "Column", "width": "auto", "items": [meter]},
        ],
    }


def _image(block: Image) -> list[Element]:
    title = _text(block.title, weight="Bolder")
    if block.url:
        return [title, {"type": "Image", "url": block.url, "altText": plain(block.alt)}]
    if block.data and len(block.data) <= INLINE_IMAGE_BYTES:
        mime = "image/jpeg" if block.data[:3] == b"\xff\xd8\xff" else "image/png"
        uri = f"data:{mime};base64,{base64.b64encode(block.data).decode('ascii')}"
        return [title, {"type": "Image", "url": uri, "altText": plain(block.alt)}]
    return [title, _text(msg.TEAMS_IMAGE_OMITTED.format(alt=block.alt), isSubtle=True)]


def _human(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _pack(units: list[_Unit], base: int) -> list[list[Element]]:
    """Fill cards in order, starting a new card when the next piece would cross the budget."""
    cards: list[list[Element]] = []
    body: list[Element] = []
    size = base
    for unit in units:
        for piece in _fit(unit, BUDGET - base):
            extra = sum(_size(e) for e in piece) + 2 * len(piece)
            if body and size + extra > BUDGET:
                cards.append(body)
                body, size = [], base
            body.extend(piece)
            size += extra
    if body:
        cards.append(body)
    return cards


def _fit(unit: _Unit, room: int) -> list[list[Element]]:
    """Split a unit that cannot fit in an empty card (text by lines, facts, button rows)."""
    if sum(_size(e) + 2 for e in unit.elements) <= room or unit.atomic:
        return [unit.elements]
    if len(unit.elements) > 1:
        return [p for e in unit.elements for p in _fit(_Unit([e]), room)]
    element = unit.elements[0]
    kind = element["type"]
    if kind == "TextBlock":
        left = room - _size({**element, "text": ""}) - 2
        chunks = _split_text(element["text"], left)
        first = [{**element, "text": chunks[0]}]
        rest = [
            {k: v for k, v in element.items() if k != "separator"} | {"text": c} for c in chunks[1:]
        ]
        return [first] + [[e] for e in rest]
    if kind in ("FactSet", "ActionSet"):
        key = "facts" if kind == "FactSet" else "actions"
        return [[{**element, key: group}] for group in _groups(element, key, room)]
    return [unit.elements]


def _groups(element: Element, key: str, room: int) -> list[list[Any]]:
    left = room - _size({**element, key: []}) - 2
    groups: list[list[Any]] = [[]]
    used = 0
    for item in element[key]:
        size = _size(item) + 2
        if groups[-1] and used + size > left:
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += size
    return groups


def _split_text(text: str, room: int) -> list[str]:
    """Cut text into pieces whose JSON-escaped size is at most `room`, at line ends if possible."""
    pieces: list[str] = []
    current = ""
    for part in re.split(r"(?<=\n)", text):
        if _json_len(current + part) <= room:
            current += part
            continue
        if current:
            pieces.append(current)
            current = ""
        while _json_len(part) > room:
            cut = _longest_prefix(part, room)
            pieces.append(part[:cut])
            part = part[cut:]
        current = part
    if current:
        pieces.append(current)
    stripped = [p.strip("\n\r") for p in pieces]
    return [p for p in stripped if p] or [""]


def _longest_prefix(text: str, room: int) -> int:
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if _json_len(text[:mid]) <= room:
            low = mid
        else:
            high = mid - 1
    space = text.rfind(" ", 0, low)
    return space + 1 if space > low // 2 else low


def _json_len(text: str) -> int:
    return len(json.dumps(text)) - 2


def _size(value: Any) -> int:
    # json.dumps defaults (ASCII escapes, ", " separators) match what the connector sends.
    return len(json.dumps(value))
