"""Light Markdown-to-text cleanup that keeps every line where it was in the source.

Every substitution keeps the newlines of what it removes, so line i of the cleaned text is
still line i of the source and chunks can cite exact line numbers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_TEMPLATE_TAG = re.compile(r"\{%-?(.*?)-?%\}", re.DOTALL)
_TEMPLATE_EXPR = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*\\])([*_])(?=[^\s*_])([^\n]+?)(?<=[^\s*_\\])\1(?![\w*])")
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LOOKS_LIKE_PATH = re.compile(r"^\S*(?:/|\.[A-Za-z0-9]{2,4}$)\S*$")
_QUOTE_MARKER = re.compile(r"^\s*(?:>\s?)+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_THEMATIC_BREAK = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S")
_SPACES = re.compile(r"[ \t]+")


def _keeping_newlines(keep: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """Wrap a replacement so the newlines of the removed text survive."""

    def replace(match: re.Match[str]) -> str:
        kept = keep(match)
        return kept + "\n" * (match.group(0).count("\n") - kept.count("\n"))

    return replace


def _tag_text(match: re.Match[str]) -> str:
    # Template tag arguments are often visible words (a channel name, an alert title, image
    # alt text); paths and file names among them are not.
    words = [a or b for a, b in _QUOTED.findall(match.group(1))]
    return " ".join(w for w in words if w and not _LOOKS_LIKE_PATH.search(w))


_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_IMAGE, _keeping_newlines(lambda m: m.group(1))),
    (_LINK, _keeping_newlines(lambda m: m.group(1))),
    (_REF_LINK, _keeping_newlines(lambda m: m.group(1))),
    (_AUTOLINK, _keeping_newlines(lambda m: m.group(1))),
    (_TEMPLATE_TAG, _keeping_newlines(_tag_text)),
    (_TEMPLATE_EXPR, _keeping_newlines(lambda m: "")),
    (_HTML_TAG, _keeping_newlines(lambda m: "")),
    (_STRONG, _keeping_newlines(lambda m: m.group(2))),
    (_EMPHASIS, lambda m: m.group(2)),
)


def clean_markdown(text: str) -> list[str]:
    """Turn a Markdown block into plain lines, one per source line (some may be empty).

    Links keep their text, images their alt text, template tags their visible arguments;
    HTML tags, emphasis markers, code backticks, escapes and quote markers go away.
    """
    for pattern, replace in _SUBSTITUTIONS:
        text = pattern.sub(replace, text)
    text = html.unescape(_ESCAPE.sub(r"\1", _CODE.sub("", text)))
    return [_clean_line(line) for line in text.split("\n")]


def _clean_line(line: str) -> str:
    if _TABLE_RULE.match(line) or _THEMATIC_BREAK.match(line) or _LINK_DEFINITION.match(line):
        return ""
    line = _QUOTE_MARKER.sub("", line).strip()
    if line.startswith("|") and line.endswith("|") and len(line) > 1:
        line = line[1:-1].strip()
    return _SPACES.sub(" ", line)


def clean_title(text: str) -> str:
    """Plain text of a one-line heading: no Markdown, HTML or template syntax."""
    return " ".join(" ".join(clean_markdown(text)).split())
