"""`/learn team` (a manager's team progress) and `/learn assign` (required work with a due date).

In a channel only aggregates are shown and groups smaller than three are hidden; the
per-person detail and the CSV go to the manager in a direct message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import Forbidden, UserError
from bot.core.model import Learner
from bot.core.names import Named
from bot.core.replies import Block, Direct, Here, Reply, Text
from bot.features.names import resolve
from bot.features.roles import split_args, target_identity
from bot.features.team.service import (
    TeamReport,
    build_report,
    check_scope,
    resolve_competency,
    team_members,
)
from bot.features.team.view import (
    aggregate_blocks,
    chart_block,
    csv_attachment,
    detail_blocks,
    person_blocks,
)
from bot.handlers.admin import audit
from bot.storage.org import OrgRepository

MENTION_PREFIXES = ("<@", "<at>", "@")


def _org(ctx: Context) -> OrgRepository:
    return ctx.services.org


def _is_person(word: str) -> bool:
    return word.startswith(MENTION_PREFIXES) or ":" in word


def handle_team(ctx: Context, args: str) -> list[Reply]:
    """Parse `[all|@person] [COMPETENCY] [--csv]`, check the scope, report.

    `@person` names a manager below the asker (their team) or a report (that person's own
    progress). The router has checked the roles: manager, and admin for `all`. Every view,
    refused or empty ones too, is written to the audit log.
    """
    words = split_args(args)
    want_csv = "--csv" in words
    words = [w for w in words if w != "--csv"]
    lead = ctx.learner
    everyone = bool(words) and words[0].lower() == "all"
    if everyone:
        words.pop(0)
    elif words and _is_person(words[0]):
        lead = target_identity(ctx.event.identity, words.pop(0), learners=ctx.services.learners)
    org = _org(ctx)
    seen = {"csv": want_csv, "channel": not ctx.event.channel.is_direct}
    try:
        check_scope(org, ctx.learner, lead)
    except Forbidden:
        audit(ctx, "team.refused", lead.id, **seen)
        raise
    # An admin without reports asking about their own team sees everyone; never via a lead.
    leads = bool(lead.email and org.reports(lead.email))
    alone = lead.id == ctx.learner.id and not leads
    everyone = everyone or (alone and ctx.learner.has_role("admin"))
    person = lead.id != ctx.learner.id and not leads and not everyone
    scope = "all" if everyone else "person" if person else "team"
    members = [lead] if person else team_members(ctx.services, org, lead, everyone=everyone)
    competency = None
    if words and members:
        competency = resolve_competency(ctx.services, " ".join(words), known=())
    audit(
        ctx,
        "team.view",
        lead.id,
        scope=scope,
        members=len(members),
        competency=competency or "",
        **seen,
    )
    if not members:
        empty = msg.TEAM_EMPTY if lead.id == ctx.learner.id else msg.TEAM_EMPTY_OF
        return [Reply((Text(empty.format(name=lead.name)),))]
    title = msg.TEAM_EVERYONE if everyone else msg.TEAM_TITLE.format(name=lead.name)
    if person:
        title = msg.TEAM_PERSON_TITLE.format(name=lead.name)
    report = build_report(ctx.services, members, title=title, competency=competency, now=ctx.now)
    return _team_replies(ctx, report, person=person, want_csv=want_csv)


def _team_replies(ctx: Context, report: TeamReport, *, person: bool, want_csv: bool) -> list[Reply]:
    """Aggregates where the command was typed; per-person detail only in a direct message."""
    public = not ctx.event.channel.is_direct
    private = Direct(ctx.event.identity) if public else Here()
    if person:
        summary: list[Block] = [Text(msg.TEAM_PERSON_SENT)] if public else []
        detail: list[Block] = person_blocks(report)
    else:
        summary = [*aggregate_blocks(report, public=public)]
        if not public or len(report.members) >= 3:
            summary.append(chart_block(report))
        detail = [Text(msg.TEAM_DETAIL_SENT)] if public else []
        detail += detail_blocks(report)
    if want_csv:
        detail.append(csv_attachment(report))
    if not public:
        return [Reply(tuple(summary + detail), summary=report.title)]
    return [Reply(tuple(summary), summary=report.title), Reply(tuple(detail), to=private)]


def _due(words: list[str], today: date) -> datetime | None:
    if "due" not in [w.lower() for w in words]:
        return None
    index = [w.lower() for w in words].index("due")
    if index + 1 >= len(words):
        raise UserError(msg.MISSING_ARGS.format(name="assign", usage=msg.ASSIGN_USAGE))
    raw = words[index + 1]
    del words[index : index + 2]
    try:
        day = date.fromisoformat(raw)
    except ValueError as err:
        raise UserError(msg.ASSIGN_BAD_DATE.format(date=raw[:40])) from err
    if day < today:
        raise UserError(msg.ASSIGN_PAST_DATE.format(date=day.isoformat()))
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


def _assignees(ctx: Context, who: str, org: OrgRepository) -> list[Learner]:
    if who.lower() == "team":
        members = team_members(ctx.services, org, ctx.learner)
        if not members:
            raise UserError(msg.ASSIGN_NO_TEAM)
        return members
    person = target_identity(ctx.event.identity, who, learners=ctx.services.learners)
    if not ctx.learner.has_role("admin"):
        below = org.reports(ctx.learner.email) if ctx.learner.email else []
        if not person.email or person.email not in below:
            raise Forbidden(msg.ASSIGN_NOT_YOUR_REPORT.format(name=person.name))
    return [person]


def handle_assign(ctx: Context, args: str) -> list[Reply]:
    """Assign a library module to a report (or the whole team), optionally due on a day."""
    words = split_args(args)
    due_at = _due(words, ctx.now.date())
    if len(words) < 2:
        raise UserError(msg.MISSING_ARGS.format(name="assign", usage=msg.ASSIGN_USAGE))
    name, who = " ".join(words[:-1]), words[-1]
    library = ctx.services.library
    records = library.get().content.modules() if library is not None else []
    named = [Named(r.meta.id, r.meta.title) for r in records if not r.retired]
    unknown = msg.MODULE_UNKNOWN.format(module=name[:200])
    module_id = resolve(name, named, kind="module", unknown=unknown).id
    org = _org(ctx)
    people = _assignees(ctx, who, org)
    if not people:
        return [Reply((Text(msg.TEAM_EMPTY),))]
    for person in people:
        org.assign(person.id, module_id, due_at=due_at, by=ctx.learner.id, now=ctx.now)
    due = msg.ASSIGN_DUE.format(date=due_at.date().isoformat()) if due_at else ""
    audit(
        ctx,
        "assign",
        module_id,
        learners=[p.id for p in people][:200],
        due=due_at.isoformat() if due_at else None,
    )
    return [
        Reply(
            (
                Text(
                    msg.ASSIGN_DONE.format(
                        module=module_id,
                        people=msg.plural(len(people), "person", "people"),
                        due=due,
                    )
                ),
            )
        )
    ]


TEAM_COMMAND = Command(
    "team",
    "Your team's progress: completion, mastery, overdue training, who needs help (managers).",
    "/learn team [all|@manager] [COMPETENCY] [--csv]",
    "manager",
    handle_team,
    sub_roles={"all": "admin"},
)
ASSIGN_COMMAND = Command(
    "assign",
    "Assign a module to a report or your whole team, with an optional due date (managers).",
    "/learn assign MODULE @person|team [due YYYY-MM-DD]",
    "manager",
    handle_assign,
    needs_args=True,
)
