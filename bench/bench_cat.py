"""Adaptive diagnostic: mastery accuracy vs items used (simulated and real data) and latency.

Usage: .venv/bin/python bench/bench_cat.py [--learners 1000] [--seed 2024] [--json]

`--json` runs only the learnbot diagnostic (default settings) on the simulated learners and
prints {"accuracy", "avg_items", "undecided"}, all fractions or means: accuracy is the share
of learners whose decision matches the truth (an undecided learner counts as wrong),
undecided the share left without a decision.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from learning.calibration import calibrate
from learning.cat import CatConfig, CatState, ItemBank, next_item, record, results
from learning.items import Item
from learning.simulate import (
    Answerer,
    BaselineOutcome,
    mastery_probabilities,
    run_diagnostic,
    se_stopped_cat,
    simulated_bank,
    simulated_learner,
    sprt,
)

IRT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "irt"
CUT = 0.5
Row = tuple[str, float, float, float, str]


def _answerer(row: np.ndarray, column: dict[str, int]) -> Callable[[Item], bool | None]:
    def answer(item: Item) -> bool | None:
        value = row[column[item.id]]
        return None if np.isnan(value) else bool(value)

    return answer


def _fixed(resp: np.ndarray, cols: np.ndarray, items: tuple[Item, ...]) -> np.ndarray:
    a = np.array([items[j].a for j in cols])
    b = np.array([items[j].b for j in cols])
    return mastery_probabilities(resp[:, cols], a=a, b=b, cut=CUT) >= 0.5


def simulation(learners: int, seed: int) -> list[Row]:
    """Every method on the same simulated learners and the same pre-drawn answers."""
    rng = np.random.default_rng(seed)
    items = simulated_bank(rng, n_items=200)
    bank = ItemBank(items)
    column = {item.id: j for j, item in enumerate(items)}
    theta = rng.normal(0.0, 1.0, learners)
    a, b = np.array([i.a for i in items]), np.array([i.b for i in items])
    p = 1.0 / (1.0 + np.exp(-a * (theta[:, None] - b)))
    resp = (rng.random(p.shape) < p).astype(np.float64)
    truth = theta > CUT
    form = rng.choice(len(items), 40, replace=False)
    rows: list[Row] = [
        ("random fixed form (40)", 40, 40, _acc(_fixed(resp, form, items), truth), "-"),
        ("whole bank (200)", 200, 200, _acc(_fixed(resp, np.arange(200), items), truth), "-"),
    ]
    baselines: dict[str, Callable[[Answerer], BaselineOutcome]] = {
        "SPRT (delta 0.3, max 40)": partial(sprt, items, cut=CUT, max_items=40),
        "CAT, stop at SE < 0.3": partial(se_stopped_cat, items, cut=CUT),
    }
    for name, run in baselines.items():
        outcomes = [run(_answerer(resp[i], column)) for i in range(learners)]
        used = [o.items_used for o in outcomes]
        decided = np.array([o.mastered for o in outcomes])
        p90 = float(np.percentile(used, 90))
        rows.append((name, float(np.mean(used)), p90, _acc(decided, truth), "-"))
    for name, config in {
        "learnbot diagnostic (defaults)": CatConfig(),
        "learnbot, no exposure control (top_k=1)": CatConfig(top_k=1),
        "learnbot, cheaper items (cost 0.0015)": CatConfig(item_cost=0.0015),
    }.items():
        rows.append(_learnbot(name, bank, resp, column=column, truth=truth, config=config))
    return rows


def _acc(decided: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(decided == truth))


def _learnbot(
    name: str,
    bank: ItemBank,
    resp: np.ndarray,
    *,
    column: dict[str, int],
    truth: np.ndarray,
    config: CatConfig,
) -> Row:
    used, decided, undetermined = [], [], 0
    for i in range(len(truth)):
        answer = _answerer(resp[i], column)
        state = run_diagnostic(
            bank, {"simulated": CUT}, answer, config=config, rng=random.Random(i)
        )
        result = results(state, bank, config=config)[0]
        used.append(result.items_used)
        decided.append(result.likely_mastered)
        undetermined += result.decision == "undetermined"
    acc = _acc(np.array(decided), truth)
    share = f"{100 * undetermined / len(truth):.1f}%"
    return name, float(np.mean(used)), float(np.percentile(used, 90)), acc, share


def summary(learners: int, seed: int, config: CatConfig | None = None) -> dict[str, float]:
    """The learnbot diagnostic on simulated learners: accuracy, mean items, share undecided."""
    config = config or CatConfig()
    rng = np.random.default_rng(seed)
    items = simulated_bank(rng, n_items=200)
    bank = ItemBank(items)
    theta = rng.normal(0.0, 1.0, learners)
    used, right, undecided = [], 0, 0
    for i in range(learners):
        answer = simulated_learner({"simulated": float(theta[i])}, np.random.default_rng([seed, i]))
        state = run_diagnostic(
            bank, {"simulated": CUT}, answer, config=config, rng=random.Random(i)
        )
        result = results(state, bank, config=config)[0]
        used.append(result.items_used)
        undecided += result.decision == "undetermined"
        right += result.decision == ("mastered" if theta[i] > CUT else "not mastered")
    return {
        "accuracy": round(right / learners, 4),
        "avg_items": round(float(np.mean(used)), 2),
        "undecided": round(undecided / learners, 4),
    }


def _read(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def real_sets() -> dict[str, tuple[np.ndarray, list[str], list[str]]]:
    """Scored 0/1 matrices with item ids and each item's competency."""
    header, raw = _read(IRT / "sat12" / "SAT12_raw_choices.csv")
    key = np.array(json.loads((IRT / "sat12" / "key.json").read_text())["key"], dtype=np.float64)
    sat = (raw == key).astype(np.float64)
    spisa_head, spisa = _read_cols(IRT / "spisa" / "responses_with_covariates.csv", 45)
    topics = [json.loads(line)["topic"] for line in (IRT / "spisa" / "items.jsonl").open()]
    math_head, maths = _read(IRT / "mathexam14w" / "solved.csv")
    return {
        "SAT12 (32 items, keyed)": (sat, header, ["science"] * len(header)),
        "SPISA (5 topics x 9)": (spisa, spisa_head, topics),
        "MathExam14W (13 items)": (maths, math_head, ["maths"] * len(math_head)),
    }


