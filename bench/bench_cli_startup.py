"""How long `learnbot --help` takes, end to end, as a user would run it (target: under 0.5 s)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def main() -> None:
    """Run `learnbot --help` repeatedly and print the median and worst wall time."""
    exe = Path(sys.executable).with_name("learnbot")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(
        f"learnbot --help over {RUNS} runs: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms (target < 500 ms)"
    )


if __name__ == "__main__":
    main()
