"""2PL calibration: agreement with published estimates, convergence and run time.

Run time is shown with the BLAS thread pool as configured and limited to one thread: on a
busy 2-core machine, multi-threaded OpenBLAS on these small matrices is many times slower
(set OPENBLAS_NUM_THREADS=1 for the service).

Usage: .venv/bin/python bench/bench_calibration.py
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
from bench_cat import one_blas_thread, real_sets

from learning.calibration import CalibrationResult, calibrate

IRT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "irt"
LSAT = IRT / "lsat6_lsat7"


def _patterns(path: Path) -> np.ndarray:
    raw = np.genfromtxt(path, delimiter=",", skip_header=1)
    return np.repeat(raw[:, :-1], raw[:, -1].astype(int), axis=0)


def _published() -> dict[str, list[tuple[float, float]]]:
    ref = json.loads((LSAT / "published_estimates.json").read_text())
    lsat6 = [(v["Dscrmn"], v["Dffclt"]) for v in ref["LSAT6_2PL_ltm"]["items"].values()]
    lsat7 = [
        (v["a1"], -v["d"] / v["a1"]) for v in ref["LSAT7_2PL_mirt_test_reference"]["items"].values()
    ]
    return {"LSAT6": lsat6, "LSAT7": lsat7}


def _simulated(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, b = np.exp(rng.normal(0.1, 0.25, 100)), rng.normal(0, 1, 100)
    theta = rng.normal(0, 1, (5000, 1))
    resp = (rng.random((5000, 100)) < 1 / (1 + np.exp(-a * (theta - b)))).astype(np.float64)
    resp[rng.random(resp.shape) < 0.3] = np.nan
    return resp


def _data_sets() -> dict[str, np.ndarray]:
    sets = {"LSAT6": _patterns(LSAT / "LSAT6_patterns_mirt.csv")}
    sets["LSAT7"] = _patterns(LSAT / "LSAT7_patterns_mirt.csv")
    sets.update({name.split(" ")[0]: resp for name, (resp, _, _) in real_sets().items()})
    sets["simulated 5000x100, 30% missing"] = _simulated(7)
    return sets


def _timed(resp: np.ndarray) -> tuple[CalibrationResult, float]:
    ids = [f"item{j}" for j in range(resp.shape[1])]
    times, result = [], None
    for _ in range(3):
        started = time.perf_counter()
        result = calibrate(resp, ids)
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, statistics.median(times)


def _gap(name: str, result: CalibrationResult) -> str:
    reference = _published().get(name)
    if reference is None:
        return "-"
    estimates = list(result.items.values())
    gaps = [
        abs(x - y)
        for est, ref in zip(estimates, reference, strict=True)
        for x, y in zip(est, ref, strict=True)
    ]
    return f"{max(gaps):.4f}"


def main() -> None:
    """Calibrate every data set and print one row each."""
    head = ("data set", "learners", "items", "logLik", "iter", "conv", "ms", "ms 1thr", "max gap")
    print("{:34} {:>8} {:>5} {:>12} {:>5} {:>5} {:>8} {:>8} {:>8}".format(*head))
    for name, resp in _data_sets().items():
        result, seconds = _timed(resp)
        with one_blas_thread():
            _, single = _timed(resp)
        print(
            f"{name:34} {resp.shape[0]:8d} {resp.shape[1]:5d} {result.log_likelihood:12.3f} "
            f"{result.iterations:5d} {result.converged!s:>5} {1e3 * seconds:8.1f} "
            f"{1e3 * single:8.1f} {_gap(name, result):>8}"
        )
    print("max gap: largest |a| or |b| difference from the published LSAT6 (ltm) / LSAT7 (mirt)")


if __name__ == "__main__":
    main()
