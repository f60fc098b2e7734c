"""GET /m/{token} and its images through the real aiohttp server of `learnbot serve`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest

from bot.adapters.server import build_web_app, start
from bot.app import App
from bot.core.clock import FixedClock
from bot.features.module_page import ModulePages
from tests.adapters.page.conftest import Library, learner
from tests.conftest import T0


@dataclass
class Served:
    """The running server and a client for it."""

    core: App
    base: str
    http: aiohttp.ClientSession

    def token(self, module_id: str, learner_id: str | None = None) -> str:
        return ModulePages(self.core.services).token(module_id, learner_id=learner_id, now=T0)

    async def get(self, path: str) -> tuple[aiohttp.ClientResponse, bytes]:
        async with self.http.get(self.base + path, allow_redirects=False) as response:
            return response, await response.read()


@pytest.fixture
async def served(page_core: App) -> AsyncIterator[Served]:
    runner, port = await start(build_web_app(page_core), host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession() as http:
            yield Served(page_core, f"http://127.0.0.1:{port}", http)
    finally:
        await runner.cleanup()


def assert_page_headers(response: aiohttp.ClientResponse) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "img-src 'self'" in csp
    assert "style-src 'sha256-" in csp
    assert "script-src" not in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


async def test_a_page_is_served_with_strict_headers(served: Served) -> None:
    ann = learner(served.core, "ann")
    response, body = await served.get(f"/m/{served.token('basics', ann.id)}")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert_page_headers(response)
    html = body.decode()
    assert "<h1" in html
    assert "Security basics" in html
    assert "Your progress: not started" in html
    assert "Acme &amp; Sons &lt;Learning&gt;" in html


async def test_the_page_image_route(served: Served, library: Library) -> None:
    token = served.token("basics")
    _, body = await served.get(f"/m/{token}")
    assert f'src="{token}/img/img/report.png"' in body.decode()
    response, data = await served.get(f"/m/{token}/img/img/report.png")
    assert response.status == 200
    assert response.content_type == "image/png"
    assert data == (library.root / "img" / "report.png").read_bytes()
    assert_page_headers(response)


@pytest.mark.parametrize(
    "path",
    [
        "img/link.png",
        "img/fake.png",
        "..%2Fsecret.png",
        "img/..%2F..%2Fsecret.png",
        "%2E%2E/secret.png",
        "img/%2e%2e/%2e%2e/secret.png",
        "basics.md",
        "%2Fetc%2Fpasswd",
    ],
)
async def test_traversal_and_other_files_are_refused(served: Served, path: str) -> None:
    response, data = await served.get(f"/m/{served.token('basics')}/img/{path}")
    assert response.status in (403, 404)
    assert not data.startswith(b"\x89PNG")
    assert "Set-Cookie" not in response.headers


async def test_bad_links_get_a_friendly_403(served: Served) -> None:
    good = served.token("basics")
    expired = ModulePages(served.core.services).token(
        "basics", learner_id=None, now=T0 - timedelta(days=8)
    )
    for token, words in (
        (good[:-3] + "xyz", "not valid"),
        ("garbage", "not valid"),
        (expired, "expired"),
        (served.token("managers-only"), "not available"),
        (served.token("no-such-module"), "not available"),
    ):
        response, body = await served.get(f"/m/{token}")
        assert response.status == 403, token
        assert_page_headers(response)
        html = body.decode()
        assert "This page cannot be opened" in html
        assert words in html
        assert "Traceback" not in html


async def test_a_retired_module_and_the_wrong_learner_get_403(served: Served) -> None:
    ann = learner(served.core, "ann")
    restricted = served.token("managers-only", ann.id)
    response, _ = await served.get(f"/m/{restricted}")
    assert response.status == 403
    token = served.token("basics")
    served.core.services.content.set_retired("basics", True)
    response, _ = await served.get(f"/m/{token}")
    assert response.status == 403
    response, _ = await served.get(f"/m/{token}/img/img/report.png")
    assert response.status == 403


async def test_big_and_empty_modules_are_served(served: Served) -> None:
    response, body = await served.get(f"/m/{served.token('big')}")
    assert response.status == 200
    assert body.decode().count("<tr>") == 201
    response, body = await served.get(f"/m/{served.token('title-only')}")
    assert response.status == 200
    assert "no text yet" in body.decode()


async def test_an_expiry_is_judged_by_the_server_clock(served: Served) -> None:
    token = served.token("basics")
    clock = served.core.services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=8))
    response, body = await served.get(f"/m/{token}")
    assert response.status == 403
    assert "expired" in body.decode()


async def test_the_access_log_never_shows_the_token(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    token = served.token("basics")
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await served.get(f"/m/{token}")
        await served.get(f"/m/{token}/img/img/report.png")
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /m/…" 200' in line for line in lines), lines
    assert any('"GET /m/…/img/img/report.png" 200' in line for line in lines), lines
    assert not any(token in line for line in lines)


async def test_a_failure_behind_the_page_is_a_friendly_503(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    token = served.token("basics")

    def down(module_id: str) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(served.core.services.content, "get", down)
    with caplog.at_level(logging.ERROR):
        response, body = await served.get(f"/m/{token}")
    assert response.status == 503
    assert_page_headers(response)
    assert "not available right now" in body.decode()
    assert "OperationalError" in caplog.text
    assert token not in caplog.text
    response, body = await served.get("/healthz")
    assert b"not available right now" not in body, "only page paths get the page"
