"""Stored Teams conversation references: where proactive messages (nudges, reports) can go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from bot.storage.tables import teams_conversations as tc

PERSONAL = "personal"
KINDS = ("personal", "channel", "groupChat")


@dataclass(frozen=True)
class ConversationRef:
    """A conversation the bot may write to, with the platform's reference to it.

    Attributes:
        conversation_id: The conversation id (for a channel, without any `;messageid=` suffix).
        tenant_id: The Microsoft 365 tenant.
        kind: personal, channel or groupChat.
        user_id: For a personal chat, the user's Bot Framework id (`29:...`).
        aad_object_id: For a personal chat, the user's Entra ID object id.
        service_url: Where the Bot Connector for this conversation lives.
        reference: The serialized Bot Framework conversation reference.
        dead: True once the platform said the conversation is gone (403, 404, uninstall).
    """

    conversation_id: str
    tenant_id: str
    kind: str
    service_url: str
    reference: dict[str, Any]
    user_id: str | None = None
    aad_object_id: str | None = None
    dead: bool = False


class ConversationRepository:
    """Remembers conversation references; marks them dead when the recipient is gone."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def remember(self, ref: ConversationRef, *, now: datetime) -> bool:
        """Store or refresh a reference (reviving a dead one).

        Returns:
            True when something was written (a new conversation, a moved service URL, a
            revived or changed reference), False when the stored one was already current.
        """
        if ref.kind not in KINDS:
            raise ValueError(f"unknown conversation kind {ref.kind!r}")
        with self._engine.begin() as conn:
            row = _row(conn, ref.conversation_id)
            values = _values(ref)
            if row is None:
                conn.execute(insert(tc).values(**values, created_at=now, updated_at=now))
                return True
            if _current(row, values):
                return False
            conn.execute(
                update(tc)
                .where(tc.c.conversation_id == ref.conversation_id)
                .values(**values, dead_at=None, dead_reason="", updated_at=now)
            )
            return True

    def get(self, conversation_id: str) -> ConversationRef | None:
        """A conversation by id (dead or alive)."""
        with self._engine.connect() as conn:
            row = _row(conn, conversation_id)
        return None if row is None else _ref(row)

    def personal(self, tenant_id: str, user_id: str) -> ConversationRef | None:
        """The newest personal chat with a user, by Bot Framework id or Entra object id.

        A live chat is preferred; a dead one is returned when there is no other, so the
        caller can tell "gone" from "never talked".
        """
        query = (
            select(tc)
            .where(
                tc.c.tenant_id == tenant_id,
                tc.c.kind == PERSONAL,
                or_(tc.c.user_id == user_id, tc.c.aad_object_id == user_id),
            )
            .order_by(tc.c.dead_at.is_not(None), tc.c.updated_at.desc())
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _ref(row)

    def mark_dead(self, conversation_id: str, *, reason: str, now: datetime) -> bool:
        """Record that the conversation can no longer be written to; False if unknown."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(tc)
                .where(tc.c.conversation_id == conversation_id)
                .values(dead_at=now, dead_reason=reason[:200], updated_at=now)
            )
        return bool(done.rowcount)

    def count(self, *, alive_only: bool = False) -> int:
        """How many conversations are stored."""
        query = select(func.count()).select_from(tc)
        if alive_only:
            query = query.where(tc.c.dead_at.is_(None))
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _row(conn: Connection, conversation_id: str) -> RowMapping | None:
    query = select(tc).where(tc.c.conversation_id == conversation_id)
    return conn.execute(query).mappings().first()


def _values(ref: ConversationRef) -> dict[str, Any]:
    return {
        "conversation_id": ref.conversation_id,
        "tenant_id": ref.tenant_id,
        "kind": ref.kind,
        "user_id": ref.user_id,
        "aad_object_id": ref.aad_object_id,
        "service_url": ref.service_url,
        "reference": ref.reference,
    }


def _current(row: RowMapping, values: dict[str, Any]) -> bool:
    if row["dead_at"] is not None:
        return False
    return all(row[key] == value for key, value in values.items())


def _ref(row: RowMapping) -> ConversationRef:
    return ConversationRef(
        conversation_id=row["conversation_id"],
        tenant_id=row["tenant_id"],
        kind=row["kind"],
        service_url=row["service_url"],
        reference=dict(row["reference"]),
        user_id=row["user_id"],
        aad_object_id=row["aad_object_id"],
        dead=row["dead_at"] is not None,
    )
