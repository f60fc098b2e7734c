"""PostgreSQL restarted under a running core, on the real local server: connections killed
with `pg_terminate_backend` between requests are replaced unnoticed; a request while the
database refuses connections gets the polite "try again in a moment", never a traceback; a
statement on a connection killed mid-use raises `DatabaseUnavailable`; the next request works.

Each test runs on a database of its own, since terminating backends is per database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.app import App, build_app
from bot.core import messages as msg
from bot.core.events import Channel, CommandInvoked, Identity
from bot.settings import Settings
from bot.storage.db import DatabaseUnavailable
from tests.conftest import PG_URL, REQUIRE_PG

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin() -> Iterator[Engine]:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as err:
        engine.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL unreachable: {type(err).__name__}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    yield engine
    engine.dispose()


@pytest.fixture
def database(admin: Engine) -> Iterator[str]:
    """The name of a fresh database, dropped at the end."""
    name = f"lbt_restart_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def core(tmp_path: Path, database: str) -> Iterator[App]:
    url = make_url(PG_URL).set(database=database).render_as_string(hide_password=False)
    app = build_app(Settings(LEARNBOT_HOME=tmp_path / "home", DATABASE_URL=url, _env_file=None))
    yield app
    app.services.engine.dispose()


def terminate(admin: Engine, database: str) -> int:
    """What a PostgreSQL restart does to the bot's connections; returns how many died."""
    query = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = :name AND pid <> pg_backend_pid()"
    )
    with admin.connect() as conn:
        return int(conn.execute(query, {"name": database}).scalar_one())


def refuse_connections(admin: Engine, database: str, *, refuse: bool) -> None:
    """While a server restarts it refuses connections; this does it to one database."""
    with admin.connect() as conn:
        allowed = "false" if refuse else "true"
        conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {allowed}'))


def ask(core: App, command: str = "help") -> str:
    """`/learn COMMAND` from a terminal user, through the router; the replies' text."""
    event = CommandInvoked(Identity("terminal", "local", "ana"), Channel("ana"), text=command)
    return "\n".join(r.fallback for r in core.router.handle(event))


def test_connections_killed_between_requests_are_replaced_unnoticed(
    core: App, admin: Engine, database: str
) -> None:
    before = ask(core)
    assert terminate(admin, database) >= 1
    assert ask(core) == before
    assert msg.DATABASE_UNAVAILABLE not in before


def test_a_request_while_the_database_refuses_connections_gets_a_polite_reply(
    core: App, admin: Engine, database: str
) -> None:
    normal = ask(core)
    refuse_connections(admin, database, refuse=True)
    terminate(admin, database)
    assert ask(core) == msg.DATABASE_UNAVAILABLE
    refuse_connections(admin, database, refuse=False)
    assert ask(core) == normal


def test_a_connection_killed_mid_use_raises_database_unavailable_and_the_next_one_works(
    core: App, admin: Engine, database: str
) -> None:
    engine = core.services.engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        terminate(admin, database)
        with pytest.raises(DatabaseUnavailable) as raised:
            conn.execute(text("SELECT 1"))
    assert isinstance(raised.value, OperationalError)  # code keeping work on DB errors still does
    assert str(raised.value) == msg.DATABASE_UNAVAILABLE  # no SQL, no parameters
    assert raised.value.connection_invalidated
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert msg.DATABASE_UNAVAILABLE not in ask(core)
