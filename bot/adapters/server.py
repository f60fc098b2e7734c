"""`learnbot serve`: one aiohttp application for every chat platform, GET /healthz and the
module pages (GET /m/{token}, `bot.adapters.page`).

Each platform adapter provides a mounter `mount(web_app, core, *, insecure_dev) -> bool`
that adds its routes when its settings are present and says whether it did. They are
listed in `MOUNTERS` as "module:function" and imported only when the server is built.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from bot.adapters.page.routes import add_routes as add_page_routes
from bot.adapters.page.routes import redact
from bot.adapters.queue import LearnerQueue
from bot.app import App
from bot.core.model import IndexStatus
from bot.core.ports import ChatPort
from bot.storage.db import ping, writable

log = logging.getLogger(__name__)

# Add a platform here: "package.module:function".
MOUNTERS: tuple[str, ...] = (
    "bot.adapters.slack.server:mount",
    "bot.adapters.teams.endpoint:mount",
)
PLATFORMS = ("slack", "teams")
# Chat ports a process without the web server can build (a stand-alone `learnbot worker`):
# "module:function" taking (settings, engine) and returning a port or None. Teams sends
# through the Bot Framework adapter that `learnbot serve` mounts, so it is not listed.
PORT_BUILDERS: tuple[str, ...] = ("bot.adapters.slack.runtime:slack_chat_port",)


@dataclass(frozen=True)
class ServeOptions:
    """How `learnbot serve` was started (mounters may read it from the web app)."""

    insecure_dev: bool = False
    slack_socket_mode: bool = False
    slack_placeholder_after: float = 1.0


OPTIONS = web.AppKey("learnbot.options", ServeOptions)
CORE = web.AppKey("learnbot.core", App)
MOUNTED = web.AppKey("learnbot.mounted", dict[str, bool])
NOTES = web.AppKey("learnbot.notes", dict[str, str])
# One line per learner for the whole process, shared by every platform's mount.
QUEUE = web.AppKey("learnbot.queue", LearnerQueue)


def note(web_app: web.Application, platform: str, text: str) -> None:
    """Record why a platform is on or off, for the start-up banner."""
    if NOTES in web_app:
        web_app[NOTES][platform] = text


def platform_of(ref: str) -> str:
    """The platform a mounter belongs to: `bot.adapters.<platform>.…:mount`, or the name
    before `=` in `platform=module:function`."""
    if "=" in ref:
        return ref.split("=", 1)[0]
    parts = ref.split(":", 1)[0].split(".")
    return parts[parts.index("adapters") + 1] if "adapters" in parts else parts[-1]


def standalone_ports(core: App) -> list[ChatPort]:
    """The chat ports of `PORT_BUILDERS` that are configured in this deployment."""
    ports: list[ChatPort] = []
    for ref in PORT_BUILDERS:
        module, _, name = ref.partition(":")
        port = getattr(importlib.import_module(module), name)(core.settings, core.services.engine)
        if port is not None:
            ports.append(port)
    return ports


def _load(ref: str) -> Callable[..., bool]:
    module, _, name = ref.split("=", 1)[-1].partition(":")
    mounter: Callable[..., bool] = getattr(importlib.import_module(module), name or "mount")
    return mounter


def build_web_app(
    core: App,
    *,
    insecure_dev: bool = False,
    options: ServeOptions | None = None,
    mounters: Sequence[str] = MOUNTERS,
) -> web.Application:
    """The web application with /healthz, the module pages and every platform whose settings
    are present."""
    options = options or ServeOptions(insecure_dev=insecure_dev)
    insecure_dev = insecure_dev or options.insecure_dev
    web_app = web.Application()
    web_app[CORE] = core
    web_app[OPTIONS] = options
    web_app[NOTES] = {}
    web_app[QUEUE] = LearnerQueue(core.settings.learner_queue)
    mounted = dict.fromkeys(PLATFORMS, False)
    for ref in mounters:
        mounted[platform_of(ref)] = bool(_load(ref)(web_app, core, insecure_dev=insecure_dev))
    web_app[MOUNTED] = mounted
    web_app.router.add_get("/healthz", healthz)
    add_page_routes(web_app, core)
    return web_app


def database_state(core: App) -> str:
    """ "ok", "read-only" (it answers but refuses writes) or "unreachable"."""
    engine = core.services.engine
    if not ping(engine):
        return "unreachable"
    return "ok" if writable(engine) else "read-only"


def index_state(core: App) -> IndexStatus:
    """The content index's state (see `IndexStatus`); without a library service only "ok",
    "empty" or "missing" (content in the database, but the embedded index folder is gone)."""
    services = core.services
    if services.library is not None:
        return services.library.get().index_status()
    settings = services.settings
    generation = services.content.generation()
    if settings.chroma_url or settings.index_dir.exists():
        return IndexStatus("ok", generation, generation)
    return IndexStatus("missing" if services.content.has_chunks() else "empty", generation)


INDEX_REASONS = {
    "missing": "content index missing: it is rebuilt from the database at the next start "
    "(or run `learnbot ingest` again)",
    "stale": "content index is at library version {index}, the database at {library}: it is "
    "rebuilt from the database at the next start",
    "rebuilding": "content index is being rebuilt from the database",
    "unreachable": "vector store unreachable: check CHROMA_URL and the Chroma server",
}


def health(core: App) -> tuple[int, dict[str, object]]:
    """The status code and body of /healthz: 503 when the database cannot be written (every
    message would fail), 200 "degraded" when questions cannot be answered from the index or
    the index holds another library version than the database."""
    database = database_state(core)
    index = index_state(core) if database != "unreachable" else None
    if database != "ok":
        status, reason = 503, f"database {database}"
    elif index is not None and index.state in INDEX_REASONS:
        status = 200
        reason = INDEX_REASONS[index.state].format(index=index.index, library=index.library)
    else:
        status, reason = 200, ""
    body: dict[str, object] = {"status": "ok" if not reason else "degraded"}
    if reason:
        body["reason"] = reason
    body["database"], body["index"] = database, index.state if index else "unknown"
    if index is not None and index.state in ("ok", "stale"):
        body["library_version"], body["index_version"] = index.library, index.index
    return status, body


async def healthz(request: web.Request) -> web.Response:
    """The database and index state and which platforms are mounted (see `health`)."""
    web_app = request.app
    status, body = await asyncio.to_thread(health, web_app[CORE])
    mounted: dict[str, bool] = web_app[MOUNTED]
    for platform, on in mounted.items():
        body[platform] = on
    return web.json_response(body, status=status)


def banner(web_app: web.Application) -> list[str]:
    """Lines saying which platforms are on or off, and why."""
    notes = web_app[NOTES]
    lines = []
    for platform, on in web_app[MOUNTED].items():
        why = notes.get(platform, "" if on else "not set up in this build or settings")
        lines.append(f"  {platform:<6} {'ON ' if on else 'off'}  {why}".rstrip())
    return lines


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log lines without the query string (OAuth codes and states travel there) and
    without the token of a module page path.

    aiohttp's default format logs the whole request line (`%r`), query included.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write the client address, method, path, status, size and seconds taken."""
        self.logger.info(
            '%s "%s %s" %s %s %.3f',
            request.remote or "-",
            request.method,
            redact(request.path),
            response.status,
            response.body_length,
            time,
        )


