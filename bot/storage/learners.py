"""Learner, identity and profile repository."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.core.events import Identity, UserInfo
from bot.core.model import Learner
from bot.storage.tables import identities, learners, profiles
from bot.storage.types import one_of
from learning.profile import Profile

ResolveHook = Callable[[Learner, Identity, datetime], bool]


CHAT_PLATFORMS = ("slack", "teams")


def organisation_of(identity: Identity, info: UserInfo) -> str:
    """The organisation an identity belongs to, which linking by email stays within: the
    Slack Enterprise Grid org (else the workspace), the Teams tenant, or the terminal."""
    if identity.platform == "slack" and info.enterprise:
        return f"slack:{info.enterprise}"
    return f"{identity.platform}:{identity.workspace}"


class LearnerRepository:
    """Learners keyed by platform identity, linked by email within one organisation.

    A new identity joins the learner who has its email only when that learner already has an
    identity in the same organisation (`organisation_of`): the same Slack enterprise or
    workspace, the same Teams tenant, or the terminal. Between Slack and Teams, an email is
    linked only when its domain is in `link_domains`. Guests are never linked.

    Args:
        engine: The database.
        on_resolve: Called after every `resolve` with the learner, the identity and the time;
            returns True when it changed the learner (roles from settings and the org chart),
            so the learner is read again.
        link_domains: Email domains trusted to link Slack and Teams identities
            (LEARNBOT_LINK_DOMAINS); empty means never across platforms.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        on_resolve: ResolveHook | None = None,
        link_domains: frozenset[str] = frozenset(),
    ) -> None:
        self._engine = engine
        self.on_resolve = on_resolve
        self._link_domains = frozenset(d.strip().lower().lstrip("@") for d in link_domains)

    def resolve(self, identity: Identity, info: UserInfo, *, now: datetime) -> Learner:
        """The learner behind an identity, created (or linked by email) on first contact.

        Two first messages of one person handled at the same time both try to create the
        identity; the one that loses the race reads what the winner stored.
        """
        try:
            return self._resolve(identity, info, now=now)
        except IntegrityError:
            return self._resolve(identity, info, now=now)

    def _resolve(self, identity: Identity, info: UserInfo, *, now: datetime) -> Learner:
        with self._engine.begin() as conn:
            learner_id = self._learner_id(conn, identity)
            if learner_id is None:
                learner_id = self._link_or_create(conn, identity, info, now=now)
            else:
                self._refresh(conn, learner_id, info, now=now)
                self._reorganise(conn, identity, info)
            learner = self._load(conn, learner_id)
        if self.on_resolve is not None and self.on_resolve(learner, identity, now):
            found = self.get(learner.id)
            return found if found is not None else learner
        return learner

    def find(self, identity: Identity) -> Learner | None:
        """The learner behind an identity, or None if it never wrote to learnbot."""
        with self._engine.connect() as conn:
            learner_id = self._learner_id(conn, identity)
            return None if learner_id is None else self._load(conn, learner_id)

    def get(self, learner_id: str) -> Learner | None:
        """A learner by internal id."""
        with self._engine.connect() as conn:
            exists = conn.execute(select(learners.c.id).where(learners.c.id == learner_id))
            return self._load(conn, learner_id) if exists.first() else None

    def find_by_email(self, email: str) -> Learner | None:
        """A learner by email (case-insensitive); the oldest when several organisations have
        a learner with that email."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(learners.c.id)
                .where(learners.c.email == email.strip().lower())
                .order_by(learners.c.created_at, learners.c.id)
            ).first()
            return None if row is None else self._load(conn, row.id)

    def in_workspace(self, platform: str, workspace: str) -> list[Learner]:
        """Every learner with an identity in one platform workspace."""
        query = select(identities.c.learner_id).where(
            identities.c.platform == platform, identities.c.workspace == workspace
        )
        with self._engine.connect() as conn:
            ids = sorted({str(r.learner_id) for r in conn.execute(query)})
            return [self._load(conn, i) for i in ids]

    def get_many(self, learner_ids: Sequence[str]) -> list[Learner]:
        """The learners with these ids that exist, in the order given (two queries per
        thousand)."""
        found: dict[str, Learner] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(learner_ids), 1000):
                ids = list(learner_ids[start : start + 1000])
                links: dict[str, list[Identity]] = {}
                query = (
                    select(identities)
                    .where(one_of(identities.c.learner_id, ids, engine=self._engine))
                    .order_by(
                        identities.c.created_at, identities.c.platform, identities.c.workspace
                    )
                )
                for i in conn.execute(query).mappings():
                    links.setdefault(i["learner_id"], []).append(
                        Identity(i["platform"], i["workspace"], i["user_id"])
                    )
                for row in conn.execute(
                    select(learners).where(one_of(learners.c.id, ids, engine=self._engine))
                ).mappings():
                    found[row["id"]] = _learner(row, links.get(row["id"], []))
        return [found[i] for i in learner_ids if i in found]

    def ids_by_email(self, emails: Sequence[str]) -> list[str]:
        """The ids of the learners with these emails (case-insensitive), in the order given."""
        wanted = [e.strip().lower() for e in emails]
        found: dict[str, str] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), 1000):
                query = select(learners.c.id, learners.c.email).where(
                    learners.c.email.in_(wanted[start : start + 1000])
                )
                found.update({r.email: r.id for r in conn.execute(query)})
        return [found[e] for e in wanted if e in found]

    def count(self) -> int:
        """How many learners there are."""
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(learners)).scalar_one())

    def all_ids(self) -> list[str]:
        """Every learner id, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(learners.c.id).order_by(learners.c.created_at))
            return [r.id for r in rows]

    def set_roles(
        self,
        learner_id: str,
        roles: frozenset[str],
        *,
        now: datetime,
        admin_from_settings: bool | None = None,
    ) -> None:
        """Replace a learner's permission roles (`learner` is always kept).

        Args:
            learner_id: The learner.
            roles: The new roles.
            now: When.
            admin_from_settings: Also record whether the admin role comes from
                LEARNBOT_ADMINS (True) or a grant (False); None leaves it as it is.
        """
        values: dict[str, object] = {"roles": sorted(roles | {"learner"}), "updated_at": now}
        if admin_from_settings is not None:
            values["admin_from_settings"] = admin_from_settings
        with self._engine.begin() as conn:
            conn.execute(update(learners).where(learners.c.id == learner_id).values(**values))

    def delete(self, learner_id: str) -> None:
        """Delete a learner and everything that cascades from it."""
        with self._engine.begin() as conn:
            conn.execute(delete(learners).where(learners.c.id == learner_id))

    def _learner_id(self, conn: Connection, identity: Identity) -> str | None:
        row = conn.execute(
            select(identities.c.learner_id).where(
                identities.c.platform == identity.platform,
                identities.c.workspace == identity.workspace,
                identities.c.user_id == identity.user_id,
            )
        ).first()
        return None if row is None else str(row.learner_id)

    def _link_or_create(
        self, conn: Connection, identity: Identity, info: UserInfo, *, now: datetime
    ) -> str:
        email = info.email.strip().lower() or None
        organisation = organisation_of(identity, info)
        row = None
        # A guest account is never linked to a member's learner by email: it would act with
        # that member's roles, and mark the member a guest everywhere.
        if email and not info.is_guest:
            row = conn.execute(self._linkable(identity, email, organisation)).first()
        if row is not None:
            learner_id = str(row.id)
        else:
            learner_id = uuid.uuid4().hex
            conn.execute(
                insert(learners).values(
                    id=learner_id,
                    display_name=info.display_name[:200],
                    email=email,
                    roles=["learner"],
                    is_guest=info.is_guest,
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(insert(profiles).values(_profile_row(learner_id, Profile(), now=now)))
        conn.execute(
            insert(identities).values(
                platform=identity.platform,
                workspace=identity.workspace,
                user_id=identity.user_id,
                learner_id=learner_id,
                created_at=now,
                organisation=organisation,
            )
        )
        return learner_id

    def _linkable(self, identity: Identity, email: str, organisation: str) -> Any:
        """The learner a new identity with this email joins: one with an identity in the same
        organisation, or (for an allowed domain) on the other chat platform, Slack for a Teams
        identity and Teams for a Slack one; the oldest."""
        within = identities.c.organisation == organisation
        domain = email.rpartition("@")[2]
        if identity.platform in CHAT_PLATFORMS and domain in self._link_domains:
            other = next(p for p in CHAT_PLATFORMS if p != identity.platform)
            within = or_(within, identities.c.platform == other)
        linked = select(identities.c.learner_id).where(within)
        return (
            select(learners.c.id)
            .where(learners.c.email == email, learners.c.id.in_(linked))
            .order_by(learners.c.created_at, learners.c.id)
            .limit(1)
        )

    def _reorganise(self, conn: Connection, identity: Identity, info: UserInfo) -> None:
        """Record a Slack identity's enterprise once the platform reports one."""
        if identity.platform != "slack" or not info.enterprise:
            return
        conn.execute(
            update(identities)
            .where(
                identities.c.platform == identity.platform,
                identities.c.workspace == identity.workspace,
                identities.c.user_id == identity.user_id,
                identities.c.organisation != organisation_of(identity, info),
            )
            .values(organisation=organisation_of(identity, info))
        )

    def _refresh(self, conn: Connection, learner_id: str, info: UserInfo, *, now: datetime) -> None:
        changes: dict[str, Any] = {}
        if info.display_name:
            changes["display_name"] = info.display_name[:200]
        if info.email:
            changes["email"] = info.email.strip().lower()
        if info.is_guest:
            changes["is_guest"] = True
        if changes:
            changes["updated_at"] = now
            conn.execute(update(learners).where(learners.c.id == learner_id).values(**changes))

    def _load(self, conn: Connection, learner_id: str) -> Learner:
        row = conn.execute(select(learners).where(learners.c.id == learner_id)).mappings().one()
        ids = conn.execute(
            select(identities)
            .where(identities.c.learner_id == learner_id)
            .order_by(identities.c.created_at, identities.c.platform, identities.c.workspace)
        ).mappings()
        return _learner(row, [Identity(i["platform"], i["workspace"], i["user_id"]) for i in ids])


def _learner(row: RowMapping, links: Sequence[Identity]) -> Learner:
    return Learner(
        id=row["id"],
        display_name=row["display_name"],
        email=row["email"],
        roles=frozenset(row["roles"]),
        is_guest=bool(row["is_guest"]),
        identities=tuple(links),
        admin_from_settings=bool(row["admin_from_settings"]),
    )


class ProfileRepository:
    """Learner profiles: preferences, time zone, working pattern."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, learner_id: str) -> Profile:
        """The learner's profile (defaults if it was never edited)."""
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(profiles).where(profiles.c.learner_id == learner_id))
                .mappings()
                .first()
            )
        return Profile() if row is None else _profile_from_row(row)

    def get_many(self, learner_ids: Sequence[str]) -> dict[str, Profile]:
        """Learner id -> profile (defaults for those never edited), a query per thousand."""
        out = {i: Profile() for i in learner_ids}
        with self._engine.connect() as conn:
            for start in range(0, len(learner_ids), 1000):
                ids = list(learner_ids[start : start + 1000])
                query = select(profiles).where(
                    one_of(profiles.c.learner_id, ids, engine=self._engine)
                )
                for row in conn.execute(query).mappings():
                    out[row["learner_id"]] = _profile_from_row(row)
        return out

    def save(self, learner_id: str, profile: Profile, *, now: datetime) -> None:
        """Store the whole profile."""
        values = _profile_row(learner_id, profile, now=now)
        with self._engine.begin() as conn:
            done = conn.execute(
                update(profiles).where(profiles.c.learner_id == learner_id).values(**values)
            )
            if done.rowcount == 0:
                conn.execute(insert(profiles).values(**values))


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _profile_row(learner_id: str, p: Profile, *, now: datetime) -> dict[str, Any]:
    return {
        "learner_id": learner_id,
        "job_role": p.job_role,
        "goals": list(p.goals),
        "preferred_format": p.preferred_format,
        "session_minutes": p.session_minutes,
        "timezone": p.timezone,
        "work_days": p.work_days,
        "work_start": _clock(p.work_start),
        "work_end": _clock(p.work_end),
        "quiet_start": _clock(p.quiet_start),
        "quiet_end": _clock(p.quiet_end),
        "nudges_per_day": p.nudges_per_day,
        "nudges_per_week": p.nudges_per_week,
        "paused_until": p.paused_until,
        "attributes": dict(p.attributes),
        "onboarded_at": p.onboarded_at,
        "pace": p.pace,
        "updated_at": now,
    }


def _profile_from_row(row: RowMapping) -> Profile:
    return Profile(
        job_role=row["job_role"],
        goals=tuple(row["goals"]),
        preferred_format=row["preferred_format"],
        session_minutes=row["session_minutes"],
        timezone=row["timezone"],
        work_days=row["work_days"],
        work_start=time.fromisoformat(row["work_start"]),
        work_end=time.fromisoformat(row["work_end"]),
        quiet_start=time.fromisoformat(row["quiet_start"]),
        quiet_end=time.fromisoformat(row["quiet_end"]),
        nudges_per_day=row["nudges_per_day"],
        nudges_per_week=row["nudges_per_week"],
        paused_until=row["paused_until"],
        attributes=dict(row["attributes"]),
        onboarded_at=row["onboarded_at"],
        pace=row["pace"],
    )
