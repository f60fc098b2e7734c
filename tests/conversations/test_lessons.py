"""Lessons in the chat: `/learn study`, card by card, on the sample library in a real SQLite file.

The sample library is loaded once per session (`sample_db`, with the real embedding model);
every test works on its own copy of that database file, through the terminal chat, and restarts are
new cores on the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.events import ActionClicked, Channel, Identity
from bot.dialogs.engine import DIALOG_ACTION
from bot.features.xapi import statements
from bot.settings import Settings
from bot.storage.mastery import Ability
from bot.storage.tables import responses, review_cards
from tests.conftest import copy_sample_db
from tests.conversations.quiz_helpers import learner_id
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow
MODULE = "security/phishing"
TITLE = "Spotting and reporting phishing"


@pytest.fixture
def study(sample_db: Path, sqlite_settings: Settings, clock):  # type: ignore[no-untyped-def]
    """A function building a core on this test's copy of the sample database (a restart)."""
    copy_sample_db(sample_db, sqlite_settings.home)

    def make() -> App:
        return build_app(sqlite_settings, clock=clock)

    return make


def _correct_labels(core: App, out: str) -> list[str]:
    """The labels of the right options of the practice question shown last."""
    items = core.services.items.bank()
    shown = [i for i in items if i.stem in out]
    assert len(shown) == 1, out
    item = shown[0]
    return [o.text for o in item.options if o.id in item.correct_ids]


def _read_to_end(core: App, chat: Conversation, out: str) -> str:
    """Continue through every card, answering practice questions correctly."""
    for _ in range(40):
        if "Practice question" in out:
            out = chat.click(*_correct_labels(core, out))
            assert "Correct" in out
            out = chat.click("Continue")
        elif "Take the mastery check" in out or "marked done" in out:
            return out
        else:
            out = chat.click("Continue")
    raise AssertionError("the lesson never ended:\n" + chat.transcript)


