"""`learnbot ingest`, `ask`, `eval retrieval` and `eval answers`: the content library's CLI."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.model import IngestReport
    from bot.core.ports import LibraryPort

CHUNKS_PER_DOCUMENT = 5
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def register(app: typer.Typer) -> None:
    """Attach the content commands."""
    app.command("ingest")(ingest)
    app.command("ask")(ask)
    eval_app = typer.Typer(help="Evaluate learnbot against a question set.")
    eval_app.command("retrieval")(eval_retrieval)
    eval_app.command("answers")(eval_answers)
    app.add_typer(eval_app, name="eval")


def _library(core: App) -> LibraryPort:
    from bot.cli import fail
    from bot.core import messages as msg

    if core.services.library is None:
        raise fail(msg.LIBRARY_MISSING)
    return core.services.library.get()


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete modules whose files are gone.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add or update documents in the content library (Markdown, HTML, PDF, DOCX, text)."""
    from rich.progress import Progress

    from bot.cli import audit_cli, emit_json, fail, open_app

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"not found: {', '.join(missing)}", 2)
    core = open_app()
    library = _library(core)
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task("Ingesting", total=None)

        def step(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=source[-50:])

        report = library.ingest(paths, prune=prune, progress=step)
    audit_cli(
        core,
        "ingest",
        ", ".join(p.name for p in paths),
        ingested=report.ingested,
        skipped=report.skipped,
        failed=len(report.failed),
        chunks=report.chunks,
        pruned=report.pruned if prune else 0,
    )
    if as_json:
        emit_json(report.as_json())
    else:
        _print_report(report, prune=prune)
    if report.failed:
        # The rest of the batch is ingested; a script still learns that something failed.
        raise typer.Exit(1)


def _print_report(report: IngestReport, *, prune: bool) -> None:
    typer.echo(
        f"Ingested {report.ingested}, skipped {report.skipped} unchanged, "
        f"{len(report.failed)} failed, {report.chunks} chunks"
        + (f", pruned {report.pruned}" if prune else "")
        + "."
    )
    for source, fields in report.inferred.items():
        typer.echo(f"  inferred for {source}: {', '.join(fields)}")
    for failure in report.failed:
        typer.secho(f"  failed: {failure['path']}: {failure['error']}", fg=typer.colors.YELLOW)


def ask(
    question: Annotated[str, typer.Argument(help="A plain-language question.")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Answer as this user (their audience applies).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the content library, with sources."""
    from bot.cli import emit_json, open_app, parse_user

    core = open_app()
    roles = None
    if as_user is not None:
        from bot.handlers.ask import audience_of

        learner = core.services.learners.find(parse_user(as_user))
        roles = audience_of(core.services, learner) if learner else ["learner"]
    result = _library(core).ask(question, roles=roles)
    if as_json:
        emit_json(
            {
                "answer": result.answer,
                "confident": result.confident,
                "sources": [
                    {
                        "module_id": s.module_id,
                        "title": s.title,
                        "section": s.section,
                        "source": s.source,
                        "score": s.score,
                    }
                    for s in result.sources
                ],
            }
        )
        return
    typer.echo(result.answer or "I couldn't find that in the library.")
    for n, s in enumerate(result.sources or result.related, start=1):
        typer.echo(f"  [{n}] {s.title} > {s.section} ({s.link})")


def eval_retrieval(
    qa: Annotated[Path, typer.Option("--qa", help="JSON lines: question and gold paths.")],
    k: Annotated[int, typer.Option("--k", help="How many documents to score.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Score document retrieval on a question set: recall@1/5/10, MRR and latency.

    Each document counts once, at its first chunk's rank; recall@k is the share of questions
    with a gold document among the first k documents.
    """
    from bot.cli import emit_json, open_app

    rows = _read_questions(qa, with_gold=True)
    from retrieval.evaluation import first_relevant_rank, normalise_source

    library = _library(open_app())
    ranks, times = [], []
    for question, gold in rows:
        start = time.perf_counter()
        documents = _documents(library, question, k)
        times.append((time.perf_counter() - start) * 1000)
        ranks.append(first_relevant_rank(documents[:k], {normalise_source(g) for g in gold}))
    report = _metrics(ranks, times)
    if as_json:
        emit_json(report)
    else:
        for key, value in report.items():
            typer.echo(f"{key:>10}: {value}")


def _read_questions(path: Path, *, with_gold: bool) -> list[tuple[str, list[str]]]:
    """(question, gold paths) per line of a JSON lines file; exits naming a bad line."""
    from bot.cli import fail

    if not path.is_file():
        raise fail(f"not found: {path}", 2)
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold = [str(g) for g in row["gold"]] if with_gold else []
            rows.append((str(row["question"]), gold))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            shape = '{"question": ..., "gold": [...]}' if with_gold else '{"question": ...}'
            raise fail(f"{path}, line {n}: expected {shape}") from err
    return rows


def eval_answers(
    qa: Annotated[Path, typer.Option("--qa", help="JSON lines: question and gold paths.")],
    off_topic: Annotated[
        Path | None,
        typer.Option("--off-topic", help="JSON lines: questions the library should refuse."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score selective answering: how often it answers, citing a gold document, and refuses.

    precision = answered_citing_gold / answered (0 when nothing is answered), coverage =
    answered / n; off_topic_refused counts off-topic questions answered without confidence.
    """
    from bot.cli import emit_json, open_app
    from retrieval.evaluation import normalise_source

    rows = _read_questions(qa, with_gold=True)
    others = _read_questions(off_topic, with_gold=False) if off_topic else []
    library = _library(open_app())
    answered = citing_gold = refused = 0
    for question, gold in rows:
        result = library.ask(question, roles=None)
        if result.confident:
            answered += 1
            wanted = {normalise_source(g) for g in gold}
            citing_gold += any(normalise_source(s.source) in wanted for s in result.sources)
    for question, _ in others:
        refused += not library.ask(question, roles=None).confident
    report = {
        "n": len(rows),
        "answered": answered,
        "answered_citing_gold": citing_gold,
        "precision": round(citing_gold / answered, 4) if answered else 0.0,
        "coverage": round(answered / len(rows), 4) if rows else 0.0,
        "off_topic_n": len(others),
        "off_topic_refused": refused,
    }
    if as_json:
        emit_json(report)
    else:
        for key, value in report.items():
            typer.echo(f"{key:>21}: {value}")


def _documents(library: LibraryPort, question: str, k: int) -> list[str]:
    """The distinct source documents of a search, each at its first chunk's rank."""
    from retrieval.evaluation import Retrieved, ranked_documents

    # Several chunks of one document often rank together; fetch enough to fill k documents.
    hits = library.search(question, roles=None, k=max(k, 10) * CHUNKS_PER_DOCUMENT)
    records = {h.module_id: library.content.get(h.module_id) for h in hits}
    sources = [records[h.module_id] for h in hits]
    return ranked_documents([Retrieved(r.meta.source) for r in sources if r is not None])


def _metrics(ranks: list[int | None], times: list[float]) -> dict[str, float | int]:
    n = len(ranks)

    def recall(at: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= at) / max(n, 1), 4)

    ordered = sorted(times) or [0.0]
    return {
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@10": recall(10),
        "mrr": round(sum(1 / r for r in ranks if r) / max(n, 1), 4),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "n": n,
    }
