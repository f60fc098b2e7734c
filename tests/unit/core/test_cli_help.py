"""`learnbot <command> --help` lists flags as flags: no `<bool>` after `--json` and friends."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.groups import register


def _commands() -> list[list[str]]:
    """Every command path of the CLI, groups included: [], ["init"], ["framework", "import"], ..."""
    register(app)
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):  # a group (typer ships its own click)
            ctx = command.context_class(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])

    walk(root, [])
    return paths


COMMANDS = _commands()


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"init", "chat", "framework import", "quiz import", "org import", "ingest"} <= names
    assert len(COMMANDS) > 30


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "learnbot")
def test_help_shows_flags_without_a_bool_type(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_flags_are_listed_and_other_options_keep_their_type() -> None:
    shown = CliRunner().invoke(app, ["ingest", "--help"], terminal_width=100).output
    assert "--prune" in shown
    assert "--json" in shown
    chat = CliRunner().invoke(app, ["chat", "--help"], terminal_width=100).output
    assert "<path>" in chat, "an option that takes a value still names its type"
