"""Delivery: claim due nudges, check them again at send time, send through the chat port.

At send time the nudge is checked against the learner's current profile and preferences: a
nudge that is stale (its time passed long ago, e.g. after an outage), falls into quiet or
non-working hours, exceeds the caps, follows another nudge too closely, or belongs to a
paused learner is handed back to the planner instead of being sent. So an outage never
ends in a burst: old nudges are re-planned into future free slots, not sent at once.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core import messages as msg
from bot.core.events import Channel, Identity
from bot.core.ports import (
    ChatPort,
    ChatPorts,
    Delivered,
    DeliveryFailed,
    RecipientGone,
    SentLookup,
)
from bot.core.replies import Button, Buttons, Direct, Note, Reply, Section
from bot.storage.learners import LearnerRepository, ProfileRepository
from learning.profile import Profile
from nudges.outbox import GAP_ANSWERED, STALE, Nudge, Outbox
from nudges.pacing import Pacer, PacerPort, pacing_key
from nudges.planner import NudgePrefs
from nudges.slots import in_working_hours
from nudges.store.records import PrefsStore

log = logging.getLogger(__name__)
ACTION = "nudge"
ACTIONS = (
    ("start", msg.NUDGE_START, "primary"),
    ("snooze", msg.NUDGE_SNOOZE, ""),
    ("not_today", msg.NUDGE_NOT_TODAY, ""),
    ("fewer", msg.NUDGE_FEWER, ""),
    ("stop", msg.NUDGE_STOP, "danger"),
)


def nudge_reply(nudge: Nudge, identity: Identity) -> Reply:
    """The message a nudge becomes: what, why now, and the five buttons.

    It carries the row's idempotency key; a resend (Teams, after an unknown outcome) says so.
    """
    heading = msg.NUDGE_KIND_TITLES.get(nudge.kind, "learnbot")
    if nudge.kind == GAP_ANSWERED:
        return _notice_reply(nudge, identity, heading)
    buttons = tuple(
        Button(label, f"{ACTION}.{name}", value=nudge.id, style=style)  # type: ignore[arg-type]
        for name, label, style in ACTIONS
    )
    return Reply(
        blocks=(
            Section(f"{heading}: {nudge.title}", nudge.reason),
            Buttons(buttons),
            Note(msg.NUDGE_FOOTER.format(minutes=nudge.minutes)),
            *((Note(msg.NUDGE_RESENT),) if nudge.resent else ()),
        ),
        to=Direct(identity),
        summary=f"{heading}: {nudge.title}",
        key=nudge.intent_key or "",
    )


def _notice_reply(nudge: Nudge, identity: Identity, heading: str) -> Reply:
    """A gap notice: the question, the answer and its citation; Open the module, Stop nudges."""
    buttons = (
        Button(msg.GAP_NOTICE_OPEN, f"{ACTION}.start", value=nudge.id, style="primary"),
        Button(msg.NUDGE_STOP, f"{ACTION}.stop", value=nudge.id, style="danger"),
    )
    return Reply(
        blocks=(
            Section(heading, nudge.reason),
            Buttons(buttons),
            Note(msg.GAP_NOTICE_FOOTER),
            *((Note(msg.NUDGE_RESENT),) if nudge.resent else ()),
        ),
        to=Direct(identity),
        summary=heading,
        key=nudge.intent_key or "",
    )


@dataclass(frozen=True)
class DeliveryConfig:
    """Knobs of the delivery loop (defaults suit production; tests shorten them)."""

    lease: timedelta = timedelta(minutes=2)
    batch: int = 50
    max_attempts: int = 6
    backoff_base: float = 30.0
    backoff_cap: float = 1800.0
    stale: timedelta = STALE
    min_gap: timedelta = timedelta(minutes=30)
    max_hold: float = 0.25
    # A test hook (LEARNBOT_TEST_PAUSE_AFTER_SEND): seconds to wait between the platform's
    # acceptance and the mark, so a test can kill the process exactly there. 0 in production.
    pause_after_send: float = 0.0


@dataclass
class DeliveryStats:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    replanned: int = 0
    deferred: int = 0
    lost: int = 0
    released: int = 0
    reconciled: int = 0
    resent: int = 0

    def add(self, other: DeliveryStats) -> None:
        """Accumulate another pass."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def hold_reason(
    nudge: Nudge,
    *,
    profile: Profile,
    prefs: NudgePrefs,
    sent: list[datetime],
    now: datetime,
    config: DeliveryConfig,
) -> str | None:
    """Why a due nudge must not go out now, or None when it may (checked at send time)."""
    if prefs.stopped:
        return "stopped"
    if profile.paused_until and profile.paused_until > now:
        return "paused"
    if prefs.snoozed_until and prefs.snoozed_until > now:
        return "snoozed"
    if now - nudge.due_at > config.stale:
        return "stale"
    if not in_working_hours(profile, now):
        return "outside working or inside quiet hours"
    local = now.astimezone(profile.zone)
    if local.date() in prefs.skip_dates:
        return "not today"
    local_days = [t.astimezone(profile.zone).date() for t in sent]
    if sum(d == local.date() for d in local_days) >= profile.nudges_per_day:
        return "daily cap"
    week = local.date().isocalendar()[:2]
    if sum(d.isocalendar()[:2] == week for d in local_days) >= profile.nudges_per_week:
        return "weekly cap"
    if any(abs(now - t) < config.min_gap for t in sent):
        return "too soon after another nudge"
    return None


