"""Replies as data: blocks the core produces and each platform renderer turns into messages.

Text uses a small Markdown subset everywhere: **bold**, _italic_, `code` and [title](url).
Renderers translate it to Slack mrkdwn, Teams Markdown or plain terminal text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.core.events import Identity

ButtonStyle = Literal["", "primary", "danger"]


@dataclass(frozen=True)
class Text:
    """A paragraph of text."""

    text: str


@dataclass(frozen=True)
class Section:
    """A titled block, with optional label/value fields."""

    title: str
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Button:
    """A button: `action` routes the click, `value` is echoed back, `url` opens a link."""

    label: str
    action: str
    value: str = ""
    style: ButtonStyle = ""
    url: str = ""


@dataclass(frozen=True)
class Buttons:
    """A row of buttons."""

    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Choices:
    """A list of options: pick one (a button each) or several (checkboxes and a submit button)."""

    action: str
    value: str
    options: tuple[tuple[str, str], ...]
    multi: bool = False
    submit_label: str = "Submit"


@dataclass(frozen=True)
class Progress:
    """A labelled progress bar."""

    label: str
    value: float
    total: float = 1.0

    @property
    def fraction(self) -> float:
        """Progress between 0 and 1."""
        if self.total <= 0:
            return 0.0
        return max(0.0, min(1.0, self.value / self.total))


@dataclass(frozen=True)
class Image:
    """An image, as PNG bytes or a URL."""

    alt: str
    data: bytes = b""
    url: str = ""
    title: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message (an export, a report)."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    title: str = ""


@dataclass(frozen=True)
class Divider:
    """A horizontal rule."""


@dataclass(frozen=True)
class Note:
    """Small print: context, hints, privacy remarks."""

    text: str


Block = Text | Section | Buttons | Choices | Progress | Image | Attachment | Divider | Note


@dataclass(frozen=True)
class Here:
    """Reply where the event happened (in its thread, if any)."""


@dataclass(frozen=True)
class Direct:
    """Send privately to this identity."""

    identity: Identity


Target = Here | Direct


@dataclass(frozen=True)
class Reply:
    """One message to send.

    Attributes:
        blocks: The content.
        to: Where it goes.
        replace: Update the message whose button was clicked instead of posting a new one.
        summary: Short plain text for notifications and text fallbacks.
        key: An idempotency key (nudges). A platform that can store it with the message
            (Slack message metadata) does, so a send whose outcome is unknown can be looked up.
    """

    blocks: tuple[Block, ...]
    to: Target = field(default_factory=Here)
    replace: bool = False
    summary: str = ""
    key: str = ""

    @property
    def fallback(self) -> str:
        """A one-line plain summary of the reply."""
        if self.summary:
            return self.summary
        for block in self.blocks:
            if isinstance(block, Text | Note):
                return block.text.split("\n", 1)[0][:150]
            if isinstance(block, Section):
                return block.title
        return "learnbot"


def say(*texts: str, to: Target | None = None) -> Reply:
    """A reply made of plain paragraphs."""
    return Reply(blocks=tuple(Text(t) for t in texts), to=to or Here())
