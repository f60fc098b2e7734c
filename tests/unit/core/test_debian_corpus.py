"""The Debian Reference corpus builder splits a chapter into one document per section."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SPEC = importlib.util.spec_from_file_location(
    "build_debian_corpus", REPO / "bench" / "build_debian_corpus.py"
)
assert SPEC is not None
assert SPEC.loader is not None
builder = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(builder)

SECTION = (
    '<div class="section">\n <div class="titlepage">\n <div>\n <div>\n'
    '<h2 class="title"><a id="x{n}"/>2.{n}. Part {n} &amp; more</h2></div></div></div>'
    "<p>Text of part {n}.</p></div>\n"
)
CHAPTER = (
    "<html><head><title>Chapter 2. Debian package management</title></head><body>"
    "<p>Chapter intro.</p>"
    + "".join(SECTION.format(n=n) for n in (1, 2))
    + '<div class="navfooter">next</div></body></html>'
)


def test_each_second_level_section_becomes_a_document(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "ch02.en.html").write_text(CHAPTER)
    assert builder.build(source, tmp_path / "out") == 2
    first = (tmp_path / "out" / "ch02-s01.html").read_text()
    second = (tmp_path / "out" / "ch02-s02.html").read_text()
    assert "<title>Chapter 2. Debian package management: 2.1. Part 1 &amp; more</title>" in first
    assert "Text of part 1." in first
    assert "Text of part 2." not in first
    assert "Text of part 2." in second
    assert "navfooter" not in second
