"""Loads the sample library into a fresh installation (`learnbot init --sample`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.features.imports import load_framework_file
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
    folder = sample_dir() / "content"
    if not folder.is_dir():
        return ""
    if core.services.library is None:
        return ""
    report = core.services.library.get().ingest([folder])
    failed = f", {len(report.failed)} failed" if report.failed else ""
    return (
        f"Sample library: {report.ingested} modules ingested, "
        f"{report.skipped} unchanged{failed} ({report.chunks} new chunks)"
    )


def load_quiz_bank(core: App) -> str:
    """Import the sample quiz bank, when the sample library has one (after the framework)."""
    from bot.core.errors import UserError
    from bot.features.quiz.bank import import_bank_file

    path = sample_dir() / "quiz-bank.yaml"
    if not path.is_file():
        return ""
    report = import_bank_file(core.services, path)
    if report.errors:
        first = report.errors[0]
        raise UserError(f"{path.name}, line {first['line']}: {first['message']}")
    return f"Sample quiz bank: {report.imported} items"


STEPS: tuple[SampleStep, ...] = (load_framework, load_quiz_bank, load_content)


def load_sample(core: App) -> list[str]:
    """Run every sample-loading step; each returns one line describing what it loaded."""
    return [line for line in (step(core) for step in STEPS) if line]
