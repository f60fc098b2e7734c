"""Recording nudge events in the learner's activity log."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.context import Services


def record(
    services: Services,
    learner_id: str,
    verb: str,
    *,
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """Append an activity entry; an identical entry at the same instant is recorded once."""
    with contextlib.suppress(IntegrityError):
        services.activity.record(learner_id, verb, object_id=object_id, detail=detail, now=now)
