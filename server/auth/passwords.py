"""Password hashing (argon2id) and the password rules documented in the README."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import InvalidInput

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (64 MiB, t=3, p=4).
_hasher = PasswordHasher()
# Verifying against this keeps the time of a sign-in for an unknown name like a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_password_rules(password: str, *, min_length: int, username: str) -> None:
    """At least `min_length` characters, three of four character classes, not the username."""
    if len(password) < min_length:
        raise InvalidInput(
            f"The password needs at least {min_length} characters.", field="password"
        )
    if len(password) > 256:
        raise InvalidInput("The password may have at most 256 characters.", field="password")
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 3:
        raise InvalidInput(
            "The password needs three of: lower-case, upper-case, digits, other characters.",
            field="password",
        )
    if username.lower() in password.lower():
        raise InvalidInput("The password must not contain the username.", field="password")
