"""The predicted-risk score for a team report: histories from the repositories, the model
trained on every learner whose outcome is known, and each member's score with its reasons.

The fitting and the features are pure, in `learning/risk_model.py`; here the stored history
is read (through `services.team_stats`) and the report's plans supply the required modules.
The trained model (or the rules' fallback) is kept per database by `TrainedModels` for
RETRAIN_AFTER within one UTC day; members are scored afresh at every report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Services
from bot.core import messages as msg
from bot.storage.team import RiskRecords
from learning.path_model import Step
from learning.profile import Profile
from learning.risk_model import (
    FLAG_AT,
    MIN_EACH_OUTCOME,
    MIN_SAMPLE,
    DueModule,
    History,
    Prediction,
    Trained,
    predict,
    train,
)

# Learners whose histories the model is trained on at most: the oldest in the database.
TRAIN_POPULATION = 1000
# How long a trained model is reused before a report trains it again (and never past the UTC
# day it was trained on): outcomes become known and histories grow slowly, so a few hours'
# staleness changes few examples, while training costs a report about a thousand plans.
RETRAIN_AFTER = timedelta(hours=6)

REASON_TEXT = {
    "idle_days": msg.RISK_WHY_IDLE,
    "behind": msg.RISK_WHY_BEHIND,
    "load": msg.RISK_WHY_LOAD,
    "failed_checks": msg.RISK_WHY_FAILED,
    "nudges_ignored": msg.RISK_WHY_IGNORED,
    "tenure_weeks": msg.RISK_WHY_TENURE,
}


@dataclass(frozen=True)
class Planned:
    """One learner's planned steps and profile, as the report planned them."""

    steps: tuple[Step, ...]
    profile: Profile


def history(planned: Planned, records: RiskRecords, first_seen: datetime) -> History:
    """A learner's `History` value from their plan and their dated records."""
    required = tuple(
        DueModule(s.module_id, s.minutes, s.due_at, records.completed.get(s.module_id))
        for s in planned.steps
        if s.required and s.due_at is not None
    )
    return History(
        first_seen=first_seen,
        required=required,
        activity=tuple(records.activity),
        checks=tuple(records.checks),
        nudges=tuple(records.nudges),
        pace=planned.profile.pace,
        session_minutes=planned.profile.session_minutes,
    )


def histories(
    services: Services, plans: Mapping[str, Planned], *, latest_only: bool = False
) -> dict[str, History]:
    """Every planned learner's history, read in a few queries per thousand learners.

    `latest_only` reads only each learner's latest activity: enough to predict now (every
    feature at `now` needs only that), not to train (which looks from a past instant).
    """
    ids = list(plans)
    records = services.team_stats.risk_records(ids, latest_only=latest_only)
    first = services.team_stats.first_seen(ids)
    return {i: history(plans[i], records[i], first[i]) for i in ids if i in first}


@dataclass(frozen=True)
class RiskScores:
    """The trained model (or the fallback) and each scored member's prediction."""

    trained: Trained
    predictions: Mapping[str, Prediction]

    @property
    def basis(self) -> str:
        """What flagged the members, in words: the model and its sample, or the rules and why."""
        t = self.trained
        if t.enough:
            return msg.RISK_BASIS_MODEL.format(
                examples=msg.plural(t.examples, "learner"), late=t.positives, flag=f"{FLAG_AT:.0%}"
            )
        return msg.RISK_BASIS_RULES.format(
            examples=t.examples,
            late=t.positives,
            min=msg.plural(MIN_SAMPLE, "learner"),
            each=MIN_EACH_OUTCOME,
        )


class TrainedModels:
    """The model (or the fallback) each database trained last, reused while it is fresh.

    One is built per process in the composition root (`bot.app`); entries are keyed by the
    database, so two databases (two organisations) never share a model. An entry is stale
    RETRAIN_AFTER after its training, on another UTC day, or when the clock went back.

    Attributes:
        trainings: How many times a model was trained through this object.
    """

    def __init__(self, *, retrain_after: timedelta = RETRAIN_AFTER) -> None:
        self._retrain_after = retrain_after
        self._entries: dict[str, tuple[datetime, Trained]] = {}
        self._lock = threading.Lock()
        self.trainings = 0

    def trained(self, database: str, *, now: datetime, train: Callable[[], Trained]) -> Trained:
        """The model `database` trained last if still fresh at `now`, else `train()`'s, kept.

        Reports that arrive together wait for one training rather than each training.
        """
        with self._lock:
            hit = self._entries.get(database)
            if hit is not None and self._fresh(hit[0], now):
                return hit[1]
            got = train()
            self.trainings += 1
            self._entries[database] = (now, got)
            return got

    def _fresh(self, at: datetime, now: datetime) -> bool:
        return at <= now < at + self._retrain_after and at.date() == now.date()


def train_oldest(
    services: Services,
    plans: Mapping[str, Planned],
    plan: Callable[[list[str]], Mapping[str, Planned]],
    *,
    now: datetime,
) -> Trained:
    """Train on the TRAIN_POPULATION oldest learners (most likely to have a known outcome),
    planned by `plan` unless `plans` (the report's) has them already."""
    ids = services.learners.all_ids()[:TRAIN_POPULATION]
    planned = {i: plans[i] for i in ids if i in plans}
    planned.update(plan([i for i in ids if i not in plans]))
    return train(histories(services, planned).values(), now=now)


def score(trained: Trained, members: Mapping[str, History], *, now: datetime) -> RiskScores:
    """Score the members who have a target date ahead with the trained model (no scores when
    the rules are used instead)."""
    if trained.model is None:
        return RiskScores(trained, {})
    out = {}
    for learner_id, member in members.items():
        got = predict(trained.model, member, now=now)
        if got is not None:
            out[learner_id] = got
    return RiskScores(trained, out)


def reasons_text(prediction: Prediction) -> str:
    """The prediction and its top reasons, in words."""
    why = ", ".join(REASON_TEXT[name] for name, _ in prediction.reasons)
    return msg.RISK_PREDICTED.format(
        p=f"{prediction.probability * 100:.0f}%", why=why or msg.RISK_WHY_NONE
    )
