"""GIFT import: supported syntax, unsupported types and malformed input with its line."""

from __future__ import annotations

import pytest

from learning.formats import BankParseResult, ParseError, parse_gift


def gift(text: str, **kwargs: object) -> BankParseResult:
    return parse_gift(text, filename="bank.gift", **kwargs)  # type: ignore[arg-type]


def only_error(result: BankParseResult) -> ParseError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_single_choice_with_feedback_title_and_general_feedback() -> None:
    result = gift(
        "::Capital::What is the capital of France?{\n"
        "  ~Berlin#No, that is Germany.\n"
        "  =Paris#Right.\n"
        "  ####Paris has been the capital since 987.\n"
        "}\n"
    )
    (item,) = result.items
    assert (item.id, item.kind, item.stem) == (
        "capital",
        "single",
        "What is the capital of France?",
    )
    assert [(o.id, o.text, o.correct, o.feedback) for o in item.options] == [
        ("a", "Berlin", False, "No, that is Germany."),
        ("b", "Paris", True, "Right."),
    ]
    assert item.explanation == "Paris has been the capital since 987."
    assert item.source_line == 1


def test_weighted_answers_make_a_multiple_answer_item() -> None:
    (item,) = gift("Pick the primes.{~%50%2 ~%50%3 ~%-100%4}").items
    assert item.kind == "multiple"
    assert item.correct_ids == {"a", "b"}


def test_partial_credit_next_to_a_full_answer_is_not_correct() -> None:
    (item,) = gift("Hard one.{~wrong ~%50%half =full}").items
    assert item.kind == "single"
    assert item.correct_ids == {"c"}


@pytest.mark.parametrize(
    ("answer", "is_true"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_answers(answer: str, is_true: bool) -> None:
    (item,) = gift(f"The sky is blue.{{{answer}}}").items
    assert item.kind == "true_false"
    assert [(o.id, o.text) for o in item.options] == [("true", "True"), ("false", "False")]
    assert item.correct_ids == {"true" if is_true else "false"}


def test_true_false_feedback_follows_moodle_wrong_then_right() -> None:
    (item,) = gift("Water boils at 50 C.{FALSE#It boils at 100 C.#Correct.####At sea level.}").items
    feedback = {o.id: o.feedback for o in item.options}
    assert feedback == {"true": "It boils at 100 C.", "false": "Correct."}
    assert item.explanation == "At sea level."


def test_escapes_resolve_to_literal_characters() -> None:
    (item,) = gift(r"Which is a set \{1\}\: {=\= 2 \~ 3 \# ~a\\b}").items
    assert item.stem == "Which is a set {1}:"
    assert [o.text for o in item.options] == ["= 2 ~ 3 #", "a\\b"]


def test_escaped_newline_survives_whitespace_folding() -> None:
    (item,) = gift("Line one\\nline   two\nand three{=a ~b}").items
    assert item.stem == "Line one\nline two and three"


def test_format_prefixes_are_stripped_and_html_becomes_text() -> None:
    (item,) = gift(
        "[html]<p>Pick the <b>east</b>&nbsp;side.</p>{=[moodle]East ~[html]<i>West</i>#<b>No</b>}"
    ).items
    assert item.stem == "Pick the east side."
    assert [(o.text, o.feedback) for o in item.options] == [("East", ""), ("West", "No")]


def test_markdown_keeps_line_breaks() -> None:
    (item,) = gift("[markdown]Read this:  \n- one\n- two{=a ~b}").items
    assert item.stem == "Read this:  \n- one\n- two"


def test_answer_block_inside_the_text_leaves_a_blank() -> None:
    (item,) = gift("Grant is {~buried =entombed ~living} in Grant's tomb.").items
    assert item.stem == "Grant is _____ in Grant's tomb."


def test_comments_ids_and_tags_attach_to_the_next_question() -> None:
    result = gift(
        "// [id:sql-7]\n// [tag:sql] [tag:joins]\nWhich join keeps all rows?{\n"
        "// a comment between answers\n=FULL OUTER ~INNER}\n"
    )
    (item,) = result.items
    assert (item.id, item.tags, item.source_line) == ("sql-7", ("sql", "joins"), 3)
    assert [o.text for o in item.options] == ["FULL OUTER", "INNER"]


def test_category_sets_competency_and_default_applies_before_it() -> None:
    result = gift(
        "Q1?{=a ~b}\n\n$CATEGORY: $course$/top/Networking\n\nQ2?{=a ~b}\n",
        default_competency="onboarding",
    )
    assert [i.competency for i in result.items] == ["onboarding", "Networking"]
    assert gift("Q?{=a ~b}").items[0].competency == "general"


def test_derived_ids_are_stable_and_file_scoped() -> None:
    text = "Who wrote Hamlet?{=Shakespeare ~Marlowe}"
    first = gift(text).items[0].id
    assert first == gift(text).items[0].id
    assert first.startswith("bank-")
    assert parse_gift(text, filename="other.gift").items[0].id.startswith("other-")


def test_windows_line_endings() -> None:
    result = gift("Q1?{\r\n=a\r\n~b}\r\n\r\nQ2?{T}\r\n")
    assert [i.kind for i in result.items] == ["single", "true_false"]
    assert [i.source_line for i in result.items] == [1, 5]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Write an essay.{}", "essay"),
        ("Match.{=a -> 1 =b -> 2}", "matching"),
        ("Year?{#1822:5}", "numerical"),
        ("Who?{=no one =nobody}", "short answer"),
        ("Spell one.{One}", "short answer"),
        ("Some instructions only.", "description"),
        ("Fill {1:MULTICHOICE:=a~b} in.", "cloze"),
        ("Two {=a ~b} blanks {=c ~d}.", "cloze"),
    ],
)
def test_unsupported_types_are_skipped_with_their_type(text: str, reason: str) -> None:
    result = gift(f"// header\n\n{text}")
    assert result.items == ()
    assert result.errors == ()
    (skipped,) = result.skipped
    assert skipped.line == 3
    assert skipped.reason.startswith(reason)


