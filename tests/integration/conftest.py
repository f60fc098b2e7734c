"""Fixtures for whole-feature tests: the real embedding model shared by the session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.sample import sample_dir


@pytest.fixture(scope="session")
def embedder(shared_models_dir: Path) -> Any:
    """The real ONNX Runtime embedder of the packaged all-MiniLM-L6-v2 (exported once)."""
    from retrieval.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(shared_models_dir)


@pytest.fixture
def library_core(core, embedder):  # type: ignore[no-untyped-def]
    """The core on a SQLite file with a content library on an embedded Chroma folder."""
    from bot.context import Lazy
    from bot.features.library import Library
    from bot.storage.content import ContentRepository
    from tests.fakes import use_features

    services = core.services
    library = Library(
        content=ContentRepository(services.engine),
        settings=services.settings,
        clock=services.clock,
        embedder=embedder,
    )
    use_features(services, library=Lazy.ready(library))
    return core


@pytest.fixture
def sample_content() -> Path:
    """The sample library's modules (Markdown with front matter)."""
    return sample_dir() / "content"
