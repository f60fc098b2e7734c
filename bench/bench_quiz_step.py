"""One quiz answer in chat, end to end: click -> stored answer -> feedback and next question.

Usage: .venv/bin/python bench/bench_quiz_step.py [--learners 20] [--sizes 200,1000]

Measures `Router.handle` for answer clicks on a SQLite file (load the bank, score, update the
posterior, choose the next item, estimate items left, save the dialog, record the answer),
and separately the pure part (selection + update + items-left estimate).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.app import build_app
from bot.core.clock import FixedClock
from bot.core.events import ActionClicked, Channel, CommandInvoked, Identity
from bot.dialogs.engine import DIALOG_ACTION
from bot.dialogs.quiz import LIMITS
from bot.settings import Settings
from learning.cat import CatConfig, CatState, ItemBank, next_item, record
from learning.cat_progress import expected_remaining
from learning.simulate import simulated_bank


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _bank(size: int) -> tuple:  # type: ignore[type-arg]
    rng = np.random.default_rng(size)
    half = size // 2
    items = simulated_bank(rng, n_items=half, competency="x")
    items += simulated_bank(rng, n_items=size - half, competency="y")
    return tuple(replace(i, id=f"{i.id}") for i in items)


def chat_steps(size: int, learners: int) -> list[float]:
    """Milliseconds per answer click through the whole core."""
    home = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
    clock = FixedClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=clock)
    core.services.items.import_items(_bank(size), source="bench", now=clock.now())
    timings: list[float] = []
    for k in range(learners):
        who = Identity("terminal", "local", f"l{k}")
        channel = Channel(f"dm-l{k}")
        core.router.handle(CommandInvoked(identity=who, channel=channel, text="quiz"))
        learner = core.services.learners.find(who)
        assert learner is not None
        while (record_ := core.services.dialogs.active(learner.id, "quiz")) is not None:
            value = f"{record_.id}:{record_.step}:true"
            event = ActionClicked(identity=who, channel=channel, action=DIALOG_ACTION, value=value)
            start = time.perf_counter()
            core.router.handle(event)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def pure_steps(size: int, learners: int) -> list[float]:
    """Milliseconds per selection + update + items-left estimate, without storage."""
    bank = ItemBank(_bank(size))
    low, high, total = LIMITS["quiz"]
    config = CatConfig(min_items=low, max_items=high, max_total_items=total)
    rng = random.Random(1)
    timings: list[float] = []
    for _ in range(learners):
        state = CatState.start({"x": 0.0, "y": 0.0})
        while True:
            start = time.perf_counter()
            item_id = next_item(state, bank, rng=rng, config=config)
            if item_id is None:
                break
            state = record(state, bank.by_id[item_id], rng.random() < 0.6)
            expected_remaining(state, bank, config=config)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    """Print a table of step latencies per bank size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--sizes", default="200,1000")
    args = parser.parse_args()
    print("| bank | part | steps | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for name, timings in (
            ("pure: select + update + items left", pure_steps(size, args.learners)),
            ("chat: click to replies (SQLite)", chat_steps(size, args.learners)),
        ):
            print(
                f"| {size} | {name} | {len(timings)} | {statistics.median(timings):.1f} | "
                f"{_p(timings, 95):.1f} | {max(timings):.1f} |"
            )


if __name__ == "__main__":
    main()
