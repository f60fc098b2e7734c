"""`learnbot lesson show` on a real SQLite file with the sample library loaded."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.groups import register
from bot.sample import sample_dir

pytestmark = pytest.mark.slow
register(app)
MODULE = "workplace-basics/first-week"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data folder for the module: `learnbot init --sample` run once."""
    folder = tmp_path_factory.mktemp("lesson-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEARNBOT_HOME", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        patch.delenv("CHROMA_URL", raising=False)
        result = CliRunner().invoke(app, ["init", "--sample"])
        assert result.exit_code == 0, result.output
        yield folder


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["lesson", "show", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_follows_the_contract(home: Path) -> None:
    code, out, _ = _show(MODULE, "--json")
    assert code == 0
    lesson = json.loads(out)
    assert set(lesson) == {"module_id", "title", "cards", "minutes"}
    assert lesson["module_id"] == MODULE
    assert isinstance(lesson["minutes"], int)
    cards = lesson["cards"]
    assert [c["n"] for c in cards] == list(range(1, len(cards) + 1))
    for card in cards:
        assert card["kind"] in {"text", "practice", "media", "check"}
        assert card["chars"] == len(card["text"])
        expected = {"n", "kind", "text", "chars"} | (
            {"item_id"} if card["kind"] == "practice" else set()
        )
        assert set(card) == expected
    assert cards[0]["kind"] == "text"
    assert cards[-1]["kind"] == "check"
    practice = [c for c in cards if c["kind"] == "practice"]
    assert practice, "the sample bank has items for this module"
    assert len({c["item_id"] for c in practice}) == len(practice)
    for before, card in itertools.pairwise(cards):
        if card["kind"] == "practice":
            assert before["kind"] == "text", "a practice item follows the card it is about"
    probation = next(i for i, c in enumerate(cards) if c.get("item_id") == "wb-first-01")
    assert "probation" in cards[probation - 1]["text"]


def test_the_same_lesson_by_id_title_and_source_path(home: Path) -> None:
    by_id = _show(MODULE, "--json")[1]
    title = json.loads(by_id)["title"]
    assert _show(title.upper(), "--json")[1] == by_id
    assert _show("workplace-basics/first-week.md", "--json")[1] == by_id
    path = str(sample_dir() / "content" / "workplace-basics" / "first-week.md")
    assert _show(path, "--json")[1] == by_id


def test_text_shows_card_n_of_m(home: Path) -> None:
    code, out, _ = _show(MODULE)
    total = len(json.loads(_show(MODULE, "--json")[1])["cards"])
    assert code == 0
    assert f"card 1 of {total}" in out
    assert f"card {total} of {total} · check" in out


def test_an_unknown_module_fails_clearly(home: Path) -> None:
    code, _, err = _show("no-such-module")
    assert code == 1
    assert "no module 'no-such-module'" in err


def test_a_module_ingested_before_lessons_gets_cards_at_the_next_ingest(home: Path) -> None:
    from bot.cli import open_app
    from bot.storage.tables import lesson_cards

    services = open_app().services
    with services.engine.begin() as conn:
        conn.execute(delete(lesson_cards).where(lesson_cards.c.module_id == "security/phishing"))
    code, _, err = _show("security/phishing")
    assert code == 1
    assert "learnbot ingest" in err
    again = CliRunner().invoke(app, ["ingest", str(sample_dir() / "content"), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["ingested"] == 0, "unchanged files are not embedded again"
    code, out, _ = _show("security/phishing", "--json")
    assert code == 0
    assert json.loads(out)["cards"][0]["kind"] == "text"
