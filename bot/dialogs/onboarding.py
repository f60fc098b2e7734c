"""The onboarding dialog: welcome, privacy notice, then role, goals, preferences and hours."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.replies import Button, Buttons, Note, Reply, Text
from bot.dialogs.engine import DialogRef, Step
from bot.features.profile import resolve_goals, resolve_role
from learning.profile import (
    FORMATS,
    ProfileError,
    parse_format,
    parse_hours,
    parse_session_minutes,
    parse_timezone,
)

KIND = "onboarding"
STAGES = ("welcome", "role", "goals", "format", "session", "timezone", "hours")
# Handled by the quiz feature (bot.handlers.quiz); only the action id is shared.
INTAKE_ACTION = "quiz.intake"
NEXT_STEP_ACTION = "path.next"  # the path handlers open the next step's lesson
HOURS = ("09:00-17:00", "08:00-16:00", "10:00-18:00")
SESSIONS = ("5", "10", "15", "30")


def roles(ctx: Context) -> list[tuple[str, str]]:
    """(id, title) of every role of the competency framework, offered as choices."""
    return [(r.id, r.title) for r in ctx.services.framework.get().roles]


def competencies(ctx: Context) -> list[tuple[str, str]]:
    """(id, title) of every competency of the framework, offered as goals."""
    return [(c.id, c.title) for c in ctx.services.framework.get().competencies]


Answer = Callable[[Context, str], list[Reply]]
_GREETINGS = frozenset(
    {"hi", "hello", "hey", "hiya", "howdy", "yo", "morning", "hallo", "start", "help", "thanks"}
)
# What typed text answers the welcome: "Let's start" or "Not now" in words.
_START = frozenset({"yes", "y", "ok", "okay", "sure", "start", "let's start", "lets start", "go"})
_LATER = frozenset({"not now", "later", "no", "n", "not yet"})
# A first word that makes typed text a question ("How do I ...", "Is there ...").
_QUESTION_WORDS = frozenset(
    "how what when where why who whom whose which can could do does did is are was were "  # noqa: SIM905
    "should would will shall may might am have has".split()
)
_BARE_NUMBERS = re.compile(r"^\d+(\s*[, ]\s*\d+)*$")


def is_question(text: str) -> bool:
    """Whether a first message asks something, rather than greeting ("hi", "hello there")."""
    words = re.findall(r"[\w']+", text.lower())
    if not words:
        return False
    if text.strip().endswith("?"):
        return True
    if words[0] in _GREETINGS and len(words) <= 3:
        return False
    return len(words) >= 3


def asks(text: str) -> bool:
    """Whether typed text reads as a question rather than an answer to a step."""
    words = re.findall(r"[\w']+", text.lower())
    return text.rstrip().endswith("?") or bool(words and words[0] in _QUESTION_WORDS)


def _matches(ctx: Context, state: dict[str, Any], answer: str) -> bool:
    """Whether the text is a valid answer of the current step in its own right: a role or
    goal the framework names, a format, a session length, a time zone, working hours."""
    stage = state["stage"]
    framework = ctx.services.framework.get()
    if (stage == "role" and not framework.roles) or (
        stage == "goals" and not framework.competencies
    ):
        return answer.strip().lower() in _NO_GOALS if stage == "goals" else False
    try:
        _APPLY[stage](ctx, state, answer)
    except ProfileError:
        return False
    return True


class OnboardingFlow:
    """Asks one thing per message and stores the answers in the profile as it goes.

    Args:
        answer: Answers a question (the question handler, handed in by the composition
            root): a question that opened the conversation is answered when the learner
            chooses "Not now", or after the last step, instead of being lost.
    """

    kind = KIND

    def __init__(self, answer: Answer | None = None) -> None:
        self._answer_question = answer

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """Greet, explain privacy, and offer to start; keep a first message that asks something."""
        tz = ctx.event.user.timezone or ctx.services.profiles.get(ctx.learner.id).timezone
        question = args.strip() if is_question(args) else ""
        state = {"stage": "welcome", "tz": tz, "question": question}
        return Step(state, self.prompt(ctx, ref, state))

    def _pending(self, ctx: Context, state: dict[str, Any]) -> list[Reply]:
        """The answer to the question the conversation opened with, if there was one."""
        question = state.get("question") or ""
        if not question or self._answer_question is None:
            return []
        intro = Reply((Text(msg.ONBOARDING_YOUR_QUESTION.format(question=question[:200])),))
        return [intro, *self._answer_question(ctx, question)]

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """The question of the current stage."""
        return [_PROMPTS[state["stage"]](ctx, ref, state)]

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """Apply a button answer."""
        if choice == "later":
            later = [Reply((Text(msg.ONBOARDING_LATER),)), *self._pending(ctx, state)]
            return Step(state, later, done=True)
        if choice == "choices":
            choice = ",".join(values)
        return self._answer(ctx, ref, state, choice)

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Apply typed text that answers the current step; None for a question that does not
        (the router answers it and onboarding waits), so a burst of questions is never taken
        as answers. A bare number is never an answer (no button has that number here)."""
        answer, stage = text.strip(), state["stage"]
        if _BARE_NUMBERS.match(answer):
            return Step(
                state, [Reply((Text(msg.ONBOARDING_NUMBER),)), *self.prompt(ctx, ref, state)]
            )
        if stage == "welcome":
            said = " ".join(answer.lower().rstrip("!.").split())
            if said in _LATER:
                return self.on_action(ctx, ref, state, "later", ())
            if said in _START:
                return self._answer(ctx, ref, state, "go")
            return None if asks(answer) else Step(state, self.prompt(ctx, ref, state))
        if asks(answer) and not _matches(ctx, state, answer):
            return None
        return self._answer(ctx, ref, state, answer)

    def _answer(self, ctx: Context, ref: DialogRef, state: dict[str, Any], answer: str) -> Step:
        stage = state["stage"]
        try:
            changes = _APPLY[stage](ctx, state, answer)
        except ProfileError as err:
            return Step(state, [Reply((Text(str(err)),)), *self.prompt(ctx, ref, state)])
        profiles = ctx.services.profiles
        profile = profiles.get(ctx.learner.id).with_changes(**changes)
        following = STAGES.index(stage) + 1
        if following == len(STAGES):
            profile = profile.with_changes(onboarded_at=ctx.now)
            profiles.save(ctx.learner.id, profile, now=ctx.now)
            done = [_finished(ctx), *self._pending(ctx, state)]
            return Step({**state, "stage": "done"}, done, done=True)
        profiles.save(ctx.learner.id, profile, now=ctx.now)
        new_state = {**state, "stage": STAGES[following]}
        return Step(new_state, self.prompt(ctx, ref, new_state))


