"""The Chroma server stopped under a running core (CHROMA_URL set): questions are answered
from lexical (BM25) search with a note saying search runs in a reduced mode, and normally
again once the server is back. A real `chroma run` from the venv and the real model."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.core import messages as msg
from bot.core.clock import SystemClock
from bot.sample import sample_dir
from bot.settings import Settings
from tests.contract.test_vector_store import CHROMA_CLI, _free_port, _wait_for_heartbeat
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow
QUESTION = "/learn ask how many days do I have to file an expense report?"
NOTE = msg.SEARCH_REDUCED[:40]


class ChromaServer:
    """`chroma run` on one port and folder, which can be killed and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(CHROMA_CLI), "run", "--path", str(self.folder), "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_heartbeat(self.url, self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA_CLI.is_file():
        pytest.skip(f"chroma CLI not found at {CHROMA_CLI}")
    server = ChromaServer(tmp_path / "chroma")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def core(tmp_path: Path, chroma: ChromaServer) -> App:
    settings = Settings(LEARNBOT_HOME=tmp_path / "home", CHROMA_URL=chroma.url, _env_file=None)  # type: ignore[call-arg]
    app = build_app(settings, clock=SystemClock())
    assert app.services.library is not None
    app.services.library.get().ingest([sample_dir() / "content"])
    return app


def test_answers_fall_back_to_lexical_search_while_chroma_is_down_and_recover(
    core: App, chroma: ChromaServer
) -> None:
    # Each ask comes from another learner: one learner asking the same question again within a
    # minute is a re-ask, which (rightly) lowers the answer's passage for later questions.
    learners = iter(range(1000))

    def ask() -> str:
        chat = Conversation(core, f"learner{next(learners)}")
        chat.say("/learn profile set role support-agent")
        return chat.say(QUESTION)

    normal = ask()
    assert "[1]" in normal
    assert "expenses" in normal.lower()
    assert NOTE not in normal

    chroma.kill()
    reduced = ask()
    assert NOTE in reduced
    assert "[1]" in reduced, "still answered, lexically"
    assert "expenses" in reduced.lower()
    library = core.services.library
    assert library is not None
    assert library.get().index_status().state == "unreachable"

    chroma.start()  # the same folder and port: the index is back
    again = reduced
    for _ in range(60):  # the server is tried again after a short pause (dense_retry_s)
        again = ask()
        if NOTE not in again:
            break
        time.sleep(1)
    assert NOTE not in again
    assert again.split("[1] Helpful")[0] == normal.split("[1] Helpful")[0]
