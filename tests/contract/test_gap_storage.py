"""Gap groups, their questions, feedback adjustments and gap notices in the outbox, on a
SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Identity, UserInfo
from bot.storage.content import ContentRepository
from bot.storage.db import make_engine, migrate
from bot.storage.gaps import CLOSED, NOT_HELPFUL, UNANSWERED, GapRepository
from bot.storage.learners import LearnerRepository
from bot.storage.rights import RightsRepository
from nudges.outbox import GAP_ANSWERED, Notice, Outbox
from nudges.store.outbox import OutboxStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_groups_questions_closing_and_who_is_still_to_be_told(engine) -> None:  # type: ignore[no-untyped-def]
    ana = LearnerRepository(engine).resolve(Identity("slack", "T1", "U1"), UserInfo("Ana"), now=NOW)
    content, repo = ContentRepository(engine), GapRepository(engine)
    content.record_gap("When is payday?", learner_id=ana.id, best_score=0.0, now=NOW)
    (gap,) = repo.ungrouped_gaps()
    assert repo.add(
        source=f"gap:{gap['id']}",
        group_id=None,
        centroid=[1.0, 0.0],
        learner_id=ana.id,
        kind=UNANSWERED,
        question=gap["question"],
        vector=[1.0, 0.0],
        at=NOW,
    )
    assert repo.ungrouped_gaps() == []
    (group,) = repo.groups()
    later = NOW + timedelta(days=1)
    assert not repo.add(
        source=f"gap:{gap['id']}",
        group_id=group.id,
        centroid=[1.0, 0.0],
        learner_id=ana.id,
        kind=UNANSWERED,
        question="again",
        vector=[1.0, 0.0],
        at=later,
    ), "a source is filed once"
    assert repo.add(
        source="answer:abc",
        group_id=group.id,
        centroid=[1.0, 0.0],
        learner_id=ana.id,
        kind=NOT_HELPFUL,
        question="what day do we get paid",
        vector=[0.9, 0.1],
        at=later,
    )
    (group,) = repo.groups()
    assert (group.size, group.unanswered, group.not_helpful) == (2, 1, 1)
    assert (group.first_at, group.last_at) == (NOW, later)
    assert repo.to_notify() == []
    assert repo.close(group.id, generation=3, now=later)
    assert not repo.close(group.id, generation=3, now=later), "closed once"
    ((closed, question),) = repo.to_notify()
    assert closed.status == CLOSED
    assert closed.not_helpful == 1, "counted since it was closed (same instant)"
    assert question.learner_id == ana.id
    repo.mark_notified([question.id])
    assert repo.to_notify() == []
    exported = RightsRepository(engine).export(ana)
    assert len(exported["gap_questions"]) == 2


def test_adjustments_are_stored_once_per_answer(engine) -> None:  # type: ignore[no-untyped-def]
    ana = LearnerRepository(engine).resolve(Identity("slack", "T1", "U1"), UserInfo("Ana"), now=NOW)
    repo = GapRepository(engine)
    answer_id = ContentRepository(engine).record_answer(
        learner_id=ana.id, question="q", sources=[{"module_id": "m", "section": "s"}], now=NOW
    )
    assert repo.answer(answer_id)["question"] == "q"  # type: ignore[index]
    assert repo.last_answer(ana.id, since=NOW - timedelta(minutes=1))["id"] == answer_id  # type: ignore[index]
    passages = [("m", "s"), ("m", "t")]
    assert repo.adjust(
        answer_id, learner_id=ana.id, passages=passages, vector=[1.0], reason="x", now=NOW
    )
    version = repo.adjustments_version()
    assert not repo.adjust(
        answer_id, learner_id=ana.id, passages=passages, vector=[1.0], reason="x", now=NOW
    )
    assert repo.adjustments_version() == version
    found = repo.adjustments(since=NOW - timedelta(days=1))
    assert sorted((a.module_id, a.section) for a in found) == passages
    assert repo.adjustments(since=NOW + timedelta(seconds=1)) == []


def test_a_notice_is_queued_once_and_held_ones_are_rearmed_or_cancelled(engine) -> None:  # type: ignore[no-untyped-def]
    learners = LearnerRepository(engine)
    ana = learners.resolve(Identity("slack", "T1", "U1"), UserInfo("Ana"), now=NOW)
    ben = learners.resolve(Identity("slack", "T1", "U2"), UserInfo("Ben"), now=NOW)
    outbox = Outbox(OutboxStore(engine))

    def notice(learner_id: str) -> Notice:
        return Notice(learner_id, GAP_ANSWERED, "gap-group:1", "2026-11-23", "m", "q", "text")

    assert outbox.add_notice(notice(ana.id), now=NOW)
    assert not outbox.add_notice(notice(ana.id), now=NOW)
    assert outbox.add_notice(notice(ben.id), now=NOW)
    claimed = outbox.claim(worker="w", now=NOW, lease=timedelta(minutes=1))
    assert len(claimed) == 2
    for row in claimed:
        outbox.mark_replan(row, why="quiet hours", now=NOW)
    later = NOW + timedelta(hours=10)
    assert outbox.rearm_held(GAP_ANSWERED, now=later, opted_out=lambda i: i == ben.id) == (1, 1)
    (again,) = outbox.claim(worker="w", now=later, lease=timedelta(minutes=1))
    assert again.learner_id == ana.id
    assert outbox.counts() == {"claimed": 1, "cancelled": 1}
