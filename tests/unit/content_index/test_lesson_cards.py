"""Lesson cards: every block of a module appears, in order, on cards that fit a chat message."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from content_index.document import parse_document, parse_file
from content_index.lessons import CARD_LIMIT, WHOLE_LIMIT, Card, build_cards
from content_index.model import ModuleMeta, ParsedDocument

SAMPLE = Path(__file__).resolve().parents[3] / "bot" / "sample" / "content"
FORMATS = (".md", ".html", ".docx", ".pdf", ".txt")
MB = 1024 * 1024


def _norm(text: str) -> str:
    return " ".join(text.replace("```", " ").split())


def _md(text: str, name: str = "m.md") -> ParsedDocument:
    return parse_document(text.encode(), source=name, filename=name, max_bytes=10 * MB)


def _check(doc: ParsedDocument, cards: tuple[Card, ...]) -> None:
    """The properties every module's cards have."""
    assert [c.n for c in cards] == list(range(1, len(cards) + 1))
    joined = _norm(" ".join(c.text for c in cards))
    position = 0
    for section in doc.sections:
        for block in section.blocks:
            for piece in _expected(block.kind, block.text):
                if not piece:
                    continue
                found = joined.find(piece, position)
                assert found >= 0, f"missing or out of order in {doc.meta.source}: {piece[:80]}"
                position = found + len(piece)
    for card in cards:
        assert card.chars == len(card.text)
        whole = "```" in card.text or "|" in card.text
        assert card.chars <= (WHOLE_LIMIT if whole else CARD_LIMIT), card.text[:80]


def _expected(kind: str, text: str) -> list[str]:
    if kind == "table" and len(text) > WHOLE_LIMIT - 200:
        return []  # named on its card, kept whole in `overflow`
    if kind == "code" and len(text) > WHOLE_LIMIT - 200:
        return []
    return [_norm(text)]


def _library_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in FORMATS and p.is_file())


def test_every_sample_module_is_on_its_cards_in_order() -> None:
    files = _library_files(SAMPLE)
    assert files
    for path in files:
        doc = parse_file(path, source=str(path.relative_to(SAMPLE)), max_bytes=10 * MB)
        _check(doc, build_cards(doc))


def test_every_handbook_page_is_on_its_cards_in_order(handbook: Path) -> None:
    files = _library_files(handbook / "corpus")
    assert len(files) > 50
    for path in files:
        doc = parse_file(path, source=path.name, max_bytes=10 * MB)
        cards = build_cards(doc)
        _check(doc, cards)
        for card in cards:
            for table in card.overflow:
                assert table in {b.text for s in doc.sections for b in s.blocks}


def test_a_new_section_starts_a_card_with_its_heading() -> None:
    doc = _md("# Guide\n\nIntro text.\n\n## Step one\n\nDo this.\n\n## Step two\n\nThen that.\n")
    cards = build_cards(doc)
    assert [c.section for c in cards] == ["Guide", "Step one", "Step two"]
    assert cards[1].text == "Step one\n\nDo this."
    assert cards[1].anchor == "step-one"


def test_short_paragraphs_are_packed_and_long_ones_split_at_sentences() -> None:
    sentence = "The quick brown fox jumps over the lazy dog again and again. "
    doc = _md("# Long\n\n" + sentence * 500 + "\n")
    cards = build_cards(doc)
    assert len(cards) > 20
    for card in cards:
        assert card.chars <= CARD_LIMIT
        assert card.text.endswith("."), "never cut mid-sentence"
    assert 600 <= cards[1].chars <= CARD_LIMIT


def test_a_5000_word_section_without_headings() -> None:
    words = [f"word{i}" for i in range(5000)]
    paragraphs = [" ".join(words[i : i + 50]) + "." for i in range(0, 5000, 50)]
    doc = _md("\n\n".join(paragraphs) + "\n", name="plain.md")
    cards = build_cards(doc)
    _check(doc, cards)
    assert all(c.text.endswith(".") for c in cards)
    assert all(c.chars >= 600 for c in cards[:-1])


def test_a_sentence_longer_than_a_card_is_cut_between_words() -> None:
    words = " ".join(f"w{i}" for i in range(1500))
    doc = _md(f"# One sentence\n\n{words}.\n")
    cards = build_cards(doc)
    _check(doc, cards)
    assert len(cards) > 1
    assert all(not c.text.endswith(" ") for c in cards)
    assert _norm(" ".join(c.text for c in cards)) == _norm(f"One sentence {words}.")


