"""Org chart import: parse and validate a CSV, store it, and copy attributes into profiles.

The file has the columns email, manager_email, department, location and role (extra columns
are ignored). It is validated whole before anything is stored: a missing column, a duplicate
email, a manager who is not in the file or a reporting loop is an error naming the line, and
nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core import messages as msg
from bot.core.errors import UserError
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.org import OrgEntry, OrgRepository

COLUMNS = ("email", "manager_email", "department", "location", "role")


class OrgError(UserError):
    """The org chart file is not valid; the message names the line."""


@dataclass(frozen=True)
class OrgImport:
    """What an import did."""

    people: int
    managers: int
    linked: int

    def as_json(self) -> dict[str, int]:
        """The JSON summary printed by `learnbot org import --json`."""
        return {"people": self.people, "managers": self.managers, "linked_learners": self.linked}


def parse_org_csv(data: bytes) -> list[OrgEntry]:
    """Parse and validate an org chart.

    Raises:
        OrgError: a missing column, a bad or duplicate email, an unknown manager or a loop.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise OrgError(msg.ORG_NOT_UTF8) from err
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OrgError(msg.ORG_MISSING_COLUMNS.format(columns=", ".join(missing)))
    reader.fieldnames = header
    entries: dict[str, OrgEntry] = {}
    for row in reader:
        entry = _entry(row, reader.line_num)
        if entry.email in entries:
            first = entries[entry.email].line
            raise OrgError(
                msg.ORG_DUPLICATE.format(line=entry.line, email=entry.email, first=first)
            )
        entries[entry.email] = entry
    if not entries:
        raise OrgError(msg.ORG_EMPTY)
    for entry in entries.values():
        if entry.manager_email and entry.manager_email not in entries:
            raise OrgError(
                msg.ORG_UNKNOWN_MANAGER.format(line=entry.line, manager=entry.manager_email)
            )
    _check_loops(entries)
    return list(entries.values())


def _entry(row: dict[str, str | None], line: int) -> OrgEntry:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    email = cell("email").lower()
    if "@" not in email:
        raise OrgError(msg.ORG_BAD_EMAIL.format(line=line, email=email[:80]))
    manager = cell("manager_email").lower() or None
    if manager == email:
        raise OrgError(msg.ORG_LOOP.format(line=line, chain=f"{email} -> {email}"))
    return OrgEntry(
        email=email,
        manager_email=manager,
        department=cell("department")[:200],
        location=cell("location")[:200],
        role=cell("role")[:200],
        line=line,
    )


def _check_loops(entries: dict[str, OrgEntry]) -> None:
    cleared: set[str] = set()
    for start in entries:
        chain: list[str] = []
        person: str | None = start
        while person is not None and person not in cleared:
            if person in chain:
                loop = [*chain[chain.index(person) :], person]
                line = entries[person].line
                raise OrgError(msg.ORG_LOOP.format(line=line, chain=" -> ".join(loop)))
            chain.append(person)
            person = entries[person].manager_email
        cleared.update(chain)


def import_org(
    data: bytes,
    *,
    org: OrgRepository,
    learners: LearnerRepository,
    profiles: ProfileRepository,
    now: datetime,
) -> OrgImport:
    """Validate, store the chart, and update the learners it names (attributes, manager role)."""
    entries = parse_org_csv(data)
    org.replace(entries, now=now)
    managers = {e.manager_email for e in entries if e.manager_email}
    linked = 0
    for entry in entries:
        learner = learners.find_by_email(entry.email)
        if learner is not None:
            apply_entry(
                entry,
                learner_id=learner.id,
                is_manager=entry.email in managers,
                learners=learners,
                profiles=profiles,
                roles=learner.roles,
                is_guest=learner.is_guest,
                now=now,
            )
            linked += 1
    return OrgImport(people=len(entries), managers=len(managers), linked=linked)


def apply_entry(
    entry: OrgEntry,
    *,
    learner_id: str,
    is_manager: bool,
    roles: frozenset[str],
    is_guest: bool,
    learners: LearnerRepository,
    profiles: ProfileRepository,
    now: datetime,
) -> bool:
    """Copy the chart's attributes into the profile and grant manager to people with reports.

    Returns:
        Whether anything changed.
    """
    changed = False
    profile = profiles.get(learner_id)
    merged = {**profile.attributes, **entry.attributes}
    if merged != dict(profile.attributes):
        profiles.save(learner_id, replace(profile, attributes=merged), now=now)
        changed = True
    if is_manager and not is_guest and "manager" not in roles:
        learners.set_roles(learner_id, roles | {"manager"}, now=now)
        changed = True
    return changed
