"""What a rejected request must leave untouched: every table's row count and the fakes' record."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from bot.app import App
from bot.storage.tables.schema import metadata


def rows(core: App, *, ignore: frozenset[str] = frozenset()) -> dict[str, int]:
    """Rows per table (the index's chunks and the nudge outbox included)."""
    engine = core.services.engine
    present = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in present and table.name not in ignore:
                counts[table.name] = int(
                    conn.execute(select(func.count()).select_from(table)).scalar_one()
                )
    return counts
