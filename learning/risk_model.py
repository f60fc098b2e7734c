"""The predicted-risk score: activity features, the outcome label and the minimum sample.

Pure: a learner's stored history is handed in as a `History` value and every function takes
the instant it looks from. The same features describe a learner 14 days before a past target
date (a training example whose outcome is known) and a learner now (a prediction), so the
model learns from what the report would have seen then.

The outcome: some required module was not completed by its due date (it went overdue, or the
path's required part was left unfinished at its target date, the last required due date).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from learning.logistic import Logistic, fit
from learning.risk import PathWork, due_shortfall, inactive, pace_minutes

HORIZON = timedelta(days=14)
MIN_SAMPLE = 100
MIN_EACH_OUTCOME = 10
FLAG_AT = 0.5
L2 = 1.0
FEATURES = (
    "idle_days",
    "behind",
    "load",
    "failed_checks",
    "nudges_ignored",
    "tenure_weeks",
)
IDLE_CAP_DAYS = 60.0
LOAD_CAP = 5.0
COUNT_CAP = 20.0
TENURE_CAP_WEEKS = 104.0


@dataclass(frozen=True)
class DueModule:
    """A required module with a due date, its minutes and when it was completed (if ever)."""

    module_id: str
    minutes: int
    due_at: datetime
    completed_at: datetime | None = None


@dataclass(frozen=True)
class History:
    """What is stored about one learner's learning, as plain values.

    Attributes:
        first_seen: When learnbot first met them.
        required: Required modules that carry a due date.
        activity: Times of their learning activity.
        checks: (time, passed) of each mastery check.
        nudges: (sent at, answered) of each nudge sent.
        pace: light, normal or intensive.
        session_minutes: Their usual session length.
    """

    first_seen: datetime
    required: tuple[DueModule, ...]
    activity: tuple[datetime, ...] = ()
    checks: tuple[tuple[datetime, bool], ...] = ()
    nudges: tuple[tuple[datetime, bool], ...] = ()
    pace: str = "normal"
    session_minutes: int = 15

    @property
    def target(self) -> datetime | None:
        """The path's target date: the last required due date (None without one)."""
        return max((m.due_at for m in self.required), default=None)


def outcome(history: History, *, now: datetime) -> int | None:
    """1 when a required module was not completed by its due date, 0 when all were, None
    while the target date is still ahead (the outcome is not known yet)."""
    target = history.target
    if target is None or target > now:
        return None
    late = any(m.completed_at is None or m.completed_at > m.due_at for m in history.required)
    return int(late)


def features(history: History, *, at: datetime) -> tuple[float, ...] | None:
    """The feature vector seen at `at`, looking towards the next target date after it.

    None when there is nothing to predict: no required due date after `at`, or a learner
    not yet known at `at`.
    """
    ahead = [m for m in history.required if m.due_at > at]
    if not ahead or history.first_seen > at:
        return None
    target = max(m.due_at for m in ahead)
    past = [t for t in history.activity if t <= at]
    idle = (at - max(past, default=history.first_seen)) / timedelta(days=1)
    total = sum(max(1, m.minutes) for m in history.required) or 1
    done = sum(
        max(1, m.minutes)
        for m in history.required
        if m.completed_at is not None and m.completed_at <= at
    )
    span = (target - history.first_seen) / timedelta(seconds=1) or 1.0
    elapsed = (at - history.first_seen) / timedelta(seconds=1) / span
    remaining = sum(m.minutes for m in ahead if m.completed_at is None or m.completed_at > at)
    free = pace_minutes(history.pace, history.session_minutes, target - at)
    failed = sum(1 for t, ok in history.checks if t <= at and not ok)
    ignored = sum(1 for t, answered in history.nudges if t <= at and not answered)
    tenure = (at - history.first_seen) / timedelta(weeks=1)
    return (
        min(idle, IDLE_CAP_DAYS),
        elapsed - done / total,
        min(remaining / free, LOAD_CAP) if free > 0 else LOAD_CAP,
        min(float(failed), COUNT_CAP),
        min(float(ignored), COUNT_CAP),
        math.log1p(min(tenure, TENURE_CAP_WEEKS)),
    )


def example(history: History, *, now: datetime) -> tuple[tuple[float, ...], int] | None:
    """A training example: features HORIZON before the target date, and the known outcome."""
    label = outcome(history, now=now)
    target = history.target
    if label is None or target is None:
        return None
    x = features(history, at=target - HORIZON)
    return None if x is None else (x, label)


@dataclass(frozen=True)
class Trained:
    """The outcome of training: a model, or why the rules are used instead.

    Attributes:
        model: The fitted model, or None when the sample is too small.
        examples: Learners with a known outcome.
        positives: How many of them missed a due date.
    """

    model: Logistic | None
    examples: int
    positives: int

    @property
    def enough(self) -> bool:
        """Whether the model is used (else the rules alone flag)."""
        return self.model is not None


def train(histories: Iterable[History], *, now: datetime, l2: float = L2) -> Trained:
    """Fit on every learner whose outcome is known, or fall back below the minimum sample.

    The model is fitted only with at least MIN_SAMPLE examples and MIN_EACH_OUTCOME of each
    outcome; fewer cannot say which features matter and would flag by noise.
    """
    rows, labels = [], []
    for h in histories:
        ex = example(h, now=now)
        if ex is not None:
            rows.append(ex[0])
            labels.append(ex[1])
    positives = sum(labels)
    if len(rows) < MIN_SAMPLE or min(positives, len(rows) - positives) < MIN_EACH_OUTCOME:
        return Trained(None, len(rows), positives)
    return Trained(fit(rows, labels, names=FEATURES, l2=l2), len(rows), positives)


@dataclass(frozen=True)
class Prediction:
    """One learner's predicted risk and the features that raise it most."""

    probability: float
    reasons: tuple[tuple[str, float], ...]

    @property
    def flagged(self) -> bool:
        """Whether the probability reaches FLAG_AT."""
        return self.probability >= FLAG_AT


def predict(model: Logistic, history: History, *, now: datetime, top: int = 2) -> Prediction | None:
    """The risk now and the `top` features pushing it up (None with nothing to predict)."""
    x = features(history, at=now)
    if x is None:
        return None
    parts = model.contributions(x)
    raising = sorted(((n, c) for n, c in parts.items() if c > 0), key=lambda p: -p[1])
    return Prediction(model.predict(x), tuple(raising[:top]))


def rule_flags(history: History, *, at: datetime, window: timedelta = HORIZON) -> bool:
    """The rules' flag seen at `at` from the same history (for comparing with the model):
    overdue, inactive for `window`, two failed checks, or remaining work beyond the pace."""
    todo = [m for m in history.required if m.completed_at is None or m.completed_at > at]
    if any(m.due_at <= at for m in todo):
        return True
    last = max((t for t in history.activity if t <= at), default=None)
    if inactive(
        first_seen=history.first_seen,
        last_activity=last,
        now=at,
        window=window,
        has_work=bool(todo),
    ):
        return True
    if sum(1 for t, ok in history.checks if t <= at and not ok) >= 2:
        return True
    work: Sequence[PathWork] = [
        PathWork(m.module_id, m.minutes, m.due_at) for m in sorted(todo, key=lambda m: m.due_at)
    ]
    shortfall = due_shortfall(
        work, now=at, pace=history.pace, session_minutes=history.session_minutes
    )
    return shortfall is not None
