"""`learnbot module open`: the page as one standalone, owner-only HTML file."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import build_app
from bot.cli import app
from bot.cli.groups import register
from bot.settings import Settings
from tests.adapters.page.conftest import Library, store

register(app)


@pytest.fixture
def home(tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cli-home"
    monkeypatch.setenv("LEARNBOT_HOME", str(folder))
    monkeypatch.setenv("LEARNBOT_ORG_NAME", "Acme")
    for name in ("DATABASE_URL", "CHROMA_URL", "LEARNBOT_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    core = build_app(Settings(LEARNBOT_HOME=folder, _env_file=None))
    for name in ("basics.md", "title-only.md"):
        store(core, library.root / name, library.root)
    core.services.engine.dispose()
    return folder


def open_module(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["module", "open", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_page_is_written_owner_only_and_its_path_printed(home: Path, library: Library) -> None:
    code, out, _ = open_module("basics")
    assert code == 0
    path = Path(out.strip())
    assert path.parent == home / "files"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    html = path.read_text(encoding="utf-8")
    assert "<h1" in html
    assert "Security basics" in html
    assert '<p class="org">Acme</p>' in html
    assert "img-src data:" in html
    image = base64.b64encode((library.root / "img" / "report.png").read_bytes()).decode()
    assert f'src="data:image/png;base64,{image}"' in html
    secret = base64.b64encode(library.secret.read_bytes()).decode()
    assert secret not in html
    assert "Your progress" not in html
    assert "<script" not in html.split("</style>", 1)[1].replace("&lt;script", "")


def test_by_title_and_source_path_and_never_overwriting(home: Path, library: Library) -> None:
    first = Path(open_module("Security basics")[1].strip())
    second = Path(open_module(str(library.root / "basics.md"))[1].strip())
    assert first != second
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_a_module_with_only_a_title_and_an_unknown_module(home: Path) -> None:
    code, out, _ = open_module("title-only")
    assert code == 0
    assert "no text yet" in Path(out.strip()).read_text(encoding="utf-8")
    code, _, err = open_module("no-such-module")
    assert code == 1
    assert "no module 'no-such-module'" in err
