"""The core's Markdown subset as Slack mrkdwn, Slack's text escaping, and limit-safe splitting."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*", re.DOTALL)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Translate **bold**, _italic_, `code` and [title](url) to mrkdwn, escaping the rest.

    Italic and code need no change (mrkdwn uses the same marks); bold becomes `*x*` and links
    become `<url|title>`. Everything else is escaped, so user text cannot inject mentions
    such as `<!channel>`.
    """
    out: list[str] = []
    last = 0
    for match in _LINK.finditer(text):
        out.append(_inline(text[last : match.start()]))
        title = _inline(match.group(1)).replace("|", "¦")
        out.append(f"<{escape(match.group(2)).replace('|', '%7C')}|{title}>")
        last = match.end()
    out.append(_inline(text[last:]))
    return "".join(out)


def _inline(text: str) -> str:
    return _BOLD.sub(r"*\1*", escape(text))


def to_plain(text: str) -> str:
    """The Markdown subset as escaped plain text (for plain_text fields and fallbacks)."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    return text.replace("**", "")


def split_text(text: str, limit: int) -> list[str]:
    """Split mrkdwn into pieces of at most `limit` characters.

    Cuts prefer a paragraph break, then a line break, then a space, and never fall inside a
    `<...>` link or an `&...;` entity.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in ("\n\n", "\n", " "):
        at = window.rfind(sep)
        while at > limit // 4:
            if _safe(text, at):
                return at + len(sep)
            at = window.rfind(sep, 0, at)
    cut = limit
    while cut > 1 and not _safe(text, cut):
        cut -= 1
    return cut if cut > 1 else limit


def _safe(text: str, at: int) -> bool:
    """Whether cutting before position `at` leaves no link or entity open."""
    head = text[:at]
    if head.rfind("<") > head.rfind(">"):
        return False
    amp = head.rfind("&")
    return amp == -1 or ";" in head[amp:] or at - amp > 8
