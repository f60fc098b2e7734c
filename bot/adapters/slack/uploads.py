"""Uploads: a file shared in a DM is checked (kind and role, size, host) before any download."""

from __future__ import annotations

import logging
from typing import Any

from bot.adapters.slack.files import FileFetcher, SlackFile
from bot.context import Services
from bot.core import messages as msg
from bot.core.events import Channel, Event, FileShared, Identity, UserInfo
from bot.core.ports import DeliveryFailed
from bot.core.replies import Reply, say
from bot.handlers.files import kind_of

log = logging.getLogger(__name__)


def prepare_upload(
    body: dict[str, Any],
    identity: Identity,
    info: UserInfo,
    *,
    services: Services,
    files: FileFetcher,
) -> tuple[Event, list[Reply] | None] | None:
    """The FileShared event for the router, or a refusal to send instead.

    Returns None for files shared outside a direct message with the bot (ignored). The
    order is deliberate: only the file's metadata is read before the role is checked
    (calendars are imported for anyone; every other kind only for admins, which the core
    checks again), and the size from `files.info` before a single byte is downloaded.
    """
    event = body.get("event") or {}
    channel_id = str(event.get("channel_id") or "")
    file_id = str(event.get("file_id") or (event.get("file") or {}).get("id") or "")
    if not channel_id.startswith("D") or not file_id:
        return None
    here = Event(identity, Channel(channel_id, is_direct=True), info, str(body.get("event_id", "")))
    learner = services.learners.resolve(identity, info, now=services.clock.now())
    try:
        meta = files.info(identity.workspace, file_id)
    except DeliveryFailed as err:
        log.warning("slack files.info failed: %s", err)
        return here, [say(msg.SLACK_DOWNLOAD_FAILED)]
    if kind_of(meta.name, b"") != "calendar" and not learner.has_role("admin"):
        return here, [say(msg.UPLOAD_ADMINS_ONLY)]
    refusal = _refusal(meta, files, services.settings.max_upload_bytes)
    if refusal is not None:
        return here, [say(refusal)]
    cap = services.settings.max_upload_bytes

    def read(max_bytes: int) -> bytes:
        return files.download(identity.workspace, meta, min(max_bytes, cap))

    shared = FileShared(
        identity,
        here.channel,
        info,
        here.event_id,
        name=meta.name,
        size=meta.size,
        mime=meta.mime,
        read=read,
    )
    return shared, None


def _refusal(meta: SlackFile, files: FileFetcher, cap: int) -> str | None:
    if meta.size < 0:
        return msg.UPLOAD_SIZE_UNKNOWN
    if meta.size > cap:
        return msg.UPLOAD_TOO_BIG.format(size=meta.size, limit=cap)
    if not files.trusted(meta.url):
        return msg.UPLOAD_NOT_ON_SLACK
    return None
