"""Logging guards: bolt and slack_sdk write request and response bodies into some log lines.

Bolt's request verification logs the whole body of a request whose signature failed (at
INFO), its unhandled-request warning quotes parts of the payload, and the Web API client
logs bodies and responses at DEBUG. The learnbot bolt logger therefore stays at WARNING,
and a filter cuts any parenthesised detail from what does get through.
"""

from __future__ import annotations

import logging

BOLT_LOGGER = "learnbot.slack.bolt"


# Bolt warns that a token goes unused when learnbot hands it a client or an authorize
# function carrying that token; the warnings say nothing useful to an operator.
_NOISE = ("As you gave `client` as well", "As `installation_store` or `authorize` has been used")


class WithholdDetails(logging.Filter):
    """Keep a log line's first words, drop everything from the first parenthesis on."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if text.startswith(_NOISE):
            return False
        cut = text.find("(")
        if cut >= 0:
            record.msg = text[:cut].rstrip() + " (details withheld)"
            record.args = ()
        return True


def bolt_logger() -> logging.Logger:
    """The base logger given to bolt; bolt copies its level and filters to its own loggers."""
    logger = logging.getLogger(BOLT_LOGGER)
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, WithholdDetails) for f in logger.filters):
        logger.addFilter(WithholdDetails())
    return logger


def guard_bolt_loggers() -> None:
    """Apply the same guard to bolt's module loggers that were created without a base."""
    names = [n for n in logging.Logger.manager.loggerDict if n.startswith("slack_bolt")]
    for name in ["slack_bolt", *names]:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, WithholdDetails) for f in logger.filters):
            logger.addFilter(WithholdDetails())
