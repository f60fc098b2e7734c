"""Teams settings: what each app type needs, as `mount` and `learnbot doctor` report it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.teams.config import missing_settings, problems
from bot.cli.doctor import check_teams
from bot.settings import Settings
from tests.adapters.teams.conftest import teams_settings


def test_complete_single_tenant_settings_pass(tmp_path: Path) -> None:
    settings = teams_settings(tmp_path)
    assert problems(settings) == []
    check = check_teams(settings)
    assert check.status == "ok"
    assert "local-test-password" not in check.detail


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ({"MICROSOFT_APP_TENANT_ID": None}, ["MICROSOFT_APP_TENANT_ID"]),
        ({"MICROSOFT_APP_PASSWORD": None}, ["MICROSOFT_APP_PASSWORD"]),
        ({"MICROSOFT_APP_TYPE": "MultiTenant", "MICROSOFT_APP_TENANT_ID": None}, []),
        ({"MICROSOFT_APP_TYPE": "userassignedmsi", "MICROSOFT_APP_PASSWORD": None}, []),
        (
            {"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_TENANT_ID": None},
            ["MICROSOFT_APP_TENANT_ID"],
        ),
    ],
)
def test_each_app_type_asks_for_what_it_needs(
    tmp_path: Path, extra: dict[str, object], missing: list[str]
) -> None:
    settings = teams_settings(tmp_path, **extra)
    assert missing_settings(settings) == missing
    check = check_teams(settings)
    assert check.status == ("fail" if missing else "ok")
    for name in missing:
        assert name in check.detail
        assert name in check.fix


def test_an_unknown_app_type_is_named(tmp_path: Path) -> None:
    check = check_teams(teams_settings(tmp_path, MICROSOFT_APP_TYPE="Sometimes"))
    assert check.status == "fail"
    assert "'Sometimes' is not one of" in check.detail


def test_teams_is_optional(tmp_path: Path) -> None:
    settings = Settings(LEARNBOT_HOME=tmp_path, _env_file=None)
    assert problems(settings) == []
    assert check_teams(settings).status == "warn"
