"""LEARNBOT_EVENT_LEASE_SECONDS: how long a replica holds a received Slack message or Teams
activity, as `learnbot serve` mounts both platforms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.adapters.server import build_web_app
from bot.adapters.slack.bridge import BridgeOptions
from bot.adapters.slack.server import RUNTIME
from bot.adapters.teams.endpoint import ENDPOINT_KEY
from bot.adapters.teams.turns import TurnOptions
from bot.app import build_app
from bot.settings import Settings
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT


def settings(home: Path, **extra: str) -> Settings:
    values = {
        "LEARNBOT_HOME": str(home),
        "SLACK_SIGNING_SECRET": "lease-test-secret",
        "SLACK_BOT_TOKEN": "xoxb-lease-test",
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TENANT_ID": TENANT,
    }
    return Settings(**(values | extra), _env_file=None)  # type: ignore[arg-type]


def leases(home: Path, **extra: str) -> tuple[timedelta, timedelta]:
    core = build_app(settings(home, **extra))
    try:
        web_app = build_web_app(core)
        return web_app[RUNTIME].bridge.options.event_lease, web_app[
            ENDPOINT_KEY
        ].turns.options.lease
    finally:
        core.services.engine.dispose()


def test_both_platforms_hold_received_events_for_the_configured_lease(tmp_path: Path) -> None:
    assert leases(tmp_path, LEARNBOT_EVENT_LEASE_SECONDS="15") == (timedelta(seconds=15),) * 2


def test_the_default_lease_is_the_adapters_own_minute(tmp_path: Path) -> None:
    assert leases(tmp_path) == (BridgeOptions().event_lease, TurnOptions().lease)
    assert TurnOptions().lease == timedelta(seconds=60)


@pytest.mark.parametrize("value", ["4", "0", "-1", "3601", "soon"])
def test_a_lease_out_of_range_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValidationError, match="LEARNBOT_EVENT_LEASE_SECONDS"):
        settings(tmp_path, LEARNBOT_EVENT_LEASE_SECONDS=value)
