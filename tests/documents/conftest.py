"""Fixtures of the storage tests: a real S3-protocol server on loopback and both stores.

The S3 server is moto's threaded server, reached over HTTP by the `minio` SDK exactly as MinIO is
in production. Every test that takes `store` runs twice, once per implementation.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from storage_support import ACCESS_KEY, REGION, SECRET_KEY, StoreFactory

from server.documents.storage import LocalStore, S3Store


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """host:port of moto's S3 server, started for this run on a free loopback port."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
    except (ImportError, OSError) as exc:
        reason = f"S3 tests need moto's S3 server, which did not start: {exc!r}"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # One access-log line per request would bury a failure's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
async def store_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreFactory]:
    endpoint = request.getfixturevalue("s3_endpoint") if request.param == "s3" else None
    factory = StoreFactory(request.param, tmp_path, endpoint)
    yield factory
    for store in factory.made:
        await store.aclose()


@pytest.fixture
def store(store_factory: StoreFactory) -> LocalStore | S3Store:
    return store_factory.make()


@pytest.fixture
def leftovers(
    store_factory: StoreFactory,
) -> Callable[[LocalStore | S3Store], Awaitable[list[str]]]:
    """What a failed upload could leave behind that `list_keys` does not show.

    Local: any file at all under the root, temporary ones included. S3: incomplete multipart
    uploads, listed with boto3 (the minio SDK has no public call for them).
    """

    async def find(store: LocalStore | S3Store) -> list[str]:
        if isinstance(store, LocalStore):
            if not store.root.exists():
                return []
            return [str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()]
        import boto3

        if not store_factory.minio().bucket_exists(store.bucket):
            return []
        client = boto3.client(
            "s3",
            endpoint_url=f"http://{store_factory.endpoint}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )
        uploads = client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
        return [f"multipart upload of {u['Key']}" for u in uploads]

    return find
