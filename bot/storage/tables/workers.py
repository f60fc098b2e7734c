"""Coordination between worker processes: job leases and shared send-pacing buckets.

Times here are seconds since the epoch as the database reads them (never a worker's own
clock), so workers whose clocks disagree still agree on who holds a lease.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table

from bot.storage.tables.schema import metadata

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=True),
    Column("lease_until", Float, nullable=False, server_default="0"),
    Column("next_due", Float, nullable=False, server_default="0"),
    Column("last_run", Float, nullable=True),
)

pace_buckets = Table(
    "pace_buckets",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
    Column("not_before", Float, nullable=False, server_default="0"),
)
