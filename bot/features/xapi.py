"""Learning events as xAPI statements, and a forwarder to a Learning Record Store.

Statements are derived from the append-only activity log, so nothing needs writing twice:
the export reads it, and the forwarder keeps a cursor (the last activity id the LRS
accepted) and advances it only after a 2xx answer. While the LRS is down the cursor stays,
so nothing is lost; statement ids are derived from the activity id, so a batch sent twice
(an answer lost on the way back) is stored once by the LRS.

Actors are pseudonymous (the salted hash of `bot.features.data_rights.pseudonym`), never emails.

Lessons give ADL ``experienced`` (a card read; the object is the card,
``<base IRI>/lessons/<module>/cards/<n>``), ``answered`` (a practice question; ``result.success``
says whether it was right, and the context extension says ``practice``; never the answer) and
``completed`` (the lesson read to its end; the object is ``<base IRI>/lessons/<module>``).

A module marked done without passing its mastery check (``module.unverified``) is an ADL
``completed`` statement whose result says ``completion: true``, has no ``success`` (nothing
was assessed), and carries the extension ``<base IRI>/extensions/unverified: true``; a module
done by passing its check, or one without a check, is a plain ``completed``.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from bot.features.fetch import FetchError, FetchLimits, post
from bot.settings import Settings
from bot.storage.xapi import XapiRepository

XAPI_VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
# learnbot verb -> (ADL verb, or None for a learnbot verb under the base IRI; object kind)
VERBS: dict[str, tuple[str | None, str]] = {
    "answered": ("answered", "items"),
    "lesson.viewed": ("experienced", "lessons"),
    "lesson.completed": ("completed", "lessons"),
    "asked": ("asked", "library"),
    "completed": ("completed", "modules"),
    "module.done": ("completed", "modules"),
    "module.unverified": ("completed", "modules"),
    "module.opened": ("experienced", "modules"),
    "module.skipped": (None, "modules"),
    "path.next": (None, "modules"),
    "quiz_completed": ("completed", "assessments"),
    "mastered": ("mastered", "assessments"),
    "check_failed": ("failed", "assessments"),
    "exempted": ("waived", "competencies"),
    "nudged": (None, "nudges"),
    "escalated": (None, "assessments"),
}
SUCCESS = {"mastered": True, "check_failed": False, "exempted": True}
BATCH = 100
SETTLE = timedelta(seconds=60)  # how old an activity row is before it is forwarded
LRS_ANSWER_BYTES = 1_000_000  # an LRS answers a batch with its statement ids


def verb_id(settings: Settings, verb: str) -> str:
    """The verb IRI: ADL's vocabulary where it has the verb, else one under the base IRI."""
    adl, _ = VERBS.get(verb, (None, "activities"))
    base = settings.xapi_base_iri.rstrip("/")
    return f"{ADL}{adl}" if adl else f"{base}/verbs/{quote(verb, safe='')}"


def object_id(settings: Settings, verb: str, raw: str, detail: dict[str, Any]) -> str:
    """The activity IRI of what the event is about."""
    _, kind = VERBS.get(verb, (None, "activities"))
    base = settings.xapi_base_iri.rstrip("/")
    if kind == "competencies":
        raw = str(detail.get("competency") or raw.rsplit(":", 1)[-1])
    if kind == "library" or not raw:
        return f"{base}/{kind}"
    return f"{base}/{kind}/{quote(raw, safe='/')}"


def statement(settings: Settings, row: dict[str, Any], *, actor_name: str) -> dict[str, Any]:
    """One activity row as an xAPI statement (no learner answers or question text)."""
    verb = str(row["verb"])
    base = settings.xapi_base_iri.rstrip("/")
    stmt: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/activity/{row['id']}")),
        "actor": {"objectType": "Agent", "account": {"homePage": base, "name": actor_name}},
        "verb": {"id": verb_id(settings, verb), "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": object_id(settings, verb, str(row["object_id"]), dict(row["detail"] or {})),
        },
        "timestamp": row["at"].isoformat(),
        "version": XAPI_VERSION,
    }
    if verb in SUCCESS:
        stmt["result"] = {"success": SUCCESS[verb]}
    detail = dict(row["detail"] or {})
    if verb == "answered" and isinstance(detail.get("success"), bool):
        stmt["result"] = {"success": detail["success"]}
        if detail.get("context"):
            stmt["context"] = {"extensions": {f"{base}/extensions/context": detail["context"]}}
    if verb == "module.unverified":
        stmt["result"] = {"completion": True, "extensions": {f"{base}/extensions/unverified": True}}
    return stmt


