"""Mastery gating of `/learn done`: the check completes a module, "done without check" shows.

A module whose competency has questions in the item bank is completed by passing its check;
"Done without check" records it as unverified, visible everywhere progress is shown. Modules
whose audience excludes the learner are answered exactly like unknown ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import paths as path_commands
from bot.core.replies import Attachment
from bot.features.quiz.bank import import_bank_file
from bot.features.xapi import statements
from bot.handlers.path_steps import CHECK_ACTION, DONE_ACTION, UNVERIFIED_ACTION
from bot.storage.content import ContentRepository
from bot.storage.paths import PathRepository
from bot.storage.xapi import XapiRepository
from content_index.model import ModuleMeta
from learning.framework import parse_framework
from tests.conversations.admin_helpers import click, text_of
from tests.conversations.quiz_helpers import FIXTURES, Recorder, answer, learner_id
from tests.conversations.transcript import Conversation
from tests.path_library import INGESTED

FRAMEWORK = {
    "competencies": [
        {"id": "sql", "title": "SQL basics", "cut_score": 0.0},
        {"id": "security", "title": "Security awareness", "cut_score": 0.3},
        {"id": "writing", "title": "Clear writing"},
    ],
    "roles": [
        {
            "id": "analyst",
            "title": "Data analyst",
            "targets": [
                {"competency": "sql", "level": "intermediate"},
                {"competency": "writing", "level": "foundation"},
            ],
        },
        {"id": "exec", "title": "Executive", "targets": [{"competency": "sql"}]},
    ],
}
# id, title, competencies, audience
MODULES = (
    ("sql/filtering", "Filtering rows", ("sql",), ()),
    ("sql/grouping", "Grouping rows", ("sql",), ()),
    ("writing/notes", "Meeting notes", ("writing",), ()),
    ("exec/merger-plan", "Merger plan Falcon", ("sql",), ("exec",)),
)
UNKNOWN = "There is no module '{module}' in the library."


@pytest.fixture
def core(make_core):  # type: ignore[no-untyped-def]
    core = make_core()
    core.services.framework.replace(parse_framework(FRAMEWORK))
    report = import_bank_file(core.services, FIXTURES / "bank.yaml")
    assert report.imported == 10, report
    assert not report.errors, report
    content = ContentRepository(core.services.engine)
    for mid, title, comps, audience in MODULES:
        meta = ModuleMeta(
            id=mid,
            title=title,
            competencies=comps,
            audience=audience,
            source=f"{mid}.md",
            summary=f"What {title.lower()} covers.",
            url=f"https://learn.example/{mid}",
        )
        content.save(meta, content_hash=mid, new_chunks=[], now=INGESTED)
    return core


@pytest.fixture
def chat(core):  # type: ignore[no-untyped-def]
    conversation = Conversation(core)
    conversation.say("/learn profile set role analyst")
    return conversation


def flat(text: str) -> str:
    return " ".join(text.split())


def progress(chat: Conversation) -> dict[str, str]:
    repo = PathRepository(chat.core.services.engine)
    return {p.module_id: p.status for p in repo.progress(learner_id(chat))}


def verbs(chat: Conversation) -> list[tuple[str, str]]:
    rows = chat.core.services.activity.for_learner(learner_id(chat))
    return [(r["verb"], r["object_id"]) for r in rows]


def test_done_on_a_module_with_a_check_offers_the_check_and_marks_nothing(chat) -> None:
    out = flat(chat.say("/learn done sql/filtering"))
    assert "Filtering rows is completed by passing its mastery check." in out.replace("*", "")
    assert "Take the mastery check" in out
    assert "Done without check" in out
    assert "Marked" not in out
    assert "done" not in progress(chat).values()
    assert ("module.done", "sql/filtering") not in verbs(chat)
    started = chat.click("Take the mastery check")
    assert "A short check on SQL basics" in started


def test_done_without_check_shows_as_unverified_everywhere(chat, monkeypatch) -> None:
    chat.say("/learn done Filtering rows")
    out = flat(chat.click("Done without check"))
    assert "done, not verified: pass its mastery check to verify it." in out
    assert progress(chat) == {"sql/filtering": "unverified"}
    path = flat(chat.say("/learn path all"))
    assert "done, not verified" in path
    assert "without its mastery check (not verified)" in path
    shown = flat(chat.say("/learn progress"))
    assert "Done, not verified (mastery check not passed): Filtering rows." in shown
    monkeypatch.setenv("LEARNBOT_HOME", str(chat.core.services.settings.home))
    cli = typer.Typer()
    path_commands.register(cli)
    result = CliRunner().invoke(cli, ["path", "show", "--user", "ana", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["module_id"]: r["status"] for r in json.loads(result.stdout)}
    assert rows["sql/filtering"] == "unverified"
    manager = Conversation(chat.core, "boss", role="admin")
    recorder = Recorder(manager)
    assert "Modules done, not verified: 1" in flat(manager.say("/learn team all --csv"))
    [csv] = [b for r in recorder.replies for b in r.blocks if isinstance(b, Attachment)]
    header, row = csv.data.decode().strip().splitlines()
    assert header.split(",")[:9] == [
        "name",
        "email",
        "department",
        "completion",
        "done",
        "todo",
        "overdue",
        "risks",
        "unverified",
    ]
    assert row.split(",")[8] == "sql/filtering"
    [statement] = [s for s in _statements(chat) if s["object"]["id"].endswith("sql/filtering")]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert "success" not in statement["result"]
    assert statement["result"]["completion"] is True
    assert statement["result"]["extensions"] == {
        "https://learnbot.example/xapi/extensions/unverified": True
    }


def _statements(chat: Conversation) -> list[dict[str, Any]]:
    services = chat.core.services
    found = statements(XapiRepository(services.engine), services.settings)
    return [s for _, s in found if s["verb"]["display"]["en-US"].startswith("module.")]


def test_passing_the_check_marks_the_module_done_and_replans(chat) -> None:
    chat.say("/learn done sql/filtering")
    chat.click("Done without check")
    chat.say("/learn done sql/filtering")
    out = chat.click("Take the mastery check")
    for _ in range(6):
        out = answer(chat, correct=True, kind="check")
        if "Check passed" in out:
            break
    assert "Check passed: SQL basics is likely mastered" in flat(out).replace("*", "")
    assert "Filtering rows is marked done." in flat(out).replace("*", "")
    assert progress(chat)["sql/filtering"] == "done"
    assert ("module.done", "sql/filtering") in verbs(chat)
    path = flat(chat.say("/learn path all"))
    assert "not verified" not in path
    assert "Completed on" in path
    again = flat(chat.say("/learn done sql/filtering"))
    assert "was already marked done" in again


def test_done_on_a_module_without_questions_marks_it_done(chat) -> None:
    out = flat(chat.say("/learn done writing/notes")).replace("*", "")
    assert "Marked Meeting notes done." in out
    assert "mastery check" not in out
    assert progress(chat) == {"writing/notes": "done"}
    assert ("module.done", "writing/notes") in verbs(chat)


def test_a_module_outside_the_audience_is_refused_like_an_unknown_one(chat) -> None:
    unknown = flat(chat.say("/learn done exec/no-such-module"))
    assert UNKNOWN.format(module="exec/no-such-module") in unknown
    for command in ("/learn done", "/learn skip"):
        out = flat(chat.say(f"{command} exec/merger-plan"))
        assert out == unknown.replace("exec/no-such-module", "exec/merger-plan")
        assert "Falcon" not in out
    check = flat(chat.say("/learn check sql exec/merger-plan"))
    assert "There is no module 'exec/merger-plan' for that competency." in check
    assert "merger" not in check.replace("'exec/merger-plan'", "")
    assert "Falcon" not in check
    assert progress(chat) == {}
    assert not [v for v in verbs(chat) if v[1] == "exec/merger-plan"]
    assert chat.core.services.dialogs.active(learner_id(chat), "check") is None


@pytest.mark.parametrize("action", [DONE_ACTION, CHECK_ACTION, UNVERIFIED_ACTION])
def test_path_step_buttons_refuse_a_module_outside_the_audience(chat, action: str) -> None:
    identity = chat.session.chat.identity
    said = flat(text_of(click(chat.core, identity, action, "exec/merger-plan")))
    assert UNKNOWN.format(module="exec/merger-plan") in said
    assert "Falcon" not in said
    assert progress(chat) == {}
    assert chat.core.services.dialogs.active(learner_id(chat), "check") is None


def test_a_learner_in_the_audience_is_offered_its_check(core) -> None:
    chat = Conversation(core, "exe")
    chat.say("/learn profile set role exec")
    out = flat(chat.say("/learn done exec/merger-plan")).replace("*", "")
    assert "Merger plan Falcon is completed by passing its mastery check." in out


def test_next_on_an_unverified_module_due_for_review_keeps_the_mark(chat) -> None:
    from datetime import timedelta

    from nudges.reviews import record_review

    chat.say("/learn done Filtering rows")
    chat.click("Done without check")
    services, lid = chat.core.services, learner_id(chat)
    item = next(i for i in services.items.bank(["sql"]) if i.module_id == "sql/filtering")
    now = services.clock.now()
    record_review(
        services, lid, item.id, False, now=now - timedelta(days=3), module_id="sql/filtering"
    )
    out = flat(chat.say("/learn next"))
    assert "FILTERING ROWS" in out, out
    assert progress(chat) == {"sql/filtering": "unverified"}, "restarting is not verifying"
    from bot.features.paths.service import path_service

    state = path_service(services).plan(lid, now=now).state
    assert "sql/filtering" in state.unverified
