"""Just-in-time matching of calendar events to library modules, on a real handbook."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nudges.matching import Catalogue, ModuleInfo, tokens


@pytest.fixture(scope="module")
def handbook(shared_data: Path) -> Catalogue:
    """The 18F handbook's pages as modules: front-matter title and keywords as tags."""
    root = shared_data / "handbook-18f" / "corpus" / "pages"
    modules = []
    for page in sorted(root.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        front = yaml.safe_load(text.split("---", 2)[1]) or {}
        title = str(front.get("title") or "").strip()
        keywords = front.get("keywords") or ""
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        tags = tuple(str(k).strip() for k in keywords if str(k).strip())
        if title:
            modules.append(ModuleInfo(str(page.relative_to(root)), title, 5, tags))
    assert len(modules) > 200
    return Catalogue.build(modules)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("Book travel for the Denver conference", "conference"),
        ("Onboarding new hire: Alex", "onboarding"),
        ("Security clearance interview", "clearance"),
        ("Feedback conversation with Sam", "feedback"),
    ],
)
def test_events_find_the_module_that_prepares_for_them(
    handbook: Catalogue, event: str, expected: str
) -> None:
    found = handbook.match(event)
    assert found is not None
    assert expected in found.module.title.lower()
    assert expected in found.words


@pytest.mark.parametrize("event", ["Lunch", "Standup", "Weekly team sync", "1:1 with manager", ""])
def test_everyday_events_match_nothing(handbook: Catalogue, event: str) -> None:
    assert handbook.match(event) is None


def test_a_description_alone_is_not_enough() -> None:
    catalogue = Catalogue.build([ModuleInfo("sec", "Security basics", tags=("phishing",))])
    assert catalogue.match("Quarterly call", "we will talk about phishing") is None
    assert catalogue.match("Phishing drill", "") is not None


def test_tokens_drop_stopwords_and_fold_plurals() -> None:
    assert tokens("The weekly Policies and reviews meeting") == {"policy", "review"}
