"""Command line for quizzes: import banks, calibrate and inspect items, review exemptions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from bot.app import App
    from learning.calibration import CalibrationResult

quiz_app = typer.Typer(help="Quiz banks: import questions from YAML, CSV, GIFT or Aiken files.")
items_app = typer.Typer(help="Quiz items: calibrate parameters from answers, item statistics.")
exemptions_app = typer.Typer(help="Exemptions granted by quizzes: list them, revoke one.")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
UserOpt = Annotated[
    str, typer.Option("--user", help="A terminal user name, slack:TEAM:USER or teams:TENANT:USER.")
]


def register(app: typer.Typer) -> None:
    """Attach the quiz, items and exemptions command groups."""
    app.add_typer(quiz_app, name="quiz")
    app.add_typer(items_app, name="items")
    app.add_typer(exemptions_app, name="exemptions")


@quiz_app.command("import")
def quiz_import(
    file: Annotated[Path, typer.Argument(help="A .yaml/.yml, .csv, .gift, .aiken or .txt bank.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid items of a file with errors.")
    ] = False,
    competency: Annotated[
        str | None,
        typer.Option(
            "--competency",
            help="Competency (id or title) of items the file cannot name one for: every Aiken "
            "question, GIFT questions outside a $CATEGORY, CSV rows and YAML items without one.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import quiz items from FILE; a file with errors imports nothing unless --skip-invalid."""
    from bot.cli import audit_cli, emit_json, open_app
    from bot.features.quiz.bank import import_bank_file

    core = open_app()
    report = import_bank_file(core.services, file, skip_invalid=skip_invalid, competency=competency)
    failed = bool(report.errors) and not skip_invalid
    audit_cli(
        core,
        "quiz.import",
        file.name,
        imported=report.imported,
        skipped=len(report.skipped),
        errors=len(report.errors),
    )
    if as_json:
        emit_json(report.as_json())
    else:
        for s in report.skipped:
            typer.echo(f"line {s['line']}: skipped: {s['reason']}")
        for e in report.errors:
            typer.secho(f"line {e['line']}: error: {e['message']}", fg=typer.colors.RED, err=True)
        typer.echo(f"Imported {report.imported} items, skipped {len(report.skipped)}.")
        if failed and any(e["line"] for e in report.errors):
            typer.echo("Nothing was imported: fix the errors, or use --skip-invalid.")
        elif failed:  # the file itself is the problem (missing, unreadable, unknown format)
            typer.echo("Nothing was imported.")
    raise typer.Exit(1 if failed else 0)


def _print_calibration(result: CalibrationResult) -> None:
    typer.echo(f"{'item':<30} {'a':>8} {'b':>8}")
    for item_id, (a, b) in result.items.items():
        typer.echo(f"{item_id:<30} {a:>8.3f} {b:>8.3f}")
    typer.echo(f"log-likelihood: {result.log_likelihood:.3f}")


@items_app.command("calibrate")
def items_calibrate(
    responses: Annotated[
        Path | None,
        typer.Option(
            "--responses",
            help="A CSV: a header of item ids, then one row per learner of 1, 0 or empty. "
            "Without it, the stored answers are used and the parameters stored.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate 2PL item parameters (a, b) by marginal maximum likelihood."""
    from bot.cli import emit_json, fail, open_app
    from bot.core.errors import UserError
    from bot.features.quiz.bank import calibrate_file, calibrate_stored, calibration_json

    note = ""
    try:
        if responses is not None:
            result = calibrate_file(responses)
        else:
            result, updated, learners = calibrate_stored(open_app().services)
            note = f"Stored parameters for {updated} items (from {learners} learners)."
    except UserError as err:
        raise fail(str(err)) from err
    for item_id, reason in result.excluded.items():
        typer.echo(f"note: {item_id} left out: {reason}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not result.converged:
        typer.echo("note: the optimiser did not fully converge", err=True)
    if as_json:
        emit_json(calibration_json(result))
    else:
        _print_calibration(result)
    if note:
        typer.echo(note, err=as_json)


@items_app.command("stats")
def items_stats(as_json: JsonOpt = False) -> None:
    """Per item: answers, proportion correct, point-biserial, answers in lessons, and flags."""
    from bot.cli import emit_json, open_app
    from bot.features.quiz.bank import stored_item_stats

    rows = stored_item_stats(open_app().services)
    if as_json:
        emit_json({"items": rows})
        return
    typer.echo(f"{'item':<28} {'answers':>7} {'p':>6} {'r_pb':>6} {'lesson':>6}  flags")
    for r in rows:
        p = "-" if r["p_correct"] is None else f"{r['p_correct']:.2f}"
        rpb = "-" if r["point_biserial"] is None else f"{r['point_biserial']:.2f}"
        flags = ", ".join(r["flags"])
        practice = r["practice_answers"]
        typer.echo(f"{r['id']:<28} {r['answers']:>7} {p:>6} {rpb:>6} {practice:>6}  {flags}")
    typer.echo(
        "answers, p and r_pb: first answers in quizzes and checks; lesson: answers in lessons"
    )


def _learner_id(core: App, ref: str) -> str:
    from bot.cli import fail, parse_user

    learner = core.services.learners.find(parse_user(ref))
    if learner is None:
        raise fail(f"no learner {ref!r}: they have not talked to learnbot yet")
    return learner.id


def _exemption_json(e: Any) -> dict[str, Any]:
    return {
        "competency": e.competency,
        "active": e.active,
        "granted_at": e.granted_at.isoformat(),
        "p_mastery": round(e.p_mastery, 4),
        "estimate": round(e.theta, 4),
        "se": round(e.se, 4),
        "cut_score": e.cut,
        "threshold": e.threshold,
        "evidence": list(e.evidence),
        "modules": list(e.modules),
        "overridden_by": e.overridden_by,
        "overridden_at": e.overridden_at.isoformat() if e.overridden_at else None,
    }


@exemptions_app.command("list")
def exemptions_list(user: UserOpt, as_json: JsonOpt = False) -> None:
    """A learner's exemptions with their evidence (active and revoked)."""
    from bot.cli import emit_json, open_app

    core = open_app()
    found = core.services.mastery.exemptions(_learner_id(core, user))
    if as_json:
        emit_json({"user": user, "exemptions": [_exemption_json(e) for e in found]})
        return
    if not found:
        typer.echo("No exemptions.")
    for e in found:
        state = (
            "active" if e.active else f"revoked by {e.overridden_by} at {e.overridden_at:%Y-%m-%d}"
        )
        typer.echo(
            f"{e.competency}: {state}; granted {e.granted_at:%Y-%m-%d} on {len(e.evidence)} "
            f"answers, P(mastery) {e.p_mastery:.2f}, estimate {e.theta:.2f} ± {e.se:.2f}, "
            f"cut {e.cut:.2f}"
        )


@exemptions_app.command("revoke")
def exemptions_revoke(
    user: UserOpt,
    competency: Annotated[str, typer.Argument(help="The competency id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
) -> None:
    """Revoke a learner's exemption: they study the competency's modules after all."""
    from bot.cli import fail, open_app

    core = open_app()
    learner_id = _learner_id(core, user)
    services = core.services
    now = services.clock.now()
    if not services.mastery.revoke(learner_id, competency, by="cli", now=now):
        raise fail(f"{user} has no active exemption from '{competency}'")
    services.audit.record(
        actor="cli",
        action="exemption.revoke",
        target=learner_id,
        detail={"competency": competency, "reason": reason[:500]},
        now=now,
    )
    typer.echo(f"Revoked the exemption of {user} from '{competency}'.")
