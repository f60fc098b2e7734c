"""Markdown with YAML front matter: sections from ATX and setext headings, exact line numbers."""

from __future__ import annotations

import re

from content_index.errors import MetadataError
from content_index.inline import clean_markdown, clean_title
from content_index.structure import Line, RawDocument, RawSection

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*)$")
_ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_HEADER_ID = re.compile(r"[ \t]*\{#([\w-]+)[^}]*\}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_NOT_PARAGRAPH = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||>|<)")
_COMMENT_OPEN = re.compile(r"<!--|\{%-?\s*comment\s*-?%\}")
_COMMENT_CLOSE = {"<": re.compile(r"-->"), "{": re.compile(r"\{%-?\s*endcomment\s*-?%\}")}
_FRONT_MATTER_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_TABLE_ROW = re.compile(r"^\s*\|")
_IMAGE_ONLY = re.compile(r"^\s*!\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[^)]*)?\)\s*$")


def parse_markdown(text: str, *, path: str) -> RawDocument:
    """Split Markdown into front matter and heading sections.

    Line numbers count from the top of the file, front matter included, so they match the
    file on disk. Headings inside fenced code and HTML or template comments are ignored.

    Raises:
        MetadataError: The front matter is not valid YAML or not a mapping.
    """
    lines = text.split("\n")
    metadata, key_lines, body_start, warnings = _front_matter(lines, path=path)
    scanner = _Scanner()
    for index in range(body_start, len(lines)):
        scanner.feed(lines[index], index + 1)
    return RawDocument(
        sections=scanner.finish(),
        metadata=metadata,
        metadata_lines=key_lines,
        warnings=warnings,
    )


def _front_matter(
    lines: list[str], *, path: str
) -> tuple[dict[str, object], dict[str, int], int, list[str]]:
    """(fields, line of each key, index of the first body line, warnings)."""
    if not lines or lines[0].strip() != "---":
        return {}, {}, 0, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    if not end:
        return {}, {}, 0, [f"{path} starts with '---' but the front matter is never closed"]
    data = _load_yaml("\n".join(lines[1:end]), path=path)
    key_lines: dict[str, int] = {}
    for offset, line in enumerate(lines[1:end]):
        match = _FRONT_MATTER_KEY.match(line)
        if match:
            key_lines[match.group(1)] = offset + 2  # YAML keeps the last duplicate key
    return data, key_lines, end + 1, []


def _load_yaml(text: str, *, path: str) -> dict[str, object]:
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MetadataError(path, f"has invalid YAML front matter{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MetadataError(
            path, f"has front matter that is a {type(data).__name__}, not a mapping of fields"
        )
    return {str(key): value for key, value in data.items()}


class _Scanner:
    """Feeds source lines one by one and tracks fences, comments, blocks and headings."""

    def __init__(self) -> None:
        self.sections = [RawSection(title="", level=0)]
        self.block: list[Line] = []
        self.code: list[str] = []  # the fenced lines verbatim, blank ones included
        self.fence = ""
        self.comment_close: re.Pattern[str] | None = None
        self.last_content_line = 0

    def feed(self, line: str, number: int) -> None:
        if self.fence:
            self._feed_code(line, number)
            return
        line = self._strip_comments(line)
        if not line.strip():
            self._flush()
            return
        fence = _FENCE.match(line)
        if fence:
            self._flush()
            self.fence = fence.group(1)
            self.code = []
            self.last_content_line = number
        elif not self._heading(line, number):
            self.block.append((line, number))
            self.last_content_line = number

    def finish(self) -> list[RawSection]:
        self._flush()
        self.sections[-1].line_end = self.last_content_line
        return self.sections

    def _feed_code(self, line: str, number: int) -> None:
        self.last_content_line = number
        closing = _FENCE.match(line)
        if (
            closing
            and closing.group(1)[0] == self.fence[0]
            and len(closing.group(1)) >= len(self.fence)
        ):
            self.fence = ""
            self._flush(code=True)
            return
        self.code.append(line.rstrip())
        if line.strip():
            self.block.append((line.rstrip(), number))

    def _strip_comments(self, line: str) -> str:
        kept = []
        while line:
            if self.comment_close is not None:
                close = self.comment_close.search(line)
                if close is None:
                    break
                line, self.comment_close = line[close.end() :], None
                continue
            opening = _COMMENT_OPEN.search(line)
            if opening is None:
                kept.append(line)
                break
            kept.append(line[: opening.start()])
            line, self.comment_close = line[opening.end() :], _COMMENT_CLOSE[opening.group(0)[0]]
        return "".join(kept)

    def _heading(self, line: str, number: int) -> bool:
        atx = _ATX.match(line)
        if atx:
            self._flush()
            self._start(atx.group(2), level=len(atx.group(1)), number=number)
            return True
        setext = _SETEXT.match(line)
        if setext and self.block and not _NOT_PARAGRAPH.match(self.block[0][0]):
            title_lines, self.block = self.block, []
            level = 1 if setext.group(1).startswith("=") else 2
            self._start(" ".join(t for t, _ in title_lines), level=level, number=title_lines[0][1])
            self.last_content_line = number
            return True
        return False

    def _start(self, raw_title: str, *, level: int, number: int) -> None:
        raw_title = _ATX_CLOSING.sub("", raw_title.strip())
        anchor_match = _HEADER_ID.search(raw_title)
        anchor = anchor_match.group(1) if anchor_match else ""
        if anchor_match:
            raw_title = raw_title[: anchor_match.start()]
        title = clean_title(raw_title)
        if not title:
            return
        self.sections[-1].line_end = self.last_content_line
        self.sections.append(RawSection(title=title, level=level, line_start=number, anchor=anchor))
        self.last_content_line = number

    def _flush(self, *, code: bool = False) -> None:
        raw, self.block = self.block, []
        if not raw:
            return
        section = self.sections[-1]
        if code:
            section.add(raw, kind="code", text="\n".join(self.code).strip("\n"))
            return
        cleaned = clean_markdown("\n".join(text for text, _ in raw))
        block = [(text, n) for text, (_, n) in zip(cleaned, raw, strict=True) if text]
        source = [text for text, _ in raw]
        image = _IMAGE_ONLY.match(source[0]) if len(source) == 1 else None
        if image:
            section.add(block, kind="image", src=image.group(1))
        elif all(_TABLE_ROW.match(text) for text in source) and len(source) > 1:
            section.add(block, kind="table", text="\n".join(t.strip() for t in source))
        elif _LIST_ITEM.match(source[0]):
            section.add(block, kind="list")
        else:
            section.add(block)
