"""The default learner-state source: progress here, evidence from `services.learner_mastery`."""

from __future__ import annotations

from datetime import timedelta

from bot.core.events import Identity, UserInfo
from bot.features.paths.service import PathService
from bot.features.paths.state import StoredLearnerState
from bot.storage.paths import PathRepository
from tests.fakes import use_features
from tests.path_library import FakeMastery, load_library


def test_state_reads_progress_waivers_and_the_mastery_service(make_core) -> None:  # type: ignore[no-untyped-def]
    core = make_core(learner_mastery=None)
    load_library(core)
    services = core.services
    now = services.clock.now()
    learner = services.learners.resolve(Identity("terminal", "local", "ana"), UserInfo(), now=now)
    onboarded = now - timedelta(days=10)
    profile = services.profiles.get(learner.id).with_changes(
        job_role="Support agent", onboarded_at=onboarded
    )
    services.profiles.save(learner.id, profile, now=now)
    repo = PathRepository(services.engine)
    repo.mark(learner.id, "security/phishing", "done", now=now)
    repo.mark(learner.id, "customer-support/triage", "skipped", now=now)
    repo.waive(learner.id, "compliance/data-privacy", reason="r", actor="cli", now=now)
    source = StoredLearnerState(services, repo=repo)

    bare = source.state(learner.id)
    assert bare.mastery == {}, "without the quiz feature there is no evidence"
    assert bare.completed == {"security/phishing": now}
    assert bare.skipped == frozenset({"customer-support/triage"})
    assert set(bare.waivers) == {"compliance/data-privacy"}
    assert bare.role_since == onboarded, "the first role started at onboarding"

    class WithReviews(FakeMastery):
        def reviews_due(self, learner_id: str):  # type: ignore[no-untyped-def]
            return {"security/phishing": now, "naive": now.replace(tzinfo=None)}

    service = WithReviews(
        {"security-awareness": 0.7, "bad": 3.0, "nan": float("nan")}, {"compliance": "q-1"}
    )
    use_features(services, learner_mastery=service)
    state = source.state(learner.id)
    assert state.mastery == {"security-awareness": 0.7}, "unusable probabilities are dropped"
    assert state.exemptions == {"compliance": "q-1"}
    assert state.reviews_due == {"security/phishing": now}


def test_a_later_role_starts_when_it_is_first_seen(core) -> None:  # type: ignore[no-untyped-def]
    load_library(core)
    services = core.services
    now = services.clock.now()
    learner = services.learners.resolve(Identity("terminal", "local", "ben"), UserInfo(), now=now)
    profile = services.profiles.get(learner.id).with_changes(
        job_role="store-associate", onboarded_at=now - timedelta(days=40)
    )
    services.profiles.save(learner.id, profile, now=now)
    paths = PathService(services)
    assert paths.plan(learner.id, now=now).state.role_since == now - timedelta(days=40)
    services.profiles.save(learner.id, profile.with_changes(job_role="team-manager"), now=now)
    later = now + timedelta(days=2)
    services.clock.advance(timedelta(days=2))
    planned = paths.plan(learner.id, now=later)
    assert planned.state.role_since == later
    step = planned.path.step("compliance/code-of-conduct")
    assert step is not None
    assert step.status == "due", "the new role's due dates count from the change, not onboarding"
