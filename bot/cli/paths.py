"""`learnbot path ...` and `learnbot report equity`: paths and their fairness, from the shell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli import JsonOpt, UserOpt

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.model import Learner
    from learning.equity import EquityReport

path_app = typer.Typer(help="Learning paths: show a learner's path, waive a required module.")
report_app = typer.Typer(help="Reports: fairness of recommendations across groups.")


def register(app: typer.Typer) -> None:
    """Attach the path and report commands to the main CLI."""
    app.add_typer(path_app, name="path")
    app.add_typer(report_app, name="report")


def _learner(core: App, user: str) -> Learner:
    from bot.cli import fail, parse_user

    learner = core.services.learners.find(parse_user(user))
    if learner is None:
        raise fail(f"no learner '{user}': they have not talked to learnbot yet")
    return learner


def _notes(lines: tuple[str, ...]) -> None:
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


@path_app.command("show")
def path_show(user: UserOpt, as_json: JsonOpt = False) -> None:
    """Print a learner's path in order: module, title, minutes, reason and status."""
    from bot.cli import emit_json, open_app
    from bot.features.paths.service import PathService

    core = open_app()
    learner = _learner(core, user)
    planned = PathService(core.services).plan(learner.id, now=core.services.clock.now())
    path = planned.path
    _notes(path.warnings + path.notices)
    if as_json:
        emit_json(path.rows())
        return
    if not path.steps:
        typer.echo("The path is empty: no role or goal matched, or the library has no modules.")
        return
    typer.echo(f"{'#':>3}  {'status':<8} {'min':>4}  {'module':<40} reason")
    for number, step in enumerate(path.steps, 1):
        typer.echo(
            f"{number:>3}  {step.status:<8} {step.minutes:>4}  {step.module_id:<40} {step.reason}"
        )
    typer.echo(
        f"{path.total_minutes} minutes to study in {path.sessions} sessions "
        f"of up to {planned.prefs.session_minutes} minutes."
    )


@path_app.command("waive")
def path_waive(
    user: UserOpt,
    module: Annotated[str, typer.Argument(help="The required module to waive.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is waived (recorded).")],
) -> None:
    """Waive a module the learner's role requires (recorded in the audit log)."""
    from bot.cli import fail, open_app
    from bot.features.paths.service import PathService

    if not reason.strip():
        raise fail("give a reason with --reason", 2)
    core = open_app()
    learner = _learner(core, user)
    services, now = core.services, core.services.clock.now()
    paths = PathService(services)
    step = paths.plan(learner.id, now=now).path.step(module)
    if step is None or not step.required:
        raise fail(f"'{module}' is not a required module of this learner's role")
    waiver = paths.repo.waive(learner.id, module, reason=reason, actor="cli", now=now)
    services.audit.record(
        actor="cli",
        action="path.waive",
        target=f"{learner.id}:{module}",
        detail={"waiver": waiver, "reason": reason[:500]},
        now=now,
    )
    paths.repo.record(
        learner.id,
        "waiver",
        subject=module,
        inputs={"reason": reason[:500], "actor": "cli"},
        output={"waiver": waiver},
        now=now,
    )
    typer.echo(f"Waived {module} for {user} (waiver {waiver}).")


@report_app.command("equity")
def report_equity(
    by: Annotated[
        str, typer.Option("--by", help="job_role, or a profile attribute such as department.")
    ],
    as_json: JsonOpt = False,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Flag gaps above this (0.1 = 10 points).")
    ] = 0.1,
) -> None:
    """Compare recommendation, exemption and completion rates across groups of learners."""
    from bot.cli import emit_json, fail, open_app
    from bot.features.paths.report import equity

    if not 0.0 <= threshold <= 1.0:
        raise fail("--threshold must be between 0 and 1 (0.1 means 10 points)", 2)
    if not by.strip():
        raise fail("--by needs an attribute name", 2)
    core = open_app()
    repo = core.services.path_records
    report, missing = equity(core.services, repo, attribute=by.strip(), threshold=threshold)
    if as_json:
        emit_json({**report.to_dict(), "learners_without_recommendations": missing})
        return
    _print_report(report, missing)


def _rate(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:3.0f}%"


def _print_report(report: EquityReport, missing: int) -> None:
    typer.echo(
        f"Equity by {report.attribute} (gaps above {report.threshold * 100:g} points flagged)"
    )
    typer.echo(
        f"{'group':<24} {'learners':>8} {'recommended':>12} {'exempted':>9} {'completed':>10}"
    )
    for g in report.groups:
        if g.too_small:
            typer.echo(
                f"{g.group:<24} {g.learners:>8}  too small to compare (< {report.min_group})"
            )
            continue
        typer.echo(
            f"{g.group:<24} {g.learners:>8} {_rate(g.recommendation_rate):>12} "
            f"{_rate(g.exemption_rate):>9} {_rate(g.completion_rate):>10}"
        )
    for gap in report.gaps:
        mark = "FLAG" if gap.flagged else "ok  "
        typer.echo(
            f"[{mark}] {gap.metric}: {gap.gap * 100:.1f} points between "
            f"{gap.highest} (highest) and {gap.lowest} (lowest)"
        )
    if not report.gaps:
        typer.echo("Fewer than two groups are large enough to compare.")
    if missing:
        typer.echo(f"{missing} learners were never shown a path and are not counted.")
