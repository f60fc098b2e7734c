"""Mastery checks: pass, remediation on a fail, and a person after three fails in a row."""

from __future__ import annotations

from bot.app import build_app
from bot.core.events import Identity
from bot.core.replies import Direct, Here
from bot.settings import Settings
from tests.conversations.quiz_helpers import (
    Recorder,
    answer,
    current_item,
    learner_id,
    load_quiz_fixtures,
)
from tests.conversations.transcript import Conversation


def _check(chat: Conversation, command: str, *, correct: bool) -> str:
    out = chat.say(command)
    assert "A short check on" in out, out
    for _ in range(6):
        out = answer(chat, correct=correct, kind="check")
        if "Check passed" in out or "Not yet" in out:
            return out
    raise AssertionError("the check never ended:\n" + chat.transcript)


def test_a_passed_check_updates_the_ability_and_is_recorded(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    out = _check(chat, "/learn check sql", correct=True)
    assert "Check passed: SQL basics is likely mastered (" in out
    lid = learner_id(chat)
    mastery = core.services.mastery
    [attempt] = mastery.checks(lid, "sql")
    assert attempt.passed
    assert 3 <= len(attempt.items) <= 5
    assert mastery.abilities(lid)["sql"].p_mastery >= core.services.settings.mastery_threshold
    contexts = {r.context for r in core.services.items.responses(learner_id=lid)}
    assert contexts == {"check"}


def test_a_check_after_a_module_prefers_that_modules_questions(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    chat.say("/learn check security security/phishing")
    first = current_item(chat, "check")
    assert first.module_id == "security/phishing"
    answer(chat, correct=True, kind="check")
    second = current_item(chat, "check")
    assert second.module_id == "security/phishing", "both of the module's questions come first"
    answer(chat, correct=True, kind="check")
    assert current_item(chat, "check").module_id != "security/phishing", "then the others"


def _library_module(core) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.content import ContentRepository
    from content_index.model import Chunk, ModuleMeta

    meta = ModuleMeta(id="sql/grouping", title="Grouping rows", source="sql/grouping.md")
    sections = [
        ("Filtering groups with HAVING", "HAVING keeps the groups that GROUP BY produces."),
        ("Window functions", "OVER computes running totals without collapsing rows."),
    ]
    chunks = [
        Chunk(f"sql/grouping::{k}", "sql/grouping", k, title, f"s{k}", text)
        for k, (title, text) in enumerate(sections)
    ]
    ContentRepository(core.services.engine).save(
        meta, content_hash="h", new_chunks=chunks, now=core.services.clock.now()
    )


def test_a_failed_check_names_what_to_review_and_offers_a_retry(core) -> None:
    load_quiz_fixtures(core)
    _library_module(core)
    chat = Conversation(core)
    out = _check(chat, "/learn check sql sql/grouping", correct=False)
    flat = " ".join(out.split())
    assert "Not yet: SQL basics is not mastered yet (" in flat
    assert "A pass needs at least an 80% chance of mastery; you are at " in flat
    assert "WORTH REVIEWING" in out
    assert "Review sql/" in out, "the modules of the missed questions are named"
    flat_review = " ".join(out.split())
    assert "Review Grouping rows (sections: Filtering groups with HAVING)." in flat_review
    missed = core.services.mastery.checks(learner_id(chat), "sql")[0].missed
    review = " ".join(out.split("WORTH REVIEWING")[1].split())
    for item_id in missed:
        item = core.services.items.get(item_id)
        assert item.stem in review
        assert item.explanation in review
    assert "/learn check sql" in out
    assert "Retry the check" in out
    retry = chat.click("Retry the check")
    assert "A short check on SQL basics" in retry


def test_three_failed_checks_notify_the_coach_with_context(sqlite_settings, clock) -> None:
    settings = Settings(
        LEARNBOT_HOME=sqlite_settings.home, LEARNBOT_COACH="slack:T1:UCOACH", _env_file=None
    )
    core = build_app(settings, clock=clock)
    load_quiz_fixtures(core)
    chat = Conversation(core)
    recorder = Recorder(chat)
    first = _check(chat, "/learn check security", correct=False)
    second = _check(chat, "/learn check security", correct=False)
    assert "coach" not in first + second
    assert all(r.to == Here() for r in recorder.replies)
    third = _check(chat, "/learn check security", correct=False)
    assert "a person will follow up" in third
    coach = [r for r in recorder.replies if r.to != Here()]
    assert [r.to for r in coach] == [Direct(Identity("slack", "T1", "UCOACH"))]
    section, buttons = coach[0].blocks
    assert section.title == "Ana could use help with Security awareness"
    labels = [b.label for b in buttons.buttons]
    assert labels == ["Reply to Ana"], "a coach who is no learnbot user can only reply"
    fields = dict(section.fields)
    assert fields["Failed checks"].startswith("3: ")
    note = "\n".join(fields.values())
    mastery = core.services.mastery
    missed = {m for a in mastery.checks(learner_id(chat), "security") for m in a.missed}
    for item_id in missed:
        assert core.services.items.get(item_id).stem in note
    assert "security/phishing" in note or "security/passwords" in note, "modules seen"
    chosen = {
        o.text
        for r in core.services.items.responses(learner_id=learner_id(chat))
        for o in core.services.items.get(r.item_id).options
        if o.id in r.chosen and not o.correct
    }
    assert chosen, "the learner did choose wrong options"
    assert not any(text in note for text in chosen), "the learner's answers are not shared"
    verbs = [a["verb"] for a in core.services.activity.for_learner(learner_id(chat))]
    assert verbs.count("check_failed") == 3
    assert verbs.count("escalated") == 1


def test_without_a_coach_the_learner_is_asked_to_see_their_manager(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    for _ in range(2):
        _check(chat, "/learn check sql", correct=False)
    third = _check(chat, "/learn check sql", correct=False)
    assert "Please talk to your manager" in third
    activity = core.services.activity.for_learner(learner_id(chat))
    [escalated] = [a for a in activity if a["verb"] == "escalated"]
    assert escalated["detail"] == {"competency": "sql", "failures": 3, "coach_notified": False}


def test_a_pass_resets_the_count_of_failures(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    _check(chat, "/learn check sql", correct=False)
    _check(chat, "/learn check sql", correct=False)
    _check(chat, "/learn check sql", correct=True)
    out = _check(chat, "/learn check sql", correct=False)
    assert "manager" not in out
    assert "coach" not in out


def test_check_needs_a_competency_and_a_known_module(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    assert "/learn check COMPETENCY [MODULE]" in chat.say("/learn check")
    out = chat.say("/learn check sql sql/nowhere")
    assert "no module 'sql/nowhere'" in out
    assert "sql/joins" in out
    assert "I don't know the competency 'pottery'" in chat.say("/learn check pottery")
