"""The coach after repeated failed checks: the manager first, with context and buttons.

Several people chat at once here: a `Direct` reply one person's action addresses to
another lands on that person's screen (`Office.read`), where they click its buttons.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.app import App
from bot.core.events import Event, Identity, UserInfo
from bot.core.replies import Direct, Reply
from bot.features.org import import_org
from bot.sample import sample_dir
from bot.sample.loader import load_framework, load_quiz_bank
from bot.storage.content import ContentRepository
from content_index.model import Chunk, ModuleMeta
from learning.framework import Framework
from tests.conversations.quiz_helpers import answer
from tests.conversations.transcript import Conversation

CHART = """email,manager_email,department,location,role
mia@example.com,,Stores,Berlin,manager
ana@example.com,mia@example.com,Stores,Lisbon,store-associate
bo@example.com,mia@example.com,Stores,Lisbon,store-associate
"""


class Office:
    """Terminal chats of several people; direct messages between them are delivered."""

    def __init__(self, core: App) -> None:
        self.core = core
        self.chats: dict[str, Conversation] = {}
        self.mail: dict[Identity, list[Reply]] = {}
        self.seen: dict[str, list[Reply]] = {}

    def join(self, user: str, *, role: str = "learner", email: bool = True) -> Conversation:
        if email:
            self.core.services.learners.resolve(
                Identity.parse(user),
                UserInfo(user.capitalize(), email=f"{user}@example.com"),
                now=self.core.services.clock.now(),
            )
        chat = Conversation(self.core, user, role=role)
        inner = chat.session.chat.handle

        def handle(event: Event) -> list[Reply]:
            replies = inner(event)
            for reply in replies:
                if isinstance(reply.to, Direct) and reply.to.identity != event.identity:
                    self.mail.setdefault(reply.to.identity, []).append(reply)
            return replies

        chat.session.chat.handle = handle
        self.chats[user] = chat
        return chat

    def read(self, user: str, *, again: bool = False) -> str:
        """Show the person what was sent to them (or, `again`, what they read last); their
        buttons become clickable."""
        chat = self.chats[user]
        if not again:
            self.seen[user] = self.mail.pop(chat.session.chat.identity, [])
        renderer = chat.renderer
        renderer.reset()
        out: list[str] = []
        for reply in self.seen[user]:
            out += renderer.render(reply)
        chat.lines += [f"(inbox of {user})", *out]
        return "\n".join(out)


def _phishing_sections(core: App) -> None:
    """The sample phishing module with its sections, as ingestion stores them."""
    text = (sample_dir() / "content" / "security" / "phishing.md").read_text()
    parts = re.split(r"^## (.+)$", text, flags=re.M)[1:]
    chunks = [
        Chunk(f"security/phishing::{k}", "security/phishing", k, title, f"s{k}", body)
        for k, (title, body) in enumerate(zip(parts[::2], parts[1::2], strict=True))
    ]
    meta = ModuleMeta(
        id="security/phishing",
        title="Spotting and reporting phishing",
        source="security/phishing.md",
        competencies=("security-awareness",),
    )
    ContentRepository(core.services.engine).save(
        meta, content_hash="h", new_chunks=chunks, now=core.services.clock.now()
    )


def _fail_check(chat: Conversation) -> str:
    out = chat.say("/learn check security-awareness security/phishing")
    assert "A short check on" in out, out
    while "Not yet" not in out:
        assert "Check passed" not in out
        out = answer(chat, correct=False, kind="check")
    return out


def _setup(core: App) -> Office:
    load_framework(core)
    load_quiz_bank(core)
    _phishing_sections(core)
    services = core.services
    import_org(
        CHART.encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=services.clock.now(),
    )
    return Office(core)


def test_the_manager_is_asked_with_context_and_may_assign_again_or_waive(core) -> None:
    office = _setup(core)
    ana = office.join("ana")
    mia = office.join("mia", role="manager")
    bo = office.join("bo")
    _fail_check(ana)
    _fail_check(ana)
    assert office.read("mia") == "", "nobody is bothered after two fails"
    third = _fail_check(ana)
    assert "I have asked your manager, Mia, to help" in " ".join(third.split())

    note = office.read("mia")
    flat = " ".join(note.split())
    assert "ANA COULD USE HELP WITH SECURITY AWARENESS" in note
    assert "Failed checks: 3: " in flat
    services = core.services
    lid = services.learners.find(Identity.parse("ana")).id
    checks = services.mastery.checks(lid, "security-awareness")
    missed = [services.items.get(i) for a in checks for i in a.missed]
    tags = {t for item in missed for t in item.tags}
    topics = flat.split("Topics missed: ")[1].split(" Questions missed")[0]
    assert topics != "none recorded"
    assert set(topics.split(", ")) <= tags, topics
    distinct = {item.id: item for item in missed}.values()
    listed = [item for item in distinct if " ".join(item.stem.split()) in flat]
    assert len(listed) == min(8, len(distinct)), "the questions missed most, up to eight"
    assert "Spotting and reporting phishing (" in flat, "the module with its closest sections"
    assert "[1] Reply to Ana   [2] Assign the module again   [3] Waive the module" in note

    # A colleague cannot act on it, even with the button's value.
    refused = _texts(core.router.handle(_event(bo, "coach.assign", lid)))
    assert "Only Ana's managers and admins can do that." in refused
    assert "You were not asked to help Ana" in _texts(
        core.router.handle(_event(bo, "coach.reply", lid))
    )

    ana.say("/learn done security/phishing")
    ana.click("Done without check")
    office.read("mia", again=True)
    assert "Assigned Spotting and reporting phishing to Ana again" in mia.click(
        "Assign the module again"
    )
    assert "assigned Spotting and reporting phishing to you again" in office.read("ana")
    [assigned] = services.org.assignments(lid)
    assert (assigned.module_id, assigned.assigned_by) == (
        "security/phishing",
        services.learners.find(Identity.parse("mia")).id,
    )
    progress = {p.module_id: p for p in services.path_records.progress(lid)}
    assert progress["security/phishing"].status == "started"
    assert progress["security/phishing"].completed_at is None
    from bot.features.paths.service import path_service

    step = path_service(services).plan(lid, now=services.clock.now()).path.step("security/phishing")
    assert step is not None
    assert step.actionable, "back on the path, to do again"
    assert step.required, "assigned"

    office.read("mia", again=True)
    assert "Waived Spotting and reporting phishing for Ana" in mia.click("Waive the module")
    assert "security/phishing" in services.path_records.waivers(lid)
    waived = (
        path_service(services).plan(lid, now=services.clock.now()).path.step("security/phishing")
    )
    assert waived is None or waived.status == "exempt", "off the path"
    assert "waived Spotting and reporting phishing for you" in office.read("ana")

    office.read("mia", again=True)
    assert "Type your message to Ana" in mia.click("Reply to Ana")
    assert "Sent to Ana." in mia.say("Let us look at it together tomorrow.")
    assert "Let us look at it together tomorrow." in office.read("ana")
    actions = [e["action"] for e in services.audit.entries()]
    assert {"coach_reply", "coach_assign", "coach_waive"} <= set(actions)


def test_without_a_manager_the_competencys_coach_is_asked_and_may_only_reply(core) -> None:
    load_framework(core)
    load_quiz_bank(core)
    framework = core.services.framework.get()
    coached = tuple(
        replace(c, coach="cora@example.com") if c.id == "security-awareness" else c
        for c in framework.competencies
    )
    core.services.framework.replace(Framework(coached, framework.roles))
    office = Office(core)
    ana = office.join("ana")
    office.join("cora")
    for _ in range(3):
        third = _fail_check(ana)
    assert "asked your coach" in " ".join(third.split())
    note = office.read("cora")
    assert "ANA COULD USE HELP WITH SECURITY AWARENESS" in note
    assert "[1] Reply to Ana" in note
    assert "Assign the module again" not in note, "a coach who is no manager only replies"


def _event(chat: Conversation, action: str, learner_id: str) -> Event:
    from bot.core.events import ActionClicked, Channel

    identity = chat.session.chat.identity
    value = f"{learner_id}|security-awareness|security/phishing"
    return ActionClicked(
        identity, Channel(f"dm-{identity.user_id}", True), action=action, value=value
    )


def _texts(replies: list[Reply]) -> str:
    from bot.adapters.terminal.render import PlainRenderer

    renderer = PlainRenderer()
    return "\n".join(line for r in replies for line in renderer.render(r))


def test_a_competencys_coach_is_read_from_the_framework_file_and_stored(core, tmp_path) -> None:
    from bot.features.imports import load_framework_file

    text = (sample_dir() / "framework.yaml").read_text()
    text = text.replace(
        "    cut_score: 0.3\n",
        "    cut_score: 0.3\n    coach: slack:T1:UCORA\n",
        1,
    )
    path = tmp_path / "framework.yaml"
    path.write_text(text)
    core.services.framework.replace(load_framework_file(path))
    stored = {c.id: c.coach for c in core.services.framework.get().competencies}
    assert stored["security-awareness"] == "slack:T1:UCORA"
    assert stored["workplace-basics"] == "", "the field is optional"


def test_the_coach_replies_in_their_own_words_and_the_learner_gets_it(core) -> None:
    office = _setup(core)
    ana = office.join("ana")
    mia = office.join("mia", role="manager")
    bo = office.join("bo")
    ada = office.join("ada", role="admin")
    for _ in range(3):
        _fail_check(ana)
    services = core.services
    lid = services.learners.find(Identity.parse("ana")).id
    mia_id = services.learners.find(Identity.parse("mia")).id
    office.read("mia")

    prompt = mia.click("Reply to Ana")
    assert "Type your message to Ana about Security awareness (up to 2,000 characters)" in (
        " ".join(prompt.split()).replace("**", "")
    ), prompt
    waiting = services.dialogs.active(mia_id)
    assert waiting is not None
    assert (waiting.kind, waiting.state) == (
        "coach_reply",
        {"learner": lid, "competency": "security-awareness"},
    ), "persisted: a restart or another replica continues"

    assert "Your message to Ana is empty" in mia.say("   ")
    too_long = mia.say("x" * 2001)
    assert "Your message to Ana is 2,001 characters long; it can be at most 2,000" in " ".join(
        too_long.split()
    )
    assert office.read("ana") == "", "nothing reaches the learner from a refused message"

    words = "Phishing is tricky: let's go through the signs together on Thursday at 10."
    assert "Sent to Ana." in mia.say(words)
    inbox = " ".join(office.read("ana").split())
    assert "Mia replied about Security awareness:" in inbox.replace("**", ""), inbox
    assert words in inbox
    assert services.dialogs.latest(mia_id, "coach_reply").status == "done"
    [entry] = [e for e in services.audit.entries() if e["action"] == "coach_reply"]
    assert entry["detail"] == {"competency": "security-awareness", "characters": len(words)}
    assert words not in str(entry), "the message itself is not audited"

    # The next line from the coach is a message to the bot again, not to Ana.
    mia.say("How do I report phishing?")
    assert office.read("ana") == ""

    # A colleague cannot open the reply even with the button's value; an admin can.
    refused = _texts(core.router.handle(_event(bo, "coach.reply", lid)))
    assert "You were not asked to help Ana" in refused
    bo_id = services.learners.find(Identity.parse("bo")).id
    assert services.dialogs.active(bo_id) is None
    assert "Type your message to Ana" in _texts(core.router.handle(_event(ada, "coach.reply", lid)))

    # Cancelling sends nothing.
    office.read("mia", again=True)
    mia.click("Reply to Ana")
    assert "Nothing was sent to Ana." in mia.click("Cancel")
    assert office.read("ana") == ""
