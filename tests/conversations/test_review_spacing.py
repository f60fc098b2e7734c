"""Spaced review after a quiz in chat: answers go straight to review, days away."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.sample.loader import load_framework, load_quiz_bank
from nudges.planner import REVIEW
from nudges.service import nudge_service
from tests.conversations.quiz_helpers import answer, learner_id
from tests.conversations.transcript import Conversation


def _onboard_support_agent(chat: Conversation) -> str:
    chat.say("hi")
    chat.click("Let's start")
    chat.click("Support agent")
    chat.say("Skip")
    chat.click("No preference")
    chat.click("5 min")
    chat.click("Yes, Europe/Berlin")
    return chat.click("09:00-17:00")


def _long_modules(core) -> None:
    """A two-hour module per competency, so the intake quiz finds every one worth asking."""
    from bot.storage.content import ContentRepository
    from content_index.model import ModuleMeta

    repo = ContentRepository(core.services.engine)
    for comp in core.services.framework.get().competencies:
        meta = ModuleMeta(
            id=f"long/{comp.id}",
            title=comp.title,
            competencies=(comp.id,),
            minutes=120,
            source=f"{comp.id}.md",
        )
        repo.save(meta, content_hash=meta.id, new_chunks=[], now=core.services.clock.now())


def test_a_perfect_intake_quiz_brings_no_review_nudge_within_a_day(core, clock) -> None:
    load_framework(core)
    load_quiz_bank(core)
    _long_modules(core)
    chat = Conversation(core)
    assert "Take the intake quiz" in _onboard_support_agent(chat)
    out = chat.click("Take the intake quiz")
    asked = 0
    while "YOUR RESULTS" not in out:
        asked += 1
        out = answer(chat, correct=True)
    services, lid = core.services, learner_id(chat)
    answered = services.items.responses(learner_id=lid)
    assert asked == len(answered) >= 12, "a two-hour module is worth several questions"
    assert all(r.correct for r in answered)

    cards = services.review_cards.cards(lid)
    assert len(cards) == asked
    now = clock.now()
    assert all(card.due_at - now >= timedelta(days=2) for _, _, card in cards)

    service = nudge_service(services)
    for hours in (1, 8, 23):
        at = now + timedelta(hours=hours)
        planned = service.dry_run(lid, now=at, days=2)
        early = [n for n in planned if n.kind == REVIEW and n.at < now + timedelta(hours=24)]
        assert early == [], (hours, early)
    later = service.dry_run(lid, now=now + timedelta(days=3), days=7)
    review = next(n for n in later if n.kind == REVIEW)
    # Which items are asked varies (a random pick among the most informative), so the grouping
    # is checked by its shape: the largest groups first, every answer counted once.
    assert re.match(r"\d+ answers? on ", review.reason), review.reason
    assert "from 3 days ago" in review.reason
    named = [int(n) for n in re.findall(r"(\d+) answers? on ", review.reason)]
    (rest,) = re.findall(r"(\d+) more on other modules are fading", review.reason)
    assert len(named) == 3
    assert named == sorted(named, reverse=True), "the largest groups named first"
    assert sum(named) + int(rest) == asked, "every answer counted once"
