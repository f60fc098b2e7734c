"""`/learn admin gaps`: content gaps grouped by meaning with the real embedding model."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.events import Identity
from bot.storage.content import ContentRepository
from bot.storage.gaps import GapRepository
from tests.conversations.admin_helpers import make_admin, run, text_of

pytestmark = pytest.mark.slow

ADMIN = Identity("slack", "T1", "UADM")


def _record(core, *questions: str) -> None:  # type: ignore[no-untyped-def]
    content = ContentRepository(core.services.engine)
    for q in questions:
        content.record_gap(q, learner_id=None, best_score=0.0, now=core.services.clock.now())


def test_payday_rewordings_share_a_group_and_vpn_has_its_own(core) -> None:  # type: ignore[no-untyped-def]
    make_admin(core, ADMIN)
    _record(core, "When is payday?", "How do I reset my VPN token?", "what day do we get paid")
    out = text_of(run(core, ADMIN, "admin gaps"))
    assert "Content gaps: 3, in 2 groups of the same meaning" in out
    assert "2x _When is payday?_ (open; first 2026-11-23, last 2026-11-23)" in out
    assert "1x _How do I reset my VPN token?_ (open" in out
    groups = {g.example: g for g in GapRepository(core.services.engine).groups()}
    payday, vpn = groups["When is payday?"], groups["How do I reset my VPN token?"]
    asked = GapRepository(core.services.engine).questions(payday.id)
    assert [q.question for q in asked] == ["When is payday?", "what day do we get paid"]
    assert [q.question for q in GapRepository(core.services.engine).questions(vpn.id)] == [
        "How do I reset my VPN token?"
    ]


def test_groups_are_stored_and_stay_the_same_between_calls(core) -> None:  # type: ignore[no-untyped-def]
    make_admin(core, ADMIN)
    _record(core, "When is payday?", "How do I reset my VPN token?")
    first = text_of(run(core, ADMIN, "admin gaps"))
    repo = GapRepository(core.services.engine)
    before = {g.id: g.example for g in repo.groups()}
    assert text_of(run(core, ADMIN, "admin gaps")) == first
    _record(core, "what day do we get paid")
    core.services.clock.advance(timedelta(days=2))
    _record(core, "my VPN token stopped working, how do I reset it")
    out = text_of(run(core, ADMIN, "admin gaps"))
    after = {g.id: (g.example, g.size) for g in repo.groups()}
    assert {i: e for i, (e, _) in after.items()} == before, "no group was made or renamed"
    assert sorted(size for _, size in after.values()) == [2, 2]
    assert "(open; first 2026-11-23, last 2026-11-25)" in out


def test_messages_that_ask_nothing_are_left_out(core) -> None:  # type: ignore[no-untyped-def]
    make_admin(core, ADMIN)
    _record(core, "hi", "/quit", "42")
    assert "No unanswered or badly answered questions" in text_of(run(core, ADMIN, "admin gaps"))
    _record(core, "wifi password Denver", "Denver wifi password")
    assert "Content gaps: 2, in 1 group" in text_of(run(core, ADMIN, "admin gaps"))
