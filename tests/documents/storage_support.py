"""Helpers of the storage tests: store construction, a hand-moved clock, a SigV4 checker."""

from __future__ import annotations

import hashlib
import hmac
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from server.documents.storage import Clock, LocalStore, S3Store

ACCESS_KEY = "stsec-test"
SECRET_KEY = "stsec-test-secret"
REGION = "us-east-1"
SIGNING_KEY = "local-link-signing-key-for-tests"


class FakeClock:
    """A clock the tests move by hand, so link expiry is checked without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class StoreFactory:
    """Builds stores of one kind; every store it made is closed when the test ends."""

    kind: str
    tmp: Path
    endpoint: str | None
    made: list[LocalStore | S3Store] = field(default_factory=list)

    def make(
        self,
        *,
        clock: Clock | None = None,
        location: str | None = None,
        signing_key: str = SIGNING_KEY,
    ) -> LocalStore | S3Store:
        """A store on `location` (a bucket, or a directory under the test's tmp); fresh if None."""
        location = location or f"stsec-{uuid.uuid4().hex[:12]}"
        extra: dict[str, Any] = {"clock": clock} if clock else {}
        store: LocalStore | S3Store
        if self.kind == "local":
            store = LocalStore(self.tmp / location, signing_key, **extra)
        else:
            assert self.endpoint is not None
            store = S3Store(
                self.endpoint, ACCESS_KEY, SECRET_KEY, location, REGION, secure=False, **extra
            )
        self.made.append(store)
        return store

    def minio(self) -> Any:
        from minio import Minio

        return Minio(self.endpoint or "", ACCESS_KEY, SECRET_KEY, secure=False, region=REGION)


def sigv4_query_check(url: str, secret_key: str, now: datetime) -> str:
    """What an S3 server answers a presigned GET: "valid", "bad signature" or "expired".

    moto serves presigned URLs without checking their signature or expiry, so the tests check
    them the way MinIO and AWS do (Signature Version 4, query-string authentication).
    """
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(params)
    signature = given.get("X-Amz-Signature", "")

    def enc(text: str) -> str:
        return quote(text, safe="-_.~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params) if k != "X-Amz-Signature")
    canonical = "\n".join(
        ["GET", parts.path, query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    amz_date = given.get("X-Amz-Date", "")
    _, date, region, service, terminal = given.get("X-Amz-Credential", "////").split("/")
    scope = f"{date}/{region}/{service}/{terminal}"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), "sha256").digest()
    expected = hmac.new(key, to_sign.encode(), "sha256").hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "bad signature"
    signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if now > signed_at + timedelta(seconds=int(given["X-Amz-Expires"])):
        return "expired"
    return "valid"


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/{part}" ContentType="{main}"/>
</Types>"""


def ooxml(part: str, main: str, body: str, *, content_types: bool = True) -> bytes:
    """A minimal Office Open XML package, laid out as Word and Excel write them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        if content_types:
            package.writestr("[Content_Types].xml", CONTENT_TYPES.format(part=part, main=main))
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="officeDocument" Target="{part}"/></Relationships>',
        )
        package.writestr(part, body)
    return buffer.getvalue()
