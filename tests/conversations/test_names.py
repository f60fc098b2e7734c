"""Commands name competencies and modules by id, title or a title's prefix."""

from __future__ import annotations

import pytest

from tests.conversations.quiz_helpers import learner_id, load_quiz_fixtures
from tests.conversations.transcript import Conversation
from tests.path_library import FakeMastery, load_library


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "named", ["security", "Security awareness", "SECURITY AWARENESS", "security aw", "Secu"]
)
def test_check_takes_an_id_a_title_or_a_prefix(core, named: str) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    assert "A short check on Security awareness" in chat.say(f"/learn check {named}")


def test_a_multi_word_title_then_a_module(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    out = chat.say("/learn check Security awareness security/phishing")
    assert "A short check on Security awareness" in out
    record = core.services.dialogs.active(learner_id(chat), "check")
    assert record is not None
    assert record.state["module"] == "security/phishing"


def test_an_ambiguous_name_lists_the_candidates(core) -> None:
    load_quiz_fixtures(core)
    chat = Conversation(core)
    out = flat(chat.say("/learn check s"))
    assert "'s' could be more than one competency" in out
    assert "sql (SQL basics)" in out.replace("`", "")
    assert "security (Security awareness)" in out.replace("`", "")
    assert core.services.dialogs.active(learner_id(chat), "check") is None
    unknown = flat(chat.say("/learn quiz marketing"))
    assert "marketing" in unknown
    assert "sql" in unknown


@pytest.fixture
def path_chat(make_core):  # type: ignore[no-untyped-def]
    core = make_core(
        learner_mastery=FakeMastery({"workplace-basics": 0.93, "security-awareness": 0.35})
    )
    load_library(core)
    chat = Conversation(core)
    chat.say("/learn profile set role support-agent")
    return chat


def test_done_why_and_skip_take_title_prefixes(path_chat: Conversation) -> None:
    why = flat(path_chat.say("/learn path why passwords and"))
    assert "WHY PASSWORDS AND MFA" in why
    assert "Marked Protecting privacy done." in path_chat.say("/learn done protecting priv")
    ambiguous = flat(path_chat.say("/learn done security/p")).replace("`", "")
    assert "'security/p' could be more than one module" in ambiguous
    assert "security/passwords-and-mfa (Passwords and MFA)" in ambiguous
    assert "security/phishing (Spotting phishing)" in ambiguous
    unknown = flat(path_chat.say("/learn done no such thing"))
    assert "There is no module 'no such thing'" in unknown


def test_team_takes_a_competency_title_prefix(core) -> None:
    from bot.features.team.service import resolve_competency
    from bot.sample.loader import load_framework

    load_framework(core)
    assert resolve_competency(core.services, "security aw", known=()) == "security-awareness"
    assert resolve_competency(core.services, "Customer Support", known=()) == "customer-support"
