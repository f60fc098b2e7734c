"""`/learn admin ...`: roles, the content library, gaps, item and lesson statistics, equity.

Every subcommand checks the admin role again (the router already did) and is written to the
audit log, reads included, so the log shows who looked at what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.core.ports import LibraryPort
from bot.core.replies import Reply, Section, Text, say
from bot.features.admin_content import item_summary, module_fields, module_line
from bot.features.gaps import GapLog, GapView
from bot.features.roles import grant, revoke, split_args, target_identity
from bot.handlers.lessons import admin_lessons
from bot.storage.content import ModuleRecord

MAX_LINES = 40
Sub = Callable[[Context, list[str]], list[Reply]]


def audit(ctx: Context, action: str, target: str = "", **detail: Any) -> None:
    """Append an admin or manager action to the audit log."""
    ctx.services.audit.record(
        actor=ctx.learner.id, action=action, target=target, detail=detail, now=ctx.now
    )


def handle(ctx: Context, args: str) -> list[Reply]:
    """Dispatch `/learn admin SUBCOMMAND ...` (the router has checked the admin role)."""
    words = split_args(args)
    name = words[0].lower() if words else ""
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        raise UserError(msg.ADMIN_USAGE)
    replies = sub(ctx, words[1:])
    audit(ctx, f"admin.{name}", " ".join(words[1:2]), args=" ".join(words[1:])[:200])
    return replies


def _need(words: list[str], count: int, usage: str) -> None:
    if len(words) < count:
        raise UserError(msg.MISSING_ARGS.format(name="admin", usage=f"`/learn admin {usage}`"))


def _grant(ctx: Context, words: list[str]) -> list[Reply]:
    _need(words, 2, "grant @user admin|manager")
    services = ctx.services
    target = target_identity(ctx.event.identity, words[0], learners=services.learners)
    roles = grant(target, words[1].lower(), learners=services.learners, now=ctx.now)
    return [
        say(
            msg.ROLE_GRANTED.format(
                name=target.name, role=words[1].lower(), roles=", ".join(sorted(roles))
            )
        )
    ]


def _revoke(ctx: Context, words: list[str]) -> list[Reply]:
    _need(words, 2, "revoke @user admin|manager")
    services = ctx.services
    target = target_identity(ctx.event.identity, words[0], learners=services.learners)
    if target.id == ctx.learner.id and words[1].lower() == "admin":
        raise UserError(msg.ROLE_SELF_REVOKE)
    roles = revoke(
        target,
        words[1].lower(),
        learners=services.learners,
        policy=services.policy,
        org=services.org,
        now=ctx.now,
    )
    return [
        say(
            msg.ROLE_REVOKED.format(
                name=target.name, role=words[1].lower(), roles=", ".join(sorted(roles))
            )
        )
    ]


def _library(ctx: Context) -> LibraryPort:
    if ctx.services.library is None:
        raise UserError(msg.LIBRARY_MISSING)
    return ctx.services.library.get()


def _record(ctx: Context, module_id: str) -> ModuleRecord:
    record = _library(ctx).content.get(module_id)
    if record is None:
        raise NotFound(msg.MODULE_UNKNOWN.format(module=module_id[:200]))
    return record


def _upload(ctx: Context, words: list[str]) -> list[Reply]:
    from bot.features.documents import fetch_document
    from bot.handlers.files import ingest_content

    _need(words, 1, "upload URL")
    settings = ctx.services.settings
    got = fetch_document(
        words[0].strip("<>"),
        max_bytes=settings.max_upload_bytes,
        timeout=settings.fetch_timeout,
        allow_private=settings.fetch_allow_private,
    )
    return ingest_content(ctx, got.name, got.data)


def _modules(ctx: Context, words: list[str]) -> list[Reply]:
    records = _library(ctx).content.modules(include_retired=True)
    if not records:
        return [say(msg.ADMIN_NO_MODULES)]
    lines = [module_line(r) for r in records[:MAX_LINES]]
    if len(records) > MAX_LINES:
        lines.append(msg.AND_MORE.format(count=len(records) - MAX_LINES))
    title = msg.ADMIN_MODULES_TITLE.format(count=len(records))
    return [Reply((Section(title, "\n".join(lines)),))]


def _show(ctx: Context, words: list[str]) -> list[Reply]:
    _need(words, 1, "show MODULE")
    record = _record(ctx, words[0])
    return [Reply((Section(record.meta.title, record.meta.summary[:500], module_fields(record)),))]


def _retag(ctx: Context, words: list[str]) -> list[Reply]:
    _need(words, 2, "retag MODULE tag1,tag2")
    record = _record(ctx, words[0])
    tags = tuple(dict.fromkeys(t.strip()[:50] for t in " ".join(words[1:]).split(",") if t.strip()))
    _library(ctx).content.set_tags(record.meta.id, tags)
    return [say(msg.ADMIN_RETAGGED.format(module=record.meta.id, tags=", ".join(tags) or "-"))]


def _retire(retired: bool) -> Sub:
    def run(ctx: Context, words: list[str]) -> list[Reply]:
        _need(words, 1, ("retire" if retired else "restore") + " MODULE")
        record = _record(ctx, words[0])
        _library(ctx).set_retired(record.meta.id, retired)
        text = msg.ADMIN_RETIRED if retired else msg.ADMIN_RESTORED
        return [say(text.format(module=record.meta.id))]

    return run


def _reindex(ctx: Context, words: list[str]) -> list[Reply]:
    written = _library(ctx).reindex()
    return [say(msg.ADMIN_REINDEXED.format(sections=msg.plural(written, "stored section")))]


def _gaps(ctx: Context, words: list[str]) -> list[Reply]:
    library = _library(ctx)
    views = GapLog(ctx.services.gaps, library).overview()
    if not views:
        return [say(msg.ADMIN_NO_GAPS)]
    lines = [_gap_line(v) for v in views[:MAX_LINES]]
    if len(views) > MAX_LINES:
        lines.append(msg.AND_MORE.format(count=len(views) - MAX_LINES))
    title = msg.ADMIN_GAPS_TITLE.format(
        questions=sum(v.count for v in views), groups=msg.plural(len(views), "group")
    )
    return [Reply((Section(title, "\n".join(lines)),))]


def _gap_line(view: GapView) -> str:
    group = view.group
    bad = msg.ADMIN_GAP_BAD.format(count=group.not_helpful) if group.not_helpful else ""
    return msg.ADMIN_GAP_LINE.format(
        count=view.count,
        example=group.example[:150],
        status=view.status,
        bad=bad,
        first=f"{group.first_at:%Y-%m-%d}",
        last=f"{group.last_at:%Y-%m-%d}",
    )


def _items(ctx: Context, words: list[str]) -> list[Reply]:
    from bot.features.quiz.bank import stored_item_stats

    summary = item_summary(stored_item_stats(ctx.services))
    fields = (
        ("Items", str(summary["items"])),
        ("Answered", str(summary["answered"])),
        ("Answers", str(summary["answers"])),
        ("Calibrated", str(summary["calibrated"])),
    )
    flagged = "\n".join(f"`{i}`: {f}" for i, f in summary["flagged"][:MAX_LINES])
    return [Reply((Section(msg.ADMIN_ITEMS_TITLE, flagged or msg.ADMIN_NO_FLAGS, fields),))]


def _equity(ctx: Context, words: list[str]) -> list[Reply]:
    from bot.features.paths.report import equity

    _need(words, 1, "equity ATTRIBUTE")
    repo = ctx.services.path_records
    report, missing = equity(ctx.services, repo, attribute=words[0], threshold=0.1)
    lines = []
    for g in report.groups:
        if g.too_small:
            lines.append(msg.EQUITY_SMALL.format(group=g.group, n=g.learners))
        else:
            lines.append(
                msg.EQUITY_GROUP.format(
                    group=g.group,
                    n=g.learners,
                    rec=_pct(g.recommendation_rate),
                    exempt=_pct(g.exemption_rate),
                    done=_pct(g.completion_rate),
                )
            )
    for gap in report.gaps:
        mark = "⚠ " if gap.flagged else ""
        lines.append(
            msg.EQUITY_GAP.format(
                mark=mark, metric=gap.metric, points=gap.gap * 100, high=gap.highest, low=gap.lowest
            )
        )
    blocks: list[Any] = [
        Section(msg.EQUITY_TITLE.format(attribute=words[0]), "\n".join(lines[:MAX_LINES]))
    ]
    if missing:
        blocks.append(Text(msg.EQUITY_MISSING.format(learners=msg.plural(missing, "learner"))))
    return [Reply(tuple(blocks))]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


SUBCOMMANDS: dict[str, Sub] = {
    "grant": _grant,
    "revoke": _revoke,
    "upload": _upload,
    "modules": _modules,
    "show": _show,
    "retag": _retag,
    "retire": _retire(True),
    "restore": _retire(False),
    "reindex": _reindex,
    "gaps": _gaps,
    "items": _items,
    "equity": _equity,
    "lessons": admin_lessons,
}

COMMAND = Command(
    "admin",
    "Roles, the content library, gaps, item statistics, lessons and the equity report (admins).",
    "/learn admin grant|revoke|upload|modules|show|retag|retire|restore|reindex|gaps|items"
    "|lessons|equity",
    "admin",
    handle,
    needs_args=True,
)
