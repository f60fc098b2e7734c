"""Builds the Teams app package: the zip an admin uploads (manifest with the app id, two icons)."""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from bot.core.errors import UserError

MANIFEST_DIR = Path(__file__).resolve().parents[3] / "manifest" / "teams"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
REQUIRED = (
    "$schema",
    "manifestVersion",
    "version",
    "id",
    "developer",
    "name",
    "description",
    "icons",
    "accentColor",
)
MAX_COMMANDS = 10
_PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header.

    Raises:
        ValueError: if the data is not a PNG.
    """
    if data[:8] != _PNG or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def load_manifest(folder: Path = MANIFEST_DIR) -> dict[str, Any]:
    """The manifest template (with the placeholder id)."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise UserError(f"Teams manifest not found at {path}.")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def with_app_id(manifest: dict[str, Any], app_id: str) -> dict[str, Any]:
    """A copy of the manifest whose app id and bot ids are `app_id`."""
    filled: dict[str, Any] = json.loads(json.dumps(manifest))
    filled["id"] = app_id
    for bot in filled.get("bots", []):
        bot["botId"] = app_id
    return filled


def problems(manifest: dict[str, Any], folder: Path = MANIFEST_DIR) -> list[str]:
    """Everything Teams would reject in a manifest (required fields, ids, icons, commands)."""
    found = [f"missing field '{key}'" for key in REQUIRED if not manifest.get(key)]
    ids = [("id", manifest.get("id"))]
    ids += [("bots[].botId", bot.get("botId")) for bot in manifest.get("bots", [])]
    found += [f"{name} is not a GUID: {value!r}" for name, value in ids if not _guid(value)]
    found += _icon_problems(manifest.get("icons") or {}, folder)
    for bot in manifest.get("bots", []):
        for command_list in bot.get("commandLists", []):
            commands = command_list.get("commands", [])
            if len(commands) > MAX_COMMANDS:
                found.append(f"a command list has {len(commands)} commands (at most 10)")
            found += [
                f"command title too long: {c.get('title')!r}"
                for c in commands
                if not 0 < len(c.get("title", "")) <= 32
            ]
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(manifest.get("accentColor", ""))):
        found.append("accentColor must look like #RRGGBB")
    return found


def build_package(app_id: str, out: Path, *, folder: Path = MANIFEST_DIR) -> Path:
    """Write the zip Teams accepts: manifest.json (with the app id) and both icons at its root.

    Raises:
        UserError: if the app id is not a GUID or the manifest has problems.
    """
    app_id = app_id.strip()
    if not _guid(app_id):
        raise UserError(f"MICROSOFT_APP_ID must be a GUID (like {PLACEHOLDER_ID}); got {app_id!r}.")
    manifest = with_app_id(load_manifest(folder), app_id)
    wrong = problems(manifest, folder)
    if wrong:
        raise UserError("The Teams manifest has problems: " + "; ".join(wrong))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in sorted(set(manifest["icons"].values())):
            archive.write(folder / name, arcname=name)
    return out


def _guid(value: object) -> bool:
    return isinstance(value, str) and bool(GUID.fullmatch(value))


def _icon_problems(icons: dict[str, str], folder: Path) -> list[str]:
    found = []
    for kind, (width, height) in ICON_SIZES.items():
        name = icons.get(kind)
        path = folder / name if name else None
        if path is None or not path.is_file():
            found.append(f"{kind} icon missing")
            continue
        try:
            size = png_size(path.read_bytes())
        except ValueError:
            found.append(f"{kind} icon {name} is not a PNG")
            continue
        if size != (width, height):
            found.append(f"{kind} icon is {size[0]}x{size[1]}, must be {width}x{height}")
    return found
