"""Who a manager sees at risk: tenure before inactivity, and due dates without the time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.events import UserInfo
from bot.features.org import import_org
from bot.features.team.service import build_report
from nudges.calendars import import_calendar_bytes
from tests.conversations.admin_helpers import run, slack, text_of
from tests.path_library import load_library
from tests.unit.nudges.conftest import ics

CHART = """email,manager_email,department,location,role
mia@example.com,,Support,Berlin,manager
new@example.com,mia@example.com,Support,Lisbon,support-agent
idle@example.com,mia@example.com,Support,Lisbon,support-agent
busy@example.com,mia@example.com,Support,Porto,support-agent
free@example.com,mia@example.com,Support,Porto,support-agent
"""


def _learner(core, name: str, *, known_for: timedelta, role_for: timedelta, **profile):  # type: ignore[no-untyped-def]
    services, now = core.services, core.services.clock.now()
    learner = services.learners.resolve(
        slack(f"U{name.upper()}"),
        UserInfo(display_name=name.capitalize(), email=f"{name}@example.com"),
        now=now - known_for,
    )
    saved = services.profiles.get(learner.id)
    changes = {"job_role": "support-agent", "onboarded_at": now - role_for, **profile}
    services.profiles.save(learner.id, replace(saved, **changes), now=now - role_for)
    return learner


def _meetings_all_week(now: datetime) -> bytes:
    days = []
    for d in range(14):
        day = (now + timedelta(days=d)).strftime("%Y%m%d")
        days.append(f"UID:m{d}\nDTSTART:{day}T060000Z\nDTEND:{day}T200000Z\nSUMMARY:Workshop")
    return ics(*days)


def test_tenure_inactivity_and_due_dates_without_free_time(core) -> None:
    load_library(core)
    services, now = core.services, core.services.clock.now()
    import_org(
        CHART.encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=now,
    )
    services.learners.resolve(
        slack("UMIA"), UserInfo(display_name="Mia", email="mia@example.com"), now=now
    )
    fresh = _learner(core, "new", known_for=timedelta(minutes=5), role_for=timedelta(minutes=5))
    idle = _learner(core, "idle", known_for=timedelta(days=40), role_for=timedelta(days=40))
    services.activity.record(idle.id, "answered", object_id="x", now=now - timedelta(days=20))
    # Code of conduct is due 14 days after the role started: 4 days from now for both.
    intensive = {"pace": "intensive", "session_minutes": 30}
    busy = _learner(
        core, "busy", known_for=timedelta(days=10), role_for=timedelta(days=10), **intensive
    )
    free = _learner(
        core, "free", known_for=timedelta(days=10), role_for=timedelta(days=10), **intensive
    )
    for who in (busy, free):
        services.activity.record(who.id, "answered", object_id="x", now=now - timedelta(hours=2))
    import_calendar_bytes(services, busy.id, _meetings_all_week(now), now=now)

    report = build_report(services, [fresh, idle, busy, free], title="t", competency=None, now=now)
    status = {m.learner.display_name: m for m in report.members}

    assert not status["New"].stalled, "known for minutes: not inactive"
    assert status["New"].todo > 0
    assert status["New"].shortfall is None, "due in two weeks, time enough"
    assert status["Idle"].stalled
    assert "no learning activity for 14 days" in status["Idle"].risks
    short = status["Busy"].shortfall
    assert short is not None
    assert short.modules[-1] == "compliance/code-of-conduct"
    assert short.available == 0, "meetings fill every working hour"
    assert short.needed > 0
    assert not status["Busy"].stalled
    assert status["Free"].shortfall is None, "same path and pace, free working hours"
    assert {m.learner.display_name for m in report.at_risk} >= {"Idle", "Busy"}
    assert "New" not in {m.learner.display_name for m in report.at_risk if m.stalled}

    shown = text_of(run(core, slack("UMIA"), "team"))
    assert "not enough time for compliance/code-of-conduct by" in shown, shown
