"""YAML quiz-bank import: learnbot's native format, validated field by field with line numbers.

A bank is a list of items, or a mapping with `items:` and optional defaults (`competency`,
`module`, `difficulty`) for the items that leave them out::

    competency: sql
    module: sql-basics
    items:
      - id: sql-having
        difficulty: foundation          # foundation | intermediate (default) | advanced
        type: single                    # single | multiple | true_false (inferred if absent)
        question: Which clause filters groups after GROUP BY?
        options:
          - text: WHERE
            feedback: WHERE filters rows before grouping.
          - text: HAVING
            correct: true
          - ORDER BY                    # a bare string is an incorrect option
        explanation: HAVING is applied to the groups GROUP BY produces.
        tags: [sql, grouping]
      - id: sql-aggregates
        type: multiple
        question: Which are aggregate functions?
        options: [COUNT, LOWER, SUM]
        answer: [a, c]                  # option letters, instead of `correct: true` flags
      - id: sql-null
        question: NULL = NULL evaluates to true.
        answer: false                   # true/false item: `answer: true|false`
        feedback_true: Comparisons with NULL are unknown, not true.
        explanation: Use IS NULL to test for NULL.

Option texts, ids and tags are read as written, so `text: No` stays "No" and `id: 12` is "12".
A field of the wrong type, an unknown field, an unknown difficulty or type, no correct
answer and an answer letter naming a missing option are errors on the field's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from learning.formats.builder import (
    BankBuilder,
    difficulty_error,
    kind_error,
    kind_for,
    new_item,
    option_letter,
    parse_difficulty,
    parse_kind,
    true_false_options,
)
from learning.formats.model import BankParseResult, ParseOptions
from learning.items import Difficulty, Item, ItemKind, Option

_ITEM_FIELDS = frozenset(
    {"id", "competency", "module", "difficulty", "type", "question", "options", "answer"}
    | {"explanation", "tags", "feedback_true", "feedback_false"}
)
_OPTION_FIELDS = frozenset({"text", "correct", "feedback"})
_BANK_FIELDS = frozenset({"items", "competency", "module", "difficulty"})
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"

Fields = dict[str, Node]


class _FieldError(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.message = message


@dataclass(frozen=True)
class _Defaults:
    competency: str | None = None
    module: str | None = None
    difficulty: str = ""


def parse_yaml(
    text: str,
    *,
    filename: str,
    default_competency: str | None = None,
    known_competencies: frozenset[str] | None = None,
) -> BankParseResult:
    """Imports a learnbot YAML bank (format in the module docstring).

    Args:
        text: The file's content.
        filename: The file's name (derived ids start with its stem).
        default_competency: Competency for items and banks that name none.
        known_competencies: When given, a competency outside it is an error.

    Returns:
        The items and the errors, each on the line of the faulty item or field.
    """
    builder = BankBuilder(ParseOptions(filename, default_competency, known_competencies))
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        entries, defaults = _bank(root) if root is not None else ([], _Defaults())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        builder.error(mark.line + 1 if mark else 1, f"invalid YAML: {exc.problem or exc}")
        return builder.result()
    except _FieldError as exc:
        builder.error(exc.line, exc.message)
        return builder.result()
    for entry in entries:
        try:
            builder.add(_item(entry, defaults, builder))
        except _FieldError as exc:
            builder.error(exc.line, exc.message)
    return builder.result()


def _bank(root: Node) -> tuple[list[Node], _Defaults]:
    if isinstance(root, SequenceNode):
        return list(root.value), _Defaults()
    fields = _fields(root, _BANK_FIELDS, "bank") if isinstance(root, MappingNode) else {}
    if "items" not in fields:
        raise _FieldError(root, "a YAML bank is a list of items or a mapping with 'items:'")
    items = fields["items"]
    if not isinstance(items, SequenceNode):
        raise _FieldError(items, "field 'items' must be a list of items")
    defaults = _Defaults(
        competency=_text(fields, "competency") or None,
        module=_text(fields, "module") or None,
        difficulty=_text(fields, "difficulty"),
    )
    return list(items.value), defaults


def _item(node: Node, defaults: _Defaults, builder: BankBuilder) -> Item:
    fields = _fields(node, _ITEM_FIELDS, "item")
    kind = _kind(fields)
    options = _true_false(fields, node) if kind == "true_false" else _choices(fields, node)
    return new_item(
        item_id=_text(fields, "id"),
        stem=_required_text(fields, "question", node),
        kind=kind or kind_for(options),
        options=options,
        competency=builder.competency(_text(fields, "competency") or defaults.competency),
        line=node.start_mark.line + 1,
        difficulty=_difficulty(fields, defaults, node),
        module_id=_text(fields, "module") or defaults.module,
        explanation=_text(fields, "explanation"),
        tags=_text_list(fields, "tags"),
    )


def _kind(fields: Fields) -> ItemKind | None:
    """The declared or evident kind; None when the options' answers decide it."""
    if "type" in fields:
        value = _text(fields, "type")
        kind = parse_kind(value)
        if kind is None:
            raise _FieldError(fields["type"], kind_error(value))
        return kind
    answer = fields.get("answer")
    is_bool = answer is not None and answer.tag == _BOOL
    return "true_false" if is_bool and "options" not in fields else None


