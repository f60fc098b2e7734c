"""Just-in-time matching: which library module prepares for a calendar event, by shared words.

Lexical and cheap on purpose (the planner runs it for every learner's upcoming events): the
event's title and description are tokenised and looked up in an inverted index of module
titles, tags and summaries. A word that appears in many modules says little, so each match
is weighted by how rare the word is in the library (1.0 for a word one module has), and
a word of the event title must appear in a module's title or tags. One shared title word
is enough when no more than about the square root of the library's modules have it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W\d_]{3,}")
# Common English words and the words every meeting invitation has.
_STOP_TEXT = """
    about after again all also and any are around back been before being both but can
    could did does doing down each few for from further had has have having her here hers
    him his how into its just like more most not now off once only other our ours out over
    own same she should some such than that the their theirs them then there these they
    this those through too under until very was were what when where which while who whom
    why will with would you your yours yourself
    meeting meetings call calls sync invite invitation join zoom teams google meet agenda
    notes weekly daily monthly quick chat catch catchup session sessions discussion discuss
    update updates office hours hour minutes time team room online link dial pin please
    new plan planning prep kickoff follow manager
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
MIN_SCORE = 1.0


def tokens(text: str) -> set[str]:
    """Lower-case content words of at least three letters, plural endings folded."""
    out = set()
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        out.add(_fold(word))
    return out


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class ModuleInfo:
    """What the planner knows of a library module."""

    id: str
    title: str
    minutes: int = 5
    tags: tuple[str, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class Match:
    """A module that prepares for an event, and the words they share."""

    module: ModuleInfo
    score: float
    words: tuple[str, ...]


@dataclass
class Catalogue:
    """Modules indexed by word, built once per planning pass and shared by every learner."""

    modules: Sequence[ModuleInfo]
    _strong: dict[str, list[int]] = field(default_factory=dict)
    _weak: dict[str, list[int]] = field(default_factory=dict)
    _idf: dict[str, float] = field(default_factory=dict)
    _cache: dict[tuple[str, str], Match | None] = field(default_factory=dict)

    @classmethod
    def build(cls, modules: Iterable[ModuleInfo]) -> Catalogue:
        """Index modules: title and tag words are strong evidence, summary words weak."""
        catalogue = cls(list(modules))
        strong: dict[str, list[int]] = defaultdict(list)
        weak: dict[str, list[int]] = defaultdict(list)
        for i, module in enumerate(catalogue.modules):
            title_words = tokens(module.title) | tokens(" ".join(module.tags))
            for word in title_words:
                strong[word].append(i)
            for word in tokens(module.summary) - title_words:
                weak[word].append(i)
        n = max(1, len(catalogue.modules))
        for word in set(strong) | set(weak):
            df = len(strong.get(word, ())) + len(weak.get(word, ()))
            # 1.0 for a word only one module has, falling towards 0 for a word all have.
            catalogue._idf[word] = math.log(1 + n / df) / math.log(1 + n)
        catalogue._strong, catalogue._weak = dict(strong), dict(weak)
        return catalogue

    def match(self, title: str, description: str = "") -> Match | None:
        """The module that best prepares for an event, or None (results are cached)."""
        key = (title, description)
        if key not in self._cache:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = self._match(title, description)
        return self._cache[key]

    def _match(self, title: str, description: str) -> Match | None:
        title_words = tokens(title)
        body_words = tokens(description) - title_words
        scores: dict[int, float] = defaultdict(float)
        shared: dict[int, list[str]] = defaultdict(list)
        anchored: set[int] = set()
        for words, weight in ((title_words, 1.0), (body_words, 0.5)):
            for word in words:
                idf = self._idf.get(word, 0.0)
                for i in self._strong.get(word, ()):
                    scores[i] += 2.0 * weight * idf
                    shared[i].append(word)
                    if weight == 1.0:
                        anchored.add(i)
                for i in self._weak.get(word, ()):
                    scores[i] += 0.5 * weight * idf
                    shared[i].append(word)
        ranked = sorted(
            (i for i in anchored if scores[i] >= MIN_SCORE),
            key=lambda i: (-scores[i], self.modules[i].id),
        )
        if not ranked:
            return None
        best = ranked[0]
        return Match(self.modules[best], round(scores[best], 3), tuple(sorted(shared[best])))
