"""Efficacy of personalized paths: training minutes saved at equal final mastery.

A simulated cohort with known ability per competency takes the intake diagnostic
(learning.cat with the intake policy of learning.intake: role priors, the skip rule and
"I'm new to this"; 2PL banks from learning.simulate), gets a personalized path from the
planner, and is compared with the one-size-fits-all path of the same role (the planner with no
evidence: every module of the role). Learners study their assigned modules; studying raises
ability on the module's competencies. A learner wrongly exempted (exempted, true ability below
the cut) who would have reached mastery with the full path is charged the remediation minutes
of that competency's full-path modules, so both arms end at the same final mastery.
Personalization is also charged the diagnostic's time (30 s an item; a self-report costs
the one question it was clicked on).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_path_efficacy.py [--learners 500]
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_path_efficacy.py --json

`--json` prints one line for the intake quiz as shipped on the sample library:
{"net_saving_share", "share_saving_or_even", "wrong_exemption_rate", "final_mastery_gap"}.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from learning.cat import CatConfig, CatState, ItemBank, next_item, record, results
from learning.framework import Framework, parse_framework
from learning.intake import (
    Prior,
    closed_competencies,
    drop_competency,
    exemptable_minutes,
    plan_intake,
    role_prior,
    start_state,
    without,
)
from learning.path import plan
from learning.path_model import CatalogModule, LearnerState, Preferences
from learning.path_model import Path as PlannedPath
from learning.simulate import simulated_bank, simulated_learner

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bot" / "sample"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECONDS_PER_ITEM = 30
PATH_THRESHOLD = 0.8  # LEARNBOT_MASTERY_THRESHOLD's default: the planner's "mastered"
GAIN_PER_MINUTE = 0.06  # logits of ability gained per minute of study on a competency
ITEMS_PER_COMPETENCY = 40
# (share of the cohort, mean ability): newcomers, some experience, experienced.
PRIOR_KNOWLEDGE = ((0.45, -1.0), (0.35, 0.3), (0.20, 1.5))
ABILITY_SD = 0.8
# "I'm new to this", by true ability against the cut (the learner model, not the policy):
# (ability below cut - 1: says new), (between: says new), (above the cut: says new).
SAYS_NEW = (0.6, 0.25, 0.05)
PAST_LEARNERS = 200  # the earlier cohort whose estimates make the role priors

# Shaped like the sample library (bot/sample/content): used when that folder is absent.
SYNTHETIC = Path(__file__).with_name("path_catalogue.yaml")
LARGE = Path(__file__).with_name("large_catalogue.yaml")


def _module(meta: Mapping[str, Any]) -> CatalogModule:
    return CatalogModule(
        id=str(meta["id"]),
        title=str(meta.get("title", meta["id"])),
        competencies=tuple(meta.get("competencies") or ()),
        difficulty=str(meta.get("difficulty", "foundation")),
        minutes=int(meta.get("minutes", 5)),
        format=str(meta.get("format", "text")),
        prerequisites=tuple(meta.get("prerequisites") or ()),
        audience=tuple(meta.get("audience") or ()),
        tags=tuple(meta.get("tags") or ()),
    )


def load_catalogue(folder: Path) -> tuple[list[CatalogModule], str]:
    """The real sample library's front matter if present, else the synthetic mirror."""
    files = sorted(folder.rglob("*.md")) if folder.is_dir() else []
    metas = []
    for file in files:
        parts = file.read_text(encoding="utf-8").split("---", 2)
        if len(parts) == 3:
            metas.append(yaml.safe_load(parts[1]) or {})
    if metas:
        return [_module(m) for m in metas], f"sample library, {len(metas)} modules"
    synthetic = yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))["modules"]
    return [_module(m) for m in synthetic], (
        f"synthetic catalogue shaped like the sample library, {len(synthetic)} modules"
    )


def load_world(name: str, content: Path) -> tuple[Framework, list[CatalogModule], str]:
    """The framework and catalogue of "sample" or "large"."""
    if name == "large":
        data = yaml.safe_load(LARGE.read_text(encoding="utf-8"))
        modules = [_module(m) for m in data["modules"]]
        return (
            parse_framework(data["framework"]),
            modules,
            (
                f"large simulated catalogue, {len(modules)} modules, "
                f"{len(data['framework']['competencies'])} competencies"
            ),
        )
    framework = parse_framework(yaml.safe_load((SAMPLE / "framework.yaml").read_text()))
    catalogue, source = load_catalogue(content)
    return framework, catalogue, source


@dataclass(frozen=True)
class Policy:
    """How the intake quiz runs: limits, exemption threshold, and which of its parts are on."""

    name: str
    config: CatConfig
    threshold: float
    priors: bool
    skip: bool
    self_report: bool


