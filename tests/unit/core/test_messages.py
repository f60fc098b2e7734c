"""User-visible strings: one definition each, so no feature silently rewords another's."""

from __future__ import annotations

import ast
import inspect

from bot.core import messages


def test_every_message_is_defined_once() -> None:
    tree = ast.parse(inspect.getsource(messages))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == []
