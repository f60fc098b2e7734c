"""One resolver for every command that names a competency or a module.

The candidates are the caller's (the competencies with questions, the modules a learner may
see); matching is `bot.core.names`. An unknown name lists what exists; an ambiguous one lists
the candidates it could mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.core.names import Match, Named, match_leading, match_name

MAX_LISTED = 8


class Ambiguous(UserError):
    """A name matches several competencies or modules; the message lists them."""


def _listed(found: Sequence[Named]) -> str:
    shown = ", ".join(f"`{c.id}` ({c.title})" for c in found[:MAX_LISTED])
    more = len(found) - MAX_LISTED
    return shown + (msg.NAMES_MORE.format(count=more) if more > 0 else "")


def _one(text: str, found: Sequence[Named], *, kind: str, unknown: str) -> Named:
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(msg.NAME_AMBIGUOUS.format(name=text[:60], kind=kind, found=_listed(found)))
    raise NotFound(unknown)


def resolve(text: str, candidates: Sequence[Named], *, kind: str, unknown: str) -> Named:
    """The one candidate `text` names (id, title, or an unambiguous title prefix).

    Args:
        text: What the person typed.
        candidates: What they may name.
        kind: "competency" or "module", for the ambiguity message.
        unknown: The message when nothing matches.

    Raises:
        Ambiguous: Several candidates match; the message lists them.
        NotFound: Nothing matches (`unknown`).
    """
    return _one(text, match_name(text, candidates), kind=kind, unknown=unknown)


def resolve_leading(
    words: Sequence[str], candidates: Sequence[Named], *, kind: str, unknown: str
) -> tuple[Named, tuple[str, ...]]:
    """The candidate the longest run of leading words names, and the words after it.

    Raises:
        Ambiguous: The words name several candidates and no longer run names one.
        NotFound: Nothing matches (`unknown`).
    """
    found: Match = match_leading(words, candidates)
    return _one(" ".join(words), found.found, kind=kind, unknown=unknown), found.rest
