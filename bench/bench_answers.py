"""Selective answering: fit the answer/refuse model on the tuning libraries and measure it.

Usage:
    .venv/bin/python bench/bench_answers.py [--home NAME=DIR ...] [--debian-corpus DIR]

The tuning libraries are the sample library (bot/sample/content), the 18F handbook corpus and
the Debian Reference (`bench/build_debian_corpus.py`, default /tmp/debian-reference-corpus),
each ingested into a temporary learnbot home unless `--home NAME=DIR` names a home that
already holds it (NAME: sample, handbook, debian). Answerable: each library's own questions
with their gold documents; not answerable: bench/data/{sample,handbook,debian}-off-topic.jsonl.

A question counts as well answered when the extractive answer would cite a gold document;
the model is fitted to tell those apart from off-topic questions and from answerable
questions the answer would get wrong, each (library, class) cell weighing the same. The script
prints the evidence averages, the share of answers citing gold for each lead-module bonus, a
leave-one-library-out check, the cut sweep (precision, coverage, off-topic refused per
library) and the weights `retrieval/confidence.py` carries. The unseen library (the Debian
Administrator's Handbook) is not read here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.settings import apply_runtime_env  # noqa: E402

apply_runtime_env()

import retrieval.answer as answer_module  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from retrieval.answer import compose_extractive  # noqa: E402
from retrieval.confidence import (  # noqa: E402
    ANSWER_CUT,
    FEATURES,
    Evidence,
    gather_evidence,
    should_answer,
)
from retrieval.evaluation import normalise_source  # noqa: E402

HANDBOOK = (REPO / ".." / "shared" / "data" / "handbook-18f").resolve()
SAMPLE = REPO / "bot" / "sample"
DATA = REPO / "bench" / "data"
LEAD_BONUSES = (0.0, 0.1, 0.2, 0.3, 0.5)
CUTS = (0.3, 0.35, 0.4, 0.425, 0.45, 0.475, 0.5, 0.6)
RIDGE = 0.01


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


@dataclass
class Corpus:
    """One library's questions, their evidence and whether their answers cite gold."""

    name: str
    questions: list[str]
    labels: list[int]  # 1 answerable (own question), 0 off-topic
    evidence: list[Evidence] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)  # the answer would cite a gold document
    hits: list[Any] = field(default_factory=list)
    golds: list[set[str]] = field(default_factory=list)


def measure(lib: Any, corpus: Corpus) -> None:
    """Evidence and answer correctness for each question, searched as `Library.ask` does."""
    retriever = lib.retriever()
    for question, gold in zip(corpus.questions, corpus.golds, strict=True):
        hits = retriever.search(question, k=10)
        corpus.hits.append(hits)
        corpus.evidence.append(
            gather_evidence(
                question,
                hits,
                modules=retriever.modules,
                unknown_share=retriever.unknown_share(question),
                term_weights=retriever.term_weights(question),
            )
        )
        corpus.correct.append(_cites_gold(question, hits, gold, retriever.modules))


def _cites_gold(question: str, hits: Any, gold: set[str], modules: Any) -> bool:
    if not gold or not hits:
        return False
    answer = compose_extractive(question, hits, modules=modules)
    return any(normalise_source(c.source) in gold for c in answer.citations)


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


def decide(evidence: list[Evidence], weights: np.ndarray, bias: float, cut: float) -> list[bool]:
    """The answer/refuse decision of a model with these weights (same rule as `should_answer`)."""
    import retrieval.confidence as confidence

    saved = confidence.WEIGHTS, confidence.BIAS
    confidence.WEIGHTS, confidence.BIAS = tuple(float(w) for w in weights), bias
    try:
        return [should_answer(e, cut=cut) for e in evidence]
    finally:
        confidence.WEIGHTS, confidence.BIAS = saved


def scores(corpus: Corpus, answered: list[bool]) -> tuple[float, float, float]:
    """(precision, coverage, off-topic refused) as `learnbot eval answers` counts them."""
    own = [(a, c) for a, c, y in zip(answered, corpus.correct, corpus.labels, strict=True) if y]
    off = [a for a, y in zip(answered, corpus.labels, strict=True) if not y]
    n_answered = sum(a for a, _ in own)
    precision = sum(a and c for a, c in own) / n_answered if n_answered else 0.0
    coverage = n_answered / len(own) if own else 0.0
    refused = 1 - sum(off) / len(off) if off else 1.0
    return precision, coverage, refused


