"""The learner model's records: ability per competency, exemptions and mastery-check attempts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import abilities, exemptions, intake_notes, mastery_checks, profiles

NOTE_KINDS = ("new", "not asked")


@dataclass(frozen=True)
class Ability:
    """The latest ability estimate of a learner on one competency.

    Attributes:
        competency: The competency.
        theta: EAP ability estimate (logits).
        se: Its standard error (posterior standard deviation).
        p_mastery: Probability that ability exceeds the cut score.
        cut: The cut score the probability refers to.
        n: Answers the learner has given on this competency, over all quizzes and checks.
        updated_at: When it was last measured.
    """

    competency: str
    theta: float
    se: float
    p_mastery: float
    cut: float
    n: int
    updated_at: datetime


@dataclass(frozen=True)
class Exemption:
    """An exemption from a competency's modules, with the evidence it was granted on.

    Attributes:
        id: Row id.
        learner_id: Who is exempt.
        competency: From what.
        modules: The competency's modules when it was granted.
        evidence: The scored answers it rests on: [{"item": id, "correct": true|false|null}].
        theta: Ability estimate at the time.
        se: Its standard error.
        p_mastery: Probability of mastery at the time.
        cut: The competency's cut score.
        threshold: The mastery threshold in force.
        granted_at: When.
        overridden_by: Who revoked it, if anyone.
        overridden_at: When it was revoked.
    """

    id: int
    learner_id: str
    competency: str
    modules: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    theta: float
    se: float
    p_mastery: float
    cut: float
    threshold: float
    granted_at: datetime
    overridden_by: str | None = None
    overridden_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether the exemption still holds."""
        return self.overridden_at is None


@dataclass(frozen=True)
class CheckAttempt:
    """One mastery check: its outcome, estimate and the items asked and missed."""

    competency: str
    module_id: str | None
    passed: bool
    p_mastery: float
    theta: float
    se: float
    items: tuple[str, ...]
    missed: tuple[str, ...]
    at: datetime


