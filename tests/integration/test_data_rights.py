"""Export then delete one learner: the export holds their rows, and afterwards no table does."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import inspect, select

from bot.app import build_app
from bot.core.events import Identity, UserInfo
from bot.core.replies import Attachment, Buttons, Direct
from bot.features.data_rights import pseudonym
from bot.storage.content import ContentRepository
from bot.storage.conversations import ConversationRef, ConversationRepository
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from bot.storage.org import OrgRepository
from bot.storage.paths import PathRepository
from bot.storage.rights import learner_tables
from bot.storage.tables import metadata
from tests.conversations.admin_helpers import click, run, slack, text_of

EMAIL = "ana.forget@example.com"


def _seed(core, learner_id: str, tag: str) -> None:  # type: ignore[no-untyped-def]
    services, now = core.services, core.services.clock.now()
    content = ContentRepository(services.engine)
    content.record_gap(
        f"Where is the {tag} policy?", learner_id=learner_id, best_score=0.1, now=now
    )
    content.record_answer(learner_id=learner_id, question="How do I X?", sources=[], now=now)
    mastery = MasteryRepository(services.engine)
    mastery.save_ability(learner_id, Ability("c1", 0.5, 0.3, 0.7, 0.0, 4, now))
    mastery.grant_exemption(
        learner_id,
        competency="c1",
        modules=["m1"],
        evidence=[],
        theta=1.0,
        se=0.2,
        p_mastery=0.95,
        cut=0.0,
        threshold=0.9,
        dialog_id=None,
        now=now,
    )
    mastery.record_check(
        learner_id,
        CheckAttempt("c1", None, False, 0.2, -1.0, 0.4, ("i1",), ("i1",), now),
        dialog_id=None,
    )
    paths = PathRepository(services.engine)
    paths.mark(learner_id, "m1", "done", now=now)
    paths.record(learner_id, "path", inputs={"a": 1}, output={"steps": []}, now=now)
    paths.role_since(learner_id, "agent", default=now)
    paths.waive(learner_id, "m2", reason="r", actor="cli", now=now)
    OrgRepository(services.engine).assign(
        learner_id, "m1", due_at=now + timedelta(days=3), by="x", now=now
    )
    services.activity.record(learner_id, "completed", object_id="m1", now=now)


def test_export_then_forget_leaves_no_trace_outside_the_audit_log(settings, clock) -> None:
    # Her Slack and Teams identities are one learner: the domain is allowed to link them.
    core = build_app(settings.model_copy(update={"link_domains": "example.com"}), clock=clock)
    ana, other = slack("UANA"), slack("UOTHER")
    run(core, ana, "help", email=EMAIL, name="Ana Forget")
    run(core, other, "help", email="other@example.com")
    learner = core.services.learners.find(ana)
    assert learner is not None
    _seed(core, learner.id, "ana-secret")
    core.services.learners.resolve(
        Identity("teams", "TEN1", "aad-ana"), UserInfo(email=EMAIL), now=core.services.clock.now()
    )
    conversations = ConversationRepository(core.services.engine)
    for uid in ("aad-ana", "aad-other"):
        conversations.remember(
            ConversationRef(
                f"a:conv-{uid}",
                "TEN1",
                "personal",
                "https://smba.example/",
                {"u": uid},
                user_id=f"29:{uid}",
                aad_object_id=uid,
            ),
            now=core.services.clock.now(),
        )
    learner = core.services.learners.find(ana)
    other_id = core.services.learners.find(other).id
    _seed(core, other_id, "other-topic")
    # Ana also acted on the other learner's records, as a manager and an admin would.
    now = core.services.clock.now()
    MasteryRepository(core.services.engine).revoke(other_id, "c1", by=learner.id, now=now)
    OrgRepository(core.services.engine).assign(
        other_id, "m3", due_at=now + timedelta(days=3), by=learner.id, now=now
    )
    PathRepository(core.services.engine).waive(
        other_id, "m4", reason="r", actor=learner.id, now=now
    )

    replies = run(core, ana, "my-data", channel=True)
    assert replies[0].to == Direct(ana)
    attachment = next(b for b in replies[0].blocks if isinstance(b, Attachment))
    assert attachment.mime == "application/json"
    export = json.loads(attachment.data)
    assert export["learner"]["email"] == EMAIL
    for table in learner_tables():
        assert table.name in export
    for name in (
        "profiles",
        "identities",
        "abilities",
        "exemptions",
        "mastery_checks",
        "module_progress",
        "recommendations",
        "activity",
        "answer_feedback",
        "content_gaps",
        "assignments",
        "module_waivers",
        "role_assignments",
    ):
        assert export[name], name
        assert all(r["learner_id"] == learner.id for r in export[name])

    prompt = run(core, ana, "forget-me")
    buttons = next(b for b in prompt[0].blocks if isinstance(b, Buttons)).buttons
    yes = next(b for b in buttons if b.value.endswith(":yes"))
    # Someone else pressing the owner's button (a forged value) changes nothing.
    assert "someone else" in text_of(click(core, other, yes.action, yes.value))
    assert core.services.learners.find(ana) is not None
    assert "deleted" in text_of(click(core, ana, yes.action, yes.value))

    needles = {learner.id, "UANA", "aad-ana", EMAIL, "ana-secret", "Ana Forget"}
    with core.services.engine.connect() as conn:
        for name in inspect(core.services.engine).get_table_names():
            if name in {"alembic_version", "audit_log"}:
                continue
            rows = conn.execute(select(metadata.tables[name])).mappings().all()
            for row in rows:
                text = json.dumps(dict(row), default=str)
                assert not any(n in text for n in needles), (name, text)
        # The other learner is untouched.
        assert core.services.learners.find(other) is not None
    assert conversations.get("a:conv-aad-other") is not None
    entries = core.services.audit.entries()
    assert entries[0]["action"] == "learner.forget"
    assert entries[0]["actor"] == pseudonym(core.settings, learner.id)
    assert learner.id not in json.dumps(entries, default=str)


def test_forget_me_cancelled_keeps_everything(core) -> None:
    ana = Identity("terminal", "local", "ana")
    core.services.learners.resolve(ana, UserInfo(), now=core.services.clock.now())
    prompt = run(core, ana, "forget-me")
    no = next(b for b in prompt[0].blocks if isinstance(b, Buttons)).buttons[1]
    assert "Nothing was deleted" in text_of(click(core, ana, no.action, no.value))
    assert core.services.learners.find(ana) is not None
