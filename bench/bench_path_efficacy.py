"""Efficacy of personalized paths: training minutes saved at equal final mastery.

A simulated cohort with known ability per competency takes the adaptive diagnostic
(learning.cat, 2PL banks from learning.simulate), gets a personalized path from the planner,
and is compared with the one-size-fits-all path of the same role (the planner with no
evidence: every module of the role). Learners study their assigned modules; studying raises
ability on the module's competencies. A learner wrongly exempted (exempted, true ability below
the cut) who would have reached mastery with the full path is charged the remediation minutes
of that competency's full-path modules, so both arms end at the same final mastery.
Personalization is also charged the diagnostic's time.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_path_efficacy.py [--learners 500]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from learning.cat import CatConfig, ItemBank, results
from learning.framework import Framework, parse_framework
from learning.path import plan
from learning.path_model import CatalogModule, LearnerState, Preferences
from learning.path_model import Path as PlannedPath
from learning.simulate import run_diagnostic, simulated_bank, simulated_learner

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bot" / "sample"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
THRESHOLD = 0.8
SECONDS_PER_ITEM = 30
GAIN_PER_MINUTE = 0.06  # logits of ability gained per minute of study on a competency
ITEMS_PER_COMPETENCY = 40
# (share of the cohort, mean ability): newcomers, some experience, experienced.
PRIOR_KNOWLEDGE = ((0.45, -1.0), (0.35, 0.3), (0.20, 1.5))
ABILITY_SD = 0.8

# Shaped like the sample library (bot/sample/content): used when that folder is absent.
SYNTHETIC = Path(__file__).with_name("path_catalogue.yaml")


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
        return [_module(m) for m in metas], f"sample library, {len(metas)} modules in {folder}"
    synthetic = yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))["modules"]
    return [_module(m) for m in synthetic], (
        f"synthetic catalogue shaped like the sample library, {len(synthetic)} modules"
    )


@dataclass(frozen=True)
class Outcome:
    """One simulated learner's result."""

    role: str
    full_minutes: int
    personal_minutes: int
    diagnostic_items: int
    remediation_minutes: int
    exempted: int
    wrongly_exempted: int
    truly_mastered: int
    final_full: int
    final_personal: int

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


def simulate_learner(
    framework: Framework,
    catalogue: list[CatalogModule],
    banks: Mapping[str, ItemBank],
    role: str,
    abilities: dict[str, float],
    rng: np.random.Generator,
    seed: int,
    config: CatConfig,
) -> Outcome:
    prefs = Preferences(role=role, session_minutes=15)
    full = plan(framework, catalogue, LearnerState(), prefs, threshold=THRESHOLD, now=NOW)
    cuts = {c.competency: _cut(framework, c.competency) for c in full.competencies}
    items = [item for c in cuts for item in banks[c].items]
    state = run_diagnostic(
        ItemBank(tuple(items)),
        cuts,
        simulated_learner(abilities, rng),
        config=config,
        rng=random.Random(seed),
    )
    mastery = {r.competency: r.p_mastery for r in results(state, items, config=config)}
    personal = plan(
        framework, catalogue, LearnerState(mastery=mastery), prefs, threshold=THRESHOLD, now=NOW
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
        diagnostic_items=len(state.answers),
        remediation_minutes=remediation,
        exempted=len(exempted),
        wrongly_exempted=len(wrong),
        truly_mastered=sum(1 for c in cuts if abilities[c] > cuts[c]),
        final_full=len(final_full),
        final_personal=len(final_personal),
    )


def _cut(framework: Framework, competency: str) -> float:
    comp = framework.competency(competency)
    return comp.cut_score if comp else 0.0


def cohort_abilities(framework: Framework, rng: np.random.Generator) -> dict[str, float]:
    shares = [s for s, _ in PRIOR_KNOWLEDGE]
    mean = PRIOR_KNOWLEDGE[rng.choice(len(shares), p=shares)][1]
    return {c.id: float(mean + rng.normal(0.0, ABILITY_SD)) for c in framework.competencies}


