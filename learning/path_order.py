"""Ordering steps: prerequisites first, urgent work as early as its prerequisites allow.

The order is a topological sort (Kahn's algorithm) that always takes, among the steps whose
prerequisites are placed, the one with the smallest (urgency, base) key. A step's urgency is
the most urgent of its own and that of every step depending on it, so the prerequisites of an
overdue requirement move forward with it. Equal keys keep the base order, so the result is
stable. Module prerequisites come from hand-written metadata and may form a cycle; the edge
that closes a cycle is dropped (and reported) rather than failing.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import TypeAlias

Key: TypeAlias = tuple[float, ...]


def order_steps(
    nodes: Sequence[str],
    prerequisites: Mapping[str, Sequence[str]],
    *,
    base: Mapping[str, Key],
    urgency: Mapping[str, Key],
) -> tuple[list[str], list[tuple[str, str]]]:
    """Order `nodes` so that each comes after its prerequisites.

    Args:
        nodes: The steps.
        prerequisites: Step -> the steps to place before it (others are ignored).
        base: Step -> its key in the natural order (competency rank, difficulty, position).
        urgency: Step -> its own urgency key (smaller is more urgent).

    Returns:
        The ordered steps, and the (step, prerequisite) edges dropped to break cycles.
    """
    members = set(nodes)
    by_base = sorted(nodes, key=lambda n: base[n])
    edges = {n: [p for p in prerequisites.get(n, ()) if p in members and p != n] for n in nodes}
    dropped = _break_cycles(by_base, edges, base)
    effective = _propagate(by_base, edges, urgency)
    return _kahn(by_base, edges, {n: (*effective[n], *base[n]) for n in nodes}), dropped


def _break_cycles(
    by_base: Sequence[str], edges: dict[str, list[str]], base: Mapping[str, Key]
) -> list[tuple[str, str]]:
    """Depth-first search in base order; every back edge is removed and returned."""
    state: dict[str, int] = {}
    dropped: list[tuple[str, str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        for prereq in sorted(edges[node], key=lambda p: base[p]):
            if state.get(prereq) == 1:
                edges[node].remove(prereq)
                dropped.append((node, prereq))
            elif prereq not in state:
                visit(prereq)
        state[node] = 2

    for node in by_base:
        if node not in state:
            visit(node)
    return dropped


def _propagate(
    by_base: Sequence[str], edges: Mapping[str, list[str]], urgency: Mapping[str, Key]
) -> dict[str, Key]:
    """Each step's urgency becomes the most urgent of itself and everything depending on it."""
    effective = {n: urgency[n] for n in by_base}
    changed = True
    while changed:  # a DAG settles in at most its depth in passes; paths are small
        changed = False
        for node in by_base:
            for prereq in edges[node]:
                if effective[node] < effective[prereq]:
                    effective[prereq] = effective[node]
                    changed = True
    return effective


def _kahn(
    by_base: Sequence[str], edges: Mapping[str, list[str]], key: Mapping[str, Key]
) -> list[str]:
    waiting = {n: len(edges[n]) for n in by_base}
    dependents: dict[str, list[str]] = {n: [] for n in by_base}
    for node in by_base:
        for prereq in edges[node]:
            dependents[prereq].append(node)
    ready = [(key[n], n) for n in by_base if waiting[n] == 0]
    heapq.heapify(ready)
    placed: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        placed.append(node)
        for dependent in dependents[node]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (key[dependent], dependent))
    return placed
