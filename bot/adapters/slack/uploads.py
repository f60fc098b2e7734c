"""Uploads: a file shared in a DM becomes a FileShared event from its metadata alone.

The role check is the router's; here only what Slack says about the file is read
(`files.info`): its size against the cap and its host, before a single byte is downloaded.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.adapters.slack.files import FileFetcher, SlackFile
from bot.core import messages as msg
from bot.core.events import Channel, Event, FileShared, Identity, UserInfo
from bot.core.ports import DeliveryFailed
from bot.core.replies import Reply, say

log = logging.getLogger(__name__)


def prepare_upload(
    body: dict[str, Any],
    identity: Identity,
    info: UserInfo,
    *,
    files: FileFetcher,
    max_bytes: int,
) -> tuple[Event, list[Reply] | None] | None:
    """The FileShared event for the router, or a refusal to send instead.

    Returns None for files shared outside a direct message with the bot (ignored). The
    event's `read(limit)` downloads with the bot token, at most `max_bytes` whatever the
    limit; it is called only after the router has authorized the file.
    """
    event = body.get("event") or {}
    channel_id = str(event.get("channel_id") or "")
    file_id = str(event.get("file_id") or (event.get("file") or {}).get("id") or "")
    if not channel_id.startswith("D") or not file_id:
        return None
    here = Event(identity, Channel(channel_id, is_direct=True), info, str(body.get("event_id", "")))
    try:
        meta = files.info(identity.workspace, file_id)
    except DeliveryFailed as err:
        log.warning("slack files.info failed: %s", err)
        return here, [say(msg.SLACK_DOWNLOAD_FAILED)]
    refusal = _refusal(meta, files, max_bytes)
    if refusal is not None:
        return here, [say(refusal)]

    def read(limit: int) -> bytes:
        return files.download(identity.workspace, meta, min(limit, max_bytes))

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
