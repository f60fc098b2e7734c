"""xAPI: statements from the activity log, the export command, and forwarding to a local LRS."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from bot.app import build_app
from bot.core.events import Identity, UserInfo
from bot.features.data_rights import pseudonym
from bot.features.xapi import SETTLE, Forwarder, LrsError, statements
from bot.settings import Settings
from tests.integration.local_http import serve

VERBS = ("asked", "module.done", "mastered", "check_failed", "exempted", "escalated", "nudged")


def _events(core) -> str:  # type: ignore[no-untyped-def]
    services, now = core.services, core.services.clock.now()
    learner = services.learners.resolve(
        Identity("slack", "T1", "UANA"), UserInfo(email="ana@example.com"), now=now
    )
    for n, verb in enumerate(VERBS):
        services.activity.record(
            learner.id,
            verb,
            object_id="security/phishing" if verb == "module.done" else f"d{n}",
            detail={"competency": "security-awareness"} if verb == "exempted" else {},
            now=now - timedelta(days=len(VERBS) - n),
        )
    return learner.id


def test_statements_have_pseudonymous_actors_adl_verbs_and_activity_ids(core) -> None:
    learner_id = _events(core)
    found = [s for _, s in statements(core.services.xapi, core.settings)]
    assert len(found) == len(VERBS)
    base = core.settings.xapi_base_iri
    by_verb = {s["verb"]["display"]["en-US"]: s for s in found}
    assert by_verb["module.done"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert by_verb["module.done"]["object"]["id"] == f"{base}/modules/security/phishing"
    assert by_verb["mastered"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/mastered"
    assert by_verb["mastered"]["result"] == {"success": True}
    assert by_verb["exempted"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/waived"
    assert by_verb["exempted"]["object"]["id"] == f"{base}/competencies/security-awareness"
    assert by_verb["nudged"]["verb"]["id"] == f"{base}/verbs/nudged"
    for stmt in found:
        assert stmt["actor"]["account"] == {
            "homePage": base,
            "name": pseudonym(core.settings, learner_id),
        }
        assert learner_id not in json.dumps(stmt)
        assert "ana@example.com" not in json.dumps(stmt)
    assert len({s["id"] for s in found}) == len(found)


def test_export_command_writes_json_lines_since_a_date(tmp_path, clock) -> None:
    home = tmp_path / "home"
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=clock)
    _events(core)
    env = {**os.environ, "LEARNBOT_HOME": str(home)}
    since = (clock.now() - timedelta(days=3)).date().isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "xapi", "--since", since],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [s["verb"]["display"]["en-US"] for s in lines] == list(VERBS[-3:])
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "xapi", "--since", "soon"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert "not a date" in bad.stderr


class FakeLrs:
    """Validates statement structure like an LRS; can be switched down."""

    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        self.down = False
        self.auth: list[str] = []

    async def statements(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        if request.headers.get("X-Experience-API-Version") != "1.0.3":
            return web.Response(status=400, text="missing version header")
        self.auth.append(request.headers.get("Authorization", ""))
        batch = await request.json()
        for stmt in batch:
            if not {"actor", "verb", "object"} <= set(stmt) or "id" not in stmt["verb"]:
                return web.Response(status=400, text="actor, verb and object are required")
            if "account" not in stmt["actor"] or "id" not in stmt["object"]:
                return web.Response(status=400, text="bad actor or object")
        for stmt in batch:
            self.stored[stmt["id"]] = stmt
        return web.json_response([s["id"] for s in batch])


@pytest.fixture
def lrs():  # type: ignore[no-untyped-def]
    fake = FakeLrs()
    app = web.Application()
    app.router.add_post("/xapi/statements", fake.statements)
    with serve(app) as url:
        yield fake, f"{url}/xapi"


def test_forwarding_loses_nothing_while_the_lrs_is_down(lrs, tmp_path, clock) -> None:
    fake, url = lrs
    settings = Settings(
        LEARNBOT_HOME=tmp_path / "h",
        LRS_URL=url,
        LRS_USERNAME="lb",
        LRS_PASSWORD="s3cret",
        _env_file=None,
    )
    core = build_app(settings, clock=clock)
    _events(core)
    forwarder = Forwarder(core.services.xapi, settings, timeout=5)
    fake.down = True
    with pytest.raises(LrsError) as err:
        forwarder.forward(now=clock.now() + SETTLE, retries=2, backoff=0.01)
    assert err.value.retryable
    assert "s3cret" not in str(err.value)
    assert forwarder.pending() == len(VERBS)
    fake.down = False
    assert forwarder.forward(now=clock.now() + SETTLE, backoff=0.01) == len(VERBS)
    assert len(fake.stored) == len(VERBS)
    assert forwarder.pending() == 0
    assert fake.auth[0] == "Basic " + base64.b64encode(b"lb:s3cret").decode()
    # New events later are sent once; nothing already accepted is resent.
    learner = core.services.learners.find(Identity("slack", "T1", "UANA"))
    core.services.activity.record(learner.id, "asked", now=clock.now())
    assert forwarder.forward(now=clock.now()) == 0, "a row is sent once it has settled"
    assert forwarder.forward(now=clock.now() + SETTLE) == 1
    assert len(fake.stored) == len(VERBS) + 1


def test_an_unreachable_lrs_is_retryable(tmp_path, clock) -> None:
    settings = Settings(LEARNBOT_HOME=tmp_path / "h", LRS_URL="http://127.0.0.1:9", _env_file=None)
    core = build_app(settings, clock=clock)
    _events(core)
    forwarder = Forwarder(core.services.xapi, settings, timeout=2)
    with pytest.raises(LrsError, match="unreachable"):
        forwarder.forward(now=clock.now() + SETTLE, retries=0)
    assert forwarder.pending() == len(VERBS)


def test_a_row_that_has_not_settled_holds_back_the_rows_after_it(lrs, tmp_path, clock) -> None:
    from datetime import timedelta

    fake, url = lrs
    settings = Settings(LEARNBOT_HOME=tmp_path / "h", LRS_URL=url, _env_file=None)
    core = build_app(settings, clock=clock)
    _events(core)
    learner = core.services.learners.find(Identity("slack", "T1", "UANA"))
    late = clock.now() + SETTLE
    core.services.activity.record(learner.id, "asked", object_id="late", now=late)
    core.services.activity.record(learner.id, "asked", object_id="early", now=clock.now())
    forwarder = Forwarder(core.services.xapi, settings, timeout=5)
    assert forwarder.forward(now=clock.now() + SETTLE + timedelta(seconds=1)) == len(VERBS)
    assert forwarder.pending() == 2, "the settled row after the unsettled one waits too"
    assert forwarder.forward(now=late + SETTLE) == 2
    assert len(fake.stored) == len(VERBS) + 2
