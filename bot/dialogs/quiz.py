"""The adaptive quiz dialog: intake quiz, `/learn quiz` and mastery checks, one question a step.

All state lives in the dialog row as JSON (the diagnostic's posteriors, the current item, the
limits), so a restart or another replica continues the same quiz. Answers are recorded as
step effects, which the engine runs only after its optimistic save succeeded: a double click
or a replayed request records one answer.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.replies import Reply, say
from bot.dialogs import quiz_outcome
from bot.dialogs.engine import DialogRef, Step
from bot.dialogs.quiz_view import IDK, NEW, PAUSE, feedback_reply, question_reply
from learning.cat import CatConfig, CatState, CatStateError, ItemBank, next_item, record
from learning.cat_progress import expected_remaining
from learning.intake import (
    EXEMPT_THRESHOLD,
    Prior,
    closed_competencies,
    drop_competency,
    start_state,
    without,
)
from learning.items import Item

STATE_VERSION = 1
CONTEXTS = ("intake", "quiz", "check")
# (min items per competency, max items per competency, max items in all)
LIMITS: dict[str, tuple[int, int, int]] = {
    "intake": (1, 12, 40),
    "quiz": (3, 10, 30),
    "check": (3, 5, 5),
}


@dataclass(frozen=True)
class QuizSpec:
    """What a quiz covers; built by the handler after validating the learner's request.

    Attributes:
        context: "intake", "quiz" or "check".
        cuts: Competency id -> cut score, in presentation order.
        titles: Competency id -> display title.
        pool: Item ids to draw from (None: every live item of the competencies).
        prefer: Item ids to ask first while the diagnostic still needs items (the module a
            check follows); the stopping rules always look at the whole pool.
        module: The module a check follows, if any.
        priors: Intake only: competency -> (mean, sd) of its role prior.
        minutes: Intake only: exemptable minutes per competency on the learner's full path.
        skipped: Intake only: competencies the skip rule left out.
        planner_threshold: Intake only: the probability at which the path counts a
            competency mastered (`LEARNBOT_MASTERY_THRESHOLD`).
    """

    context: str
    cuts: Mapping[str, float]
    titles: Mapping[str, str]
    pool: tuple[str, ...] | None = None
    prefer: tuple[str, ...] = ()
    module: str | None = None
    priors: Mapping[str, tuple[float, float]] | None = None
    minutes: Mapping[str, int] | None = None
    skipped: tuple[str, ...] = ()
    planner_threshold: float = EXEMPT_THRESHOLD

    def to_args(self) -> str:
        """The spec as the dialog's start arguments."""
        return json.dumps(
            {
                "context": self.context,
                "cuts": dict(self.cuts),
                "titles": dict(self.titles),
                "pool": None if self.pool is None else list(self.pool),
                "prefer": list(self.prefer),
                "module": self.module,
                "priors": {c: list(p) for c, p in (self.priors or {}).items()},
                "minutes": dict(self.minutes or {}),
                "skipped": list(self.skipped),
                "planner_threshold": self.planner_threshold,
            }
        )


def config_for(state: Mapping[str, Any]) -> CatConfig:
    """The diagnostic settings a saved quiz runs with."""
    low, high, total = state["limits"]
    if state.get("context") == "intake":
        # The intake quiz stops on "mastered" only at the exemption level it aims for.
        return CatConfig(
            confidence=EXEMPT_THRESHOLD,
            min_items=low,
            max_items=high,
            max_total_items=total,
            top_k=2,
        )
    return CatConfig(
        min_items=low, max_items=high, max_total_items=total, top_k=2 if total <= 5 else 3
    )


def intake_config() -> CatConfig:
    """The intake quiz's diagnostic settings (the efficacy benchmark measures these)."""
    return config_for({"limits": LIMITS["intake"], "context": "intake"})


def load_bank(ctx: Context, state: Mapping[str, Any]) -> ItemBank:
    """The live items a saved quiz draws from (parameters only: `services.items.get` shows one)."""
    items = ctx.services.items.selection_bank(list(state["titles"]))
    pool = state.get("pool")
    if pool is not None:
        wanted = set(pool)
        items = tuple(i for i in items if i.id in wanted)
    return ItemBank(items)


