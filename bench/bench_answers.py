"""Selective answering: fit the answer/refuse model and measure it on two libraries.

Usage:
    .venv/bin/python bench/bench_answers.py [--sample-home DIR] [--handbook-home DIR]

Each library is the sample library (bot/sample/content) or the 18F handbook corpus, ingested
into a temporary learnbot home unless a home that already holds it is given. Answerable: each
library's own questions (sample: bot/sample/questions.jsonl; handbook: its standalone
questions). Not answerable: bench/data/{sample,handbook}-off-topic.jsonl (the other corpus's
questions, minus those this library really answers, checked by hand, plus general off-topic
questions and, for the sample, bot/sample/unanswerable.txt).

The script prints the evidence averages, a cross-corpus check (fit on one library, tested on
the other), and the weights fitted on both, which `retrieval/confidence.py` carries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.settings import apply_runtime_env  # noqa: E402

apply_runtime_env()

from bot.app import build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from retrieval.confidence import (  # noqa: E402
    ANSWER_CUT,
    FEATURES,
    Evidence,
    gather_evidence,
    should_answer,
)

HANDBOOK = (REPO / ".." / "shared" / "data" / "handbook-18f").resolve()
SAMPLE = REPO / "bot" / "sample"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON lines file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def library(home: Path | None, content: Path, tmp: Path, name: str) -> Any:
    """A learnbot library holding `content`, ingested into `tmp/name` unless `home` has it."""
    target = home or tmp / name
    os.environ["LEARNBOT_HOME"] = str(target)
    core = build_app(load_settings())
    lib = core.services.library.get()  # type: ignore[union-attr]
    if home is None:
        lib.ingest([content])
    return lib


def evidence_for(lib: Any, questions: list[str]) -> list[Evidence]:
    """Evidence for each question, searched as `Library.ask` does (no audience)."""
    retriever = lib.retriever()
    found = []
    for question in questions:
        hits = retriever.search(question, k=10)
        unknown = retriever.unknown_share(question)
        found.append(
            gather_evidence(question, hits, modules=retriever.modules, unknown_share=unknown)
        )
    return found


def fit_logistic(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, ridge: float = 0.1
) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method with an L2 penalty (bias not penalised).

    Every (group, class) cell weighs the same in the loss, so the larger corpus and the larger
    class do not decide alone.
    """
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = np.eye(len(w)) * ridge
    penalty[0, 0] = 0.0
    weight = np.zeros(len(y))
    for group in np.unique(groups):
        for label in (0, 1):
            cell = (groups == group) & (y == label)
            weight[cell] = 1.0 / cell.sum()
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (weight * (p - y)) + penalty @ w
        hessian = design.T @ (design * (weight * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[1:], float(w[0])


def rates(answered: list[bool], labels: list[int]) -> tuple[float, float]:
    """(share of answerable questions answered, share of off-topic questions refused)."""
    pos = [a for a, y in zip(answered, labels, strict=True) if y == 1]
    neg = [a for a, y in zip(answered, labels, strict=True) if y == 0]
    return sum(pos) / len(pos), 1 - sum(neg) / len(neg)


def decide(evidence: list[Evidence], weights: np.ndarray, bias: float, cut: float) -> list[bool]:
    """The answer/refuse decision of a model with these weights (same rule as `should_answer`)."""
    import retrieval.confidence as confidence

    saved = confidence.WEIGHTS, confidence.BIAS
    confidence.WEIGHTS, confidence.BIAS = tuple(float(w) for w in weights), bias
    try:
        return [should_answer(e, cut=cut) for e in evidence]
    finally:
        confidence.WEIGHTS, confidence.BIAS = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-home", type=Path)
    parser.add_argument("--handbook-home", type=Path)
    args = parser.parse_args()
    sets: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        sample = library(args.sample_home, SAMPLE / "content", Path(tmp), "sample")
        handbook = library(args.handbook_home, HANDBOOK / "corpus", Path(tmp), "handbook")
        own = {
            "sample": [q["question"] for q in read_jsonl(SAMPLE / "questions.jsonl")],
            "handbook": [
                q["question"]
                for q in read_jsonl(HANDBOOK / "questions.jsonl")
                if not q["needs_context"]
            ],
        }
        for name, lib in (("sample", sample), ("handbook", handbook)):
            off = [
                q["question"]
                for q in read_jsonl(REPO / "bench" / "data" / f"{name}-off-topic.jsonl")
            ]
            evidence = evidence_for(lib, own[name] + off)
            sets[name] = {
                "evidence": evidence,
                "labels": [1] * len(own[name]) + [0] * len(off),
                "questions": own[name] + off,
                "groups": [name] * (len(own[name]) + len(off)),
            }
    report(sets)


def report(sets: dict[str, dict[str, Any]]) -> None:
    """Print the feature means, the cross-corpus check and the pooled fit."""
    print("\n### Evidence means (answerable / off-topic)\n")
    print("| library | " + " | ".join(FEATURES) + " |")
    print("|---|" + "---|" * len(FEATURES))
    for name, data in sets.items():
        x = np.array([e.as_vector() for e in data["evidence"]])
        y = np.array(data["labels"])
        cells = [
            f"{x[y == 1, i].mean():.2f} / {x[y == 0, i].mean():.2f}" for i in range(x.shape[1])
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n### Answered (answerable) and refused (off-topic)\n")
    print("| model | fitted on | tested on | answerable answered | off-topic refused |")
    print("|---|---|---|---|---|")
    for name, data in sets.items():
        floor = [_cosine_rule(e) for e in data["evidence"]]
        kept, refused = rates(floor, data["labels"])
        print(f"| cosine floor 0.35 only (before) | - | {name} | {kept:.3f} | {refused:.3f} |")
    for train, test in (("sample", "handbook"), ("handbook", "sample")):
        w, b = _fit(sets[train])
        kept, refused = rates(
            decide(sets[test]["evidence"], w, b, ANSWER_CUT), sets[test]["labels"]
        )
        print(f"| evidence model | {train} | {test} | {kept:.3f} | {refused:.3f} |")
    pooled = {
        "evidence": sets["sample"]["evidence"] + sets["handbook"]["evidence"],
        "labels": sets["sample"]["labels"] + sets["handbook"]["labels"],
        "groups": sets["sample"]["groups"] + sets["handbook"]["groups"],
    }
    w, b = _fit(pooled)
    for name, data in sets.items():
        answered = decide(data["evidence"], w, b, ANSWER_CUT)
        kept, refused = rates(answered, data["labels"])
        print(f"| evidence model | both | {name} | {kept:.3f} | {refused:.3f} |")
        wrong = [
            q
            for q, a, y in zip(data["questions"], answered, data["labels"], strict=True)
            if a != bool(y)
        ]
        print(f"|   misjudged in {name}: {len(wrong)} | | | | |")
        for q in wrong:
            print(f"|   {q} | | | | |")
    print("\n### Cut sweep, model fitted on both (answered / refused; six unanswerable refused)\n")
    unanswerable = set((SAMPLE / "unanswerable.txt").read_text().splitlines())
    for cut in (0.2, 0.3, 0.4, 0.5, 0.6):
        cells = []
        for name, data in sets.items():
            answered = decide(data["evidence"], w, b, cut)
            kept, refused = rates(answered, data["labels"])
            cells.append(f"{name} {kept:.3f} / {refused:.3f}")
            if name == "sample":
                six = sum(
                    not a
                    for q, a in zip(data["questions"], answered, strict=True)
                    if q in unanswerable
                )
                cells.append(f"unanswerable refused {six}/6")
        print(f"cut {cut}: " + "; ".join(cells))
    print("\nWEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + f")\nBIAS = {b:.3f}")


def _cosine_rule(e: Evidence) -> bool:
    """The decision before the evidence model: the cosine floor 0.35, and 0.6 when at least
    0.4 of the question's terms were unknown to the library."""
    if e.unknown_share >= 0.4:
        return e.top_dense >= 0.6
    return e.top_dense >= 0.35


def _fit(data: dict[str, Any]) -> tuple[np.ndarray, float]:
    x = np.array([e.as_vector() for e in data["evidence"]])
    y = np.array(data["labels"], dtype=float)
    return fit_logistic(x, y, np.array(data["groups"]))


if __name__ == "__main__":
    main()