def _read_cols(path: Path, n: int) -> tuple[list[str], np.ndarray]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0][:n], np.array([r[:n] for r in rows[1:]], dtype=np.float64)


ReplayRow = tuple[str, int, int, float, float, float, float]


def replay(seed: int) -> list[ReplayRow]:
    """Calibrate on half the examinees; adaptive vs fixed form on the other half's answers."""
    out = []
    for name, (resp, ids, comps) in real_sets().items():
        rng = np.random.default_rng(seed)
        order = rng.permutation(resp.shape[0])
        train, test = resp[order[: len(order) // 2]], resp[order[len(order) // 2 :]]
        with one_blas_thread():
            items = _calibrated_items(train, ids, comps)
        cuts = dict.fromkeys(comps, CUT)
        truth = _per_comp(test, items, cuts, lambda cols: cols)
        used, agree = _replay_adaptive(test, items, cuts, truth)
        per_comp = round(used / len(cuts))
        form = partial(_random_form, rng=rng, size=per_comp)
        fixed = _per_comp(test, items, cuts, form)
        fixed_agree = float(np.mean([fixed[c] == truth[c] for c in cuts]))
        masters = float(np.mean([truth[c] for c in cuts]))
        out.append((name, test.shape[0], len(ids), masters, used, agree, fixed_agree))
    return out


def _random_form(cols: np.ndarray, *, rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.choice(cols, size, replace=False)


def _replay_adaptive(
    test: np.ndarray, items: tuple[Item, ...], cuts: dict[str, float], truth: dict[str, np.ndarray]
) -> tuple[float, float]:
    """Average items used and agreement with ``truth`` of the diagnostic on real answers."""
    config = CatConfig(max_items=len(items))
    bank = ItemBank(items)
    column = {item.id: j for j, item in enumerate(items)}
    used: list[int] = []
    agree: list[bool] = []
    for i in range(test.shape[0]):
        answer = _answerer(test[i], column)
        state = run_diagnostic(bank, cuts, answer, config=config, rng=random.Random(i))
        res = results(state, bank, config=config)
        used.append(sum(r.items_used for r in res))
        agree.extend(r.likely_mastered == bool(truth[r.competency][i]) for r in res)
    return float(np.mean(used)), float(np.mean(agree))


def _calibrated_items(train: np.ndarray, ids: list[str], comps: list[str]) -> tuple[Item, ...]:
    params: dict[str, tuple[float, float]] = {}
    for comp in dict.fromkeys(comps):
        cols = [j for j, c in enumerate(comps) if c == comp]
        params.update(calibrate(train[:, cols], [ids[j] for j in cols]).items)
    return tuple(
        Item(id=i, stem=i, kind="single", options=(), competency=c, a=params[i][0], b=params[i][1])
        for i, c in zip(ids, comps, strict=True)
    )


def _per_comp(
    test: np.ndarray,
    items: tuple[Item, ...],
    cuts: dict[str, float],
    pick: Callable[[np.ndarray], np.ndarray],
) -> dict[str, np.ndarray]:
    """Mastery decisions per competency from the columns ``pick`` chooses among its items."""
    out = {}
    for comp in cuts:
        cols = pick(np.array([j for j, it in enumerate(items) if it.competency == comp]))
        out[comp] = _fixed(test, cols, items)
    return out


def latency(seed: int, sessions: int = 100) -> tuple[list[float], list[float]]:
    """Per-turn milliseconds of record + next_item, and with the JSON round trip added."""
    rng = np.random.default_rng(seed)
    items = simulated_bank(rng, n_items=1000)
    bank = ItemBank(items)
    config = CatConfig()
    core, full = [], []
    for s in range(sessions):
        theta, py_rng = float(rng.normal()), random.Random(s)
        stored = json.dumps(CatState.start({"simulated": CUT}).to_dict())
        item_id: str | None = None
        while True:
            t0 = time.perf_counter()
            state = CatState.from_dict(json.loads(stored))
            t1 = time.perf_counter()
            if item_id is not None:
                item = bank.by_id[item_id]
                correct = bool(rng.random() < 1 / (1 + np.exp(-item.a * (theta - item.b))))
                state = record(state, item, correct)
            item_id = next_item(state, bank, rng=py_rng, config=config)
            t2 = time.perf_counter()
            stored = json.dumps(state.to_dict())
            t3 = time.perf_counter()
            core.append((t2 - t1) * 1e3)
            full.append((t3 - t0) * 1e3)
            if item_id is None:
                break
    return core, full


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread: small matrices on a busy 2-core machine run far faster."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not a declared dependency; keep the configured pool
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = threadpool_limits(1)
    return limits


def _print_simulation(learners: int, seed: int) -> None:
    print(f"Simulation: 200-item 2PL bank, cut 0.5, {learners} learners, seed {seed}")
    print(f"{'method':42} {'avg items':>9} {'p90':>5} {'accuracy':>9} {'undetermined':>13}")
    for name, avg, p90, acc, und in simulation(learners, seed):
        print(f"{name:42} {avg:9.1f} {p90:5.0f} {100 * acc:8.1f}% {und:>13}")


def _print_replay(seed: int) -> None:
    print("\nReal data: calibrate on one half, replay the other (truth: decision from all items)")
    head = ("data set", "learners", "items", "masters", "adaptive items", "agree", "fixed agree")
    print("{:26} {:>8} {:>5} {:>8} {:>14} {:>7} {:>11}".format(*head))
    for name, n, total, masters, used, agree, fixed in replay(seed):
        print(
            f"{name:26} {n:8d} {total:5d} {100 * masters:7.1f}% {used:14.1f} "
            f"{100 * agree:6.1f}% {100 * fixed:10.1f}%"
        )


def _print_latency(seed: int) -> None:
    core, full = latency(seed)
    core_q, full_q = statistics.quantiles(core, n=100), statistics.quantiles(full, n=100)
    print(f"\nLatency per turn, 1,000-item bank, {len(core)} turns:")
    print(f"  record + next_item        p50 {core_q[49]:.2f} ms  p95 {core_q[94]:.2f} ms")
    print(f"  with JSON load and save   p50 {full_q[49]:.2f} ms  p95 {full_q[94]:.2f} ms")


def main() -> None:
    """Run the simulation, the real-data replay and the latency test, printing tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON only")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(summary(args.learners, args.seed)))
        return
    started = time.perf_counter()
    _print_simulation(args.learners, args.seed)
    _print_replay(args.seed)
    _print_latency(args.seed)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