class QuizFlow:
    """One flow for every adaptive quiz; `kind` separates quizzes from checks in storage."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """Begin with the handler's `QuizSpec` (as JSON) and ask the first question."""
        spec = json.loads(args)
        low, high, total = LIMITS[spec["context"]]
        if spec["pool"] is not None:
            high = min(high, len(spec["pool"]))
            total = min(total, len(spec["pool"]))
        state: dict[str, Any] = {
            "v": STATE_VERSION,
            "context": spec["context"],
            "titles": spec["titles"],
            "pool": spec["pool"],
            "prefer": spec["prefer"],
            "module": spec["module"],
            "limits": [min(low, high), high, total],
            "cat": _start(spec).to_dict(),
            "current": None,
            "paused": False,
        }
        if spec["context"] == "intake":
            state["intake"] = {
                "minutes": spec.get("minutes") or {},
                "skipped": spec.get("skipped") or [],
                "new": [],
                "planner_threshold": spec.get("planner_threshold", EXEMPT_THRESHOLD),
            }
        bank = load_bank(ctx, state)
        state["current"] = _pick(ref.dialog_id, CatState.from_dict(state["cat"]), bank, state)
        return Step(state, [_intro(state), *self._question(ctx, ref, state, bank)])

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """The current question again."""
        return self._question(ctx, ref, state, load_bank(ctx, state))

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """An answer, "I don't know", or Pause."""
        if choice == PAUSE:
            return Step({**state, "paused": True}, [say(msg.QUIZ_PAUSED)])
        state = {**state, "paused": False}
        item = ctx.services.items.get(state["current"] or "")
        if item is None:
            return self._skip(ctx, ref, state)
        if choice == IDK:
            return self._answer(ctx, ref, state, item, frozenset())
        if choice == NEW and "intake" in state:
            return self._new_to_this(ctx, ref, state, item.competency)
        chosen = frozenset(values) if choice == "choices" else frozenset({choice})
        if not chosen:
            return Step(state, [say(msg.QUIZ_PICK_SOMETHING), *self.prompt(ctx, ref, state)])
        if not chosen <= {o.id for o in item.options}:
            return Step(state, [say(msg.QUIZ_USE_BUTTONS), *self.prompt(ctx, ref, state)])
        return self._answer(ctx, ref, state, item, chosen)

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Typed text is not an answer: explain how to answer and ask again (not when paused)."""
        if state.get("paused", True) or state.get("current") is None:
            return None
        return Step(state, [say(msg.QUIZ_USE_BUTTONS), *self.prompt(ctx, ref, state)])

    def _question(
        self, ctx: Context, ref: DialogRef, state: Mapping[str, Any], bank: ItemBank
    ) -> list[Reply]:
        item = ctx.services.items.get(state["current"] or "")
        if item is None:
            return [say(msg.QUESTION_CLOSED)]
        cat = CatState.from_dict(state["cat"])
        left = max(expected_remaining(cat, bank, config=config_for(state)) - 1, 0)
        topic = state["titles"].get(item.competency, item.competency)
        new = "intake" in state
        number = len(cat.answers) + 1
        return [question_reply(ref, item, number=number, left=left, topic=topic, new=new)]

    def _answer(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        item: Item,
        chosen: frozenset[str],
    ) -> Step:
        correct = item.is_correct(chosen) if chosen else None
        cat = record(CatState.from_dict(state["cat"]), item, correct)
        effect = _recorder(ctx, ref.dialog_id, state["context"], item, chosen, bool(correct))
        feedback = feedback_reply(item, chosen, correct)
        return self._advance(ctx, ref, {**state, "cat": cat.to_dict()}, [feedback], (effect,))

    def _new_to_this(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], competency: str
    ) -> Step:
        """ "I'm new to this": no more questions on the competency, and it is never exempted."""
        intake = {**state["intake"], "new": [*state["intake"]["new"], competency]}
        title = state["titles"].get(competency, competency)
        effect = _noter(ctx, competency, "new")
        reply = say(msg.QUIZ_NEW_NOTED.format(title=title))
        left = drop_competency(CatState.from_dict(state["cat"]), competency)
        if left is None:
            done = {**state, "intake": intake, "current": None}
            outcome = quiz_outcome.finish(
                ctx, ref.dialog_id, done, None, load_bank(ctx, state), config_for(state)
            )
            return Step(done, [reply, *outcome.replies], True, (effect, *outcome.effects))
        moved = {**state, "intake": intake, "cat": left.to_dict()}
        return self._advance(ctx, ref, moved, [reply], (effect,))

    def _skip(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Step:
        """The current item vanished from the bank: move on without scoring it."""
        return self._advance(ctx, ref, state, [], ())

    def _advance(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        replies: list[Reply],
        effects: tuple[Any, ...],
    ) -> Step:
        bank = load_bank(ctx, state)
        cat = CatState.from_dict(state["cat"])
        following = _pick(ref.dialog_id, cat, bank, state)
        if following is None:
            outcome = quiz_outcome.finish(ctx, ref.dialog_id, state, cat, bank, config_for(state))
            done_state = {**state, "current": None}
            return Step(
                done_state, [*replies, *outcome.replies], True, (*effects, *outcome.effects)
            )
        new_state = {**state, "current": following}
        return Step(
            new_state, [*replies, *self._question(ctx, ref, new_state, bank)], False, effects
        )


def _start(spec: Mapping[str, Any]) -> CatState:
    """A fresh diagnostic; the intake quiz's competencies start from their role priors."""
    if spec["context"] != "intake":
        return CatState.start(spec["cuts"])
    priors = {c: Prior(float(m), float(sd)) for c, (m, sd) in (spec.get("priors") or {}).items()}
    return start_state(spec["cuts"], priors)


