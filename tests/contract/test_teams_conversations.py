"""Stored Teams conversation references behave the same on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.conversations import ConversationRef, ConversationRepository
from bot.storage.db import make_engine, migrate

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def personal(
    conversation: str = "a:1",
    user: str = "29:u1",
    aad: str = "aad-1",
    url: str = "https://smba.trafficmanager.net/emea/",
) -> ConversationRef:
    reference = {"conversation": {"id": conversation}, "serviceUrl": url, "user": {"id": user}}
    return ConversationRef(conversation, TENANT, "personal", url, reference, user, aad)


@pytest.fixture
def repo(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield ConversationRepository(engine)
    engine.dispose()


def test_a_reference_is_stored_once_and_refreshed_when_it_changes(
    repo: ConversationRepository,
) -> None:
    assert repo.remember(personal(), now=NOW) is True
    assert repo.remember(personal(), now=NOW + timedelta(minutes=1)) is False, "unchanged: no write"
    moved = personal(url="https://smba.trafficmanager.net/amer/")
    assert repo.remember(moved, now=NOW + timedelta(minutes=2)) is True
    assert repo.get("a:1") == moved
    assert repo.count() == 1


def test_a_personal_chat_is_found_by_either_user_id(repo: ConversationRepository) -> None:
    repo.remember(personal(), now=NOW)
    assert repo.personal(TENANT, "29:u1") == repo.personal(TENANT, "aad-1") == personal()
    assert repo.personal("another-tenant", "aad-1") is None
    assert repo.personal(TENANT, "aad-2") is None


def test_a_dead_reference_stays_dead_until_the_user_comes_back(
    repo: ConversationRepository,
) -> None:
    repo.remember(personal(), now=NOW)
    assert repo.mark_dead("a:1", reason="Teams answered 403", now=NOW) is True
    assert repo.mark_dead("a:unknown", reason="x", now=NOW) is False
    found = repo.get("a:1")
    assert found is not None
    assert found.dead
    assert repo.count(alive_only=True) == 0
    assert repo.remember(personal(), now=NOW + timedelta(days=1)) is True, "revived"
    assert repo.get("a:1").dead is False  # type: ignore[union-attr]


def test_the_live_chat_is_preferred_over_a_dead_one(repo: ConversationRepository) -> None:
    repo.remember(personal("a:old"), now=NOW)
    repo.mark_dead("a:old", reason="uninstalled", now=NOW + timedelta(hours=1))
    repo.remember(personal("a:new"), now=NOW)
    found = repo.personal(TENANT, "aad-1")
    assert found is not None
    assert found.conversation_id == "a:new"


def test_channels_are_stored_without_a_user(repo: ConversationRepository) -> None:
    url = "https://smba.trafficmanager.net/emea/"
    channel = ConversationRef(
        "19:general@thread.skype", TENANT, "channel", url, {"serviceUrl": url}
    )
    repo.remember(channel, now=NOW)
    assert repo.get("19:general@thread.skype") == channel
    with pytest.raises(ValueError, match="kind"):
        repo.remember(ConversationRef("x", TENANT, "meeting", url, {}), now=NOW)
