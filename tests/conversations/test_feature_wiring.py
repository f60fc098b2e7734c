"""Features reach each other through the composition root: quizzes feed spaced review, paths
feed nudges, calendar files sent to the bot land in the learner's calendar."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.events import Channel, FileShared
from bot.storage.tables import calendar_events, review_cards
from tests.conversations.quiz_helpers import (
    answer,
    current_item,
    learner_id,
    load_quiz_fixtures,
)
from tests.conversations.transcript import Conversation


def test_a_quiz_answer_schedules_a_spaced_review_of_its_item(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    chat.say("/learn quiz")
    item = current_item(chat)
    answer(chat, correct=False)
    with core.services.engine.connect() as conn:
        (card,) = conn.execute(select(review_cards)).mappings()
    assert (card["learner_id"], card["item_id"]) == (learner_id(chat), item.id)
    now = core.services.clock.now()
    assert now < card["due_at"] <= now + timedelta(days=1), "a miss comes back soon"
    assert item.module_id
    due = core.services.learner_mastery.reviews_due(learner_id(chat))
    assert due == {item.module_id: card["due_at"]}, "paths see the review that is due"


@pytest.mark.slow
def test_the_next_path_step_and_due_training_are_offered_to_the_nudge_planner(core) -> None:
    from bot.sample.loader import load_sample

    load_sample(core)
    chat = Conversation(core)
    chat.say("/learn profile set role support-agent")
    lid = learner_id(chat)
    now = core.services.clock.now()
    planned = core.services.paths.plan(lid, now=now).path.steps
    first = next(s for s in planned if s.status in ("todo", "due", "overdue"))
    step, required = core.services.paths.inputs(lid, now=now)
    assert step == (first.module_id, first.title, first.minutes), "one plan gives both"
    due = dict(required)
    assert set(due) == {"compliance/code-of-conduct", "compliance/data-privacy"}
    assert all(at > now for at in due.values())
    home = core.services.home.path(lid, now=now)
    assert f"Next: **{first.title}**" in home
    assert "0 of" in core.services.home.progress(lid, now=now)


def test_a_calendar_file_sent_by_a_learner_is_imported(core, shared_data: Path) -> None:
    chat = Conversation(core)
    chat.say("/learn profile")
    data = (
        shared_data / "calendars/allenporter-ical/tests/examples/testdata/recurring_event.ics"
    ).read_bytes()
    event = FileShared(
        identity=chat.session.chat.identity,
        channel=Channel("dm-ana"),
        name="work.ics",
        size=len(data),
        read=lambda limit: data[:limit],
    )
    said = "\n".join(r.fallback for r in core.router.handle(event))
    assert "calendar" in said.lower()
    with core.services.engine.connect() as conn:
        rows = list(conn.execute(select(calendar_events)).mappings())
    assert rows, "the recurring event was expanded into busy times"
    assert {r["learner_id"] for r in rows} == {learner_id(chat)}