@dataclass(frozen=True)
class Outcome:
    """One simulated learner's result."""

    role: str
    full_minutes: int
    personal_minutes: int
    diagnostic_items: float
    remediation_minutes: int
    exempted: int
    wrongly_exempted: int
    truly_mastered: int
    final_full: int
    final_personal: int
    planned: int
    skipped: int = 0
    said_new: int = 0
    estimates: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def saved(self) -> float:
        """Minutes saved at equal final mastery, net of diagnostic and remediation time."""
        return self.full_minutes - (
            self.personal_minutes
            + self.remediation_minutes
            + self.diagnostic_items * SECONDS_PER_ITEM / 60
        )


def studied_minutes(path: PlannedPath) -> dict[str, int]:
    """Minutes of assigned study per competency."""
    minutes: dict[str, int] = {}
    for step in path.steps:
        if step.actionable:
            for comp in step.competencies:
                minutes[comp] = minutes.get(comp, 0) + step.minutes
    return minutes


def final_mastered(
    abilities: Mapping[str, float], studied: Mapping[str, int], cuts: Mapping[str, float]
) -> set[str]:
    """Competencies above their cut after studying."""
    return {
        c for c, cut in cuts.items() if abilities[c] + GAIN_PER_MINUTE * studied.get(c, 0) > cut
    }


def says_new(ability: float, cut: float, rng: np.random.Generator) -> bool:
    """The learner model's self-report: depends on true ability only, never on the policy."""
    low, middle, high = SAYS_NEW
    p = low if ability < cut - 1.0 else high if ability > cut else middle
    return bool(rng.random() < p)


@dataclass
class Diagnostic:
    """What one simulated intake quiz gave."""

    mastery: dict[str, float]
    estimates: dict[str, tuple[float, float]]
    items: float
    skipped: int
    said_new: int


def run_intake(
    policy: Policy,
    bank: ItemBank,
    cuts: Mapping[str, float],
    priors: Mapping[str, Prior],
    minutes: Mapping[str, int],
    abilities: Mapping[str, float],
    rng: np.random.Generator,
    seed: int,
) -> Diagnostic:
    """The intake quiz as the dialog runs it: plan, ask, self-reports, results."""
    config = policy.config
    used = priors if policy.priors else {}
    if policy.skip:
        intake = plan_intake(cuts, used, minutes, bank, config=config, threshold=policy.threshold)
        asked, skipped = dict(intake.asked), len(intake.skipped)
    else:
        asked, skipped = dict(cuts), 0
    if not asked:
        return Diagnostic({}, {}, 0.0, skipped, 0)
    state: CatState | None = start_state(asked, used)
    answer, pick = simulated_learner(abilities, rng), random.Random(seed)
    seen: set[str] = set()
    new = 0
    shown = 0
    closed: frozenset[str] = frozenset()
    while state is not None:
        if policy.skip:
            closed |= closed_competencies(
                state,
                minutes,
                bank,
                config=config,
                threshold=policy.threshold,
                planner_threshold=PATH_THRESHOLD,
            )
        item_id = next_item(state, without(bank, closed), rng=pick, config=config)
        if item_id is None:
            break
        item = bank.by_id[item_id]
        shown += 1
        first = item.competency not in seen
        seen.add(item.competency)
        if (
            policy.self_report
            and first
            and says_new(abilities[item.competency], cuts[item.competency], rng)
        ):
            new += 1
            state = drop_competency(state, item.competency)
            continue
        state = record(state, item, answer(item))
    found = results(state, bank, config=config) if state is not None else ()
    return Diagnostic(
        mastery={r.competency: r.p_mastery for r in found if r.items_used},
        estimates={r.competency: (r.estimate, r.se) for r in found if r.items_used},
        items=float(shown),
        skipped=skipped,
        said_new=new,
    )


def simulate_learner(
    framework: Framework,
    catalogue: list[CatalogModule],
    bank: ItemBank,
    role: str,
    priors: Mapping[str, Prior],
    abilities: dict[str, float],
    rng: np.random.Generator,
    seed: int,
    policy: Policy,
) -> Outcome:
    prefs = Preferences(role=role, session_minutes=15)
    full = plan(framework, catalogue, LearnerState(), prefs, threshold=PATH_THRESHOLD, now=NOW)
    cuts = {c.competency: _cut(framework, c.competency) for c in full.competencies}
    minutes = exemptable_minutes(full)
    got = run_intake(policy, bank, cuts, priors, minutes, abilities, rng, seed)
    personal = plan(
        framework,
        catalogue,
        LearnerState(mastery=got.mastery),
        prefs,
        threshold=PATH_THRESHOLD,
        now=NOW,
    )
    exempted = {c.competency for c in personal.competencies if c.standing != "gap"}
    wrong = {c for c in exempted if abilities[c] <= cuts[c]}
    full_study, personal_study = studied_minutes(full), studied_minutes(personal)
    final_full = final_mastered(abilities, full_study, cuts)
    final_personal = final_mastered(abilities, personal_study, cuts)
    remediation = sum(
        full_study.get(c, 0) - personal_study.get(c, 0) for c in final_full - final_personal
    )
    return Outcome(
        role=role,
        full_minutes=full.total_minutes,
        personal_minutes=personal.total_minutes,
        diagnostic_items=got.items,
        remediation_minutes=remediation,
        exempted=len(exempted),
        wrongly_exempted=len(wrong),
        truly_mastered=sum(1 for c in cuts if abilities[c] > cuts[c]),
        final_full=len(final_full),
        final_personal=len(final_personal),
        planned=len(cuts),
        skipped=got.skipped,
        said_new=got.said_new,
        estimates=got.estimates,
    )


