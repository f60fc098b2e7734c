"""What a team report reads about many learners at once: mastery, check outcomes, last activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, func, select

from bot.storage.tables import abilities, activity, learners, mastery_checks


class TeamRepository:
    """Reads for manager reports, one query per kind of fact for the whole team."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def mastery(self, learner_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Learner id -> competency -> probability of mastery, for learners with estimates."""
        out: dict[str, dict[str, float]] = {}
        query = select(abilities.c.learner_id, abilities.c.competency, abilities.c.p_mastery)
        with self._engine.connect() as conn:
            for row in conn.execute(query.where(abilities.c.learner_id.in_(list(learner_ids)))):
                out.setdefault(row.learner_id, {})[row.competency] = float(row.p_mastery)
        return out

    def failure_streaks(self, learner_ids: Sequence[str]) -> dict[tuple[str, str], int]:
        """(learner id, competency) -> how many of the latest mastery checks failed in a row.

        Every pair with at least one check is present; a last check that passed gives 0.
        """
        query = (
            select(
                mastery_checks.c.learner_id, mastery_checks.c.competency, mastery_checks.c.passed
            )
            .where(mastery_checks.c.learner_id.in_(list(learner_ids)))
            .order_by(mastery_checks.c.id)
        )
        runs: dict[tuple[str, str], int] = {}
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                key = (row.learner_id, row.competency)
                runs[key] = 0 if row.passed else runs.get(key, 0) + 1
        return runs

    def last_activity(self, learner_ids: Sequence[str]) -> dict[str, datetime]:
        """Learner id -> time of their latest activity entry (learners with none are absent)."""
        last = func.max(activity.c.at, type_=activity.c.at.type).label("last")
        query = (
            select(activity.c.learner_id, last)
            .where(activity.c.learner_id.in_(list(learner_ids)))
            .group_by(activity.c.learner_id)
        )
        with self._engine.connect() as conn:
            return {row.learner_id: row.last for row in conn.execute(query) if row.last is not None}

    def first_seen(self, learner_ids: Sequence[str]) -> dict[str, datetime]:
        """Learner id -> when learnbot first met them."""
        query = select(learners.c.id, learners.c.created_at).where(
            learners.c.id.in_(list(learner_ids))
        )
        with self._engine.connect() as conn:
            return {row.id: row.created_at for row in conn.execute(query)}