def statements(
    log: XapiRepository,
    settings: Settings,
    *,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(activity id, statement) pairs in order."""
    found = log.activity(since=since, after_id=after_id, limit=limit)
    yield from statements_of(settings, found)


def statements_of(
    settings: Settings, found: Iterable[dict[str, Any]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(activity id, statement) pairs for activity rows, actors pseudonymized."""
    from bot.features.data_rights import pseudonym

    names: dict[str, str] = {}
    for row in found:
        learner = str(row["learner_id"])
        if learner not in names:
            names[learner] = pseudonym(settings, learner)
        yield int(row["id"]), statement(settings, row, actor_name=names[learner])


class LrsError(Exception):
    """The LRS refused or could not be reached; `retryable` says whether trying later helps."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Forwarder:
    """Sends statements to an LRS in batches, advancing a stored cursor on success only.

    Args:
        log: The activity log and the stored cursor.
        settings: LRS_URL, LRS_USERNAME, LRS_PASSWORD and the base IRI.
        timeout: Seconds per request.
    """

    CURSOR = "lrs"

    def __init__(self, log: XapiRepository, settings: Settings, *, timeout: float = 10.0) -> None:
        if not settings.lrs_url:
            raise ValueError("LRS_URL is not set")
        self._log = log
        self._settings = settings
        self._timeout = timeout
        self._url = settings.lrs_url.rstrip("/") + "/statements"

    def cursor(self) -> int:
        """The last activity id the LRS accepted."""
        return self._log.cursor(self.CURSOR)

    def pending(self) -> int:
        """Activity rows not yet accepted by the LRS."""
        return len(self._log.activity(after_id=self.cursor()))

    def forward(self, *, now: datetime, retries: int = 3, backoff: float = 1.0) -> int:
        """Send every pending statement; returns how many were accepted.

        Raises:
            LrsError: the LRS stayed down (or refused a batch); the cursor stays where the
                last accepted batch left it, so a later call resends the rest.
        """
        sent = 0
        # Ids are handed out before commit, so a row with a lower id can become visible after
        # a higher one; the cursor would then pass it for good. Rows are sent only once they
        # are SETTLE old, and only the leading run of them, so every earlier id is settled too.
        cutoff = now - SETTLE
        while True:
            found = self._log.activity(after_id=self.cursor(), limit=BATCH)
            settled = list(itertools.takewhile(lambda r: r["at"] <= cutoff, found))
            batch = list(statements_of(self._settings, settled))
            if not batch:
                return sent
            self._post_with_retries([s for _, s in batch], retries=retries, backoff=backoff)
            self._log.advance(self.CURSOR, batch[-1][0], now=now)
            sent += len(batch)

    def _post_with_retries(
        self, batch: list[dict[str, Any]], *, retries: int, backoff: float
    ) -> None:
        for attempt in range(retries + 1):
            try:
                self._post(batch)
                return
            except LrsError as err:
                if not err.retryable or attempt == retries:
                    raise
                time.sleep(backoff * (2**attempt))

    def _post(self, batch: list[dict[str, Any]]) -> None:
        headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
        settings = self._settings
        if settings.lrs_username or settings.lrs_password:
            password = settings.lrs_password.get_secret_value() if settings.lrs_password else ""
            pair = f"{settings.lrs_username or ''}:{password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        body = json.dumps(batch).encode()
        # The LRS is the operator's own (LRS_URL), so it may be on a private network; the
        # guarded fetcher still resolves it once, pins the address and bounds time and size.
        limits = FetchLimits(max_bytes=LRS_ANSWER_BYTES, timeout=self._timeout, allow_private=True)
        try:
            status = post(self._url, body, limits, headers=headers)
        except FetchError as err:
            if err.kind in ("url", "credentials"):
                raise LrsError(f"LRS_URL is not usable: {err.reason}", retryable=False) from err
            raise LrsError(f"the LRS is unreachable ({err.reason})", retryable=True) from err
        if not 200 <= status < 300:
            retryable = status >= 500 or status == 429
            raise LrsError(f"the LRS answered HTTP {status}", retryable=retryable)
