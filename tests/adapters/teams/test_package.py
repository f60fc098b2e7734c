"""The Teams app package: manifest fields, ids, icons and the zip that teams-package builds."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.adapters.teams.package import (
    GUID,
    MANIFEST_DIR,
    PLACEHOLDER_ID,
    build_package,
    load_manifest,
    png_size,
    problems,
)
from bot.cli import app
from bot.cli.groups import register
from bot.core.errors import UserError

APP_ID = "11111111-2222-4333-8444-555555555555"
COMMANDS = {"help", "ask", "quiz", "path", "next", "progress", "profile"}


def test_the_manifest_has_every_required_field_and_a_current_schema() -> None:
    manifest = load_manifest()
    assert problems(manifest) == []
    version = tuple(int(p) for p in manifest["manifestVersion"].split("."))
    assert version >= (1, 17)
    assert manifest["$schema"].endswith(
        f"/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json"
    )
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert all(
        manifest["developer"][k].startswith("https://")
        for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl")
    )


def test_the_bot_supports_files_in_every_scope_with_the_learn_commands() -> None:
    (bot,) = load_manifest()["bots"]
    assert bot["botId"] == PLACEHOLDER_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is True
    (commands,) = bot["commandLists"]
    assert {c["title"] for c in commands["commands"]} == COMMANDS
    assert all(c["description"] for c in commands["commands"])


def test_icons_have_the_sizes_teams_requires() -> None:
    assert png_size((MANIFEST_DIR / "color.png").read_bytes()) == (192, 192)
    assert png_size((MANIFEST_DIR / "outline.png").read_bytes()) == (32, 32)


def test_the_outline_icon_is_white_on_transparent() -> None:
    import matplotlib.image

    pixels = matplotlib.image.imread(MANIFEST_DIR / "outline.png")
    opaque = pixels[pixels[..., 3] > 0]
    assert len(opaque) > 20, "something is drawn"
    assert (opaque[..., :3] == 1.0).all(), "every visible pixel is white"
    assert (pixels[..., 3] == 0).sum() > pixels.shape[0] * pixels.shape[1] / 2


def test_the_zip_has_the_app_id_and_both_icons_at_its_root(tmp_path: Path) -> None:
    out = build_package(APP_ID, tmp_path / "pkg" / "learnbot.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
    assert manifest["id"] == APP_ID
    assert [b["botId"] for b in manifest["bots"]] == [APP_ID]
    assert GUID.fullmatch(manifest["id"])
    assert problems(manifest) == []


def test_a_broken_manifest_is_explained(tmp_path: Path) -> None:
    manifest = load_manifest()
    manifest.pop("developer")
    manifest["bots"][0]["botId"] = "not-a-guid"
    manifest["icons"]["outline"] = "color.png"
    found = problems(manifest)
    assert "missing field 'developer'" in found
    assert "bots[].botId is not a GUID: 'not-a-guid'" in found
    assert "outline icon is 192x192, must be 32x32" in found


def test_an_app_id_that_is_not_a_guid_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="must be a GUID"):
        build_package("my-bot", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    register(app)
    return CliRunner()


def test_teams_package_refuses_without_an_app_id(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["teams-package"])
    assert result.exit_code == 1
    assert "MICROSOFT_APP_ID is not set" in result.output
    assert not (tmp_path / "learnbot-teams.zip").exists()


def test_teams_package_writes_the_zip(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    result = cli.invoke(app, ["teams-package", "--out", str(tmp_path / "out" / "app.zip")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "app.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
    default = cli.invoke(app, ["teams-package"])
    assert default.exit_code == 0
    assert (tmp_path / "learnbot-teams.zip").is_file()