def run(
    n_learners: int, seed: int, content: Path, config: CatConfig
) -> tuple[list[Outcome], str, float]:
    framework = parse_framework(yaml.safe_load((SAMPLE / "framework.yaml").read_text()))
    catalogue, source = load_catalogue(content)
    # Separate streams, so every configuration meets the same banks and the same cohort.
    bank_rng, cohort_rng = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    banks = {
        c.id: ItemBank(simulated_bank(bank_rng, n_items=ITEMS_PER_COMPETENCY, competency=c.id))
        for c in framework.competencies
    }
    roles = [r.id for r in framework.roles]
    started = time.perf_counter()
    outcomes = [
        simulate_learner(
            framework,
            catalogue,
            banks,
            roles[k % len(roles)],
            cohort_abilities(framework, cohort_rng),
            np.random.default_rng([seed, k]),
            seed + k,
            config,
        )
        for k in range(n_learners)
    ]
    return outcomes, source, time.perf_counter() - started


def _intake() -> CatConfig:
    """The intake quiz as learnbot runs it in chat (bot.dialogs.quiz.LIMITS)."""
    from bot.dialogs.quiz import LIMITS

    low, high, total = LIMITS["intake"]
    return CatConfig(min_items=low, max_items=high, max_total_items=total)


CONFIGS = (
    ("learnbot intake quiz (3-8 per competency, 15 in all)", _intake()),
    ("CatConfig() defaults", CatConfig()),
    ("max 8 items per competency", CatConfig(max_items=8)),
    ("max 4 items per competency", CatConfig(max_items=4)),
)


def _pct(part: float, whole: float) -> str:
    return f"{part / max(whole, 1) * 100:.1f}%"


def summary(outcomes: list[Outcome]) -> dict[str, str]:
    """The reported figures for one cohort."""
    full = np.array([o.full_minutes for o in outcomes], dtype=float)
    personal = np.array([o.personal_minutes for o in outcomes], dtype=float)
    remedial = np.array([o.remediation_minutes for o in outcomes], dtype=float)
    items = np.array([o.diagnostic_items for o in outcomes], dtype=float)
    gross = full - personal - remedial
    net = gross - items * SECONDS_PER_ITEM / 60
    net_fast = gross - items * 15 / 60
    p10, p50, p90 = np.percentile(net, [10, 50, 90])
    exempted = sum(o.exempted for o in outcomes)
    wrong = sum(o.wrongly_exempted for o in outcomes)
    mastered = sum(o.truly_mastered for o in outcomes)
    return {
        "one-size-fits-all path, min (mean)": f"{full.mean():.1f}",
        "personalized path, min (mean)": f"{personal.mean():.1f}",
        "remediation of wrong exemptions, min (mean)": f"{remedial.mean():.2f}",
        "diagnostic items (mean)": f"{items.mean():.1f}",
        "saved before diagnostic time, min (mean)": f"{gross.mean():.1f}",
        "saved net of the diagnostic at 30 s/item, mean": f"{net.mean():.1f}",
        "  p10 / p50 / p90": f"{p10:.1f} / {p50:.1f} / {p90:.1f}",
        "  share of learners saving time": f"{np.mean(net > 0) * 100:.0f}%",
        "saved net at 15 s/item, mean": f"{net_fast.mean():.1f}",
        "wrong exemptions / exemptions": f"{wrong} / {exempted} ({_pct(wrong, exempted)})",
        "learners with a wrong exemption": _pct(
            sum(o.wrongly_exempted > 0 for o in outcomes), len(outcomes)
        ),
        "truly mastered competencies exempted": _pct(exempted - wrong, mastered),
        "final mastery before remediation, full / personalized": (
            f"{sum(o.final_full for o in outcomes)} / {sum(o.final_personal for o in outcomes)}"
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
    args = parser.parse_args()
    columns, first, source, seconds = [], None, "", 0.0
    for name, config in CONFIGS:
        outcomes, source, elapsed = run(args.learners, args.seed, args.content, config)
        columns.append((name, summary(outcomes)))
        first = first or outcomes
        seconds += elapsed
    print(f"catalogue: {source}; {args.learners} learners, seed {args.seed}; {seconds:.0f} s")
    print("| measure | " + " | ".join(name for name, _ in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for key in columns[0][1]:
        print(f"| {key} | " + " | ".join(col[key] for _, col in columns) + " |")
    print(f"\nBy role, with the {CONFIGS[0][0]} (net of 30 s/item):")
    print("| role | learners | full path, min | saved, min (mean) |\n|---|---|---|---|")
    print("\n".join(by_role(first or [])))


if __name__ == "__main__":
    main()
