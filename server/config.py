"""Configuration, read only from environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from server.documents.filetypes import DEFAULT_ALLOWED_TYPES


def _int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _mime_types(name: str, default: frozenset[str]) -> frozenset[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    types = frozenset(t.strip().lower() for t in raw.split(",") if t.strip())
    for t in types:
        kind, _, subtype = t.partition("/")
        if not kind or not subtype or " " in t:
            raise ValueError(f"{name} must list MIME types such as application/pdf, got {t!r}")
    return types


def _s3_endpoint(name: str) -> str | None:
    raw = os.environ.get(name, "").strip()
    if "://" in raw or "/" in raw:
        raise ValueError(f"{name} is host:port (TLS is S3_SECURE), got {raw!r}")
    return raw or None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """All settings; `Settings.from_env()` is the only constructor used outside tests."""

    data_dir: Path
    database_url: str | None
    app_database_url: str | None
    app_db_role: str
    app_db_password: str | None
    host: str
    port: int
    production: bool
    secret_key: str
    access_token_ttl: int
    refresh_token_ttl: int
    max_body_bytes: int
    login_max_failures: int
    login_lockout_seconds: int
    login_address_max_attempts: int
    login_address_window_seconds: int
    password_min_length: int
    graphql_max_depth: int
    graphql_max_aliases: int
    graphql_max_tokens: int
    page_size_max: int
    log_level: str
    cookie_secure: bool
    seed_demo: bool = field(default=True)
    # Documents: S3 (MinIO) when s3_endpoint is set, else files under data_dir/objects.
    s3_endpoint: str | None = None
    s3_access_key: str | None = field(default=None, repr=False)
    s3_secret_key: str | None = field(default=None, repr=False)
    s3_bucket: str = "stsec-documents"
    s3_region: str = "us-east-1"
    s3_secure: bool = True
    upload_max_bytes: int = 50 * 1024 * 1024
    upload_allowed_types: frozenset[str] = DEFAULT_ALLOWED_TYPES
    download_link_ttl: int = 300
    # R-INCIDENT: hours from an incident to its report, by severity; hours between follow-ups.
    incident_report_hours: dict[str, int] = field(
        default_factory=lambda: {"general": 24, "major": 2, "especially_major": 1}
    )
    incident_follow_up_hours: int = 24

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("DATA_DIR", "./var")).resolve()
        production = os.environ.get("APP_ENV", "development").lower() == "production"
        secret = os.environ.get("SECRET_KEY") or _local_secret(data_dir, production)
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("DATABASE_URL") or None,
            app_database_url=os.environ.get("APP_DATABASE_URL") or None,
            app_db_role=os.environ.get("APP_DB_ROLE", "stsec_app"),
            app_db_password=os.environ.get("APP_DB_PASSWORD") or None,
            host=os.environ.get("HOST", "127.0.0.1"),
            port=_int("PORT", 8000),
            production=production,
            secret_key=secret,
            access_token_ttl=_int("ACCESS_TOKEN_TTL", 900),
            refresh_token_ttl=_int("REFRESH_TOKEN_TTL", 14 * 24 * 3600),
            max_body_bytes=_int("MAX_BODY_BYTES", 1_000_000),
            login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
            login_lockout_seconds=_int("LOGIN_LOCKOUT_SECONDS", 900),
            login_address_max_attempts=_int("LOGIN_ADDRESS_MAX_ATTEMPTS", 30),
            login_address_window_seconds=_int("LOGIN_ADDRESS_WINDOW_SECONDS", 300),
            password_min_length=_int("PASSWORD_MIN_LENGTH", 12),
            graphql_max_depth=_int("GRAPHQL_MAX_DEPTH", 12),
            graphql_max_aliases=_int("GRAPHQL_MAX_ALIASES", 30),
            graphql_max_tokens=_int("GRAPHQL_MAX_TOKENS", 2000),
            page_size_max=_int("PAGE_SIZE_MAX", 100),
            log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
            cookie_secure=_bool("COOKIE_SECURE", production),
            seed_demo=_bool("SEED_DEMO", not production and not os.environ.get("DATABASE_URL")),
            s3_endpoint=_s3_endpoint("S3_ENDPOINT"),
            s3_access_key=os.environ.get("S3_ACCESS_KEY") or None,
            s3_secret_key=os.environ.get("S3_SECRET_KEY") or None,
            s3_bucket=os.environ.get("S3_BUCKET") or "stsec-documents",
            s3_region=os.environ.get("S3_REGION") or "us-east-1",
            s3_secure=_bool("S3_SECURE", True),
            upload_max_bytes=_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1),
            upload_allowed_types=_mime_types("UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES),
            # Presigned S3 URLs live at most seven days.
            download_link_ttl=_int("DOWNLOAD_LINK_TTL", 300, minimum=1, maximum=7 * 24 * 3600),
            incident_report_hours=_hours_by_severity("INCIDENT_REPORT_HOURS"),
            incident_follow_up_hours=_int("INCIDENT_FOLLOW_UP_HOURS", 24, minimum=1),
        )


def _hours_by_severity(name: str) -> dict[str, int]:
    """`general=24,major=2,especially_major=1`: hours allowed per incident severity."""
    hours = {"general": 24, "major": 2, "especially_major": 1}
    raw = os.environ.get(name, "").strip()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = part.partition("=")
        if key.strip() not in hours or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"{name}: expected severity=hours pairs, got {part!r}")
        hours[key.strip()] = int(value)
    return hours


def _local_secret(data_dir: Path, production: bool) -> str:
    """Keep a generated signing key in the data directory so tokens survive a restart."""
    if production:
        raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
