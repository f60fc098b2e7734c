"""What a chat message asks: its content words, whether it is a question, and follow-ups."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.events import Channel
from bot.storage.questions import LastQuestion
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


# A follow-up reads with the previous question's topic only this soon after it.
FOLLOW_UP_WINDOW = timedelta(minutes=10)
_FOLLOW_UP_OPENER = re.compile(
    r"^\s*(and|also|but|or|so|plus|what about|how about|what if|same for|same with|"
    r"is that|does that|does this|is this|for)\b",
    re.IGNORECASE,
)
_FOLLOW_UP_MAX_WORDS = 6


def conversation_key(channel: Channel) -> str | None:
    """Where follow-ups are followed: a direct message, or a thread; None for a channel."""
    if channel.thread_id:
        return f"{channel.id}:{channel.thread_id}"
    return channel.id if channel.is_direct else None


def is_follow_up(text: str) -> bool:
    """Whether a message reads as a short follow-up ("and for contractors?", "part-time?",
    "and over $1,000?")."""
    count = len(text.split())
    if count > _FOLLOW_UP_MAX_WORDS or is_command(text):
        return False
    opener = bool(_FOLLOW_UP_OPENER.match(text))
    # "and over $1,000?" has no content word of its own, yet follows a topic; "thanks" does not.
    about_something = bool(content_words(text)) or (opener and any(c.isdigit() for c in text))
    return about_something and (opener or count <= 2)


def follow_up_query(text: str, previous: LastQuestion, *, now: datetime) -> str | None:
    """The follow-up read with its previous question's topic, None when it is not one.

    Args:
        text: The new message.
        previous: The learner's last question in the same conversation.
        now: The current time.

    Returns:
        The message plus the previous question's content words missing from it, when the
        message is a short follow-up asked within `FOLLOW_UP_WINDOW`; otherwise None.
    """
    if now - previous.at > FOLLOW_UP_WINDOW or not is_follow_up(text):
        return None
    own = set(content_words(text))
    carried = [t for t in previous.terms if t not in own]
    return f"{text} ({' '.join(carried)})" if carried else None
