"""Start-up work of the long-running commands (`serve`, `worker`, `chat`): a missing or stale
content index is rebuilt from the stored sections (the library logs its progress)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.ports import LibraryPort

log = logging.getLogger(__name__)
REBUILD_STATES = ("missing", "stale")


def rebuild_index(
    core: App, *, background: bool, echo: Callable[[str], None] | None = None
) -> threading.Thread | None:
    """Rebuild the content index when it is missing or holds another library generation.

    Args:
        core: The built core.
        background: Rebuild in a daemon thread (the server answers meanwhile, saying the
            library is being rebuilt) rather than before returning.
        echo: Also print progress here (the terminal chat); it is always logged.

    Returns:
        The rebuilding thread, or None when nothing runs in the background.
    """
    if core.services.library is None:
        return None
    library = core.services.library.get()
    if library.index_status().state not in REBUILD_STATES:
        return None
    if not background:
        _rebuild(library, echo)
        return None
    thread = threading.Thread(
        target=_rebuild, args=(library, echo), name="learnbot-index-rebuild", daemon=True
    )
    thread.start()
    return thread


def _rebuild(library: LibraryPort, echo: Callable[[str], None] | None) -> None:
    def progress(done: int, total: int, source: str) -> None:
        if echo is not None and (done == total or done % max(1, total // 10) == 0):
            echo(f"rebuilding the content index: {done} of {total} modules")

    if echo is not None:
        echo("The content index is missing or out of date: rebuilding it from the database…")
    try:
        library.rebuild_if_needed(progress)
    except Exception as err:  # noqa: BLE001  (reported; /healthz keeps saying so)
        log.error("rebuilding the content index failed: %s", type(err).__name__)
        if echo is not None:
            echo(f"Rebuilding the content index failed ({type(err).__name__}).")
