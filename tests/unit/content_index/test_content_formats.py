"""DOCX, PDF, HTML and plain text parsing, on real files where they exist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from content_index import parse_document, parse_file

LIMIT = 25 * 1024 * 1024


def parse(data: bytes, filename: str) -> Any:
    return parse_document(data, source=filename, filename=filename, max_bytes=LIMIT)


def test_real_docx_sections_follow_heading_styles(handbook: Path) -> None:
    import docx

    path = handbook / "corpus" / "downloads" / "TEMPLATE_Team_charter.docx"
    doc = parse_file(path, source="downloads/TEMPLATE_Team_charter.docx", max_bytes=LIMIT)
    source = docx.Document(str(path))
    styled = [(p.text.strip(), str(p.style.name if p.style else "")) for p in source.paragraphs]
    headings = [
        (text, int(style.split()[-1]))
        for text, style in styled
        if style.startswith("Heading") and text
    ]
    assert headings, "the real file has Heading-styled paragraphs"
    assert [(s.title, s.level) for s in doc.sections if s.level > 0] == headings
    title = next(text for text, style in styled if style == "Title")
    assert doc.meta.title == title
    assert all(s.line_start == 0 and s.line_map == () for s in doc.sections)
    by_title = {s.title: s for s in doc.sections}
    assert by_title["Core working hours"].path == ("Our team",)
    assert "What are your normal working hours?" in by_title["Core working hours"].text


def test_real_docx_tables_become_rows(handbook: Path) -> None:
    path = handbook / "corpus" / "downloads" / "TEMPLATE_Project_README.docx"
    doc = parse_file(path, max_bytes=LIMIT)
    rows = [line for s in doc.sections for line in s.text.split("\n") if " | " in line]
    assert rows, "the README template has tables"
    assert doc.meta.title.startswith("Project README")


def test_built_docx_with_lists_tables_and_nested_headings(
    make_docx: Callable[[Callable[[Any], None]], bytes],
) -> None:
    def fill(document: Any) -> None:
        document.add_paragraph("Security onboarding", style="Title")
        document.add_paragraph("Read this first.")
        document.add_heading("Passwords", level=1)
        document.add_paragraph("Use a manager.", style="List Bullet")
        document.add_heading("Rotation", level=2)
        table = document.add_table(rows=2, cols=2)
        for row, values in zip(table.rows, [("When", "How"), ("Yearly", "Portal")], strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
        document.add_heading("Rotation", level=2)
        document.add_paragraph("Again.")

    doc = parse(make_docx(fill), "security.docx")
    assert doc.meta.title == "Security onboarding"
    rows = [(s.title, s.level, s.anchor, s.path, s.text) for s in doc.sections]
    assert rows == [
        ("Security onboarding", 0, "", (), "Read this first."),
        ("Passwords", 1, "passwords", (), "- Use a manager."),
        ("Rotation", 2, "rotation", ("Passwords",), "When | How\nYearly | Portal"),
        ("Rotation", 2, "rotation-1", ("Passwords",), "Again."),
    ]


def test_real_pdf_uses_a_heading_guess_and_page_anchor(handbook: Path) -> None:
    path = handbook / "corpus" / "downloads" / "EFT_Enrollment_Form.pdf"
    doc = parse_file(path, max_bytes=LIMIT)
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert section.title == "ELECTRONIC FUNDS TRANSFER (EFT) ENROLLMENT FORM"
    assert section.anchor == "page=1"
    assert section.line_start == 0
    assert "Direct Deposit" in section.text
    assert doc.meta.title == section.title


def test_real_pdf_with_one_word_per_line_is_reflowed(handbook: Path) -> None:
    doc = parse_file(handbook / "corpus" / "downloads" / "my-form.pdf", max_bytes=LIMIT)
    assert doc.sections[0].title == "Page 1"
    assert "This page intentionally left blank" in doc.sections[0].text
    assert doc.meta.title == "My form"


def test_pdf_outline_cuts_sections_at_bookmarked_titles(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf(
        [
            ["Handbook", "Welcome to the team.", "Getting Started", "Set up your laptop."],
            ["Benefits", "Health insurance starts on day one.", "Leave", "Ask your manager."],
        ],
        outline=[("Getting Started", 0), ("Benefits", 1), ("Leave", 1)],
    )
    doc = parse(data, "handbook.pdf")
    rows = [(s.title, s.anchor, s.text) for s in doc.sections]
    assert rows == [
        ("Getting Started", "", "Handbook\nWelcome to the team."),
        ("Getting Started", "page=1", "Set up your laptop."),
        ("Benefits", "page=2", "Health insurance starts on day one."),
        ("Leave", "page=2", "Ask your manager."),
    ]


def test_pdf_title_running_into_body_text_is_cut_out(make_pdf: Callable[..., bytes]) -> None:
    words = ["Overview", "of", "the", "travel", "rules", "for", "all", "staff", "today."]
    doc = parse(make_pdf([words]), "reflow.pdf")
    assert doc.sections[0].text == "Overview of the travel rules for all staff today."
    outlined = parse(make_pdf([words], outline=[("Overview", 0)]), "outlined.pdf")
    assert [(s.title, s.text) for s in outlined.sections] == [
        ("Overview", "of the travel rules for all staff today.")
    ]


def test_pdf_without_outline_gets_one_section_per_page(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf(
        [
            ["Travel Policy Overview", "Book through the portal."],
            ["this line is body text that is long and ends with a period.", "More."],
            [],
        ]
    )
    doc = parse(data, "travel.pdf")
    assert [(s.title, s.anchor) for s in doc.sections] == [
        ("Travel Policy Overview", "page=1"),
        ("Page 2", "page=2"),
    ]
    assert doc.meta.title == "Travel Policy Overview"


HTML = """<!DOCTYPE html>
<html><head><title>Security | Example Co</title>
<meta name="description" content="How we keep data safe.">
<style>h1 { color: red; }</style><script>var heading = "<h2>Fake</h2>";</script></head>
<body><nav><a href="/">Home</a> <a href="/x">Menu item</a></nav>
<p>Intro paragraph
that spans two lines.</p>
<h1 id="main">Security &amp; privacy</h1>
<p>Lock your screen.</p>
<h2>Passwords</h2>
<ul><li>Use a manager</li><li>Never reuse</li></ul>
<h2>Passwords</h2>
<table><tr><th>Tool</th><th>Use</th></tr><tr><td>1Password</td><td>vault</td></tr></table>
</body></html>
"""


def test_html_sections_metadata_and_line_numbers() -> None:
    doc = parse(HTML.encode(), "security.html")
    assert doc.meta.title == "Security | Example Co"
    assert doc.meta.summary == "How we keep data safe."
    assert "title" not in doc.meta.inferred
    rows = [(s.title, s.level, s.anchor, s.line_start, s.text) for s in doc.sections]
    assert rows == [
        ("Security | Example Co", 0, "", 6, "Intro paragraph\nthat spans two lines."),
        ("Security & privacy", 1, "main", 8, "Lock your screen."),
        ("Passwords", 2, "passwords", 10, "Use a manager\nNever reuse"),
        ("Passwords", 2, "passwords-1", 12, "Tool | Use\n1Password | vault"),
    ]
    assert doc.sections[0].line_map == (6, 7)
    text = " ".join(s.text for s in doc.sections)
    assert "Menu item" not in text
    assert "color" not in text
    assert "Fake" not in text


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_extensions(suffix: str) -> None:
    doc = parse(b"<h2>Only</h2><p>Body</p>", f"page{suffix}")
    assert doc.meta.title == "Only"
    assert doc.sections[0].text == "Body"


def test_plain_text_keeps_paragraph_lines() -> None:
    data = b"First paragraph line one\nline two.\n\n\nSecond paragraph.\n"
    doc = parse(data, "notes.txt")
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert section.text == "First paragraph line one\nline two.\n\nSecond paragraph."
    assert section.line_map == (1, 2, 0, 5)
    assert (section.line_start, section.line_end) == (1, 5)
    assert doc.meta.title == "Notes"


def test_markdown_long_extension_and_hash() -> None:
    import hashlib

    data = b"# A\n\nb\n"
    doc = parse(data, "x.markdown")
    assert doc.content_hash == hashlib.sha256(data).hexdigest()
    assert doc.sections[0].title == "A"
