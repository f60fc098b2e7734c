"""What a team report reads about many learners at once: mastery, check outcomes, last activity,
and every input the path planner needs, in a few queries per chunk of learners."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select

from bot.storage.learners import _profile_from_row
from bot.storage.org import Assignment
from bot.storage.paths import Progress
from bot.storage.tables import (
    abilities,
    activity,
    assignments,
    exemptions,
    intake_notes,
    learners,
    mastery_checks,
    module_progress,
    module_waivers,
    outbox,
    profiles,
    review_cards,
    role_assignments,
)
from bot.storage.types import one_of
from learning.profile import Profile

# Learners per `IN (...)` list: PostgreSQL plans these well, and the statement stays small.
CHUNK = 1000


@dataclass
class MemberInputs:
    """Everything stored about one learner that their path is planned from.

    The same facts the per-learner repositories return, in the same order: progress most
    recent first, assignments oldest first.
    """

    profile: Profile = field(default_factory=Profile)
    progress: list[Progress] = field(default_factory=list)
    waivers: dict[str, str] = field(default_factory=dict)
    roles: dict[str, datetime] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    mastery: dict[str, float] = field(default_factory=dict)
    exemptions: dict[str, str] = field(default_factory=dict)
    reviews_due: dict[str, datetime] = field(default_factory=dict)
    intake_notes: dict[str, str] = field(default_factory=dict)


@dataclass
class RiskRecords:
    """One learner's dated history the predicted-risk score is built from.

    Attributes:
        activity: Times of their activity entries.
        checks: (time, passed) of each mastery check.
        nudges: (sent at, answered) of each nudge sent to them.
        completed: Module id -> when it was completed.
    """

    activity: list[datetime] = field(default_factory=list)
    checks: list[tuple[datetime, bool]] = field(default_factory=list)
    nudges: list[tuple[datetime, bool]] = field(default_factory=list)
    completed: dict[str, datetime] = field(default_factory=dict)


def chunks(ids: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    """The ids in lists of at most `size`."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class TeamRepository:
    """Reads for manager reports, one query per kind of fact for the whole team."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def member_inputs(self, learner_ids: Sequence[str]) -> dict[str, MemberInputs]:
        """Learner id -> their planner inputs (every id present), nine queries per chunk."""
        out = {i: MemberInputs() for i in learner_ids}
        with self._engine.connect() as conn:
            for ids in chunks(list(out)):
                for r in conn.execute(
                    select(profiles).where(one_of(profiles.c.learner_id, ids, engine=self._engine))
                ).mappings():
                    out[r["learner_id"]].profile = _profile_from_row(r)
                query = (
                    select(module_progress)
                    .where(one_of(module_progress.c.learner_id, ids, engine=self._engine))
                    .order_by(module_progress.c.at.desc(), module_progress.c.module_id)
                )
                for r in conn.execute(query).mappings():
                    out[r["learner_id"]].progress.append(
                        Progress(r["module_id"], r["status"], r["at"], r["completed_at"])
                    )
                for r in conn.execute(
                    select(module_waivers).where(
                        one_of(module_waivers.c.learner_id, ids, engine=self._engine)
                    )
                ).mappings():
                    out[r["learner_id"]].waivers[r["module_id"]] = r["waiver_id"]
                for r in conn.execute(
                    select(role_assignments).where(
                        one_of(role_assignments.c.learner_id, ids, engine=self._engine)
                    )
                ).mappings():
                    out[r["learner_id"]].roles[r["role_id"]] = r["since"]
                query = (
                    select(assignments)
                    .where(one_of(assignments.c.learner_id, ids, engine=self._engine))
                    .order_by(assignments.c.at, assignments.c.module_id)
                )
                for r in conn.execute(query).mappings():
                    out[r["learner_id"]].assignments.append(Assignment(**dict(r)))
                query = select(
                    abilities.c.learner_id, abilities.c.competency, abilities.c.p_mastery
                ).where(one_of(abilities.c.learner_id, ids, engine=self._engine))
                for row in conn.execute(query):
                    out[row.learner_id].mastery[row.competency] = row.p_mastery
                query = (
                    select(exemptions.c.learner_id, exemptions.c.competency, exemptions.c.id)
                    .where(
                        one_of(exemptions.c.learner_id, ids, engine=self._engine),
                        exemptions.c.overridden_at.is_(None),
                    )
                    .order_by(exemptions.c.id)
                )
                for row in conn.execute(query):
                    out[row.learner_id].exemptions[row.competency] = f"exemption:{row.id}"
                query = select(
                    intake_notes.c.learner_id, intake_notes.c.competency, intake_notes.c.kind
                ).where(intake_notes.c.learner_id.in_(ids))
                for row in conn.execute(query):
                    out[row.learner_id].intake_notes[row.competency] = row.kind
                due = func.min(review_cards.c.due_at, type_=review_cards.c.due_at.type)
                query = (
                    select(review_cards.c.learner_id, review_cards.c.module_id, due.label("due"))
                    .where(
                        one_of(review_cards.c.learner_id, ids, engine=self._engine),
                        review_cards.c.module_id.is_not(None),
                    )
                    .group_by(review_cards.c.learner_id, review_cards.c.module_id)
                )
                for row in conn.execute(query):
                    if row.module_id:
                        out[row.learner_id].reviews_due[row.module_id] = row.due
        return out

    def mastery(self, learner_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Learner id -> competency -> probability of mastery, for learners with estimates."""
        out: dict[str, dict[str, float]] = {}
        query = select(abilities.c.learner_id, abilities.c.competency, abilities.c.p_mastery)
        with self._engine.connect() as conn:
            for ids in chunks(learner_ids):
                for row in conn.execute(
                    query.where(one_of(abilities.c.learner_id, ids, engine=self._engine))
                ):
                    out.setdefault(row.learner_id, {})[row.competency] = float(row.p_mastery)
        return out

    def failure_streaks(self, learner_ids: Sequence[str]) -> dict[tuple[str, str], int]:
        """(learner id, competency) -> how many of the latest mastery checks failed in a row.

        Every pair with at least one check is present; a last check that passed gives 0.
        """
        query = select(
            mastery_checks.c.learner_id, mastery_checks.c.competency, mastery_checks.c.passed
        ).order_by(mastery_checks.c.id)
        runs: dict[tuple[str, str], int] = {}
        with self._engine.connect() as conn:
            for ids in chunks(learner_ids):
                for row in conn.execute(
                    query.where(one_of(mastery_checks.c.learner_id, ids, engine=self._engine))
                ):
                    key = (row.learner_id, row.competency)
                    runs[key] = 0 if row.passed else runs.get(key, 0) + 1
        return runs

    def last_activity(self, learner_ids: Sequence[str]) -> dict[str, datetime]:
        """Learner id -> time of their latest activity entry (learners with none are absent)."""
        last = func.max(activity.c.at, type_=activity.c.at.type).label("last")
        query = select(activity.c.learner_id, last).group_by(activity.c.learner_id)
        out: dict[str, datetime] = {}
        with self._engine.connect() as conn:
            for ids in chunks(learner_ids):
                for row in conn.execute(
                    query.where(one_of(activity.c.learner_id, ids, engine=self._engine))
                ):
                    if row.last is not None:
                        out[row.learner_id] = row.last
        return out

    def first_seen(self, learner_ids: Sequence[str]) -> dict[str, datetime]:
        """Learner id -> when learnbot first met them (a query per thousand)."""
        out: dict[str, datetime] = {}
        with self._engine.connect() as conn:
            for ids in chunks(learner_ids):
                query = select(learners.c.id, learners.c.created_at).where(
                    one_of(learners.c.id, ids, engine=self._engine)
                )
                out.update({row.id: row.created_at for row in conn.execute(query)})
        return out

    def risk_records(
        self, learner_ids: Sequence[str], *, latest_only: bool = False
    ) -> dict[str, RiskRecords]:
        """Learner id -> their dated activity, checks, nudges and completions (every id
        present), four queries per chunk; `latest_only` reads only the latest activity."""
        out = {i: RiskRecords() for i in learner_ids}
        latest = func.max(activity.c.at, type_=activity.c.at.type).label("at")
        with self._engine.connect() as conn:
            for ids in chunks(list(out)):
                if latest_only:
                    query = (
                        select(activity.c.learner_id, latest)
                        .where(activity.c.learner_id.in_(ids))
                        .group_by(activity.c.learner_id)
                    )
                else:
                    query = select(activity.c.learner_id, activity.c.at).where(
                        activity.c.learner_id.in_(ids)
                    )
                for act in conn.execute(query):
                    out[act.learner_id].activity.append(act.at)
                query = select(
                    mastery_checks.c.learner_id, mastery_checks.c.at, mastery_checks.c.passed
                ).where(mastery_checks.c.learner_id.in_(ids))
                for check in conn.execute(query):
                    out[check.learner_id].checks.append((check.at, bool(check.passed)))
                query = select(outbox.c.learner_id, outbox.c.sent_at, outbox.c.response).where(
                    outbox.c.learner_id.in_(ids), outbox.c.sent_at.is_not(None)
                )
                for sent in conn.execute(query):
                    out[sent.learner_id].nudges.append((sent.sent_at, sent.response is not None))
                query = select(
                    module_progress.c.learner_id,
                    module_progress.c.module_id,
                    module_progress.c.completed_at,
                ).where(
                    module_progress.c.learner_id.in_(ids),
                    module_progress.c.completed_at.is_not(None),
                )
                for done in conn.execute(query):
                    out[done.learner_id].completed[done.module_id] = done.completed_at
        return out