def test_valid_questions_survive_a_malformed_neighbour() -> None:
    result = gift("Good?{=a ~b}\n\nBad?{~a ~b}\n\nAlso good?{T}")
    assert [i.stem for i in result.items] == ["Good?", "Also good?"]
    assert only_error(result).line == 3


# Malformed input: each case names the line of the question or of the offending character.


def test_unclosed_brace_names_the_opening_line() -> None:
    error = only_error(gift("Fine?{T}\n\nWhich one?\n{=a\n~b\n"))
    assert error.line == 4
    assert "not closed" in error.message


def test_escaped_closing_brace_is_explained() -> None:
    error = only_error(gift("Q1?{T}\n\nWhich one?{=a ~b\\}\n"))
    assert error.line == 3
    assert "'\\}' on line 3 is an escaped brace" in error.message


def test_stray_closing_brace() -> None:
    error = only_error(gift("Q?{T}\n\nA stray } here{=a ~b}"))
    assert error.line == 3
    assert "no matching '{'" in error.message


def test_nested_opening_brace() -> None:
    error = only_error(gift("Q?{\n=a\n~{b}\n}"))
    assert error.line == 3
    assert "inside the answer block opened on line 1" in error.message


def test_dangling_backslash_is_a_broken_escape() -> None:
    error = only_error(gift("Q?{=a ~b}\n\nWhat is this \\"))
    assert error.line == 3
    assert "escapes nothing" in error.message


def test_no_correct_answer() -> None:
    error = only_error(gift("// c\nWhich?{\n~a\n~b\n}"))
    assert error.line == 2
    assert "no correct answer" in error.message


def test_empty_answer_in_block() -> None:
    error = only_error(gift("Which?{\n=a\n~\n}"))
    assert error.line == 3
    assert "answer 2 ('~') has no text" in error.message


@pytest.mark.parametrize("block", ["{=}", "{= ~ }", "{=#feedback only ~b}"])
def test_answer_markers_with_nothing_after_them(block: str) -> None:
    error = only_error(gift(f"// c\n\nWhich?{block}"))
    assert error.line == 3
    assert "answer 1 ('=') has no text" in error.message


def test_invalid_weight() -> None:
    error = only_error(gift("Which?{\n=a\n~%lots%b\n}"))
    assert error.line == 3
    assert "invalid answer weight '%lots%'" in error.message


def test_weight_out_of_range() -> None:
    assert only_error(gift("Which?{=a ~%150%b}")).line == 1


def test_second_feedback_on_an_answer() -> None:
    error = only_error(gift("Which?{\n=a#yes#really\n~b}"))
    assert error.line == 2
    assert "more than one '#' feedback" in error.message


def test_text_before_the_first_answer() -> None:
    error = only_error(gift("Which?{stray =a ~b}"))
    assert error.line == 1
    assert "before the first '=' or '~'" in error.message


def test_unclosed_title() -> None:
    error = only_error(gift("Q?{T}\n\n::Title without end\nQ?{=a ~b}"))
    assert error.line == 3
    assert "title" in error.message


def test_too_many_true_false_feedbacks() -> None:
    error = only_error(gift("Q?{TRUE#a#b#c}"))
    assert "at most two" in error.message


def test_duplicate_id_is_reported_on_the_second_occurrence() -> None:
    result = gift("::Same::Q1?{=a ~b}\n\n::Same::Q2?{=c ~d}\n\n// [id:same]\nQ3?{T}")
    assert [i.stem for i in result.items] == ["Q1?"]
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "duplicate id 'same' (first used on line 1)"),
        (6, "duplicate id 'same' (first used on line 1)"),
    ]


def test_identical_questions_are_duplicates() -> None:
    error = only_error(gift("Q?{=a ~b}\n\nQ?{=a ~b}"))
    assert (error.line, error.message) == (3, "duplicate question: same text and answers as line 1")


def test_unknown_competency_with_a_known_set() -> None:
    result = gift(
        "$CATEGORY: $course$/top/sql\n\nQ1?{=a ~b}\n\n$CATEGORY: $course$/top/cobol\n\nQ2?{T}",
        known_competencies=frozenset({"sql", "python"}),
    )
    assert [i.stem for i in result.items] == ["Q1?"]
    error = only_error(result)
    assert error.line == 7
    assert error.message == "unknown competency 'cobol' (known: python, sql)"
