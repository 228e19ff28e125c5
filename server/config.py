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
    # The S3 address browsers use for presigned links, when the servers use another one.
    s3_public_endpoint: str | None = None
    s3_public_secure: bool | None = None
    upload_max_bytes: int = 50 * 1024 * 1024
    upload_allowed_types: frozenset[str] = DEFAULT_ALLOWED_TYPES
    download_link_ttl: int = 300
    # R-INCIDENT: hours from an incident to its report, by severity; hours between follow-ups.
    incident_report_hours: dict[str, int] = field(
        default_factory=lambda: {"general": 24, "major": 2, "especially_major": 1}
    )
    incident_follow_up_hours: int = 24
    # Workers (DESIGN decision 5): Redis broker when redis_url is set; otherwise the broker,
    # worker, relay and scheduler run inside the API process.
    redis_url: str | None = field(default=None, repr=False)
    redis_namespace: str = "stsec"
    # High availability: the Sentinels that name Redis's primary (server/outbox/redis_connection).
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    in_process_workers: bool = False
    worker_threads: int = 4
    outbox_max_attempts: int = 8
    outbox_retry_base_seconds: float = 10.0
    outbox_retry_max_seconds: float = 3600.0
    outbox_lease_seconds: float = 120.0
    outbox_poll_seconds: float = 1.0
    scheduler_interval_seconds: float = 60.0
    # Handled outbox events are kept this long, then pruned by the scheduler.
    outbox_retention_days: int = 30
    # Reminders and the escalation ladder of late rectifications (R-HAZARD, R-OVERDUE).
    hazard_reminder_days: int = 3
    escalation_branch_days: int = 7
    escalation_hq_days: int = 14
    permit_reminder_days: int = 30
    # Email over SMTP; without smtp_host the email channel is skipped (and says so).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "stsec@localhost"
    smtp_security: str = "starttls"
    smtp_timeout_seconds: float = 20.0
    webhook_timeout_seconds: float = 10.0
    webhook_allow_http: bool = True
    webhook_allow_private: bool = True
    public_url: str = "http://127.0.0.1:8000"
    # Seal secrets kept for reading back (server/encryption.py): the first seals, all open.
    data_encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # Liveness of `worker` and `scheduler` (workers/heartbeat.py); unset: no heartbeat file.
    heartbeat_file: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("DATA_DIR", "./var")).resolve()
        production = os.environ.get("APP_ENV", "development").lower() == "production"
        secret = os.environ.get("SECRET_KEY") or _local_secret(data_dir, production)
        redis_url = os.environ.get("REDIS_URL") or None
        branch_days, hq_days = _escalation_days()
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
            s3_public_endpoint=_s3_endpoint("S3_PUBLIC_ENDPOINT"),
            s3_public_secure=_bool("S3_PUBLIC_SECURE", True)
            if os.environ.get("S3_PUBLIC_SECURE")
            else None,
            upload_max_bytes=_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1),
            upload_allowed_types=_mime_types("UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES),
            # Presigned S3 URLs live at most seven days.
            download_link_ttl=_int("DOWNLOAD_LINK_TTL", 300, minimum=1, maximum=7 * 24 * 3600),
            incident_report_hours=_hours_by_severity("INCIDENT_REPORT_HOURS"),
            incident_follow_up_hours=_int("INCIDENT_FOLLOW_UP_HOURS", 24, minimum=1),
            redis_url=redis_url,
            redis_namespace=os.environ.get("REDIS_NAMESPACE") or "stsec",
            redis_sentinels=_sentinels("REDIS_SENTINELS", redis_url),
            in_process_workers=_bool("IN_PROCESS_WORKERS", redis_url is None),
            worker_threads=_int("WORKER_THREADS", 4, minimum=1, maximum=64),
            outbox_max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1),
            outbox_retry_base_seconds=_float("OUTBOX_RETRY_BASE_SECONDS", 10.0),
            outbox_retry_max_seconds=_float("OUTBOX_RETRY_MAX_SECONDS", 3600.0),
            outbox_lease_seconds=_float("OUTBOX_LEASE_SECONDS", 120.0, minimum=1.0),
            outbox_poll_seconds=_float("OUTBOX_POLL_SECONDS", 1.0, minimum=0.05),
            scheduler_interval_seconds=_float("SCHEDULER_INTERVAL_SECONDS", 60.0, minimum=0.1),
            outbox_retention_days=_int("OUTBOX_RETENTION_DAYS", 30, minimum=1),
            hazard_reminder_days=_int("HAZARD_REMINDER_DAYS", 3, minimum=0),
            escalation_branch_days=branch_days,
            escalation_hq_days=hq_days,
            permit_reminder_days=_int("PERMIT_REMINDER_DAYS", 30, minimum=0),
            smtp_host=os.environ.get("SMTP_HOST") or None,
            smtp_port=_int("SMTP_PORT", 587, minimum=1, maximum=65535),
            smtp_username=os.environ.get("SMTP_USERNAME") or None,
            smtp_password=os.environ.get("SMTP_PASSWORD") or None,
            smtp_from=os.environ.get("SMTP_FROM") or "stsec@localhost",
            smtp_security=_smtp_security(),
            smtp_timeout_seconds=_float("SMTP_TIMEOUT_SECONDS", 20.0, minimum=1.0),
            webhook_timeout_seconds=_float("WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=0.5),
            # Plain-http webhooks only outside production unless allowed explicitly.
            webhook_allow_http=_bool("WEBHOOK_ALLOW_HTTP", not production),
            # Webhooks to loopback, private and link-local addresses (the platform's own
            # network) only outside production unless allowed explicitly.
            webhook_allow_private=_bool("WEBHOOK_ALLOW_PRIVATE", not production),
            public_url=(os.environ.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            data_encryption_keys=_data_keys(data_dir, production),
            heartbeat_file=Path(os.environ["HEARTBEAT_FILE"]).resolve()
            if os.environ.get("HEARTBEAT_FILE")
            else None,
        )


def _sentinels(name: str, redis_url: str | None) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port`: the Sentinels to ask for the primary named by REDIS_URL's host."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ()
    if not redis_url:
        raise ValueError(f"{name} needs REDIS_URL (redis://:password@<primary name>/<db>)")
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in part:
            raise ValueError(f"{name} lists host:port pairs, got {part!r}")
        out.append((host, int(port)))
    return tuple(out)


def _float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


SMTP_SECURITY = ("starttls", "tls", "none")


def _smtp_security() -> str:
    security = os.environ.get("SMTP_SECURITY", "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    return security


def _escalation_days() -> tuple[int, int]:
    branch_days = _int("ESCALATION_BRANCH_DAYS", 7, minimum=1)
    hq_days = _int("ESCALATION_HQ_DAYS", 14, minimum=1)
    if hq_days <= branch_days:
        # The ladder climbs: the institute's coordination group leader, then the branch
        # academy, then HQ.
        raise ValueError("ESCALATION_HQ_DAYS must be greater than ESCALATION_BRANCH_DAYS")
    return branch_days, hq_days


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


def _data_keys(data_dir: Path, production: bool) -> tuple[str, ...]:
    """DATA_ENCRYPTION_KEYS (comma-separated Fernet keys), or outside production a key kept in
    the data directory."""
    from server.encryption import SecretBox, new_key

    raw = os.environ.get("DATA_ENCRYPTION_KEYS", "").strip()
    if raw:
        keys = tuple(k.strip() for k in raw.split(",") if k.strip())
        try:
            SecretBox(keys)
        except ValueError as exc:
            raise ValueError(
                "DATA_ENCRYPTION_KEYS lists Fernet keys (32 url-safe base64 bytes each), "
                "e.g. from `python -m server.cli webhooks new-key`"
            ) from exc
        return keys
    if production:
        raise RuntimeError("DATA_ENCRYPTION_KEYS must be set when APP_ENV=production")
    path = data_dir / "data-encryption.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key())
        path.chmod(0o600)
    return (path.read_text().strip(),)


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
