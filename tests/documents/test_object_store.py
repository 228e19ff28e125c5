"""The object store contract, run against S3 (moto over HTTP, minio SDK) and the local disk."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from storage_support import (
    SECRET_KEY,
    FakeClock,
    StoreFactory,
    collect,
    sha256_hex,
    sigv4_query_check,
)

from server.documents.errors import (
    BadObjectKey,
    LinkExpired,
    LinkInvalid,
    ObjectMissing,
    TooLarge,
)
from server.documents.storage import (
    Fingerprinted,
    LocalStore,
    S3Store,
    StoredObject,
    check_key,
    object_key,
    tenant_of,
)
from server.errors import InvalidInput, Unauthenticated

MiB = 1024 * 1024
Leftovers = Callable[[LocalStore | S3Store], Awaitable[list[str]]]


def new_key(tenant: uuid.UUID | None = None, document: uuid.UUID | None = None) -> str:
    return object_key(tenant or uuid.uuid4(), document or uuid.uuid4(), uuid.uuid4())


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def filler(total: int, *, fail_after: int | None = None) -> AsyncIterator[bytes]:
    """`total` bytes in 1 MiB chunks; raises after `fail_after` bytes, like a dropped client."""
    block = b"\xa5" * MiB
    sent = 0
    while sent < total:
        if fail_after is not None and sent >= fail_after:
            raise ConnectionResetError("client went away")
        piece = block[: min(MiB, total - sent)]
        sent += len(piece)
        yield piece


async def put(store: LocalStore | S3Store, key: str, data: bytes) -> Fingerprinted:
    return await store.put_stream(key, chunked(data, 64 * 1024), max_bytes=len(data) + 1)


async def test_round_trip_with_size_and_sha256(store: LocalStore | S3Store) -> None:
    key = new_key()
    # Odd chunk sizes: the store must not depend on how the client's bytes arrive.
    data = os.urandom(3 * MiB + 12345)
    stored = await store.put_stream(key, chunked(data, 100_003), max_bytes=len(data))

    assert stored == Fingerprinted(size=len(data), sha256=sha256_hex(data))
    assert await store.stat(key) == StoredObject(size=len(data))
    assert await store.stat(key, verify_sha256=True) == stored
    assert await store.head(key, 16) == data[:16]
    assert await store.head(key, 10 * MiB) == data
    assert await collect(store.open_stream(key)) == data
    assert await store.exists(key)

    await store.delete(key)
    assert not await store.exists(key)
    assert await store.stat(key) is None
    await store.delete(key)  # deleting twice is fine: the sweep may race itself


async def test_empty_object(store: LocalStore | S3Store) -> None:
    key = new_key()
    assert await put(store, key, b"") == Fingerprinted(size=0, sha256=sha256_hex(b""))
    assert await store.head(key, 8) == b""
    assert await collect(store.open_stream(key)) == b""


async def test_missing_object(store: LocalStore | S3Store) -> None:
    key = new_key()
    assert await store.stat(key) is None
    assert await store.stat(key, verify_sha256=True) is None
    assert not await store.exists(key)
    with pytest.raises(ObjectMissing):
        await store.head(key, 8)
    with pytest.raises(ObjectMissing):
        await collect(store.open_stream(key))


@pytest.mark.parametrize(
    ("total", "max_bytes", "fail_after"),
    [
        pytest.param(5000, 1000, None, id="over-cap-small"),
        # Past one 10 MiB part: S3 has a multipart upload in progress that must be aborted.
        pytest.param(16 * MiB, 12 * MiB, None, id="over-cap-multipart"),
        pytest.param(16 * MiB, 20 * MiB, 11 * MiB, id="client-fails-midway"),
    ],
)
async def test_failed_upload_leaves_nothing(
    store: LocalStore | S3Store,
    leftovers: Leftovers,
    total: int,
    max_bytes: int,
    fail_after: int | None,
) -> None:
    tenant = uuid.uuid4()
    key = new_key(tenant)
    upload = store.put_stream(key, filler(total, fail_after=fail_after), max_bytes=max_bytes)
    if fail_after is None:
        with pytest.raises(TooLarge) as raised:
            await upload
        assert raised.value.max_bytes == max_bytes
        assert isinstance(raised.value, InvalidInput)
        assert raised.value.code == "TOO_LARGE"
    else:
        with pytest.raises(ConnectionResetError):
            await upload

    assert [k async for k in store.list_keys(f"{tenant}/")] == []
    assert not await store.exists(key)
    assert await leftovers(store) == []


async def test_cancelled_upload_leaves_nothing(
    store: LocalStore | S3Store, leftovers: Leftovers
) -> None:
    """A request cancelled mid-upload (client gone, server shutting down) cleans up first."""
    key = new_key()
    reached = asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        async for chunk in filler(11 * MiB):
            yield chunk
        reached.set()
        await asyncio.Event().wait()
        yield b"never"

    task = asyncio.create_task(store.put_stream(key, stalls(), max_bytes=100 * MiB))
    await asyncio.wait_for(reached.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await store.exists(key)
    assert await leftovers(store) == []


async def test_presigned_put_then_verify_checksum(store: LocalStore | S3Store) -> None:
    key = new_key()
    url = await store.presigned_put(key, timedelta(minutes=5))
    if isinstance(store, LocalStore):
        # Local uploads go through the app's own endpoint.
        assert url is None
        return
    assert url is not None
    data = os.urandom(200_000)
    async with httpx.AsyncClient() as client:
        response = await client.put(url, content=data)
    assert response.status_code == 200, response.text
    assert await store.stat(key, verify_sha256=True) == Fingerprinted(
        size=len(data), sha256=sha256_hex(data)
    )


async def test_download_link_serves_the_file(store: LocalStore | S3Store) -> None:
    key = new_key()
    data = b"%PDF-1.7\n" + os.urandom(50_000)
    await put(store, key, data)
    filename = "风险评估表 (final).pdf"

    url = await store.download_url(
        key, expires=timedelta(seconds=300), filename=filename, content_type="application/pdf"
    )

    if isinstance(store, LocalStore):
        assert url.startswith("/files/")
        token = url.removeprefix("/files/")
        assert quote(token, safe="") == token  # URL-safe as it stands
        assert store.verify_link(token) == (key, filename, "application/pdf")
        return
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(filename, safe='')}" in disposition


async def test_tampered_link_refused(store_factory: StoreFactory) -> None:
    store = store_factory.make()
    key = new_key()
    await put(store, key, b"minutes of the review meeting")
    url = await store.download_url(
        key, expires=timedelta(seconds=300), filename="minutes.txt", content_type="text/plain"
    )

    if isinstance(store, LocalStore):
        token = url.removeprefix("/files/")
        payload, _, signature = token.partition(".")
        forged_payload = payload[:5] + ("A" if payload[5] != "A" else "B") + payload[6:]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["k"] = new_key()  # the same link, pointed at another tenant's object
        other_object = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        foreign = await store_factory.make(signing_key="another-secret").download_url(
            key, expires=timedelta(seconds=300), filename="minutes.txt", content_type="text/plain"
        )
        tampered = [
            f"{forged_payload}.{signature}",
            f"{other_object}.{signature}",
            f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
            f"{payload}.",
            payload,
            "",
            "not a token",
            foreign.removeprefix("/files/"),  # signed by a server with another secret
        ]
        for bad in tampered:
            with pytest.raises(LinkInvalid) as raised:
                store.verify_link(bad)
            assert isinstance(raised.value, Unauthenticated)
        return
    # moto serves any presigned URL; check the signature as MinIO and AWS do.
    current = datetime.now(UTC)
    assert sigv4_query_check(url, SECRET_KEY, current) == "valid"
    renamed = url.replace("minutes.txt", "minutes.exe")
    assert renamed != url
    assert sigv4_query_check(renamed, SECRET_KEY, current) == "bad signature"
    other_object = url.replace(key, new_key())
    assert sigv4_query_check(other_object, SECRET_KEY, current) == "bad signature"


async def test_expired_link_refused(store_factory: StoreFactory) -> None:
    clock = FakeClock()
    store = store_factory.make(clock=clock)
    key = new_key()
    await put(store, key, b"rectification evidence")
    url = await store.download_url(
        key, expires=timedelta(seconds=60), filename="evidence.txt", content_type="text/plain"
    )

    for bad in (timedelta(0), timedelta(seconds=-5), timedelta(days=8)):
        with pytest.raises(ValueError, match="link must live"):
            await store.download_url(
                key, expires=bad, filename="evidence.txt", content_type="text/plain"
            )

    if isinstance(store, LocalStore):
        token = url.removeprefix("/files/")
        clock.advance(timedelta(seconds=59))
        assert store.verify_link(token)[0] == key
        clock.advance(timedelta(seconds=1))
        with pytest.raises(LinkExpired):
            store.verify_link(token)
        return
    assert sigv4_query_check(url, SECRET_KEY, clock() + timedelta(seconds=59)) == "valid"
    assert sigv4_query_check(url, SECRET_KEY, clock() + timedelta(seconds=61)) == "expired"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../etc/passwd",
        "/etc/passwd",
        "{t}/../{u}/v",
        "{t}/./v",
        "{t}//v",
        "{t}/d/",
        "{t}",
        "{t}/d/.hidden",
        "{t}\\d\\v",
        "{t}/d/v\x00",
        "{t}/d/v w",
        "tenant/d/v",
        "{T}/d/v",  # a tenant id in another spelling would be another prefix
        "../{t}/d",
    ],
)
async def test_bad_keys_refused(
    store: LocalStore | S3Store, key: str, leftovers: Leftovers
) -> None:
    tenant = uuid.uuid4()
    key = key.format(t=tenant, u=uuid.uuid4(), T=str(tenant).upper())
    with pytest.raises(BadObjectKey):
        await store.put_stream(key, chunked(b"x", 1), max_bytes=10)
    with pytest.raises(BadObjectKey):
        await store.stat(key)
    with pytest.raises(BadObjectKey):
        await store.head(key, 1)
    with pytest.raises(BadObjectKey):
        await collect(store.open_stream(key))
    with pytest.raises(BadObjectKey):
        await store.delete(key)
    with pytest.raises(BadObjectKey):
        await store.presigned_put(key, timedelta(minutes=1))
    with pytest.raises(BadObjectKey):
        await store.download_url(
            key, expires=timedelta(minutes=1), filename="x", content_type="text/plain"
        )
    assert await leftovers(store) == []
    if isinstance(store, LocalStore):
        # Nothing was written anywhere near the root either.
        assert not any(p.is_file() for p in store.root.parent.rglob("*"))


def test_keys_belong_to_their_tenant() -> None:
    tenant, other = uuid.uuid4(), uuid.uuid4()
    key = new_key(tenant)
    assert key.startswith(f"{tenant}/")
    assert check_key(key, tenant_id=tenant) == key
    assert tenant_of(key) == tenant
    with pytest.raises(BadObjectKey, match="another tenant"):
        check_key(key, tenant_id=other)


async def test_list_keys_by_prefix(store: LocalStore | S3Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    doc1, doc2 = uuid.uuid4(), uuid.uuid4()
    a1v1, a1v2, a2v1, b1v1 = new_key(a, doc1), new_key(a, doc1), new_key(a, doc2), new_key(b)
    for key in (a1v1, a1v2, a2v1, b1v1):
        await put(store, key, key.encode())

    async def listed(prefix: str) -> list[str]:
        return sorted([k async for k in store.list_keys(prefix)])

    assert await listed(f"{a}/") == sorted([a1v1, a1v2, a2v1])
    assert await listed(f"{a}/{doc1}/") == sorted([a1v1, a1v2])
    assert await listed(f"{a}/{doc1}") == sorted([a1v1, a1v2])
    assert await listed(f"{b}/") == [b1v1]
    assert await listed("") == sorted([a1v1, a1v2, a2v1, b1v1])
    assert await listed(f"{uuid.uuid4()}/") == []
    for bad in ("../", "/", f"{a}/../"):
        with pytest.raises(BadObjectKey):
            await listed(bad)


async def test_location_created_when_missing(store_factory: StoreFactory) -> None:
    """A fresh bucket (S3) or directory (local) is created on first use, even by racing stores."""
    location = f"stsec-new-{uuid.uuid4().hex[:8]}"
    racers = [store_factory.make(location=location) for _ in range(3)]
    await asyncio.gather(*(s.prepare() for s in racers))
    key = new_key()
    await put(racers[0], key, b"first file in a new place")
    assert await collect(racers[1].open_stream(key)) == b"first file in a new place"
    if isinstance(racers[0], LocalStore):
        assert racers[0].root.is_dir()
    else:
        assert store_factory.minio().bucket_exists(location)
