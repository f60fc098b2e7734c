"""Reading admin-supplied files (frameworks, for now) into validated domain values."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.core import messages as msg
from bot.core.errors import UserError
from learning.framework import Framework, FrameworkError, parse_framework

MAX_FILE_BYTES = 5 * 1024 * 1024


def read_structured(path: Path) -> object:
    """Read a YAML or JSON file, with errors that name the file and the line."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text") from err
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise UserError(f"{path}, line {err.lineno}: {err.msg}") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise UserError(f"{path}{where}: not valid YAML") from err


def uncovered_note(framework: Framework, covered: Iterable[str]) -> str:
    """A note naming the framework's competencies no item covers ("" when every one is, or
    when the bank is empty: before any import that is every competency, and says nothing).

    Such a competency is imported as it is: no quiz or check can be given on it, and as a
    prerequisite it is met by completing its modules.
    """
    have = set(covered)
    if not have:
        return ""
    missing = [c.id for c in framework.competencies if c.id not in have]
    if not missing:
        return ""
    listed = ", ".join(missing[:10])
    if len(missing) > 10:
        listed += f" and {len(missing) - 10} more"
    return msg.FRAMEWORK_UNCOVERED.format(
        count=msg.plural(len(missing), "competency", "competencies"), listed=listed
    )


def check_replacement(current: Framework, new: Framework, *, replace_all: bool) -> None:
    """Refuse a framework that would remove every competency or every role, unless asked.

    An empty or mistyped file (`{}`, a list under another key) parses as a framework with
    nothing in it; importing it would empty every learner's path without a word.

    Raises:
        UserError: when `new` has no competencies, or no roles where `current` has some, and
            `replace_all` is False.
    """
    if replace_all:
        return
    if not new.competencies and current.competencies:
        raise UserError(msg.FRAMEWORK_WOULD_REMOVE.format(what="competency"))
    if not new.roles and current.roles:
        raise UserError(msg.FRAMEWORK_WOULD_REMOVE.format(what="role"))
    if not new.competencies and not new.roles:
        raise UserError(msg.FRAMEWORK_EMPTY)


def load_framework_file(path: Path) -> Framework:
    """Read and validate a competency framework file (YAML or JSON)."""
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        raise UserError(f"{path}: a framework is a .yaml, .yml or .json file")
    try:
        return parse_framework(read_structured(path))
    except FrameworkError as err:
        raise UserError(f"{path}: {err}") from err
