"""Simulated learners and item banks, and the classic baselines the diagnostic is compared to."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from learning.cat import CatConfig, CatState, ItemBank, next_item, record
from learning.irt import AbilityGrid, FloatArray, information, log_likelihood_terms, probability
from learning.items import Item, Option

Answerer = Callable[[Item], bool | None]


def simulated_bank(
    rng: np.random.Generator,
    *,
    n_items: int,
    competency: str = "simulated",
    a_log_mean: float = 0.1,
    a_log_sd: float = 0.25,
    b_sd: float = 1.0,
) -> tuple[Item, ...]:
    """A bank of true/false items with a ~ lognormal(a_log_mean, a_log_sd), b ~ N(0, b_sd^2)."""
    a = np.exp(rng.normal(a_log_mean, a_log_sd, n_items))
    b = rng.normal(0.0, b_sd, n_items)
    options = (Option("true", "True", True), Option("false", "False", False))
    return tuple(
        Item(
            id=f"{competency}-{k:04d}",
            stem=f"Simulated question {k + 1}",
            kind="true_false",
            options=options,
            competency=competency,
            a=float(a[k]),
            b=float(b[k]),
        )
        for k in range(n_items)
    )


def simulated_learner(abilities: Mapping[str, float], rng: np.random.Generator) -> Answerer:
    """An answerer whose answers follow the 2PL model at the given true abilities."""

    def answer(item: Item) -> bool:
        p = float(probability(abilities[item.competency], a=item.a, b=item.b))
        return bool(rng.random() < p)

    return answer


def run_diagnostic(
    bank: ItemBank,
    cut_scores: Mapping[str, float],
    answer: Answerer,
    *,
    config: CatConfig,
    rng: random.Random,
) -> CatState:
    """Run a whole adaptive diagnostic, asking ``answer`` each question; returns the end state."""
    state = CatState.start(cut_scores)
    while (item_id := next_item(state, bank, rng=rng, config=config)) is not None:
        item = bank.by_id[item_id]
        state = record(state, item, answer(item))
    return state


def mastery_probabilities(
    responses: FloatArray,
    *,
    a: FloatArray,
    b: FloatArray,
    cut: float,
    grid: AbilityGrid | None = None,
) -> FloatArray:
    """P(ability > cut) for every row of a 0/1 response matrix (NaN = not asked), N(0,1) prior.

    The batch counterpart of `Posterior.probability_above`, used for fixed forms.
    """
    g = grid or AbilityGrid()
    log_p, log_q = log_likelihood_terms(g.nodes[None, :], a=a[:, None], b=b[:, None])
    seen = ~np.isnan(responses)
    right = np.where(seen, responses, 0.0)
    wrong = np.where(seen, 1.0 - responses, 0.0)
    log_post = right @ log_p + wrong @ log_q - 0.5 * g.nodes**2
    w = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    h = g.spacing
    above = np.clip((g.nodes + h / 2 - cut) / h, 0.0, 1.0)
    return np.asarray(w @ above, dtype=np.float64)


@dataclass(frozen=True)
class BaselineOutcome:
    """What a baseline procedure decided for one learner.

    Attributes:
        mastered: The classification.
        items_used: Items asked.
    """

    mastered: bool
    items_used: int


def sprt(
    items: Sequence[Item],
    answer: Answerer,
    *,
    cut: float,
    half_width: float = 0.3,
    alpha: float = 0.05,
    max_items: int = 40,
) -> BaselineOutcome:
    """Sequential probability ratio test (Reckase) with items of maximum information at the cut.

    Tests ability cut + half_width against cut - half_width with error rates alpha; at the
    item limit the learner is classified by the sign of the log likelihood ratio.
    """
    a = np.array([i.a for i in items])
    b = np.array([i.b for i in items])
    order = np.argsort(-information(cut, a=a, b=b), kind="stable")[:max_items]
    upper, lower = np.log((1 - alpha) / alpha), np.log(alpha / (1 - alpha))
    llr, used = 0.0, 0
    for j in order:
        used += 1
        p_hi, p_lo = probability([cut + half_width, cut - half_width], a=a[j], b=b[j])
        llr += np.log(p_hi / p_lo) if answer(items[j]) else np.log((1 - p_hi) / (1 - p_lo))
        if llr >= upper or llr <= lower:
            break
    return BaselineOutcome(mastered=bool(llr > 0), items_used=used)


def se_stopped_cat(
    items: Sequence[Item],
    answer: Answerer,
    *,
    cut: float,
    target_se: float = 0.3,
    max_items: int = 200,
) -> BaselineOutcome:
    """Conventional CAT: maximum information at the EAP estimate, stop once SE < target_se."""
    config = CatConfig(
        confidence=0.999999,
        min_gain_per_item=0.0,
        item_cost=0.0,
        target_se=target_se,
        min_items=0,
        max_items=max_items,
        top_k=1,
        selection="estimate",
    )
    bank = ItemBank(tuple(items))
    competency = items[0].competency
    state = run_diagnostic(bank, {competency: cut}, answer, config=config, rng=random.Random(0))
    p = state.track(competency).posterior.probability_above(cut)
    return BaselineOutcome(mastered=p >= 0.5, items_used=len(state.answers))
