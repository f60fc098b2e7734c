"""GIFT import checked against gift-pegjs's expected parses of its own test questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from learning.formats import BankParseResult, html_to_text, parse_gift
from learning.formats.builder import slugify
from learning.items import Item

GIFT_DIR = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "quiz-banks" / "gift-pegjs"
)
GIFT_FILES = sorted(p.name for p in GIFT_DIR.glob("*.gift"))

SUPPORTED = {"MC", "TF"}
SKIP_REASONS = {
    "Essay": "essay",
    "Short": "short answer",
    "Numerical": "numerical",
    "Matching": "matching",
    "Description": "description",
}

# Files whose import consciously differs from gift-pegjs's JSON, and why. The comparison
# helpers below apply these rules to every file, so each entry states a rule, not a patch.
DEVIATIONS = {
    "TFTwoFeedback.gift": (
        "true/false feedback follows Moodle: in {TRUE#a#b} 'a' is shown for the wrong choice "
        "(False) and 'b' for the right one; gift-pegjs files feedback by position as "
        "trueFeedback/falseFeedback, which only agrees with Moodle for FALSE questions"
    ),
    "multipleAnswersFloat.gift": (
        "no '=' answer (Moodle's multiple-response form): answers with a positive weight are "
        "correct, where gift-pegjs leaves isCorrect false and reports only the weights"
    ),
    "totara_moodle_multichoice_multi.gift": "same rule as multipleAnswersFloat.gift",
    "options1.gift": (
        "same weight rule for its weighted multiple-answer questions; partial-credit '~%50%' "
        "answers next to a '=' answer stay incorrect (all-or-nothing scoring); and its two "
        "'What two people are entombed' questions differ only in negative weights, so in "
        "learnbot's reading the second repeats the first and is reported as a duplicate"
    ),
    "mcHTMLComment.gift": "html is converted to plain text (compared through html_to_text)",
    "multiLineFeedback1.gift": "html is converted to plain text (compared through html_to_text)",
    "formatExamples.gift": "html is converted to plain text (compared through html_to_text)",
    "tf1_html.gift": "html is converted to plain text (compared through html_to_text)",
}


def _load(name: str) -> tuple[BankParseResult, list[dict[str, Any]]]:
    path = GIFT_DIR / name
    result = parse_gift(path.read_text(encoding="utf-8"), filename=name)
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return result, [q for q in expected if q["type"] != "Category"]


def _text(rich: dict[str, str] | None) -> str:
    """gift-pegjs rich text as learnbot displays it."""
    if rich is None:
        return ""
    if rich["format"] == "html":
        return html_to_text(rich["text"])
    if rich["format"] == "markdown":
        return rich["text"].strip()
    return " ".join(rich["text"].split())


def _expected_correct(choices: list[dict[str, Any]]) -> list[bool]:
    """learnbot's all-or-nothing reading of gift-pegjs choices (see DEVIATIONS)."""
    has_equals = any(c["isCorrect"] for c in choices)

    def positive(c: dict[str, Any]) -> bool:
        return c["weight"] is not None and c["weight"] > 0

    if has_equals:
        return [c["isCorrect"] and (c["weight"] is None or positive(c)) for c in choices]
    return [positive(c) for c in choices]


def _check_id(item: Item, question: dict[str, Any], name: str) -> None:
    if question["id"] is not None:
        assert item.id == question["id"]
    elif question["title"] and slugify(question["title"]):
        assert item.id == slugify(question["title"])
    else:
        assert item.id.startswith(slugify(Path(name).stem) + "-")
    assert item.tags == tuple(question["tags"] or ())


def _check_choices(item: Item, question: dict[str, Any]) -> None:
    choices = question["choices"]
    assert [o.text for o in item.options] == [_text(c["text"]) for c in choices]
    assert [o.correct for o in item.options] == _expected_correct(choices)
    assert [o.feedback for o in item.options] == [_text(c["feedback"]) for c in choices]
    expected_kind = "multiple" if sum(_expected_correct(choices)) > 1 else "single"
    assert item.kind == expected_kind


