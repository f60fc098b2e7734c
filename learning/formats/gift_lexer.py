"""GIFT tokenizer: splits a file into question blocks and a block into tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

TokenKind = Literal[
    "text", "newline", "title", "open", "close", "correct", "wrong", "feedback", "general"
]

# Characters GIFT lets a backslash escape; "\n" is handled apart as a line break.
ESCAPABLE = frozenset("\\~=#{}:[]")
_ID = re.compile(r"\[id:([^\x00-\x1F\x7F]+?)\]")
_TAG = re.compile(r"\[tag:([^\x00-\x1F\x7F]+?)\]")
_CATEGORY = "$CATEGORY:"
# Runs of characters that can never start a control token or an escape.
_OUTSIDE_PLAIN = re.compile(r"[^\\{}:]+")
_INSIDE_PLAIN = re.compile(r"[^\\{}#=~]+")
_INSIDE_CONTROLS: tuple[tuple[str, TokenKind], ...] = (
    ("####", "general"),
    ("#", "feedback"),
    ("=", "correct"),
    ("~", "wrong"),
    ("}", "close"),
)


class GiftSyntaxError(Exception):
    """Malformed GIFT, with the line to report."""

    def __init__(self, line: int, message: str) -> None:
        """Records the 1-based `line` and a user-facing `message`."""
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Token:
    """One lexical unit; `text` is the resolved text, or the control characters as written."""

    kind: TokenKind
    text: str
    line: int


@dataclass(frozen=True)
class Block:
    """The lines of one question (blank-line separated), or a `$CATEGORY:` line.

    Attributes:
        line: 1-based line of the block's first non-comment line.
        text: The block's lines joined by newlines; comment lines are left empty.
        item_id: The id from a `// [id:...]` comment before the question, if any.
        tags: Tags from `// [tag:...]` comments before the question.
        category: The category path when the block is a `$CATEGORY:` line.
    """

    line: int
    text: str
    item_id: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None


def split_blocks(text: str) -> list[Block]:
    """The question and category blocks of a GIFT file, in order."""
    splitter = _Splitter()
    source = text.lstrip("\ufeff").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(source.split("\n"), start=1):
        splitter.feed(number, line)
    splitter.flush()
    return splitter.blocks


@dataclass
class _Splitter:
    """Line-by-line state for `split_blocks`."""

    blocks: list[Block] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    start: int = 0
    pending_id: str | None = None
    pending_tags: list[str] = field(default_factory=list)

    def feed(self, number: int, line: str) -> None:
        stripped = line.strip()
        if stripped.startswith("//"):
            self._comment(stripped)
        elif not stripped:
            self.flush()
        elif not self.lines and stripped.startswith(_CATEGORY):
            category = stripped[len(_CATEGORY) :].strip()
            self.blocks.append(Block(line=number, text="", category=category))
        else:
            if not self.lines:
                self.start = number
            self.lines.append(line)

    def flush(self) -> None:
        if not self.lines:
            return
        tags, self.pending_tags = tuple(self.pending_tags), []
        item_id, self.pending_id = self.pending_id, None
        text = "\n".join(self.lines)
        self.blocks.append(Block(line=self.start, text=text, item_id=item_id, tags=tags))
        self.lines = []

    def _comment(self, comment: str) -> None:
        # Keep the line count right inside a block; metadata goes to the next question.
        if self.lines:
            self.lines.append("")
        found = _ID.search(comment)
        if found:
            self.pending_id = found.group(1).strip().replace("\\]", "]")
        self.pending_tags += [t.strip() for t in _TAG.findall(comment)]


def tokenize(block: Block) -> list[Token]:
    """The tokens of one question block.

    Outside braces only `::title::`, `{` and `}` are special; inside, `=`, `~`, `#`, `####`
    and `}`. Escapes are resolved into text; an escaped `n` becomes a "newline" token.

    Raises:
        GiftSyntaxError: For unbalanced braces, an unclosed title or a dangling backslash.
    """
    return _Lexer(block).run()


class _Lexer:
    """Character scanner behind `tokenize`."""

    def __init__(self, block: Block) -> None:
        self.src = block.text
        self.pos = 0
        self.line = block.line
        self.tokens: list[Token] = []
        self.depth = 0
        self.open_line = 0
        self.title_line = 0
        self.title_state: Literal["none", "open", "done"] = "none"
        self.escaped_close_line = 0
        self.started = False
        self.buffer: list[str] = []
        self.buffer_line = 0

    def run(self) -> list[Token]:
        while self.pos < len(self.src):
            self._step()
        self._flush()
        if self.title_state == "open":
            raise GiftSyntaxError(
                self.title_line, "the title opened with '::' is not closed with '::'"
            )
        if self.depth:
            raise GiftSyntaxError(self.open_line, self._unclosed_message())
        return self.tokens

    def _unclosed_message(self) -> str:
        message = "the answer block opened with '{' is not closed with '}' before the question ends"
        if self.escaped_close_line:
            message += (
                f" (the '\\}}' on line {self.escaped_close_line} is an escaped brace;"
                " write '}' to close the block, or '\\\\' for a literal backslash)"
            )
        return message

    def _step(self) -> None:
        plain = (_INSIDE_PLAIN if self.depth else _OUTSIDE_PLAIN).match(self.src, self.pos)
        if plain is not None:
            self._add_text(plain.group())
            self.line += plain.group().count("\n")
            self.pos = plain.end()
            return
        char = self.src[self.pos]
        if char == "\\":
            self._escape()
            return
        matched = self._control()
        if matched is None:
            self._add_text(char)
            self.line += char == "\n"
            self.pos += 1
            return
        kind, chars = matched
        self._emit(kind, chars)
        self.pos += len(chars)

    def _control(self) -> tuple[TokenKind, str] | None:
        if self.depth:
            return self._inside_control()
        char = self.src[self.pos]
        if char == "{":
            self.depth, self.open_line = 1, self.line
            return "open", char
        if char == "}":
            raise GiftSyntaxError(
                self.line, "'}' has no matching '{' (write '\\}' for a literal brace)"
            )
        if self.src.startswith("::", self.pos) and self._title_allowed():
            self._advance_title()
            return "title", "::"
        return None

    def _inside_control(self) -> tuple[TokenKind, str] | None:
        if self.src[self.pos] == "{":
            raise GiftSyntaxError(
                self.line,
                f"'{{' inside the answer block opened on line {self.open_line}"
                " (write '\\{' for a literal brace)",
            )
        for chars, kind in _INSIDE_CONTROLS:
            if self.src.startswith(chars, self.pos):
                self.depth -= kind == "close"
                return kind, chars
        return None

    def _title_allowed(self) -> bool:
        if self.title_state == "open":
            return True
        return self.title_state == "none" and not self.started

    def _advance_title(self) -> None:
        if self.title_state == "none":
            self.title_state, self.title_line = "open", self.line
        else:
            self.title_state = "done"

    def _escape(self) -> None:
        following = self.src[self.pos + 1 : self.pos + 2]
        if not following:
            raise GiftSyntaxError(self.line, "a '\\' at the end of the question escapes nothing")
        if following == "n":
            self._emit("newline", "\n")
        elif following in ESCAPABLE:
            self._add_text(following)
            if following == "}" and self.depth:
                self.escaped_close_line = self.line
        else:
            # Moodle keeps a backslash that escapes nothing as a literal backslash.
            self._add_text("\\")
            self.pos += 1
            return
        self.pos += 2

    def _add_text(self, text: str) -> None:
        if not self.buffer:
            self.buffer_line = self.line
        self.buffer.append(text)
        self.started = self.started or bool(text.strip())

    def _flush(self) -> None:
        if self.buffer:
            self.tokens.append(Token("text", "".join(self.buffer), self.buffer_line))
            self.buffer = []

    def _emit(self, kind: TokenKind, text: str) -> None:
        self._flush()
        self.tokens.append(Token(kind, text, self.line))
        self.started = True
