"""Multi-workspace installs (OAuth), workspaces that are not installed, and uninstall purges."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.events import Identity, UserInfo
from bot.storage.tables import (
    content_gaps,
    identities,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, message_text
from tests.adapters.slack.harness import SlackHarness

NEW_TEAM = "T0NEW"


@pytest.fixture
async def oauth(tmp_path: Path, fake: FakeSlack, clock, db_url: str) -> AsyncIterator[SlackHarness]:  # type: ignore[no-untyped-def]
    settings = slack_settings(
        tmp_path / "home",
        fake,
        db_url,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        LEARNBOT_SECRET_KEY="a passphrase that seals installed tokens",
        LEARNBOT_LINK_DOMAINS="example.com",
    )
    harness, runner = await start_harness(settings, clock, fake)
    yield harness
    await harness.session.close()
    await runner.cleanup()


async def _install_page(slack: SlackHarness) -> tuple[str, str]:
    async with slack.session.get(slack.url + "/slack/install", allow_redirects=False) as r:
        assert r.status == 200
        html = await r.text()
        cookie = r.headers["Set-Cookie"]
    state = re.search(r"state=([^&\"]+)", html)
    assert state is not None
    return state.group(1), cookie.split(";", 1)[0]


async def _callback(slack: SlackHarness, state: str, cookie: str, code: str = "good-code") -> int:
    url = f"{slack.url}/slack/oauth_redirect?code={code}&state={state}"
    async with slack.session.get(url, headers={"Cookie": cookie}, allow_redirects=False) as r:
        return r.status


def _count(slack: SlackHarness, table, **where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with slack.core.services.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


async def test_install_flow_stores_the_workspace_and_state_is_single_use(
    oauth: SlackHarness,
) -> None:
    state, cookie = await _install_page(oauth)
    assert "client_id=111.222" in (await _install_html(oauth))
    assert await _callback(oauth, state, cookie) == 200
    assert _count(oauth, slack_installations, team_id=NEW_TEAM) == 1
    assert _count(oauth, slack_bots, team_id=NEW_TEAM) == 1
    (exchange,) = oauth.fake.named("oauth.v2.access")
    assert exchange.params["code"] == "good-code"
    # The same state again is refused, and nothing more is stored.
    assert await _callback(oauth, state, cookie) == 401
    assert _count(oauth, slack_installations, team_id=NEW_TEAM) == 1
    assert len(oauth.fake.named("oauth.v2.access")) == 1


async def _install_html(slack: SlackHarness) -> str:
    async with slack.session.get(slack.url + "/slack/install") as r:
        return await r.text()


async def test_a_state_from_another_browser_or_a_bad_code_installs_nothing(
    oauth: SlackHarness,
) -> None:
    state, _cookie = await _install_page(oauth)
    assert await _callback(oauth, state, "slack-app-oauth-state=someone-else") == 400
    other_state, other_cookie = await _install_page(oauth)
    assert await _callback(oauth, other_state, other_cookie, code="bad-code") == 401
    assert _count(oauth, slack_installations) == 0


async def test_an_expired_state_is_refused(oauth: SlackHarness, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    state, cookie = await _install_page(oauth)
    clock.advance(timedelta(minutes=11))
    assert await _callback(oauth, state, cookie) == 401


async def test_an_installed_workspace_is_answered_with_its_own_token(oauth: SlackHarness) -> None:
    state, cookie = await _install_page(oauth)
    assert await _callback(oauth, state, cookie) == 200
    oauth.fake.add_user("U0NEWBIE", name="Nia")
    assert (await oauth.event(_dm("U0NEWBIE"), team=NEW_TEAM)).status == 200
    await oauth.settle()
    (post,) = oauth.fake.named("chat.postMessage")
    assert post.token == "xoxb-installed"
    assert "I'm *learnbot*" in message_text(post.params)
    with oauth.core.services.engine.connect() as conn:
        stored = conn.execute(select(slack_bots.c.bot_token)).scalars().all()
    assert stored
    assert all(t.startswith("fernet:") for t in stored), "the token is encrypted at rest"
    assert not any("xoxb-installed" in t for t in stored)


async def test_a_workspace_that_is_not_installed_is_ignored_politely(oauth: SlackHarness) -> None:
    assert (await oauth.event(_dm("U0ANA"), team="T0STRANGER")).status == 200
    response = await oauth.command("U0ANA", "help", team="T0STRANGER")
    assert response.status == 200
    assert "not installed in this workspace" in response.text
    await oauth.settle()
    assert oauth.fake.named("chat.postMessage") == []
    assert oauth.core.services.learners.find(Identity("slack", "T0STRANGER", "U0ANA")) is None


async def test_app_uninstalled_purges_the_workspace(oauth: SlackHarness) -> None:
    state, cookie = await _install_page(oauth)
    assert await _callback(oauth, state, cookie) == 200
    services = oauth.core.services
    now = services.clock.now()
    only_here = services.learners.resolve(Identity("slack", NEW_TEAM, "U1"), UserInfo(), now=now)
    both = services.learners.resolve(
        Identity("slack", NEW_TEAM, "U2"), UserInfo(email="kim@example.com"), now=now
    )
    services.learners.resolve(
        Identity("teams", "tenant", "29:kim"), UserInfo(email="kim@example.com"), now=now
    )
    other = services.learners.resolve(Identity("slack", TEAM, "U3"), UserInfo(), now=now)
    from bot.storage.content import ContentRepository

    ContentRepository(services.engine).record_gap(
        "where do I park my bike?", learner_id=only_here.id, best_score=0.1, now=now
    )
    body = {"type": "app_uninstalled"}
    assert (await oauth.event(body, team=NEW_TEAM)).status == 200
    await oauth.settle()
    assert _count(oauth, slack_installations, team_id=NEW_TEAM) == 0
    assert _count(oauth, slack_bots, team_id=NEW_TEAM) == 0
    assert services.learners.get(only_here.id) is None
    kept = services.learners.get(both.id)
    assert kept is not None
    assert [i.platform for i in kept.identities] == ["teams"]
    assert services.learners.get(other.id) is not None
    assert _count(oauth, identities, workspace=NEW_TEAM) == 0
    assert services.audit.entries()[0]["action"] == "workspace.purged"
    assert _count_all(oauth, content_gaps) == 0, "their question text is deleted with them"
    # The workspace is gone: its events are now ignored.
    await oauth.event(_dm("U1"), team=NEW_TEAM)
    await oauth.settle()
    assert oauth.fake.named("chat.postMessage") == []


async def test_tokens_revoked_for_the_bot_purges_but_user_tokens_alone_do_not(
    slack: SlackHarness,
) -> None:
    learner_id = slack.onboard("U0ANA")
    await slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ANA"]}})
    await slack.settle()
    assert slack.core.services.learners.get(learner_id) is not None
    await slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT0001"]}})
    await slack.settle()
    assert slack.core.services.learners.get(learner_id) is None


async def test_expired_states_are_cleaned_up_when_new_ones_are_issued(
    oauth: SlackHarness, clock
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    await _install_page(oauth)
    clock.advance(timedelta(hours=1))
    await _install_page(oauth)
    assert _count(oauth, slack_oauth_states) == 1


def _dm(user: str) -> dict[str, str]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": "hello",
        "ts": "1700.2",
    }


def _count_all(harness: SlackHarness, table) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    with harness.core.services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
