"""Shared fixtures: real data, databases (SQLite file and PostgreSQL), a fixed clock, the core."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import RUNTIME_ENV

for _key, _value in RUNTIME_ENV.items():
    os.environ.setdefault(_key, _value)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()
PG_URL = os.environ.get(
    "LEARNBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("LEARNBOT_REQUIRE_POSTGRES") == "1"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One model cache for the whole run, so the ONNX export happens at most once."""
    folder = tmp_path_factory.mktemp("models")
    previous = os.environ.get("LEARNBOT_MODELS_DIR")
    os.environ["LEARNBOT_MODELS_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("LEARNBOT_MODELS_DIR", None)
    else:
        os.environ["LEARNBOT_MODELS_DIR"] = previous


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data folder beside the repository (skips when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema private to this test run."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    schema = f"lbt_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as err:
        admin.dispose()
        reason = f"PostgreSQL unreachable at {PG_URL}: {type(err).__name__}"
        if REQUIRE_PG:
            pytest.fail(f"{reason} (LEARNBOT_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated-on-demand database: a real SQLite file, then the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'learnbot.db'}"
        return
    url: str = request.getfixturevalue("pg_schema_url")
    yield url
    _truncate_all(url)


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    if names:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
    engine.dispose()


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    """A clock fixed at Monday 2026-11-23 09:00 UTC."""
    from bot.core.clock import FixedClock

    return FixedClock(T0)


@pytest.fixture
def settings(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    """Settings with a private data folder and the parametrized database."""
    from bot.settings import Settings

    return Settings(LEARNBOT_HOME=tmp_path / "home", DATABASE_URL=db_url, _env_file=None)


@pytest.fixture
def sqlite_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a SQLite file only (for tests that are not about storage)."""
    from bot.settings import Settings

    home = tmp_path / "home"
    return Settings(LEARNBOT_HOME=home, _env_file=None)


@pytest.fixture
def make_core(sqlite_settings, clock):  # type: ignore[no-untyped-def]
    """Build the whole core on a SQLite file, with feature services replaced by fakes."""
    from bot.app import build_app
    from tests.fakes import use_features

    def make(**features):  # type: ignore[no-untyped-def]
        core = build_app(sqlite_settings, clock=clock)
        use_features(core.services, **features)
        return core

    return make


@pytest.fixture
def core(make_core):  # type: ignore[no-untyped-def]
    """The whole core on a SQLite file."""
    return make_core()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the sample framework, quiz bank and library, lesson cards included.

    Built once per session with the real embedding model; tests copy it (`copy_sample_db`).
    """
    from bot.app import build_app
    from bot.core.clock import FixedClock
    from bot.sample.loader import load_sample
    from bot.settings import Settings

    home = tmp_path_factory.mktemp("sample-db") / "home"
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=FixedClock(T0))
    load_sample(core)
    core.services.engine.dispose()
    return home / "learnbot.db"


def copy_sample_db(sample_db: Path, home: Path) -> Path:
    """Put a copy of the sample database where a core on `home` opens it."""
    import shutil

    home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample_db, home / "learnbot.db"))
