"""User references as the command line accepts them."""

from __future__ import annotations

import pytest

from bot.core.errors import UserError
from bot.core.events import Identity


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("ana", Identity("terminal", "local", "ana")),
        ("slack:T123:U456", Identity("slack", "T123", "U456")),
        ("teams:tenant-1:29:1abc", Identity("teams", "tenant-1", "29:1abc")),
        ("teams:tenant-1:aad-user", Identity("teams", "tenant-1", "aad-user")),
    ],
)
def test_parse(ref: str, expected: Identity | None) -> None:
    if expected is None:
        with pytest.raises(UserError):
            Identity.parse(ref)
    else:
        assert Identity.parse(ref) == expected
        assert Identity.parse(expected.key) == expected or expected.platform == "terminal"


@pytest.mark.parametrize("ref", ["", "  ", "discord:G:U", "slack:T1", "slack::U1"])
def test_bad_references_name_the_accepted_forms(ref: str) -> None:
    with pytest.raises(UserError, match=r"slack:TEAM:USER|empty"):
        Identity.parse(ref)
