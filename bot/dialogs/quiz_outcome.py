"""The end of a quiz: results, abilities, exemptions; for checks: pass, remediation, escalation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.replies import Block, Button, Buttons, Note, Reply, Section, Text
from bot.dialogs import quiz_help
from bot.dialogs.quiz_view import verdict_text
from bot.features.quiz.learner_model import competency_modules, module_titles
from bot.storage.mastery import Ability, CheckAttempt
from learning.cat import CatConfig, CatState, CompetencyResult, ItemBank, results
from learning.mastery import judge, mastery_percent

Effect = Callable[[], None]
ESCALATE_EVERY = 3
RETRY_ACTION = "quiz.check"


@dataclass(frozen=True)
class Outcome:
    """The closing replies of a quiz and what to store once its last step is saved."""

    replies: list[Reply]
    effects: tuple[Effect, ...]


def finish(
    ctx: Context,
    dialog_id: str,
    state: Mapping[str, Any],
    cat: CatState | None,
    bank: ItemBank,
    config: CatConfig,
) -> Outcome:
    """The outcome of a finished quiz or check (no `cat`: the learner said they are new to
    every competency of an intake quiz)."""
    found = results(cat, bank, config=config) if cat is not None else ()
    effects = [_save_abilities(ctx, found)]
    if state["context"] == "check" and cat is not None:
        outcome = _check(ctx, dialog_id, state, cat, found[0])
    else:
        outcome = _diagnostic(ctx, dialog_id, state, cat, found)
    return Outcome(outcome.replies, (*effects, *outcome.effects))


def _save_abilities(ctx: Context, found: tuple[CompetencyResult, ...]) -> Effect:
    repo = ctx.services.mastery

    def effect() -> None:
        before = repo.abilities(ctx.learner.id)
        for r in found:
            if r.items_used == 0:
                continue
            n = r.items_used + (before[r.competency].n if r.competency in before else 0)
            repo.save_ability(
                ctx.learner.id,
                Ability(r.competency, r.estimate, r.se, r.p_mastery, r.cut, n, ctx.now),
            )

    return effect


def _diagnostic(
    ctx: Context,
    dialog_id: str,
    state: Mapping[str, Any],
    cat: CatState | None,
    found: tuple[CompetencyResult, ...],
) -> Outcome:
    threshold = ctx.services.settings.mastery_threshold
    titles: Mapping[str, str] = state["titles"]
    earlier = {e.competency: e for e in ctx.services.mastery.exemptions(ctx.learner.id)}
    fields: list[tuple[str, str]] = []
    grant: list[CompetencyResult] = []
    refused: list[str] = []
    verdicts = set()
    for r in found:
        verdict = judge(r.p_mastery, threshold=threshold)
        line = msg.QUIZ_RESULT_LINE.format(
            verdict=verdict_text(verdict), questions=msg.plural(r.items_used, "question")
        )
        fields.append((titles[r.competency], line))
        verdicts.add(verdict.verdict)
        if verdict.verdict != "mastered":
            continue
        if r.competency not in earlier:
            grant.append(r)
        elif not earlier[r.competency].active:
            refused.append(titles[r.competency])
    intake = state.get("intake") or {}
    fields += [(titles[c], msg.QUIZ_RESULT_NEW) for c in intake.get("new", ())]
    fields += [(titles[c], msg.QUIZ_RESULT_NOT_ASKED) for c in intake.get("skipped", ())]
    blocks: list[Block] = [Section(msg.QUIZ_RESULTS_TITLE, fields=tuple(fields))]
    if grant:
        names = ", ".join(titles[r.competency] for r in grant)
        blocks.append(Text(msg.QUIZ_EXEMPTED.format(titles=names)))
    if refused:
        blocks.append(Text(msg.QUIZ_EXEMPTION_REVOKED.format(titles=", ".join(refused))))
    if "undetermined" in verdicts:
        blocks.append(Note(msg.QUIZ_UNDETERMINED_HINT))
    if verdicts != {"mastered"} or len(fields) > len(found):
        blocks.append(Text(msg.QUIZ_NEXT))
    effects = [_grant(ctx, dialog_id, cat, r, threshold) for r in grant if cat is not None]
    effects += [_note(ctx, c, "not asked") for c in intake.get("skipped", ())]
    effects.append(_activity(ctx, "quiz_completed", dialog_id, _summary(state, found)))
    return Outcome([Reply(tuple(blocks), summary=msg.QUIZ_RESULTS_TITLE)], tuple(effects))


def _note(ctx: Context, competency: str, kind: str) -> Effect:
    repo = ctx.services.mastery

    def effect() -> None:
        repo.save_intake_note(ctx.learner.id, competency, kind, now=ctx.now)

    return effect


def _summary(state: Mapping[str, Any], found: tuple[CompetencyResult, ...]) -> dict[str, Any]:
    intake = state.get("intake") or {}
    return {
        "context": state["context"],
        "new": list(intake.get("new", ())),
        "not_asked": list(intake.get("skipped", ())),
        "results": {
            r.competency: {"p_mastery": round(r.p_mastery, 4), "items": r.items_used} for r in found
        },
    }


def _grant(
    ctx: Context, dialog_id: str, cat: CatState, r: CompetencyResult, threshold: float
) -> Effect:
    repo = ctx.services.mastery
    evidence = [
        {"item": a.item_id, "correct": a.response}
        for a in cat.answers
        if a.competency == r.competency
    ]

    def effect() -> None:
        granted = repo.grant_exemption(
            ctx.learner.id,
            competency=r.competency,
            modules=competency_modules(ctx.services, r.competency),
            evidence=evidence,
            theta=r.estimate,
            se=r.se,
            p_mastery=r.p_mastery,
            cut=r.cut,
            threshold=threshold,
            dialog_id=dialog_id,
            now=ctx.now,
        )
        if granted:
            detail = {"competency": r.competency, "p_mastery": round(r.p_mastery, 4)}
            ctx.services.activity.record(
                ctx.learner.id,
                "exempted",
                object_id=f"{dialog_id}:{r.competency}",
                detail=detail,
                now=ctx.now,
            )

    return effect


def _activity(ctx: Context, verb: str, object_id: str, detail: dict[str, Any]) -> Effect:
    def effect() -> None:
        ctx.services.activity.record(
            ctx.learner.id, verb, object_id=object_id, detail=detail, now=ctx.now
        )

    return effect


def _check(
    ctx: Context, dialog_id: str, state: Mapping[str, Any], cat: CatState, r: CompetencyResult
) -> Outcome:
    threshold = ctx.services.settings.mastery_threshold
    title = state["titles"][r.competency]
    verdict = verdict_text(judge(r.p_mastery, threshold=threshold))
    attempt = CheckAttempt(
        competency=r.competency,
        module_id=state.get("module"),
        passed=r.p_mastery >= threshold,
        p_mastery=r.p_mastery,
        theta=r.estimate,
        se=r.se,
        items=tuple(a.item_id for a in cat.answers),
        missed=tuple(a.item_id for a in cat.answers if a.response is not True),
        at=ctx.now,
    )
    effects = [_store_check(ctx, dialog_id, attempt)]
    detail = {"competency": r.competency, "p_mastery": round(r.p_mastery, 4)}
    if attempt.passed:
        effects.append(_activity(ctx, "mastered", dialog_id, detail))
        blocks: list[Block] = [Text(msg.CHECK_PASSED.format(title=title, verdict=verdict))]
        if attempt.module_id:
            effects.append(_module_done(ctx, attempt.module_id))
            module = module_titles(ctx.services, [attempt.module_id])[attempt.module_id]
            blocks.append(Text(msg.CHECK_PASSED_STEP_DONE.format(title=module)))
        return Outcome([Reply(tuple(blocks))], tuple(effects))
    effects.append(_activity(ctx, "check_failed", dialog_id, detail))
    failed = _failed(ctx, dialog_id, title, verdict, attempt)
    return Outcome(failed.replies, (*effects, *failed.effects))


def _failed(
    ctx: Context, dialog_id: str, title: str, verdict: str, attempt: CheckAttempt
) -> Outcome:
    """Remediation and a retry; every third failure in a row, a person is asked to help."""
    threshold = ctx.services.settings.mastery_threshold
    text = msg.CHECK_FAILED.format(
        title=title,
        verdict=verdict,
        a_needed=msg.article(round(threshold * 100)),
        needed=round(threshold * 100),
        pct=mastery_percent(attempt.p_mastery),
    )
    blocks: list[Block] = [Text(text), *quiz_help.remediation(ctx, attempt)]
    blocks.append(Text(msg.CHECK_RETRY.format(competency=attempt.competency)))
    retry = f"{attempt.competency}|{attempt.module_id or ''}"
    blocks.append(Buttons((Button(msg.CHECK_RETRY_BUTTON, RETRY_ACTION, retry),)))
    replies = [Reply(tuple(blocks), summary=text)]
    earlier = ctx.services.mastery.failures_since_pass(ctx.learner.id, attempt.competency)
    streak = [*earlier, attempt]
    if len(streak) % ESCALATE_EVERY != 0:
        return Outcome(replies, ())
    escalation = quiz_help.escalate(ctx, dialog_id, title, streak)
    return Outcome(replies + escalation.replies, escalation.effects)


def _module_done(ctx: Context, module_id: str) -> Effect:
    """A passed check after a module completes it, verified (the path re-plans from it)."""

    def effect() -> None:
        ctx.services.path_records.mark(ctx.learner.id, module_id, "done", now=ctx.now)
        ctx.services.activity.record(
            ctx.learner.id, "module.done", object_id=module_id, now=ctx.now
        )

    return effect


def _store_check(ctx: Context, dialog_id: str, attempt: CheckAttempt) -> Effect:
    repo = ctx.services.mastery

    def effect() -> None:
        repo.record_check(ctx.learner.id, attempt, dialog_id=dialog_id)

    return effect
