"""Files at rest: the data folder and everything learnbot writes in it are owner-only, even
when learnbot is started with a permissive umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def _loose(home: Path) -> list[str]:
    """Entries under `home` (itself included) that group or others may access."""
    found = []
    for entry in [home, *home.rglob("*")]:
        mode = entry.lstat().st_mode
        expected = 0o700 if stat.S_ISDIR(mode) else 0o600
        if stat.S_IMODE(mode) != expected:
            found.append(f"{entry.relative_to(home.parent)} {oct(stat.S_IMODE(mode))}")
    return found


def test_everything_learnbot_creates_in_its_folder_is_private(
    permissive_umask: None,
    tmp_path: Path,
    embedder,
    sample_content: Path,  # type: ignore[no-untyped-def]
) -> None:
    from bot.adapters.terminal.render import save_file
    from bot.app import build_app
    from bot.features.data_rights import pseudonym
    from bot.features.library import Library

    home = tmp_path / "data" / "home"
    settings = Settings(LEARNBOT_HOME=home, _env_file=None)
    core = build_app(settings)
    library = Library(
        content=core.services.content,
        settings=settings,
        clock=core.services.clock,
        embedder=embedder,
    )
    assert library.ingest([sample_content]).failed == []
    assert library.ask("How do I report a phishing email?", roles=None).answer
    pseudonym(settings, "someone")  # writes the privacy salt
    save_file(home / "files", "export.csv", b"a,b\n")
    assert (home / "learnbot.db").is_file()
    assert (home / "index" / "chroma").is_dir()
    assert (home / "privacy-salt").is_file()
    assert sum(1 for _ in home.rglob("*")) > 6
    assert _loose(home) == []
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700, "created parents too"


def test_the_database_file_and_its_folder_are_private_without_the_rest(
    permissive_umask: None, tmp_path: Path
) -> None:
    from bot.storage.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'learnbot.db'}")
    os.umask(0)  # only the explicit modes count here
    migrate(engine)
    engine.dispose()
    assert _loose(tmp_path / "db") == []


def test_a_data_folder_made_by_an_older_version_is_tightened_at_start(
    permissive_umask: None, tmp_path: Path
) -> None:
    from bot.app import build_services

    home = tmp_path / "home"
    (home / "index").mkdir(parents=True, mode=0o755)
    (home / "index" / "old.bin").write_bytes(b"x")
    (home / "index" / "old.bin").chmod(0o644)
    home.chmod(0o755)
    build_services(Settings(LEARNBOT_HOME=home, _env_file=None))
    assert _loose(home) == []
