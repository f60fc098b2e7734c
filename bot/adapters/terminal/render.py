"""Plain-text rendering for the terminal: buttons and choices are numbered for typing."""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

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
from bot.storage.files import private_dir

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ITALIC = re.compile(r"(?<![\w_])_(\S(?:[^_]*\S)?)_(?![\w_])")
WIDTH = 88


@dataclass(frozen=True)
class Pick:
    """What typing a number does: click a button, or answer a multi-choice list."""

    action: str
    value: str
    option: str = ""
    url: str = ""
    multi: bool = False


def plain(text: str) -> str:
    """The Markdown subset as plain text: links become `title <url>`, emphasis marks go."""
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    return _ITALIC.sub(r"\1", text.replace("**", "").replace("`", ""))


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for para in plain(text).split("\n"):
        lines.extend(
            textwrap.wrap(para, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
        )
    return lines


def bar(fraction: float, width: int = 20) -> str:
    """A text progress bar."""
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled) + f" {round(fraction * 100)}%"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def save_file(folder: Path, name: str, data: bytes) -> Path:
    """Write a file the bot sent into `folder`, owner-only, never over an earlier one."""
    private_dir(folder)
    base = _UNSAFE.sub("-", Path(name).name).strip(".-")[:100] or "file"
    stem, dot, suffix = base.rpartition(".")
    stem, suffix = (stem, dot + suffix) if dot and stem else (base, "")
    path, n = folder / base, 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(0o600)
    return path


class PlainRenderer:
    """Turns replies into lines of text and remembers what each number stands for.

    Args:
        files: Where files the bot sends (a CSV, a data export, a chart) are written, their
            paths printed; None prints only their names.
    """

    def __init__(self, files: Path | None = None) -> None:
        self.picks: list[Pick] = []
        self._files = files

    def render(self, reply: Reply) -> list[str]:
        """Render one reply; numbers continue across replies until `reset`."""
        lines: list[str] = []
        for block in reply.blocks:
            lines.extend(self._block(block))
        return lines

    def reset(self) -> None:
        """Forget the numbered options (called before each new batch of replies)."""
        self.picks = []

    def _block(self, block: Block) -> list[str]:
        match block:
            case Text(text=text):
                return _wrap(text)
            case Section(title=title, text=text, fields=fields):
                out = [plain(title).upper()] + (_wrap(text) if text else [])
                return out + [f"  {plain(k)}: {plain(v)}" for k, v in fields]
            case Buttons(buttons=buttons):
                return ["  " + "   ".join(self._button(b) for b in buttons)]
            case Choices():
                return self._choices(block)
            case Progress(label=label):
                return [f"  {plain(label):<28} {bar(block.fraction)}"]
            case Image(alt=alt, url=url):
                return [f"  [image: {alt}{' <' + url + '>' if url else ''}]"]
            case Attachment(name=name, data=data):
                if self._files is None:
                    return [f"  [file: {name}, {len(data):,} bytes]"]
                path = save_file(self._files, name, data)
                return [f"  [file: {name}, {len(data):,} bytes, saved to {path}]"]
            case Divider():
                return ["  " + "-" * 40]
            case Note(text=text):
                return _wrap(text, indent="  ")
        return []

    def _button(self, button: Button) -> str:
        self.picks.append(Pick(button.action, button.value, url=button.url))
        suffix = f" <{button.url}>" if button.url else ""
        return f"[{len(self.picks)}] {plain(button.label)}{suffix}"

    def _choices(self, block: Choices) -> list[str]:
        lines = []
        for value, label in block.options:
            self.picks.append(Pick(block.action, block.value, option=value, multi=block.multi))
            mark = "[ ] " if block.multi else ""
            lines.append(f"  [{len(self.picks)}] {mark}{plain(label)}")
        if block.multi:
            lines.append("  Type the numbers of every option that applies, e.g. 1,3.")
        return lines
