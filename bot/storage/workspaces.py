"""Workspace-level records: OAuth state, installed bot tokens, and purging a removed workspace."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, Table, and_, delete, desc, insert, select, update
from sqlalchemy.engine import Connection

from bot.storage.learners import LearnerRepository
from bot.storage.secrets import SecretBox
from bot.storage.tables import identities, slack_bots, slack_installations, slack_oauth_states


class OAuthStates:
    """OAuth `state` values, each accepted once and only before it expires."""

    def __init__(self, engine: Engine, *, lifetime: timedelta = timedelta(minutes=10)) -> None:
        self._engine = engine
        self._lifetime = lifetime

    def issue(self, *, now: datetime) -> str:
        """A new unguessable state value."""
        state = secrets.token_urlsafe(32)
        with self._engine.begin() as conn:
            conn.execute(
                insert(slack_oauth_states).values(state=state, expire_at=now + self._lifetime)
            )
            conn.execute(delete(slack_oauth_states).where(slack_oauth_states.c.expire_at < now))
        return state

    def consume(self, state: str, *, now: datetime) -> bool:
        """True once for a live state; the row is deleted in the same statement, so two
        concurrent callbacks with one state cannot both succeed."""
        if not state or len(state) > 200:
            return False
        table = slack_oauth_states
        with self._engine.begin() as conn:
            done = conn.execute(
                delete(table).where(and_(table.c.state == state, table.c.expire_at > now))
            )
        return done.rowcount == 1


# Columns that hold credentials: sealed with LEARNBOT_SECRET_KEY when one is set.
SECRET_COLUMNS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)


class SlackInstallations:
    """Slack installations and their bot tokens (rows in the slack_sdk installation schema).

    Timestamps are stored as naive UTC, as slack_sdk's own stores do. Tokens (and the incoming
    webhook URL) are sealed by `secrets` on write and opened on read; see `bot.storage.secrets`.

    Args:
        engine: The database.
        client_id: The Slack app's client id (rows of other apps are ignored).
        secrets: Seals and opens tokens; plaintext when omitted.
    """

    def __init__(
        self, engine: Engine, *, client_id: str = "", secrets: SecretBox | None = None
    ) -> None:
        self._engine = engine
        self._client_id = client_id
        self._secrets = secrets or SecretBox()

    def save(self, installation: dict[str, Any], bot: dict[str, Any] | None) -> None:
        """Store an installation (and its bot, when it has one) as new rows."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(slack_installations).values(self._row(slack_installations, installation))
            )
            if bot is not None:
                conn.execute(insert(slack_bots).values(self._row(slack_bots, bot)))

    def save_bot(self, bot: dict[str, Any]) -> None:
        """Store a bot row alone."""
        with self._engine.begin() as conn:
            conn.execute(insert(slack_bots).values(self._row(slack_bots, bot)))

    def _row(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        row = {k: _naive(v) for k, v in values.items() if k in table.c and k != "id"}
        for column in SECRET_COLUMNS:
            if column in row:
                row[column] = self._secrets.seal(row[column])
        row["client_id"] = self._client_id
        row["is_enterprise_install"] = bool(row.get("is_enterprise_install"))
        row.setdefault("installed_at", datetime.now(UTC).replace(tzinfo=None))
        return row

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> dict[str, Any] | None:
        """The newest bot row for a workspace (or an org-wide install), as a dict."""
        table = slack_bots
        query = select(table).where(
            *self._scope(table, enterprise_id, None if is_enterprise_install else team_id),
            table.c.bot_token.is_not(None),
        )
        return self._newest(table, query)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool = False,
    ) -> dict[str, Any] | None:
        """The newest installation row (by the given installer, when named)."""
        table = slack_installations
        clauses = self._scope(table, enterprise_id, None if is_enterprise_install else team_id)
        if user_id is not None:
            clauses.append(table.c.user_id == user_id)
        return self._newest(table, select(table).where(*clauses))

    def delete(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        bots: bool = True,
    ) -> int:
        """Delete installation rows (one installer's, or all) and, with `bots`, bot rows."""
        removed = 0
        with self._engine.begin() as conn:
            clauses = self._scope(slack_installations, enterprise_id, team_id)
            if user_id is not None:
                clauses.append(slack_installations.c.user_id == user_id)
            removed += int(conn.execute(delete(slack_installations).where(*clauses)).rowcount)
            if bots:
                scope = self._scope(slack_bots, enterprise_id, team_id)
                removed += int(conn.execute(delete(slack_bots).where(*scope)).rowcount)
        return removed

    def bot_token(self, team_id: str) -> str | None:
        """The newest bot token installed for a workspace, whatever its org."""
        table = slack_bots
        query = (
            select(table.c.bot_token)
            .where(
                table.c.client_id == self._client_id,
                table.c.team_id == team_id,
                table.c.bot_token.is_not(None),
            )
            .order_by(desc(table.c.installed_at), desc(table.c.id))
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else self._secrets.open(str(row.bot_token))

    def reseal(self) -> int:
        """Seal every stored token with the current key: plaintext ones (when a key is set) and
        ones sealed with an old key. Run at start-up, so rows written before a key was set or
        before a key change are protected without waiting for the next install.

        Returns:
            How many rows were rewritten.

        Raises:
            ConfigError: a stored token is sealed and no configured key opens it.
        """
        rewritten = 0
        for table in (slack_installations, slack_bots):
            with self._engine.begin() as conn:
                for row_id, stale in self._stale(conn, table):
                    fresh = {name: self._secrets.reseal(v) for name, v in stale.items()}
                    conn.execute(update(table).where(table.c.id == row_id).values(**fresh))
                    rewritten += 1
        return rewritten

    def stale_rows(self) -> int:
        """How many rows `reseal` would rewrite (read only; raises like `reseal`)."""
        with self._engine.connect() as conn:
            return sum(len(self._stale(conn, table)) for table in (slack_installations, slack_bots))

    def _stale(self, conn: Connection, table: Table) -> list[tuple[int, dict[str, str]]]:
        columns = [table.c[name] for name in SECRET_COLUMNS if name in table.c]
        found = []
        for row in conn.execute(select(table.c.id, *columns)).mappings().all():
            stale = {c.name: row[c.name] for c in columns if self._secrets.stale(row[c.name])}
            if stale:
                found.append((int(row["id"]), stale))
        return found

    def remove(self, team_id: str, *, enterprise_id: str | None = None) -> int:
        """Delete every installation and bot row of a workspace; returns rows deleted."""
        removed = 0
        with self._engine.begin() as conn:
            for table in (slack_installations, slack_bots):
                match = table.c.team_id == team_id
                if enterprise_id and not team_id:
                    match = table.c.enterprise_id == enterprise_id
                removed += int(conn.execute(delete(table).where(match)).rowcount)
        return removed

    def _scope(self, table: Table, enterprise_id: str | None, team_id: str | None) -> list[Any]:
        return [
            table.c.client_id == self._client_id,
            table.c.enterprise_id.is_(None)
            if enterprise_id is None
            else table.c.enterprise_id == enterprise_id,
            table.c.team_id.is_(None) if team_id is None else table.c.team_id == team_id,
        ]

    def _newest(self, table: Table, query: Select[Any]) -> dict[str, Any] | None:
        query = query.order_by(desc(table.c.installed_at), desc(table.c.id)).limit(1)
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        found = {k: _aware(v) for k, v in row.items() if k not in ("id", "client_id")}
        for column in SECRET_COLUMNS:
            if column in found:
                found[column] = self._secrets.open(found[column])
        return found


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def purge_workspace(
    engine: Engine,
    platform: str,
    workspace: str,
    *,
    forget: Callable[[str], object] | None = None,
) -> tuple[int, int]:
    """Forget a removed workspace: learners known only through it are deleted, learners
    linked to other identities too lose just this workspace's identities.

    Args:
        engine: The database.
        platform: "slack" or "teams".
        workspace: The team or tenant id.
        forget: Deletes one learner by id everywhere (the data-rights deletion, which also
            removes what does not cascade, like the text of their unanswered questions);
            a plain row delete when omitted.

    Returns:
        (learners deleted, identities removed from learners that remain).
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(identities.c.learner_id, identities.c.platform, identities.c.workspace).where(
                identities.c.learner_id.in_(
                    select(identities.c.learner_id).where(
                        identities.c.platform == platform, identities.c.workspace == workspace
                    )
                )
            )
        ).all()
    elsewhere = {r.learner_id for r in rows if (r.platform, r.workspace) != (platform, workspace)}
    only_here = {r.learner_id for r in rows} - elsewhere
    remove = forget or LearnerRepository(engine).delete
    for learner_id in sorted(only_here):
        remove(learner_id)
    with engine.begin() as conn:
        unlinked = conn.execute(
            delete(identities).where(
                identities.c.platform == platform, identities.c.workspace == workspace
            )
        ).rowcount
    return len(only_here), int(unlinked)
