"""Fixtures for the quiz-bank importer tests: the shared public quiz-bank samples."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def quiz_banks(shared_data: Path) -> Path:
    """The folder of public quiz-bank samples under the shared data folder."""
    folder = shared_data / "quiz-banks"
    if not folder.is_dir():
        pytest.skip(f"quiz-bank samples not found at {folder}")
    return folder
