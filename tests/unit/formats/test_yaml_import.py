"""YAML import: the documented native format and field-level errors on the right line."""

from __future__ import annotations

import textwrap

import pytest

from learning.formats import BankParseResult, parse_yaml, yaml_format


def yaml_bank(text: str, **kwargs: object) -> BankParseResult:
    return parse_yaml(textwrap.dedent(text), filename="bank.yaml", **kwargs)  # type: ignore[arg-type]


def errors(text: str) -> list[tuple[int, str]]:
    result = yaml_bank(text)
    return [(e.line, e.message) for e in result.errors]


def documented_example() -> str:
    doc = yaml_format.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    return textwrap.dedent(block)


def test_documented_example_imports() -> None:
    result = parse_yaml(documented_example(), filename="sql.yaml")
    assert result.errors == ()
    having, aggregates, null = result.items
    assert (having.id, having.competency, having.module_id, having.difficulty) == (
        "sql-having",
        "sql",
        "sql-basics",
        "foundation",
    )
    assert [(o.text, o.correct) for o in having.options] == [
        ("WHERE", False),
        ("HAVING", True),
        ("ORDER BY", False),
    ]
    assert having.options[0].feedback == "WHERE filters rows before grouping."
    assert having.tags == ("sql", "grouping")
    assert (having.source_line, aggregates.source_line, null.source_line) == (4, 16, 21)
    assert (aggregates.kind, set(aggregates.correct_ids)) == ("multiple", {"a", "c"})
    assert (null.kind, set(null.correct_ids)) == ("true_false", {"false"})
    assert null.options[0].feedback == "Comparisons with NULL are unknown, not true."
    assert null.explanation == "Use IS NULL to test for NULL."


def test_plain_list_texts_are_read_as_written() -> None:
    result = yaml_bank(
        """
        - id: 12
          question: Is 0.1 + 0.2 == 0.3 in floating point?
          options:
            - text: No
              correct: true
            - text: yes
            - 42
        """
    )
    (item,) = result.items
    assert item.id == "12"
    assert [o.text for o in item.options] == ["No", "yes", "42"]
    assert (item.kind, item.competency) == ("single", "general")


def test_empty_file_has_no_items() -> None:
    assert yaml_bank("") == BankParseResult()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            """
            - question: [not, text]
              options: [a, b]
              answer: a
            """,
            (2, "field 'question' must be text, not a list"),
        ),
        (
            """
            - question: Q
              options:
                - text: a
                  correct: maybe
                - b
            """,
            (5, "field 'correct' must be true or false, not 'maybe'"),
        ),
        (
            """
            - question: Q
              options: a, b
            """,
            (3, "field 'options' must be a list of options"),
        ),
        (
            """
            - question: Q
              options: [a, b]
              answer: a
              tags: sql
            """,
            (5, "field 'tags' must be a list of text"),
        ),
        (
            """
            - question: Q
              options:
                - feedback: no text here
                - b
              answer: b
            """,
            (4, "field 'text' is required and must not be empty"),
        ),
        (
            """
            - question: Q
              optons: [a, b]
            """,
            (3, "unknown item field 'optons'"),
        ),
        (
            """
            - question: Q
              difficulty: expert
              options: [a, b]
              answer: a
            """,
            (3, "unknown difficulty 'expert' (use foundation, intermediate, advanced)"),
        ),
        (
            """
            - question: Q
              type: essay
            """,
            (3, "unknown type 'essay' (use single, multiple, true_false)"),
        ),
        (
            """
            - question: Q
              options: [a, b, c]
              answer: [a, e]
            """,
            (4, "answer names option 'e', but the item's options are a, b, c"),
        ),
        (
            """
            - question: Q
              options:
                - text: a
                  correct: true
                - b
              answer: a
            """,
            (7, "use either 'answer' or 'correct: true' on options, not both"),
        ),
        (
            """
            - question: Q
              options: [a, b]
            """,
            (2, "no correct answer: mark at least one option as correct"),
        ),
        (
            """
            - question: Q
              type: true_false
            """,
            (2, "a true_false item needs 'answer: true' or 'answer: false'"),
        ),
        (
            """
            - question: Q
              question: Q again
            """,
            (3, "duplicate field 'question'"),
        ),
        (
            """
            title: not a bank
            """,
            (2, "unknown bank field 'title'"),
        ),
        (
            """
            "just text"
            """,
            (2, "a YAML bank is a list of items or a mapping with 'items:'"),
        ),
        (
            """
            - question: Q
              options: [a, b
            - question: R
            """,
            (4, "invalid YAML"),
        ),
    ],
)
def test_field_errors_name_the_line(text: str, expected: tuple[int, str]) -> None:
    result = yaml_bank(text)
    assert result.items == ()
    (error,) = result.errors
    assert error.line == expected[0]
    assert error.message.startswith(expected[1])


def test_duplicate_id_and_unknown_competency() -> None:
    result = yaml_bank(
        """
        items:
          - id: q1
            question: A?
            answer: true
          - id: q1
            question: B?
            answer: false
          - id: q2
            competency: cobol
            question: C?
            answer: true
        """,
        known_competencies=frozenset({"general"}),
    )
    assert [i.id for i in result.items] == ["q1"]
    assert [(e.line, e.message) for e in result.errors] == [
        (6, "duplicate id 'q1' (first used on line 3)"),
        (9, "unknown competency 'cobol' (known: general)"),
    ]


def test_bank_defaults_yield_to_item_fields() -> None:
    result = yaml_bank(
        """
        competency: python
        difficulty: advanced
        items:
          - question: A?
            answer: true
          - question: B?
            competency: sql
            difficulty: foundation
            answer: false
        """,
    )
    assert [(i.competency, i.difficulty) for i in result.items] == [
        ("python", "advanced"),
        ("sql", "foundation"),
    ]
