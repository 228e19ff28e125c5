"""Storage is configured only through the environment: S3 when S3_ENDPOINT is set, else local."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_support import ACCESS_KEY, SECRET_KEY, sigv4_query_check

from server.config import Settings
from server.documents.filetypes import DEFAULT_ALLOWED_TYPES
from server.documents.storage import LocalStore, S3Store, store_from_settings

VARIABLES = [
    "S3_ENDPOINT",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "S3_BUCKET",
    "S3_REGION",
    "S3_SECURE",
    "S3_PUBLIC_ENDPOINT",
    "S3_PUBLIC_SECURE",
    "UPLOAD_MAX_BYTES",
    "UPLOAD_ALLOWED_TYPES",
    "DOWNLOAD_LINK_TTL",
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "settings-test-secret")
    return monkeypatch


async def test_defaults_give_a_local_store(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings.from_env()
    assert settings.s3_endpoint is None
    assert settings.s3_bucket == "stsec-documents"
    assert settings.s3_region == "us-east-1"
    assert settings.s3_secure is True
    assert settings.upload_max_bytes == 50 * 1024 * 1024
    assert settings.upload_allowed_types == DEFAULT_ALLOWED_TYPES
    assert settings.download_link_ttl == 300
    store = store_from_settings(settings)
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "objects").resolve()
    await store.aclose()


async def test_s3_from_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("S3_ENDPOINT", "minio.internal:9000")
    env.setenv("S3_ACCESS_KEY", "s3-access-id")
    env.setenv("S3_SECRET_KEY", "s3-secret-value")
    env.setenv("S3_BUCKET", "academy-docs")
    env.setenv("S3_REGION", "cn-north-1")
    env.setenv("S3_SECURE", "false")
    env.setenv("UPLOAD_MAX_BYTES", "1048576")
    env.setenv("UPLOAD_ALLOWED_TYPES", " application/pdf, TEXT/plain ,")
    env.setenv("DOWNLOAD_LINK_TTL", "60")
    settings = Settings.from_env()
    assert settings.s3_endpoint == "minio.internal:9000"
    assert settings.s3_secure is False
    assert settings.upload_max_bytes == 1048576
    assert settings.upload_allowed_types == {"application/pdf", "text/plain"}
    assert settings.download_link_ttl == 60
    assert "s3-secret-value" not in repr(settings)
    assert "s3-access-id" not in repr(settings)
    store = store_from_settings(settings)
    assert isinstance(store, S3Store)
    assert store.bucket == "academy-docs"
    await store.aclose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("S3_ENDPOINT", "https://minio.internal:9000"),
        ("UPLOAD_MAX_BYTES", "0"),
        ("UPLOAD_MAX_BYTES", "lots"),
        ("UPLOAD_ALLOWED_TYPES", "pdf,docx"),
        ("DOWNLOAD_LINK_TTL", "0"),
        ("DOWNLOAD_LINK_TTL", str(8 * 24 * 3600)),
    ],
)
def test_bad_values_refused_at_start(env: pytest.MonkeyPatch, name: str, value: str) -> None:
    env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        Settings.from_env()


def test_s3_needs_credentials(env: pytest.MonkeyPatch) -> None:
    env.setenv("S3_ENDPOINT", "minio.internal:9000")
    with pytest.raises(RuntimeError, match="S3_ACCESS_KEY"):
        store_from_settings(Settings.from_env())


async def test_links_are_signed_for_the_public_s3_address(
    env: pytest.MonkeyPatch, s3_endpoint: str
) -> None:
    """The servers reach S3 inside their network; browsers get links signed for the public
    address, since a SigV4 signature covers the host (infra/compose.yaml, infra/k8s)."""
    env.setenv("S3_ENDPOINT", s3_endpoint)
    env.setenv("S3_ACCESS_KEY", ACCESS_KEY)
    env.setenv("S3_SECRET_KEY", SECRET_KEY)
    env.setenv("S3_SECURE", "false")
    env.setenv("S3_BUCKET", f"stsec-public-{uuid.uuid4().hex[:8]}")
    env.setenv("S3_PUBLIC_ENDPOINT", "files.stsec.example.org")
    settings = Settings.from_env()
    assert settings.s3_public_endpoint == "files.stsec.example.org"
    assert settings.s3_public_secure is None  # follows S3_SECURE unless set
    env.setenv("S3_PUBLIC_SECURE", "true")
    store = store_from_settings(Settings.from_env())
    assert isinstance(store, S3Store)
    try:
        now = datetime.now(UTC)
        key = f"{uuid.uuid4()}/{uuid.uuid4()}"
        url = await store.download_url(
            key, expires=timedelta(minutes=5), filename="a.pdf", content_type="application/pdf"
        )
        put = await store.presigned_put(key, timedelta(minutes=5))
        assert put is not None
        for link in (url, put):
            assert link.startswith("https://files.stsec.example.org/")
        assert sigv4_query_check(url, SECRET_KEY, now) == "valid"
        # The same link pointed at the internal address no longer verifies.
        internal = url.replace("https://files.stsec.example.org", f"http://{s3_endpoint}")
        assert sigv4_query_check(internal, SECRET_KEY, now) == "bad signature"
    finally:
        await store.aclose()


def test_a_public_s3_address_is_host_and_port(env: pytest.MonkeyPatch) -> None:
    env.setenv("S3_PUBLIC_ENDPOINT", "https://files.example.org")
    with pytest.raises(ValueError, match="S3_PUBLIC_ENDPOINT is host:port"):
        Settings.from_env()
