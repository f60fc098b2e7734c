"""Feature command groups, attached to the CLI at start (each module imports lazily)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach every feature's commands to the main CLI."""
