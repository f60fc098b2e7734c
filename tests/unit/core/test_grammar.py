"""Counts and articles read right for one as for many: no "1 events", "in 1 groups"."""

from __future__ import annotations

import re

from bot.core import messages as msg
from learning.path_reasons import listing

# "{placeholder} nouns": a number written straight before a plural noun in a template.
COUNTED_PLURAL = re.compile(r"\{([a-z_]+)(?::[^}]*)?\} (?:free )?([a-z]+s)\b")
# Where the number can never be 1, or is a size, so the plural always reads right.
NEVER_ONE = {
    ("CHECK_ESCALATED", "count"),  # every third failed check: 3 or more
    ("CHECK_ESCALATED_NO_COACH", "count"),
    ("CHECK_ESCALATED_MANAGER", "count"),
    ("REVIEW_SINCE_DAYS", "days"),  # used only for 2 to 6 days
    ("COACH_TEXT", "count"),
    ("RISK_STALLED", "days"),  # a fixed 14
    ("WHEN_IN_DAYS", "days"),  # used only for 2 days or more
    ("WHY_NEXT_STEP", "free"),  # a free gap of at least 2 minutes
    ("TOO_LONG", "length"),  # sizes above a limit
    ("UPLOAD_TOO_BIG", "size"),
    ("UPLOAD_TOO_BIG", "limit"),
    ("UPLOAD_READ_TOO_BIG", "limit"),
    ("LESSON_CHECK", "count"),  # the lesson card's own wording, kept with the lessons
}
NOUNS = {"events", "days", "steps", "questions", "people", "managers", "sections", "items"}
NOUNS |= {"competencies", "roles", "learners", "minutes", "hours", "groups", "checks", "times"}


def _templates() -> list[tuple[str, str]]:
    found = []
    for name in dir(msg):
        value = getattr(msg, name)
        texts = value.values() if isinstance(value, dict) else [value]
        found += [(name, t) for t in texts if isinstance(t, str)]
    return found


def test_no_template_writes_a_count_before_a_plural_noun() -> None:
    wrong = [
        f"{name}: {m.group(0)}"
        for name, text in _templates()
        for m in COUNTED_PLURAL.finditer(text)
        if m.group(2) in NOUNS | {"characters", "bytes"} and (name, m.group(1)) not in NEVER_ONE
    ]
    assert wrong == [], "pass msg.plural(n, noun) instead: " + "; ".join(wrong)


def test_the_helpers_read_right_for_one_and_many() -> None:
    assert msg.plural(1, "person", "people") == "1 person"
    assert msg.plural(4, "person", "people") == "4 people"
    assert msg.plural(1, "competency", "competencies") == "1 competency"
    assert f"{msg.article(80)} 80% chance" == "an 80% chance"
    assert f"{msg.article(8).capitalize()} 8-minute review" == "An 8-minute review"
    assert f"at {msg.article('intensive')} intensive pace" == "at an intensive pace"


def test_lists_of_names_read_as_a_sentence() -> None:
    assert listing([]) == ""
    assert listing(["Compliance"]) == "Compliance"
    assert listing(["Support", "Security"]) == "Support and Security"
    assert listing(["Support", "Tools", "Security", "Compliance"]) == (
        "Support, Tools, Security and Compliance"
    )
