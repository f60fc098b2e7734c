"""The predicted-risk score in `/learn team`: its reasons beside the flag, or the rules named."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.events import UserInfo
from bot.features.org import import_org
from bot.features.team.risk import RETRAIN_AFTER, TrainedModels
from bot.features.team.service import build_report, team_members
from learning.risk_model import MIN_SAMPLE
from tests.conversations.admin_helpers import run, slack, text_of
from tests.path_library import load_library


def _learner(core, name: str, *, known_for: int, role_for: int):  # type: ignore[no-untyped-def]
    services, now = core.services, core.services.clock.now()
    learner = services.learners.resolve(
        slack(f"U{name.upper()}"),
        UserInfo(display_name=name.capitalize(), email=f"{name}@example.com"),
        now=now - timedelta(days=known_for),
    )
    saved = services.profiles.get(learner.id)
    start = now - timedelta(days=role_for)
    changes = {"job_role": "support-agent", "onboarded_at": start}
    services.profiles.save(learner.id, replace(saved, **changes), now=start)
    return learner


def _alumni(core, count: int) -> None:  # type: ignore[no-untyped-def]
    """Support agents whose target date (30 days after their role started) has passed: every
    other one stopped after their first days and finished nothing; the rest kept going."""
    services, now = core.services, core.services.clock.now()
    for n in range(count):
        who = _learner(core, f"alum{n}", known_for=120, role_for=90)
        joined, start = now - timedelta(days=120), now - timedelta(days=90)
        if n % 2:
            services.activity.record(who.id, "answered", object_id="x", now=joined)
            continue
        for day in range(0, 60, 3):
            at = joined + timedelta(days=day)
            services.activity.record(who.id, "answered", object_id="x", now=at)
        services.path_records.mark(
            who.id, "compliance/code-of-conduct", "done", now=start + timedelta(days=5)
        )
        services.path_records.mark(
            who.id, "compliance/data-privacy", "done", now=start + timedelta(days=20)
        )


def _team(core):  # type: ignore[no-untyped-def]
    services, now = core.services, core.services.clock.now()
    chart = ["email,manager_email,department,location,role", "mia@example.com,,Support,B,lead"]
    chart += [f"{n}@example.com,mia@example.com,Support,B,agent" for n in ("idle", "keen")]
    import_org(
        "\n".join(chart).encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=now,
    )
    services.learners.resolve(
        slack("UMIA"), UserInfo(display_name="Mia", email="mia@example.com"), now=now
    )
    idle = _learner(core, "idle", known_for=40, role_for=10)
    keen = _learner(core, "keen", known_for=40, role_for=10)
    services.activity.record(idle.id, "answered", object_id="x", now=now - timedelta(days=39))
    for day in range(40):
        at = now - timedelta(days=day, hours=1)
        services.activity.record(keen.id, "answered", object_id="x", now=at)
    services.path_records.mark(
        keen.id, "compliance/code-of-conduct", "done", now=now - timedelta(days=5)
    )


def _lines(shown: str) -> dict[str, str]:
    return {line.split("**")[1]: line for line in shown.splitlines() if line.startswith("**")}


def test_the_team_report_gives_the_models_reasons_next_to_the_flag(core) -> None:
    load_library(core)
    _alumni(core, MIN_SAMPLE)
    _team(core)

    replies = run(core, slack("UMIA"), "team")
    shown = text_of(replies) + "\n".join(
        s.text for r in replies for s in r.blocks if hasattr(s, "text") and "**" in s.text
    )

    assert f"a model trained on {MIN_SAMPLE} learners" in shown, shown
    assert f"({MIN_SAMPLE // 2} of them missed a due date)" in shown
    lines = _lines(shown)
    assert "predicted risk" in lines["Idle"], lines
    assert "days since the last activity" in lines["Idle"]
    assert "Keen" not in lines or "predicted risk" not in lines["Keen"], lines


def test_below_the_minimum_sample_the_report_says_the_rules_flag(core) -> None:
    load_library(core)
    _alumni(core, 20)
    _team(core)

    replies = run(core, slack("UMIA"), "team")
    shown = text_of(replies) + "\n".join(
        s.text for r in replies for s in r.blocks if hasattr(s, "text") and "**" in s.text
    )

    assert "At risk by the rules only" in shown, shown
    assert f"needs {MIN_SAMPLE} learners whose target date has passed" in shown
    assert "there are 20 (10 missed)" in shown
    assert "predicted risk" not in shown
    assert "no learning activity for 14 days" in _lines(shown)["Idle"]


def _report(core):  # type: ignore[no-untyped-def]
    services = core.services
    lead = services.learners.get(services.learners.ids_by_email(["mia@example.com"])[0])
    members = team_members(services, services.org, lead)
    now = services.clock.now()
    return build_report(services, members, title="t", competency=None, now=now)


def _predicted(report):  # type: ignore[no-untyped-def]
    return {m.learner.name: m.predicted for m in report.members}


def test_reports_in_a_row_train_once_and_again_after_the_time_to_live(core) -> None:
    load_library(core)
    _alumni(core, MIN_SAMPLE)
    _team(core)
    models = core.services.risk_models
    assert isinstance(models, TrainedModels)

    first = run(core, slack("UMIA"), "team")
    second = run(core, slack("UMIA"), "team")
    assert models.trainings == 1
    assert text_of(first) == text_of(second)
    assert "predicted risk" in "\n".join(
        s.text for r in second for s in r.blocks if hasattr(s, "text") and "**" in s.text
    )

    core.services.clock.advance(RETRAIN_AFTER - timedelta(minutes=1))
    run(core, slack("UMIA"), "team")
    assert models.trainings == 1
    core.services.clock.advance(timedelta(minutes=1))
    run(core, slack("UMIA"), "team")
    assert models.trainings == 2


def test_a_new_day_retrains_within_the_time_to_live(core) -> None:
    load_library(core)
    _alumni(core, MIN_SAMPLE)
    _team(core)
    models = core.services.risk_models = TrainedModels(retrain_after=timedelta(days=3))
    now = core.services.clock.now()
    _report(core)
    core.services.clock.advance(timedelta(hours=23 - now.hour, minutes=59 - now.minute))
    _report(core)
    assert models.trainings == 1
    core.services.clock.advance(timedelta(minutes=2))
    _report(core)
    assert models.trainings == 2


def test_the_rules_fallback_is_kept_the_same_way(core) -> None:
    load_library(core)
    _alumni(core, 20)
    _team(core)
    models = core.services.risk_models
    assert isinstance(models, TrainedModels)

    for _ in range(2):
        assert "At risk by the rules only" in text_of(run(core, slack("UMIA"), "team"))
    assert models.trainings == 1


def test_a_kept_model_scores_members_as_a_freshly_trained_one_on_their_current_features(
    core,
) -> None:
    load_library(core)
    _alumni(core, MIN_SAMPLE)
    _team(core)
    models = core.services.risk_models
    assert isinstance(models, TrainedModels)
    before = _predicted(_report(core))
    assert before["Idle"] is not None
    assert before["Idle"].flagged, before

    # Idle comes back: the kept model must score today's features, not those it trained with.
    services = core.services
    idle = services.learners.ids_by_email(["idle@example.com"])[0]
    services.activity.record(idle, "answered", object_id="x", now=services.clock.now())
    kept = _predicted(_report(core))
    assert models.trainings == 1
    assert kept["Idle"] is not None
    assert kept["Idle"] != before["Idle"]

    # The new activity is not a known outcome, so a model trained now on the same data is the
    # same model: its scores are the kept model's.
    services.risk_models = None
    assert _predicted(_report(core)) == kept
    services.risk_models = fresh = TrainedModels()
    assert _predicted(_report(core)) == kept
    assert fresh.trainings == 1


def test_two_databases_never_share_a_model(core, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.settings import Settings

    load_library(core)
    _alumni(core, MIN_SAMPLE)
    _team(core)
    other = build_app(
        Settings(LEARNBOT_HOME=tmp_path / "other", _env_file=None), clock=core.services.clock
    )
    load_library(other)
    _team(other)
    models = other.services.risk_models = core.services.risk_models
    assert isinstance(models, TrainedModels)

    assert f"a model trained on {MIN_SAMPLE} learners" in _report(core).risk_basis
    assert "At risk by the rules only" in text_of(run(other, slack("UMIA"), "team"))
    assert models.trainings == 2
    assert _report(core).risk_basis != _report(other).risk_basis
    assert models.trainings == 2
