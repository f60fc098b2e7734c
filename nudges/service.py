"""The nudge service: gathers a learner's planning inputs, runs the pure planner, keeps the
outbox in step with the plan, and applies the learner's choices (snooze, pause, fewer, stop).

Other features plug in through typed `Services` fields: `paths` (a `PathsPort`: the next step
and the required training, from one plan of the path) and `chat_ports` (the platforms this
process can send to).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError

from bot.context import Lazy, Services
from bot.core.ports import ChatPorts, PathInputs
from bot.core.replies import Reply
from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.delivery import Delivery, DeliveryConfig, InboxPort, nudge_reply
from nudges.matching import Catalogue, ModuleInfo
from nudges.outbox import Nudge, PlanChanges
from nudges.pacing import Pacer, PacerPort
from nudges.planner import NudgePrefs, PlanInput, PlannedNudge, SentNudge, plan
from nudges.reviews import Fading, fading_for, fading_of_times
from nudges.slots import LocalDay, working_days, zone_of

MIN_WEIGHT = 0.125
CHUNK = 1000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanPass:
    """What one planning pass over every learner did."""

    planned: int = 0
    failed: int = 0


class NudgeService:
    """Planning and preferences for every learner, over the core's database."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.outbox = services.outbox
        self.calendars = services.calendars
        self.prefs = services.nudge_prefs

    # Inputs ---------------------------------------------------------------------------------

    def modules(self) -> list[ModuleInfo]:
        """The library's live modules as the planner sees them."""
        return [
            ModuleInfo(m.meta.id, m.meta.title, m.meta.minutes, m.meta.tags, m.meta.summary)
            for m in self.services.content.modules()
        ]

    def catalogue(self) -> Catalogue:
        """The library indexed for just-in-time matching."""
        return Catalogue.build(self.modules())

    def plan_input(
        self,
        learner_id: str,
        *,
        now: datetime,
        days: int = 7,
        events: Sequence[CalendarEvent] | None = None,
        catalogue: Catalogue | None = None,
    ) -> PlanInput:
        """Everything the planner needs for one learner, read from storage and features."""
        profile = self.services.profiles.get(learner_id)
        end = now + timedelta(days=days + 1)
        if events is None:
            events = self.calendars.events(
                learner_id, start=now - timedelta(days=1), end=end, zone=profile.timezone
            )
        catalogue = catalogue or self.catalogue()
        fading = fading_for(self.services, learner_id, until=end)
        next_step, required = self._path_inputs(learner_id, now)
        return PlanInput(
            profile=profile,
            now=now,
            days=days,
            busy=[(e.start, e.end) for e in events if e.busy],
            events=events,
            fading=fading.times,
            review_module=fading.top_module,
            fading_items=fading.items,
            next_step=next_step,
            required=required,
            modules={m.id: m for m in catalogue.modules},
            matcher=catalogue.match,
            history=self.outbox.history(learner_id, now=now),
            prefs=self.prefs.get(learner_id),
        )

    def _path_inputs(self, learner_id: str, now: datetime) -> PathInputs:
        """The next path step and the open required training, from one plan of the path."""
        paths = self.services.paths
        return PathInputs(None, []) if paths is None else paths.inputs(learner_id, now=now)

    # Planning -------------------------------------------------------------------------------

    def dry_run(
        self,
        learner_id: str,
        *,
        now: datetime,
        days: int = 7,
        events: Sequence[CalendarEvent] | None = None,
    ) -> list[PlannedNudge]:
        """The plan for one learner, without writing anything."""
        return plan(self.plan_input(learner_id, now=now, days=days, events=events))

    def replan(
        self, learner_id: str, *, now: datetime, catalogue: Catalogue | None = None
    ) -> PlanChanges:
        """Plan one learner and make their outbox match (learners not onboarded get none)."""
        if self.services.profiles.get(learner_id).onboarded_at is None:
            return self.outbox.apply_plan(learner_id, [], now=now)
        planned = plan(self.plan_input(learner_id, now=now, catalogue=catalogue))
        return self.outbox.apply_plan(learner_id, planned, now=now)

    def replan_all(self, *, now: datetime) -> PlanPass:
        """Plan every learner (one worker's whole tick): `replan_learners` over all of them."""
        return self.replan_learners(self.services.learners.all_ids(), now=now)

    def replan_learners(
        self, learner_ids: Sequence[str], *, now: datetime, chunk: int = CHUNK
    ) -> PlanPass:
        """Plan these learners, `chunk` at a time, with batched reads and writes.

        Each chunk is read in a few queries (profiles, calendars, review cards, preferences,
        outbox rows; paths per learner), planned by the pure planner, and written in one
        transaction. One learner whose planning fails (bad data, a bug in a feature) is logged
        by id and skipped; the others are still planned, and their open nudges keep their
        times. A chunk whose write fails (a learner deleted meanwhile) is planned again one
        learner at a time.
        """
        catalogue = self.catalogue()
        total = PlanPass()
        for start in range(0, len(learner_ids), chunk):
            part = learner_ids[start : start + chunk]
            try:
                done = self._replan_chunk(part, now=now, catalogue=catalogue)
            except DBAPIError as err:
                log.warning("batched planning fell back to one learner at a time (%s)", _name(err))
                done = self._replan_each(part, now=now, catalogue=catalogue)
            total = PlanPass(total.planned + done.planned, total.failed + done.failed)
        if total.failed:
            log.warning("nudge planning: %d of %d learners failed", total.failed, len(learner_ids))
        return total

    def _replan_chunk(self, ids: Sequence[str], *, now: datetime, catalogue: Catalogue) -> PlanPass:
        inputs = TickInputs.read(self, ids, now=now, catalogue=catalogue)
        failed: list[str] = []

        def plan_for(learner_id: str, history: list[SentNudge]) -> list[PlannedNudge] | None:
            try:
                return inputs.plan(learner_id, history)
            except Exception as err:  # noqa: BLE001 - one learner must not stop the rest
                failed.append(learner_id)
                log.error("planning nudges failed for learner %s (%s)", learner_id, _name(err))
                return None

        self.outbox.plan_many(ids, now=now, plan_for=plan_for)
        return PlanPass(planned=len(ids) - len(failed), failed=len(failed))

    def _replan_each(self, ids: Sequence[str], *, now: datetime, catalogue: Catalogue) -> PlanPass:
        failed = 0
        for learner_id in ids:
            try:
                self.replan(learner_id, now=now, catalogue=catalogue)
            except Exception as err:  # noqa: BLE001 - one learner must not stop the rest
                failed += 1
                log.error("planning nudges failed for learner %s (%s)", learner_id, _name(err))
        return PlanPass(planned=len(ids) - failed, failed=failed)

    def upcoming(self, learner_id: str, *, now: datetime) -> list[Nudge]:
        """The learner's planned nudges from now on."""
        return self.outbox.upcoming(learner_id, now=now)

    # Delivery -------------------------------------------------------------------------------

    def ports(self) -> ChatPorts:
        """The chat ports of this process (the terminal inbox at least)."""
        ports = self.services.chat_ports
        if "terminal" not in ports.ports:
            ports.add(InboxPort())
        return ports

    def delivery(
        self,
        *,
        worker_id: str | None = None,
        config: DeliveryConfig | None = None,
        pacer: PacerPort | None = None,
    ) -> Delivery:
        """A delivery worker over this process's ports (paced in memory unless `pacer` is given)."""
        services = self.services
        return Delivery(
            outbox=self.outbox,
            learners=services.learners,
            profiles=services.profiles,
            prefs=self.prefs,
            ports=self.ports(),
            now=services.clock.now,
            worker_id=worker_id or f"worker-{uuid.uuid4().hex[:8]}",
            config=config or DeliveryConfig(),
            pacer=pacer or Pacer(clock=time.monotonic),
        )

    def terminal_inbox(self, learner_id: str, *, now: datetime) -> list[Reply]:
        """Nudges delivered to the learner's terminal identity and not yet printed."""
        learner = self.services.learners.get(learner_id)
        if learner is None:
            return []
        terminal = [i for i in learner.identities if i.platform == "terminal"]
        rows = self.outbox.unseen(learner_id, platform="terminal")
        if not rows or not terminal:
            return []
        self.outbox.mark_seen([r.id for r in rows], now=now)
        return [nudge_reply(r, terminal[0]) for r in rows]

    def free_minutes(self, learner_id: str, *, start: datetime, end: datetime) -> float:
        """Working minutes between two instants outside quiet hours and calendar meetings."""
        if end <= start:
            return 0.0
        profile = self.services.profiles.get(learner_id)
        events = self.calendars.events(learner_id, start=start, end=end, zone=profile.timezone)
        return _free_minutes(profile, events, start, end)

    def free_minutes_many(
        self, profiles: Mapping[str, Profile], *, start: datetime, end: datetime
    ) -> dict[str, Callable[[datetime], float]]:
        """`free_minutes` from `start` of many learners, their calendars read in two queries:
        learner id -> free minutes up to an instant no later than `end`.

        Args:
            profiles: The learners and their profiles (time zone, working pattern).
            start: Where every count begins.
            end: The latest instant a count may end at.
        """
        zones = {i: p.timezone for i, p in profiles.items()}
        events = self.calendars.events_many(zones, start=start, end=end) if end > start else {}

        # Working days up to `end` depend only on the working pattern: one list per pattern.
        patterns: dict[tuple[object, ...], list[LocalDay]] = {}

        def counter(learner_id: str) -> Callable[[datetime], float]:
            profile, mine = profiles[learner_id], events.get(learner_id, [])
            computed: list[list[LocalDay]] = []

            def free(until: datetime) -> float:
                if until > end:
                    raise ValueError("free minutes were read only up to the given end")
                if until <= start:
                    return 0.0
                if not computed:  # the working days up to `end`, once per learner
                    p = profile
                    pattern = (
                        p.timezone,
                        p.work_days,
                        p.work_start,
                        p.work_end,
                        p.quiet_start,
                        p.quiet_end,
                    )
                    if pattern not in patterns:
                        patterns[pattern] = working_days(
                            profile, start=start.timestamp(), end=end.timestamp()
                        )
                    computed.append(patterns[pattern])
                days = computed[0]
                # Those up to `until`, as `working_days` up to `until` gives them: the days
                # to its local date, each window cut at `until`.
                last, limit = until.astimezone(zone_of(profile.timezone)).date(), until.timestamp()
                windows = [
                    (s, min(e, limit))
                    for d in days
                    if d.day <= last
                    for s, e in d.windows
                    if min(e, limit) > s
                ]
                # The events `free_minutes(learner, start, until)` reads, in the same order.
                overlapping = [e for e in mine if e.start < until and e.end > start]
                return _free_in(windows, overlapping)

            return free

        return {learner_id: counter(learner_id) for learner_id in profiles}

    # Preferences ----------------------------------------------------------------------------

    def update_prefs(self, learner_id: str, *, now: datetime, **changes: Any) -> NudgePrefs:
        """Change the learner's preferences and replan at once."""
        prefs = replace(self.prefs.get(learner_id), **changes)
        self.prefs.save(learner_id, prefs, now=now)
        self.replan(learner_id, now=now)
        return prefs

    def snooze(self, learner_id: str, *, hours: float, now: datetime) -> datetime:
        """No nudges for `hours`; returns when they resume."""
        until = now + timedelta(hours=hours)
        self.update_prefs(learner_id, now=now, snoozed_until=until)
        return until

    def not_today(self, learner_id: str, *, now: datetime) -> None:
        """Leave the learner alone for the rest of their local day."""
        zone = self.services.profiles.get(learner_id).zone
        today = now.astimezone(zone).date()
        prefs = self.prefs.get(learner_id)
        kept = {d for d in prefs.skip_dates if d >= today} | {today}
        self.update_prefs(learner_id, now=now, skip_dates=frozenset(kept))

    def fewer(self, learner_id: str, kind: str, *, now: datetime) -> float:
        """Halve the weight of one kind of nudge (down to 1/8); returns the new weight."""
        prefs = self.prefs.get(learner_id)
        weight = max(MIN_WEIGHT, prefs.weight(kind) / 2)
        self.update_prefs(learner_id, now=now, weights={**prefs.weights, kind: weight})
        return weight

    def stop(self, learner_id: str, *, now: datetime) -> None:
        """No more nudges until the learner resumes them."""
        self.update_prefs(learner_id, now=now, stopped=True)

    def pause(self, learner_id: str, *, days: float, now: datetime) -> datetime:
        """Pause nudges for `days` (the profile's paused_until)."""
        until = now + timedelta(days=days)
        profiles = self.services.profiles
        profiles.save(
            learner_id, profiles.get(learner_id).with_changes(paused_until=until), now=now
        )
        self.replan(learner_id, now=now)
        return until

    def resume(self, learner_id: str, *, now: datetime) -> None:
        """Undo pause, snooze and stop."""
        profiles = self.services.profiles
        profiles.save(learner_id, profiles.get(learner_id).with_changes(paused_until=None), now=now)
        self.update_prefs(learner_id, now=now, snoozed_until=None, stopped=False)

    def snooze_nudge(self, nudge: Nudge, *, now: datetime, hours: float = 1.0) -> datetime:
        """Snooze one nudge: nothing for an hour, then this nudge again at the next free slot."""
        learner_id = nudge.learner_id
        until = now + timedelta(hours=hours)
        self.prefs.save(
            learner_id, replace(self.prefs.get(learner_id), snoozed_until=until), now=now
        )
        at = datetime.fromtimestamp(math.ceil(until.timestamp() / 60) * 60, UTC)
        self.outbox.rearm(nudge.id, learner_id=learner_id, at=at, now=now)
        # The planner may move it to the next free slot after the hour (a meeting, the caps).
        self.replan(learner_id, now=now)
        return at


