"""Loads the sample library into a fresh installation (`learnbot init --sample`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.imports import load_framework_file
from bot.sample import sample_dir

SampleStep = Callable[[App], str]


def load_framework(core: App) -> str:
    """Import the sample competency framework."""
    framework = load_framework_file(sample_dir() / "framework.yaml")
    core.services.framework.replace(framework)
    return (
        f"Sample framework: {len(framework.competencies)} competencies, "
        f"{len(framework.roles)} roles"
    )


def load_content(core: App) -> str:
    """Ingest the sample modules into the content library (unchanged ones are skipped)."""
    library = core.services.feature("library")
    report = library.ingest([sample_dir() / "content"])
    failed = f", {len(report.failed)} failed" if report.failed else ""
    return (
        f"Sample library: {report.ingested} modules ingested, "
        f"{report.skipped} unchanged{failed} ({report.chunks} new chunks)"
    )


STEPS: tuple[SampleStep, ...] = (load_framework, load_content)


def load_sample(core: App) -> list[str]:
    """Run every sample-loading step; each returns one line describing what it loaded."""
    return [step(core) for step in STEPS]