def fit(corpora: list[Corpus]) -> tuple[np.ndarray, float]:
    """The model fitted on these libraries: well answered (1) against the rest (0)."""
    x = np.array([e.as_vector() for c in corpora for e in c.evidence])
    y = np.array(
        [float(lab and ok) for c in corpora for lab, ok in zip(c.labels, c.correct, strict=True)]
    )
    groups = np.array([c.name for c in corpora for _ in c.evidence])
    return fit_logistic(x, y, groups, ridge=RIDGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", action="append", default=[], help="NAME=DIR")
    parser.add_argument("--debian-corpus", type=Path, default=Path("/tmp/debian-reference-corpus"))
    args = parser.parse_args()
    homes = {k: Path(v) for k, _, v in (h.partition("=") for h in args.home)}
    sources = {
        "sample": (SAMPLE / "content", SAMPLE / "questions.jsonl"),
        "handbook": (HANDBOOK / "corpus", DATA / "handbook-qa.jsonl"),
        "debian": (args.debian_corpus, DATA / "debian-qa.jsonl"),
    }
    corpora = []
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        for name, (content, qa) in sources.items():
            lib = library(homes.get(name), content, Path(tmp), name)
            own = read_jsonl(qa)
            off = read_jsonl(DATA / f"{name}-off-topic.jsonl")
            corpus = Corpus(
                name,
                [q["question"] for q in own] + [q["question"] for q in off],
                [1] * len(own) + [0] * len(off),
            )
            corpus.golds = [{normalise_source(g) for g in q["gold"]} for q in own]
            corpus.golds += [set() for _ in off]
            lead_sweep(lib, corpus)
            measure(lib, corpus)
            corpora.append(corpus)
    report(corpora)


def lead_sweep(lib: Any, corpus: Corpus) -> None:
    """Share of own questions whose extractive answer cites gold, per lead-module bonus."""
    retriever = lib.retriever()
    rows = zip(corpus.questions, corpus.golds, corpus.labels, strict=True)
    own = [(q, g) for q, g, y in rows if y]
    hits = [retriever.search(q, k=10) for q, _ in own]
    saved = answer_module.LEAD_MODULE_BONUS
    cells = []
    try:
        for bonus in LEAD_BONUSES:
            answer_module.LEAD_MODULE_BONUS = bonus
            pairs = zip(own, hits, strict=True)
            ok = [_cites_gold(q, h, g, retriever.modules) for (q, g), h in pairs]
            cells.append(f"{bonus}: {sum(ok) / len(ok):.3f}")
    finally:
        answer_module.LEAD_MODULE_BONUS = saved
    print(f"{corpus.name}: answers citing gold by lead-module bonus: " + ", ".join(cells))


def report(corpora: list[Corpus]) -> None:
    """Print the feature means, the leave-one-out check, the cut sweep and the weights."""
    print("\n### Evidence means (well answered / answerable but wrong / off-topic)\n")
    print("| library | " + " | ".join(FEATURES) + " |")
    print("|---|" + "---|" * len(FEATURES))
    for c in corpora:
        x = np.array([e.as_vector() for e in c.evidence])
        y = np.array(c.labels)
        ok = np.array(c.correct)
        groups = (x[(y == 1) & ok], x[(y == 1) & ~ok], x[y == 0])
        cells = [
            " / ".join(f"{g[:, i].mean():.2f}" if len(g) else "-" for g in groups)
            for i in range(x.shape[1])
        ]
        print(f"| {c.name} | " + " | ".join(cells) + " |")
    print(f"\n### Left-out library (fitted on the others, cut {ANSWER_CUT:.2f})\n")
    print("| tested on | precision | coverage | off-topic refused |")
    print("|---|---|---|---|")
    for held in corpora:
        w, b = fit([c for c in corpora if c is not held])
        p, cov, ref = scores(held, decide(held.evidence, w, b, ANSWER_CUT))
        print(f"| {held.name} | {p:.3f} | {cov:.3f} | {ref:.3f} |")
    w, b = fit(corpora)
    print("\n### Cut sweep, model fitted on all (precision / coverage / refused)\n")
    print("| cut | " + " | ".join(c.name for c in corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    for cut in CUTS:
        cells = []
        for c in corpora:
            p, cov, ref = scores(c, decide(c.evidence, w, b, cut))
            cells.append(f"{p:.3f} / {cov:.3f} / {ref:.3f}")
        print(f"| {cut} | " + " | ".join(cells) + " |")
    print("\nWEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + f")\nBIAS = {b:.3f}")
    print(f"\nMisjudged at cut {ANSWER_CUT} with these weights:")
    for c in corpora:
        answered = decide(c.evidence, w, b, ANSWER_CUT)
        for q, a, y, ok in zip(c.questions, answered, c.labels, c.correct, strict=True):
            if a and not (y and ok):
                print(f"  {c.name}: answered {'wrongly' if y else 'off-topic'}: {q}")


if __name__ == "__main__":
    main()
