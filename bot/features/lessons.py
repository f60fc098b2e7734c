"""Lessons: a module's stored cards with practice items placed after the cards they follow,
and what a practice answer in a lesson records."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.features.quiz.learner_model import quiz_competencies
from bot.storage.content import ContentRepository, ModuleRecord
from bot.storage.items import ItemRepository
from bot.storage.lessons import LessonRepository
from bot.storage.mastery import Ability
from content_index.lessons import Card
from learning.items import Item
from learning.practice import practice_update

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to say which card an item is about (words under 3 letters never count).
_STOP = frozenset(
    [
        "and",
        "are",
        "can",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "its",
        "may",
        "must",
        "not",
        "should",
        "that",
        "the",
        "their",
        "there",
        "this",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class LessonCard:
    """One card of a lesson as a learner sees it.

    Attributes:
        kind: text, media, practice (one bank item) or check (the module's mastery check).
        text: What the card says.
        item_id: The bank item of a practice card, "" otherwise.
        section: The section of the module the card belongs to (a practice card: the
            section of the card before it).
        anchor: That section's anchor on the module page.
        chars: How much there is to read (a practice card counts its question).
    """

    kind: str
    text: str
    item_id: str = ""
    section: str = ""
    anchor: str = ""

    @property
    def chars(self) -> int:
        """The length of the card's text."""
        return len(self.text)


@dataclass(frozen=True)
class Lesson:
    """A module as a sequence of cards.

    Attributes:
        module_id: The module.
        title: Its title.
        minutes: Its estimated study time.
        cards: The cards in order.
        competencies: The module's competencies (the check is on the first with items).
        check_competency: The competency of the closing check; "" when there is none.
    """

    module_id: str
    title: str
    minutes: int
    cards: tuple[LessonCard, ...]
    competencies: tuple[str, ...] = ()
    check_competency: str = ""

    def minutes_left(self, index: int) -> int:
        """About how many minutes of reading are left from card `index` on (at least 1).

        The module's estimate is shared out by the cards' lengths; without an estimate,
        reading runs at about 1,000 characters a minute.
        """
        total = sum(c.chars for c in self.cards) or 1
        left = sum(c.chars for c in self.cards[index:])
        if self.minutes > 0:
            return max(1, round(self.minutes * left / total))
        return max(1, round(left / 1000))

    def next_section(self, index: int) -> int:
        """The index of the first card after `index` that starts another section."""
        section = self.cards[index].section
        for later in range(index + 1, len(self.cards)):
            card = self.cards[later]
            if card.kind == "check" or card.section != section:
                return later
        return len(self.cards) - 1

    def as_json(self) -> dict[str, Any]:
        """The lesson as `learnbot lesson show --json` prints it (item_id on practice only)."""
        cards = []
        for n, card in enumerate(self.cards, start=1):
            row: dict[str, Any] = {"n": n, "kind": card.kind, "text": card.text}
            row["chars"] = len(card.text)
            if card.kind == "practice":
                row["item_id"] = card.item_id
            cards.append(row)
        return {
            "module_id": self.module_id,
            "title": self.title,
            "cards": cards,
            "minutes": self.minutes,
        }


class UnknownModule(NotFound):
    """No module matches what the user typed."""


class AmbiguousModule(UnknownModule):
    """What the user typed matches several modules."""


class NoCards(UserError):
    """The module was ingested before lesson cards were stored."""


class LessonService:
    """Finds a module and assembles its lesson from stored cards and the item bank.

    Args:
        content: The module records.
        lessons: The stored lesson cards.
        items: The item bank.
    """

    def __init__(
        self, *, content: ContentRepository, lessons: LessonRepository, items: ItemRepository
    ) -> None:
        self._content = content
        self._lessons = lessons
        self._items = items

    def find(
        self, key: str, *, visible: Callable[[ModuleRecord], bool] | None = None
    ) -> ModuleRecord:
        """A module by id, title (any case) or source path as given to `learnbot ingest`.

        Args:
            key: What the user typed.
            visible: When given, only live modules it accepts are matched (a learner's
                view): others are neither found nor named as candidates.

        Raises:
            UnknownModule: Nothing matches, or a title or path matches several modules.
        """

        def allowed(record: ModuleRecord | None) -> bool:
            if record is None:
                return False
            return visible is None or (not record.retired and visible(record))

        found = self._content.get(key)
        if not allowed(found):
            found = self._content.by_source(key)
        if found is not None and allowed(found):
            return found
        records = [r for r in self._content.modules(include_retired=True) if allowed(r)]
        titled = [r for r in records if r.meta.title.casefold() == key.strip().casefold()]
        if len(titled) == 1:
            return titled[0]
        path = PurePosixPath(key.replace("\\", "/"))
        by_path = [r for r in records if _ends_with(path, r.meta.source)]
        if len(by_path) == 1:
            return by_path[0]
        if len(titled) + len(by_path) > 1:
            ids = ", ".join(r.meta.id for r in titled or by_path)
            raise AmbiguousModule(msg.LESSON_AMBIGUOUS.format(key=key, ids=ids))
        raise UnknownModule(msg.LESSON_UNKNOWN.format(key=key))

    def lesson(self, key: str) -> Lesson:
        """The lesson of a module: its cards, practice items and, last, a check card.

        Raises:
            UnknownModule: No module matches `key`.
            NoCards: The module has no stored cards.
        """
        record = self.find(key)
        meta = record.meta
        cards = self._lessons.cards(meta.id)
        if cards is None:
            raise NoCards(msg.LESSON_NO_CARDS.format(module=meta.id))
        competency_items = self._items.bank(meta.competencies) if meta.competencies else ()
        practice = _practice_items(meta.id, competency_items)
        placed = place_items(cards, practice)
        result: list[LessonCard] = []
        for index, card in enumerate(cards):
            result.append(
                LessonCard(card.kind, card.text, section=card.section, anchor=card.anchor)
            )
            item = placed.get(index)
            if item is not None:
                result.append(LessonCard("practice", practice_text(item), item.id, card.section))
        checked = next(
            (c for c in meta.competencies if any(i.competency == c for i in competency_items)), ""
        )
        if competency_items:
            check = _check_text(meta.id, meta.competencies, competency_items)
            result.append(LessonCard("check", check))
        return Lesson(
            meta.id,
            meta.title,
            meta.minutes,
            tuple(result),
            competencies=tuple(meta.competencies),
            check_competency=checked,
        )


def _ends_with(path: PurePosixPath, source: str) -> bool:
    """Whether `path` is `source` or a path ending in it (a file inside an ingested folder)."""
    parts = PurePosixPath(source).parts
    return bool(parts) and path.parts[-len(parts) :] == parts


def _practice_items(module_id: str, bank: Sequence[Item]) -> list[Item]:
    """The module's own items; when it has none, its competencies' items tied to no module."""
    own = [i for i in bank if i.module_id == module_id]
    return own or [i for i in bank if not i.module_id]


def place_items(cards: Sequence[Card], items: Sequence[Item]) -> dict[int, Item]:
    """Card index -> the item practised after it: the card sharing most words with the item.

    Each item is placed once and each card gets at most one; items are taken in bank order
    and ties go to the earlier card, so the result is deterministic. An item sharing no word
    with any free card is left out.
    """
    words = [_words(c.text) for c in cards]
    placed: dict[int, Item] = {}
    for item in items:
        stem = _words(item.stem + " " + " ".join(o.text for o in item.options))
        best, score = -1, 0
        for index, card_words in enumerate(words):
            shared = len(stem & card_words)
            if index not in placed and shared > score:
                best, score = index, shared
        if best >= 0:
            placed[best] = item
    return placed


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def practice_text(item: Item) -> str:
    """A practice card: the question and its options."""
    if item.kind == "true_false":
        return msg.PRACTICE_TRUE_FALSE.format(stem=item.stem)
    options = "\n".join(f"{o.id}) {o.text}" for o in item.options)
    several = msg.PRACTICE_SEVERAL if item.kind == "multiple" else ""
    return msg.PRACTICE.format(stem=item.stem, several=several, options=options)


def _check_text(module_id: str, competencies: Sequence[str], bank: Sequence[Item]) -> str:
    return msg.LESSON_CHECK.format(
        count=len(bank), names=", ".join(competencies), first=competencies[0], module=module_id
    )


def lesson_service(services: Services) -> LessonService:
    """The lesson service over the core's repositories."""
    return LessonService(content=services.content, lessons=services.lessons, items=services.items)


def record_practice(
    services: Services,
    *,
    learner_id: str,
    item: Item,
    chosen: frozenset[str],
    module_id: str,
    card: int,
    dialog_id: str,
    now: datetime,
) -> bool:
    """Record a practice answer given in a lesson; False when the lesson already recorded it.

    It is stored as a `practice` response (never used for calibration, and not counted as
    "met" when a mastery check picks unseen items), schedules the item's spaced review like a
    quiz answer, and moves the competency's ability estimate by half an answer's weight.
    """
    correct = item.is_correct(chosen) if chosen else False
    stored = services.items.record_response(
        learner_id=learner_id,
        item_id=item.id,
        chosen=sorted(chosen),
        correct=correct,
        context="practice",
        dialog_id=dialog_id,
        now=now,
    )
    if not stored:
        return False
    if services.reviews is not None:
        services.reviews.record(
            learner_id, item.id, correct, now=now, module_id=module_id, dont_know=not chosen
        )
    current = services.mastery.abilities(learner_id).get(item.competency)
    cut = current.cut if current else quiz_competencies(services).cuts.get(item.competency, 0.0)
    moved = practice_update(
        theta=current.theta if current else None,
        se=current.se if current else None,
        a=item.a,
        b=item.b,
        correct=correct,
        cut=cut,
    )
    n = (current.n if current else 0) + 1
    ability = Ability(item.competency, moved.theta, moved.se, moved.p_mastery, cut, n, now)
    services.mastery.save_ability(learner_id, ability)
    value = "correct" if correct else ("dont_know" if not chosen else "wrong")
    services.lesson_progress.log(learner_id, module_id, "answer", card=card, value=value, now=now)
    services.activity.record(
        learner_id,
        "answered",
        object_id=item.id,
        detail={"context": "practice", "module": module_id, "success": correct},
        now=now,
    )
    return True


def shown_mastery(services: Services, learner_id: str, competencies: Sequence[str]) -> str:
    """The first competency the learner has shown mastery of ("" if none): exempted, or an
    estimate at the mastery threshold."""
    exempt = services.mastery.exempted_competencies(learner_id)
    abilities = services.mastery.abilities(learner_id)
    threshold = services.settings.mastery_threshold
    for competency in competencies:
        ability = abilities.get(competency)
        if competency in exempt or (ability is not None and ability.p_mastery >= threshold):
            return competency
    return ""


def covering_cards(lesson: Lesson, items: Sequence[Item]) -> list[int]:
    """The reading cards (numbered from 1) that cover some items, in lesson order.

    An item practised in the lesson is covered by the reading card before its practice card;
    any other item by the reading card sharing most words with it (two at least).
    """
    found: set[int] = set()
    reading = [i for i, c in enumerate(lesson.cards) if c.kind in ("text", "media")]
    for item in items:
        practised = next(
            (
                i
                for i, c in enumerate(lesson.cards)
                if c.kind == "practice" and c.item_id == item.id
            ),
            None,
        )
        if practised is not None:
            before = [i for i in reading if i < practised]
            if before:
                found.add(before[-1] + 1)
            continue
        stem = _words(item.stem + " " + item.explanation)
        scored = [(len(stem & _words(lesson.cards[i].text)), -i) for i in reading]
        if scored:
            score, index = max(scored)
            if score >= 2:
                found.add(-index + 1)
    return sorted(found)