class MasteryRepository:
    """Abilities, exemptions and check attempts of every learner."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_ability(self, learner_id: str, ability: Ability) -> None:
        """Store the latest estimate for a learner and competency (replacing the previous)."""
        values = {
            "theta": ability.theta,
            "se": ability.se,
            "p_mastery": ability.p_mastery,
            "cut": ability.cut,
            "n": ability.n,
            "updated_at": ability.updated_at,
        }
        key = (abilities.c.learner_id == learner_id, abilities.c.competency == ability.competency)
        note = (
            intake_notes.c.learner_id == learner_id,
            intake_notes.c.competency == ability.competency,
        )
        with self._engine.begin() as conn:
            # A measurement replaces what the intake quiz noted instead of one.
            conn.execute(delete(intake_notes).where(*note))
            done = conn.execute(update(abilities).where(*key).values(**values))
            if done.rowcount == 0:
                conn.execute(
                    insert(abilities).values(
                        learner_id=learner_id, competency=ability.competency, **values
                    )
                )

    def role_estimates(
        self, role_names: Sequence[str], competencies: Sequence[str]
    ) -> dict[str, list[tuple[float, float]]]:
        """Past learners' (estimate, standard error) per competency, for one role.

        Args:
            role_names: The names a profile's job role may hold for the role (its id and
                title), matched without regard to case.
            competencies: The competencies wanted.
        """
        names = [n.casefold() for n in role_names if n]
        if not names or not competencies:
            return {}
        query = (
            select(abilities.c.competency, abilities.c.theta, abilities.c.se)
            .join(profiles, profiles.c.learner_id == abilities.c.learner_id)
            .where(func.lower(profiles.c.job_role).in_(names))
            .where(abilities.c.competency.in_(list(competencies)))
        )
        found: dict[str, list[tuple[float, float]]] = {}
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                found.setdefault(row.competency, []).append((float(row.theta), float(row.se)))
        return found

    def save_intake_note(
        self, learner_id: str, competency: str, kind: str, *, now: datetime
    ) -> None:
        """Record why the intake quiz left a competency unmeasured ("new" or "not asked").

        Raises:
            ValueError: `kind` is not one of `NOTE_KINDS`.
        """
        if kind not in NOTE_KINDS:
            raise ValueError(f"intake note kind must be one of {NOTE_KINDS}, got {kind!r}")
        key = (intake_notes.c.learner_id == learner_id, intake_notes.c.competency == competency)
        with self._engine.begin() as conn:
            conn.execute(delete(intake_notes).where(*key))
            conn.execute(
                insert(intake_notes).values(
                    learner_id=learner_id, competency=competency, kind=kind, at=now
                )
            )

    def intake_notes(self, learner_id: str) -> dict[str, str]:
        """Competency -> "new" or "not asked", for competencies not measured since."""
        query = select(intake_notes).where(intake_notes.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            return {r["competency"]: r["kind"] for r in conn.execute(query).mappings()}

    def abilities(self, learner_id: str) -> dict[str, Ability]:
        """The learner's estimates by competency."""
        query = select(abilities).where(abilities.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            return {r["competency"]: _ability(r) for r in conn.execute(query).mappings()}

    def grant_exemption(
        self,
        learner_id: str,
        *,
        competency: str,
        modules: Sequence[str],
        evidence: Sequence[Mapping[str, Any]],
        theta: float,
        se: float,
        p_mastery: float,
        cut: float,
        threshold: float,
        dialog_id: str | None,
        now: datetime,
    ) -> bool:
        """Record an exemption; False when one is already active or an admin revoked one.

        A revocation sticks: new quiz results do not undo an admin's decision.
        """
        with self._engine.begin() as conn:
            existing = conn.execute(
                select(exemptions.c.overridden_at).where(
                    exemptions.c.learner_id == learner_id, exemptions.c.competency == competency
                )
            ).first()
            if existing is not None:
                return False
            conn.execute(
                insert(exemptions).values(
                    learner_id=learner_id,
                    competency=competency,
                    modules=list(modules),
                    evidence=[dict(e) for e in evidence],
                    theta=theta,
                    se=se,
                    p_mastery=p_mastery,
                    cut=cut,
                    threshold=threshold,
                    dialog_id=dialog_id,
                    granted_at=now,
                )
            )
        return True

    def exemptions(self, learner_id: str) -> list[Exemption]:
        """Every exemption of a learner, active or revoked, oldest first."""
        query = (
            select(exemptions)
            .where(exemptions.c.learner_id == learner_id)
            .order_by(exemptions.c.id)
        )
        with self._engine.connect() as conn:
            return [_exemption(r) for r in conn.execute(query).mappings()]

    def exempted_competencies(self, learner_id: str) -> frozenset[str]:
        """Competencies whose modules the learner is exempt from."""
        return frozenset(e.competency for e in self.exemptions(learner_id) if e.active)

    def revoke(self, learner_id: str, competency: str, *, by: str, now: datetime) -> int:
        """Revoke the learner's active exemption from a competency; returns how many."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(exemptions)
                .where(
                    exemptions.c.learner_id == learner_id,
                    exemptions.c.competency == competency,
                    exemptions.c.overridden_at.is_(None),
                )
                .values(overridden_by=by[:200], overridden_at=now)
            )
        return int(done.rowcount)

    def record_check(
        self, learner_id: str, attempt: CheckAttempt, *, dialog_id: str | None
    ) -> bool:
        """Store a check attempt once per dialog; False if this dialog's was already stored."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(mastery_checks).values(
                        learner_id=learner_id,
                        competency=attempt.competency,
                        module_id=attempt.module_id,
                        passed=attempt.passed,
                        p_mastery=attempt.p_mastery,
                        theta=attempt.theta,
                        se=attempt.se,
                        items=list(attempt.items),
                        missed=list(attempt.missed),
                        dialog_id=dialog_id,
                        at=attempt.at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def checks(self, learner_id: str, competency: str) -> list[CheckAttempt]:
        """The learner's check attempts on a competency, oldest first."""
        query = (
            select(mastery_checks)
            .where(
                mastery_checks.c.learner_id == learner_id,
                mastery_checks.c.competency == competency,
            )
            .order_by(mastery_checks.c.id)
        )
        with self._engine.connect() as conn:
            return [_check(r) for r in conn.execute(query).mappings()]

    def failures_since_pass(self, learner_id: str, competency: str) -> list[CheckAttempt]:
        """The failed attempts after the learner's last passed check (all, if none passed)."""
        streak: list[CheckAttempt] = []
        for attempt in self.checks(learner_id, competency):
            streak = [] if attempt.passed else [*streak, attempt]
        return streak


def _ability(r: Any) -> Ability:
    return Ability(
        r["competency"], r["theta"], r["se"], r["p_mastery"], r["cut"], r["n"], r["updated_at"]
    )


def _exemption(r: Any) -> Exemption:
    return Exemption(
        id=r["id"],
        learner_id=r["learner_id"],
        competency=r["competency"],
        modules=tuple(r["modules"]),
        evidence=tuple(r["evidence"]),
        theta=r["theta"],
        se=r["se"],
        p_mastery=r["p_mastery"],
        cut=r["cut"],
        threshold=r["threshold"],
        granted_at=r["granted_at"],
        overridden_by=r["overridden_by"],
        overridden_at=r["overridden_at"],
    )


def _check(r: Any) -> CheckAttempt:
    return CheckAttempt(
        competency=r["competency"],
        module_id=r["module_id"],
        passed=bool(r["passed"]),
        p_mastery=r["p_mastery"],
        theta=r["theta"],
        se=r["se"],
        items=tuple(r["items"]),
        missed=tuple(r["missed"]),
        at=r["at"],
    )
