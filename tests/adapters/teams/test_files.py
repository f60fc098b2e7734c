"""Streaming downloads of files sent in Teams, with the byte cap enforced on the wire."""

from __future__ import annotations

import pytest

from bot.adapters.teams.files import file_reader
from bot.errors import UpstreamError, UserError
from tests.adapters.teams.fakes import FakeBotFramework

DATA = bytes(range(256)) * 400  # 102,400 bytes


def test_a_file_within_the_cap_is_read_whole(fake: FakeBotFramework) -> None:
    read = file_reader(fake.host("notes.md", DATA), name="notes.md")
    assert read(len(DATA)) == DATA
    assert fake.downloads == ["notes.md"]


def test_an_announced_length_above_the_cap_is_refused_before_the_body(
    fake: FakeBotFramework,
) -> None:
    read = file_reader(fake.host("big.pdf", DATA), name="big.pdf")
    with pytest.raises(UserError, match=r"big\.pdf"):
        read(len(DATA) - 1)


def test_an_unannounced_stream_stops_at_the_cap(fake: FakeBotFramework) -> None:
    read = file_reader(fake.host("stream.bin", DATA, announce_length=False), name="stream.bin")
    with pytest.raises(UserError, match=r"stream\.bin"):
        read(50_000)
    assert read(len(DATA)) == DATA


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(UserError):
        file_reader("file:///etc/passwd", name="passwd")(1000)


def test_an_unreachable_host_is_an_upstream_error(fake: FakeBotFramework) -> None:
    read = file_reader("http://127.0.0.1:9/nothing", name="x.pdf")
    with pytest.raises(UpstreamError, match=r"x\.pdf"):
        read(1000)
