"""Module pages: signed links to a module's full page, who may open one, and what it shows.

A link carries a token signed with LEARNBOT_SECRET_KEY (else a key generated once in
LEARNBOT_HOME) naming the module, the learner (or nobody) and when it expires. Opening it
checks everything again: the module must be live, and visible to the learner it names (or to
everyone, for a link naming nobody). Personal links, which show the learner's progress, are
given only in direct messages (`link_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import Forbidden, NotFound
from bot.core.events import Channel
from bot.core.model import Learner
from bot.features.profile import audience_of
from bot.settings import Settings
from bot.storage.content import ModuleRecord
from bot.storage.keyfile import load_or_create_key
from content_index.page import PageContent, PageSection

SALT = "learnbot.module-page"
KEY_FILE = "page-signing.key"
Reason = str  # "invalid", "expired" or "unavailable"
# Raster formats by their first bytes; SVG is never served (it can carry script).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class PageRefused(Forbidden):
    """A page link that cannot be opened.

    Attributes:
        reason: invalid (bad or forged token), expired, or unavailable (the module is gone,
            retired, or not visible to the learner the link names).
    """

    def __init__(self, reason: Reason) -> None:
        super().__init__(msg.PAGE_REFUSED[reason])
        self.reason = reason


class ImageMissing(NotFound):
    """The page has no such image, or it is not a servable image file."""


@dataclass(frozen=True)
class PageGrant:
    """What a token allows: one module, for one learner (or for anyone), until `expires`."""

    module_id: str
    learner_id: str | None
    expires: datetime


@dataclass(frozen=True)
class PageView:
    """A module page as the renderers show it.

    Attributes:
        module_id: The module.
        title: Its title.
        summary: Its summary ("" when none was written: an inferred one repeats the text).
        minutes: Estimated study time.
        media_url: Where a video, audio or interactive module opens ("" otherwise).
        org_name: The organisation's name.
        sections: The body; empty for a module with only a title.
        progress: The learner's status with the module (personal links only), else None.
        images: The library paths of the images that can be shown.
        base: The module file's folder in the library, where its relative image paths start.
        ready: False when the module was stored before pages existed.
        expires: When the link expires (None for a saved file).
    """

    module_id: str
    title: str
    summary: str
    minutes: int
    media_url: str
    org_name: str
    sections: tuple[PageSection, ...]
    progress: str | None = None
    images: frozenset[str] = frozenset()
    base: str = ""
    ready: bool = True
    expires: datetime | None = None


def signing_key(settings: Settings) -> bytes:
    """LEARNBOT_SECRET_KEY, else the key generated once in LEARNBOT_HOME (owner-only)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    return load_or_create_key(settings.home / KEY_FILE)


def sign(key: bytes, grant: PageGrant) -> str:
    """A URL-safe token for `grant`."""
    from itsdangerous import URLSafeSerializer

    payload = {"m": grant.module_id, "l": grant.learner_id, "e": int(grant.expires.timestamp())}
    return str(URLSafeSerializer(key, salt=SALT).dumps(payload))


def verify(key: bytes, token: str, *, now: datetime) -> PageGrant:
    """The grant a token carries.

    Raises:
        PageRefused: "invalid" for a malformed or forged token, "expired" after its time.
    """
    from itsdangerous import BadData, URLSafeSerializer

    if not token or len(token) > 2000:
        raise PageRefused("invalid")
    try:
        payload: Any = URLSafeSerializer(key, salt=SALT).loads(token)
        module_id, learner_id, expires = payload["m"], payload["l"], payload["e"]
    except (BadData, TypeError, KeyError):
        raise PageRefused("invalid") from None
    if not isinstance(module_id, str) or not isinstance(expires, int):
        raise PageRefused("invalid")
    if learner_id is not None and not isinstance(learner_id, str):
        raise PageRefused("invalid")
    until = datetime.fromtimestamp(expires, UTC)
    if until <= now:
        raise PageRefused("expired")
    return PageGrant(module_id, learner_id, until)