def _open_bank(cat: CatState, bank: ItemBank, state: Mapping[str, Any]) -> ItemBank:
    """The intake quiz asks nothing more on a competency no longer worth a question."""
    intake = state.get("intake")
    if not intake:
        return bank
    config = config_for(state)
    minutes = {str(c): int(m) for c, m in intake["minutes"].items()}
    closed = closed_competencies(
        cat,
        minutes,
        bank,
        config=config,
        threshold=EXEMPT_THRESHOLD,
        planner_threshold=float(intake.get("planner_threshold", EXEMPT_THRESHOLD)),
    )
    return without(bank, closed)


def _pick(dialog_id: str, cat: CatState, bank: ItemBank, state: Mapping[str, Any]) -> str | None:
    """The next item: from the preferred ones while any is left, if the quiz goes on at all."""
    # Seeded by dialog and position: the same state always offers the same next question.
    rng = random.Random(f"{dialog_id}:{len(cat.answers)}")
    config = config_for(state)
    try:
        bank = _open_bank(cat, bank, state)
        chosen = next_item(cat, bank, rng=rng, config=config)
        wanted = set(state.get("prefer") or ()) - cat.administered
        preferred = tuple(i for i in bank.items if i.id in wanted)
        if chosen is None or not preferred:
            return chosen
        return next_item(cat, ItemBank(preferred), rng=rng, config=config) or chosen
    except CatStateError:
        return None


def _intro(state: Mapping[str, Any]) -> Reply:
    titles = list(state["titles"].values())
    if state["context"] == "check":
        return say(
            msg.CHECK_INTRO.format(
                title=titles[0], questions=msg.plural(state["limits"][2], "question")
            )
        )
    return say(msg.QUIZ_INTRO.format(titles=", ".join(titles)))


def _noter(ctx: Context, competency: str, kind: str) -> Any:
    repo = ctx.services.mastery

    def effect() -> None:
        repo.save_intake_note(ctx.learner.id, competency, kind, now=ctx.now)

    return effect


def _recorder(
    ctx: Context, dialog_id: str, context: str, item: Item, chosen: frozenset[str], correct: bool
) -> Any:
    repo = ctx.services.items

    def effect() -> None:
        repo.record_response(
            learner_id=ctx.learner.id,
            item_id=item.id,
            chosen=sorted(chosen),
            correct=correct,
            context=context,
            dialog_id=dialog_id,
            now=ctx.now,
        )
        # Spaced review (the nudges feature): an answer schedules the item's next review.
        reviews = ctx.services.reviews
        if reviews is not None:
            reviews.record(
                ctx.learner.id,
                item.id,
                correct,
                now=ctx.now,
                module_id=item.module_id,
                dont_know=not chosen,
            )

    return effect


FLOWS = {"quiz": QuizFlow("quiz"), "check": QuizFlow("check")}
