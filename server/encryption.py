"""Secrets the platform must read back, kept encrypted at rest: webhook signing secrets (each
delivery is signed with the endpoint's secret, so it cannot be stored as a hash).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under DATA_ENCRYPTION_KEYS: the
first key seals, every key listed opens. Rotation: put a new key first, keep the old ones, run
`server.cli webhooks reseal`, then drop the old keys. A database dump alone reveals no secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"


class SealedSecretError(Exception):
    """A stored secret that no configured key opens (a key was dropped too early)."""


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one data encryption key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, stored: str) -> str:
        return self._token(stored, self._fernet.decrypt).decode()

    def reseal(self, stored: str) -> str:
        """The same secret sealed under the first key (plaintext from before 0015 is sealed)."""
        if not stored.startswith(PREFIX):
            return self.seal(stored)
        return PREFIX + self._token(stored, self._fernet.rotate).decode()

    @staticmethod
    def _token(stored: str, use: object) -> bytes:
        if not stored.startswith(PREFIX):
            raise SealedSecretError("the stored secret is not sealed")
        try:
            return use(stored[len(PREFIX) :].encode())  # type: ignore[operator, no-any-return]
        except InvalidToken as exc:
            raise SealedSecretError(
                "no key in DATA_ENCRYPTION_KEYS opens this secret (was its key dropped?)"
            ) from exc


@cache
def secret_box(keys: tuple[str, ...]) -> SecretBox:
    return SecretBox(keys)


def new_key() -> str:
    return Fernet.generate_key().decode()