def _welcome(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    return Reply(
        (
            Text(msg.WELCOME.format(name=ctx.learner.name)),
            Note(msg.PRIVACY),
            Buttons((ref.button("Let's start", "go", "primary"), ref.button("Not now", "later"))),
        )
    )


def _ask_role(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    offered = roles(ctx)
    blocks: list[Any] = [Text(msg.ASK_ROLE)]
    if offered:
        blocks.append(ref.choices(tuple(offered)))
    return Reply(tuple(blocks))


def _ask_goals(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    offered = competencies(ctx)
    blocks: list[Any] = [Text(msg.ASK_GOALS)]
    if offered:
        blocks.append(ref.choices(tuple(offered), multi=True, submit="Save goals"))
    blocks.append(Buttons((ref.button("Skip", "skip"),)))
    return Reply(tuple(blocks))


def _ask_format(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    options = tuple(
        ref.button(f.capitalize() if f != "any" else "No preference", f) for f in FORMATS
    )
    return Reply((Text(msg.ASK_FORMAT), Buttons(options)))


def _ask_session(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    options = tuple(ref.button(f"{m} min", m) for m in SESSIONS)
    return Reply((Text(msg.ASK_SESSION), Buttons(options)))


def _ask_timezone(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    keep = ref.button(f"Yes, {state['tz']}", state["tz"], "primary")
    return Reply((Text(msg.ASK_TIMEZONE.format(tz=state["tz"])), Buttons((keep,))))


def _ask_hours(ctx: Context, ref: DialogRef, state: dict[str, Any]) -> Reply:
    return Reply((Text(msg.ASK_HOURS), Buttons(tuple(ref.button(h, h) for h in HOURS))))


def _finished(ctx: Context) -> Reply:
    """All set: the first lesson of the new path first, then the intake quiz that can shorten
    it, as buttons."""
    blocks: list[Any] = [Text(msg.ONBOARDING_DONE.format(name=ctx.learner.name))]
    buttons: list[Button] = []
    first = None
    if ctx.services.paths is not None:
        first = ctx.services.paths.inputs(ctx.learner.id, now=ctx.now).next_step
    # The intake quiz needs questions, and something on the path it could take off.
    quiz = bool(ctx.services.items.competencies()) and _intake_worth_offering(ctx)
    if first is not None:
        _, title, minutes = first
        when = msg.plural(minutes, "minute")
        blocks.append(Text(msg.FIRST_LESSON.format(title=title, minutes=when)))
        if quiz:
            blocks.append(Text(msg.FIRST_LESSON_OR_QUIZ))
        buttons.append(Button(msg.START_FIRST_LESSON, NEXT_STEP_ACTION, style="primary"))
    else:
        blocks.append(Text(msg.NEXT_STEPS))
    if quiz:
        style = "" if buttons else "primary"
        buttons.append(Button(msg.TAKE_INTAKE_QUIZ, INTAKE_ACTION, style=style))  # type: ignore[arg-type]
    elif ctx.services.items.competencies():
        blocks.append(Text(msg.INTAKE_NOT_OFFERED))
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return Reply(tuple(blocks))


def _intake_worth_offering(ctx: Context) -> bool:
    """Whether the intake quiz would ask anything: its skip rule leaves out competencies
    whose modules are short next to the questions it would take to exempt them."""
    from bot.dialogs.quiz import intake_config
    from bot.features.quiz.intake import intake_plan
    from bot.features.quiz.learner_model import quiz_competencies, target_competencies

    comps = quiz_competencies(ctx.services)
    chosen = target_competencies(ctx.services, ctx.learner.id, comps)
    if not chosen:
        return False
    cuts = {c: comps.cuts[c] for c in chosen}
    found, _ = intake_plan(ctx.services, ctx.learner.id, cuts, config=intake_config(), now=ctx.now)
    return bool(found.asked)


def _apply_role(ctx: Context, state: dict[str, Any], answer: str) -> dict[str, Any]:
    return {"job_role": resolve_role(ctx, answer)}


_NO_GOALS = frozenset({"skip", "none", "no", "nothing", "-"})


def _apply_goals(ctx: Context, state: dict[str, Any], answer: str) -> dict[str, Any]:
    if answer.strip().lower() in _NO_GOALS:
        return {"goals": ()}
    # A typed competency title (or id) becomes its id, so paths can plan for it.
    typed = tuple(g.strip()[:100] for g in answer.split(",") if g.strip())
    return {"goals": resolve_goals(ctx, typed[:10])}


def _apply_hours(ctx: Context, state: dict[str, Any], answer: str) -> dict[str, Any]:
    start, end = parse_hours(answer)
    return {"work_start": start, "work_end": end}


_PROMPTS = {
    "welcome": _welcome,
    "role": _ask_role,
    "goals": _ask_goals,
    "format": _ask_format,
    "session": _ask_session,
    "timezone": _ask_timezone,
    "hours": _ask_hours,
}
_APPLY = {
    "welcome": lambda ctx, state, answer: {},
    "role": _apply_role,
    "goals": _apply_goals,
    "format": lambda ctx, state, answer: {"preferred_format": parse_format(answer)},
    "session": lambda ctx, state, answer: {"session_minutes": parse_session_minutes(answer)},
    "timezone": lambda ctx, state, answer: {"timezone": parse_timezone(answer)},
    "hours": _apply_hours,
}
