"""The predicted-risk model against the rules on simulated cohorts: Brier score and calibration.

Usage: .venv/bin/python bench/bench_risk.py [--learners 2000] [--seed 7] [--json]

Two cohorts are simulated with the same assumptions and different random draws. The model is
trained on the first (`learning.risk_model.train`, exactly as the team report trains it) and
scored on the second, 14 days before each learner's target date; the rules' flag is taken at
the same instant from the same history (`learning.risk_model.rule_flags`).

Simulation assumptions (every one is a choice, not a measurement):
- Each learner has a latent engagement e ~ N(0, 1), which shifts by N(0, 0.7) once, at a
  uniformly drawn day of their course (after the shift, the past predicts less), and a pace
  (light 30%, normal 50%, intensive 20%) with 15- or 30-minute sessions (half each).
- They join on a day drawn uniformly from the cohort's first 30 days. Their role requires 5
  modules of 15-60 minutes (uniform, in steps of 5), due 14, 21, 28, 35 and 42 days after
  joining, stretched by a role factor of 1, 1.5 or 2 (a third each).
- Each day, until the last module is done, an active learner studies with probability
  sigmoid(-0.6 + 1.1 e + 0.4 [pace is intensive] - 0.4 [pace is light]); a study day is one
  activity entry and one session of study time on the first unfinished module.
- Finishing a module takes a mastery check, passed with probability sigmoid(0.8 + e); a
  failed check costs another session on that module.
- Each day a learner may drop out for good with probability 0.012 * exp(-0.8 e); a
  dropped learner never studies again.
- After 3 days without study, a nudge is sent (at most one every 3 days); it is answered
  (which counts as activity) with probability sigmoid(0.3 + e) while the learner is active,
  never after dropping out.
- The outcome is the team report's: some required module not completed by its due date.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from learning.logistic import brier, calibration_table
from learning.risk_model import (
    FEATURES,
    HORIZON,
    DueModule,
    History,
    example,
    features,
    rule_flags,
    train,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DUE_DAYS = (14, 21, 28, 35, 42)
PACE_BOOST = {"light": -0.4, "normal": 0.0, "intensive": 0.4}


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def simulate(rng: random.Random) -> History:
    """One learner's history under the stated assumptions."""
    e = rng.gauss(0, 1)
    pace = rng.choices(["light", "normal", "intensive"], [0.3, 0.5, 0.2])[0]
    session = rng.choice([15, 30])
    joined = START + timedelta(days=rng.randrange(30))
    minutes = [rng.randrange(15, 61, 5) for _ in DUE_DAYS]
    stretch = rng.choice([1.0, 1.5, 2.0])
    due_days = [round(d * stretch) for d in DUE_DAYS]
    shift_day, shift = rng.randrange(due_days[-1]), rng.gauss(0, 0.7)
    left = list(minutes)
    completed: list[datetime | None] = [None] * len(DUE_DAYS)
    activity, checks, nudges = [], [], []
    dropped, idle, since_nudge = False, 0, 99
    for day in range(due_days[-1] + 7):
        if day == shift_day:
            e += shift
        at = joined + timedelta(days=day, hours=rng.randrange(9, 17))
        if all(c is not None for c in completed):
            break
        if not dropped and rng.random() < 0.012 * math.exp(-0.8 * e):
            dropped = True
        studies = not dropped and rng.random() < _sig(-0.6 + 1.1 * e + PACE_BOOST[pace])
        if studies:
            idle = 0
            activity.append(at)
            k = next(i for i, c in enumerate(completed) if c is None)
            left[k] -= session
            if left[k] <= 0:
                passed = rng.random() < _sig(0.8 + e)
                checks.append((at, passed))
                if passed:
                    completed[k] = at
                else:
                    left[k] = session
            continue
        idle += 1
        since_nudge += 1
        if idle >= 3 and since_nudge >= 3:
            since_nudge = 0
            answered = not dropped and rng.random() < _sig(0.3 + e)
            nudges.append((at, answered))
            if answered:
                activity.append(at)
    required = tuple(
        DueModule(f"m{i}", minutes[i], joined + timedelta(days=d), completed[i])
        for i, d in enumerate(due_days)
    )
    return History(
        first_seen=joined,
        required=required,
        activity=tuple(activity),
        checks=tuple(checks),
        nudges=tuple(nudges),
        pace=pace,
        session_minutes=session,
    )


