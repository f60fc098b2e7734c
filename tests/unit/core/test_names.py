"""Naming a competency or module: id, title, or an unambiguous prefix, longest-first."""

from __future__ import annotations

from bot.core.names import Named, match_leading, match_name

COMPS = [
    Named("sql", "SQL basics"),
    Named("security", "Security awareness"),
    Named("security-advanced", "Security awareness for admins"),
    Named("support", "Customer support"),
]


def ids(found: tuple[Named, ...]) -> list[str]:
    return [n.id for n in found]


def test_ids_titles_and_prefixes_in_any_case_and_spacing() -> None:
    assert ids(match_name("sql", COMPS)) == ["sql"]
    assert ids(match_name("  SQL   Basics ", COMPS)) == ["sql"]
    assert ids(match_name("customer", COMPS)) == ["support"]
    assert ids(match_name("sq", COMPS)) == ["sql"]


def test_an_exact_title_beats_the_longer_titles_it_starts() -> None:
    assert ids(match_name("security awareness", COMPS)) == ["security"]
    assert ids(match_name("SECURITY", COMPS)) == ["security"], "an exact id"


def test_a_prefix_of_several_is_ambiguous_and_nothing_is_nothing() -> None:
    assert ids(match_name("security aw", COMPS)) == ["security", "security-advanced"]
    assert ids(match_name("s", COMPS)) == ["sql", "security", "security-advanced", "support"]
    assert match_name("marketing", COMPS) == ()
    assert match_name("   ", COMPS) == ()


def test_leading_words_are_matched_longest_first() -> None:
    found = match_leading(["Security", "awareness", "for", "admins", "phishing"], COMPS)
    assert (found.one, found.rest) == (COMPS[2], ("phishing",))
    found = match_leading(["Security", "awareness", "security/phishing"], COMPS)
    assert (found.one, found.rest) == (COMPS[1], ("security/phishing",))
    found = match_leading(["sql"], COMPS)
    assert (found.one, found.rest) == (COMPS[0], ())


def test_leading_words_that_stay_ambiguous_report_the_candidates() -> None:
    found = match_leading(["secu", "drill"], COMPS)
    assert found.one is None
    assert ids(found.found) == ["security", "security-advanced"]
    assert match_leading(["nothing", "here"], COMPS).found == ()
