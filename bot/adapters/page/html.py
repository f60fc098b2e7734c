"""The module page as HTML, built element by element from stored blocks, every text escaped.

Nothing from a source document is passed through as markup: a paragraph, list, table, code
block or image becomes elements written here, with the document's words as escaped text.
The one stylesheet is inline and allowed by its hash in the Content-Security-Policy, so the
page needs no script, no external file and no inline style attribute.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from html import escape

from bot.core import messages as msg
from bot.features.module_page import PageView
from content_index.model import ContentBlock
from content_index.page import PageSection, local_image

CSS = """
:root{color-scheme:light dark;--fg:#1d2430;--muted:#5b6575;--bg:#fff;--line:#d8dde5;
--code:#f4f6f9;--accent:#1f5fbf}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3acb9;--bg:#14171c;
--line:#343a44;--code:#1e232b;--accent:#8ab4ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.6 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif;-webkit-text-size-adjust:100%}
.page{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
header{border-bottom:1px solid var(--line);margin-bottom:1.5rem;padding-bottom:1rem}
.org{color:var(--muted);font-size:.9rem;margin:0;text-transform:uppercase;letter-spacing:.05em}
h1{font-size:1.9rem;line-height:1.25;margin:.3rem 0}
h2{font-size:1.45rem;margin-top:2rem}h3{font-size:1.2rem}h4,h5,h6{font-size:1.05rem}
h2,h3,h4,h5,h6{line-height:1.3}
.meta,.note,footer{color:var(--muted);font-size:.95rem}
.progress{display:inline-block;margin:.5rem 0 0;padding:.2rem .6rem;border-radius:1rem;
border:1px solid var(--line);font-size:.95rem}
a{color:var(--accent)}
h1 a,h2 a,h3 a,h4 a,h5 a,h6 a{color:inherit;text-decoration:none}
pre{background:var(--code);padding:.8rem 1rem;border-radius:6px;overflow-x:auto;
font-size:.85rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.table{overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;min-width:100%;font-size:.95rem}
th,td{border:1px solid var(--line);padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:var(--code)}
img{max-width:100%;height:auto}
figure{margin:1.2rem 0}figcaption{color:var(--muted);font-size:.9rem}
nav ol{padding-left:1.2rem}
footer{border-top:1px solid var(--line);margin-top:3rem;padding-top:1rem}
""".strip()
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
# Served pages: images only from this server, the stylesheet only by its hash.
PAGE_CSP = (
    f"default-src 'none'; img-src 'self'; style-src '{CSS_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# A saved page has its images inside it.
FILE_CSP = (
    f"default-src 'none'; img-src data:; style-src '{CSS_HASH}'; base-uri 'none'; "
    "form-action 'none'"
)
_LIST_MARKER = re.compile(r"^\s*(?:([-*+•])|(\d+)[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")

ImageSource = Callable[[str], str | None]


def render_page(view: PageView, *, image_src: ImageSource, csp: str | None = None) -> str:
    """The whole HTML document of a module page.

    Args:
        view: What the page shows.
        image_src: The `src` of a library image (its path relative to the library folder),
            or None when it cannot be shown (its alt text is shown instead).
        csp: A policy for a meta element, for a saved file (it has no response headers);
            served pages get theirs as a header (which can also forbid framing).
    """
    sections = list(view.sections)
    title_anchor = ""
    if sections and sections[0].level == 1 and _same(sections[0].title, view.title):
        title_anchor = sections[0].anchor
        sections[0] = PageSection("", "", 0, sections[0].blocks)
    head = _head(msg.PAGE_TITLE.format(title=view.title, org=view.org_name), csp)
    body = [*_header(view, title_anchor), "<main>", *_intro(view)]
    body.extend(_contents(sections))
    top = min((s.level for s in sections if s.level > 0 and s.title), default=1)
    used = {title_anchor}
    for section in sections:
        if section.anchor in used:  # ids are unique: a repeated anchor links to its first
            section = PageSection(section.title, "", section.level, section.blocks)
        used.add(section.anchor)
        body.extend(_section(section, image_src, view.base, top))
    body.append("</main>")
    body.append(f"<footer><p>{_e(_footer(view))}</p></footer>")
    return "\n".join([head, '<body><div class="page">', *body, "</div></body></html>\n"])


def render_refused(title: str, text: str) -> str:
    """The page shown instead of a module: a title and one friendly paragraph."""
    return "\n".join(
        [
            _head(title, None),
            '<body><div class="page"><main>',
            f"<h1>{_e(title)}</h1>",
            f"<p>{_e(text)}</p>",
            "</main></div></body></html>\n",
        ]
    )


def _head(title: str, csp: str | None) -> str:
    policy = f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">' if csp else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"{policy}"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>"
    )


def _header(view: PageView, anchor: str) -> Iterator[str]:
    yield "<header>"
    yield f'<p class="org">{_e(view.org_name)}</p>'
    yield f"<h1{_id(anchor)}>{_e(view.title)}</h1>"
    yield f'<p class="meta">{_e(msg.PAGE_MINUTES.format(minutes=view.minutes))}</p>'
    if view.progress is not None:
        yield f'<p class="progress">{_e(view.progress)}</p>'
    yield "</header>"


def _intro(view: PageView) -> Iterator[str]:
    if view.summary:
        yield f'<p class="summary">{_e(view.summary)}</p>'
    if view.media_url:
        href = _e(view.media_url)
        yield f'<p><a href="{href}" rel="noopener noreferrer">{_e(msg.PAGE_OPEN_MEDIA)}</a></p>'
    if not view.ready:
        yield f'<p class="note">{_e(msg.PAGE_NOT_READY)}</p>'
    elif not any(s.blocks for s in view.sections) and not view.media_url:
        yield f'<p class="note">{_e(msg.PAGE_EMPTY)}</p>'


def _contents(sections: list[PageSection]) -> Iterator[str]:
    """A table of contents when the page has three headings or more."""
    headed = [s for s in sections if s.level > 0 and s.title and s.anchor]
    if len(headed) < 3:
        return
    yield f'<nav><p class="meta">{_e(msg.PAGE_CONTENTS)}</p><ol>'
    for s in headed:
        yield f'<li><a href="#{_e(s.anchor)}">{_e(s.title)}</a></li>'
    yield "</ol></nav>"


def _section(section: PageSection, image_src: ImageSource, base: str, top: int) -> Iterator[str]:
    """A section: its heading (the page's highest level as h2) and its blocks."""
    if section.level > 0 and section.title:
        tag = f"h{min(section.level - top + 2, 6)}"
        inner = _e(section.title)
        if section.anchor:
            inner = f'<a href="#{_e(section.anchor)}">{inner}</a>'
        yield f"<{tag}{_id(section.anchor)}>{inner}</{tag}>"
    for block in section.blocks:
        yield _block(block, image_src, base)


def _block(block: ContentBlock, image_src: ImageSource, base: str) -> str:
    if block.kind == "code":
        return f"<pre><code>{_e(block.text)}</code></pre>"
    if block.kind == "table":
        return _table(block.text)
    if block.kind == "list":
        return _list(block.text)
    if block.kind == "image":
        return _image(block, image_src, base)
    return f"<p>{_e(_unwrap(block.text))}</p>"


def _image(block: ContentBlock, image_src: ImageSource, base: str) -> str:
    alt = block.text.strip()
    path = local_image(block, base)
    src = image_src(path) if path else None
    if src is None:
        return f'<p class="note">{_e(msg.PAGE_IMAGE.format(alt=alt or "—"))}</p>'
    caption = f"<figcaption>{_e(alt)}</figcaption>" if alt else ""
    return f'<figure><img src="{_e(src)}" alt="{_e(alt)}" loading="lazy">{caption}</figure>'


def _list(text: str) -> str:
    items: list[str] = []
    ordered = False
    for n, line in enumerate(text.split("\n")):
        marker = _LIST_MARKER.match(line)
        if marker is not None:
            ordered = ordered or (n == 0 and marker.group(2) is not None)
            items.append(line[marker.end() :].strip())
        elif items and line.strip():
            items[-1] = f"{items[-1]} {line.strip()}"
        elif line.strip():
            items.append(line.strip())
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li>{_e(item)}</li>" for item in items)
    return f"<{tag}>{body}</{tag}>"


def _table(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    rows = [_cells(line) for line in lines if not _TABLE_RULE.match(line)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    head, body = (rows[0], rows[1:]) if len(rows) > 1 else (None, rows)
    out = ['<div class="table"><table>']
    if head is not None:
        out.append("<thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in head) + "</tr></thead>")
    out.append("<tbody>")
    out.extend("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in body)
    out.append("</tbody></table></div>")
    return "".join(out)


def _cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(inner)]


def _footer(view: PageView) -> str:
    if view.expires is None:
        return msg.PAGE_FOOTER_FILE.format(org=view.org_name)
    return msg.PAGE_FOOTER.format(org=view.org_name, date=_date(view.expires))


def _date(when: datetime) -> str:
    return f"{when:%d %B %Y}".lstrip("0")


def _unwrap(text: str) -> str:
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _id(anchor: str) -> str:
    return f' id="{_e(anchor)}"' if anchor else ""


def _e(text: str) -> str:
    return escape(text, quote=True)
