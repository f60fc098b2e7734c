"""Team reports for 200 learners stay within chat limits (blocks, text length, Teams 28 KB)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from bot.adapters.teams.render import MAX_ACTIVITY_BYTES, render
from bot.core.events import UserInfo
from bot.core.replies import Section, Text
from bot.features.org import import_org
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from tests.conversations.admin_helpers import run, slack
from tests.path_library import load_library

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION_CHARS = 3000
COUNT = 200


def test_a_200_person_team_renders_within_limits(core) -> None:
    load_library(core)
    services, now = core.services, core.services.clock.now()
    lines = ["email,manager_email,department,location,role", "lead@example.com,,HQ,Berlin,manager"]
    lines += [
        f"p{n}@example.com,lead@example.com,Dept {n % 7},City {n % 5},support-agent"
        for n in range(COUNT)
    ]
    import_org(
        "\n".join(lines).encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=now,
    )
    mastery = MasteryRepository(services.engine)
    for n in range(COUNT):
        learner = services.learners.resolve(
            slack(f"U{n}"),
            UserInfo(display_name=f"Person Number {n}", email=f"p{n}@example.com"),
            now=now,
        )
        profile = services.profiles.get(learner.id)
        services.profiles.save(
            learner.id,
            replace(profile, job_role="support-agent", onboarded_at=now - timedelta(days=20)),
            now=now,
        )
        mastery.save_ability(
            learner.id, Ability("security-awareness", 0.0, 0.3, (n % 10) / 10, 0.0, 5, now)
        )
        if n % 3 == 0:
            for _ in range(2):
                mastery.record_check(
                    learner.id,
                    CheckAttempt("security-awareness", None, False, 0.2, -1, 0.4, (), (), now),
                    dialog_id=None,
                )
    services.learners.resolve(slack("ULEAD"), UserInfo(email="lead@example.com"), now=now)
    for channel in (False, True):
        replies = run(core, slack("ULEAD"), "team --csv", channel=channel)
        for reply in replies:
            assert len(reply.blocks) <= SLACK_MAX_BLOCKS
            for block in reply.blocks:
                if isinstance(block, Section | Text):
                    assert len(getattr(block, "text", "")) <= SLACK_MAX_SECTION_CHARS
            for activity in render(reply):
                assert len(json.dumps(activity).encode()) < MAX_ACTIVITY_BYTES
        csv = next(b for r in replies for b in r.blocks if type(b).__name__ == "Attachment")
        assert len(csv.data.decode().splitlines()) == COUNT + 1