def test_a_200_row_table_is_named_and_kept_whole() -> None:
    rows = "\n".join(f"| row {i} | value {i} |" for i in range(200))
    doc = _md(f"# Data\n\nBefore.\n\n| Name | Value |\n|---|---|\n{rows}\n\nAfter.\n")
    cards = build_cards(doc)
    _check(doc, cards)
    named = [c for c in cards if c.overflow]
    assert len(named) == 1
    assert "Table: Name | Value — on the module page" in named[0].text
    assert named[0].overflow[0].count("\n") == 201
    assert "After." in cards[-1].text


def test_a_small_table_stays_whole_as_markdown() -> None:
    doc = _md("# Data\n\n| Name | Value |\n|---|---|\n| a | 1 |\n")
    [card] = build_cards(doc)
    assert "| Name | Value |\n|---|---|\n| a | 1 |" in card.text


def test_a_1000_line_code_block_is_named_and_kept_verbatim() -> None:
    code = "\n".join(f"    print({i})" if i % 7 else "" for i in range(1000))
    doc = _md(f"# Code\n\nRun this:\n\n```python\n{code}\n```\n")
    cards = build_cards(doc)
    _check(doc, cards)
    [named] = [c for c in cards if c.overflow]
    assert "Code:" in named.text
    assert "on the module page" in named.text
    assert named.overflow[0] == code.strip("\n")


def test_a_short_code_block_keeps_its_blank_lines() -> None:
    doc = _md("# Code\n\n```\nline one\n\nline three\n```\n")
    [card] = build_cards(doc)
    assert "```\nline one\n\nline three\n```" in card.text


def test_images_become_a_line_with_their_alt_text() -> None:
    doc = _md("# Pictures\n\n![A map of the office](map.png)\n\nText after.\n")
    [card] = build_cards(doc)
    assert "Image: A map of the office" in card.text
    [image] = [b for b in doc.sections[0].blocks if b.kind == "image"]
    assert image.src == "map.png"


def test_list_items_are_kept_as_items() -> None:
    items = "\n".join(f"- item {i} " + "text " * 40 for i in range(30))
    doc = _md(f"# List\n\n{items}\n")
    assert doc.sections[0].blocks[0].kind == "list"
    cards = build_cards(doc)
    _check(doc, cards)
    assert all(c.text.rstrip().endswith("text") for c in cards), "items are never cut"


def test_a_module_of_only_a_title_and_an_empty_module() -> None:
    cards = build_cards(_md("# Just a title\n"))
    assert [c.text for c in cards] == ["Just a title"]
    empty = ParsedDocument(meta=ModuleMeta(id="e", title="E"), sections=(), content_hash="")
    assert build_cards(empty) == ()


def test_a_media_module_is_one_card_with_its_link() -> None:
    meta = ModuleMeta(
        id="v", title="Safety video", format="video", url="https://v.example/1", summary="Watch."
    )
    [card] = build_cards(ParsedDocument(meta=meta, sections=(), content_hash=""))
    assert card.kind == "media"
    assert "https://v.example/1" in card.text
    assert "Watch." in card.text


def test_html_blocks_say_what_they_are() -> None:
    page = (
        "<html><body><h1>Page</h1><p>Intro.</p><ul><li>one</li><li>two</li></ul>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<pre>x = 1\ny = 2</pre><p><img src='p.png' alt='A picture'></p></body></html>"
    )
    doc = parse_document(page.encode(), source="p.html", filename="p.html", max_bytes=MB)
    kinds = [(b.kind, b.text, b.src) for b in doc.sections[0].blocks]
    assert kinds == [
        ("paragraph", "Intro.", ""),
        ("list", "- one\n- two", ""),
        ("table", "| A | B |\n| 1 | 2 |", ""),
        ("code", "x = 1\ny = 2", ""),
        ("image", "A picture", "p.png"),
    ]
    _check(doc, build_cards(doc))


def test_docx_tables_and_list_paragraphs_have_kinds(
    make_docx: Callable[[Callable[[Any], None]], bytes],
) -> None:
    def fill(document: Any) -> None:
        document.add_heading("Policy", level=1)
        document.add_paragraph("Read this.")
        document.add_paragraph("First point", style="List Bullet")
        table = document.add_table(rows=2, cols=2)
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"r{r}c{c}"

    data = make_docx(fill)
    doc = parse_document(data, source="p.docx", filename="p.docx", max_bytes=MB)
    policy = next(s for s in doc.sections if s.title == "Policy")
    assert [b.kind for b in policy.blocks] == ["paragraph", "list", "table"]
    assert policy.blocks[2].text == "| r0c0 | r0c1 |\n| r1c0 | r1c1 |"


@pytest.mark.parametrize("text", ["", "   \n\n", "---\ntitle: T\n---\n"])
def test_modules_without_body_text_build_no_or_one_card(text: str) -> None:
    doc = _md(text or " ")
    cards = build_cards(doc)
    assert len(cards) <= 1
    assert not re.search(r"\S", "".join(c.text for c in cards)) or cards[0].chars > 0
