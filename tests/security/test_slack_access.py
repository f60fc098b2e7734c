"""Who may do what through Slack: replays, other workspaces, OAuth state, roles on commands
and buttons, the admin URL upload's address guard, and no file served outside its route."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.events import Identity, UserInfo
from bot.features.org import import_org
from tests.adapters.slack.fake_slack import TEAM, FakeSlack
from tests.adapters.teams.fakes import FakeBotFramework
from tests.security.conftest import Server, start_server
from tests.security.state import rows

OTHER = "T0OTHER"


def said(server: Server) -> str:
    return "\n".join(server.slack.fake.posted_texts())


def dm_event(user: str, text: str, *, event_id: str, team: str = TEAM) -> str:
    return json.dumps(
        {
            "team_id": team,
            "api_app_id": "A0LEARN",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1,
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": "1.000001",
                "team": team,
            },
        }
    )


# Replays and other workspaces ----------------------------------------------------------------
async def test_a_replayed_signed_event_is_worked_once(server: Server) -> None:
    slack = server.slack
    slack.onboard("U0ANA")
    body = dm_event("U0ANA", "/learn help", event_id="EvREPLAY1")
    first = await slack.post(body)
    await slack.settle()
    after_first = rows(server.core)
    replay = await slack.post(body)  # the same bytes, signature and event id, seconds later
    await slack.settle()
    assert (first.status, replay.status) == (200, 200)
    assert len(slack.fake.named("chat.postMessage")) == 1
    assert rows(server.core) == after_first


@pytest.mark.parametrize("kind", ["dm", "command", "click"])
async def test_single_workspace_mode_ignores_other_team_ids(server: Server, kind: str) -> None:
    slack = server.slack
    before = rows(server.core)
    if kind == "dm":
        response = await slack.post(dm_event("U0ANA", "hello", event_id="EvOTHER1", team=OTHER))
    elif kind == "command":
        response = await slack.command("U0ANA", "admin modules", team=OTHER)
    else:
        element = {"action_id": "answer", "value": "x"}
        response = await slack.click("U0ANA", element, channel="D0ANA", team=OTHER)
    assert response.status == 200
    await slack.settle()
    assert rows(server.core) == before
    assert slack.core.services.learners.find(Identity("slack", OTHER, "U0ANA")) is None
    assert slack.fake.named("chat.postMessage") == []


# OAuth state --------------------------------------------------------------------------------
@pytest.fixture
async def oauth(
    tmp_path: Path, clock: Any, slack_fake: FakeSlack, teams_fake: FakeBotFramework
) -> AsyncIterator[Server]:
    running, runner = await start_server(
        tmp_path / "home",
        clock,
        slack_fake,
        teams_fake,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
    )
    yield running
    await running.slack.session.close()
    await runner.cleanup()


async def _install(server: Server) -> tuple[str, str]:
    async with server.slack.session.get(server.url + "/slack/install") as r:
        html, cookie = await r.text(), r.headers["Set-Cookie"].split(";", 1)[0]
    found = re.search(r"state=([^&\"]+)", html)
    assert found is not None
    return found.group(1), cookie


async def _callback(server: Server, state: str, cookie: str) -> int:
    url = f"{server.url}/slack/oauth_redirect?code=good-code&state={state}"
    headers = {"Cookie": cookie} if cookie else {}
    async with server.slack.session.get(url, headers=headers, allow_redirects=False) as r:
        return r.status


OAUTH_CASES = ["forged-state", "no-state", "no-cookie", "other-browser", "reused", "expired"]


@pytest.mark.parametrize("case", OAUTH_CASES)
async def test_a_bad_oauth_state_installs_nothing(oauth: Server, clock: Any, case: str) -> None:
    state, cookie = await _install(oauth)
    expected = {"forged-state": 400, "no-state": 400, "no-cookie": 400, "other-browser": 400}
    if case == "reused":
        assert await _callback(oauth, state, cookie) == 200
        oauth.slack.fake.calls.clear()
    before = rows(oauth.core, ignore=frozenset({"slack_oauth_states"}))
    if case == "forged-state":
        status = await _callback(oauth, "forged" + state[6:], cookie)
    elif case == "no-state":
        status = await _callback(oauth, "", cookie)
    elif case == "no-cookie":
        status = await _callback(oauth, state, "")
    elif case == "other-browser":
        status = await _callback(oauth, state, "slack-app-oauth-state=someone-else")
    else:
        if case == "expired":
            clock.advance(timedelta(minutes=11))
        status = await _callback(oauth, state, cookie)
    assert status == expected.get(case, 401)
    assert oauth.slack.fake.named("oauth.v2.access") == [], "no code was exchanged"
    assert rows(oauth.core, ignore=frozenset({"slack_oauth_states"})) == before


# Roles on commands, buttons and actions -----------------------------------------------------
PRIVILEGED = [
    ("learner", "admin modules", "for admins only"),
    ("learner", "admin grant <@U0ANA> admin", "for admins only"),
    ("learner", "admin upload https://example.com/a.md", "for admins only"),
    ("learner", "team", "for managers only"),
    ("learner", "assign <@U0BEN> security-awareness 2026-12-31", "for managers only"),
    ("manager", "team all", "for admins only"),
    ("manager", "admin grant <@U0ANA> admin", "for admins only"),
    ("manager", "admin revoke <@U0BEN> manager", "for admins only"),
]


@pytest.mark.parametrize(("role", "command", "refusal"), PRIVILEGED)
async def test_a_command_above_ones_role_is_refused_and_audited(
    server: Server, role: str, command: str, refusal: str
) -> None:
    slack = server.slack
    ana = slack.onboard("U0ANA", roles=frozenset({role}) if role != "learner" else frozenset())
    slack.onboard("U0BEN", roles=frozenset({"manager"}))
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    assert (await slack.command("U0ANA", command)).status == 200
    await slack.settle()
    assert refusal in said(server)
    assert rows(server.core, ignore=frozenset({"audit_log"})) == before
    learner = server.core.services.learners.get(ana)
    assert learner is not None
    assert not learner.has_role("admin")
    denied = [e for e in server.core.services.audit.entries() if e["action"] == "denied"]
    assert [e["actor"] for e in denied] == [ana]


async def test_a_button_of_someone_elses_dialog_moves_nothing(server: Server) -> None:
    slack = server.slack
    await slack.dm("U0ANA", "hi")
    await slack.settle()
    welcome = slack.fake.named("chat.postMessage")[-1].params
    start = next(e for b in welcome["blocks"] if b["type"] == "actions" for e in b["elements"])
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    await slack.click("U0BEN", start, channel="D0ANA")
    await slack.settle()
    assert "belongs to someone else" in said(server)
    after = rows(server.core, ignore=frozenset({"audit_log", "learners", "identities", "profiles"}))
    assert after == {k: v for k, v in before.items() if k in after}


@pytest.mark.parametrize(
    ("action_id", "value", "reply"),
    [
        ("nudge", "no-such-nudge", "expired"),
        ("path.open", "../../etc/passwd", ""),
        ("quiz.check", '{"learner": "someone-else"}', ""),
        ("admin.grant", "U0ANA:admin", "expired"),
        ("learnbot.dialog", "9999:0", ""),
    ],
    ids=["unknown-nudge", "path-traversal-value", "json-value", "unknown-action", "no-dialog"],
)
async def test_a_forged_action_value_changes_no_roles_and_no_dialog(
    server: Server, action_id: str, value: str, reply: str
) -> None:
    slack = server.slack
    ana = slack.onboard("U0ANA")
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    element = {"action_id": action_id, "value": value}
    assert (await slack.click("U0ANA", element, channel="D0ANA")).status == 200
    await slack.settle()
    assert rows(server.core, ignore=frozenset({"audit_log"})) == before
    learner = server.core.services.learners.get(ana)
    assert learner is not None
    assert learner.roles <= frozenset({"learner"})
    if reply:
        assert reply in said(server).lower()


CHART = b"""email,manager_email,department,location,role
boss@example.com,,Leadership,Berlin,manager
mia@example.com,boss@example.com,Support,Berlin,manager
max@example.com,boss@example.com,Ops,Oslo,manager
"""


async def test_a_manager_cannot_view_another_managers_team(server: Server) -> None:
    slack, services = server.slack, server.core.services
    now = services.clock.now()
    import_org(
        CHART, org=services.org, learners=services.learners, profiles=services.profiles, now=now
    )
    for user, name in (("U0MIA", "mia"), ("U0MAX", "max")):
        slack.fake.add_user(user, name=name.capitalize(), email=f"{name}@example.com")
        info = UserInfo(display_name=name.capitalize(), email=f"{name}@example.com")
        learner = services.learners.resolve(Identity("slack", TEAM, user), info, now=now)
        services.profiles.save(
            learner.id, services.profiles.get(learner.id).with_changes(onboarded_at=now), now=now
        )
        services.learners.set_roles(learner.id, frozenset({"manager"}), now=now)
    await slack.command("U0MAX", "team <@U0MIA|mia>")
    await slack.settle()
    assert "not part of your team" in said(server)
    refusal = "Mia is not part of your team, so I can't show their progress."
    assert "Mia" not in said(server).replace(refusal, ""), "nothing of Mia's beyond the refusal"


# The admin URL upload's address guard ------------------------------------------------------
INTERNAL = [
    "http://127.0.0.1:9/a.md",
    "http://[::1]:9/a.md",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/a.md",
    "http://0177.0.0.1/a.md",
    "http://0x7f000001/a.md",
    "http://[::ffff:127.0.0.1]/a.md",
    "http://[::ffff:a9fe:a9fe]/a.md",
    "http://localhost:9/a.md",
    "http://10.0.0.1/a.md",
]


@pytest.mark.parametrize("url", INTERNAL)
async def test_admin_upload_from_an_internal_address_is_refused(server: Server, url: str) -> None:
    slack = server.slack
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    await slack.command("U0ANA", f"admin upload {url}")
    await slack.settle()
    assert "private network address" in said(server)
    assert rows(server.core, ignore=frozenset({"audit_log"})) == before


class Rebinding:
    """getaddrinfo answering a public address first and loopback after, for one name."""

    def __init__(self, real: Any) -> None:
        self.real, self.asked = real, 0

    def __call__(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "docs.rebind.test":
            return self.real(host, *args, **kwargs)
        self.asked += 1
        address = "192.0.2.1" if self.asked == 1 else "127.0.0.1"  # TEST-NET: public-looking
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 80))]


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Rebinding:
    resolver = Rebinding(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


async def test_admin_upload_through_a_rebinding_name_never_reaches_loopback(
    server: Server, rebinding: Rebinding
) -> None:
    slack = server.slack
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    server.core.services.settings.fetch_timeout = 1.0
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    await slack.command("U0ANA", "admin upload http://docs.rebind.test/a.md")
    await slack.settle()
    text = said(server)
    assert rebinding.asked == 1, "one lookup, used for both the check and the connection"
    assert "private network address" in text or "couldn't fetch" in text
    assert rows(server.core, ignore=frozenset({"audit_log"})) == before


# No file outside a route --------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/slack/..%2f..%2fetc%2fpasswd",
        "/healthz/../../etc/passwd",
        "/slack/install/..%252f..%252fetc/passwd",
        "/api/messages/../../pyproject.toml",
        "//etc/passwd",
    ],
)
async def test_path_traversal_serves_no_file(server: Server, path: str) -> None:
    url = server.url + path
    async with server.slack.session.get(url, allow_redirects=False) as r:
        body = await r.text()
    assert r.status in {301, 302, 404, 405}, (r.status, body[:200])
    assert "root:" not in body
    assert "[project]" not in body
