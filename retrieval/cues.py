"""Question types (when, who, how much, how do I, where, yes/no) and the sentences that fit them."""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Each pattern is matched at the start of a clause, so "what does it mean when..." is not a
# "when" question and "a customer says X, who handles that?" is a "who" question.
_QUESTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("when", re.compile(r"(when|what time|what day|which day|how soon|how early|by when)\b")),
    ("amount", re.compile(r"how (much|many|long|often|far|heavy|big|old|quickly|fast)\b")),
    ("who", re.compile(r"(who|whom|whose|which team|which person)\b")),
    ("where", re.compile(r"(where|which (app|system|tool|site|page|form|folder))\b")),
    ("how", re.compile(r"(how|what (should|do|can|must) (i|we) do|what are the steps)\b")),
    (
        "yesno",
        re.compile(r"(can|may|is|am|are|do|does|should|must|could|will|would|have|has)\b"),
    ),
)
_CLAUSE = re.compile(r"[,;:?!.]\s*|\s+(?:and|but|so|or)\s+")

_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekday"
_MONTHS = r"january|february|march|april|june|july|august|september|october|november|december"
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|half|once|twice|single|double"
)
_SENTENCE_CUES: dict[str, re.Pattern[str]] = {
    "when": re.compile(
        rf"\b({_WEEKDAYS}|{_MONTHS}|daily|weekly|monthly|quarterly|annually|yearly|"
        r"fortnightly|every (other )?\w+|\d{1,2}:\d{2}|\d{1,2} ?(am|pm)|"
        r"(before|after|within|by|until|no later than) (the |your |a |an )?\w+|"
        r"(start|end) of|deadline|immediately|as soon as|at once)\b",
        _I,
    ),
    "amount": re.compile(
        rf"(\d|[$€£%]|\b({_NUMBER_WORDS}|per|each|maximum|minimum|up to|at least|at most)\b)", _I
    ),
    "who": re.compile(
        r"\b(manager|team|lead|desk|officer|supervisor|owner|department|director|coordinator|"
        r"administrator|admin|staff|colleague|buddy|approv\w*|responsible|handles?|contact|"
        r"escalat\w*)\b|@",
        _I,
    ),
    "where": re.compile(
        r"\b(in|at|on|under|from|via|through) (the )?[A-Z]\w+|\b(level \d|floor|room|office|"
        r"folder|page|portal|site|app|form|channel|link|repo\w*|drive|menu)\b|>|https?://",
    ),
    "how": re.compile(
        r"^\s*(\d+[.)]\s*)?(open|go|click|select|choose|use|submit|fill|request|ask|email|call|"
        r"sign|log|add|send|tell|report|press|find|photograph|record|contact|raise|book|enter|"
        r"set|check|follow|create|write|file|make|start|visit|complete|review|read|talk)\b|"
        r"\b(to do this|you can|you should|you need to|first|then|next|step)\b",
        _I,
    ),
    "yesno": re.compile(
        r"\b(may|must|can|cannot|can't|not|never|always|only|allowed|permitted|required|"
        r"need|needs|fine|ok|okay|no|yes|prohibited|forbidden|approval)\b",
        _I,
    ),
}


def question_kind(question: str) -> str | None:
    """What a question asks for: "when", "amount", "who", "where", "how", "yesno", or None.

    The first clause that opens with a question word decides ("and how long do I have?").
    """
    for clause in _CLAUSE.split(question.casefold()):
        for kind, pattern in _QUESTION_KINDS:
            if pattern.match(clause.strip()):
                return kind
    return None


def fits(kind: str | None, sentence: str) -> bool:
    """Whether a sentence has the shape of an answer to a question of `kind`.

    A "when" answer names a day, date, time or deadline; an "amount" answer a number; a "who"
    answer a role or team; a "where" answer a place, system or link; a "how" answer a step;
    a "yes/no" answer a permission or rule.
    """
    return kind is not None and bool(_SENTENCE_CUES[kind].search(sentence))


# Questions about what is true right now (a price today, the latest score) are for live
# systems, not for a library of documents.
_LIVE_DATA = re.compile(
    r"\b(today|tonight|right now|currently|at the moment|latest|live|stock price|share price|"
    r"weather|score of|news)\b",
    _I,
)


def asks_for_live_data(question: str) -> bool:
    """Whether a question asks for something that changes by the day ("the stock price today")."""
    return bool(_LIVE_DATA.search(question))
