"""A learner's data rights: export everything stored about them, and delete it everywhere.

Learner-keyed tables are found generically (every table with a `learner_id` column, plus the
learner row itself), so a table a future feature adds is exported and deleted without a change
here. Unanswered questions (`content_gaps`) are deleted with the learner, question text
included: the text can identify its author, so keeping it anonymized would not be enough.
Teams conversation references are keyed by the platform user id and are deleted by identity.
The audit log is kept; the deletion itself is recorded there under a salted hash of the id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, delete, or_, select, update

from bot.context import Services
from bot.core.model import Learner
from bot.settings import Settings
from bot.storage.tables import identities, learners, metadata, teams_conversations

EXPORT_VERSION = 1
SALT_FILE = "privacy-salt"
# Columns of other people's rows that name the learner as the one who acted (a manager who
# assigned work, an admin who waived a module or revoked an exemption): pseudonymized.
ACTOR_COLUMNS = (
    ("assignments", "assigned_by"),
    ("module_waivers", "actor"),
    ("exemptions", "overridden_by"),
    ("audit_log", "actor"),
)


def learner_tables() -> list[Table]:
    """Every table holding rows about one learner (by a `learner_id` column)."""
    return [t for t in metadata.sorted_tables if "learner_id" in t.c]


def pseudonym(settings: Settings, learner_id: str) -> str:
    """A stable pseudonymous id: HMAC-SHA256 of the learner id with the installation's salt."""
    return hmac.new(_salt(settings), learner_id.encode(), hashlib.sha256).hexdigest()[:32]


def _salt(settings: Settings) -> bytes:
    if settings.privacy_salt is not None:
        return settings.privacy_salt.get_secret_value().encode()
    path = settings.home / SALT_FILE
    if not path.is_file():
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


def _teams_rows(learner: Learner) -> Any:
    """Teams conversation references of the learner's Teams identities (by either user id)."""
    teams = [i for i in learner.identities if i.platform == "teams"]
    if not teams:
        return None
    t = teams_conversations.c
    return or_(
        *(
            and_(
                t.tenant_id == i.workspace,
                or_(t.user_id == i.user_id, t.aad_object_id == i.user_id),
            )
            for i in teams
        )
    )


def export(engine: Engine, learner: Learner, *, now: datetime) -> dict[str, Any]:
    """Everything stored about the learner, table by table, as JSON-ready data."""
    data: dict[str, Any] = {
        "format": "learnbot-export",
        "version": EXPORT_VERSION,
        "exported_at": now,
    }
    with engine.connect() as conn:
        row = conn.execute(select(learners).where(learners.c.id == learner.id)).mappings().first()
        data["learner"] = dict(row) if row else {}
        for table in learner_tables():
            query = select(table).where(table.c.learner_id == learner.id)
            data[table.name] = [dict(r) for r in conn.execute(query).mappings()]
        teams = _teams_rows(learner)
        if teams is not None:
            rows = conn.execute(select(teams_conversations).where(teams)).mappings()
            data[teams_conversations.name] = [dict(r) for r in rows]
    return data


def forget(services: Services, learner: Learner, *, now: datetime) -> dict[str, int]:
    """Delete every row about the learner in one transaction; returns rows deleted per table."""
    counts: dict[str, int] = {}
    with services.engine.begin() as conn:
        teams = _teams_rows(learner)
        if teams is not None:
            counts[teams_conversations.name] = conn.execute(
                delete(teams_conversations).where(teams)
            ).rowcount
        for table in reversed(learner_tables()):
            if table is identities:
                continue
            done = conn.execute(delete(table).where(table.c.learner_id == learner.id))
            counts[table.name] = int(done.rowcount)
        counts[identities.name] = conn.execute(
            delete(identities).where(identities.c.learner_id == learner.id)
        ).rowcount
        counts[learners.name] = conn.execute(
            delete(learners).where(learners.c.id == learner.id)
        ).rowcount
        alias = pseudonym(services.settings, learner.id)
        for table_name, column in ACTOR_COLUMNS:
            table = metadata.tables[table_name]
            conn.execute(update(table).where(table.c[column] == learner.id).values({column: alias}))
    services.audit.record(
        actor=pseudonym(services.settings, learner.id),
        action="learner.forget",
        target="",
        detail={"rows": {k: v for k, v in counts.items() if v}},
        now=now,
    )
    return counts
