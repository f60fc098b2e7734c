"""The last question per learner and conversation, kept so a short follow-up keeps its topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from bot.storage.tables import last_questions as lq


@dataclass(frozen=True)
class LastQuestion:
    """What a learner last asked in a conversation.

    Attributes:
        question: The question as it was searched (a follow-up with its topic added).
        terms: Its content words, carried into a follow-up.
        module_id: The module it was answered from (or the closest one), if any.
        at: When it was asked.
    """

    question: str
    terms: tuple[str, ...]
    module_id: str | None
    at: datetime


class LastQuestions:
    """One row per (learner, conversation), replaced by each new question."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def recall(self, learner_id: str, conversation: str) -> LastQuestion | None:
        """The learner's last question in this conversation, None if there is none."""
        query = select(lq).where(lq.c.learner_id == learner_id, lq.c.conversation == conversation)
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return LastQuestion(row["question"], tuple(row["terms"]), row["module_id"], row["at"])

    def remember(self, learner_id: str, conversation: str, question: LastQuestion) -> None:
        """Store `question` as the learner's last one in this conversation."""
        key = (lq.c.learner_id == learner_id) & (lq.c.conversation == conversation)
        with self._engine.begin() as conn:
            conn.execute(delete(lq).where(key))
            conn.execute(
                insert(lq).values(
                    learner_id=learner_id,
                    conversation=conversation[:300],
                    question=question.question[:2000],
                    terms=list(question.terms),
                    module_id=question.module_id,
                    at=question.at,
                )
            )