def _free_minutes(
    profile: Profile, events: Sequence[CalendarEvent], start: datetime, end: datetime
) -> float:
    days = working_days(profile, start=start.timestamp(), end=end.timestamp())
    return _free_in([w for d in days for w in d.windows], events)


def _free_in(windows: list[tuple[float, float]], events: Sequence[CalendarEvent]) -> float:
    from nudges.slots import subtract, to_spans

    busy = to_spans([(e.start, e.end) for e in events if e.busy])
    return sum(e - s for s, e in subtract(windows, busy)) / 60.0


def _name(err: BaseException) -> str:
    return type(err).__name__


@dataclass(frozen=True)
class TickInputs:
    """The planning inputs of a chunk of learners, read in a few queries."""

    now: datetime
    days: int
    profiles: Mapping[str, Profile]
    events: Mapping[str, list[CalendarEvent]]
    fading: Mapping[str, Fading]
    paths: Mapping[str, PathInputs | Exception]
    prefs: Mapping[str, NudgePrefs]
    catalogue: Catalogue
    modules: Mapping[str, ModuleInfo]

    @classmethod
    def read(
        cls,
        service: NudgeService,
        ids: Sequence[str],
        *,
        now: datetime,
        catalogue: Catalogue,
        days: int = 7,
    ) -> TickInputs:
        """Read every input of `ids` (paths only for the onboarded, as `replan` does)."""
        services = service.services
        profiles = services.profiles.get_many(ids)
        end = now + timedelta(days=days + 1)
        events = service.calendars.events_many(
            {i: p.timezone for i, p in profiles.items()}, start=now - timedelta(days=1), end=end
        )
        fading = fading_of_times(services.review_cards.fading_rows_many(ids), until=end)
        onboarded = [i for i in ids if profiles[i].onboarded_at is not None]
        paths: dict[str, PathInputs | Exception] = {}
        for learner_id in onboarded:
            try:
                paths[learner_id] = service._path_inputs(learner_id, now)
            except Exception as err:  # noqa: BLE001 - raised again when this learner is planned
                paths[learner_id] = err
        return cls(
            now=now,
            days=days,
            profiles=profiles,
            events=events,
            fading=fading,
            paths=paths,
            prefs=service.prefs.get_many(ids),
            catalogue=catalogue,
            modules={m.id: m for m in catalogue.modules},
        )

    def plan(self, learner_id: str, history: list[SentNudge]) -> list[PlannedNudge]:
        """The learner's plan, exactly as `NudgeService.replan` makes it."""
        profile = self.profiles[learner_id]
        if profile.onboarded_at is None:
            return []
        events = self.events[learner_id]
        fading = self.fading[learner_id]
        path = self.paths[learner_id]
        if isinstance(path, Exception):
            raise path
        next_step, required = path
        return plan(
            PlanInput(
                profile=profile,
                now=self.now,
                days=self.days,
                busy=[(e.start, e.end) for e in events if e.busy],
                events=events,
                fading=fading.times,
                review_module=fading.top_module,
                fading_items=fading.items,
                next_step=next_step,
                required=required,
                modules=self.modules,
                matcher=self.catalogue.match,
                history=history,
                prefs=self.prefs[learner_id],
            )
        )


def nudge_service(services: Services) -> NudgeService:
    """The process's nudge service (`services.nudges`, or built once here)."""
    if services.nudges is None:
        services.nudges = Lazy.ready(NudgeService(services))
    service = services.nudges.get()
    assert isinstance(service, NudgeService)
    return service
