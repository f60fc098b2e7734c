"""What "Not helpful" adjustments cost an answer: ask latency on the sample library with 0,
100 and 1,000 stored adjustments (each read and compared at every question).

Usage:
    .venv/bin/python bench/bench_feedback.py [--questions 40]

The sample library is ingested into a temporary learnbot home; adjustments are made by
rating real answers to the sample questions "Not helpful" (their vectors come from the
library's model), repeated to reach the count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.settings import apply_runtime_env  # noqa: E402

apply_runtime_env()

from bot.app import build_app  # noqa: E402
from bot.core.events import Identity, UserInfo  # noqa: E402
from bot.features.gaps import GapLog  # noqa: E402
from bot.sample import sample_dir  # noqa: E402
from bot.settings import Settings  # noqa: E402


def _latency(library, questions: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for q in questions:
        start = time.perf_counter()
        library.ask(q, roles=None)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in (sample_dir() / "questions.jsonl").read_text().splitlines()
    ]
    questions = [r["question"] for r in rows][: args.questions]
    with tempfile.TemporaryDirectory() as home:
        core = build_app(Settings(LEARNBOT_HOME=Path(home), _env_file=None))
        services = core.services
        library = services.library.get()
        library.ingest([sample_dir() / "content"])
        now = services.clock.now()
        learner = services.learners.resolve(Identity.parse("bench"), UserInfo(), now=now)
        log = GapLog(services.gaps, library)
        answers = []
        for q in questions:
            result = library.ask(q, roles=None)
            if result.confident:
                sources = [{"module_id": s.module_id, "section": s.section} for s in result.sources]
                answers.append((q, sources))
        _latency(library, questions[:5])  # warm up
        made = 0
        for target in (0, 100, 1000):
            while made < target:
                q, sources = answers[made % len(answers)]
                answer_id = library.content.record_answer(
                    learner_id=learner.id, question=q, sources=sources, now=now
                )
                log.not_helpful(log.repo.answer(answer_id) or {}, reason="bench", now=now)
                made += 1
            median, p95 = _latency(library, questions)
            print(f"{target:>5} adjustments: median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
