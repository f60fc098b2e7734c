"""The `learnbot` command line. Heavy imports happen inside commands so `--help` stays fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperOption

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.events import Identity

app = typer.Typer(
    help="learnbot: a learning assistant for Slack, Microsoft Teams and the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_typed = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx: Any) -> str | None:
    """A flag takes no value, so its help row shows no type.

    Typer's rich help prints the annotation's type for every option, so a flag read
    `--json <bool>` as if it needed a value; every other option keeps its type (`<int>`).
    Click's plain help already omits it; this keeps the rich panels.
    """
    return None if self.is_flag else _typed(self, ctx)


TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]

UserOpt = Annotated[
    str, typer.Option("--user", help="A terminal user name, slack:TEAM:USER or teams:TENANT:USER.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ROLES = ("learner", "manager", "admin")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the exit to raise."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def emit_json(data: Any) -> None:
    """Print JSON to stdout."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def open_app() -> App:
    """Load settings and build the core (migrating the database)."""
    from pydantic import ValidationError

    from bot.app import build_app
    from bot.core.errors import ConfigError
    from bot.settings import apply_runtime_env, load_settings

    apply_runtime_env()
    try:
        settings = load_settings()
    except ValidationError as err:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in err.errors())
        raise fail(f"invalid settings: {problems}") from err
    try:
        return build_app(settings)
    except ConfigError as err:
        raise fail(str(err)) from None


def audit_cli(core: App, action: str, target: str, **detail: Any) -> None:
    """Record a change made from the command line in the audit log (actor "cli")."""
    services = core.services
    services.audit.record(
        actor="cli", action=action, target=target, detail=detail, now=services.clock.now()
    )


def parse_user(ref: str) -> Identity:
    """Parse a --user value or exit with a clear message."""
    from bot.core.errors import UserError
    from bot.core.events import Identity

    try:
        return Identity.parse(ref)
    except UserError as err:
        raise fail(str(err), 2) from err


@app.command()
def init(
    sample: Annotated[bool, typer.Option("--sample", help="Also load the sample library.")] = False,
) -> None:
    """Create the data folder and database (and load the sample library with --sample)."""
    core = open_app()
    typer.echo(f"Data folder: {core.settings.home.resolve()}")
    typer.echo("Database: ready")
    if sample:
        from bot.sample.loader import load_sample

        for line in load_sample(core):
            typer.echo(line)


@app.command()
def doctor() -> None:
    """Check settings, database, embedding model, index and platform credentials."""
    from bot.cli.doctor import run_checks

    ok = True
    for check in run_checks():
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.status]
        typer.echo(f"[{mark}] {check.name}: {check.detail}")
        if check.fix:
            typer.echo(f"       fix: {check.fix}")
        ok = ok and check.status != "fail"
    raise typer.Exit(0 if ok else 1)


@app.command()
def chat(
    user: UserOpt = "you",
    role: Annotated[str, typer.Option("--role", help="learner, manager or admin.")] = "learner",
    script: Annotated[
        Path | None, typer.Option("--script", help="Replay inputs from a file, one per line.")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone to report.")] = "",
    email: Annotated[
        str,
        typer.Option(
            "--email",
            help="Your email, so the org chart applies (manager teams); links only terminal "
            "users, never a Slack or Teams learner.",
        ),
    ] = "",
) -> None:
    """Chat with learnbot in the terminal (buttons are numbered; type /learn help)."""
    from bot.core import messages as msg

    if role not in ROLES:
        raise fail(f"unknown role '{role}'; use one of {', '.join(ROLES)}", 2)
    email = email.strip().lower()
    if email and not _looks_like_email(email):
        raise fail(msg.TERMINAL_BAD_EMAIL.format(email=email[:80]), 2)
    if email and parse_user(user).platform != "terminal":
        raise fail(msg.TERMINAL_EMAIL_ONLY, 2)
    if script is not None and not script.is_file():
        raise fail(f"script file not found: {script}", 2)
    if timezone:
        from learning.profile import ProfileError, parse_timezone

        try:
            timezone = parse_timezone(timezone)
        except ProfileError as err:
            raise fail(str(err), 2) from err
    from bot.adapters.terminal.session import open_chat
    from bot.cli.startup import rebuild_index

    core = open_app()
    rebuild_index(core, background=False, echo=typer.echo)
    session = open_chat(core, parse_user(user), role=role, timezone=timezone, email=email)
    if script is not None:
        lines = script.read_text(encoding="utf-8").splitlines()
        for line in session.replay(lines):
            typer.echo(line)
        return
    session.interactive(sys.stdin, typer.echo)


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(local and at and "." in domain.strip(".")) and not any(c.isspace() for c in text)


def main() -> None:
    """Entry point of the `learnbot` command."""
    from bot.cli import groups
    from bot.storage.files import private_umask

    private_umask()  # files in the data folder are private whatever the shell's umask
    groups.register(app)
    app()
