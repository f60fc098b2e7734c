"""HTML pages: sections from h1-h6, page chrome (script, style, nav) dropped, line numbers kept."""

from __future__ import annotations

from html.parser import HTMLParser

from content_index.structure import Line, RawDocument, RawSection

_SKIPPED = frozenset({"script", "style", "nav", "noscript", "template", "svg", "iframe"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SECTIONING = frozenset({"p", "div", "section", "article", "main", "aside", "header", "footer"})
_GROUPING = frozenset({"blockquote", "pre", "ul", "ol", "dl", "table", "form", "fieldset"})
_OTHER_BLOCKS = frozenset({"figure", "figcaption", "details", "summary", "address", "hr"})
_PARAGRAPH_TAGS = _SECTIONING | _GROUPING | _OTHER_BLOCKS | {"body", "html"}
_LINE_TAGS = frozenset({"li", "tr", "br", "dt", "dd", "caption"})
_CELL_TAGS = frozenset({"td", "th"})
_VOID_COMMON = frozenset({"br", "hr", "img", "input", "link", "meta", "wbr"})
_VOID = _VOID_COMMON | {"area", "base", "col", "embed", "param", "source", "track"}
# Containers that give their blocks a kind (the innermost open one wins).
_KIND_OF = {"pre": "code", "table": "table", "ul": "list", "ol": "list"}


def parse_html(text: str) -> RawDocument:
    """Read an HTML page into heading sections.

    `<title>` and `<meta name="description">` become the page's own metadata; heading `id`
    attributes are used as anchors when present.
    """
    parser = _SectionParser()
    parser.feed(text)
    parser.close()
    return parser.result()


class _SectionParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [RawSection(title="", level=0)]
        self.lines: list[Line] = []
        self.skip_depth = 0
        self.heading: tuple[int, int, str] | None = None  # level, line, id
        self.heading_text: list[str] = []
        self.in_title = False
        self.in_pre = False
        self.spaced = False
        self.metadata: dict[str, object] = {}
        self.containers: list[str] = []  # open pre/table/ul/ol tags
        self.image: tuple[str, str] | None = None  # alt and src of an image opening a block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip_depth += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            self._meta(dict(attrs))
        elif tag in _HEADINGS and not self.skip_depth:
            self._end_paragraph()
            self.heading = (_HEADINGS[tag], self.getpos()[0], dict(attrs).get("id") or "")
            self.heading_text = []
        elif tag == "img":
            alt, src = dict(attrs).get("alt") or "", dict(attrs).get("src") or ""
            if not any(line for line, _ in self.lines) and not self.containers:
                self.image = (" ".join(alt.split()), src)
            self._text(alt)
        else:
            self._layout(tag, starting=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "title":
            self.in_title = False
        elif tag in _HEADINGS and self.heading is not None:
            self._end_heading()
        elif tag not in _VOID:
            self._layout(tag, starting=False)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_title:
            title = " ".join(data.split())
            if title:
                self.metadata.setdefault("title", title)
        elif self.heading is not None:
            self.heading_text.append(data)
        else:
            self._text(data)

    def result(self) -> RawDocument:
        self._end_paragraph()
        if self.heading is not None:
            self._end_heading()
        return RawDocument(sections=self.sections, metadata=self.metadata)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or attrs.get("property") or "").lower()
        content = " ".join((attrs.get("content") or "").split())
        if content and name in ("description", "og:description"):
            self.metadata.setdefault("summary", content)

    def _layout(self, tag: str, *, starting: bool) -> None:
        if tag == "pre":
            self.in_pre = starting
        if tag in _PARAGRAPH_TAGS:
            self._end_paragraph()
            if tag in _KIND_OF:
                self._container(tag, starting=starting)
        elif tag in _LINE_TAGS:
            self._new_line()
        elif tag in _CELL_TAGS and starting and self.lines and self.lines[-1][0]:
            self.lines[-1] = (self.lines[-1][0] + " |", self.lines[-1][1])
            self.spaced = True

    def _text(self, data: str) -> None:
        first_line = self.getpos()[0]
        for offset, piece in enumerate(data.split("\n")):
            if offset and self.in_pre:
                self._new_line()
            words = " ".join(piece.split())
            if words:
                self._append(words, number=first_line + offset, spaced=piece[0].isspace())
            self.spaced = not words or piece[-1].isspace() or offset < data.count("\n")

    def _append(self, words: str, *, number: int, spaced: bool) -> None:
        if not self.lines or not self.lines[-1][0]:
            self.lines[-1:] = [(words, number)]
        elif self.lines[-1][1] != number:
            self.lines.append((words, number))
        else:
            text = self.lines[-1][0]
            self.lines[-1] = (text + (" " if spaced or self.spaced else "") + words, number)

    def _container(self, tag: str, *, starting: bool) -> None:
        if starting:
            self.containers.append(tag)
        elif tag in self.containers:
            del self.containers[len(self.containers) - 1 - self.containers[::-1].index(tag)]

    def _new_line(self) -> None:
        if self.lines and self.lines[-1][0]:
            self.lines.append(("", 0))

    def _end_paragraph(self) -> None:
        block = [line for line in self.lines if line[0]]
        self.lines, image, self.image = [], self.image, None
        if not block:
            return
        section = self.sections[-1]
        if image is not None and len(block) == 1 and block[0][0] == image[0]:
            section.add(block, kind="image", src=image[1])
        elif self.containers:
            kind = _KIND_OF[self.containers[-1]]
            section.add(block, kind=kind, text=_shown(block, kind))
        else:
            section.add(block)

    def _end_heading(self) -> None:
        assert self.heading is not None
        level, line, anchor = self.heading
        self.heading = None
        title = " ".join("".join(self.heading_text).split())
        if title:
            self.sections.append(
                RawSection(title=title, level=level, line_start=line, anchor=anchor)
            )


def _shown(block: list[Line], kind: str) -> str:
    """A block's text as its kind shows it: list items marked, table rows as Markdown."""
    lines = [text for text, _ in block]
    if kind == "list":
        return "\n".join(f"- {text}" for text in lines)
    if kind == "table":
        return "\n".join(f"| {text} |" for text in lines)
    return "\n".join(lines)
