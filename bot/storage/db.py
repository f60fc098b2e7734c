"""Engine creation and automatic migration, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.core import messages as msg
from bot.core.errors import UpstreamError
from bot.storage.files import private_dir

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """Create an engine for `url`, preparing the SQLite file's folder.

    Args:
        url: A SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...).
        schema: PostgreSQL only: put every table in this schema (used to isolate test runs).
    """
    parsed = make_url(url)
    # hide_parameters: logged SQL errors must not carry answers, questions or emails.
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        uri = parsed.query.get("uri") == "true" or (parsed.database or "").startswith("file:")
        if parsed.database and parsed.database != ":memory:" and not uri:
            # A `file:` URI (read-only or shared-cache opens) names a file opened as it is.
            _private_file(Path(parsed.database))
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    elif schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unavailable)
    return engine


class DatabaseUnavailable(OperationalError, UpstreamError):
    """The database connection was lost (a restart, a killed backend) or cannot be opened.

    Still an `OperationalError` (code that keeps work for later on a database error keeps
    doing so) and an `UpstreamError`, so the router answers it with the polite
    `DATABASE_UNAVAILABLE` (its `str`) instead of failing the request. SQLAlchemy has already
    invalidated the pool's connections, and every checkout pings first, so the next request
    gets a fresh connection. The failed statement is not retried: it may have been a write.
    """

    def __str__(self) -> str:
        return msg.DATABASE_UNAVAILABLE


def _unavailable(context: ExceptionContext) -> BaseException | None:
    """`handle_error` hook: a lost or refused connection becomes `DatabaseUnavailable`."""
    if context.is_pre_ping:  # the pool reconnects by itself; only its outcome matters
        return None
    refused = context.connection is None and isinstance(
        context.sqlalchemy_exception, OperationalError
    )
    if not (context.is_disconnect or refused):
        return None
    original = context.original_exception
    log.warning("database connection lost or refused: %s", type(original).__name__)
    return DatabaseUnavailable(
        None, None, original, hide_parameters=True, connection_invalidated=context.is_disconnect
    )


def database_now(conn: Connection) -> datetime:
    """The database server's clock (UTC), for leases that several processes compare: a
    process whose own clock is off neither takes a live lease nor keeps a lapsed one."""
    if conn.dialect.name == "postgresql":
        value: datetime = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    stamp = conn.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.fromisoformat(str(stamp)).replace(tzinfo=UTC)


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds OAuth tokens and learners'
    answers), and tighten one created earlier; SQLite gives its -wal and -shm files the same
    mode."""
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o600)
        except OSError as err:  # a file owned by someone else: say so, and go on
            log.warning("could not make %s private: %s", path, err.strerror or err)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def writable(engine: Engine) -> bool:
    """Whether the database accepts a write: a no-op update of Alembic's version row, which
    a read-only file, a full disk or a read-only replica refuses."""
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except SQLAlchemyError:
        return False
    return True


def ping(engine: Engine) -> bool:
    """Whether the database answers a trivial query (False when it cannot be reached)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema up to date (idempotent; safe to call at every start)."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def head_revision() -> str:
    """The newest schema revision this version of learnbot knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head
