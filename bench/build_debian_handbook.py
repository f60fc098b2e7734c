"""Build the Debian Administrator's Handbook corpus: one HTML document per section.

Usage:
    apt-get install debian-handbook
    .venv/bin/python bench/build_debian_handbook.py
        [--source /usr/share/doc/debian-handbook/html/en-US]
        [--out /tmp/debian-handbook-corpus]

The handbook (Raphaël Hertzog and Roland Mas, GPL-2+ / CC-BY-SA-3.0, the `debian-handbook`
package) is published as one HTML page per chapter and per top-level section; each page is
split here at its second- and third-level headings ("6.2. aptitude, apt-get, and apt Commands",
"6.2.1. Initialization"): one file per section, `<page>-sNN.html` (the text before a page's
first heading, when there is any, is `<page>-s00.html`), holding the section's HTML under a
<title> of "Page heading: section title". The questions in bench/data/debian-handbook-qa.jsonl
name these files as gold documents. The corpus is kept out of all tuning.
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

_SECTION = re.compile(
    r'<div class="section">\s*<div class="titlepage">\s*<div>\s*<div>\s*<h[23] class="title"'
)
_TOP_NAV = re.compile(r'<ul class="docnav top">.*?</ul>', re.S)
_BOTTOM_NAV = '<ul class="docnav">'
_HEADING = re.compile(r'<h[123] class="title">(.*?)</h[123]>', re.S)
_TOC = re.compile(r'<div class="toc">.*?</div>', re.S)
_TAG = re.compile(r"<[^>]+>")
# Text before a page's first section shorter than this (words) is a heading and a contents
# list, not a document.
_MIN_INTRO_WORDS = 40


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def split_page(page: str) -> list[tuple[str, str]]:
    """(section title, section HTML) for the intro and each section of one handbook page."""
    top = _TOP_NAV.search(page)
    begin = top.end() if top else 0
    end = page.find(_BOTTOM_NAV, begin)
    body = page[begin : end if end >= 0 else len(page)]
    starts = [m.start() for m in _SECTION.finditer(body)]
    sections = []
    intro = _TOC.sub("", body[: starts[0] if starts else len(body)])
    heading = _HEADING.search(intro)
    if len(_text(_HEADING.sub("", intro)).split()) >= _MIN_INTRO_WORDS:
        sections.append((_text(heading.group(1)) if heading else "", intro))
    else:
        sections.append(("", ""))
    stops = [*starts[1:], len(body)] if starts else []
    for start, stop in zip(starts, stops, strict=True):
        fragment = body[start:stop]
        found = _HEADING.search(fragment)
        sections.append((_text(found.group(1)) if found else "", fragment))
    return sections


def build(source: Path, out: Path) -> int:
    """Write one file per section into `out`; returns how many were written."""
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sorted(source.glob("*.html")):
        if path.name == "index.html":
            continue  # the table of contents
        page = path.read_text(encoding="utf-8")
        found = _HEADING.search(page)
        page_title = _text(found.group(1)) if found else path.stem
        for index, (title, fragment) in enumerate(split_page(page)):
            if not fragment:
                continue
            name = f"{path.stem}-s{index:02d}.html"
            heading = f"{page_title}: {title}" if title and title != page_title else page_title
            document = (
                f"<html><head><title>{html.escape(heading)}</title></head>"
                f"<body>{fragment}</body></html>\n"
            )
            (out / name).write_text(document, encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=Path("/usr/share/doc/debian-handbook/html/en-US")
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/debian-handbook-corpus"))
    args = parser.parse_args()
    count = build(args.source, args.out)
    print(f"{count} section documents in {args.out}")


if __name__ == "__main__":
    main()
