"""Files sent to the bot: calendars from anyone; content, quiz banks and frameworks from admins."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.events import Event, FileShared
from bot.core.replies import Reply, say
from bot.handlers.calendar import import_upload
from bot.handlers.imports import import_framework, import_org_file, import_quiz
from content_index import SUPPORTED_FORMATS

log = logging.getLogger(__name__)
FileHandler = Callable[[Context, str, bytes], list[Reply]]

# Each kind of file and the feature's importer for it (content goes to `ingest_content`).
IMPORTERS: dict[str, FileHandler] = {
    "calendar": import_upload,
    "quiz": import_quiz,
    "framework": import_framework,
    "org": import_org_file,
}


def kind_of(name: str, data: bytes) -> str:
    """What an uploaded file is, from its extension and content.

    Returns:
        "calendar", "quiz", "framework", "org", "content" or "unknown".
    """
    suffix = PurePath(name).suffix.lower()
    text = data.decode("utf-8", "ignore")
    if suffix == ".ics" or text[:4096].lstrip().lower().startswith("begin:vcalendar"):
        return "calendar"
    if suffix in {".gift", ".aiken"}:
        return "quiz"
    if suffix in {".yaml", ".yml", ".json"}:
        if _top_level_keys(text, json_file=suffix == ".json") & {"competencies", "roles"}:
            return "framework"
        return "unknown" if suffix == ".json" else "quiz"
    if suffix == ".csv":
        header = text[:4096].lower().splitlines()[0] if text else ""
        return "org" if "manager_email" in header else "quiz"
    if suffix == ".txt" and _is_quiz_bank(text, name):
        return "quiz"
    return "content" if suffix in SUPPORTED_FORMATS else "unknown"


def upload_role(name: str) -> str:
    """The role a file needs, by its name alone (the router checks it before any download).

    A `.ics` name is a calendar whatever it holds, so anyone may send one; every other kind
    is for admins.
    """
    return "learner" if kind_of(name, b"") == "calendar" else "admin"


def _top_level_keys(text: str, *, json_file: bool) -> set[str]:
    """The keys of a YAML or JSON mapping (empty for anything else or a syntax error)."""
    import json

    import yaml

    try:
        loaded = json.loads(text) if json_file else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return set()
    return {str(k) for k in loaded} if isinstance(loaded, dict) else set()


def _is_quiz_bank(text: str, name: str) -> bool:
    """Whether a .txt file parses cleanly as a GIFT or Aiken bank with at least one question."""
    from learning.formats.detect import parse_bank

    if not text.strip():
        return False
    parsed = parse_bank(text, filename=name)
    return bool(parsed.items) and not parsed.errors


def handle_file(ctx: Context, event: Event) -> list[Reply]:
    """Check the size before downloading, then hand the bytes to the right importer.

    The router has already checked the sender's role (`upload_role`).
    """
    assert isinstance(event, FileShared)
    limit = ctx.services.settings.max_upload_bytes
    if event.size > limit:
        raise UserError(msg.FILE_TOO_BIG.format(name=event.name, limit=limit // (1024 * 1024)))
    if event.read is None:
        raise UserError(msg.FILE_UNREADABLE.format(name=event.name))
    data = event.read(limit)
    kind = kind_of(event.name, data)
    importer = ingest_content if kind == "content" else IMPORTERS.get(kind)
    if importer is None:
        raise UserError(msg.FILE_KIND_UNSUPPORTED.format(name=event.name))
    return importer(ctx, event.name, data)


def ingest_content(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """Add an uploaded document to the library (audited); a failure changes nothing."""
    if ctx.services.library is None:
        raise UserError(msg.LIBRARY_MISSING)
    report = ctx.services.library.get().ingest_upload(name, data)
    if report.failed:
        return [say(msg.UPLOAD_FAILED.format(error=report.failed[0]["error"]))]
    ctx.services.audit.record(
        actor=ctx.learner.id,
        action="content.upload",
        target=name,
        detail={"chunks": report.chunks},
        now=ctx.now,
    )
    if report.skipped:
        return [say(msg.UPLOAD_UNCHANGED.format(name=name))]
    return [say(msg.UPLOAD_DONE.format(name=name, sections=msg.plural(report.chunks, "section")))]
