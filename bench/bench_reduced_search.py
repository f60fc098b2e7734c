"""Answers with the Chroma server down (reduced mode) against the normal hybrid search.

Usage:
    .venv/bin/python bench/bench_reduced_search.py

The sample library is ingested into an embedded Chroma folder; its 43 sample questions are
asked through `Library.ask` normally, then by a second core on the same database whose
CHROMA_URL points at a port nobody listens on (every search finds the server unreachable and
falls back to BM25 candidates rescored by the local encoder). Reported per mode: questions
answered, answered from a gold module, and the mean and p95 time per question.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_app
from bot.sample import sample_dir
from bot.settings import Settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(library: Any, questions: list[dict[str, Any]]) -> dict[str, float]:
    library.ask("warm up the encoder and the index", roles=None)
    times, answered, right, reduced = [], 0, 0, 0
    for q in questions:
        start = time.perf_counter()
        result = library.ask(q["question"], roles=None)
        times.append(time.perf_counter() - start)
        reduced += result.reduced
        if result.confident:
            answered += 1
            gold = {g.removesuffix(".md") for g in q["gold"]}
            right += result.sources[0].module_id in gold
    times.sort()
    return {
        "answered": answered,
        "right": right,
        "reduced": reduced,
        "mean_ms": 1000 * statistics.mean(times),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
    }


def main() -> None:
    lines = (sample_dir() / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        normal = build_app(Settings(LEARNBOT_HOME=home, _env_file=None))  # type: ignore[call-arg]
        assert normal.services.library is not None
        library = normal.services.library.get()
        library.ingest([sample_dir() / "content"])
        results = {"normal": run(library, questions)}
        down = f"http://127.0.0.1:{closed_port()}"
        settings = Settings(LEARNBOT_HOME=home, CHROMA_URL=down, _env_file=None)  # type: ignore[call-arg]
        reduced = build_app(settings)
        assert reduced.services.library is not None
        results["chroma down"] = run(reduced.services.library.get(), questions)
    print(f"{len(questions)} sample questions")
    for mode, r in results.items():
        print(
            f"{mode:12} answered {r['answered']:.0f}, from a gold module {r['right']:.0f}, "
            f"reduced {r['reduced']:.0f}; mean {r['mean_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
