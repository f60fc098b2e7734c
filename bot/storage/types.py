"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, DateTime, Engine, Float, any_, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class epoch_seconds(FunctionElement[float]):
    """A `UTCDateTime` column as epoch seconds computed by the database, exactly as
    `datetime.timestamp()` gives them (whole microseconds divided by a million), so bulk
    reads build no datetime objects."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "postgresql")
def _epoch_pg(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part returns float8: (microseconds since the epoch) / 1000000.0, correctly rounded.
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): whole seconds and the six digits after them.
    col = compiler.process(element.clauses, **kw)
    return (
        f"((CAST(strftime('%s', substr({col}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({col}, 21, 6) AS INTEGER)) / 1000000.0)"
    )


def one_of(column: ColumnElement[Any], values: Sequence[Any], *, engine: Engine) -> Any:
    """`column IN values`; on PostgreSQL `column = ANY(array)` with the values as one array
    parameter: an IN list of a thousand bind parameters costs more to build and parse than
    the query costs the server."""
    if engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
