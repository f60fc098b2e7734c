"""Streaming downloads of files sent in Teams, with the byte cap enforced on the wire."""

from __future__ import annotations

import pytest

from bot.adapters.teams.files import allowed_download, file_reader
from bot.core.errors import UpstreamError, UserError
from tests.adapters.teams.fakes import FakeBotFramework

DATA = bytes(range(256)) * 400  # 102,400 bytes
LOCAL = frozenset({"127.0.0.1"})  # the local file server stands in for SharePoint


def test_a_file_within_the_cap_is_read_whole(fake: FakeBotFramework) -> None:
    read = file_reader(fake.host("notes.md", DATA), name="notes.md", extra_hosts=LOCAL)
    assert read(len(DATA)) == DATA
    assert fake.downloads == ["notes.md"]


def test_an_announced_length_above_the_cap_is_refused_before_the_body(
    fake: FakeBotFramework,
) -> None:
    read = file_reader(fake.host("big.pdf", DATA), name="big.pdf", extra_hosts=LOCAL)
    with pytest.raises(UserError, match=r"big\.pdf"):
        read(len(DATA) - 1)


def test_an_unannounced_stream_stops_at_the_cap(fake: FakeBotFramework) -> None:
    read = file_reader(
        fake.host("stream.bin", DATA, announce_length=False), name="stream.bin", extra_hosts=LOCAL
    )
    with pytest.raises(UserError, match=r"stream\.bin"):
        read(50_000)
    assert read(len(DATA)) == DATA


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(UserError):
        file_reader("file:///etc/passwd", name="passwd")(1000)


def test_an_unreachable_host_is_an_upstream_error(fake: FakeBotFramework) -> None:
    read = file_reader("http://127.0.0.1:9/nothing", name="x.pdf", extra_hosts=LOCAL)
    with pytest.raises(UpstreamError, match=r"x\.pdf"):
        read(1000)


def test_a_host_off_the_allow_list_is_refused_without_a_request(fake: FakeBotFramework) -> None:
    read = file_reader(fake.host("notes.md", DATA), name="notes.md")
    with pytest.raises(UserError, match=r"only download files stored in SharePoint or OneDrive"):
        read(len(DATA))
    with pytest.raises(UserError, match=r"notes\.md"):
        file_reader("https://files.example.com/notes.md", name="notes.md")(len(DATA))
    assert fake.downloads == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://contoso.sharepoint.com/personal/ana/x.pdf", True),
        ("https://contoso-my.sharepoint.us/x.pdf", True),
        ("https://contoso.sharepoint-df.com/x.pdf", True),
        ("https://graph.microsoft.com/v1.0/drives/x", True),
        ("https://public.ch.files.1drv.com/x", True),
        ("https://onedrive.live.com/download?cid=1", True),
        ("https://smba.trafficmanager.net/amer/v3/attachments/1", True),
        ("http://contoso.sharepoint.com/x.pdf", False),
        ("https://evilsharepoint.com/x.pdf", False),
        ("https://contoso.sharepoint.com.evil.example/x.pdf", False),
        ("https://graph.microsoft.com.evil.example/x", False),
        ("https://sub.onedrive.live.com.example/x", False),
        ("https://127.0.0.1/x", False),
        ("ftp://contoso.sharepoint.com/x", False),
        ("https:///x", False),
    ],
)
def test_the_download_allow_list(url: str, allowed: bool) -> None:
    service = "https://smba.trafficmanager.net/amer/"
    assert allowed_download(url, service_url=service) is allowed
