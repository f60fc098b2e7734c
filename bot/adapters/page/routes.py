"""GET /m/{token} (a module page) and GET /m/{token}/img/{path} (one of its images).

Every answer, the refusals included, carries the same headers: a strict Content-Security-
Policy, nosniff, no referrer, no caching, and never a cookie. A bad, expired or forged token
and a module that is gone, retired or not for the learner get a friendly 403 page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.adapters.page.html import PAGE_CSP, render_page, render_refused
from bot.app import App
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.features.module_page import ImageMissing, ModulePages, PageRefused

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PAGE_PATH = "/m/{token}"
IMAGE_PATH = "/m/{token}/img/{path:.+}"
PAGES = web.AppKey("learnbot.pages", ModulePages)
CORE = web.AppKey("learnbot.page_core", App)
HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def add_routes(web_app: web.Application, core: App) -> None:
    """Serve module pages and their images from `web_app`."""
    web_app[PAGES] = ModulePages(core.services)
    web_app[CORE] = core
    web_app.router.add_get(PAGE_PATH, page)
    web_app.router.add_get(IMAGE_PATH, image)
    web_app.middlewares.append(never_a_bare_500)


@web.middleware
async def never_a_bare_500(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A failure behind a page (the database down, a bug) is a friendly 503 with the page
    headers, logged by its kind only (the path holds the token)."""
    if not request.path.startswith("/m/"):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as err:  # noqa: BLE001 - the page adapter's one catch-all, token never logged
        log.error("module page failed: %s", type(err).__name__)
        body = render_refused(msg.PAGE_FAILED_TITLE, msg.PAGE_FAILED)
        return html(body, status=503)


async def page(request: web.Request) -> web.Response:
    """The module page a token opens, or a friendly refusal."""
    pages, now = request.app[PAGES], request.app[CORE].services.clock.now()
    token = request.match_info["token"]
    try:
        view = await asyncio.to_thread(pages.open, token, now=now)
    except PageRefused as refused:
        return refusal(refused.reason)
    except UserError:
        return refusal("unavailable")

    def src(path: str) -> str | None:
        return f"{token}/img/{quote(path)}" if path in view.images else None

    return html(render_page(view, image_src=src), status=200)


async def image(request: web.Request) -> web.Response:
    """An image of the page a token opens: only files its module refers to, in its library
    folder, that are PNG, JPEG, GIF or WebP by their content."""
    pages, now = request.app[PAGES], request.app[CORE].services.clock.now()
    token, path = request.match_info["token"], request.match_info["path"]
    try:
        data, mime = await asyncio.to_thread(pages.image, token, path, now=now)
    except PageRefused as refused:
        return refusal(refused.reason)
    except (ImageMissing, UserError):
        return web.Response(status=404, text=msg.PAGE_NOT_FOUND, headers=HEADERS)
    return web.Response(body=data, content_type=mime, headers=HEADERS)


def refusal(reason: str) -> web.Response:
    """The 403 page for a refused link."""
    text = msg.PAGE_REFUSED.get(reason, msg.PAGE_REFUSED["invalid"])
    return html(render_refused(msg.PAGE_REFUSED_TITLE, text), status=403)


def html(body: str, *, status: int) -> web.Response:
    """An HTML response with the page headers."""
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def redact(path: str) -> str:
    """A request path fit for logs: the token of a page path is cut out."""
    if path.startswith("/m/"):
        rest = path[3:].partition("/")[2]
        return "/m/…" + (f"/{rest}" if rest else "")
    return path
