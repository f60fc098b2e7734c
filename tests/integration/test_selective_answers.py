"""Selective answering on the sample library: its questions answered, the rest refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sample import sample_dir
from retrieval.evaluation import normalise_source
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow


@pytest.fixture
def library(library_core, sample_content: Path):  # type: ignore[no-untyped-def]
    lib = library_core.services.library.get()
    lib.ingest([sample_content])
    return lib


def test_every_unanswerable_question_is_refused(library) -> None:  # type: ignore[no-untyped-def]
    questions = (sample_dir() / "unanswerable.txt").read_text().splitlines()
    assert len(questions) == 6
    for question in questions:
        result = library.ask(question, roles=None)
        assert not result.confident, question
        assert result.answer == ""
        assert len(result.related) <= 3


def test_the_sample_questions_stay_mostly_answered_and_cite_their_module(library) -> None:  # type: ignore[no-untyped-def]
    rows = [
        json.loads(line) for line in (sample_dir() / "questions.jsonl").read_text().splitlines()
    ]
    answered = citing_gold = 0
    for row in rows:
        result = library.ask(row["question"], roles=None)
        if result.confident:
            answered += 1
            gold = {normalise_source(g) for g in row["gold"]}
            citing_gold += any(normalise_source(s.source) in gold for s in result.sources)
    assert answered >= 0.7 * len(rows), answered
    assert citing_gold >= 0.8 * answered, (citing_gold, answered)


def test_an_unsure_answer_says_so_and_offers_related_modules(library_core, library) -> None:  # type: ignore[no-untyped-def]
    chat = Conversation(library_core)
    if "Not now" in chat.say("hi"):
        chat.click("Not now")
    reply = " ".join(chat.say("/learn ask When is the company holiday party this year?").split())
    assert "not sure" in reply
    assert "These may help:" in reply
    assert reply.count("• ") <= 3
    assert "Helpful" not in reply, "no feedback buttons: nothing was answered"
