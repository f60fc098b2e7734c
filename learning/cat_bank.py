"""The item bank of an adaptive diagnostic, indexed by competency for fast selection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from learning.irt import FloatArray
from learning.items import Item


@dataclass(frozen=True)
class Pool:
    """The selectable items of one competency as parallel arrays.

    Attributes:
        ids: Item ids.
        a: Discriminations.
        b: Difficulties.
    """

    ids: tuple[str, ...]
    a: FloatArray
    b: FloatArray


@dataclass(frozen=True, eq=False)
class ItemBank:
    """The items available to a diagnostic, indexed by competency.

    Items with a non-positive discrimination are never selected: a correct answer to them
    would count as evidence against ability.

    Attributes:
        items: All items; ids must be unique.
    """

    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        if len(self.by_id) != len(self.items):
            raise ValueError("item bank has duplicate item ids")

    @cached_property
    def by_id(self) -> dict[str, Item]:
        """Items by id."""
        return {item.id: item for item in self.items}

    @cached_property
    def _pools(self) -> dict[str, Pool]:
        grouped: dict[str, list[Item]] = {}
        for item in self.items:
            if item.a > 0:
                grouped.setdefault(item.competency, []).append(item)
        return {
            c: Pool(
                ids=tuple(i.id for i in its),
                a=np.array([i.a for i in its], dtype=np.float64),
                b=np.array([i.b for i in its], dtype=np.float64),
            )
            for c, its in grouped.items()
        }

    def pool(self, competency: str) -> Pool:
        """The selectable items of one competency (possibly empty)."""
        empty = np.zeros(0, dtype=np.float64)
        return self._pools.get(competency, Pool((), empty, empty))


def as_bank(bank: ItemBank | Sequence[Item]) -> ItemBank:
    """The bank itself, or a bank indexing the given items."""
    return bank if isinstance(bank, ItemBank) else ItemBank(tuple(bank))