def _check_true_false(item: Item, question: dict[str, Any]) -> None:
    assert item.kind == "true_false"
    assert item.correct_ids == {"true" if question["isTrue"] else "false"}
    first, second = _text(question["trueFeedback"]), _text(question["falseFeedback"])
    wrong, right = (first, second)  # Moodle: {ANSWER#wrong#right}
    by_id = {o.id: o.feedback for o in item.options}
    if question["isTrue"]:
        assert (by_id["true"], by_id["false"]) == (right, wrong)
    else:
        assert (by_id["true"], by_id["false"]) == (wrong, right)


def _reading(question: dict[str, Any]) -> str:
    """What learnbot keeps of a supported question, to spot repeats."""
    if question["type"] == "TF":
        parts = [question["isTrue"], question["trueFeedback"], question["falseFeedback"]]
    else:
        choices = question["choices"]
        parts = [[_text(c["text"]), _text(c["feedback"])] for c in choices]
        parts.append(_expected_correct(choices))
    return json.dumps([_text(question["stem"]), _text(question.get("globalFeedback")), parts])


def _split_repeats(
    supported: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(first occurrences, repeats) of the supported questions."""
    seen: set[str] = set()
    firsts: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    for question in supported:
        key = _reading(question)
        (repeats if key in seen else firsts).append(question)
        seen.add(key)
    return firsts, repeats


@pytest.mark.parametrize("name", GIFT_FILES)
def test_every_question_is_imported_or_reported(name: str, quiz_banks: Path) -> None:
    result, expected = _load(name)
    supported, repeats = _split_repeats([q for q in expected if q["type"] in SUPPORTED])
    unsupported = [q for q in expected if q["type"] not in SUPPORTED]
    assert [e.message.split(":")[0] for e in result.errors] == ["duplicate question"] * len(repeats)
    assert len(result.items) == len(supported)
    assert [s.reason.split(" question")[0] for s in result.skipped] == [
        SKIP_REASONS[q["type"]] for q in unsupported
    ]


@pytest.mark.parametrize("name", GIFT_FILES)
def test_supported_questions_match_expected_parse(name: str, quiz_banks: Path) -> None:
    result, expected = _load(name)
    supported, _ = _split_repeats([q for q in expected if q["type"] in SUPPORTED])
    for item, question in zip(result.items, supported, strict=True):
        assert item.stem == _text(question["stem"])
        assert item.explanation == _text(question.get("globalFeedback"))
        _check_id(item, question, name)
        if question["type"] == "TF":
            _check_true_false(item, question)
        else:
            _check_choices(item, question)


@pytest.mark.parametrize("name", GIFT_FILES)
def test_reported_lines_point_at_question_text(name: str, quiz_banks: Path) -> None:
    result, _ = _load(name)
    lines = (GIFT_DIR / name).read_text(encoding="utf-8").splitlines()
    starts = [i.source_line for i in result.items] + [s.line for s in result.skipped]
    for start in starts:
        text = lines[start - 1].strip()
        assert text
        assert not text.startswith("//")


def test_corpus_is_complete(quiz_banks: Path) -> None:
    gift = sorted((quiz_banks / "gift-pegjs").glob("*.gift"))
    assert len(gift) == len(GIFT_FILES) >= 40
    assert all(p.with_suffix(".json").is_file() for p in gift)
    assert set(DEVIATIONS) <= set(GIFT_FILES)


def test_deviating_true_false_file_uses_moodle_feedback_order(quiz_banks: Path) -> None:
    result, _ = _load("TFTwoFeedback.gift")
    second = {o.id: o.feedback for o in result.items[1].options}
    # {TRUE#feedback for true}: the only feedback is for the wrong choice, False.
    assert second == {"true": "", "false": "feedback for true"}
