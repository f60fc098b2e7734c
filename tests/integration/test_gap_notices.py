"""Gap notices: content that now answers a gap group tells each asker once, in their DM."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.ports import ChatPorts, RecordingPort
from bot.core.replies import Reply
from bot.storage.gaps import GapRepository
from nudges import gap_notices
from nudges.delivery import Delivery, DeliveryConfig
from nudges.jobs import JobRunner, default_jobs
from nudges.outbox import GAP_ANSWERED
from nudges.store.outbox import OutboxStore
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow

PAYROLL = """---
id: workplace-basics/payroll
title: Payroll
competencies: [workplace-basics]
format: text
audience: []
summary: When and how you are paid.
---

# Payroll

## Payday

Payday is the last working day of every month. Your salary is paid into your bank account
on the last working day of the month, and your payslip is in Compass the day before.
"""


@pytest.fixture
def library(library_core, sample_content: Path):  # type: ignore[no-untyped-def]
    lib = library_core.services.library.get()
    lib.ingest([sample_content / "security"])  # nothing about pay
    return lib


def _asker(core, user: str, question: str) -> Conversation:  # type: ignore[no-untyped-def]
    chat = Conversation(core, user)
    if "Not now" in chat.say("hi"):
        chat.click("Not now")
    assert "Helpful" not in chat.say(f"/learn ask {question}"), "no answer yet: a content gap"
    return chat


def _deliver(core) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    services = core.services
    port = RecordingPort()
    delivery = Delivery(
        outbox=services.outbox,
        learners=services.learners,
        profiles=services.profiles,
        prefs=services.nudge_prefs,
        ports=ChatPorts({"terminal": port}),
        now=services.clock.now,
        worker_id="w1",
        config=DeliveryConfig(min_gap=timedelta(0)),
    )
    while delivery.run_once().claimed:
        pass
    return [(identity.user_id, _text(reply)) for identity, _, reply in port.sent]


def _text(reply: Reply) -> str:
    from bot.adapters.terminal.render import PlainRenderer

    return " ".join(" ".join(PlainRenderer().render(reply)).split())


def test_each_asker_is_told_once_when_new_content_answers_their_gap(
    library_core, library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    core = library_core
    _asker(core, "ana", "When is payday?")
    _asker(core, "ben", "When do we get paid?")
    _asker(core, "ben", "When is payday?")
    cleo = _asker(core, "cleo", "When is payday?")
    cleo_id = core.services.learners.find(cleo.session.chat.identity).id
    core.services.nudges.get().stop(cleo_id, now=core.services.clock.now())
    runner = JobRunner(core.services.engine, default_jobs(core.services), holder="w1")
    assert runner.tick().get("gap-notices") == 0, "nothing answers it yet"
    (group,) = GapRepository(core.services.engine).groups()
    assert group.status == "open"
    assert group.size == 4

    (tmp_path / "payroll.md").write_text(PAYROLL)
    assert library.ingest([tmp_path / "payroll.md"]).ingested == 1
    core.services.clock.advance(timedelta(minutes=5))
    first = gap_notices.run(core.services, now=core.services.clock.now())
    second = gap_notices.run(core.services, now=core.services.clock.now())
    assert (first, second) == (2, 0), "ana and ben once each; cleo stopped nudges"
    (group,) = GapRepository(core.services.engine).groups()
    assert group.status == "closed"

    sent = _deliver(core)
    assert sorted(user for user, _ in sent) == ["ana", "ben"]
    for _, text in sent:
        assert "the library now answers your question" in text.casefold()
        assert "on 23 November 2026: the library now answers it" in text
        assert "last working day of" in text
        assert "Source: Payroll › Payday <payroll.md#payday>" in text
    assert "You asked “When is payday?”" in dict(sent)["ana"]
    assert _deliver(core) == [], "sent exactly once"
    assert gap_notices.run(core.services, now=core.services.clock.now()) == 0


def test_a_notice_held_for_quiet_hours_goes_out_later_and_only_once(
    library_core, library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    core = library_core
    _asker(core, "ana", "When is payday?")
    (tmp_path / "payroll.md").write_text(PAYROLL)
    library.ingest([tmp_path / "payroll.md"])
    clock = core.services.clock
    clock.advance(timedelta(hours=12))  # 22:00 in Berlin: quiet hours
    assert gap_notices.run(core.services, now=clock.now()) == 1
    assert _deliver(core) == []
    store = OutboxStore(core.services.engine)
    assert len(store.held(GAP_ANSWERED)) == 1, "held back, not sent"
    core.services.nudges.get().replan_all(now=clock.now())
    assert len(store.held(GAP_ANSWERED)) == 1, "planning leaves a notice alone"
    clock.advance(timedelta(hours=12))  # 10:00 the next morning
    gap_notices.run(core.services, now=clock.now())
    assert [user for user, _ in _deliver(core)] == ["ana"]
    assert _deliver(core) == []
