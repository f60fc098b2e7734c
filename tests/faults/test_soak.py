"""The soak in small: a local cluster (PostgreSQL, Chroma, two replicas, two workers) with
200 learners for a minute and one replica and one worker killed mid-run; nothing is lost
or duplicated beyond README's promises (bench/soak.py says how it counts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, REPO

pytestmark = pytest.mark.slow

COUNTS = (
    "answers_lost",
    "answers_duplicated",
    "nudges_duplicated",
    "nudges_lost",
)


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as err:
        return f"PostgreSQL unreachable at {PG_URL}: {type(err).__name__}"
    finally:
        engine.dispose()
    return None


def test_a_soak_with_a_replica_and_a_worker_killed_loses_and_duplicates_nothing(
    shared_models_dir: Path,
) -> None:
    absent = postgres_reachable()
    if absent:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{absent} (CI=true needs it)")
        pytest.skip(absent)
    command = [sys.executable, str(REPO / "bench" / "soak.py"), "--learners", "200"]
    command += ["--minutes", "1", "--kills", "1", "--json", "--postgres", PG_URL]
    command += ["--models-dir", str(shared_models_dir)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    result = json.loads(lines[-1])
    assert {k: result[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0), done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert result["learners"] == 200
    assert result["messages"] > 200  # every learner wrote at least once
    assert result["nudges_due"] > 0
    assert result["nudges_sent"] == result["nudges_due"]
