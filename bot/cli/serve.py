"""`learnbot serve`: the web server for Slack (and the other chat platforms) and /healthz."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.app import App


def register(app: typer.Typer) -> None:
    """Attach `serve` to the main CLI."""
    app.command("serve")(serve)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def bind_host(host: str | None, *, insecure_dev: bool) -> str:
    """The address to listen on: as given, else this machine only when authentication is off."""
    if host:
        return host
    return "127.0.0.1" if insecure_dev else "0.0.0.0"


def serve(
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.")] = 3000,
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Address to bind (default 0.0.0.0; 127.0.0.1 with --insecure-dev).",
            show_default=False,
        ),
    ] = None,
    socket_mode: Annotated[
        bool,
        typer.Option(
            "--socket-mode", help="Connect to Slack with SLACK_APP_TOKEN (no public URL)."
        ),
    ] = False,
    insecure_dev: Annotated[
        bool,
        typer.Option(
            "--insecure-dev",
            help="Local development only: let platforms that allow it accept unauthenticated "
            "requests (Slack requests are always verified).",
        ),
    ] = False,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also run the nudge scheduler and delivery in this process (on by default; "
            "with PostgreSQL, one replica at a time plans).",
        ),
    ] = True,
) -> None:
    """Serve Slack at POST /slack/events and Teams at POST /api/messages, with GET /healthz."""
    import asyncio
    import logging

    from bot.adapters.server import ServeOptions, build_web_app, serve_forever
    from bot.cli import fail, open_app
    from bot.core.errors import UserError

    if not 0 <= port <= 65535:
        raise fail(f"--port must be between 0 and 65535, not {port}", 2)
    core = open_app()
    logging.basicConfig(
        level=core.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    options = ServeOptions(insecure_dev=insecure_dev, slack_socket_mode=socket_mode)
    try:
        web_app = build_web_app(core, insecure_dev=insecure_dev, options=options)
    except UserError as err:
        raise fail(str(err), 2) from err
    host = bind_host(host, insecure_dev=insecure_dev)
    if insecure_dev:
        typer.secho("WARNING: --insecure-dev is for local development only.", fg="yellow", err=True)
        if host not in LOOPBACK:
            typer.secho(
                f"WARNING: --insecure-dev on {host} accepts unauthenticated requests from the "
                "network.",
                fg="red",
                err=True,
            )
    _warm_up(core)
    stop_worker = _start_worker(core) if worker else None
    try:
        asyncio.run(serve_forever(web_app, host=host, port=port, echo=typer.echo))
    except OSError as err:
        raise fail(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    finally:
        if stop_worker is not None:
            stop_worker()


def _warm_up(core: App) -> None:
    """Rebuild a missing or stale content index, then load the embedding model and the
    search index, in the background at start, so the first question does not wait for them
    (Teams gives a turn about 15 s). Questions asked during a rebuild are told so."""
    import logging
    import threading

    from bot.cli.startup import rebuild_index
    from retrieval.onnx_export import ONNX_FILE_NAME

    if core.services.library is None:
        return
    library = core.services.library.get()
    rebuilding = rebuild_index(core, background=True)

    def run() -> None:
        if rebuilding is not None:
            rebuilding.join()
        # Only load what exists: the one-time model export runs with the first ingest.
        if not (core.settings.models_dir / ONNX_FILE_NAME).is_file():
            return
        if not library.content.has_chunks():
            return
        try:
            library.warm_up()
        except Exception:  # noqa: BLE001  (a warm-up failure shows again on first use)
            logging.getLogger(__name__).warning("warm-up of the content library failed")

    threading.Thread(target=run, name="learnbot-warm-up", daemon=True).start()


def _start_worker(core: App) -> Callable[[], None]:
    """Nudge planning and delivery in background threads, through this server's chat ports."""
    from nudges.worker import start_in_process

    typer.echo("Nudges: scheduler and delivery running in this process (--no-worker to turn off)")
    return start_in_process(core.services)
