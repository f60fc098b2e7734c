"""`learnbot ingest`, `learnbot ask` and `learnbot eval retrieval` keep their JSON contracts."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.groups import register
from bot.sample import sample_dir

pytestmark = pytest.mark.slow
register(app)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data folder for the module: the sample library ingested once through the CLI."""
    folder = tmp_path_factory.mktemp("cli-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEARNBOT_HOME", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        patch.delenv("CHROMA_URL", raising=False)
        FIRST_INGEST.update(_run("ingest", str(sample_dir() / "content"), "--json"))
        yield folder


FIRST_INGEST: dict = {}  # type: ignore[type-arg]


def _run(*args: str) -> dict | list:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    parsed: dict | list = json.loads(result.stdout)  # type: ignore[type-arg]
    return parsed


def test_ingest_json_then_a_second_run_skips_everything(home: Path) -> None:
    content = str(sample_dir() / "content")
    first = FIRST_INGEST
    assert set(first) == {"ingested", "skipped", "failed", "chunks"}
    modules = len(list((sample_dir() / "content").rglob("*.md")))
    assert (first["ingested"], first["skipped"], first["failed"]) == (modules, 0, [])
    assert first["chunks"] >= modules
    second = _run("ingest", content, "--json")
    assert (second["ingested"], second["skipped"], second["chunks"]) == (0, modules, 0)


def test_ingest_is_audited_with_the_actor_cli(home: Path) -> None:
    entries = [e for e in _run("audit", "--json") if e["action"] == "ingest"]  # type: ignore[union-attr]
    first = entries[-1]
    assert (first["actor"], first["target"]) == ("cli", "content")
    assert first["detail"]["ingested"] == FIRST_INGEST["ingested"]
    assert first["detail"]["failed"] == 0


def test_ask_json_lists_sources_best_first(home: Path) -> None:
    answer = _run("ask", "How do I claim back money I spent on a work trip?", "--json")
    assert set(answer) == {"answer", "confident", "sources"}
    assert answer["confident"] is True
    assert answer["sources"][0]["source"] == "internal-tools/expenses.md"
    for source in answer["sources"]:
        assert set(source) == {"module_id", "title", "section", "source", "score"}


def test_ask_json_declines_what_the_library_does_not_cover(home: Path) -> None:
    answer = _run("ask", "What is the boiling point of tungsten?", "--json")
    assert answer == {"answer": "", "confident": False, "sources": []}


def test_ask_as_a_user_applies_their_audience(home: Path) -> None:
    question = "How do team managers score conversations for coaching and quality?"
    as_agent = _run("ask", question, "--as", "slack:T1:U1", "--json")
    modules = {s["module_id"] for s in as_agent["sources"]}
    assert "customer-support/coaching-and-quality" not in modules


def test_eval_retrieval_reports_every_metric(home: Path, tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text((sample_dir() / "questions.jsonl").read_text())
    report = _run("eval", "retrieval", "--qa", str(qa), "--json")
    assert set(report) == {"recall@1", "recall@5", "recall@10", "mrr", "p50_ms", "p95_ms", "n"}
    assert report["n"] == len(qa.read_text().splitlines())
    assert report["recall@5"] >= 0.9
    assert 0 < report["mrr"] <= 1


def test_eval_answers_reports_exactly_its_counts_and_fractions(home: Path, tmp_path: Path) -> None:
    qa = sample_dir() / "questions.jsonl"
    off_topic = tmp_path / "off.jsonl"
    unanswerable = (sample_dir() / "unanswerable.txt").read_text().splitlines()
    off_topic.write_text("".join(json.dumps({"question": q}) + "\n" for q in unanswerable))
    report = _run("eval", "answers", "--qa", str(qa), "--off-topic", str(off_topic), "--json")
    assert list(report) == [
        "n",
        "answered",
        "answered_citing_gold",
        "precision",
        "coverage",
        "off_topic_n",
        "off_topic_refused",
    ]
    assert isinstance(report, dict)
    assert report["n"] == len(qa.read_text().splitlines())
    assert (report["off_topic_n"], report["off_topic_refused"]) == (6, 6)
    assert 0 < report["answered_citing_gold"] <= report["answered"] <= report["n"]
    assert report["precision"] == round(report["answered_citing_gold"] / report["answered"], 4)
    assert report["coverage"] == round(report["answered"] / report["n"], 4)


def test_eval_answers_without_off_topic_questions(home: Path) -> None:
    report = _run("eval", "answers", "--qa", str(sample_dir() / "questions.jsonl"), "--json")
    assert isinstance(report, dict)
    assert (report["off_topic_n"], report["off_topic_refused"]) == (0, 0)


def test_eval_retrieval_names_the_bad_line(home: Path, tmp_path: Path) -> None:
    qa = tmp_path / "bad.jsonl"
    qa.write_text('{"question": "ok?", "gold": ["a.md"]}\nnot json\n')
    result = CliRunner().invoke(app, ["eval", "retrieval", "--qa", str(qa)])
    assert result.exit_code == 1
    assert "line 2" in result.output


def test_ingest_of_a_missing_path_fails_before_touching_anything(home: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(home / "nope"), "--json"])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_ingest_with_a_failed_file_reports_it_and_exits_1(
    home: Path, tmp_path: Path, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    folder = tmp_path / "batch"
    folder.mkdir()
    pdf = next((shared_data / "handbook-18f" / "corpus" / "downloads").glob("*.pdf")).read_bytes()
    (folder / "broken.pdf").write_bytes(pdf[: len(pdf) // 3])
    result = CliRunner().invoke(app, ["ingest", str(folder), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["failed"]] == ["broken.pdf"]
    assert report["ingested"] == 0
    noise = [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")]
    assert noise == [], "the PDF library's own complaints stay quiet"
    plain = CliRunner().invoke(app, ["ingest", str(folder)])
    assert plain.exit_code == 1
    assert "failed: broken.pdf" in plain.output
