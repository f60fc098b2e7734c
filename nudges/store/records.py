"""Nudge records: expanded calendars, spaced-review cards and nudge preferences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import calendar_events, calendars, nudge_prefs, review_cards
from bot.storage.types import epoch_seconds, one_of
from nudges.calendar import CalendarEvent, ParsedCalendar
from nudges.planner import NudgePrefs
from nudges.srs import CardState

if TYPE_CHECKING:
    from nudges.recall import CardTimes


@dataclass(frozen=True)
class CalendarInfo:
    """What is known about a learner's calendar (never the events themselves)."""

    kind: str
    url: str | None
    zone: str
    horizon_end: datetime
    event_count: int
    refreshed_at: datetime
    last_error: str | None


class CalendarStore:
    """Each learner's calendar, replaced whole in one transaction at every import or refresh."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace(
        self,
        learner_id: str,
        parsed: ParsedCalendar,
        *,
        kind: str,
        url: str | None,
        zone: str,
        now: datetime,
    ) -> None:
        """Store a parsed calendar in place of the previous one (all or nothing)."""
        rows = [_event_row(learner_id, e) for e in parsed.events]
        with self._engine.begin() as conn:
            conn.execute(delete(calendar_events).where(calendar_events.c.learner_id == learner_id))
            conn.execute(delete(calendars).where(calendars.c.learner_id == learner_id))
            conn.execute(
                insert(calendars).values(
                    learner_id=learner_id,
                    kind=kind,
                    url=url,
                    zone=zone,
                    horizon_start=parsed.start,
                    horizon_end=parsed.end,
                    event_count=len(rows),
                    imported_at=now,
                    refreshed_at=now,
                    last_error=None,
                    last_error_at=None,
                )
            )
            if rows:
                conn.execute(insert(calendar_events), rows)

    def record_error(self, learner_id: str, error: str, *, now: datetime) -> None:
        """Remember why the last refresh failed (the stored calendar stays as it was)."""
        with self._engine.begin() as conn:
            conn.execute(
                update(calendars)
                .where(calendars.c.learner_id == learner_id)
                .values(last_error=error[:500], last_error_at=now, refreshed_at=now)
            )

    def info(self, learner_id: str) -> CalendarInfo | None:
        """The learner's calendar summary, or None."""
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(calendars).where(calendars.c.learner_id == learner_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return CalendarInfo(
            kind=row["kind"],
            url=row["url"],
            zone=row["zone"],
            horizon_end=row["horizon_end"],
            event_count=row["event_count"],
            refreshed_at=row["refreshed_at"],
            last_error=row["last_error"],
        )

    def remove(self, learner_id: str) -> bool:
        """Delete the learner's calendar and its events; False when there was none."""
        with self._engine.begin() as conn:
            conn.execute(delete(calendar_events).where(calendar_events.c.learner_id == learner_id))
            done = conn.execute(delete(calendars).where(calendars.c.learner_id == learner_id))
        return done.rowcount > 0

    def events(
        self, learner_id: str, *, start: datetime, end: datetime, zone: str
    ) -> list[CalendarEvent]:
        """Events overlapping [start, end), floating ones moved into the learner's current zone."""
        with self._engine.connect() as conn:
            imported_zone = conn.execute(
                select(calendars.c.zone).where(calendars.c.learner_id == learner_id)
            ).scalar_one_or_none()
            if imported_zone is None:
                return []
            rows = conn.execute(
                select(calendar_events)
                .where(
                    calendar_events.c.learner_id == learner_id,
                    calendar_events.c.start_at < end,
                    calendar_events.c.end_at > start,
                )
                .order_by(calendar_events.c.start_at, calendar_events.c.id)
            ).mappings()
            return [_event(r, ZoneInfo(imported_zone), ZoneInfo(zone)) for r in rows]

    def events_many(
        self, zones: Mapping[str, str], *, start: datetime, end: datetime
    ) -> dict[str, list[CalendarEvent]]:
        """`events` for many learners at once: learner id -> current zone in, events out."""
        ids = list(zones)
        out: dict[str, list[CalendarEvent]] = {i: [] for i in ids}
        if not ids:
            return out
        with self._engine.connect() as conn:
            query = select(calendars.c.learner_id, calendars.c.zone).where(
                one_of(calendars.c.learner_id, ids, engine=self._engine)
            )
            imported = {str(lid): str(zone) for lid, zone in conn.execute(query)}
            if not imported:
                return out
            e = calendar_events.c
            rows = conn.execute(
                select(
                    e.learner_id,
                    e.start_at,
                    e.end_at,
                    e.title,
                    e.description,
                    e.busy,
                    e.all_day,
                    e.floating,
                )
                .where(
                    one_of(e.learner_id, list(imported), engine=self._engine),
                    e.start_at < end,
                    e.end_at > start,
                )
                .order_by(e.learner_id, e.start_at, e.id)
            ).all()
        for learner_id, start_at, end_at, title, description, busy, all_day, floating in rows:
            if all_day or floating:
                old, new = _zone(imported[learner_id]), _zone(zones[learner_id])
                if old.key != new.key:
                    start_at, end_at = _move(start_at, old, new), _move(end_at, old, new)
            out[learner_id].append(
                CalendarEvent(
                    start=start_at,
                    end=end_at,
                    title=title,
                    description=description,
                    busy=bool(busy),
                    all_day=bool(all_day),
                    floating=bool(floating),
                )
            )
        return out

    def due_for_refresh(self, *, before: datetime) -> list[tuple[str, str]]:
        """(learner id, url) of subscribed feeds last refreshed before `before`."""
        query = select(calendars.c.learner_id, calendars.c.url).where(
            calendars.c.kind == "url", calendars.c.refreshed_at < before
        )
        with self._engine.connect() as conn:
            return [(r.learner_id, r.url) for r in conn.execute(query) if r.url]

    def files_imported_before(self, *, before: datetime) -> list[str]:
        """Learner ids whose calendar is an imported file whose horizon has run out."""
        query = select(calendars.c.learner_id).where(
            calendars.c.kind == "file", calendars.c.imported_at < before
        )
        with self._engine.connect() as conn:
            return list(conn.execute(query).scalars())


@lru_cache(maxsize=512)
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def _event_row(learner_id: str, e: CalendarEvent) -> dict[str, Any]:
    return {
        "learner_id": learner_id,
        "start_at": e.start,
        "end_at": e.end,
        "busy": e.busy,
        "all_day": e.all_day,
        "floating": e.floating,
        "title": e.title,
        "description": e.description,
    }


def _event(row: RowMapping, imported: ZoneInfo, current: ZoneInfo) -> CalendarEvent:
    start, end = row["start_at"], row["end_at"]
    if (row["floating"] or row["all_day"]) and imported.key != current.key:
        start, end = _move(start, imported, current), _move(end, imported, current)
    return CalendarEvent(
        start=start,
        end=end,
        title=row["title"],
        description=row["description"],
        busy=bool(row["busy"]),
        all_day=bool(row["all_day"]),
        floating=bool(row["floating"]),
    )


def _move(at: datetime, old: ZoneInfo, new: ZoneInfo) -> datetime:
    """The same wall-clock time in another zone (floating times follow the learner)."""
    return at.astimezone(old).replace(tzinfo=new).astimezone(UTC)


class ReviewStore:
    """Spaced-review cards, one per (learner, quiz item)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, learner_id: str, item_id: str) -> CardState | None:
        """One card, or None if the learner never answered the item."""
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(review_cards).where(
                        review_cards.c.learner_id == learner_id, review_cards.c.item_id == item_id
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else _card(row)

    def save(
        self,
        learner_id: str,
        item_id: str,
        state: CardState,
        *,
        module_id: str | None,
        now: datetime,
    ) -> None:
        """Insert or update one card."""
        values = _card_row(state) | {"updated_at": now}
        if module_id is not None:
            values["module_id"] = module_id
        with self._engine.begin() as conn:
            if self._update(conn, learner_id, item_id, values):
                return
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(review_cards).values(learner_id=learner_id, item_id=item_id, **values)
                )
        except IntegrityError:
            # Two answers of a new item at once: the other insert won, so update it.
            with self._engine.begin() as conn:
                self._update(conn, learner_id, item_id, values)

    @staticmethod
    def _update(conn: Connection, learner_id: str, item_id: str, values: dict[str, Any]) -> bool:
        done = conn.execute(
            update(review_cards)
            .where(review_cards.c.learner_id == learner_id, review_cards.c.item_id == item_id)
            .values(**values)
        )
        return done.rowcount > 0

    def cards(self, learner_id: str) -> list[tuple[str, str | None, CardState]]:
        """Every card of a learner: (item id, module id, state)."""
        query = (
            select(review_cards)
            .where(review_cards.c.learner_id == learner_id)
            .order_by(review_cards.c.item_id)
        )
        with self._engine.connect() as conn:
            return [
                (r["item_id"], r["module_id"], _card(r)) for r in conn.execute(query).mappings()
            ]

    def cards_many(
        self, learner_ids: Sequence[str]
    ) -> dict[str, list[tuple[str, str | None, CardState]]]:
        """`cards` of many learners in one query, each learner's in the same order."""
        out: dict[str, list[tuple[str, str | None, CardState]]] = {i: [] for i in learner_ids}
        if not learner_ids:
            return out
        query = (
            select(review_cards)
            .where(review_cards.c.learner_id.in_(list(learner_ids)))
            .order_by(review_cards.c.learner_id, review_cards.c.item_id)
        )
        with self._engine.connect() as conn:
            for r in conn.execute(query).mappings():
                out[r["learner_id"]].append((r["item_id"], r["module_id"], _card(r)))
        return out

    def fading_rows_many(self, learner_ids: Sequence[str]) -> dict[str, list[CardTimes]]:
        """What planning reads of the cards of many learners, in one query and no datetime:
        per learner, in `cards` order, (module id, stability, last review and due time as
        epoch seconds computed by the database, state)."""
        out: dict[str, list[CardTimes]] = {i: [] for i in learner_ids}
        if not learner_ids:
            return out
        c = review_cards.c
        query = (
            select(
                c.learner_id,
                c.module_id,
                c.stability,
                epoch_seconds(c.last_review_at),
                epoch_seconds(c.due_at),
                c.state,
            )
            .where(one_of(c.learner_id, learner_ids, engine=self._engine))
            .order_by(c.learner_id, c.item_id)
        )
        with self._engine.connect() as conn:
            # Plain driver tuples: no column here has a result conversion to apply.
            rows = conn.execute(query).cursor.fetchall()
        for learner_id, module_id, stability, last, due, state in rows:
            out[learner_id].append((module_id, stability, last, due, state))
        return out


def _card_row(s: CardState) -> dict[str, Any]:
    return {
        "card_id": s.card_id,
        "state": s.state,
        "step": s.step,
        "stability": s.stability,
        "difficulty": s.difficulty,
        "due_at": s.due_at,
        "last_review_at": s.last_review_at,
        "reviews": s.reviews,
        "lapses": s.lapses,
    }


def _card(row: RowMapping) -> CardState:
    return CardState(
        card_id=int(row["card_id"]),
        state=int(row["state"]),
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        due_at=row["due_at"],
        last_review_at=row["last_review_at"],
        reviews=int(row["reviews"]),
        lapses=int(row["lapses"]),
    )


class PrefsStore:
    """Per-learner nudge preferences: kind weights, snooze, stop, days left alone."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, learner_id: str) -> NudgePrefs:
        """The learner's preferences (defaults when never changed)."""
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(nudge_prefs).where(nudge_prefs.c.learner_id == learner_id))
                .mappings()
                .first()
            )
        return NudgePrefs() if row is None else _prefs(row)

    def get_many(self, learner_ids: Sequence[str]) -> dict[str, NudgePrefs]:
        """Preferences of many learners in one query (defaults when never changed)."""
        found: dict[str, NudgePrefs] = {}
        if learner_ids:
            query = select(nudge_prefs).where(
                one_of(nudge_prefs.c.learner_id, learner_ids, engine=self._engine)
            )
            with self._engine.connect() as conn:
                found = {r["learner_id"]: _prefs(r) for r in conn.execute(query).mappings()}
        return {i: found.get(i) or NudgePrefs() for i in learner_ids}

    def save(self, learner_id: str, prefs: NudgePrefs, *, now: datetime) -> None:
        """Store the whole preferences record."""
        values = {
            "weights": dict(prefs.weights),
            "snoozed_until": prefs.snoozed_until,
            "stopped": prefs.stopped,
            "skip_dates": sorted(d.isoformat() for d in prefs.skip_dates),
            "updated_at": now,
        }
        with self._engine.begin() as conn:
            done = conn.execute(
                update(nudge_prefs).where(nudge_prefs.c.learner_id == learner_id).values(**values)
            )
            if done.rowcount == 0:
                conn.execute(insert(nudge_prefs).values(learner_id=learner_id, **values))


def _prefs(row: RowMapping) -> NudgePrefs:
    return NudgePrefs(
        weights={str(k): float(v) for k, v in dict(row["weights"]).items()},
        snoozed_until=row["snoozed_until"],
        stopped=bool(row["stopped"]),
        skip_dates=frozenset(date.fromisoformat(d) for d in row["skip_dates"]),
    )
