"""CSV import: Moodle qformat_csv samples and learnbot's own layout, with line-numbered errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from learning.formats import BankParseResult, parse_csv

NATIVE = "\n".join(
    [
        "id,competency,module,difficulty,type,question,option_a,option_b,option_c,correct,"
        "explanation,feedback_a,feedback_b,tags",
        "sql-1,sql,sql-basics,foundation,single,Which clause filters groups?,WHERE,HAVING,LIMIT,"
        "b,HAVING runs after GROUP BY.,Rows only.,,sql;grouping",
        'sql-2,sql,,,multiple,"Which are aggregates, in SQL?",COUNT,LOWER,SUM,a;c,,,,',
        "sql-3,,,advanced,true_false,NULL = NULL is true.,,,,false,It is unknown.,"
        "Not true.,Right.,",
        ",sql,,,,Which is a join?,JOIN,SELECT,,a,,,,",
        "",
    ]
)


def native(text: str, **kwargs: object) -> BankParseResult:
    return parse_csv(text, filename="bank.csv", **kwargs)  # type: ignore[arg-type]


def errors(text: str) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in native(text).errors]


@pytest.mark.parametrize("name", ["sample.csv", "extended_sample.csv"])
def test_moodle_samples_match_their_rows(name: str, quiz_banks: Path) -> None:
    path = quiz_banks / "moodle-csv" / name
    result = parse_csv(path.read_text(encoding="utf-8"), filename=name)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert result.errors == ()
    assert len(result.items) == len(rows) == 10
    for item, row in zip(result.items, rows, strict=True):
        assert item.id == row["questionname"].lower()
        assert item.stem == row["questiontext"]
        assert [o.text for o in item.options] == [row[k] for k in "ABCD"]
        answers = {row[k].lower() for k in ("Answer 1", "Answer 2") if row[k]}
        assert item.correct_ids == answers
        assert item.kind == ("multiple" if len(answers) > 1 else "single")


def test_moodle_sample_details(quiz_banks: Path) -> None:
    path = quiz_banks / "moodle-csv" / "extended_sample.csv"
    items = parse_csv(path.read_text(encoding="utf-8"), filename=path.name).items
    second = items[1]
    assert second.stem == "The command “mknod myfifo b 4 16”"
    assert second.options[3].text == "None ,of the mentioned"
    assert second.correct_ids == {"a", "b"}
    assert {o.id: o.feedback for o in second.options} == {
        "a": "Your answer is correct.",
        "b": "Your answer is correct.",
        "c": "Your answer is incorrect.",
        "d": "Your answer is incorrect.",
    }
    assert items[6].options[3].text == "–i"
    assert [i.source_line for i in items] == list(range(2, 12))


def test_native_layout() -> None:
    result = native(NATIVE, default_competency="databases")
    assert result.errors == ()
    first, second, third, fourth = result.items
    assert (first.id, first.competency, first.module_id, first.difficulty) == (
        "sql-1",
        "sql",
        "sql-basics",
        "foundation",
    )
    assert first.b == -1.0
    assert [(o.id, o.correct, o.feedback) for o in first.options] == [
        ("a", False, "Rows only."),
        ("b", True, ""),
        ("c", False, ""),
    ]
    assert (first.explanation, first.tags) == ("HAVING runs after GROUP BY.", ("sql", "grouping"))
    assert second.stem == "Which are aggregates, in SQL?"
    assert (second.kind, set(second.correct_ids)) == ("multiple", {"a", "c"})
    assert (third.kind, set(third.correct_ids), third.competency) == (
        "true_false",
        {"false"},
        "databases",
    )
    assert {o.id: o.feedback for o in third.options} == {"true": "Not true.", "false": "Right."}
    assert (fourth.kind, fourth.id.startswith("bank-")) == ("single", True)
    assert [i.source_line for i in result.items] == [2, 3, 4, 5]


def test_native_type_is_inferred() -> None:
    result = native(
        "question,option_a,option_b,option_c,correct\nSky is blue?,,,,TRUE\nPick,x,y,z,a;b\n"
    )
    assert [i.kind for i in result.items] == ["true_false", "multiple"]


def test_a_question_whose_every_option_is_right_is_refused() -> None:
    result = native("question,option_a,option_b,correct\nPick,x,y,a;b\n")
    assert result.items == ()
    [error] = result.errors
    assert error.line == 2
    assert "every option is marked correct (a, b)" in error.message


def test_semicolon_delimiter_and_bom() -> None:
    result = native("\ufeffquestion;option_a;option_b;correct\nPick one;x;y;b\n")
    assert result.items[0].correct_ids == {"b"}


def test_multi_line_cell_keeps_row_lines() -> None:
    text = 'question,option_a,option_b,correct\n"Line one\nline two",x,y,a\nNext,x,y,z\n'
    result = native(text)
    assert result.items[0].stem == "Line one\nline two"
    assert [e.line for e in result.errors] == [4]


def test_correct_naming_a_missing_option() -> None:
    assert errors("question,option_a,option_b,correct\nQ,x,y,a\nQ2,x,y,d\n") == [
        (3, "the correct answer names option 'd', which is empty or missing (options: a, b)")
    ]


def test_no_correct_answer() -> None:
    assert errors("question,option_a,option_b,correct\nQ,x,y,\n") == [
        (2, "no correct answer: mark at least one option as correct")
    ]


def test_single_with_two_correct_answers() -> None:
    [(line, message)] = errors("type,question,option_a,option_b,correct\nsingle,Q,x,y,a;b\n")
    assert line == 2
    assert "type 'single' takes one correct answer but 2 are marked" in message


def test_unknown_difficulty_and_type() -> None:
    text = "difficulty,type,question,option_a,option_b,correct\nhard,,Q,x,y,a\n,essay,Q2,x,y,a\n"
    assert errors(text) == [
        (2, "unknown difficulty 'hard' (use foundation, intermediate, advanced)"),
        (3, "unknown type 'essay' (use single, multiple, true_false)"),
    ]


def test_duplicate_id_on_second_occurrence() -> None:
    text = "id,question,option_a,option_b,correct\nq1,A?,x,y,a\nq2,B?,x,y,a\nq1,C?,x,y,b\n"
    result = native(text)
    assert [i.id for i in result.items] == ["q1", "q2"]
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "duplicate id 'q1' (first used on line 2)")
    ]


def test_true_false_needs_a_true_or_false_answer() -> None:
    text = "type,question,option_a,option_b,correct\ntrue_false,Q,,,a\ntrue_false,Q2,x,y,true\n"
    assert errors(text) == [
        (2, "correct must be 'true' or 'false' for a true_false question, not 'a'"),
        (3, "a true_false question takes no option_ columns"),
    ]


def test_too_many_fields() -> None:
    [(line, message)] = errors("question,option_a,option_b,correct\nQ,x,y,a,extra\n")
    assert line == 2
    assert "the row has 5 fields but the header has 4" in message


def test_header_problems() -> None:
    assert errors("question,option_a,option_b,correct,colour\nQ,x,y,a,red\n") == [
        (1, "unknown column 'colour' in the header")
    ]
    [(line, message)] = errors("foo,bar\n1,2\n")
    assert line == 1
    assert message.startswith("unrecognised CSV header")


def test_unknown_competency() -> None:
    text = "competency,question,option_a,option_b,correct\nsql,Q,x,y,a\ncobol,Q2,x,y,a\n"
    result = native(text, known_competencies=frozenset({"sql"}))
    assert [i.stem for i in result.items] == ["Q"]
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "unknown competency 'cobol' (known: sql)")
    ]