def cohort(size: int, seed: int) -> list[History]:
    """`size` simulated learners from one seed."""
    rng = random.Random(seed)
    return [simulate(rng) for _ in range(size)]


def run(learners: int, seed: int) -> dict[str, object]:
    """Train on one cohort, evaluate on another; the measures as a dict."""
    end = START + timedelta(days=30 + 2 * DUE_DAYS[-1] + 8)
    trained = train(cohort(learners, seed), now=end)
    if trained.model is None:
        raise SystemExit(f"the training cohort is below the minimum sample: {trained}")
    predicted, rules, observed, open_ = [], [], [], []
    for h in cohort(learners, seed + 1):
        ex = example(h, now=end)
        target = h.target
        if ex is None or target is None:
            continue
        at = target - HORIZON
        x = features(h, at=at)
        assert x is not None
        predicted.append(trained.model.predict(x))
        rules.append(int(rule_flags(h, at=at)))
        observed.append(ex[1])
        # Not yet decided: no required module already past its due date unfinished at `at`.
        open_.append(
            not any(
                m.due_at <= at and (m.completed_at is None or m.completed_at > m.due_at)
                for m in h.required
            )
        )
    base = sum(observed) / len(observed)
    flagged = [int(p >= 0.5) for p in predicted]

    def precision_recall(flags: list[int]) -> tuple[float, float]:
        hits = sum(f and o for f, o in zip(flags, observed, strict=True))
        return hits / max(1, sum(flags)), hits / max(1, sum(observed))

    intercept, raw = trained.model.raw_coefficients()
    return {
        "train": {"examples": trained.examples, "missed": trained.positives},
        "test": {"examples": len(observed), "missed": sum(observed), "base_rate": base},
        "brier_model": brier(predicted, observed),
        "brier_rules": brier([float(r) for r in rules], observed),
        "brier_base_rate": brier([base] * len(observed), observed),
        "undecided_at_snapshot": _subset(predicted, rules, observed, open_),
        "model_flag_precision_recall": precision_recall(flagged),
        "rules_flag_precision_recall": precision_recall(rules),
        "calibration": [
            {"n": b.count, "predicted": b.predicted, "observed": b.observed}
            for b in calibration_table(predicted, observed)
        ],
        "rules_calibration": {
            str(flag): {
                "n": sum(1 for r in rules if r == flag),
                "observed": sum(o for r, o in zip(rules, observed, strict=True) if r == flag)
                / max(1, sum(1 for r in rules if r == flag)),
            }
            for flag in (0, 1)
        },
        "coefficients_standardised": dict(zip(FEATURES, trained.model.coef, strict=True)),
        "coefficients_raw": {"intercept": intercept, **dict(zip(FEATURES, raw, strict=True))},
    }


def _subset(
    predicted: list[float], rules: list[int], observed: list[int], keep: list[bool]
) -> dict[str, float]:
    """Brier scores over the learners whose outcome was not yet decided at the snapshot."""
    p = [x for x, k in zip(predicted, keep, strict=True) if k]
    r = [float(x) for x, k in zip(rules, keep, strict=True) if k]
    o = [x for x, k in zip(observed, keep, strict=True) if k]
    base = sum(o) / len(o)
    return {
        "examples": len(o),
        "missed": sum(o),
        "brier_model": brier(p, o),
        "brier_rules": brier(r, o),
        "brier_base_rate": brier([base] * len(o), o),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args.learners, args.seed)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"train {out['train']}  test {out['test']}")
    for key in ("brier_model", "brier_rules", "brier_base_rate"):
        print(f"{key}: {out[key]:.4f}")
    print("not yet decided at the snapshot:", out["undecided_at_snapshot"])
    print("model flag (p >= 0.5) precision/recall:", out["model_flag_precision_recall"])
    print("rules flag precision/recall:", out["rules_flag_precision_recall"])
    print("| decile | n | mean predicted | observed |")
    print("|---|---|---|---|")
    for i, b in enumerate(out["calibration"], 1):  # type: ignore[arg-type]
        print(f"| {i} | {b['n']} | {b['predicted']:.3f} | {b['observed']:.3f} |")
    print("rules:", out["rules_calibration"])
    print("coefficients (standardised):", out["coefficients_standardised"])


if __name__ == "__main__":
    main()
