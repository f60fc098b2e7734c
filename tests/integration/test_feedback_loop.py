"""The feedback loop: Not helpful (or the same question again at once) lowers the passage for
similar questions, decaying with time, and shows the group as answered badly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.events import ActionClicked, Channel, Identity, UserInfo
from bot.features.gaps import GapLog
from bot.storage.tables import answer_adjustments
from retrieval.feedback import HALF_LIFE, HORIZON
from tests.conversations.admin_helpers import make_admin, run, text_of
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow

ADMIN = Identity("slack", "T1", "UADM")
ASKED = "how many days do I have to file an expense report?"
SIMILAR = "How long do I have to submit an expense report?"
UNRELATED = "what should I do if I think I clicked a phishing link?"


@pytest.fixture
def library(library_core, sample_content: Path):  # type: ignore[no-untyped-def]
    lib = library_core.services.library.get()
    lib.ingest([sample_content])
    return lib


@pytest.fixture
def chat(library_core, library) -> Conversation:  # type: ignore[no-untyped-def]
    conversation = Conversation(library_core)
    conversation.say("/learn profile set role support-agent")
    return conversation


def _adjustments(core):  # type: ignore[no-untyped-def]
    with core.services.engine.connect() as conn:
        return list(conn.execute(select(answer_adjustments)).mappings())


def test_not_helpful_shows_the_group_as_answered_badly(library_core, chat) -> None:  # type: ignore[no-untyped-def]
    answer = chat.say(f"/learn ask {ASKED}")
    assert "[1]" in answer
    assert "Not helpful" in answer
    said = chat.click("Not helpful")
    assert "That passage will count less for questions like yours" in said
    make_admin(library_core, ADMIN)
    out = text_of(run(library_core, ADMIN, "admin gaps"))
    assert "Content gaps: 1, in 1 group" in out
    assert f"1x _{ASKED}_ (answered badly, 1 not helpful;" in out
    rows = _adjustments(library_core)
    assert {r["module_id"] for r in rows} == {"internal-tools/expenses"}
    assert {r["reason"] for r in rows} == {"not helpful"}
    chat.say(f"/learn ask {ASKED}")
    chat.core.services.clock.advance(timedelta(minutes=2))
    assert "[1]" in chat.say(f"/learn ask {UNRELATED}")
    out = text_of(run(library_core, ADMIN, "admin gaps"))
    assert "Content gaps: 1, in 1 group" in out, "no click, no re-ask: nothing more recorded"


def test_a_second_click_counts_once_and_unknown_buttons_are_explained(library_core, chat) -> None:  # type: ignore[no-untyped-def]
    chat.say(f"/learn ask {ASKED}")
    chat.click("Not helpful")
    before = _adjustments(library_core)
    chat.say(f"/learn ask {UNRELATED}")  # another answer shown; click the old one again
    identity = chat.session.chat.identity
    (old,) = {r["answer_id"] for r in before}

    def click(value: str) -> str:
        event = ActionClicked(
            identity=identity, channel=Channel("D1"), user=UserInfo(), action="answer", value=value
        )
        return text_of(library_core.router.handle(event))

    assert "Thanks, noted" in click(f"{old}:no")
    assert _adjustments(library_core) == before
    assert "I no longer have that answer on record" in click("0123456789abcdef:no")
    assert "That button has expired" in click(f"{old}:maybe")
    make_admin(library_core, ADMIN)
    assert "1 not helpful" in text_of(run(library_core, ADMIN, "admin gaps"))


def test_the_same_question_again_within_a_minute_counts_as_not_helpful(library_core, chat) -> None:  # type: ignore[no-untyped-def]
    chat.say(f"/learn ask {ASKED}")
    chat.core.services.clock.advance(timedelta(seconds=30))
    chat.say(f"/learn ask {SIMILAR}")
    rows = _adjustments(library_core)
    assert {r["reason"] for r in rows} == {"asked again"}
    make_admin(library_core, ADMIN)
    assert "(answered badly, 1 not helpful;" in text_of(run(library_core, ADMIN, "admin gaps"))
    chat.core.services.clock.advance(timedelta(minutes=5))
    chat.say(f"/learn ask {SIMILAR}")
    assert len(_adjustments(library_core)) == len(rows), "past the minute: a new question"


def _scores(library, question: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {h.chunk_id: h.score for h in library.ranked(question, roles=None)}


def _rate_not_helpful(core, library) -> set[str]:  # type: ignore[no-untyped-def]
    """Ana's answer to ASKED, marked not helpful; returns the chunk ids of its passages."""
    services = core.services
    learner = services.learners.resolve(Identity.parse("ana"), UserInfo(), now=services.clock.now())
    result = library.ask(ASKED, roles=None)
    assert result.confident
    sources = [{"module_id": s.module_id, "section": s.section} for s in result.sources]
    answer_id = library.content.record_answer(
        learner_id=learner.id, question=ASKED, sources=sources, now=services.clock.now()
    )
    log = GapLog(services.gaps, library)
    assert log.not_helpful(
        log.repo.answer(answer_id), reason="not helpful", now=services.clock.now()
    )
    passages = {(s.module_id, s.section) for s in result.sources}
    return {
        h.chunk_id
        for h in library.search(SIMILAR, roles=None)
        if (h.module_id, h.section) in passages
    }


def test_an_adjustment_moves_the_passage_down_for_similar_questions_only(
    library_core, library
) -> None:  # type: ignore[no-untyped-def]
    similar, unrelated = _scores(library, SIMILAR), _scores(library, UNRELATED)
    rated = _rate_not_helpful(library_core, library)
    assert rated, "the rated passage is among the similar question's hits"
    after = _scores(library, SIMILAR)
    for chunk in rated:
        assert 0 < after[chunk] < similar[chunk]
        assert after[chunk] == pytest.approx(similar[chunk] / 2)
    assert {c: s for c, s in after.items() if c not in rated} == {
        c: s for c, s in similar.items() if c not in rated
    }
    ranked = [h.chunk_id for h in library.ranked(SIMILAR, roles=None)]
    before = sorted(similar, key=lambda c: -similar[c])
    assert all(ranked.index(c) >= before.index(c) for c in rated), "moved down, never up"
    assert _scores(library, UNRELATED) == unrelated


def test_the_adjustment_decays_with_a_half_life(library_core, library) -> None:  # type: ignore[no-untyped-def]
    clock = library_core.services.clock
    similar = _scores(library, SIMILAR)
    rated = _rate_not_helpful(library_core, library)
    chunk = next(iter(rated))
    assert _scores(library, SIMILAR)[chunk] == pytest.approx(similar[chunk] / 2)
    clock.advance(HALF_LIFE)
    assert _scores(library, SIMILAR)[chunk] == pytest.approx(similar[chunk] / 1.5)
    clock.advance(HALF_LIFE)
    assert _scores(library, SIMILAR)[chunk] == pytest.approx(similar[chunk] / 1.25)
    clock.advance(HORIZON)
    assert _scores(library, SIMILAR)[chunk] == similar[chunk]
