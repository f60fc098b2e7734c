"""The org chart (who reports to whom) and modules assigned to learners by managers and admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from bot.storage.tables import assignments, org_chart


@dataclass(frozen=True)
class OrgEntry:
    """One person of the org chart (emails lower-cased; manager None at the top)."""

    email: str
    manager_email: str | None
    department: str
    location: str
    role: str
    line: int = 0

    @property
    def attributes(self) -> dict[str, str]:
        """What is copied into the learner's profile attributes."""
        values = {"department": self.department, "location": self.location, "role": self.role}
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Assignment:
    """A module assigned to a learner, with an optional due date."""

    learner_id: str
    module_id: str
    due_at: datetime | None
    assigned_by: str
    at: datetime


class OrgRepository:
    """The imported org chart (replaced whole on every import) and assignments."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace(self, entries: Sequence[OrgEntry], *, now: datetime) -> None:
        """Replace the whole chart in one transaction."""
        rows = [
            {
                "email": e.email,
                "manager_email": e.manager_email,
                "department": e.department,
                "location": e.location,
                "role": e.role,
                "line": e.line,
                "imported_at": now,
            }
            for e in entries
        ]
        with self._engine.begin() as conn:
            conn.execute(delete(org_chart))
            if rows:
                conn.execute(insert(org_chart), rows)

    def entries(self) -> list[OrgEntry]:
        """Every person of the chart, in file order."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(org_chart).order_by(org_chart.c.line)).mappings()
            return [_entry(r) for r in rows]

    def get(self, email: str) -> OrgEntry | None:
        """One person by email (case-insensitive)."""
        query = select(org_chart).where(org_chart.c.email == email.strip().lower())
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _entry(row)

    def has_reports(self, email: str) -> bool:
        """Whether anyone reports to `email`."""
        query = select(org_chart.c.email).where(org_chart.c.manager_email == email.lower())
        with self._engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def reports(self, email: str) -> list[str]:
        """Everyone below `email`, directly or indirectly (emails, breadth first)."""
        chart: dict[str, list[str]] = {}
        for entry in self.entries():
            if entry.manager_email:
                chart.setdefault(entry.manager_email, []).append(entry.email)
        found: list[str] = []
        queue = list(chart.get(email.lower(), []))
        while queue:
            person = queue.pop(0)
            if person not in found:
                found.append(person)
                queue.extend(chart.get(person, []))
        return found

    def assign(
        self,
        learner_id: str,
        module_id: str,
        *,
        due_at: datetime | None,
        by: str,
        now: datetime,
    ) -> None:
        """Assign (or re-assign with a new due date) a module to a learner."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(assignments).where(
                    assignments.c.learner_id == learner_id, assignments.c.module_id == module_id
                )
            )
            conn.execute(
                insert(assignments).values(
                    learner_id=learner_id,
                    module_id=module_id,
                    due_at=due_at,
                    assigned_by=by,
                    at=now,
                )
            )

    def assignments(self, learner_id: str) -> list[Assignment]:
        """The learner's assigned modules, oldest first."""
        query = (
            select(assignments)
            .where(assignments.c.learner_id == learner_id)
            .order_by(assignments.c.at, assignments.c.module_id)
        )
        with self._engine.connect() as conn:
            return [Assignment(**dict(r)) for r in conn.execute(query).mappings()]


def _entry(row: object) -> OrgEntry:
    r = dict(row)  # type: ignore[call-overload]
    return OrgEntry(
        email=r["email"],
        manager_email=r["manager_email"],
        department=r["department"],
        location=r["location"],
        role=r["role"],
        line=r["line"],
    )