@dataclass
class _Recipient:
    """What the checks need about one learner, read once per batch."""

    profile: Profile
    prefs: NudgePrefs
    sent: list[datetime]
    port: ChatPort
    identity: Identity


@dataclass(order=True)
class _Held:
    """A nudge waiting in memory for its channel's or tenant's budget (seconds, pacer clock)."""

    ready: float
    nudge: Nudge = field(compare=False)
    to: _Recipient = field(compare=False)


@dataclass
class Delivery:
    """One delivery worker: claims a batch, checks, paces and sends each nudge."""

    outbox: Outbox
    learners: LearnerRepository
    profiles: ProfileRepository
    prefs: PrefsStore
    ports: ChatPorts
    now: Callable[[], datetime]
    worker_id: str
    config: DeliveryConfig = field(default_factory=DeliveryConfig)
    pacer: PacerPort = field(default_factory=lambda: Pacer(clock=time.monotonic))
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep

    def run_once(self) -> DeliveryStats:
        """Claim and handle one batch of due nudges."""
        stats = DeliveryStats()
        claimed = self.outbox.claim(
            worker=self.worker_id,
            now=self.now(),
            limit=self.config.batch,
            lease=self.config.lease,
            platforms=tuple(self.ports.ports),
        )
        stats.claimed = len(claimed)
        by_learner: dict[str, list[Nudge]] = {}
        for nudge in claimed:
            by_learner.setdefault(nudge.learner_id, []).append(nudge)
        waiting: list[_Held] = []
        for learner_id, nudges in by_learner.items():
            self._learner(learner_id, nudges, stats, waiting)
        self._drain(waiting, stats)
        return stats

    def _learner(
        self, learner_id: str, nudges: list[Nudge], stats: DeliveryStats, waiting: list[_Held]
    ) -> None:
        """One learner's claimed nudges, read once: identity, profile, preferences, sends.

        A learner with no chat identity at all cannot be reached by anyone: their nudges die.
        One whose identities are only on platforms this process has no port for (Teams, in a
        stand-alone worker) is another process's to send: the rows go back untouched.
        """
        now = self.now()
        learner = self.learners.get(learner_id)
        if learner is None or not learner.identities:
            for nudge in nudges:
                self.outbox.mark_dead(nudge, error="no chat identity", now=now)
                stats.dead += 1
            return
        target = self.ports.for_identities(learner.identities)
        if target is None:
            for nudge in nudges:
                self.outbox.give_back(nudge, now=now)
                stats.released += 1
            return
        context = _Recipient(
            profile=self.profiles.get(learner_id),
            prefs=self.prefs.get(learner_id),
            sent=self.outbox.sent_since(learner_id, since=now - timedelta(days=8)),
            port=target[0],
            identity=target[1],
        )
        for nudge in nudges:
            self._handle(nudge, context, stats, waiting)

    def _handle(
        self, nudge: Nudge, to: _Recipient, stats: DeliveryStats, waiting: list[_Held]
    ) -> None:
        if nudge.intent_key:
            settled = self._settle(nudge, to, stats)
            if settled is None:
                return
            if settled.intent_key:  # a resend: it was checked when it was first sent
                self._paced(_Held(0.0, settled, to), stats, waiting)
                return
            nudge = settled
        now = self.now()
        why = hold_reason(
            nudge, profile=to.profile, prefs=to.prefs, sent=to.sent, now=now, config=self.config
        )
        if why is not None:
            self.outbox.mark_replan(nudge, why=why, now=now)
            stats.replanned += 1
            return
        to.sent.append(now)  # later nudges of this batch see it, even while it waits
        self._paced(_Held(0.0, nudge, to), stats, waiting)

    def _paced(self, held: _Held, stats: DeliveryStats, waiting: list[_Held]) -> None:
        """Send now if the platform's budget allows; hold it briefly, or give it back."""
        to = held.to
        key = pacing_key(to.identity)
        wait = self.pacer.reserve(to.port.platform, key)
        if wait <= 0:
            self._send(held.nudge, to.port, to.identity, key, stats)
        elif wait <= self.config.max_hold:
            heapq.heappush(waiting, _Held(self.pacer.clock() + wait, held.nudge, to))
        else:
            now = self.now()
            self.outbox.release(held.nudge, at=now + timedelta(seconds=wait), now=now)
            stats.deferred += 1

    def _drain(self, waiting: list[_Held], stats: DeliveryStats) -> None:
        """Send the held nudges as their budget frees up (other channels went first)."""
        while waiting:
            held = heapq.heappop(waiting)
            delay = held.ready - self.pacer.clock()
            if delay > 0:
                self.sleep(delay)
            self._paced(held, stats, waiting)

    def _settle(self, nudge: Nudge, to: _Recipient, stats: DeliveryStats) -> Nudge | None:
        """A row maybe sent before (its intent is left from a process that died mid-send).

        A port that can read back its messages (Slack) is asked for the row's key: found, the
        row is marked sent with that message; not found, the intent is cleared and the row
        goes on as new. Other ports (Teams) get one resend, marked as such; a resend whose
        outcome is unknown too is not sent a third time. Returns the row to go on with, or
        None when it is settled (or must wait).
        """
        now = self.now()
        port = to.port
        if isinstance(port, SentLookup):
            since = (nudge.intent_at or nudge.due_at) - timedelta(minutes=5)
            try:
                found = port.find_sent(nudge.intent_key or "", identity=to.identity, since=since)
            except DeliveryFailed as err:
                at = now + timedelta(seconds=self.backoff(nudge.attempts))
                self.outbox.mark_unknown(nudge, at=at, error=f"lookup: {err}", now=now)
                stats.retried += 1
                return None
            if found is not None:
                self.outbox.mark_sent(nudge, found, now=now)
                to.sent.append(now)
                stats.reconciled += 1
                return None
            return self.outbox.clear_intent(nudge, now=now)
        if nudge.resent:
            self.outbox.mark_dead(nudge, error="outcome unknown after a resend", now=now)
            stats.dead += 1
            return None
        return replace(nudge, resent=True)

    def _send(
        self, nudge: Nudge, port: ChatPort, identity: Identity, key: str, stats: DeliveryStats
    ) -> bool:
        platform = port.platform
        started = self.outbox.record_intent(nudge, resend=nudge.resent, now=self.now())
        if started is None:
            log.warning("nudge %s lost its claim before sending; not sent", nudge.id)
            stats.lost += 1
            return False
        nudge = started
        reply = nudge_reply(nudge, identity)
        try:
            delivered = port.send(reply, identity=identity)
        except RecipientGone as err:
            self.outbox.mark_dead(nudge, error=f"recipient gone: {err}", now=self.now())
            stats.dead += 1
            return False
        except DeliveryFailed as err:
            if err.retry_after:
                self.pacer.penalise(platform, key, err.retry_after)
            # A timeout or 5xx may hide an accepted post: where it can be looked up, the
            # intent stays, so the next attempt looks first. Elsewhere a refusal is final.
            unknown = err.retryable and isinstance(port, SentLookup)
            self._failed(nudge, str(err), err.retryable, err.retry_after, stats, unknown=unknown)
            return False
        except Exception as err:  # a bug in a port must not stop the worker
            log.exception("chat port %s raised %s", platform, type(err).__name__)
            # The port may have sent it before failing: the intent stays for settling.
            self._failed(nudge, type(err).__name__, True, None, stats, unknown=True)
            return False
        if self.config.pause_after_send > 0:
            self.sleep(self.config.pause_after_send)
        if self.outbox.mark_sent(nudge, delivered, now=self.now()):
            stats.sent += 1
            stats.resent += int(nudge.resent)
        else:
            log.warning("nudge %s was sent after its lease expired", nudge.id)
            stats.lost += 1
        return True

    def _failed(
        self,
        nudge: Nudge,
        error: str,
        retryable: bool,
        retry_after: float | None,
        stats: DeliveryStats,
        *,
        unknown: bool = False,
    ) -> None:
        now = self.now()
        if not retryable or nudge.attempts >= self.config.max_attempts:
            self.outbox.mark_dead(nudge, error=error, now=now)
            stats.dead += 1
            return
        delay = retry_after if retry_after else self.backoff(nudge.attempts)
        retry = self.outbox.mark_unknown if unknown else self.outbox.mark_retry
        retry(nudge, at=now + timedelta(seconds=delay), error=error, now=now)
        stats.retried += 1

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, capped."""
        ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2 ** max(0, attempts - 1))
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))


@dataclass
class InboxPort:
    """The terminal's port: the outbox row is the message; the chat shows unseen ones."""

    platform: str = "terminal"

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Accept the nudge; the terminal chat prints it before its next prompt."""
        return Delivered(self.platform, f"dm:{identity.user_id}", f"terminal-{time.time_ns()}")

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        """Nothing to replace in a terminal that has already printed the message."""
        return sent
