"""Admin uploads in a DM, the App Home tab, and user_change."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.core.events import FileShared, Identity
from bot.core.replies import Reply, say
from tests.adapters.slack.fake_slack import TEAM, message_text
from tests.adapters.slack.harness import SlackHarness
from tests.fakes import FixedHome, use_features


class RecordingIngest:
    """An on_file handler that reads the file and records what it got."""

    def __init__(self) -> None:
        self.got: list[tuple[str, int, bytes]] = []

    def __call__(self, ctx: Context, event: Any) -> list[Reply]:
        assert isinstance(event, FileShared)
        assert event.read is not None
        data = event.read(10_000_000)
        self.got.append((event.name, event.size, data))
        return [say(f"Added {event.name} ({len(data)} bytes).")]


def _shared(file_id: str, user: str = "U0ANA", channel: str | None = None) -> dict[str, Any]:
    return {
        "type": "file_shared",
        "file_id": file_id,
        "file": {"id": file_id},
        "user_id": user,
        "channel_id": channel or "D" + user[1:],
        "event_ts": "1700.5",
    }


def _with_ingest(slack: SlackHarness) -> RecordingIngest:
    ingest = RecordingIngest()
    slack.core.router._on_file = ingest
    return ingest


async def test_an_admin_file_is_downloaded_with_the_bot_token_and_ingested(
    slack: SlackHarness,
) -> None:
    ingest = _with_ingest(slack)
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    slack.fake.add_file("F0GUIDE", b"# Leave policy\n\nAsk your manager.", name="leave.md")
    assert (await slack.event(_shared("F0GUIDE"))).status == 200
    await slack.settle()
    assert ingest.got == [("leave.md", 33, b"# Leave policy\n\nAsk your manager.")]
    assert slack.fake.downloads == ["F0GUIDE"]
    (post,) = slack.fake.named("chat.postMessage")
    assert post.params["channel"] == "D0ANA"
    assert "Added leave.md (33 bytes)." in message_text(post.params)


async def test_a_file_over_the_cap_is_refused_before_any_download(slack: SlackHarness) -> None:
    ingest = _with_ingest(slack)
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    cap = slack.core.settings.max_upload_bytes
    slack.fake.add_file("F0HUGE", b"tiny", name="huge.pdf", size=cap + 1)
    await slack.event(_shared("F0HUGE"))
    await slack.settle()
    assert [c.params["file"] for c in slack.fake.named("files.info")] == ["F0HUGE"]
    assert slack.fake.downloads == []
    assert ingest.got == []
    (post,) = slack.fake.named("chat.postMessage")
    assert f"{cap + 1:,} bytes" in message_text(post.params)


async def test_a_file_from_a_non_admin_is_refused_politely_and_never_downloaded(
    slack: SlackHarness,
) -> None:
    ingest = _with_ingest(slack)
    slack.onboard("U0BEN")
    slack.fake.add_file("F0NOTES", b"notes", name="notes.md")
    await slack.event(_shared("F0NOTES", user="U0BEN"))
    await slack.settle()
    assert [c.params["file"] for c in slack.fake.named("files.info")] == ["F0NOTES"]
    assert slack.fake.downloads == []
    assert ingest.got == []
    (post,) = slack.fake.named("chat.postMessage")
    assert "Only admins can add files" in message_text(post.params)


async def test_a_calendar_from_a_learner_reaches_the_core_and_is_downloaded(
    slack: SlackHarness,
) -> None:
    ingest = _with_ingest(slack)
    slack.onboard("U0BEN")
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    slack.fake.add_file("F0CAL", ics, name="busy.ics")
    await slack.event(_shared("F0CAL", user="U0BEN"))
    await slack.settle()
    assert ingest.got == [("busy.ics", len(ics), ics)]
    assert slack.fake.downloads == ["F0CAL"]
    (post,) = slack.fake.named("chat.postMessage")
    assert "Only admins" not in message_text(post.params)


async def test_a_file_hosted_elsewhere_is_not_downloaded(slack: SlackHarness) -> None:
    ingest = _with_ingest(slack)
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    slack.fake.add_file("F0EVIL", b"x", host="evil.example.com")
    await slack.event(_shared("F0EVIL"))
    await slack.settle()
    assert ingest.got == []
    assert "not stored on Slack" in message_text(slack.fake.named("chat.postMessage")[0].params)


async def test_files_outside_a_dm_and_the_bots_own_files_are_ignored(slack: SlackHarness) -> None:
    _with_ingest(slack)
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    slack.fake.add_file("F0CHAN", b"x")
    await slack.event(_shared("F0CHAN", channel="C0GENERAL"))
    await slack.event(_shared("F0CHAN", user="UBOT0001", channel="D0ANA"))
    await slack.settle()
    assert slack.fake.named("files.info") == []
    assert slack.fake.named("chat.postMessage") == []


async def test_an_admin_upload_is_ingested_into_the_library(slack: SlackHarness) -> None:
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    page = (
        b"# Bike to work\n\n## Lockers\n\nBike lockers are on level -1; ask reception for a key.\n"
    )
    slack.fake.add_file("F0DOC", page, name="bike-to-work.md")
    await slack.event(_shared("F0DOC"))
    await slack.settle(timeout=60)
    said = message_text(slack.fake.named("chat.postMessage")[-1].params)
    assert "Added bike-to-work.md to the library" in said
    library = slack.core.services.library.get()
    assert library.content.get("bike-to-work") is not None


async def test_opening_app_home_publishes_the_profile_and_placeholders(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    assert (await slack.event(event)).status == 200
    await slack.settle()
    (publish,) = slack.fake.named("views.publish")
    assert publish.params["user_id"] == "U0ANA"
    view = publish.params["view"]
    assert view["type"] == "home"
    text = message_text({"blocks": view["blocks"]})
    assert "Your profile" in text
    assert "Your learning path is not available yet." in text
    assert "No nudge is scheduled yet." in text


async def test_home_sections_come_from_registered_providers_and_can_be_refreshed(
    slack: SlackHarness,
) -> None:
    slack.onboard("U0ANA")
    use_features(slack.core.services, home=FixedHome("**Next:** Security basics"))
    publish_home = slack.core.services.publish_home
    assert publish_home is not None
    assert publish_home(Identity("slack", TEAM, "U0ANA")) is True
    assert publish_home(Identity("slack", TEAM, "U0NOBODY")) is False
    view = slack.fake.named("views.publish")[0].params["view"]
    assert "*Next:* Security basics" in message_text({"blocks": view["blocks"]})


async def test_the_messages_tab_does_not_publish(slack: SlackHarness) -> None:
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "messages"}
    await slack.event(event)
    await slack.settle()
    assert slack.fake.named("views.publish") == []


async def test_user_change_updates_a_known_learners_time_zone_only(slack: SlackHarness) -> None:
    services = slack.core.services
    learner_id = slack.onboard("U0ANA")
    user = {
        "id": "U0ANA",
        "team_id": TEAM,
        "name": "ana",
        "tz": "Asia/Tokyo",
        "profile": {"display_name": "Ana K", "email": "ana@example.com"},
    }
    await slack.event({"type": "user_change", "user": user})
    stranger = {**user, "id": "U0STRANGER"}
    await slack.event({"type": "user_change", "user": stranger})
    await slack.settle()
    assert services.profiles.get(learner_id).timezone == "Asia/Tokyo"
    learner = services.learners.get(learner_id)
    assert learner is not None
    assert learner.display_name == "Ana K"
    assert services.learners.find(Identity("slack", TEAM, "U0STRANGER")) is None
