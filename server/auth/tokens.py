"""Access tokens (short-lived JWT) and opaque secrets (refresh and API tokens, stored hashed).

An opaque token reads `<prefix>_<tenant id>_<row id>_<secret>`: the tenant and row let the server
find the row under row-level security; only the SHA-256 of the secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from server.db.base import utcnow
from server.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "stsec"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: datetime


def issue_access_token(
    secret_key: str, *, user_id: uuid.UUID, tenant_id: uuid.UUID, session_id: uuid.UUID, ttl: int
) -> tuple[str, datetime]:
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    token = jwt.encode(
        {
            "iss": ISSUER,
            "sub": str(user_id),
            "tid": str(tenant_id),
            "sid": str(session_id),
            "iat": now,
            "exp": expires,
        },
        secret_key,
        algorithm=ALGORITHM,
    )
    return token, expires


def read_access_token(secret_key: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "tid", "sid", "iss"]},
        )
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            tenant_id=uuid.UUID(claims["tid"]),
            session_id=uuid.UUID(claims["sid"]),
            expires_at=datetime.fromtimestamp(claims["exp"]).astimezone(),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Your sign-in has expired; refresh it or sign in again.") from exc
    except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
        raise Unauthenticated("The access token is not valid.") from exc


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh secret and its stored digest."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def compose(prefix: str, tenant_id: uuid.UUID, row_id: uuid.UUID, secret: str) -> str:
    return f"{prefix}_{tenant_id.hex}_{row_id.hex}_{secret}"


def parse(prefix: str, token: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != prefix:
        raise Unauthenticated("The token is not valid.")
    try:
        return uuid.UUID(hex=parts[1]), uuid.UUID(hex=parts[2]), parts[3]
    except ValueError as exc:
        raise Unauthenticated("The token is not valid.") from exc


def matches(stored_digest: str, secret: str) -> bool:
    return hmac.compare_digest(stored_digest, digest(secret))