def _cut(framework: Framework, competency: str) -> float:
    comp = framework.competency(competency)
    return comp.cut_score if comp else 0.0


def cohort_abilities(framework: Framework, rng: np.random.Generator) -> dict[str, float]:
    shares = [s for s, _ in PRIOR_KNOWLEDGE]
    mean = PRIOR_KNOWLEDGE[rng.choice(len(shares), p=shares)][1]
    return {c.id: float(mean + rng.normal(0.0, ABILITY_SD)) for c in framework.competencies}


def cohort(
    world: tuple[Framework, list[CatalogModule], str],
    bank: ItemBank,
    priors: Mapping[str, Mapping[str, Prior]],
    policy: Policy,
    *,
    n: int,
    seed: int,
) -> list[Outcome]:
    """One cohort through one policy; roles in turn."""
    framework, catalogue, _ = world
    roles = [r.id for r in framework.roles]
    abilities_rng = np.random.default_rng(seed + 1)
    return [
        simulate_learner(
            framework,
            catalogue,
            bank,
            roles[k % len(roles)],
            priors.get(roles[k % len(roles)], {}),
            cohort_abilities(framework, abilities_rng),
            np.random.default_rng([seed, k]),
            seed + k,
            policy,
        )
        for k in range(n)
    ]


def past_priors(outcomes: list[Outcome]) -> dict[str, dict[str, Prior]]:
    """Role -> competency -> the empirical-Bayes prior from an earlier cohort's estimates."""
    pooled: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        for comp, pair in o.estimates.items():
            pooled[o.role][comp].append(pair)
    return {role: {c: role_prior(v) for c, v in comps.items()} for role, comps in pooled.items()}


def run(
    world_name: str, n_learners: int, seed: int, content: Path, policy: Policy
) -> tuple[list[Outcome], str, float]:
    world = load_world(world_name, content)
    framework = world[0]
    # Separate streams, so every configuration meets the same banks and the same cohort.
    bank_rng = np.random.default_rng(seed)
    items = [
        item
        for c in framework.competencies
        for item in simulated_bank(bank_rng, n_items=ITEMS_PER_COMPETENCY, competency=c.id)
    ]
    bank = ItemBank(tuple(items))
    started = time.perf_counter()
    priors: dict[str, dict[str, Prior]] = {}
    if policy.priors:
        # An earlier cohort (another seed) took the same quiz with neutral priors.
        neutral = Policy("past", policy.config, policy.threshold, False, False, policy.self_report)
        past = cohort(world, bank, {}, neutral, n=PAST_LEARNERS, seed=seed + 1000)
        priors = past_priors(past)
    outcomes = cohort(world, bank, priors, policy, n=n_learners, seed=seed)
    return outcomes, world[2], time.perf_counter() - started


def _previous() -> Policy:
    """The intake quiz before role priors, the skip rule and self-reports."""
    return Policy(
        "intake quiz before (3-8 per competency, 15 in all, threshold 0.8)",
        CatConfig(min_items=3, max_items=8, max_total_items=15),
        0.8,
        False,
        False,
        False,
    )


def shipped() -> Policy:
    """The intake quiz as learnbot runs it in chat (bot.dialogs.quiz)."""
    from bot.dialogs.quiz import LIMITS, intake_config
    from learning.intake import EXEMPT_THRESHOLD

    low, high, total = LIMITS["intake"]
    return Policy(
        f"intake quiz as shipped ({low}-{high} per competency, {total} in all, "
        f"threshold {EXEMPT_THRESHOLD}, priors, skip rule, self-reports)",
        intake_config(),
        EXEMPT_THRESHOLD,
        True,
        True,
        True,
    )


def _pct(part: float, whole: float) -> str:
    return f"{part / max(whole, 1) * 100:.1f}%"


