"""Logging guards: the Bot Framework SDK's loggers can write request and response bodies.

msrest's `http_logger` writes whole connector requests and responses (message text, tokens
in headers) at DEBUG when HTTP logging is on, and msal and urllib3 log token requests and
URLs at DEBUG. With `LEARNBOT_LOG_LEVEL=DEBUG` those would reach the operator's log, so
the SDK loggers stay at WARNING whatever the root level is.
"""

from __future__ import annotations

import logging

SDK_LOGGERS = (
    "msrest",
    "msrest.http_logger",
    "botbuilder",
    "botframework",
    "msal",
    "urllib3",
)


def pin_sdk_loggers() -> None:
    """Keep the Teams SDK's loggers at WARNING (their DEBUG lines carry bodies)."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
