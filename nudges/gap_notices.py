"""Gap notices: when the library now answers a content-gap group, each asker is told once.

Run by `learnbot worker` as one leased job (`nudges.jobs`). Each run groups new content gaps,
closes the groups the library now answers (`bot.features.gaps.GapLog.close_answered`), and
queues one outbox row per asker and group (the outbox key: learner, kind, group, closing
date), so running it twice, or on two workers, never queues a second notice; delivery sends
it like a nudge, under the same quiet hours, caps, pause and "Stop nudges".
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.core import messages as msg
from bot.core.model import Answered
from bot.core.ports import LibraryPort
from bot.features.gaps import GapLog, answered_for
from bot.features.profile import audience_of
from bot.storage.gaps import GapGroupRow, GapQuestion
from nudges.outbox import GAP_ANSWERED, Notice

PERIOD_S = 600.0


def run(services: Services, *, now: datetime) -> int:
    """Group, close and queue notices; returns how many notices were queued."""
    if services.library is None:
        return 0
    library = services.library.get()
    if not library.content.has_chunks():
        return 0
    log = GapLog(services.gaps, library)
    log.refresh()
    log.close_answered(now=now)
    queued, settled = 0, []
    for group, question in log.repo.to_notify():
        outcome = _notify(services, library, group, question, now=now)
        if outcome is not None:
            settled.append(question.id)
            queued += outcome
    log.repo.mark_notified(settled)
    services.outbox.rearm_held(GAP_ANSWERED, now=now, opted_out=lambda i: _stopped(services, i))
    return queued


def _stopped(services: Services, learner_id: str) -> bool:
    return services.nudge_prefs.get(learner_id).stopped


def _notify(
    services: Services,
    library: LibraryPort,
    group: GapGroupRow,
    question: GapQuestion,
    *,
    now: datetime,
) -> int | None:
    """Queue the asker's notice: 1 queued, 0 settled without one (gone, opted out, told
    already), None to try again later (their audience still gets no answer)."""
    learner = services.learners.get(question.learner_id or "")
    if learner is None or _stopped(services, learner.id):
        return 0
    answer = answered_for(library, question.question, audience_of(services, learner))
    if answer is None:
        return None
    zone = services.profiles.get(learner.id).zone
    asked = question.at.astimezone(zone)
    closed = group.closed_at or now
    notice = Notice(
        learner_id=learner.id,
        kind=GAP_ANSWERED,
        object_id=f"gap-group:{group.id}",
        local_date=closed.date().isoformat(),
        module_id=answer.sources[0].module_id,
        title=question.question,
        reason=_text(question.question, f"{asked.day} {asked:%B %Y}", answer),
    )
    return int(services.outbox.add_notice(notice, now=now))


def _text(question: str, date: str, answer: Answered) -> str:
    first = answer.sources[0]
    cite = msg.GAP_NOTICE_CITE.format(
        title=first.title, section=first.section or "Introduction", link=first.link
    )
    body = msg.GAP_NOTICE.format(question=question[:300], date=date, answer=answer.answer)
    return f"{body}\n\n{cite}"