class UnparsableRequest(logging.Filter):
    """aiohttp logs a request it cannot parse (say a header line over 8,190 bytes) at ERROR,
    with a traceback quoting the start of the offending line, which may hold a token. That is
    the client's fault: keep one INFO line naming the error, without the quote."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a parse failure's record; let every other record through unchanged."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "refused an HTTP request that could not be parsed: %s"
            record.args = (type(error).__name__,)
            record.exc_info, record.exc_text = None, None
        return True


def _guard_server_log() -> None:
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, UnparsableRequest) for f in logger.filters):
        logger.addFilter(UnparsableRequest())


async def start(web_app: web.Application, *, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner and the port actually bound (port 0 picks one)."""
    _guard_server_log()
    runner = web.AppRunner(web_app, handle_signals=False, access_log_class=PathOnlyAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, host=host, port=port, shutdown_timeout=10.0)
    await site.start()
    addresses = runner.addresses
    bound = addresses[0][1] if addresses else port
    return runner, int(bound)


async def serve_forever(
    web_app: web.Application, *, host: str, port: int, echo: Callable[[str], None]
) -> None:
    """Serve until SIGINT or SIGTERM, then finish in-flight work and stop."""
    runner, bound = await start(web_app, host=host, port=port)
    echo(f"learnbot is serving on http://{host}:{bound} (GET /healthz)")
    for line in banner(web_app):
        echo(line)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        echo("learnbot is stopping: finishing work already acknowledged…")
        await runner.cleanup()
        echo("learnbot stopped.")
