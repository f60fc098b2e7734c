"""Importers for files admins send to the bot: quiz banks, frameworks and org charts.

`bot.handlers.files` picks one by the kind of file received. Each imports all or nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.replies import Reply, say
from bot.handlers.admin import audit


def _safe_name(name: str) -> str:
    base = PurePath(name).name.replace("\\", "_")
    return base[:120] or "upload"


def import_quiz(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """A quiz bank (YAML, CSV, GIFT or Aiken) sent in chat."""
    from bot.features.quiz.bank import import_bank_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        report = import_bank_file(ctx.services, path)
    if report.errors:
        first = report.errors[0]
        raise UserError(
            msg.IMPORT_QUIZ_FAILED.format(
                name=name,
                line=first["line"],
                error=first["message"],
                problems=msg.plural(len(report.errors), "problem"),
            )
        )
    audit(ctx, "quiz.import", name, imported=report.imported, skipped=len(report.skipped))
    return [
        say(
            msg.IMPORT_QUIZ_DONE.format(
                name=name,
                items=msg.plural(report.imported, "quiz item"),
                skipped=len(report.skipped),
            )
        )
    ]


def import_framework(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """A competency framework (YAML or JSON) sent in chat; replaces the current one."""
    from bot.features.imports import check_replacement, load_framework_file, uncovered_note

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        try:
            framework = load_framework_file(path)
        except UserError as err:
            # Word the error with the upload's name, not the server's temporary path.
            raise UserError(str(err).replace(str(path), name)) from err
    # No --replace-all in chat: emptying the framework is a deliberate act at the shell.
    check_replacement(ctx.services.framework.get(), framework, replace_all=False)
    ctx.services.framework.replace(framework)
    counts = {"competencies": len(framework.competencies), "roles": len(framework.roles)}
    audit(ctx, "framework.import", name, **counts)
    competencies = msg.plural(counts["competencies"], "competency", "competencies")
    roles = msg.plural(counts["roles"], "role")
    done = msg.IMPORT_FRAMEWORK_DONE.format(name=name, competencies=competencies, roles=roles)
    note = uncovered_note(framework, ctx.services.items.competencies())
    return [say(done, *([note] if note else []))]


def import_org_file(ctx: Context, name: str, data: bytes) -> list[Reply]:
    """An org chart CSV sent in chat."""
    from bot.features.org import import_org

    services = ctx.services
    result = import_org(
        data,
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=ctx.now,
    )
    audit(ctx, "org.import", name, **result.as_json())
    return [
        say(
            msg.ORG_IMPORTED.format(
                people=msg.plural(result.people, "person", "people"),
                managers=msg.plural(result.managers, "manager"),
                linked=result.linked,
            )
        )
    ]