def figures(outcomes: list[Outcome]) -> dict[str, float]:
    """The four headline figures, as fractions."""
    full = np.array([o.full_minutes for o in outcomes], dtype=float)
    net = np.array([o.saved for o in outcomes], dtype=float)
    exempted = sum(o.exempted for o in outcomes)
    wrong = sum(o.wrongly_exempted for o in outcomes)
    planned = sum(o.planned for o in outcomes)
    gap = (sum(o.final_full for o in outcomes) - sum(o.final_personal for o in outcomes)) / planned
    return {
        "net_saving_share": round(float(net.mean() / full.mean()), 4),
        "share_saving_or_even": round(float(np.mean(net >= -2.0)), 4),
        "wrong_exemption_rate": round(wrong / exempted, 4) if exempted else 0.0,
        "final_mastery_gap": round(gap, 4),
    }


def summary(outcomes: list[Outcome]) -> dict[str, str]:
    """The reported figures for one cohort."""
    full = np.array([o.full_minutes for o in outcomes], dtype=float)
    personal = np.array([o.personal_minutes for o in outcomes], dtype=float)
    remedial = np.array([o.remediation_minutes for o in outcomes], dtype=float)
    items = np.array([o.diagnostic_items for o in outcomes], dtype=float)
    gross = full - personal - remedial
    net = gross - items * SECONDS_PER_ITEM / 60
    p10, p50, p90 = np.percentile(net, [10, 50, 90])
    exempted = sum(o.exempted for o in outcomes)
    wrong = sum(o.wrongly_exempted for o in outcomes)
    mastered = sum(o.truly_mastered for o in outcomes)
    planned = sum(o.planned for o in outcomes)
    head = figures(outcomes)
    return {
        "one-size-fits-all path, min (mean)": f"{full.mean():.1f}",
        "personalized path, min (mean)": f"{personal.mean():.1f}",
        "remediation of wrong exemptions, min (mean)": f"{remedial.mean():.2f}",
        "questions shown (mean)": f"{items.mean():.1f}",
        "competencies not asked (skip rule) / said new": (
            f"{_pct(sum(o.skipped for o in outcomes), planned)} / "
            f"{_pct(sum(o.said_new for o in outcomes), planned)}"
        ),
        "saved net of the diagnostic at 30 s/item, mean": f"{net.mean():.1f}",
        "net saving share of the one-size path": f"{head['net_saving_share'] * 100:.1f}%",
        "  p10 / p50 / p90, min": f"{p10:.1f} / {p50:.1f} / {p90:.1f}",
        "  learners saving time / losing at most 2 min": (
            f"{np.mean(net > 0) * 100:.0f}% / {head['share_saving_or_even'] * 100:.0f}%"
        ),
        "wrong exemptions / exemptions": f"{wrong} / {exempted} ({_pct(wrong, exempted)})",
        "truly mastered competencies exempted": _pct(exempted - wrong, mastered),
        "final mastery before remediation, full / personalized": (
            f"{sum(o.final_full for o in outcomes)} / {sum(o.final_personal for o in outcomes)}"
            f" (gap {head['final_mastery_gap'] * 100:.1f}% of planned)"
        ),
    }  # fmt: skip


def by_role(outcomes: list[Outcome]) -> list[str]:
    """Mean net minutes saved per role."""
    lines = []
    for role in sorted({o.role for o in outcomes}):
        mine = [o for o in outcomes if o.role == role]
        full = np.mean([o.full_minutes for o in mine])
        saved = np.mean([o.saved for o in mine])
        lines.append(f"| {role} | {len(mine)} | {full:.0f} | {saved:.1f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--content", type=Path, default=SAMPLE / "content")
    parser.add_argument("--json", action="store_true", help="one JSON line, shipped quiz, sample")
    args = parser.parse_args()
    if args.json:
        outcomes, _, _ = run("sample", args.learners, args.seed, args.content, shipped())
        print(json.dumps(figures(outcomes)))
        return
    for world in ("sample", "large"):
        columns, source, seconds, last = [], "", 0.0, None
        for policy in (_previous(), shipped()):
            outcomes, source, elapsed = run(world, args.learners, args.seed, args.content, policy)
            columns.append((policy.name, summary(outcomes)))
            seconds += elapsed
            last = outcomes
        print(f"\n{source}; {args.learners} learners, seed {args.seed}; {seconds:.0f} s")
        print("| measure | " + " | ".join(name for name, _ in columns) + " |")
        print("|---" * (len(columns) + 1) + "|")
        for key in columns[0][1]:
            print(f"| {key} | " + " | ".join(col[key] for _, col in columns) + " |")
        print("\nBy role, intake quiz as shipped (net of 30 s/item):")
        print("| role | learners | full path, min | saved, min (mean) |\n|---|---|---|---|")
        print("\n".join(by_role(last or [])))


if __name__ == "__main__":
    main()
