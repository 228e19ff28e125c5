"""Object storage for document versions: one interface, an S3 (MinIO) store and a local-disk store.

Uploads stream: bytes pass through a worker thread one chunk at a time, are counted and hashed on
the way, and never sit whole in memory. An upload over its cap, or one whose source fails, leaves
nothing behind (S3: the multipart upload is aborted; local: the temporary file is removed).

Blocking work (the `minio` SDK and file I/O) runs on a thread pool owned by the store, so a few
slow uploads, each holding a thread while its client sends, cannot starve the event loop's default
executor.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextvars
import functools
import hashlib
import hmac
import json
import os
import re
import stat as stat_mode
import tempfile
import threading
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ParamSpec, Protocol, TypeVar, cast
from urllib.parse import quote

import structlog
from minio import Minio
from minio.error import S3Error

from server.documents.errors import BadObjectKey, LinkExpired, LinkInvalid, ObjectMissing, TooLarge

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

    from server.config import Settings

log = structlog.get_logger(__name__)

CHUNK_SIZE = 1024 * 1024
# S3 multipart part size. minio assembles each part by concatenation, so with one part in
# flight an upload peaks at a few parts: about 40 MiB measured (tests/documents).
PART_SIZE = 10 * 1024 * 1024
LINK_MAX_TTL = timedelta(days=7)  # the longest a SigV4 presigned URL may live
KEY_MAX_LENGTH = 1024

P = ParamSpec("P")
T = TypeVar("T")
Clock = Callable[[], datetime]

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoredObject:
    size: int
    sha256: str | None = None
    """Hex SHA-256; None from `stat` unless asked to verify."""


@dataclass(frozen=True)
class Fingerprinted(StoredObject):
    """What an upload stored: its size and, always, its SHA-256."""

    sha256: str


class ObjectStore(Protocol):
    async def prepare(self) -> None:
        """Create the bucket or root directory when missing (operations do it when they need to)."""
        ...

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> Fingerprinted:
        """Store the chunks under `key`; raises TooLarge past `max_bytes`, leaving nothing."""
        ...

    async def head(self, key: str, n: int) -> bytes:
        """The first `n` bytes (fewer if the object is shorter); raises ObjectMissing."""
        ...

    async def stat(self, key: str, *, verify_sha256: bool = False) -> StoredObject | None:
        """Size, and the SHA-256 computed by reading the object when `verify_sha256`."""
        ...

    def open_stream(self, key: str) -> AsyncIterator[bytes]:
        """The object in chunks; raises ObjectMissing on the first iteration."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the object if present. Only the orphan sweep deletes."""
        ...

    def list_keys(self, prefix: str = "") -> AsyncIterator[str]: ...

    async def presigned_put(self, key: str, expires: timedelta) -> str | None:
        """A URL a client may PUT the bytes to directly, or None when uploads go through the app."""
        ...

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str:
        """A short-lived signed link that serves the object as an attachment named `filename`."""
        ...

    async def aclose(self) -> None: ...


def object_key(tenant_id: uuid.UUID, document_id: uuid.UUID, version_id: uuid.UUID) -> str:
    return f"{tenant_id}/{document_id}/{version_id}"


def check_key(key: str, *, tenant_id: uuid.UUID | None = None) -> str:
    """`key` if it is safe segments under a tenant id (and under `tenant_id` when given)."""
    segments = key.split("/")
    if (
        len(key) > KEY_MAX_LENGTH
        or len(segments) < 2
        or not all(_SEGMENT.fullmatch(s) for s in segments)
    ):
        raise BadObjectKey(f"Not a valid object key: {key[:100]!r}.")
    tenant = _tenant_segment(segments[0])
    if tenant is None:
        raise BadObjectKey(f"The object key does not start with a tenant: {key[:100]!r}.")
    if tenant_id is not None and tenant != tenant_id:
        raise BadObjectKey("The object belongs to another tenant.")
    return key


def tenant_of(key: str) -> uuid.UUID:
    tenant = _tenant_segment(check_key(key).split("/", 1)[0])
    assert tenant is not None  # check_key accepted it
    return tenant


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266, RFC 5987)."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def store_from_settings(settings: Settings) -> ObjectStore:
    if settings.s3_endpoint:
        if not settings.s3_access_key or not settings.s3_secret_key:
            raise RuntimeError("S3_ACCESS_KEY and S3_SECRET_KEY must be set with S3_ENDPOINT")
        return S3Store(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key,
            settings.s3_bucket,
            settings.s3_region,
            settings.s3_secure,
            public_endpoint=settings.s3_public_endpoint,
            public_secure=settings.s3_public_secure,
        )
    return LocalStore(settings.data_dir / "objects", settings.secret_key)


def _tenant_segment(segment: str) -> uuid.UUID | None:
    try:
        tenant = uuid.UUID(segment)
    except ValueError:
        return None
    return tenant if str(tenant) == segment else None


