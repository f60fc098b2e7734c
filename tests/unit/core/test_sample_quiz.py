"""`learnbot init --sample` imports the sample quiz bank when the sample library has one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.sample import loader
from tests.conversations.quiz_helpers import FIXTURES


def test_the_quiz_bank_step_is_skipped_without_a_bank(core, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(loader, "sample_dir", lambda: tmp_path)
    assert loader.load_quiz_bank(core) == ""


def test_the_sample_bank_is_imported_after_the_framework(core, tmp_path, monkeypatch) -> None:
    shutil.copy(FIXTURES / "framework.yaml", tmp_path / "framework.yaml")
    shutil.copy(FIXTURES / "bank.yaml", tmp_path / "quiz-bank.yaml")
    monkeypatch.setattr(loader, "sample_dir", lambda: tmp_path)
    lines = loader.load_sample(core)
    assert lines[-1] == "Sample quiz bank: 10 items"
    assert loader.load_sample(core)[-1] == "Sample quiz bank: 10 items", "loading twice is harmless"
    assert core.services.items.competencies() == {"security": 5, "sql": 5}


def test_a_broken_sample_bank_stops_with_its_line(core, tmp_path: Path, monkeypatch) -> None:
    from bot.core.errors import UserError

    (tmp_path / "quiz-bank.yaml").write_text(
        "items:\n  - id: x\n    question: Q?\n    options: [a, b]\n"
    )
    monkeypatch.setattr(loader, "sample_dir", lambda: tmp_path)
    with pytest.raises(UserError, match=r"quiz-bank\.yaml, line 2: no correct answer"):
        loader.load_quiz_bank(core)
