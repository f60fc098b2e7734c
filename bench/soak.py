"""A local cluster under load, with kills: lost or duplicated answers and nudges.

Starts, on this machine: a fresh PostgreSQL database (`learnbot_soak_<pid>`, dropped at the
end), `chroma run` on a free port, two `learnbot serve` replicas (each also delivering
nudges, as in deploy/compose.yaml) behind a round-robin proxy, two `learnbot worker`s, and
the tests' fake Slack Web API and fake Bot Framework (tests/adapters/slack/fake_slack.py,
tests/adapters/teams/fakes.py), both answering some calls with 429 + Retry-After.

N simulated learners (a quarter on Teams) then write, click buttons and run commands for M
minutes: signed Slack events and interactions, and Bot Framework activities with tokens
signed by the fake's key, all through the proxy. Some learners are onboarded with every hour
a working one and get nudges planned into the outbox in waves during the run. Mid-run K
times a replica and a worker are killed (SIGKILL) and started again.

An answer is the bot's reply to one learner message (a DM in its own thread on Slack, an
activity on Teams, matched by its reply-to id, whether it came in the turn or proactively).
Each process incarnation talks to the fakes with a token of its own, so answers to one
message from two incarnations are a duplicate; within one incarnation an answer is one run of
posts and updates. A "Looking that up…" placeholder is no answer: one that only shows the
message was lost; one left beside an answer (its holder died, another answered) is counted in
`placeholders_stale`. Printed: one JSON line `{"learners", "messages", "answers_lost",
"answers_duplicated", "placeholders_stale", "nudges_due", "nudges_sent", "nudges_duplicated",
"nudges_resent_after_crash", "nudges_lost", "ack_p99_ms", "turn_p99_ms", "errors"}`; the exit
status is 1 when anything is lost or duplicated beyond README's promises (Slack nudges exactly
once, a Teams nudge resent at most once after a crash). `errors`: requests never acknowledged
(after Slack's retries; a Teams turn in flight at a killed replica is one) and processes that
exited on their own.

    python bench/soak.py [--learners 1000] [--minutes 5] [--kills 1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_cluster import (  # noqa: E402
    Proc,
    Proxy,
    _fake_teams_class,
    database,
    free_port,
    run_replica,
    start_chroma,
    wait_http,
)
from bench.soak_traffic import (  # noqa: E402
    SECRET,
    TEAM,
    Driver,
    Ledger,
    Stats,
    learner,
    slack_user,
    teams_aad,
    teams_chat,
)

DRAIN_SECONDS = 100.0


# -- nudges ----------------------------------------------------------------------------------


def seed_nudge_learners(settings: Any, fake: Any, slack_ids: list[int], teams_ids: list[int]):  # type: ignore[no-untyped-def]
    """Onboarded learners for whom every minute is a working one; Teams chats remembered."""
    from bot.app import build_app
    from bot.core.events import Identity, UserInfo
    from bot.storage.conversations import ConversationRef, ConversationRepository
    from tests.adapters.teams.fakes import TENANT
    from tests.faults.workers import ALWAYS

    core = build_app(settings)
    services = core.services
    now = datetime.now(UTC)
    chats = ConversationRepository(services.engine)
    learners = []
    for n in slack_ids:
        identity = Identity("slack", TEAM, slack_user(n))
        learners.append(services.learners.resolve(identity, UserInfo(f"S{n}"), now=now).id)
    for n in teams_ids:
        identity = Identity("teams", TENANT, teams_aad(n))
        learners.append(services.learners.resolve(identity, UserInfo(f"T{n}"), now=now).id)
        reference = {
            "bot": {"id": "28:bot", "name": "learnbot"},
            "user": {"id": f"29:soak-{n}", "aadObjectId": teams_aad(n)},
            "conversation": {"conversationType": "personal", "id": teams_chat(n)},
            "channelId": "msteams",
            "serviceUrl": fake.service_url,
        }
        chats.remember(
            ConversationRef(
                teams_chat(n),
                TENANT,
                "personal",
                fake.service_url,
                reference,
                f"29:soak-{n}",
                teams_aad(n),
            ),
            now=now,
        )
    for lid in learners:
        profile = services.profiles.get(lid).with_changes(onboarded_at=now, **ALWAYS)
        services.profiles.save(lid, profile, now=now)
    return core, learners


def plan_wave(core: Any, learners: list[str], wave: int) -> None:
    """Plan one nudge for each of `learners`, due in a few seconds (the outbox API the
    planning tick writes through)."""
    from nudges.planner import NEXT_STEP, PlannedNudge
    from nudges.service import nudge_service

    outbox = nudge_service(core.services).outbox
    now = datetime.now(UTC)
    at = now + timedelta(seconds=3)
    for lid in learners:
        plan = PlannedNudge(
            at, at, NEXT_STEP, f"soak-{wave}", None, f"Soak step {wave}", "why now", 5, 1.0
        )
        outbox.apply_plan(lid, [plan], now=now)


def nudge_rows(core: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from bot.storage.tables import outbox

    with core.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox))]


# -- the run ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def busy(replica: Proc, ledger: Ledger, stats: Stats, slack: Any, teams: Any) -> int:
    """Wait (up to 10 s) until `replica` holds an acknowledged, unanswered message, so the
    kill catches work in flight."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        ledger.scan(slack, teams)
        held = [
            k
            for k, u in list(stats.upstream.items())
            if u == replica.url and k in stats.sent and not ledger.answered(k)
        ]
        if held:
            return len(held)
        await asyncio.sleep(0.05)
    return 0