def visible(audience: tuple[str, ...], tags: list[str] | None) -> bool:
    """Whether a module with `audience` may be shown to someone with audience `tags`
    (None: anybody at all, so only a module for everyone)."""
    from retrieval.hybrid import visible_to  # numpy stays out of the command path

    return visible_to(audience, tags or ())


class ModulePages:
    """Signs page links and opens them.

    Args:
        services: The repositories (modules, lesson pages, learners, path records) and
            settings.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._key: bytes | None = None

    def key(self) -> bytes:
        """The signing key (read or generated on first use)."""
        if self._key is None:
            self._key = signing_key(self._services.settings)
        return self._key

    def token(self, module_id: str, *, learner_id: str | None, now: datetime) -> str:
        """A token for the module, naming `learner_id` (or nobody), valid for the TTL."""
        ttl = timedelta(days=self._services.settings.page_ttl_days)
        return sign(self.key(), PageGrant(module_id, learner_id, now + ttl))

    def link(
        self, module_id: str, *, learner_id: str | None, now: datetime, anchor: str = ""
    ) -> str | None:
        """The page's full URL, or None without LEARNBOT_PUBLIC_URL or when the page would
        refuse it (the module is gone or retired, or hidden from the learner named)."""
        base = self._services.settings.public_url
        if not base:
            return None
        try:
            self.check(module_id, learner_id=learner_id)
        except PageRefused:
            return None
        token = self.token(module_id, learner_id=learner_id, now=now)
        return f"{base}/m/{token}" + (f"#{anchor}" if anchor else "")

    def check(
        self, module_id: str, *, learner_id: str | None
    ) -> tuple[ModuleRecord, Learner | None]:
        """The module and learner of a grant, when the grant still holds.

        Raises:
            PageRefused: "unavailable" for a missing or retired module, a learner who is gone
                or outside the module's audience, or a link naming nobody to a module that is
                not for everyone.
        """
        services = self._services
        record = services.content.get(module_id)
        if record is None or record.retired:
            raise PageRefused("unavailable")
        learner = services.learners.get(learner_id) if learner_id is not None else None
        if learner_id is not None and learner is None:
            raise PageRefused("unavailable")
        tags = audience_of(services, learner) if learner is not None else None
        if not visible(record.meta.audience, tags):
            raise PageRefused("unavailable")
        return record, learner

    def open(self, token: str, *, now: datetime) -> PageView:
        """The page a token opens.

        Raises:
            PageRefused: The token is bad or expired, or the grant no longer holds.
        """
        grant = verify(self.key(), token, now=now)
        record, learner = self.check(grant.module_id, learner_id=grant.learner_id)
        return self.view(record, learner=learner, expires=grant.expires, now=now)

    def view(
        self,
        record: ModuleRecord,
        *,
        learner: Learner | None,
        expires: datetime | None = None,
        now: datetime | None = None,
    ) -> PageView:
        """What the page of `record` shows (with `learner`'s progress when one is named, and
        where the module stands on their path when `now` is given)."""
        meta = record.meta
        content = self._services.lessons.page(meta.id)
        progress = self._progress(learner.id, meta.id, now) if learner is not None else None
        media = meta.url if meta.format in ("video", "audio", "interactive") else ""
        return PageView(
            module_id=meta.id,
            title=meta.title,
            summary="" if "summary" in meta.inferred else meta.summary,
            minutes=meta.minutes,
            media_url=media if media.lower().startswith(("https://", "http://")) else "",
            org_name=self._services.settings.org_name,
            sections=content.sections if content is not None else (),
            progress=progress,
            images=frozenset(p for p in content.images() if _image_file(content, p))
            if content is not None
            else frozenset(),
            base=content.base if content is not None else "",
            ready=content is not None,
            expires=expires,
        )

    def image(self, token: str, path: str, *, now: datetime) -> tuple[bytes, str]:
        """An image of the page a token opens: its bytes and media type.

        Only files the module's page refers to, inside the library folder it was ingested
        from (symbolic links resolved), in a raster format by their content, are served.

        Raises:
            PageRefused: As for `open`.
            ImageMissing: Anything else.
        """
        grant = verify(self.key(), token, now=now)
        self.check(grant.module_id, learner_id=grant.learner_id)
        content = self._services.lessons.page(grant.module_id)
        if content is None or path not in content.images():
            raise ImageMissing(msg.PAGE_NOT_FOUND)
        return read_image(content, path, max_bytes=self._services.settings.max_upload_bytes)

    def _progress(self, learner_id: str, module_id: str, now: datetime | None) -> str:
        """The learner's status with the module, and whether their path asks for it next or
        by a date (when the paths feature is part of this process)."""
        records = self._services.path_records.progress(learner_id)
        status = next((p.status for p in records if p.module_id == module_id), "")
        parts = [msg.PAGE_YOUR_PROGRESS.format(status=msg.PAGE_PROGRESS[status])]
        position = self._services.lesson_progress.position(learner_id, module_id)
        if position is not None and position.finished_at is not None:
            parts.append(msg.PAGE_LESSON_READ)
        elif position is not None:
            parts.append(msg.PAGE_LESSON_AT.format(n=position.card + 1, total=position.cards))
        paths = self._services.paths
        if paths is not None and now is not None and status not in ("done", "unverified"):
            inputs = paths.inputs(learner_id, now=now)
            due = dict(inputs.required).get(module_id)
            if due is not None:
                parts.append(msg.PAGE_REQUIRED_BY.format(date=f"{due:%d %B %Y}".lstrip("0")))
            elif inputs.next_step is not None and inputs.next_step[0] == module_id:
                parts.append(msg.PAGE_NEXT_STEP)
        return " · ".join(parts)


def read_image(content: PageContent, path: str, *, max_bytes: int) -> tuple[bytes, str]:
    """The bytes and media type of image `path` of a page.

    Raises:
        ImageMissing: It is not a raster image file inside the page's library folder.
    """
    file = _image_file(content, path)
    if file is None:
        raise ImageMissing(msg.PAGE_NOT_FOUND)
    try:
        if file.stat().st_size > max_bytes:
            raise ImageMissing(msg.PAGE_NOT_FOUND)
        data = file.read_bytes()
    except OSError:
        raise ImageMissing(msg.PAGE_NOT_FOUND) from None
    mime = image_type(data)
    if mime is None:
        raise ImageMissing(msg.PAGE_NOT_FOUND)
    return data, mime


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP file by its first bytes, else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def _image_file(content: PageContent, path: str) -> Path | None:
    """The file of library path `path`, when it is a file inside the library folder."""
    if not content.folder or not path:
        return None
    try:
        root = Path(content.folder).resolve(strict=True)
        file = (root / path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return file if file.is_relative_to(root) and file.is_file() else None


def page_link(
    services: Services,
    module_id: str,
    *,
    learner_id: str | None,
    now: datetime,
    anchor: str = "",
) -> str | None:
    """The full URL of a module's page (naming `learner_id`, or nobody), or None when
    LEARNBOT_PUBLIC_URL is not set or the page would refuse the link."""
    return ModulePages(services).link(module_id, learner_id=learner_id, now=now, anchor=anchor)


def link_for(
    services: Services,
    module_id: str,
    *,
    learner_id: str,
    channel: Channel,
    now: datetime,
    anchor: str = "",
) -> str | None:
    """The page link a reply in `channel` may carry.

    In a direct message: a personal link (naming the learner, showing their progress). In a
    channel or thread others read: a link naming nobody, and only for a module whose audience
    is everyone, so neither the learner's progress nor a restricted module is shared.
    """
    if channel.is_direct:
        return page_link(services, module_id, learner_id=learner_id, now=now, anchor=anchor)
    return page_link(services, module_id, learner_id=None, now=now, anchor=anchor)
