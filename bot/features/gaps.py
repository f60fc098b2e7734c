"""The content-gap log: questions grouped by meaning, closed when the library answers them,
and the "Not helpful" feedback that lowers a passage for similar questions.

The vector maths is in `retrieval.clusters` (grouping) and `retrieval.feedback` (the decaying
adjustment); the SQL in `bot.storage.gaps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.model import Answered
from bot.core.ports import LibraryPort
from bot.features.questions import is_content_question
from bot.storage.gaps import (
    CLOSED,
    NOT_HELPFUL,
    OPEN,
    UNANSWERED,
    GapGroupRow,
    GapRepository,
)
from retrieval.clusters import cosine, merged, nearest, unit
from retrieval.feedback import SIMILAR

# The same learner asking a question this similar (`retrieval.feedback.SIMILAR`) this soon
# after a confident answer says the answer did not help, as a click on "Not helpful" does.
REASK_WINDOW = timedelta(minutes=1)
# A group is closed when this many of its latest distinct questions are all answered.
CHECKED_QUESTIONS = 5
ANSWERED_BADLY = "answered badly"


@dataclass(frozen=True)
class GapView:
    """One line of `/learn admin gaps`."""

    group: GapGroupRow
    status: str

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return self.group.size


def status_of(group: GapGroupRow) -> str:
    """open, closed, or answered badly (a "Not helpful" since it was closed, or ever)."""
    return ANSWERED_BADLY if group.not_helpful else group.status


class GapLog:
    """Groups unanswered and badly answered questions, closes groups the library now answers.

    Args:
        repo: The stored groups, their questions and the adjustments.
        library: The content library (its embedding model and its answering decision).
    """

    def __init__(self, repo: GapRepository, library: LibraryPort) -> None:
        self.repo = repo
        self._library = library

    def refresh(self) -> int:
        """Put every content gap recorded since the last call into its group.

        Messages that ask nothing (recorded before they stopped being recorded) are left out.
        Returns how many questions were grouped.
        """
        rows = [r for r in self.repo.ungrouped_gaps() if is_content_question(r["question"])]
        if not rows:
            return 0
        vectors = self._library.embed([r["question"] for r in rows])
        added = 0
        for row, vector in zip(rows, vectors, strict=True):
            added += self.add(
                f"gap:{row['id']}",
                learner_id=row["learner_id"],
                kind=UNANSWERED,
                question=row["question"],
                vector=vector,
                at=row["at"],
            )
        return added

    def add(
        self,
        source: str,
        *,
        learner_id: str | None,
        kind: str,
        question: str,
        vector: Sequence[float],
        at: datetime,
    ) -> bool:
        """File one question in the group it means the same as (or a new one)."""
        groups = self.repo.groups()
        found = nearest(vector, [g.centroid for g in groups])
        group = None if found is None else groups[found]
        centroid = (
            [float(x) for x in unit(vector)]
            if group is None
            else merged(group.centroid, group.size, vector)
        )
        return self.repo.add(
            source=source,
            group_id=None if group is None else group.id,
            centroid=centroid,
            learner_id=learner_id,
            kind=kind,
            question=question,
            vector=vector,
            at=at,
        )

    def overview(self) -> list[GapView]:
        """Every group, the largest first (after grouping what is new)."""
        self.refresh()
        groups = sorted(self.repo.groups(), key=lambda g: (-g.size, -g.last_at.timestamp()))
        return [GapView(g, status_of(g)) for g in groups]

    def close_answered(self, *, now: datetime) -> list[int]:
        """Close the open groups whose unanswered questions the library now answers.

        A group is checked once per library generation: its latest distinct unanswered
        questions (up to `CHECKED_QUESTIONS`) must all get a confident answer.

        Returns:
            The ids of the groups closed.
        """
        generation = self._library.content.generation()
        closed = []
        for group in self.repo.groups():
            if group.status != OPEN or group.checked_generation == generation:
                continue
            asked = [q.question for q in self.repo.questions(group.id, kind=UNANSWERED)]
            latest = list(dict.fromkeys(reversed(asked)))[:CHECKED_QUESTIONS]
            if latest and all(self._library.ask(q, roles=None).confident for q in latest):
                if self.repo.close(group.id, generation=generation, now=now):
                    closed.append(group.id)
            else:
                self.repo.checked(group.id, generation=generation)
        return closed

    def not_helpful(
        self, answer: dict[str, Any], *, reason: str, now: datetime, vector: Any = None
    ) -> bool:
        """Record that a stored answer did not help: each passage it cited counts less for
        similar questions, and the question joins its gap group as answered badly.

        Returns False when this answer had already been recorded as not helpful.
        """
        if vector is None:
            (vector,) = self._library.embed([answer["question"]])
        passages = [(s["module_id"], s.get("section") or "") for s in answer["sources"]]
        done = self.repo.adjust(
            answer["id"],
            learner_id=answer["learner_id"],
            passages=passages,
            vector=vector,
            reason=reason,
            now=now,
        )
        if done:
            self.add(
                f"answer:{answer['id']}",
                learner_id=answer["learner_id"],
                kind=NOT_HELPFUL,
                question=answer["question"],
                vector=vector,
                at=now,
            )
        return done

    def reasked(self, learner_id: str, question: str, *, now: datetime) -> bool:
        """Whether `question` repeats the learner's answer of the last minute (cosine at least
        `SIMILAR`); if so, that answer is recorded as not helpful."""
        previous = self.repo.last_answer(learner_id, since=now - REASK_WINDOW)
        if previous is None:
            return False
        old, new = self._library.embed([previous["question"], question])
        if cosine(old, new) < SIMILAR:
            return False
        self._library.content.rate_answer(previous["id"], learner_id=learner_id, helpful=False)
        return self.not_helpful(previous, reason="asked again", now=now, vector=old)


def answered_for(library: LibraryPort, question: str, roles: Sequence[str]) -> Answered | None:
    """The library's confident answer to `question` for a learner's audience, else None."""
    result = library.ask(question, roles=roles)
    return result if result.confident else None


__all__ = ["ANSWERED_BADLY", "CLOSED", "GapLog", "GapView", "answered_for", "status_of"]
