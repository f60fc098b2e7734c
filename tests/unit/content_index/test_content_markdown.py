"""Markdown parsing: sections, line numbers against the real files, anchors and cleanup."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from content_index import parse_document, parse_file
from content_index.anchors import Slugger, github_slug
from content_index.model import ParsedDocument

LIMIT = 25 * 1024 * 1024


def parse_md(text: str, *, source: str = "guide/intro.md") -> ParsedDocument:
    return parse_document(
        text.encode("utf-8"), source=source, filename=Path(source).name, max_bytes=LIMIT
    )


def _normalise(title: str) -> str:
    return re.sub(r"[^\w]+", " ", title.casefold()).strip()


def test_gold_question_headings_start_sections_at_their_file_line(
    handbook: Path, questions: list[dict[str, Any]]
) -> None:
    corpus = handbook / "corpus"
    parsed: dict[str, ParsedDocument] = {}
    for question in questions:
        gold = question["gold"][0].removeprefix("corpus/")
        if gold not in parsed:
            parsed[gold] = parse_file(corpus / gold, source=gold, max_bytes=LIMIT)
        starts = {s.line_start: s for s in parsed[gold].sections}
        heading_line = question["gold_section"]["heading_line"]
        assert heading_line in starts, f"{gold}: no section starts at line {heading_line}"
        section = starts[heading_line]
        assert _normalise(section.title) == _normalise(question["gold_section"]["heading"])
        source_line = (corpus / gold).read_text(encoding="utf-8").split("\n")[heading_line - 1]
        assert source_line.lstrip().startswith("#" * section.level + " ")


def test_handbook_page_keeps_front_matter_title_and_ignores_unknown_keys(handbook: Path) -> None:
    source = "pages/18f/chapters/account-manager.md"
    doc = parse_file(handbook / "corpus" / source, source=source, max_bytes=LIMIT)
    raw = (handbook / "corpus" / source).read_text(encoding="utf-8")
    assert "questions:" in raw
    assert "redirect_from:" in raw
    assert doc.meta.title == "Account Management at 18F"
    assert "title" not in doc.meta.inferred
    assert doc.meta.id == "pages/18f/chapters/account-manager"
    preamble = doc.sections[0]
    assert preamble.level == 0
    assert preamble.anchor == ""
    assert preamble.title == doc.meta.title
    # The preamble starts after the 7 front matter lines and a blank line.
    assert raw.split("\n")[preamble.line_start - 1].startswith("Account Managers (AMs)")


def test_heading_in_fenced_code_is_not_a_section(handbook: Path) -> None:
    source = "pages/launching-software/infrastructure.md"
    path = handbook / "corpus" / source
    lines = path.read_text(encoding="utf-8").split("\n")
    fenced = [i + 1 for i, line in enumerate(lines) if line.startswith("## or, with stricter")]
    assert fenced, "the handbook page changed; pick another fenced heading"
    doc = parse_file(path, source=source, max_bytes=LIMIT)
    assert fenced[0] not in {s.line_start for s in doc.sections}
    assert any("pipenv install django" in s.text for s in doc.sections)


def test_sections_have_levels_paths_and_line_ranges() -> None:
    text = "\n".join(
        [
            "---",
            "title: Phishing basics",
            "---",
            "Intro line one.",
            "",
            "# Overview",
            "What phishing is.",
            "",
            "## Signs",
            "Urgent tone.",
            "",
            "### Links",
            "Hover first.",
            "",
            "## Reporting ##",
            "Forward it.",
            "",
        ]
    )
    doc = parse_md(text)
    rows = [(s.title, s.level, s.line_start, s.line_end, s.path) for s in doc.sections]
    assert rows == [
        ("Phishing basics", 0, 4, 4, ()),
        ("Overview", 1, 6, 7, ()),
        ("Signs", 2, 9, 10, ("Overview",)),
        ("Links", 3, 12, 13, ("Overview", "Signs")),
        ("Reporting", 2, 15, 16, ("Overview",)),
    ]


def test_setext_headings_and_comments() -> None:
    text = (
        "Title Here\n==========\n\nBody text.\n\n<!--\n# Hidden\n-->\nSub part\n--------\nMore.\n"
    )
    doc = parse_md(text)
    assert [(s.title, s.level, s.line_start) for s in doc.sections] == [
        ("Title Here", 1, 1),
        ("Sub part", 2, 9),
    ]
    assert doc.meta.title == "Title Here"
    assert "Hidden" not in " ".join(s.text for s in doc.sections)


def test_line_map_matches_source_lines() -> None:
    text = (
        '# Tools\n\nUse [the guide]({% page "/tools/" %}) and\n{% slack_channel "help" %}'
        " for <b>questions</b>.\n\n| Tool | Use |\n| --- | --- |\n| Git | code |\n"
    )
    doc = parse_md(text, source="tools.md")
    section = doc.sections[0]
    source_lines = text.split("\n")
    body = section.text.split("\n")
    assert len(body) == len(section.line_map)
    assert body[0] == "Use the guide and"
    assert body[1] == "help for questions."
    assert section.line_map[:2] == (3, 4)
    assert body[-1] == "Git | code"
    assert source_lines[section.line_map[-1] - 1] == "| Git | code |"
    assert "---" not in section.text


def test_heading_markup_is_removed_from_titles_and_anchors() -> None:
    doc = parse_md(
        '## How do I get "IRL" travel approved\\*? [Guide](x.md) `code` {#travel}\n\nx\n'
    )
    section = doc.sections[0]
    assert section.title == 'How do I get "IRL" travel approved*? Guide code'
    assert section.anchor == "travel"


def test_duplicate_headings_get_github_suffixes() -> None:
    doc = parse_md("# FAQ\n\n## Example\na\n\n## Example\nb\n\n## Example 1\nc\n\n## Example\nd\n")
    anchors = [s.anchor for s in doc.sections]
    assert anchors == ["faq", "example", "example-1", "example-1-1", "example-2"]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        (
            "I’m interested in a different project. How can I do that?",
            "im-interested-in-a-different-project-how-can-i-do-that",
        ),
        ("Step 1: Join the TTS Speaker’s Bureau", "step-1-join-the-tts-speakers-bureau"),
        ("snake_case & C++  tips", "snake_case--c--tips"),
        ("Café résumé 🎉", "café-résumé-"),
    ],
)
def test_github_slug(heading: str, anchor: str) -> None:
    assert github_slug(heading) == anchor


def test_slugger_avoids_reserved_anchors() -> None:
    slugger = Slugger()
    slugger.reserve("intro")
    assert slugger.slug("Intro") == "intro-1"
    assert slugger.slug("Intro") == "intro-2"


def test_headings_without_body_are_kept_as_sections() -> None:
    doc = parse_md("# Guide\n## Part\n### Detail\nText.\n")
    assert [(s.title, s.text) for s in doc.sections] == [
        ("Guide", ""),
        ("Part", ""),
        ("Detail", "Text."),
    ]
    assert doc.sections[2].path == ("Guide", "Part")


def test_unclosed_front_matter_is_read_as_text_with_a_warning() -> None:
    doc = parse_md("---\ntitle: Draft\n\n# Heading\n\nBody.\n")
    assert doc.warnings == (
        "guide/intro.md starts with '---' but the front matter is never closed",
    )
    assert doc.meta.title == "Heading"
    assert [(s.title, s.line_start) for s in doc.sections] == [
        ("Heading", 2),  # the preamble: "title: Draft" on line 2
        ("Heading", 4),
    ]
