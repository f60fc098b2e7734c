"""Practice items go after the card they are about, once each, deterministically."""

from __future__ import annotations

from bot.features.lessons import place_items, practice_text
from content_index.lessons import Card
from learning.items import Item, Option


def _card(n: int, text: str) -> Card:
    return Card(n=n, kind="text", text=text, chars=len(text))


def _item(item_id: str, stem: str, kind: str = "single") -> Item:
    options = (Option("a", "Yes", True), Option("b", "No", False))
    return Item(id=item_id, stem=stem, kind=kind, options=options, competency="c")  # type: ignore[arg-type]


CARDS = [
    _card(1, "Passwords need twelve characters and a passphrase works well."),
    _card(2, "Report phishing emails with the Report button in the mail client."),
    _card(3, "Lock your laptop screen whenever you walk away from the desk."),
]


def test_each_item_follows_the_card_sharing_most_words() -> None:
    items = [
        _item("i-phish", "How do you report phishing emails?"),
        _item("i-pass", "How many characters must passwords have?"),
    ]
    placed = place_items(CARDS, items)
    assert {i: item.id for i, item in placed.items()} == {1: "i-phish", 0: "i-pass"}


def test_at_most_one_item_per_card_and_unrelated_items_are_left_out() -> None:
    items = [
        _item("first", "Report phishing emails how?"),
        _item("second", "Which button reports phishing emails?"),
        _item("cooking", "Is basil a herb?"),
    ]
    placed = place_items(CARDS, items)
    # "second" is about the same card as "first", which already has its practice item.
    assert {i: item.id for i, item in placed.items()} == {1: "first"}
    assert place_items(CARDS, items) == placed, "deterministic"


def test_practice_text_shows_the_question_and_options() -> None:
    assert practice_text(_item("x", "Pick one")) == "Practice: Pick one\na) Yes\nb) No"
    assert practice_text(_item("t", "Sky is blue", "true_false")).endswith("True or false?")
