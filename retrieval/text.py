"""Lexical normalisation for BM25: unicode word splitting, stop words and light stemming."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Letters and digits only: "\w" would keep underscores, which join words in file names and code.
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[-*+]\s|\s*\d+[.)]\s)"
)

_STOP_WORD_LIST = """
    a about above after again against all also am an and any are aren as at be because been before
    being below between both but by can could couldn d did didn do does doesn doing don down during
    each few for from further get gets got had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just ll m me might more most
    mustn my myself need needs no nor not now o of off on once only or other our ours ourselves out
    over own re s same shan she should shouldn so some such t than that the their theirs them
    themselves then there these they this those through to too under until up us ve very was wasn
    we were weren what when where which while who whom why will with won would wouldn y you your
    yours yourself yourselves
    """
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORD_LIST.split())

# Irregular past forms a question and a handbook often differ by ("when do we get paid?",
# "Northwind pays every other Friday"). "left" is not here: it is also a direction.
_IRREGULAR_LIST = """
    paid:pay spent:spend sent:send lost:lose bought:buy brought:bring taught:teach
    thought:think told:tell wrote:write written:write chose:choose chosen:choose took:take
    taken:take gave:give given:give made:make kept:keep met:meet held:hold began:begin
    begun:begin found:find sold:sell felt:feel knew:know known:know stole:steal stolen:steal
    broke:break broken:break drove:drive driven:drive flew:fly flown:fly forgot:forget
    forgotten:forget children:child women:woman men:man
    """
IRREGULAR: dict[str, str] = dict(pair.split(":") for pair in _IRREGULAR_LIST.split())

_VOWELS = frozenset("aeiouy")
_DOUBLE_OK = frozenset("lsz")  # "fall", "pass", "buzz" keep their doubled consonant.


def _has_vowel(stem: str) -> bool:
    return any(ch in _VOWELS for ch in stem)


def _undouble(stem: str) -> str:
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | _DOUBLE_OK:
        return stem[:-1]
    return stem


def _strip_plural(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _strip_verbal(word: str) -> str:
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _has_vowel(stem):
            return _undouble(stem)
    return word


def _strip_derivational(word: str) -> str:
    # Longest first; each keeps at least four letters so short words are not mangled.
    for suffix, replacement in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("fulness", "ful"),
        ("iveness", "ive"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ments", ""),
        ("ment", ""),
        ("ness", ""),
        ("ably", "able"),
        ("ly", ""),
        ("er", ""),
    ):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 4:
            return stem + replacement
    return word


def stem(word: str) -> str:
    """Reduce an English word to a crude stem (a light Porter-style suffix stripper).

    The stripper is deliberately conservative: it conflates plurals, -ing/-ed forms and a few
    derivational suffixes, which is where question wording and handbook text most often differ;
    a few irregular past forms map to their base form first ("paid" -> "pay").

    Args:
        word: A lower-case word.

    Returns:
        The stem; digits and short words are returned unchanged.
    """
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    word = _strip_plural(word)
    word = _strip_verbal(word)
    word = _strip_derivational(word)
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def normalise(text: str) -> str:
    """Lower-case and fold compatibility characters (ligatures, full-width letters)."""
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> Iterator[str]:
    """Yield the unicode words of `text`, normalised, without stemming or stop-word removal."""
    return (match.group(0) for match in _WORD.finditer(normalise(text)))


def tokenize(text: str, *, use_stemming: bool = True) -> list[str]:
    """Split text into BM25 terms: words minus stop words, optionally stemmed.

    Args:
        text: Any text.
        use_stemming: Apply `stem` to each kept word.

    Returns:
        Terms in order of appearance (duplicates kept, for term frequency).
    """
    kept = [w for w in words(text) if w not in STOP_WORDS]
    if use_stemming:
        return [stem(w) for w in kept]
    return kept


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences and list items, dropping empty pieces."""
    pieces = _SENTENCE_END.split(text)
    return [" ".join(p.split()) for p in pieces if p and p.strip()]