def _check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or whole segments optionally followed by the start of one."""
    if prefix and not all(_SEGMENT.fullmatch(s) for s in prefix.removesuffix("/").split("/")):
        raise BadObjectKey(f"Not a valid key prefix: {prefix[:100]!r}.")
    return prefix


def _check_expiry(expires: timedelta) -> None:
    if not timedelta(seconds=1) <= expires <= LINK_MAX_TTL:
        raise ValueError("a link must live between one second and seven days")


class _Aborted(Exception):
    """The caller went away (cancelled) while its upload was still running in a thread."""


class _UploadSource:
    """A blocking file-like view of an async iterator, read by a worker thread.

    Each `read` that needs data asks the event loop for the next chunk and waits for it, so the
    source buffers at most one chunk; it counts and hashes bytes as they pass and raises TooLarge
    as soon as the count exceeds the cap, before the excess is handed on.
    """

    def __init__(
        self,
        chunks: AsyncIterable[bytes],
        loop: asyncio.AbstractEventLoop,
        max_bytes: int,
    ) -> None:
        self._chunks = aiter(chunks)
        self._loop = loop
        self._max_bytes = max_bytes
        self._chunk = b""
        self._offset = 0
        self._eof = False
        self._aborted = threading.Event()
        self._pending: concurrent.futures.Future[bytes | None] | None = None
        self._sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        while self._offset >= len(self._chunk) and not self._eof:
            self._chunk, self._offset = self._next(), 0
        available = len(self._chunk) - self._offset
        if n < 0 or n >= available:
            out = self._chunk if self._offset == 0 else self._chunk[self._offset :]
            self._chunk, self._offset = b"", 0
            return out
        out = self._chunk[self._offset : self._offset + n]
        self._offset += n
        return out

    def abort(self) -> None:
        """On the event loop, when the caller is cancelled: the thread stops at its next read."""
        self._aborted.set()
        pending = self._pending
        if pending is not None:
            pending.cancel()

    def result(self) -> Fingerprinted:
        return Fingerprinted(size=self.size, sha256=self._sha256.hexdigest())

    def _next(self) -> bytes:
        if self._aborted.is_set():
            raise _Aborted
        future = asyncio.run_coroutine_threadsafe(_next_chunk(self._chunks), self._loop)
        self._pending = future
        if self._aborted.is_set():
            future.cancel()
        try:
            chunk = future.result()
        except concurrent.futures.CancelledError as exc:
            raise _Aborted from exc
        finally:
            self._pending = None
        if chunk is None:
            self._eof = True
            return b""
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise TooLarge(self._max_bytes)
        self._sha256.update(chunk)
        return chunk


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    return await anext(chunks, None)


class _Blocking:
    """The thread pool a store runs its blocking calls on."""

    def __init__(self, threads: int) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="object-store"
        )

    async def _run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def _upload(
        self,
        chunks: AsyncIterable[bytes],
        max_bytes: int,
        write: Callable[[_UploadSource], None],
    ) -> Fingerprinted:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        source = _UploadSource(chunks, asyncio.get_running_loop(), max_bytes)
        transfer = asyncio.ensure_future(self._run(write, source))
        try:
            await asyncio.shield(transfer)
        except asyncio.CancelledError:
            # Let the thread clean up (abort the multipart upload, remove the temporary file)
            # before the cancellation goes on, so a cancelled upload also leaves nothing.
            source.abort()
            await asyncio.wait({transfer})
            raise
        return source.result()

    async def _iterate(self, items: Iterable[T], batch: int = 1000) -> AsyncIterator[T]:
        """Items of a blocking iterator, fetched a batch at a time on the pool."""
        iterator = iter(items)
        while page := await self._run(lambda: list(islice(iterator, batch))):
            for item in page:
                yield item

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class S3Store(_Blocking):
    """Objects in one S3 bucket through the `minio` SDK (MinIO in production)."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        region: str = "us-east-1",
        secure: bool = True,
        *,
        public_endpoint: str | None = None,
        public_secure: bool | None = None,
        clock: Clock = _utcnow,
        threads: int = 32,
    ) -> None:
        super().__init__(threads)
        # With the region given, minio signs URLs locally instead of asking the server for it.
        self._client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region
        )
        # Browsers upload and download with presigned URLs, and a SigV4 signature covers the
        # host: when the servers reach S3 at an internal address (a cluster service, a compose
        # network name), the links are signed for the address browsers use instead.
        self._signer = (
            Minio(
                public_endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure if public_secure is None else public_secure,
                region=region,
            )
            if public_endpoint
            else self._client
        )
        self._bucket = bucket
        self._region = region
        self._clock = clock
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    @property
    def bucket(self) -> str:
        return self._bucket

    async def prepare(self) -> None:
        """Create the bucket when missing; safe when several processes race to do it."""
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if not self._bucket_ready:
                await self._run(self._ensure_bucket)
                self._bucket_ready = True

    def _ensure_bucket(self) -> None:
        if self._client.bucket_exists(self._bucket):
            return
        try:
            self._client.make_bucket(self._bucket, location=self._region)
        except S3Error as exc:
            # Another process created it between our check and our request.
            if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise
            if not self._client.bucket_exists(self._bucket):
                raise
            return
        log.info("bucket_created", bucket=self._bucket)

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> Fingerprinted:
        check_key(key)
        await self.prepare()

        def write(source: _UploadSource) -> None:
            # Unknown length: minio uploads PART_SIZE parts as it reads and aborts the multipart
            # upload when a read raises. One part in flight bounds memory.
            self._client.put_object(
                self._bucket,
                key,
                cast(BinaryIO, source),
                length=-1,
                part_size=PART_SIZE,
                num_parallel_uploads=1,
            )

        return await self._upload(chunks, max_bytes, write)

    async def head(self, key: str, n: int) -> bytes:
        check_key(key)
        if n < 1:
            raise ValueError("n must be positive")
        await self.prepare()
        return await self._run(self._head, key, n)

    def _head(self, key: str, n: int) -> bytes:
        try:
            response = self._get(key, length=n)
        except S3Error as exc:
            if exc.code == "InvalidRange":  # the object is empty
                return b""
            raise
        try:
            return response.read()
        finally:
            _release(response)

    async def stat(self, key: str, *, verify_sha256: bool = False) -> StoredObject | None:
        check_key(key)
        await self.prepare()
        return await self._run(self._stat, key, verify_sha256)

    def _stat(self, key: str, verify_sha256: bool) -> StoredObject | None:
        if not verify_sha256:
            try:
                info = self._client.stat_object(self._bucket, key)
            except S3Error as exc:
                if exc.code == "NoSuchKey":
                    return None
                raise
            return StoredObject(size=info.size or 0)
        try:
            response = self._get(key)
        except ObjectMissing:
            return None
        sha256 = hashlib.sha256()
        size = 0
        try:
            while chunk := response.read(CHUNK_SIZE):
                sha256.update(chunk)
                size += len(chunk)
        finally:
            _release(response)
        return Fingerprinted(size=size, sha256=sha256.hexdigest())

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        await self.prepare()
        response = await self._run(self._get, key)
        try:
            while chunk := await self._run(response.read, CHUNK_SIZE):
                yield chunk
        finally:
            _release(response)

    def _get(self, key: str, length: int = 0) -> BaseHTTPResponse:
        try:
            return self._client.get_object(self._bucket, key, length=length)
        except S3Error as exc:
            if exc.code == "NoSuchKey":
                raise ObjectMissing(key) from exc
            raise

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        check_key(key)
        await self.prepare()
        await self._run(self._client.remove_object, self._bucket, key)

    async def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        _check_prefix(prefix)
        await self.prepare()
        # Lazy: each page is requested when the batch that needs it is fetched on the pool.
        listing = self._client.list_objects(self._bucket, prefix=prefix or None, recursive=True)
        async for name in self._iterate(o.object_name for o in listing):
            if name is not None:
                yield name

    async def presigned_put(self, key: str, expires: timedelta) -> str | None:
        check_key(key)
        _check_expiry(expires)
        await self.prepare()
        # Signing is local computation (the region is configured): no request, no thread.
        return self._signer.presigned_put_object(self._bucket, key, expires=expires)

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str:
        check_key(key)
        _check_expiry(expires)
        await self.prepare()
        # The response overrides are query parameters, so the signature covers the file name
        # and type: a link with either changed is refused by the server.
        return self._signer.presigned_get_object(
            self._bucket,
            key,
            expires=expires,
            response_headers={
                "response-content-disposition": content_disposition(filename),
                "response-content-type": content_type,
            },
            request_date=self._clock(),
        )


