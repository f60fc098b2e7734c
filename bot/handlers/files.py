"""Files sent to the bot: calendars from anyone; content, quiz banks and frameworks from admins."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath

from bot import messages as msg
from bot.core import Context
from bot.errors import Forbidden, UserError
from bot.events import Event, FileShared
from bot.replies import Reply, say

log = logging.getLogger(__name__)
FileHandler = Callable[[Context, str, bytes], list[Reply]]

CONTENT_TYPES = frozenset({".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".txt"})


def kind_of(name: str, head: bytes) -> str:
    """What an uploaded file is, from its extension and first bytes.

    Returns:
        "calendar", "quiz", "framework", "org", "content" or "unknown".
    """
    suffix = PurePath(name).suffix.lower()
    text = head[:4096].decode("utf-8", "ignore").lower()
    if suffix == ".ics" or text.lstrip().startswith("begin:vcalendar"):
        return "calendar"
    if suffix == ".gift":
        return "quiz"
    if suffix in {".yaml", ".yml", ".json"}:
        return "framework" if "competencies" in text else "quiz"
    if suffix == ".csv":
        header = text.splitlines()[0] if text else ""
        return "org" if "manager_email" in header else "quiz"
    if suffix == ".txt" and "\nanswer:" in text:
        return "quiz"  # Aiken
    return "content" if suffix in CONTENT_TYPES else "unknown"


def handle_file(ctx: Context, event: Event) -> list[Reply]:
    """Check the size before downloading, then hand the bytes to the right importer."""
    assert isinstance(event, FileShared)
    limit = ctx.services.settings.max_upload_bytes
    if event.size > limit:
        raise UserError(msg.FILE_TOO_BIG.format(name=event.name, limit=limit // (1024 * 1024)))
    if event.read is None:
        raise UserError(msg.FILE_UNREADABLE.format(name=event.name))
    kind = kind_of(event.name, b"")
    if kind != "calendar" and not ctx.learner.has_role("admin"):
        raise Forbidden(msg.UPLOAD_ADMINS_ONLY)
    data = event.read(limit)
    kind = kind_of(event.name, data)
    if kind != "calendar" and not ctx.learner.has_role("admin"):
        raise Forbidden(msg.UPLOAD_ADMINS_ONLY)
    # Each feature registers its importer as the service "import_<kind>" (see bot.app).
    importer: FileHandler | None = (
        ingest_content if kind == "content" else ctx.services.feature(f"import_{kind}")
    )
    if not callable(importer):
        raise UserError(msg.FILE_KIND_UNSUPPORTED.format(name=event.name))
    return importer(ctx, event.name, data)


def ingest_content(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """Add an uploaded document to the library (audited); a failure changes nothing."""
    library = ctx.services.feature("library")
    report = library.ingest_upload(name, data)
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
    return [say(msg.UPLOAD_DONE.format(name=name, chunks=report.chunks))]
