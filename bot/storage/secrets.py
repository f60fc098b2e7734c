"""Secrets at rest: OAuth tokens sealed with Fernet under LEARNBOT_SECRET_KEY before storage.

A sealed value is stored as `fernet:<token>`; any other value is plaintext written before a key
was set (or while none is), which is still read and is sealed again on the next write.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.core import messages as msg
from bot.core.errors import ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings

PREFIX = "fernet:"
# HKDF `info`: keys derived for secrets at rest differ from any other use of the same setting.
HKDF_INFO = b"learnbot secrets at rest v1"


def fernet_key(setting: str) -> bytes:
    """The Fernet key for a LEARNBOT_SECRET_KEY value.

    A value that is already a Fernet key (32 bytes in url-safe base64, as
    `Fernet.generate_key()` prints) is used as it is; any other text is a passphrase, stretched
    to a key with HKDF-SHA256 (no salt, info `learnbot secrets at rest v1`). HKDF is not slow, so
    a passphrase must be long and random to be as strong as a generated key.
    """
    raw = setting.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32 and len(raw) == 44:
            return raw
    except (binascii.Error, ValueError):
        pass
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(raw))


class SecretBox:
    """Seals and opens stored secrets.

    Args:
        key: LEARNBOT_SECRET_KEY, or None to store new values in plaintext.
        old_keys: Keys that values may still be sealed with (LEARNBOT_OLD_SECRET_KEYS); they
            open values, and values they opened are sealed again with `key` by `reseal`.
    """

    def __init__(self, key: str | None = None, *, old_keys: Sequence[str] = ()) -> None:
        self._primary = Fernet(fernet_key(key)) if key else None
        self._all = [Fernet(fernet_key(k)) for k in (key, *old_keys) if k]

    @property
    def enabled(self) -> bool:
        """Whether new values are sealed (a key is set)."""
        return self._primary is not None

    def seal(self, value: str | None) -> str | None:
        """The value to store: sealed when a key is set, else the value itself."""
        if not value or self._primary is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._primary.encrypt(value.encode()).decode("ascii")

    def open(self, value: str | None) -> str | None:
        """The secret behind a stored value (plaintext values are returned as they are).

        Raises:
            ConfigError: the value is sealed and no key is set, or no key set opens it; the
                message names the setting and never contains the value.
        """
        if not value or not value.startswith(PREFIX):
            return value
        if not self._all:
            raise ConfigError(msg.SECRET_KEY_MISSING)
        try:
            return MultiFernet(self._all).decrypt(value[len(PREFIX) :].encode()).decode()
        except (InvalidToken, UnicodeError):
            raise ConfigError(msg.SECRET_KEY_WRONG) from None

    def stale(self, value: str | None) -> bool:
        """Whether a stored value should be sealed again: plaintext while a key is set, or
        sealed with an old key. Raises ConfigError like `open` for a value no key opens."""
        if not value:
            return False
        if not value.startswith(PREFIX):
            return self._primary is not None
        if self._primary is None:
            self.open(value)  # raises: sealed, and no key is set
            return False
        try:
            self._primary.decrypt(value[len(PREFIX) :].encode())
        except InvalidToken:
            self.open(value)  # raises when no old key opens it either
            return True
        return False

    def reseal(self, value: str | None) -> str | None:
        """The value sealed with the current key (opened first, with any key)."""
        return self.seal(self.open(value))


def secret_box(settings: Settings) -> SecretBox:
    """The box for LEARNBOT_SECRET_KEY and LEARNBOT_OLD_SECRET_KEYS."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    old = settings.old_secret_keys.get_secret_value() if settings.old_secret_keys else ""
    return SecretBox(key, old_keys=[k.strip() for k in old.split(",") if k.strip()])
