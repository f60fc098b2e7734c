"""Aiken import: well-formed questions and every malformed case with its line."""

from __future__ import annotations

from learning.formats import BankParseResult, parse_aiken

GOOD = """What does HTTP status 404 mean?
A) Server error
B) Not found
C. Moved permanently
ANSWER: B
Which numbers are prime?
A. 2
B. 3
C. 4
ANSWER: A, B

Which SQL clause
filters groups?
A) WHERE
B) HAVING
ANSWER: b
"""


def aiken(text: str, **kwargs: object) -> BankParseResult:
    return parse_aiken(text, filename="quiz.txt", **kwargs)  # type: ignore[arg-type]


def errors(text: str) -> list[tuple[int, str]]:
    result = aiken(text)
    assert result.items == ()
    return [(e.line, e.message) for e in result.errors]


def test_questions_with_and_without_blank_lines() -> None:
    result = aiken(GOOD, default_competency="web")
    assert result.errors == ()
    assert [(i.kind, i.source_line, sorted(i.correct_ids)) for i in result.items] == [
        ("single", 1, ["b"]),
        ("multiple", 6, ["a", "b"]),
        ("single", 12, ["b"]),
    ]
    first = result.items[0]
    assert [o.text for o in first.options] == ["Server error", "Not found", "Moved permanently"]
    assert result.items[2].stem == "Which SQL clause\nfilters groups?"
    assert {i.competency for i in result.items} == {"web"}
    assert len({i.id for i in result.items}) == 3


def test_missing_answer_line() -> None:
    text = "Q1?\nA) x\nB) y\n\nQ2?\nA) x\nB) y\nANSWER: A\n"
    result = aiken(text)
    assert [i.stem for i in result.items] == ["Q2?"]
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "the question has no 'ANSWER: X' line after its options")
    ]


def test_missing_answer_line_at_end_of_file() -> None:
    assert errors("Q?\nA) x\nB) y\n") == [
        (1, "the question has no 'ANSWER: X' line after its options")
    ]


def test_answer_naming_a_missing_option() -> None:
    assert errors("Q?\nA) x\nB) y\nANSWER: E\n") == [
        (4, "ANSWER names option 'E', which the question does not have (options: A, B)")
    ]


def test_options_out_of_sequence() -> None:
    assert errors("Q?\nA) x\nC) y\nANSWER: A\n") == [
        (3, "option 'C' is out of sequence: expected 'B'")
    ]


def test_fewer_than_two_options() -> None:
    assert errors("\n\nQ?\nA) only\nANSWER: A\n") == [
        (3, "a question needs at least 2 options, found 1")
    ]


def test_answer_not_at_end() -> None:
    assert errors("Q?\nA) x\nB) y\nANSWER: A\nC) z\n") == [
        (5, "the ANSWER line (line 4) must be the last line of the question")
    ]


def test_duplicate_option_letter() -> None:
    assert errors("Q?\nA) x\nB) y\nB) z\nANSWER: A\n") == [
        (4, "duplicate option letter 'B' (already used on line 3)")
    ]


def test_empty_answer_line() -> None:
    assert errors("Q?\nA) x\nB) y\nANSWER:\n") == [(4, "the ANSWER line names no option")]


def test_answer_line_without_question() -> None:
    result = aiken("ANSWER: A\n\nQ?\nA) x\nB) y\nANSWER: B\n")
    assert len(result.items) == 1
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "an ANSWER line with no question before it")
    ]


def test_stem_without_options_followed_by_blank_line() -> None:
    result = aiken("Just a sentence.\n\nQ?\nA) x\nB) y\nANSWER: A\n")
    assert [i.stem for i in result.items] == ["Q?"]
    assert {e.line for e in result.errors} == {1}


MOODLE_STYLE = """\
Which protocol secures web traffic?
A)HTTPS
B)FTP
C)Telnet
ANSWER: A

What should you do with a suspicious email?
A.Reply and ask who sent it
B.Report it with the Report Phish button
C.Forward it to your team
D.Delete it without telling anyone
ANSWER: B

Which degree does the role ask for? e.g. a B.Sc. in computing
B.Sc. holders may apply without experience.
A) A bachelor's degree
B) A doctorate
ANSWER: A
"""


def test_options_without_a_space_after_the_letter_like_moodle() -> None:
    result = aiken(MOODLE_STYLE, default_competency="security")
    assert result.errors == ()
    first, second, third = result.items
    assert [o.text for o in first.options] == ["HTTPS", "FTP", "Telnet"]
    assert first.correct_ids == frozenset({"a"})
    assert [o.text for o in second.options][1] == "Report it with the Report Phish button"
    assert second.correct_ids == frozenset({"b"})
    assert third.stem.splitlines()[1] == "B.Sc. holders may apply without experience.", (
        "a letter out of sequence without a space is stem text, not an option"
    )
    assert [o.text for o in third.options] == ["A bachelor's degree", "A doctorate"]
    assert {i.competency for i in result.items} == {"security"}


def test_a_letter_out_of_sequence_with_a_space_is_still_an_error() -> None:
    text = "Pick one\nA) One\nC) Three\nANSWER: A\n"
    assert errors(text) == [(3, "option 'C' is out of sequence: expected 'B'")]
