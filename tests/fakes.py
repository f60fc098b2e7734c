"""Test doubles shared by adapter tests and benchmarks: a content library with scripted answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.features.answers import Answered, Source

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

    def ask(self, question: str, *, roles: Any) -> Answered:
        return Answered(self._answer(question), True, (SOURCE,))
