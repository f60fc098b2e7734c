"""Module metadata: front matter validation, sidecars and inference of missing fields."""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath

import pytest

from content_index import find_sidecar, load_sidecar, parse_document, parse_file
from content_index.errors import MetadataError
from content_index.metadata import humanise, module_id
from content_index.model import ParsedDocument

LIMIT = 25 * 1024 * 1024
BODY = (
    "# Spotting phishing\n\nPhishing emails imitate people you trust. They ask you to act fast.\n"
)


def parse_md(
    text: str,
    *,
    source: str = "security/phishing-basics.md",
    sidecar: dict[str, object] | None = None,
) -> ParsedDocument:
    return parse_document(
        text.encode("utf-8"),
        source=source,
        filename=PurePosixPath(source).name,
        sidecar=sidecar,
        max_bytes=LIMIT,
    )


def test_missing_fields_are_inferred_and_listed() -> None:
    prose = " ".join(["word"] * 450)
    doc = parse_md(BODY + "\n" + prose + ".\n")
    meta = doc.meta
    assert meta.id == "security/phishing-basics"
    assert meta.title == "Spotting phishing"
    assert meta.minutes == math.ceil((450 + 12) / 200) == 3
    assert meta.difficulty == "foundation"
    assert meta.format == "text"
    assert meta.summary == "Phishing emails imitate people you trust. They ask you to act fast."
    assert meta.source == "security/phishing-basics.md"
    assert set(meta.inferred) == {"id", "title", "minutes", "difficulty", "format", "summary"}


def test_front_matter_fields_are_used_and_normalised() -> None:
    front = (
        "---\nid: sec-101\ntitle: Phishing 101\ncompetencies: security\ndifficulty: Advanced\n"
        "minutes: 12\nformat: video\nprerequisites: [sec-100, 7]\naudience: [staff]\n"
        "tags: email, fraud\nsummary: Learn to spot phishing.\nurl: https://example.org/p\n"
        "redirect_from: [/old/]\nquestions: [x]\n---\n"
    )
    meta = parse_md(front + BODY).meta
    assert meta.id == "sec-101"
    assert meta.title == "Phishing 101"
    assert meta.competencies == ("security",)
    assert meta.difficulty == "advanced"
    assert meta.format == "video"
    assert meta.minutes == 12
    assert meta.prerequisites == ("sec-100", "7")
    assert meta.audience == ("staff",)
    assert meta.tags == ("email", "fraud")
    assert meta.summary == "Learn to spot phishing."
    assert meta.url == "https://example.org/p"
    assert meta.inferred == ()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('minutes: "ten"', "minutes"),
        ("minutes: 0", "minutes"),
        ("minutes: true", "minutes"),
        ("competencies: 5", "competencies"),
        ("prerequisites: {a: 1}", "prerequisites"),
        ("tags: [[nested]]", "tags"),
        ("difficulty: expert", "difficulty"),
        ("format: podcast", "format"),
        ("title: [a, b]", "title"),
    ],
)
def test_wrong_front_matter_types_name_file_field_and_line(line: str, field: str) -> None:
    with pytest.raises(MetadataError) as caught:
        parse_md(f"---\ntitle: Fine\n{line}\n---\n" + BODY)
    error = caught.value
    assert error.field == field
    assert str(error).startswith("security/phishing-basics.md ")
    assert f"'{field}'" in str(error)
    assert "(line 3)" in str(error)


def test_invalid_yaml_front_matter_names_the_line() -> None:
    with pytest.raises(MetadataError, match=r"invalid YAML front matter at line \d"):
        parse_md("---\ntitle: [unclosed\n---\n" + BODY)


def test_front_matter_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(MetadataError, match="not a mapping"):
        parse_md("---\n- a\n- b\n---\n" + BODY)


def test_sidecar_wins_over_front_matter_and_is_validated() -> None:
    doc = parse_md("---\nminutes: 5\n---\n" + BODY, sidecar={"minutes": 9, "audience": "admins"})
    assert doc.meta.minutes == 9
    assert doc.meta.audience == ("admins",)
    with pytest.raises(MetadataError, match="sidecar field 'difficulty'"):
        parse_md(BODY, sidecar={"difficulty": 3})


def test_find_and_load_sidecar(tmp_path: Path) -> None:
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert find_sidecar(pdf) is None
    (tmp_path / "guide.yaml").write_text("minutes: 3\n", encoding="utf-8")
    assert find_sidecar(pdf) == tmp_path / "guide.yaml"
    (tmp_path / "guide.pdf.meta.yaml").write_text("title: Guide\ntags: [a]\n", encoding="utf-8")
    assert find_sidecar(pdf) == tmp_path / "guide.pdf.meta.yaml"
    assert load_sidecar(tmp_path / "guide.pdf.meta.yaml") == {"title": "Guide", "tags": ["a"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title: [x\n", "is not valid YAML"),
        ("- a\n", "must be a mapping"),
        (b"\xff\xfe\x00", "UTF"),
    ],
)
def test_bad_sidecars_name_the_sidecar(tmp_path: Path, content: str | bytes, message: str) -> None:
    sidecar = tmp_path / "notes.meta.yaml"
    sidecar.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(MetadataError, match=message) as caught:
        load_sidecar(sidecar)
    assert caught.value.path == str(sidecar)


def test_parse_file_uses_the_sidecar(tmp_path: Path) -> None:
    doc_path = tmp_path / "notes.txt"
    doc_path.write_text("Plain notes about onboarding.\n", encoding="utf-8")
    (tmp_path / "notes.meta.yaml").write_text(
        "title: Onboarding notes\ncompetencies: [onboarding]\n", encoding="utf-8"
    )
    meta = parse_file(doc_path, source="team/notes.txt", max_bytes=LIMIT).meta
    assert meta.title == "Onboarding notes"
    assert meta.competencies == ("onboarding",)
    assert meta.id == "team/notes"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("security/Phishing Basics.md", "security/phishing-basics"),
        ("downloads/TEMPLATE_Team_charter.docx", "downloads/template-team-charter"),
        ("https://example.org/guides/intro.html", "example-org/guides/intro"),
        ("a\\b\\c.txt", "a/b/c"),
        ("README", "readme"),
        ("!!!.md", "module"),
    ],
)
def test_module_id_from_source(source: str, expected: str) -> None:
    assert module_id(source) == expected


def test_humanised_titles() -> None:
    assert humanise(PurePosixPath("security/phishing-basics.md")) == "Phishing basics"
    assert humanise(PurePosixPath("engagements/index.md")) == "Engagements"


def test_url_sources_become_the_url() -> None:
    doc = parse_md(BODY, source="https://example.org/security/phishing.md")
    assert doc.meta.url == "https://example.org/security/phishing.md"
    assert "url" in doc.meta.inferred
    assert doc.meta.id == "example-org/security/phishing"


def test_title_falls_back_to_humanised_file_name() -> None:
    doc = parse_document(
        b"Just some text.\n",
        source="team/new_hire-checklist.txt",
        filename="x.txt",
        max_bytes=LIMIT,
    )
    assert doc.meta.title == "New hire checklist"
