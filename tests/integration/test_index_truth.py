"""Index truth with the real model and a real Chroma folder: the library generation stored in
the database and in the index, /healthz saying when they differ, rebuilds at start, and the
honest reply to a question asked while the index cannot be searched."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.adapters.server import health
from bot.cli.startup import rebuild_index
from bot.context import Lazy
from bot.core import messages as msg
from bot.features.library import Library
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.tables import content_gaps
from tests.conversations.transcript import Conversation
from tests.fakes import use_features

pytestmark = pytest.mark.slow
QUESTION = "how do I claim expenses in Ledger?"


def _library(core) -> Library:  # type: ignore[no-untyped-def]
    library: Library = core.services.library.get()
    return library


def _gaps(core) -> list[str]:  # type: ignore[no-untyped-def]
    with core.services.engine.connect() as conn:
        return [r.question for r in conn.execute(select(content_gaps))]


def _replica(core, embedder, home: Path) -> Library:  # type: ignore[no-untyped-def]
    """Another process on the same database with its own embedded index folder."""
    services = core.services
    settings = Settings(LEARNBOT_HOME=home, DATABASE_URL=services.settings.db_url, _env_file=None)
    return Library(
        content=ContentRepository(services.engine),
        settings=settings,
        clock=services.clock,
        embedder=embedder,
    )


def test_every_ingest_and_retirement_advances_both_versions_together(
    library_core, sample_content: Path
) -> None:
    library = _library(library_core)
    assert library.index_status().state == "empty"
    library.ingest([sample_content / "workplace-basics"])
    first = library.index_status()
    assert first.state == "ok"
    assert first.library == first.index
    assert first.library > 0
    library.ingest([sample_content / "internal-tools"])
    second = library.index_status()
    assert second.library > first.library
    assert second.index == second.library
    library.set_retired("internal-tools/expenses", True)
    third = library.index_status()
    assert third.library == second.library + 1
    assert third.index == third.library
    status, body = health(library_core)
    assert (status, body["status"], body["index"]) == (200, "ok", "ok")
    assert body["library_version"] == body["index_version"] == third.library


def test_an_index_behind_the_database_is_degraded_and_rebuilt_at_start(
    library_core, sample_content: Path, embedder, tmp_path: Path
) -> None:
    library = _library(library_core)
    library.ingest([sample_content / "workplace-basics"])
    other = _replica(library_core, embedder, tmp_path / "other")
    other.ingest([sample_content / "internal-tools"])  # into the database and its own index
    status = library.index_status()
    assert status.state == "stale"
    assert status.index is not None
    assert status.index < status.library
    code, body = health(library_core)
    assert code == 200
    assert body["status"] == "degraded"
    assert body["index"] == "stale"
    assert f"library version {status.index}, the database at {status.library}" in str(
        body["reason"]
    )
    assert rebuild_index(library_core, background=False) is None
    after = library.index_status()
    assert after.state == "ok"
    assert after.index == after.library == status.library
    hits = library.search(QUESTION, roles=None, k=3)
    assert hits[0].module_id == "internal-tools/expenses", "the rebuilt index has it"
    assert library.rebuild_if_needed() is False, "an index that is current is left alone"


def test_a_question_while_the_index_is_gone_is_told_so_and_is_not_a_content_gap(
    library_core, sample_content: Path
) -> None:
    library = _library(library_core)
    library.ingest([sample_content / "internal-tools"])
    shutil.rmtree(library_core.settings.index_dir)
    assert library.index_status().state == "missing"
    chat = Conversation(library_core)
    chat.say("/learn profile set role support-agent")
    reply = chat.say(f"/learn ask {QUESTION}")
    assert "being rebuilt" in reply
    assert "ask again in a minute" in reply
    assert _gaps(library_core) == []


def test_a_rebuild_in_progress_is_reported_and_questions_wait_for_it(
    library_core, sample_content: Path, embedder, tmp_path: Path
) -> None:
    # Ingested by another process with its own index: this one's folder was never made.
    _replica(library_core, embedder, tmp_path / "other").ingest([sample_content / "internal-tools"])
    library = _library(library_core)
    assert library.index_status().state == "missing"
    gate, started = threading.Event(), threading.Event()

    class SlowEmbedder:
        def embed_documents(self, texts: list[str]) -> Any:
            started.set()
            gate.wait(60)
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> Any:
            return embedder.embed_query(text)

    rebuilding = Library(
        content=library.content,
        settings=library_core.settings,
        clock=library_core.services.clock,
        embedder=SlowEmbedder(),
    )
    use_features(library_core.services, library=Lazy.ready(rebuilding))
    thread = rebuild_index(library_core, background=True)
    assert thread is not None
    assert started.wait(60)
    code, body = health(library_core)
    assert (code, body["status"], body["index"]) == (200, "degraded", "rebuilding")
    chat = Conversation(library_core)
    chat.say("/learn profile set role support-agent")
    assert msg.LIBRARY_REBUILDING.split(",")[0] in chat.say(f"/learn ask {QUESTION}")
    assert _gaps(library_core) == []
    gate.set()
    thread.join(120)
    assert rebuilding.index_status().state == "ok"
    answer = chat.say(f"/learn ask {QUESTION}")
    assert "[1]" in answer
    assert "being rebuilt" not in answer


def test_an_index_from_before_versions_matching_the_database_is_adopted_without_rebuilding(
    library_core, sample_content: Path
) -> None:
    from retrieval.store import GENERATION_KEY

    library = _library(library_core)
    library.ingest([sample_content / "internal-tools"])
    library.store()._collection.modify(metadata={"written_by": "an older learnbot"})
    if library.store().generation() is not None:
        pytest.skip(f"this Chroma keeps {GENERATION_KEY} when metadata is replaced")
    assert library.index_status().state == "stale"
    assert library.rebuild_if_needed() is False
    assert library.index_status().state == "ok"


def test_an_unreachable_vector_store_is_degraded_with_the_reason(
    library_core, sample_content: Path, embedder, tmp_path: Path
) -> None:
    _replica(library_core, embedder, tmp_path / "other").ingest([sample_content / "security"])
    services = library_core.services
    settings = services.settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"})
    unreachable = Library(
        content=services.content, settings=settings, clock=services.clock, embedder=embedder
    )
    use_features(services, library=Lazy.ready(unreachable))
    assert unreachable.index_status().state == "unreachable"
    code, body = health(library_core)
    assert (code, body["status"], body["index"]) == (200, "degraded", "unreachable")
    assert "vector store unreachable" in str(body["reason"])
    assert unreachable.rebuild_if_needed() is False, "nothing to rebuild into"


def test_learnbot_chat_rebuilds_a_missing_index_before_the_prompt(
    sample_content: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from typer.testing import CliRunner

    from bot.app import build_services
    from bot.cli import app

    home = tmp_path / "home"
    for var in ("DATABASE_URL", "CHROMA_URL", "SLACK_BOT_TOKEN", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(home))
    services = build_services(Settings(LEARNBOT_HOME=home, _env_file=None))
    # The content reached the database through a process with its own index folder.
    other = Settings(
        LEARNBOT_HOME=tmp_path / "other", DATABASE_URL=services.settings.db_url, _env_file=None
    )
    Library(
        content=services.content, settings=other, clock=services.clock, embedder=embedder
    ).ingest([sample_content / "internal-tools"])
    assert not (home / "index").exists()
    script = tmp_path / "ask.txt"
    script.write_text(f"/learn profile set role support-agent\n/learn ask {QUESTION}\n")
    with caplog.at_level(logging.INFO, logger="bot.features.library"):
        result = CliRunner().invoke(app, ["chat", "--user", "ana", "--script", str(script)])
    assert result.exit_code == 0, result.output
    modules = len(list((sample_content / "internal-tools").glob("*.md")))
    assert f"rebuilding the content index: {modules} of {modules} modules" in result.output
    assert "content index rebuilt" in caplog.text
    assert "[1]" in result.output.split(QUESTION, 1)[1], "the question is answered"
    assert "being rebuilt" not in result.output
    assert _gaps_of(services.engine) == []


def _gaps_of(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return [r.question for r in conn.execute(select(content_gaps))]