def test_a_module_is_studied_card_by_card_to_its_check(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    out = chat.say(f"/learn study {MODULE}")
    assert TITLE in out
    assert "11 cards" in out
    assert "Card 1 of 11 · about 6 minutes left" in out
    assert "Phishing is the most common way" in out
    assert chat.renderer.labels[0] == "Continue", "Continue comes first on a reading card"
    out = _read_to_end(core, chat, out)
    assert "Card 11 of 11" in out
    assert "mastery check on Security awareness" in out
    lid = learner_id(chat)
    position = core.services.lesson_progress.position(lid, MODULE)
    assert position is not None
    assert position.finished_at is not None
    with core.services.engine.connect() as conn:
        rows = conn.execute(
            select(responses.c.item_id, responses.c.context, responses.c.correct).where(
                responses.c.learner_id == lid
            )
        ).all()
    assert rows
    assert {r.context for r in rows} == {"practice"}
    assert all(r.correct for r in rows)
    practised = {r.item_id for r in rows}
    ability = core.services.mastery.abilities(lid)["security-awareness"]
    assert ability.n == len(practised), "practice moves mastery"
    assert ability.p_mastery > 0.5
    with core.services.engine.connect() as conn:
        cards = conn.execute(
            select(review_cards.c.item_id).where(review_cards.c.learner_id == lid)
        ).scalars()
        assert set(cards) == practised, "each practised item gets a spaced review"
    # The check that follows asks items not practised in the lesson first.
    out = chat.click("Take the mastery check")
    assert "A short check on Security awareness" in out
    asked = [i for i in core.services.items.bank(["security-awareness"]) if i.stem in out]
    assert len(asked) == 1
    assert asked[0].id not in practised
    assert core.services.dialogs.active(lid, "lesson") is None, "the lesson closed"


def test_practice_and_reading_are_in_the_xapi_log(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    _read_to_end(core, chat, chat.say(f"/learn study {MODULE}"))
    found = [s for _, s in statements(core.services.xapi, core.services.settings)]
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in found}
    assert {"experienced", "answered", "completed"} <= verbs
    answered = [s for s in found if s["verb"]["id"].endswith("/answered")]
    assert all(s["result"]["success"] is True for s in answered)
    assert all("chosen" not in str(s) for s in answered), "no answers in statements"
    completed = [s["object"]["id"] for s in found if s["verb"]["id"].endswith("/completed")]
    assert any(o.endswith(f"/lessons/{MODULE}") for o in completed)


def test_pause_then_resume_after_a_restart(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say(f"/learn study {MODULE}")
    chat.click("Continue")
    out = chat.click("Pause")
    assert "Paused at card 2 of 11" in out
    core.services.engine.dispose()
    again = Conversation(study())
    out = again.say("/learn study spotting and rep")  # an unambiguous prefix of its title
    assert "Picking up Spotting and reporting phishing where you left off: card 2 of 11" in out
    assert "Red flags" in out


def test_next_and_study_without_a_module_open_the_current_step(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say("/learn profile set role support-agent")
    out = chat.say("/learn next")
    assert "Next:" in out
    assert "Card 1 of" in out
    assert "Continue" in chat.renderer.labels
    title = out.split("Next: ", 1)[1].split("\n", 1)[0].strip("*")
    chat.click("Continue")
    chat.click("Pause")
    out = chat.say("/learn study")
    assert f"Picking up {title} where you left off: card 2 of" in out


def test_a_double_click_moves_one_card_and_others_cannot_click(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say(f"/learn study {MODULE}")
    lid = learner_id(chat)
    record = core.services.dialogs.active(lid, "lesson")
    assert record is not None
    value = f"{record.id}:{record.step}:next"
    identity = chat.session.chat.identity

    def click(who: Identity) -> str:
        event = ActionClicked(
            identity=who,
            channel=Channel("dm"),
            action=DIALOG_ACTION,
            value=value,
        )
        return " ".join(str(b) for r in core.router.handle(event) for b in r.blocks)

    stranger = Identity.parse("mallory")
    assert "someone else" in click(stranger)
    first, second = click(identity), click(identity)
    assert "Card 2 of 11" in first
    assert "That card is closed" in second
    position = core.services.lesson_progress.position(lid, MODULE)
    assert position is not None
    assert position.card == 1


def test_back_and_skip_when_mastery_was_shown(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say(f"/learn study {MODULE}")
    chat.click("Continue")
    assert "Skip this part" not in chat.renderer.labels, "no mastery shown, nothing to skip"
    chat.click("Pause")
    lid = learner_id(chat)
    now = core.services.clock.now()
    core.services.mastery.save_ability(
        lid, Ability("security-awareness", 2.5, 0.3, 0.99, 0.3, 8, now)
    )
    out = chat.say(f"/learn study {MODULE}")
    assert "Card 2 of 11" in out
    assert "You've already shown you know Security awareness" in out
    out = chat.click("Back")
    assert "Card 1 of 11" in out
    assert "Skip this part" not in chat.renderer.labels, "a one-card section: Continue skips it"
    chat.click("Continue")
    out = chat.click("Skip this part")
    assert "Card 4 of 11" in out
    assert "What to do with a suspicious email" in out
    stats = {s.module_id: s for s in core.services.lesson_progress.stats()}
    assert stats[MODULE].skips == 1


def test_without_items_the_lesson_ends_by_marking_the_module_done(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    now = core.services.clock.now()
    for item in core.services.items.bank(["security-awareness"]):
        core.services.items.set_retired(item.id, True, now=now)
    chat = Conversation(core)
    out = chat.say(f"/learn study {MODULE}")
    assert "Card 1 of 7" in out, "no practice and no check without live items"
    out = _read_to_end(core, chat, out)
    assert f"You finished {TITLE}, so it is marked done" in out
    assert chat.renderer.labels[0] == "Next step"
    lid = learner_id(chat)
    done = {p.module_id: p.status for p in core.services.path_records.progress(lid)}
    assert done[MODULE] == "done"
    out = chat.click("Useful")
    assert "Thanks, noted" in out
    position = core.services.lesson_progress.position(lid, MODULE)
    assert position is not None
    assert position.rating == "useful"


def test_a_restricted_module_is_refused_like_an_unknown_one(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    restricted = chat.say("/learn study customer-support/coaching-and-quality")
    unknown = chat.say("/learn study customer-support/no-such-module")
    assert "Coaching" not in restricted
    assert "There is no module 'customer-support/coaching-and-quality' to study" in restricted
    assert " ".join(restricted.replace("coaching-and-quality", "X").split()) == " ".join(
        unknown.replace("no-such-module", "X").split()
    )
    lid = learner_id(chat)
    assert core.services.dialogs.active(lid, "lesson") is None


def test_a_module_retired_mid_lesson_ends_it_clearly(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say(f"/learn study {MODULE}")
    core.services.content.set_retired(MODULE, True)
    out = chat.click("Continue")
    assert "no longer in the library" in out
    lid = learner_id(chat)
    assert core.services.dialogs.active(lid, "lesson") is None


def test_the_admin_report_counts_starts_finishes_and_where_people_stop(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    finisher = Conversation(core, "ana")
    _read_to_end(core, finisher, finisher.say(f"/learn study {MODULE}"))
    leaver = Conversation(core, "bo")
    leaver.say(f"/learn study {MODULE}")
    leaver.click("Continue")
    leaver.click("Pause")
    admin = Conversation(core, "root", role="admin")
    out = " ".join(admin.say("/learn admin lessons").split())
    assert f"{TITLE} ({MODULE}): 2 started, 1 finished; most often left on card 2 (1)" in out
    assert "practice answers, 100% right" in out
    refused = leaver.say("/learn admin lessons")
    assert "for admins only" in refused


def test_with_a_public_url_each_card_links_to_its_section_on_the_module_page(
    sample_db, tmp_path, clock
) -> None:  # type: ignore[no-untyped-def]
    from bot.features.module_page import ModulePages

    home = tmp_path / "paged"
    copy_sample_db(sample_db, home)
    settings = Settings(
        LEARNBOT_HOME=home, LEARNBOT_PUBLIC_URL="https://learn.example", _env_file=None
    )
    core = build_app(settings, clock=clock)
    chat = Conversation(core)
    chat.say(f"/learn study {MODULE}")
    out = chat.click("Continue")
    assert chat.renderer.labels[0] == "Continue"
    assert "Open the full module" in chat.renderer.labels
    url = next(w.strip("<>") for w in out.split() if w.startswith("<https://learn.example/m/"))
    assert url.endswith("#red-flags")
    token = url.split("/m/", 1)[1].split("#", 1)[0]
    view = ModulePages(core.services).open(token, now=core.services.clock.now())
    assert view.title == TITLE
    assert view.progress is not None
    assert "lesson in the chat: at card 2 of 11" in view.progress


def test_every_sample_module_can_be_read_to_its_end_with_ones(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    chat.say("/learn profile set role team-manager")  # the one restricted module is theirs
    modules = [r.meta.id for r in core.services.content.modules()]
    assert len(modules) == 25
    for module_id in modules:
        lesson_cards = core.services.lessons.cards(module_id)
        assert lesson_cards, module_id
        out = chat.say(f"/learn study {module_id}")
        for _ in range(60):
            if "Take the mastery check" in out or "marked done" in out:
                break
            assert "Card " in out or "Correct" in out or "Not quite" in out, out
            out = chat.say("1")
        else:
            raise AssertionError(f"{module_id} never ended")
        lid = learner_id(chat)
        position = core.services.lesson_progress.position(lid, module_id)
        assert position is not None, module_id
        assert position.finished_at is not None, module_id


def test_a_failed_check_points_to_the_lesson_cards_that_cover_the_missed_questions(study) -> None:  # type: ignore[no-untyped-def]
    core = study()
    chat = Conversation(core)
    out = chat.say(f"/learn check security-awareness {MODULE}")
    for _ in range(8):
        if "I don't know" not in chat.renderer.labels:
            break
        out = chat.click("I don't know")
    assert "of its lesson" in out, chat.transcript
    review = next(label for label in chat.renderer.labels if label.startswith("Review card"))
    number = int(review.split()[2])
    opened = chat.click(review)
    assert f"card {number} of 11: the part of the lesson to review" in opened
    assert f"Card {number} of 11" in opened
