"""What a chat message asks: its content words, and whether it is a question at all."""

from __future__ import annotations

import re

from retrieval.text import STOP_WORDS, words

# Words that carry no topic in a chat: greetings, thanks, acknowledgements, chat commands,
# fillers.
_SMALL_TALK_LIST = """
    hi hello hey hiya howdy yo hallo hola morning afternoon evening night good great nice cool
    thanks thank thx ty tnx cheers ta appreciate appreciated welcome bye goodbye cya later ok okay
    k kk yes yeah yep yup nope sure fine alright np lol haha hmm ah oh wow please pls plz
    help quit exit cancel skip menu learn ping
    much many lot lots really thing things something anything stuff know tell like want
    """
SMALL_TALK: frozenset[str] = frozenset(_SMALL_TALK_LIST.split())
# A message that starts like a command ("/quit", "learn help") is not a question.
_COMMAND = re.compile(r"^\s*(/|!|learn\b)", re.IGNORECASE)


def content_words(text: str) -> list[str]:
    """The words of `text` that name a topic: not stop words, not small talk, not numbers.

    Args:
        text: A chat message.

    Returns:
        Lower-case words in order (unstemmed), each with at least two characters and a letter.
    """
    return [
        w
        for w in words(text)
        if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS and w not in SMALL_TALK
    ]


def is_command(text: str) -> bool:
    """Whether a message is a chat command ("/quit", "!help", "learn help")."""
    return bool(_COMMAND.match(text))


def is_content_question(text: str) -> bool:
    """Whether a message asks about something the library could cover.

    Commands, bare numbers, greetings, thanks, emoji and single characters are not: they have
    no content word, so the library is not searched for them and they are never recorded as
    content gaps.
    """
    return not is_command(text) and bool(content_words(text))
