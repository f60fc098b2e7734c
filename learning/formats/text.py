"""Turns GIFT text in its four formats (moodle, plain, markdown, html) into display text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Literal

TextFormat = Literal["moodle", "plain", "markdown", "html"]

# Stands for an escaped "\n" until the format is known: raw newlines fold into spaces in
# moodle/plain text, escaped ones never do. The lexer removes real NULs from the input.
ESCAPED_NEWLINE = "\x00"

_PREFIX = re.compile(r"^\s*\[(moodle|plain|markdown|html)\]")
_BLOCK_TAGS = frozenset(
    {"p", "div", "pre", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "hr", "section", "article", "header", "footer", "dl", "dt", "dd"}
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title"})


def split_format(raw: str, default: TextFormat) -> tuple[TextFormat, str]:
    """The `[format]` prefix of `raw` (or `default`) and the text after it."""
    match = _PREFIX.match(raw)
    if match is None:
        return default, raw
    fmt: TextFormat = match.group(1)  # type: ignore[assignment]
    return fmt, raw[match.end() :]


def render(raw: str, fmt: TextFormat) -> str:
    """Display text for `raw` in format `fmt`.

    moodle and plain text fold whitespace runs (line breaks included) into one space, as
    Moodle does; markdown keeps its line breaks and is otherwise left as written; html is
    converted to plain text by `html_to_text`. An escaped newline is a line break in all four.
    """
    if fmt in ("moodle", "plain"):
        folded = re.sub(r"\s+", " ", raw)
        return re.sub(f" ?{ESCAPED_NEWLINE} ?", "\n", folded).strip()
    text = raw.replace("\r\n", "\n").replace(ESCAPED_NEWLINE, "\n")
    return html_to_text(text) if fmt == "html" else text.strip()


def render_rich(raw: str, default: TextFormat) -> tuple[TextFormat, str]:
    """Splits off a `[format]` prefix and renders the rest: (format, display text)."""
    fmt, body = split_format(raw, default)
    return fmt, render(body, fmt)


def html_to_text(source: str) -> str:
    """Plain text for simple HTML.

    Block elements and `<br>` become line breaks, `<li>` items start with "- ", `<pre>` keeps
    its spacing, images become "[image: alt]" (or "[image]"), entities are decoded, comments,
    scripts and styles are dropped; all other tags are removed and their text kept.

    Args:
        source: An HTML fragment such as "<p>The <b>east</b>.</p>".
    """
    extractor = _TextExtractor()
    extractor.feed(source)
    extractor.close()
    text = re.sub(r"[ \t]+\n", "\n", extractor.text())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._pre = 0
        self._hidden = 0

    def text(self) -> str:
        return "".join(self._out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self._out.append("\n")
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            self._write(f"[image: {alt}]" if alt else "[image]")
        elif tag == "li":
            self._break()
            self._out.append("- ")
        elif tag in _BLOCK_TAGS:
            self._break()
        self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self._break()
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        data = data.replace("\xa0", " ")
        if self._pre:
            self._out.append(data)
            return
        self._write(re.sub(r"\s+", " ", data))

    def _write(self, text: str) -> None:
        if not self._out or self._out[-1].endswith("\n"):
            text = text.lstrip()
        if text:
            self._out.append(text)

    def _break(self) -> None:
        if self._out and not self._out[-1].endswith("\n"):
            self._out[-1] = self._out[-1].rstrip(" ")
            self._out.append("\n")
