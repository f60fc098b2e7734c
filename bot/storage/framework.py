"""The competency framework repository: replaced as a whole, read as a whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, insert, select

from bot.storage.tables import competencies, roles
from learning.framework import Competency, Framework, Requirement, Role, Target


class FrameworkRepository:
    """Stores the one active competency framework."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace(self, framework: Framework) -> None:
        """Replace the stored framework in one transaction (all or nothing)."""
        comp_rows = [_comp_row(c, i) for i, c in enumerate(framework.competencies)]
        role_rows = [_role_row(r, i) for i, r in enumerate(framework.roles)]
        with self._engine.begin() as conn:
            conn.execute(delete(roles))
            conn.execute(delete(competencies))
            if comp_rows:
                conn.execute(insert(competencies), comp_rows)
            if role_rows:
                conn.execute(insert(roles), role_rows)

    def get(self) -> Framework:
        """The stored framework (empty when none was imported)."""
        with self._engine.connect() as conn:
            comp_rows = conn.execute(select(competencies).order_by(competencies.c.position))
            role_rows = conn.execute(select(roles).order_by(roles.c.position))
            comps = tuple(_competency(r) for r in comp_rows.mappings())
            role_list = tuple(_role(r) for r in role_rows.mappings())
        return Framework(comps, role_list)


def _competency(r: Any) -> Competency:
    return Competency(
        r["id"],
        r["title"],
        r["description"],
        tuple(r["prerequisites"]),
        r["cut_score"],
        r["coach"] or "",
    )


def _role(r: Any) -> Role:
    return Role(
        r["id"],
        r["title"],
        tuple(Target(t["competency"], t["level"]) for t in r["targets"]),
        tuple(Requirement(m["module"], m["due_days"]) for m in r["required_modules"]),
    )


def _comp_row(c: Competency, position: int) -> dict[str, object]:
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "prerequisites": list(c.prerequisites),
        "cut_score": c.cut_score,
        "coach": c.coach,
        "position": position,
    }


def _role_row(r: Role, position: int) -> dict[str, object]:
    return {
        "id": r.id,
        "title": r.title,
        "position": position,
        "targets": [{"competency": t.competency, "level": t.level} for t in r.targets],
        "required_modules": [
            {"module": m.module, "due_days": m.due_days} for m in r.required_modules
        ],
    }
