"""The numbered buttons of each terminal user's last prompt, so typed numbers outlive a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from bot.storage.tables import terminal_prompts


class TerminalPromptRepository:
    """One row per learner: what each number of the last printed answer stands for."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, learner_id: str, picks: list[dict[str, Any]], *, now: datetime) -> None:
        """Replace the learner's numbered buttons (an empty list when the answer had none)."""
        mine = terminal_prompts.c.learner_id == learner_id
        with self._engine.begin() as conn:
            conn.execute(delete(terminal_prompts).where(mine))
            conn.execute(
                insert(terminal_prompts).values(learner_id=learner_id, picks=picks, updated_at=now)
            )

    def load(self, learner_id: str) -> list[dict[str, Any]]:
        """The learner's last numbered buttons, in order; empty when none were stored."""
        query = select(terminal_prompts.c.picks).where(terminal_prompts.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            picks = conn.execute(query).scalar_one_or_none()
        return [dict(p) for p in picks or []]
