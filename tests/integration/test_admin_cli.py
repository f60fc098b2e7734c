"""`learnbot org import` and `learnbot audit` as processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conversations.test_team import CHART


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEARNBOT_HOME": str(tmp_path / "home")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_org_import_then_audit(tmp_path: Path) -> None:
    chart = tmp_path / "org.csv"
    chart.write_text(CHART, encoding="utf-8")
    done = _cli(tmp_path, "org", "import", str(chart), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"people": 8, "managers": 3, "linked_learners": 0}
    loop = tmp_path / "loop.csv"
    loop.write_text(
        "email,manager_email,department,location,role\n"
        "a@example.com,b@example.com,D,L,R\nb@example.com,a@example.com,D,L,R\n",
        encoding="utf-8",
    )
    bad = _cli(tmp_path, "org", "import", str(loop))
    assert bad.returncode == 1
    assert "reporting loop" in bad.stderr
    missing = _cli(tmp_path, "org", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    audit = _cli(tmp_path, "audit", "--json", "--limit", "5")
    assert audit.returncode == 0, audit.stderr
    entries = json.loads(audit.stdout)
    assert [e["action"] for e in entries] == ["org.import"]
    assert entries[0]["detail"]["people"] == 8
    text = _cli(tmp_path, "audit")
    assert "org.import" in text.stdout
