"""The error hierarchy: caught once per adapter and rendered as a helpful reply."""

from __future__ import annotations


class LearnbotError(Exception):
    """Base of every error learnbot raises on purpose. `str()` is safe to show a user."""


class UserError(LearnbotError):
    """The user asked for something that cannot be done as asked; the message says why."""


class NotFound(UserError):
    """A named thing (module, item, learner, competency) does not exist."""


class Forbidden(UserError):
    """The user's role does not allow this action."""


class Conflict(UserError):
    """The action no longer applies (a closed question, a finished dialog, a stale button)."""


class UpstreamError(LearnbotError):
    """A platform or service learnbot depends on failed; the action may be retried."""


class ConfigError(LearnbotError):
    """A setting is missing or wrong for what is stored or asked; the message names it."""
