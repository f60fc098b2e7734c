"""A learner's data rights: export everything stored about them, and delete it everywhere.

`bot.storage.rights` finds the rows: every learner-keyed table (so a table a future feature
adds is exported and deleted without a change here) and the learner's Teams conversation
references. Unanswered questions (`content_gaps`) are deleted with the learner, question text
included: the text can identify its author, so keeping it anonymized would not be enough.
The audit log is kept; the deletion itself is recorded there under a salted hash of the id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.core.model import Learner
from bot.settings import Settings
from bot.storage.files import write_private

EXPORT_VERSION = 1
SALT_FILE = "privacy-salt"


def pseudonym(settings: Settings, learner_id: str) -> str:
    """A stable pseudonymous id: HMAC-SHA256 of the learner id with the installation's salt."""
    return hmac.new(_salt(settings), learner_id.encode(), hashlib.sha256).hexdigest()[:32]


def _salt(settings: Settings) -> bytes:
    if settings.privacy_salt is not None:
        return settings.privacy_salt.get_secret_value().encode()
    path = settings.home / SALT_FILE
    if not path.is_file():
        write_private(path, secrets.token_hex(32).encode())
    return path.read_text(encoding="utf-8").strip().encode()


def export(services: Services, learner: Learner, *, now: datetime) -> dict[str, Any]:
    """Everything stored about the learner, table by table, as JSON-ready data."""
    return {
        "format": "learnbot-export",
        "version": EXPORT_VERSION,
        "exported_at": now,
        **services.rights.export(learner),
    }


def forget(services: Services, learner: Learner, *, now: datetime) -> dict[str, int]:
    """Delete every row about the learner in one transaction; returns rows deleted per table."""
    alias = pseudonym(services.settings, learner.id)
    counts = services.rights.forget(learner, alias=alias)
    services.audit.record(
        actor=alias,
        action="learner.forget",
        target="",
        detail={"rows": {k: v for k, v in counts.items() if v}},
        now=now,
    )
    return counts
