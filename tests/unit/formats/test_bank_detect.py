"""Format detection, the parse_bank entry point, the import report and HTML-to-text."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.formats import (
    UnknownBankFormatError,
    detect_format,
    html_to_text,
    parse_bank,
    sniff_text_format,
)

AIKEN = "Q?\nA) x\nB) y\nANSWER: A\n"
GIFT = "Q?{=x ~y}\n"


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("a.gift", AIKEN, "gift"),
        ("a.GIFT", GIFT, "gift"),
        ("a.aiken", GIFT, "aiken"),
        ("a.csv", "", "csv"),
        ("a.yaml", "", "yaml"),
        ("dir/a.yml", "", "yaml"),
        ("a.txt", AIKEN, "aiken"),
        ("a.txt", GIFT, "gift"),
        ("a.txt", "", "gift"),
    ],
)
def test_detect_format(filename: str, text: str, expected: str) -> None:
    assert detect_format(text, filename=filename) == expected


def test_sniff_prefers_the_dominant_syntax() -> None:
    gift_mentioning_answer = "Reply with\nANSWER: yes?{=a ~b}\n\nQ2?{T}\n"
    assert sniff_text_format(gift_mentioning_answer) == "gift"
    assert sniff_text_format(AIKEN * 3) == "aiken"


def test_unknown_extension_raises() -> None:
    with pytest.raises(UnknownBankFormatError, match=r"quiz\.docx"):
        parse_bank(GIFT, filename="quiz.docx")


@pytest.mark.parametrize("text", [AIKEN, GIFT])
def test_parse_bank_dispatches_txt_by_content(text: str) -> None:
    result = parse_bank(text, filename="bank.txt", default_competency="ops")
    (item,) = result.items
    assert (item.stem, item.competency, set(item.correct_ids)) == ("Q?", "ops", {"a"})


def test_parse_bank_on_shared_samples(quiz_banks: Path) -> None:
    for path in [quiz_banks / "moodle-csv" / "sample.csv", quiz_banks / "gift-pegjs" / "mc5.gift"]:
        result = parse_bank(path.read_text(encoding="utf-8"), filename=path.name)
        assert result.items
        assert result.errors == ()


def test_report_shape_for_the_import_command() -> None:
    result = parse_bank("Essay?{}\n\nGood?{T}\n\nBad?{~a ~b}\n", filename="b.gift")
    assert result.as_report() == {
        "imported": 1,
        "skipped": [{"line": 1, "reason": result.skipped[0].reason}],
        "errors": [
            {"line": 5, "message": "no correct answer: mark at least one option as correct"}
        ],
    }


def test_items_carry_prior_parameters_for_their_difficulty() -> None:
    (item,) = parse_bank(
        "- question: Q\n  difficulty: advanced\n  answer: true\n", filename="b.yaml"
    ).items
    assert (item.a, item.b) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>The <b>east</b>.</p>", "The east."),
        ("<p>One</p><p>Two</p>", "One\nTwo"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<ul><li>x</li><li>y</li></ul>", "- x\n- y"),
        ("<pre>  keep\n    indent</pre>", "keep\n    indent"),
        ("x &amp; y&nbsp;z &lt;3", "x & y z <3"),
        ('<img src="a.png" alt="diagram"><img src="b.png">', "[image: diagram][image]"),
        ("<!-- hidden --><style>p{}</style>shown", "shown"),
        ("<p>  spaced\n   out  </p>", "spaced out"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
