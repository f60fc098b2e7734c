"""The team report plans each member with the planner `/learn path` uses, on the same inputs."""

from __future__ import annotations

from datetime import timedelta

from bot.features.paths.service import PathService
from bot.features.paths.state import StoredLearnerState, batched_states
from bot.features.team.service import build_report, team_members
from bot.storage.mastery import Ability, MasteryRepository
from learning.path_model import FINISHED
from tests.conversations.test_team import team, who  # noqa: F401  (the fixture)


def test_each_members_report_row_equals_their_own_path(team) -> None:  # noqa: F811
    services = team.services
    now = services.clock.now()
    paths = PathService(services)
    mia = services.learners.find(who("mia"))
    members = team_members(services, services.org, mia)
    assert len(members) == 4
    ids = {m.display_name: m.id for m in members}
    # Make the members differ: progress, a skip, a waiver, a mastery and an assignment.
    first = paths.open_steps(ids["Bo"], now=now)
    services.path_records.mark(ids["Bo"], first[0].module_id, "done", now=now)
    services.path_records.mark(ids["Bo"], first[1].module_id, "unverified", now=now)
    services.path_records.mark(ids["Cy"], first[0].module_id, "skipped", now=now)
    required = next(s for s in first if s.required)
    services.path_records.waive(ids["Dee"], required.module_id, reason="x", actor="t", now=now)
    MasteryRepository(services.engine).save_ability(
        ids["Ana"], Ability("security-awareness", 2.0, 0.3, 0.97, 0.0, 9, now)
    )
    services.org.assign(
        ids["Cy"], first[-1].module_id, due_at=now + timedelta(days=3), by=mia.id, now=now
    )

    report = build_report(services, members, title="t", competency=None, now=now)

    by_id = {row.learner.id: row for row in report.members}
    own_paths = {i: paths.plan(i, now=now).path for i in ids.values()}
    assert len({tuple((s.module_id, s.status) for s in p.steps) for p in own_paths.values()}) > 1
    for learner_id, path in own_paths.items():
        row = by_id[learner_id]
        todo = [s for s in path.steps if s.actionable]
        done = sum(1 for s in path.steps if s.status in FINISHED)
        assert (row.done, row.todo) == (done, len(todo)), learner_id
        assert row.completion == (done / (done + len(todo)) if done + len(todo) else None)
        assert row.overdue == tuple(s.module_id for s in todo if s.status == "overdue")
    # The batched inputs are the very state the learner's own view reads.
    states = batched_states(services, list(ids.values()), now=now)
    stored = StoredLearnerState(services, repo=services.path_records)
    for learner_id in ids.values():
        assert states[learner_id][0] == stored.state(learner_id)
        assert states[learner_id][1] == services.profiles.get(learner_id)
