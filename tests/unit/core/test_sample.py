"""The sample library loads into a fresh installation and shapes onboarding."""

from __future__ import annotations

from bot.sample.loader import load_sample
from tests.conversations.transcript import Conversation


def test_init_sample_loads_the_framework_and_onboarding_offers_its_roles(core) -> None:
    lines = load_sample(core)
    assert lines[0].startswith("Sample framework: 5 competencies, 3 roles")
    assert lines[1] == "Sample quiz bank: 61 items"
    assert lines[2].startswith("Sample library: 25 modules ingested, 0 unchanged")
    framework = core.services.framework.get()
    assert {r.id for r in framework.roles} == {"support-agent", "store-associate", "team-manager"}
    chat = Conversation(core)
    chat.say("hi")
    assert "Support agent" in chat.click("Let's start")


def test_loading_the_sample_twice_is_harmless(core) -> None:
    load_sample(core)
    again = load_sample(core)
    assert len(core.services.framework.get().competencies) == 5
    assert again[2].startswith("Sample library: 0 modules ingested, 25 unchanged")
