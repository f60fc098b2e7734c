"""The planning pass over every learner: isolation of failures, one path plan per learner."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.ports import PathInputs
from nudges.reviews import record_review
from nudges.service import nudge_service
from tests.fakes import use_features
from tests.unit.nudges.conftest import onboard


def _fading(core, user: str):  # type: ignore[no-untyped-def]
    learner = onboard(core, user, timezone="Europe/Berlin")
    now = core.services.clock.now()
    for item in range(6):
        record_review(core.services, learner.id, f"q{item}", False, now=now - timedelta(days=2))
    return learner


def test_one_learner_whose_planning_fails_does_not_stop_the_others(core, caplog) -> None:
    ana, bad, bob = (_fading(core, name) for name in ("ana", "bad", "bob"))
    services = core.services
    secret = "a module title nobody may log"

    class FailingPaths:
        def catalogue(self) -> list:  # type: ignore[type-arg]
            return []

        def inputs(self, learner_id: str, *, now: datetime) -> PathInputs:
            if learner_id == bad.id:
                raise ValueError(secret)
            return PathInputs(None, [])

    use_features(services, paths=FailingPaths())
    service = nudge_service(services)
    now = services.clock.now()
    with caplog.at_level(logging.ERROR, logger="nudges.service"):
        result = service.replan_all(now=now)
    assert (result.planned, result.failed) == (2, 1)
    assert service.upcoming(ana.id, now=now)
    assert service.upcoming(bob.id, now=now)
    assert service.upcoming(bad.id, now=now) == []
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bad.id in record.getMessage()
    assert secret not in caplog.text, "never the content of the failure"


def test_a_tick_plans_each_learners_path_once(core, monkeypatch) -> None:
    from bot.features.paths.service import PathService

    learner = onboard(core, "ana")
    services = core.services
    calls: list[str] = []
    real = PathService.plan

    def counting(self, learner_id, *, now):  # type: ignore[no-untyped-def]
        calls.append(learner_id)
        return real(self, learner_id, now=now)

    monkeypatch.setattr(PathService, "plan", counting)
    nudge_service(services).replan_all(now=services.clock.now())
    assert calls == [learner.id]
