"""User-visible strings: one definition each, so no feature silently rewords another's."""

from __future__ import annotations

import ast
import inspect

import pytest

from bot.core import messages


def test_every_message_is_defined_once() -> None:
    tree = ast.parse(inspect.getsource(messages))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (8, "an"),
        (80, "an"),
        (83, "an"),
        (800, "an"),
        (11, "an"),
        (18, "an"),
        (18000, "an"),
        ("11,000", "an"),
        (1, "a"),
        (9, "a"),
        (100, "a"),
        (110, "a"),
        (1100, "a"),
        ("intensive", "an"),
        ("relaxed", "a"),
        ("steady", "a"),
    ],
)
def test_article_follows_how_the_word_is_said(word: object, expected: str) -> None:
    assert messages.article(word) == expected


def test_plural_counts_with_regular_and_irregular_nouns() -> None:
    assert messages.plural(1, "step") == "1 step"
    assert messages.plural(0, "step") == "0 steps"
    assert messages.plural(1, "person", "people") == "1 person"
    assert messages.plural(2, "person", "people") == "2 people"
    assert messages.plural(1200, "step") == "1,200 steps"