def phase(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(f"soak: {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


async def soak(args: argparse.Namespace, settings: Any, env: dict[str, str], tmp: Path) -> dict:  # type: ignore[type-arg]
    from tests.adapters.slack.fake_slack import FakeSlack

    RefusalsKept = _fake_teams_class()
    slack = FakeSlack(auto_users=True).start()
    teams_fake = RefusalsKept().start()
    env = env | {"SLACK_API_URL": slack.url}
    logs = tmp / "logs"
    logs.mkdir()
    n_teams = args.learners // 4
    teams_ns = list(range(n_teams))
    slack_ns = list(range(n_teams, args.learners))
    nudged_slack = slack_ns[:: max(1, len(slack_ns) // max(1, args.learners // 5))]
    nudged_teams = teams_ns[:: max(1, len(teams_ns) // max(1, args.learners // 15))]
    python = sys.executable
    replicas = []
    for name in ("serve-a", "serve-b"):
        port = free_port()
        command = [python, str(Path(__file__)), "replica", "--port", str(port)]
        proc = Proc(name, [*command, "--teams-fake", teams_fake.url], env, logs)
        proc.url = f"http://127.0.0.1:{port}"
        replicas.append(proc)
    workers = [
        Proc(name, [python, "-m", "bot.cli", "worker"], env, logs)
        for name in ("worker-a", "worker-b")
    ]
    everyone = replicas + workers
    ledger, stats = Ledger(), Stats()
    proxy = Proxy([r.url for r in replicas])
    driver: Driver | None = None
    core: Any = None
    try:
        # The processes start (each loading its models) while the nudged learners are seeded.
        for proc in everyone:
            proc.start()
        core, nudge_learners = await asyncio.to_thread(
            seed_nudge_learners, settings, teams_fake, nudged_slack, nudged_teams
        )
        for proc in replicas:
            await asyncio.to_thread(wait_http, proc.url + "/healthz", 180, proc.name, proc.proc)  # type: ignore[arg-type]
        await proxy.start()
        phase(args, "replicas up; learners start")
        driver = Driver(proxy.url, teams_fake, ledger, stats)
        seconds = args.minutes * 60
        begin = time.monotonic()
        end = begin + seconds
        gap = max(0.5, args.learners / args.rate)
        ramp = min(seconds * 0.3, 30.0)
        tasks = [
            asyncio.create_task(
                learner(
                    driver,
                    n,
                    teams=n < n_teams,
                    start=begin + ramp * n / max(1, args.learners),
                    end=end,
                    gap=gap,
                )
            )
            for n in range(args.learners)
        ]
        waves = 4
        wave_size = -(-len(nudge_learners) // waves)
        # Kills in the first 60% of the run, so a dead holder's events (taken over by the
        # other replica within two event leases) come back within the run or the drain.
        kill_at = [begin + seconds * 0.6 * (k + 1) / (args.kills + 1) for k in range(args.kills)]
        wave_at = [begin + seconds * (w + 0.5) / (waves + 1) for w in range(waves)]
        rate_limit_every, next_limit = 5.0, begin + 5.0
        while time.monotonic() < end:
            ledger.scan(slack, teams_fake)
            now = time.monotonic()
            if wave_at and now >= wave_at[0]:
                w = waves - len(wave_at)
                wave_at.pop(0)
                chunk = nudge_learners[w * wave_size : (w + 1) * wave_size]
                await asyncio.to_thread(plan_wave, core, chunk, w)
            if kill_at and now >= kill_at[0]:
                kill_at.pop(0)
                k = args.kills - len(kill_at) - 1
                held = await busy(replicas[k % 2], ledger, stats, slack, teams_fake)
                phase(args, f"killing {replicas[k % 2].name} holding {held} unanswered message(s)")
                for proc in (replicas[k % 2], workers[k % 2]):
                    proc.kill()
                await asyncio.sleep(1.0)
                for proc in (replicas[k % 2], workers[k % 2]):
                    proc.start()
            if now >= next_limit:
                next_limit = now + rate_limit_every
                slack.fail("chat.postMessage", 429, retry_after=1)
                teams_fake.fail_next(429, retry_after="1")
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks)
        phase(args, "load over; draining")
        load_end = datetime.now(UTC)
        # Drain: every acknowledged message answered, every due nudge settled (or time out).
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            ledger.scan(slack, teams_fake)
            rows = await asyncio.to_thread(nudge_rows, core)
            open_rows = [
                r
                for r in rows
                if r["status"] in ("pending", "claimed", "retry") and r["due_at"] <= load_end
            ]
            if all(ledger.answered(k) for k in stats.sent) and not open_rows:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(3.0)  # late duplicates
        ledger.scan(slack, teams_fake)
        rows = await asyncio.to_thread(nudge_rows, core)
        phase(args, "drained")
        crashed = sum(1 for p in everyone if p.exited_on_its_own())
    finally:
        if driver is not None:
            await driver.session.close()
        await proxy.stop()
        phase(args, "peak memory (MB): " + ", ".join(f"{p.name} {p.peak_mb()}" for p in everyone))
        for proc in everyone:
            proc.terminate()
        await asyncio.gather(
            *(asyncio.to_thread(p.stop) for p in everyone),
            asyncio.to_thread(slack.stop),
            asyncio.to_thread(teams_fake.stop),
        )
        if core is not None:
            core.services.engine.dispose()
        phase(args, "cluster stopped")
    if args.keep:
        details = {
            "lost": {k: stats.what.get(k) for k in stats.sent if not ledger.answered(k)},
            "duplicated": {
                k: [stats.what.get(k), sorted(ledger.writers(k))]
                for k in stats.sent
                if len(ledger.writers(k)) > 1
            },
            "nudges": {k: v for k, v in ledger.nudges.items() if len(v) > 1},
            "failures": stats.failures,
            "slack": [
                [
                    c.method,
                    c.params.get("channel"),
                    c.params.get("thread_ts"),
                    c.params.get("ts"),
                    c.token,
                    str(c.params.get("text"))[:50],
                    c.at,
                    (c.response or {}).get("ts"),
                ]
                for c in slack.calls
                if c.method.startswith("chat.")
            ],
            "teams": [
                [c.conversation_id, c.activity_id, c.authorization[-12:]] for c in teams_fake.calls
            ],
        }
        (tmp / "details.json").write_text(json.dumps(details, indent=1, default=str))
    return report(args, load_end, stats, ledger, rows, crashed, logs)


def report(
    args: argparse.Namespace,
    load_end: datetime,
    stats: Stats,
    ledger: Ledger,
    rows: list[dict[str, Any]],
    crashed: int,
    logs: Path,
) -> dict[str, Any]:
    lost = [k for k in stats.sent if not ledger.answered(k)]
    duplicated = [k for k in stats.sent if len(ledger.writers(k)) > 1]
    turns = [ledger.first_seen[k] - t for k, t in stats.sent.items() if k in ledger.first_seen]
    due = [r for r in rows if r["status"] != "cancelled" and r["due_at"] <= load_end]
    sent = [r for r in due if ledger.nudges.get(r["id"])]
    nudge_lost = [
        {k: str(r[k]) for k in ("status", "attempts", "last_error", "due_at", "sent_at")}
        for r in due
        if not ledger.nudges.get(r["id"])
    ]
    nudge_dup = resent = 0
    for r in due:
        posts = ledger.nudges.get(r["id"], [])
        # Teams' promise: a nudge whose outcome was unknown is sent once more, marked.
        marked = len(posts) == 2 and posts[1][1] and not posts[0][1]
        if marked and posts[0][0].startswith("Bearer"):
            resent += 1
        else:
            nudge_dup += max(0, len(posts) - 1)
    if lost or duplicated or nudge_lost:
        sample = {"lost": lost[:5], "duplicated": duplicated[:5], "nudges_lost": nudge_lost[:5]}
        print(f"soak: examples {json.dumps(sample)}; logs in {logs}", file=sys.stderr)
    return {
        "learners": args.learners,
        "messages": len(stats.sent),
        "answers_lost": len(lost),
        "answers_duplicated": len(duplicated),
        "placeholders_stale": sum(1 for k in stats.sent if ledger.stale(k)),
        "nudges_due": len(due),
        "nudges_sent": len(sent),
        "nudges_duplicated": nudge_dup,
        "nudges_resent_after_crash": resent,
        "nudges_lost": len(nudge_lost),
        "ack_p99_ms": round(percentile(stats.acks, 0.99) * 1000, 1),
        "turn_p99_ms": round(percentile(turns, 0.99) * 1000, 1),
        "errors": stats.errors + crashed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="role")
    replica = sub.add_parser("replica")
    replica.add_argument("--port", type=int, required=True)
    replica.add_argument("--teams-fake", required=True)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--rate", type=float, default=12.0, help="learner actions per second")
    parser.add_argument(
        "--event-lease",
        type=float,
        default=15.0,
        help="LEARNBOT_EVENT_LEASE_SECONDS of the replicas: how soon a killed one's messages "
        "are taken over",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the logs and data folder")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL URL whose server gets the soak's own database",
    )
    parser.add_argument(
        "--models-dir",
        default=str(ROOT / ".learnbot" / "models"),
        help="cache of the exported encoder, shared by every process",
    )
    args = parser.parse_args()
    if args.role == "replica":
        run_replica(args.port, args.teams_fake)
        return 0
    if args.learners < 1 or args.minutes <= 0 or args.kills < 0 or args.event_lease < 5:
        parser.error(
            "--learners and --minutes must be positive, --kills at least 0, "
            "--event-lease at least 5"
        )
    from bot.settings import Settings
    from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT

    tmp = Path(tempfile.mkdtemp(prefix="learnbot-soak-"))
    chroma = None
    try:
        with database(args.postgres) as url:
            chroma, chroma_url = start_chroma(tmp)
            values = {
                "LEARNBOT_HOME": str(tmp / "home"),
                "LEARNBOT_MODELS_DIR": args.models_dir,
                "DATABASE_URL": url,
                "CHROMA_URL": chroma_url,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_BOT_TOKEN": "xoxb-soak",
                "MICROSOFT_APP_ID": APP_ID,
                "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
                "MICROSOFT_APP_TENANT_ID": TENANT,
                "LEARNBOT_DELIVERY_POLL_SECONDS": "1",
                "LEARNBOT_DELIVERY_LEASE_SECONDS": "20",
                "LEARNBOT_EVENT_LEASE_SECONDS": f"{args.event_lease:g}",
                "LEARNBOT_NUDGE_TICK_SECONDS": "30",
                "LEARNBOT_LOG_LEVEL": "WARNING",
            }
            base = {
                k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEARNBOT_"))
            }
            base.pop("DATABASE_URL", None)
            base.pop("CHROMA_URL", None)
            env = base | values | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
            env |= {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
            env |= {"OPENBLAS_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
            phase(args, "database and chroma up; loading the sample library")
            init = [sys.executable, "-m", "bot.cli", "init", "--sample"]
            subprocess.run(init, env=env, cwd=ROOT, check=True, capture_output=True)
            phase(args, "library loaded; starting the cluster")
            settings = Settings(**values, _env_file=None)  # type: ignore[arg-type]
            result = asyncio.run(soak(args, settings, env, tmp))
    finally:
        if chroma is not None:
            chroma.kill()  # its data is a temporary folder
            chroma.wait(20)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if not args.json:
        print(f"soak: {args.learners} learners, {args.minutes} min, {args.kills} kill(s)")
    print(json.dumps(result))
    bad = ("answers_lost", "answers_duplicated", "nudges_duplicated", "nudges_lost")
    return 1 if any(result[k] for k in bad) else 0


_ = threading  # the fakes run their servers on threads of their own

if __name__ == "__main__":
    sys.exit(main())
