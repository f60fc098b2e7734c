"""Lexical normalisation: tokens, stems and sentence splitting."""

from __future__ import annotations

import pytest

from retrieval.text import STOP_WORDS, split_sentences, stem, tokenize


def test_tokenize_lowercases_drops_stop_words_and_splits_underscores() -> None:
    assert tokenize("How do I book_LODGING in Concur?", use_stemming=False) == [
        "book",
        "lodging",
        "concur",
    ]


def test_tokenize_keeps_unicode_words_and_numbers() -> None:
    assert tokenize("Café naïve résumé 2024", use_stemming=False) == [
        "café",
        "naïve",
        "résumé",
        "2024",
    ]


def test_contractions_leave_no_fragments() -> None:
    assert tokenize("I’m sure you're right, don't worry", use_stemming=False) == [
        "sure",
        "right",
        "worry",
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("policies", "policy"), "policy"),
        (("booking", "booked", "books"), "book"),
        (("running", "runs"), "run"),
        (("manager", "managers", "managing", "management"), "manag"),
        (("travelers", "traveling", "travel"), "travel"),
        (("paid", "pays", "pay", "paying"), "pay"),
        (("wrote", "written", "writing", "writes"), "writ"),
    ],
)
def test_stemming_conflates_inflections(words: tuple[str, ...], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


def test_stemming_leaves_short_words_and_numbers_alone() -> None:
    assert [stem(w) for w in ("bus", "gas", "2024", "is")] == ["bus", "gas", "2024", "is"]
    assert stem("pass") == "pass"


def test_question_words_are_stop_words() -> None:
    assert {"how", "what", "who", "should", "can"} <= STOP_WORDS


def test_split_sentences_on_punctuation_paragraphs_and_list_items() -> None:
    text = "First point. Second one! Third?\n\nNew paragraph\n- item one\n- item two"
    assert split_sentences(text) == [
        "First point.",
        "Second one!",
        "Third?",
        "New paragraph",
        "- item one",
        "- item two",
    ]


def test_split_sentences_keeps_abbreviation_followed_by_lowercase() -> None:
    assert split_sentences("Use e.g. the form. Then send it.") == [
        "Use e.g. the form.",
        "Then send it.",
    ]