def _difficulty(fields: Fields, defaults: _Defaults, node: Node) -> Difficulty:
    value = _text(fields, "difficulty") or defaults.difficulty
    difficulty = parse_difficulty(value) if value else "intermediate"
    if difficulty is None:
        raise _FieldError(fields.get("difficulty", node), difficulty_error(value))
    return difficulty


def _true_false(fields: Fields, node: Node) -> tuple[Option, ...]:
    if "options" in fields:
        raise _FieldError(
            fields["options"], "a true_false item takes 'answer: true|false', not options"
        )
    if "answer" not in fields:
        raise _FieldError(node, "a true_false item needs 'answer: true' or 'answer: false'")
    return true_false_options(
        answer=_bool(fields["answer"], "answer"),
        true_feedback=_text(fields, "feedback_true"),
        false_feedback=_text(fields, "feedback_false"),
    )


def _choices(fields: Fields, node: Node) -> tuple[Option, ...]:
    entries = fields.get("options")
    if not isinstance(entries, SequenceNode):
        raise _FieldError(entries or node, "field 'options' must be a list of options")
    options = tuple(_option(entry, i) for i, entry in enumerate(entries.value))
    if "answer" not in fields:
        return options
    if any(o.correct for o in options):
        raise _FieldError(
            fields["answer"], "use either 'answer' or 'correct: true' on options, not both"
        )
    letters = _answer_letters(fields["answer"], len(options))
    return tuple(Option(o.id, o.text, o.id in letters, o.feedback) for o in options)


def _option(node: Node, index: int) -> Option:
    if isinstance(node, ScalarNode):
        return Option(id=option_letter(index), text=_scalar_text(node, "options"), correct=False)
    fields = _fields(node, _OPTION_FIELDS, "option")
    correct = _bool(fields["correct"], "correct") if "correct" in fields else False
    text = _required_text(fields, "text", node)
    return Option(option_letter(index), text, correct, _text(fields, "feedback"))


def _answer_letters(node: Node, count: int) -> frozenset[str]:
    if isinstance(node, SequenceNode):
        letters = [_scalar_text(n, "answer").lower() for n in node.value]
    else:
        letters = [p.lower() for p in re.split(r"[\s,;]+", _scalar_text(node, "answer")) if p]
    known = [option_letter(i) for i in range(count)]
    for letter in letters:
        if letter not in known:
            raise _FieldError(
                node,
                f"answer names option '{letter}', but the item's options are"
                f" {', '.join(known) or 'none'}",
            )
    return frozenset(letters)


def _fields(node: Node, allowed: frozenset[str], what: str) -> Fields:
    if not isinstance(node, MappingNode):
        raise _FieldError(node, f"each {what} must be a mapping of fields")
    fields: Fields = {}
    for key_node, value_node in node.value:
        key = _scalar_text(key_node, "field name")
        if key not in allowed:
            raise _FieldError(
                key_node, f"unknown {what} field '{key}' (known: {', '.join(sorted(allowed))})"
            )
        if key in fields:
            raise _FieldError(key_node, f"duplicate field '{key}'")
        fields[key] = value_node
    return fields


def _text(fields: Fields, name: str) -> str:
    node = fields.get(name)
    return "" if node is None else _scalar_text(node, name)


def _required_text(fields: Fields, name: str, owner: Node) -> str:
    text = _text(fields, name)
    if not text:
        raise _FieldError(
            fields.get(name, owner), f"field '{name}' is required and must not be empty"
        )
    return text


def _scalar_text(node: Node, name: str) -> str:
    if not isinstance(node, ScalarNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
        raise _FieldError(node, f"field '{name}' must be text, not {kind}")
    return "" if node.tag == _NULL else str(node.value).strip()


def _bool(node: Node, name: str) -> bool:
    if node.tag != _BOOL:
        shown = node.value if isinstance(node, ScalarNode) else "a list or mapping"
        raise _FieldError(node, f"field '{name}' must be true or false, not '{shown}'")
    return bool(SafeConstructor().construct_object(node))


def _text_list(fields: Fields, name: str) -> tuple[str, ...]:
    node = fields.get(name)
    if node is None:
        return ()
    if not isinstance(node, SequenceNode):
        raise _FieldError(node, f"field '{name}' must be a list of text")
    return tuple(t for t in (_scalar_text(n, name) for n in node.value) if t)
