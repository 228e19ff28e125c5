"""Webhook signing secrets are sealed at rest (server/encryption.py): a database dump reveals
none, rotation re-seals them under a new key, and migration 0015 sealed those kept before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from databases import fresh_database, libpq
from sqlalchemy import select

from server.config import Settings
from server.db.engine import ALL_TENANTS, scope
from server.db.migrate import upgrade
from server.encryption import PREFIX, SealedSecretError, SecretBox, new_key, secret_box
from server.notices.models import WebhookEndpoint
from server.notices.service import reseal_webhook_secrets

DISABLE = """mutation($id: ID!) { disableWebhook(id: $id) { __typename } }"""
REGISTER = """mutation($u: ID!, $url: String!) {
  registerWebhook(orgUnitId: $u, url: $url, topics: []) { __typename
    ... on WebhookRegistered { secret webhookEndpoint { id } }
    ... on UserError { code message field } } }"""


@asynccontextmanager
async def _registered(as_user: Any, flow: Any, url: str) -> AsyncIterator[str]:
    """An IPH endpoint for every topic, disabled afterwards (it must not take other tests'
    deliveries); yields the secret shown once."""
    admin = as_user("iph.tenant-admin")
    data = (await admin(REGISTER, {"u": flow.ids["IPH"], "url": url}))["registerWebhook"]
    try:
        yield data["secret"]
    finally:
        await admin(DISABLE, {"id": data["webhookEndpoint"]["id"]})


async def _stored(sessions: Any, url: str) -> str:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        return str(
            await session.scalar(select(WebhookEndpoint.secret).where(WebhookEndpoint.url == url))
        )


async def test_a_registered_secret_is_kept_sealed_and_opens_to_the_one_shown(
    as_user: Any, flow: Any, sessions: Any, settings: Settings
) -> None:
    url = "https://hooks.iph.example/sealed"
    async with _registered(as_user, flow, url) as shown:
        stored = await _stored(sessions, url)
        assert stored.startswith(PREFIX) and shown not in stored
        assert secret_box(settings.data_encryption_keys).open(stored) == shown


async def test_rotation_reseals_every_secret_under_the_new_key(
    as_user: Any, flow: Any, sessions: Any, settings: Settings
) -> None:
    url = "https://hooks.iph.example/rotated"
    new = new_key()
    async with _registered(as_user, flow, url) as shown:
        rotated = replace(settings, data_encryption_keys=(new, *settings.data_encryption_keys))
        async with sessions() as session, session.begin():
            await scope(session, ALL_TENANTS)
            assert await reseal_webhook_secrets(session, rotated) >= 1
        stored = await _stored(sessions, url)
        assert SecretBox([new]).open(stored) == shown  # the new key alone opens it
        with pytest.raises(SealedSecretError, match="no key in DATA_ENCRYPTION_KEYS opens"):
            SecretBox(settings.data_encryption_keys).open(stored)
    # Put back under the run's key for the other tests.
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        back = replace(settings, data_encryption_keys=(*settings.data_encryption_keys, new))
        await reseal_webhook_secrets(session, back)


def test_keys_come_from_the_environment_or_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "encryption-test")
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    first = Settings.from_env().data_encryption_keys
    key_file = tmp_path / "data-encryption.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert Settings.from_env().data_encryption_keys == first  # kept across restarts
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(RuntimeError, match="DATA_ENCRYPTION_KEYS must be set"):
        Settings.from_env()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ValueError, match="DATA_ENCRYPTION_KEYS lists Fernet keys"):
        Settings.from_env()
    a, b = new_key(), new_key()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", f"{a}, {b}")
    assert Settings.from_env().data_encryption_keys == (a, b)


async def test_migration_0015_seals_the_secrets_kept_before_and_0014_opens_them_again(
    server_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", ",".join(settings.data_encryption_keys))
    async with fresh_database(server_url, "stsec_seal") as url:
        await asyncio.to_thread(upgrade, url, "0014")
        await _as_owner(
            url,
            "INSERT INTO webhook_endpoints (tenant_id, id, url, secret, description, topics,"
            " active) VALUES (gen_random_uuid(), gen_random_uuid(), 'https://hooks.example/old',"
            " 'plain-old-secret', '', '{}', true)",
        )
        await asyncio.to_thread(upgrade, url, "head")
        sealed = await _as_owner(url, "SELECT secret FROM webhook_endpoints")
        assert sealed.startswith(PREFIX) and "plain-old-secret" not in sealed
        assert SecretBox(settings.data_encryption_keys).open(sealed) == "plain-old-secret"
        await asyncio.to_thread(_downgrade, url, "0014")
        assert await _as_owner(url, "SELECT secret FROM webhook_endpoints") == "plain-old-secret"


async def _as_owner(url: str, sql: str) -> str:
    """Run one statement as the owner over every tenant (RLS is forced on the owner too)."""
    conn = await asyncpg.connect(libpq(url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenants', '*', true)")
            return str(await conn.fetchval(sql))
    finally:
        await conn.close()


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    from server.db.migrate import alembic_config

    command.downgrade(alembic_config(url), revision)
