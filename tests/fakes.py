"""Test doubles shared by tests and benchmarks: feature swaps, a library with scripted answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.core.model import Answered, Source


def use_features(services: Services, **features: Any) -> Services:
    """Replace feature services of a built core by fakes, by their typed `Services` field names.

    Set on the same object, so every service built around it (paths, nudges, the home tab)
    reads the fakes. A name that is not a field of `Services` fails the test.
    """
    unknown = set(features) - {f.name for f in fields(Services)}
    if unknown:
        raise TypeError(f"Services has no field {', '.join(sorted(unknown))}")
    for name, value in features.items():
        setattr(services, name, value)
    return services


class FixedHome:
    """Home tab sections with a fixed path text and nothing else yet."""

    def __init__(self, path: str | None = None) -> None:
        self._path = path

    def path(self, learner_id: str, *, now: datetime) -> str | None:
        return self._path

    def progress(self, learner_id: str, *, now: datetime) -> str | None:
        return None

    def next_nudge(self, learner_id: str, *, now: datetime) -> str | None:
        return None


SOURCE = Source("handbook/leave", "Leave", "Requesting leave", "handbook/leave.md", 1.0, "#leave")


class _Records:
    """The part of ContentRepository the question handler writes to."""

    def __init__(self) -> None:
        self.answers: list[str] = []

    def has_chunks(self) -> bool:
        return True

    def record_gap(self, question: str, **_: Any) -> None:
        return None

    def record_answer(self, *, question: str, **_: Any) -> str:
        self.answers.append(question)
        return f"answer-{len(self.answers)}"

    def rate_answer(self, answer_id: str, **_: Any) -> bool:
        return answer_id.startswith("answer-")


class StandInLibrary:
    """A content library whose answer text comes from `answer(question)` (which may block)."""

    def __init__(self, answer: Callable[[str], str]) -> None:
        self._answer = answer
        self.content = _Records()

    def ask(self, question: str, *, roles: Any, prefer: str | None = None) -> Answered:
        return Answered(self._answer(question), True, (SOURCE,))

    def standalone_question(self, previous: str, follow_up: str) -> str | None:
        return None  # no chat model