def _release(response: BaseHTTPResponse) -> None:
    response.close()
    response.release_conn()


class LocalStore(_Blocking):
    """Objects as files under `root` (the data directory), for the embedded default.

    Keys map to paths segment by segment; `check_key` admits only plain segments, so no key
    reaches outside `root`. Uploads write a hidden temporary file in the target directory, fsync
    it and rename it into place, so a reader sees a whole object or none.
    """

    _LINK_CONTEXT = b"stsec documents: local download link v1"

    def __init__(
        self, root: Path, signing_key: str, *, clock: Clock = _utcnow, threads: int = 32
    ) -> None:
        super().__init__(threads)
        self._root = root.resolve()
        # A key of its own, so a link can never be confused with another token signed by the
        # application's secret.
        self._link_key = hmac.new(signing_key.encode(), self._LINK_CONTEXT, "sha256").digest()
        self._clock = clock

    @property
    def root(self) -> Path:
        return self._root

    async def prepare(self) -> None:
        await self._run(self._root.mkdir, mode=0o700, parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = self._root.joinpath(*check_key(key).split("/"))
        # check_key already rules out "..", absolute paths and separators; this is the backstop.
        if not path.is_relative_to(self._root):
            raise BadObjectKey(f"Not a valid object key: {key[:100]!r}.")
        return path

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> Fingerprinted:
        path = self._path(key)
        return await self._upload(chunks, max_bytes, functools.partial(self._write, path))

    def _write(self, path: Path, source: _UploadSource) -> None:
        fd, temporary = self._temporary_file(path.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                while chunk := source.read(CHUNK_SIZE):
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            self._prune(path.parent)
            raise
        _fsync_directory(path.parent)

    def _temporary_file(self, directory: Path) -> tuple[int, str]:
        # A concurrent prune may remove an empty directory between mkdir and mkstemp: try again.
        for _ in range(5):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                return tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
            except FileNotFoundError:
                continue
        raise RuntimeError(f"could not create a temporary file in {directory}")

    def _prune(self, directory: Path) -> None:
        """Remove now-empty directories up to the root, so failures and deletes leave no trace."""
        while directory != self._root and directory.is_relative_to(self._root):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    async def head(self, key: str, n: int) -> bytes:
        if n < 1:
            raise ValueError("n must be positive")
        path = self._path(key)
        return await self._run(self._head, key, path, n)

    @staticmethod
    def _head(key: str, path: Path, n: int) -> bytes:
        try:
            with path.open("rb") as file:
                return file.read(n)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise ObjectMissing(key) from exc

    async def stat(self, key: str, *, verify_sha256: bool = False) -> StoredObject | None:
        path = self._path(key)
        return await self._run(self._stat, path, verify_sha256)

    @staticmethod
    def _stat(path: Path, verify_sha256: bool) -> StoredObject | None:
        try:
            if not verify_sha256:
                info = path.stat()
                return StoredObject(size=info.st_size) if stat_mode.S_ISREG(info.st_mode) else None
            sha256 = hashlib.sha256()
            size = 0
            with path.open("rb") as file:
                while chunk := file.read(CHUNK_SIZE):
                    sha256.update(chunk)
                    size += len(chunk)
            return Fingerprinted(size=size, sha256=sha256.hexdigest())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        file = await self._run(self._open, key, path)
        try:
            while chunk := await self._run(file.read, CHUNK_SIZE):
                yield chunk
        finally:
            file.close()

    @staticmethod
    def _open(key: str, path: Path) -> BinaryIO:
        try:
            return path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise ObjectMissing(key) from exc

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await self._run(self._delete, path)

    def _delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._prune(path.parent)

    async def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        _check_prefix(prefix)
        # Walk only the directory the prefix's whole segments name; filter the rest by string.
        top = self._root.joinpath(*prefix.split("/")[:-1])
        async for key in self._iterate(self._walk(top)):
            if key.startswith(prefix):
                yield key

    def _walk(self, top: Path) -> Iterable[str]:
        for directory, subdirectories, files in os.walk(top):
            subdirectories.sort()
            base = Path(directory).relative_to(self._root).as_posix()
            for name in sorted(files):
                if not name.startswith("."):  # temporary files of uploads in progress
                    yield name if base == "." else f"{base}/{name}"

    async def presigned_put(self, key: str, expires: timedelta) -> str | None:
        check_key(key)
        return None

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str:
        check_key(key)
        _check_expiry(expires)
        claims = {
            "k": key,
            "e": int((self._clock() + expires).timestamp()),
            "f": filename,
            "t": content_type,
        }
        payload = _b64encode(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
        return f"/files/{payload}.{_b64encode(self._sign(payload))}"

    def verify_link(self, token: str) -> tuple[str, str, str]:
        """(key, filename, content_type) of a link this store issued and that has not expired."""
        payload, _, signature = token.partition(".")
        try:
            valid = hmac.compare_digest(_b64decode(signature), self._sign(payload))
        except ValueError:
            valid = False
        if not valid:
            raise LinkInvalid
        try:
            claims = json.loads(_b64decode(payload))
            key, expiry = str(claims["k"]), int(claims["e"])
            filename, content_type = str(claims["f"]), str(claims["t"])
            check_key(key)
        except (ValueError, KeyError, TypeError, BadObjectKey) as exc:
            raise LinkInvalid from exc
        if self._clock().timestamp() >= expiry:
            raise LinkExpired
        return key, filename, content_type

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._link_key, payload.encode(), "sha256").digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    """URL-safe base64 without padding; ValueError for anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not URL-safe base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable: a crash after put_stream returns must not lose the object."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
