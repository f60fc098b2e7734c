"""Every row about one learner, found by schema: read for an export, deleted to forget them.

Learner-keyed tables are found generically (every table with a `learner_id` column, plus the
learner row itself), so a table a future feature adds is exported and deleted without a change
here. Teams conversation references are keyed by the platform user id and are matched through
the learner's Teams identities.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, delete, or_, select, update

from bot.core.model import Learner
from bot.storage.tables import identities, learners, metadata, teams_conversations

# Columns of other people's rows that name the learner as the one who acted (a manager who
# assigned work, an admin who waived a module or revoked an exemption): pseudonymized.
ACTOR_COLUMNS = (
    ("assignments", "assigned_by"),
    ("module_waivers", "actor"),
    ("exemptions", "overridden_by"),
    ("audit_log", "actor"),
)


def learner_tables() -> list[Table]:
    """Every table holding rows about one learner (by a `learner_id` column)."""
    return [t for t in metadata.sorted_tables if "learner_id" in t.c]


def _teams_rows(learner: Learner) -> ColumnElement[bool] | None:
    """Teams conversation references of the learner's Teams identities (by either user id)."""
    teams = [i for i in learner.identities if i.platform == "teams"]
    if not teams:
        return None
    t = teams_conversations.c
    return or_(
        *(
            and_(
                t.tenant_id == i.workspace,
                or_(t.user_id == i.user_id, t.aad_object_id == i.user_id),
            )
            for i in teams
        )
    )


class RightsRepository:
    """Reads and deletes everything stored about one learner."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def export(self, learner: Learner) -> dict[str, Any]:
        """The learner row under "learner", then each learner-keyed table's rows by its name."""
        data: dict[str, Any] = {}
        with self._engine.connect() as conn:
            query = select(learners).where(learners.c.id == learner.id)
            row = conn.execute(query).mappings().first()
            data["learner"] = dict(row) if row else {}
            for table in learner_tables():
                query = select(table).where(table.c.learner_id == learner.id)
                data[table.name] = [dict(r) for r in conn.execute(query).mappings()]
            teams = _teams_rows(learner)
            if teams is not None:
                rows = conn.execute(select(teams_conversations).where(teams)).mappings()
                data[teams_conversations.name] = [dict(r) for r in rows]
        return data

    def forget(self, learner: Learner, *, alias: str) -> dict[str, int]:
        """Delete every row about the learner in one transaction, and put `alias` in place of
        their id where other people's rows name them as the actor (`ACTOR_COLUMNS`).

        Returns:
            Rows deleted per table name.
        """
        counts: dict[str, int] = {}
        with self._engine.begin() as conn:
            teams = _teams_rows(learner)
            if teams is not None:
                counts[teams_conversations.name] = conn.execute(
                    delete(teams_conversations).where(teams)
                ).rowcount
            for table in reversed(learner_tables()):
                if table is identities:
                    continue
                done = conn.execute(delete(table).where(table.c.learner_id == learner.id))
                counts[table.name] = int(done.rowcount)
            counts[identities.name] = conn.execute(
                delete(identities).where(identities.c.learner_id == learner.id)
            ).rowcount
            counts[learners.name] = conn.execute(
                delete(learners).where(learners.c.id == learner.id)
            ).rowcount
            for table_name, column in ACTOR_COLUMNS:
                table = metadata.tables[table_name]
                conn.execute(
                    update(table).where(table.c[column] == learner.id).values({column: alias})
                )
        return counts
