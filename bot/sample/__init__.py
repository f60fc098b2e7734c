"""The sample library: a fictional company's onboarding content, quiz bank and framework."""

from __future__ import annotations

from pathlib import Path


def sample_dir() -> Path:
    """The folder holding the sample library files."""
    return Path(__file__).parent
