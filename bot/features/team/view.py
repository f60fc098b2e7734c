"""Team report rendering: channel aggregates (small groups hidden), private detail, chart, CSV."""

from __future__ import annotations

import csv
import io

from bot.core import messages as msg
from bot.core.replies import Attachment, Block, Image, Note, Progress, Section, Text
from bot.features.team.service import MIN_GROUP, TeamReport
from learning.mastery import mastery_percent, mastery_text

MAX_PEOPLE_LINES = 25
# Slack's section text limit is 3000 characters; leave room for the "and N more" line.
MAX_SECTION_CHARS = 2800


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _bounded(lines: list[str]) -> str:
    """At most MAX_PEOPLE_LINES lines and MAX_SECTION_CHARS characters."""
    kept: list[str] = []
    used = 0
    for line in lines[:MAX_PEOPLE_LINES]:
        if used + len(line) + 1 > MAX_SECTION_CHARS:
            break
        kept.append(line)
        used += len(line) + 1
    if len(kept) < len(lines):
        kept.append(msg.AND_MORE.format(count=len(lines) - len(kept)))
    return "\n".join(kept)


def aggregate_blocks(report: TeamReport, *, public: bool) -> list[Block]:
    """The summary: in a channel (public) groups smaller than MIN_GROUP are left out."""
    members = report.members
    if public and len(members) < MIN_GROUP:
        return [Text(msg.TEAM_TOO_SMALL.format(min=MIN_GROUP))]
    rates = [m.completion for m in members if m.completion is not None]
    completion = sum(rates) / len(rates) if rates else 0.0
    fields = (
        (msg.TEAM_F_MEMBERS, str(len(members))),
        (msg.TEAM_F_OVERDUE, str(sum(1 for m in members if m.overdue))),
        (msg.TEAM_F_AT_RISK, str(len(report.at_risk))),
        (msg.TEAM_F_UNVERIFIED, str(sum(len(m.unverified) for m in members))),
    )
    blocks: list[Block] = [
        Section(report.title, "", fields),
        Progress(msg.TEAM_COMPLETION, completion),
    ]
    rows = [r for r in report.mastery_rows() if not public or r[1] >= MIN_GROUP]
    if rows:
        lines = [
            msg.TEAM_MASTERY_LINE.format(comp=c, n=n, mean=mastery_text(p), mastered=_pct(s))
            for c, n, p, s in rows
        ]
        blocks.append(Section(msg.TEAM_MASTERY_TITLE, _bounded(lines)))
    departments = report.departments()
    shown = [d for d in departments if not public or d[1] >= MIN_GROUP]
    if len(departments) > 1 and shown:
        lines = [msg.TEAM_DEPT_LINE.format(dept=d[:80], n=n, rate=_pct(r)) for d, n, r in shown]
        blocks.append(Section(msg.TEAM_DEPT_TITLE, _bounded(lines)))
    if public and len(shown) < len(departments):
        blocks.append(Note(msg.TEAM_GROUPS_HIDDEN.format(min=MIN_GROUP)))
    return blocks


def detail_blocks(report: TeamReport) -> list[Block]:
    """Per-person detail: who is at risk and why (sent privately to the manager)."""
    risky = report.at_risk
    basis: list[Block] = [Note(report.risk_basis)] if report.risk_basis else []
    if not risky:
        return [Text(msg.TEAM_NOBODY_AT_RISK), *basis]
    lines: list[str] = []
    used = 0
    for m in risky[:MAX_PEOPLE_LINES]:
        line = f"**{m.learner.name[:80]}**: {'; '.join(m.risks)}"
        if used + len(line) + 1 > MAX_SECTION_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    if len(lines) < len(risky):
        lines.append(msg.TEAM_MORE_IN_CSV.format(count=len(risky) - len(lines)))
    return [Section(msg.TEAM_AT_RISK_TITLE.format(count=len(risky)), "\n".join(lines)), *basis]


def person_blocks(report: TeamReport) -> list[Block]:
    """One report's own progress, as their manager sees it (sent privately to the manager)."""
    (member,) = report.members
    fields = (
        (msg.TEAM_F_DONE, str(member.done)),
        (msg.TEAM_F_TODO, str(member.todo)),
        (msg.TEAM_F_UNVERIFIED, str(len(member.unverified))),
    )
    blocks: list[Block] = [
        Section(report.title, "", fields),
        Progress(msg.TEAM_COMPLETION, member.completion or 0.0),
    ]
    if member.mastery:
        lines = [
            msg.TEAM_PERSON_MASTERY.format(comp=c, p=_pct(p)) for c, p in member.mastery.items()
        ]
        blocks.append(Section(msg.TEAM_MASTERY_TITLE, _bounded(lines)))
    risks = "; ".join(member.risks)
    name = member.learner.name[:80]
    blocks.append(
        Text(
            msg.TEAM_PERSON_RISKS.format(name=name, risks=risks)
            if risks
            else msg.TEAM_PERSON_OK.format(name=name)
        )
    )
    if report.risk_basis:
        blocks.append(Note(report.risk_basis))
    return blocks


def chart_png(report: TeamReport) -> bytes:
    """A bar chart of mean mastery per competency and path completion (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = report.mastery_rows()
    labels = [r[0][:18] for r in rows] or ["-"]
    values = [float(mastery_percent(r[2])) for r in rows] or [0.0]
    rates = [m.completion * 100 for m in report.members if m.completion is not None]
    figure = Figure(figsize=(8, 3.5), dpi=80)
    left, right = figure.subplots(1, 2)
    left.barh(labels, values, color="#4a7bd0")
    left.set_xlim(0, 100)
    left.set_title(msg.TEAM_CHART_MASTERY)
    right.hist(rates or [0.0], bins=10, range=(0, 100), color="#49a078")
    right.set_title(msg.TEAM_CHART_COMPLETION)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_block(report: TeamReport) -> Image:
    """The chart as a reply block."""
    return Image(alt=msg.TEAM_CHART_ALT, data=chart_png(report), title=report.title)


def csv_attachment(report: TeamReport) -> Attachment:
    """One row per member: completion, overdue, risks, unverified modules, mastery."""
    out = io.StringIO()
    writer = csv.writer(out)
    comps = list(report.competencies)
    writer.writerow(
        [
            "name",
            "email",
            "department",
            "completion",
            "done",
            "todo",
            "overdue",
            "risks",
            "unverified",
            *comps,
        ]
    )
    for m in report.members:
        writer.writerow(
            [
                m.learner.display_name,
                m.learner.email or "",
                m.department,
                _pct(m.completion),
                m.done,
                m.todo,
                " ".join(m.overdue),
                "; ".join(m.risks),
                " ".join(m.unverified),
                *(mastery_text(m.mastery[c]) if c in m.mastery else "" for c in comps),
            ]
        )
    return Attachment(
        name="team.csv", data=out.getvalue().encode(), mime="text/csv", title=report.title
    )
