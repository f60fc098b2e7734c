"""Build the Debian Reference corpus: one HTML document per section of the installed manual.

Usage:
    apt-get install debian-reference-en
    .venv/bin/python bench/build_debian_corpus.py [--source /usr/share/debian-reference]
        [--out /tmp/debian-reference-corpus]

Each chapter of the Debian Reference (Osamu Aoki, GPL-2+ / MIT-style, the `debian-reference-en`
package) is split at its second-level headings ("2.1. Debian package management
prerequisites"): one file per section, `chNN-sMM.html`, holding the section's HTML under a
<title> of "Chapter title: section title". The questions in bench/data/debian-qa.jsonl name
these files as gold documents. The corpus is kept out of tuning: it is the unseen library.
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

# A second-level section starts with this wrapper; the next one, or the chapter's navigation
# footer, ends it.
_SECTION = re.compile(
    r'<div class="section">\s*<div class="titlepage">\s*<div>\s*<div>\s*<h2 class="title"'
)
_FOOTER = '<div class="navfooter">'
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_H2 = re.compile(r'<h2 class="title">(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def split_chapter(page: str) -> list[tuple[str, str]]:
    """(section title, section HTML) for each second-level section of one chapter page."""
    end = page.find(_FOOTER)
    body = page[: end if end >= 0 else len(page)]
    starts = [m.start() for m in _SECTION.finditer(body)]
    sections = []
    for start, stop in zip(starts, [*starts[1:], len(body)], strict=True):
        fragment = body[start:stop]
        heading = _H2.search(fragment)
        sections.append((_text(heading.group(1)) if heading else "", fragment))
    return sections


def build(source: Path, out: Path) -> int:
    """Write one file per section into `out`; returns how many were written."""
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for chapter in sorted(source.glob("ch[0-9][0-9].en.html")):
        page = chapter.read_text(encoding="utf-8")
        found = _TITLE.search(page)
        chapter_title = _text(found.group(1)) if found else chapter.stem
        number = chapter.name[2:4]
        for index, (title, fragment) in enumerate(split_chapter(page), start=1):
            name = f"ch{number}-s{index:02d}.html"
            document = (
                f"<html><head><title>{html.escape(chapter_title)}: {html.escape(title)}"
                f"</title></head><body>{fragment}</body></html>\n"
            )
            (out / name).write_text(document, encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/debian-reference"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/debian-reference-corpus"))
    args = parser.parse_args()
    count = build(args.source, args.out)
    print(f"{count} section documents in {args.out}")


if __name__ == "__main__":
    main()
