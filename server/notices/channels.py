"""The outside channels: email over SMTP and signed webhooks. Both are at-least-once: a crash
after sending and before recording it sends again, so each carries a stable id (the email's
Message-ID, the webhook's `X-Stsec-Delivery` header) for the receiver to drop duplicates."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from server.config import Settings


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; the outbox retries with backoff."""


async def send_email(
    settings: Settings, *, to: str, subject: str, body: str, message_id: str
) -> None:
    if settings.smtp_host is None:
        raise DeliveryFailed("SMTP is not configured (SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@stsec>"
    message.set_content(body)
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_security == "tls",
            start_tls=True if settings.smtp_security == "starttls" else False,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP: {exc}") from exc


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`: receivers recompute it and compare, and refuse
    old timestamps so a captured request cannot be replayed later."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


async def check_destination(settings: Settings, url: str) -> None:
    """Refuse webhooks into the platform's own network (loopback, private, link-local: the
    database, the metadata service) unless WEBHOOK_ALLOW_PRIVATE. Checked on every delivery,
    on the addresses the name resolves to then, so a name re-pointed later is caught too."""
    if settings.webhook_allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryFailed(f"webhook: cannot resolve {host}: {exc}") from exc
    blocked = sorted({str(i[4][0]) for i in infos if not _public(str(i[4][0]))})
    if blocked:
        raise DeliveryFailed(f"webhook: {host} resolves to a non-public address {blocked[0]}")


async def post_webhook(
    settings: Settings, *, url: str, secret: str, delivery_id: str, payload: dict[str, Any]
) -> int:
    await check_destination(settings, url)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "stsec-webhooks/1",
        "X-Stsec-Delivery": delivery_id,
        "X-Stsec-Timestamp": timestamp,
        "X-Stsec-Signature": signature(secret, timestamp, body),
    }
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"webhook: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"webhook answered HTTP {response.status_code}")
    return response.status_code
