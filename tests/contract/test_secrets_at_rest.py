"""Slack tokens at rest: sealed with LEARNBOT_SECRET_KEY, old plaintext rows still read and
sealed at start, key rotation through LEARNBOT_OLD_SECRET_KEYS, clear errors for a wrong key."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.core.errors import ConfigError
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.secrets import PREFIX, SecretBox, fernet_key
from bot.storage.tables import slack_bots, slack_installations
from bot.storage.workspaces import SlackInstallations

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Shaped like a rotating bot token with its refresh token: long enough that a sealed copy
# needs the widened columns on PostgreSQL.
BOT_TOKEN = "xoxe.xoxb-1-MS0yLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIzLVNlY3JldFRva2VuVmFsdWUxMjM0NTY3"
REFRESH = "xoxe-1-My0xLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIzLTEyMzQ1Njc4OTAxMjM0LWFiY2RlZmFiY2RlZg"
USER_TOKEN = "xoxp-1234567890-1234567890-1234567890-0123456789abcdef0123456789abcdef"
KEY_A = Fernet.generate_key().decode()
KEY_B = "a long passphrase, not a Fernet key, for the second key"


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _install(rows: SlackInstallations, team: str = "T1") -> None:
    bot = {
        "app_id": "A1",
        "team_id": team,
        "bot_token": BOT_TOKEN,
        "bot_refresh_token": REFRESH,
        "bot_id": "B1",
        "bot_user_id": "UB",
        "is_enterprise_install": False,
        "installed_at": NOW,
    }
    rows.save({**bot, "user_id": "U0", "user_token": USER_TOKEN}, bot)


def _raw_tokens(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        bots = conn.execute(select(slack_bots.c.bot_token, slack_bots.c.bot_refresh_token)).all()
        installs = conn.execute(
            select(slack_installations.c.bot_token, slack_installations.c.user_token)
        ).all()
    return [str(v) for row in [*bots, *installs] for v in row]


def _rows(engine, key: str | None = None, old: tuple[str, ...] = ()) -> SlackInstallations:  # type: ignore[no-untyped-def]
    return SlackInstallations(engine, client_id="1.2", secrets=SecretBox(key, old_keys=old))


def test_tokens_are_sealed_in_the_database_and_read_back(engine) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(engine, KEY_A)
    _install(rows)
    raw = _raw_tokens(engine)
    assert raw
    assert all(v.startswith(PREFIX) for v in raw)
    assert not any(t in v for v in raw for t in (BOT_TOKEN, USER_TOKEN, REFRESH))
    assert rows.bot_token("T1") == BOT_TOKEN
    bot = rows.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert (bot["bot_token"], bot["bot_refresh_token"]) == (BOT_TOKEN, REFRESH)
    install = rows.find_installation(enterprise_id=None, team_id="T1")
    assert install is not None
    assert install["user_token"] == USER_TOKEN


def test_the_sqlite_file_itself_holds_no_token(tmp_path: Path) -> None:
    path = tmp_path / "learnbot.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    _install(_rows(engine, KEY_A))
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = conn.execute("SELECT bot_token, user_token FROM slack_installations").fetchone()
    assert raw[0].startswith(PREFIX)
    assert raw[1].startswith(PREFIX)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(path.name))
    for token in (BOT_TOKEN, USER_TOKEN, REFRESH):
        assert token.encode() not in data
    assert b"xoxb-" not in data
    assert b"xoxp-" not in data


def test_plaintext_rows_are_read_and_sealed_at_start_once_a_key_is_set(engine) -> None:  # type: ignore[no-untyped-def]
    _install(_rows(engine, None))
    assert BOT_TOKEN in _raw_tokens(engine), "without a key, tokens are stored as they are"
    rows = _rows(engine, KEY_A)
    assert rows.bot_token("T1") == BOT_TOKEN, "old plaintext rows are still read"
    assert rows.stale_rows() == 2
    assert rows.reseal() == 2
    assert not any(BOT_TOKEN in v or USER_TOKEN in v for v in _raw_tokens(engine))
    assert rows.reseal() == 0
    assert rows.bot_token("T1") == BOT_TOKEN


def test_rotating_the_key_through_the_old_keys_setting(engine) -> None:  # type: ignore[no-untyped-def]
    _install(_rows(engine, KEY_A))
    before = _raw_tokens(engine)
    rotated = _rows(engine, KEY_B, old=(KEY_A,))
    assert rotated.bot_token("T1") == BOT_TOKEN
    assert rotated.reseal() == 2
    assert set(_raw_tokens(engine)).isdisjoint(before)
    assert _rows(engine, KEY_B).bot_token("T1") == BOT_TOKEN, "the old key is no longer needed"
    with pytest.raises(ConfigError):
        _rows(engine, KEY_A).bot_token("T1")


def test_a_wrong_or_missing_key_names_the_setting_and_never_the_token(engine) -> None:  # type: ignore[no-untyped-def]
    _install(_rows(engine, KEY_A))
    for rows in (_rows(engine, KEY_B), _rows(engine, None)):
        for read in (
            lambda r=rows: r.bot_token("T1"),
            lambda r=rows: r.find_bot(enterprise_id=None, team_id="T1"),
            rows.reseal,
        ):
            with pytest.raises(ConfigError) as caught:
                read()
            text = str(caught.value)
            assert "LEARNBOT_SECRET_KEY" in text
            assert BOT_TOKEN not in text
            assert "xox" not in text
            assert caught.value.__cause__ is None


def test_a_fernet_key_is_used_as_it_is_and_a_passphrase_is_derived() -> None:
    sealed = SecretBox(KEY_A).seal("xoxb-1")
    assert sealed is not None
    assert Fernet(KEY_A.encode()).decrypt(sealed[len(PREFIX) :].encode()) == b"xoxb-1"
    derived = fernet_key(KEY_B)
    assert derived != KEY_B.encode()
    assert len(derived) == 44
    assert fernet_key(KEY_B) == derived, "the same passphrase gives the same key"
    assert SecretBox(KEY_B).open(SecretBox(KEY_B).seal("xoxb-2")) == "xoxb-2"


def test_start_up_seals_old_rows_and_refuses_a_wrong_key(tmp_path: Path) -> None:
    from bot.app import build_services

    home = tmp_path / "home"
    plain = Settings(LEARNBOT_HOME=home, SLACK_CLIENT_ID="1.2", _env_file=None)
    _install(build_services(plain).slack_installations)
    keyed = Settings(
        LEARNBOT_HOME=home, SLACK_CLIENT_ID="1.2", LEARNBOT_SECRET_KEY=KEY_A, _env_file=None
    )
    services = build_services(keyed)
    assert not any(BOT_TOKEN in v for v in _raw_tokens(services.engine))
    assert services.slack_installations.bot_token("T1") == BOT_TOKEN
    wrong = Settings(
        LEARNBOT_HOME=home, SLACK_CLIENT_ID="1.2", LEARNBOT_SECRET_KEY=KEY_B, _env_file=None
    )
    with pytest.raises(ConfigError, match="LEARNBOT_SECRET_KEY"):
        build_services(wrong)


def test_bolt_lookup_with_a_wrong_key_refuses_the_workspace_and_logs_the_setting(
    engine,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.adapters.slack.oauth import DatabaseInstallationStore

    _install(_rows(engine, KEY_A))
    store = DatabaseInstallationStore(_rows(engine, KEY_B))
    with caplog.at_level(logging.ERROR):
        bot = asyncio.run(store.async_find_bot(enterprise_id=None, team_id="T1"))
    assert bot is None
    assert "LEARNBOT_SECRET_KEY" in caplog.text
    assert "xox" not in caplog.text
    good = DatabaseInstallationStore(_rows(engine, KEY_A))
    found = asyncio.run(good.async_find_bot(enterprise_id=None, team_id="T1"))
    assert found is not None
    assert found.bot_token == BOT_TOKEN
