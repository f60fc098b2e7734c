"""`/learn admin` over the content library: URL uploads, listings, retags, retirement, reindex."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from bot.core.events import Identity
from tests.conversations.admin_helpers import make_admin, run, text_of
from tests.integration.local_http import serve

ADMIN = Identity("slack", "T1", "UADM")


@pytest.fixture
def site(sample_content: Path):  # type: ignore[no-untyped-def]
    page = (sample_content / "internal-tools" / "expenses.md").read_bytes()

    async def markdown(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/markdown")

    async def png(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n", content_type="image/png")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/handbook/expenses.md")

    app = web.Application()
    app.router.add_get("/handbook/expenses.md", markdown)
    app.router.add_get("/logo", png)
    app.router.add_get("/moved", moved)
    with serve(app) as url:
        yield url


def test_private_addresses_are_refused_by_default(core) -> None:
    make_admin(core, ADMIN)
    out = text_of(run(core, ADMIN, "admin upload http://127.0.0.1:9/a.md"))
    assert "private network address" in out
    out = text_of(run(core, ADMIN, "admin upload file:///etc/passwd"))
    assert "not an http(s) URL" in out


def test_unreachable_and_unsupported_urls_add_nothing(core, site: str) -> None:
    core.services.settings.fetch_allow_private = True
    make_admin(core, ADMIN)
    assert "HTTP 404" in text_of(run(core, ADMIN, f"admin upload {site}/nothing-here.md"))
    assert "image/png, which I can't add" in text_of(run(core, ADMIN, f"admin upload {site}/logo"))
    assert "couldn't fetch" in text_of(run(core, ADMIN, "admin upload http://127.0.0.1:9/a.md"))
    assert "unknown host" in text_of(
        run(core, ADMIN, "admin upload http://no-such-host.invalid/a.md")
    )
    assert core.services.library.get().content.modules() == []


@pytest.mark.slow
def test_upload_from_a_url_then_manage_the_module(library_core, site: str) -> None:
    core = library_core
    core.services.settings.fetch_allow_private = True
    make_admin(core, ADMIN)
    out = text_of(run(core, ADMIN, f"admin upload <{site}/moved>"))
    assert "Added expenses.md" in out
    library = core.services.library.get()
    assert library.content.get("internal-tools/expenses") is not None
    assert "`internal-tools/expenses`" in text_of(run(core, ADMIN, "admin modules"))
    assert "Source: " in text_of(run(core, ADMIN, "admin show internal-tools/expenses"))
    out = text_of(run(core, ADMIN, "admin retag internal-tools/expenses money, travel"))
    assert "money, travel" in out
    assert library.content.get("internal-tools/expenses").meta.tags == ("money", "travel")
    assert "Retired" in text_of(run(core, ADMIN, "admin retire internal-tools/expenses"))
    assert library.content.modules() == []
    assert "(retired)" in text_of(run(core, ADMIN, "admin modules"))
    assert "Restored" in text_of(run(core, ADMIN, "admin restore internal-tools/expenses"))
    out = text_of(run(core, ADMIN, "admin reindex"))
    assert "Rebuilt the search index" in out
    assert library.store().count() == len(library.content.chunk_ids())
    assert "no module" in text_of(run(core, ADMIN, "admin show nope"))
    actions = [e["action"] for e in core.services.audit.entries()]
    for action in (
        "admin.upload",
        "content.upload",
        "admin.retag",
        "admin.retire",
        "admin.reindex",
    ):
        assert action in actions
