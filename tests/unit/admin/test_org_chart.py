"""Org chart validation: every bad file is refused with its line, and nothing is imported."""

from __future__ import annotations

import pytest

from bot.features.org import OrgError, parse_org_csv

HEADER = "email,manager_email,department,location,role\n"
GOOD = (
    HEADER
    + "ceo@example.com,,Board,Berlin,executive\n"
    + "mia@example.com,ceo@example.com,Support,Berlin,manager\n"
    + "ana@example.com,mia@example.com,Support,Lisbon,support-agent\n"
)


def test_a_good_chart_parses_with_lowercased_emails() -> None:
    entries = parse_org_csv(GOOD.replace("ana@", "Ana@").encode())
    assert [e.email for e in entries] == ["ceo@example.com", "mia@example.com", "ana@example.com"]
    assert entries[2].manager_email == "mia@example.com"
    assert entries[2].attributes == {
        "department": "Support",
        "location": "Lisbon",
        "role": "support-agent",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email,manager_email,department\na@x.io,,D\n", "missing the column(s) location, role"),
        (
            GOOD + "mia@example.com,ceo@example.com,Sales,Rome,manager\n",
            "Line 5: mia@example.com is already listed on line 3",
        ),
        (
            GOOD + "bo@example.com,nobody@example.com,Sales,Rome,agent\n",
            "Line 5: the manager nobody@example.com",
        ),
        (
            HEADER
            + "a@example.com,c@example.com,D,L,R\n"
            + "b@example.com,a@example.com,D,L,R\n"
            + "c@example.com,b@example.com,D,L,R\n",
            "reporting loop a@example.com -> c@example.com -> b@example.com -> a@example.com",
        ),
        (
            HEADER + "a@example.com,a@example.com,D,L,R\n",
            "Line 2: reporting loop a@example.com -> a@example.com",
        ),
        (HEADER + "not-an-email,,D,L,R\n", "Line 2: 'not-an-email' is not an email"),
        (HEADER, "no people"),
        ("\xff\xfe".encode("latin-1").decode("latin-1"), "missing the column"),
    ],
)
def test_bad_charts_are_refused_naming_the_problem(text: str, expected: str) -> None:
    with pytest.raises(OrgError) as err:
        parse_org_csv(text.encode())
    assert expected in str(err.value)
    assert "nothing was imported" in str(err.value)


def test_non_utf8_is_refused() -> None:
    with pytest.raises(OrgError, match="not UTF-8"):
        parse_org_csv(b"\xff\xfe\x00e")
