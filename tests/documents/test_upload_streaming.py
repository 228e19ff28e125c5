"""Uploads stream: a 200 MiB file goes through while the uploading process grows by far less.

How it is measured: the upload runs in a fresh Python process. After a small warm-up upload
(imports done, connection and threads up) it resets its peak RSS (`VmHWM`, by writing 5 to
/proc/self/clear_refs) and notes its current RSS; after the big upload it reads the peak again.
Peak minus baseline is the most memory the upload added at any moment, C-level buffers
included (tracemalloc would miss those). `ru_maxrss` would not do: a child started from pytest
inherits pytest's peak (about 140 MiB here), which would hide any growth below it. The process
is separate so that neither pytest's memory nor moto's (which keeps the uploaded object and
runs in the pytest process) is counted: only the client side this code is responsible for.
"""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import uuid
from pathlib import Path

from storage_support import ACCESS_KEY, REGION, SECRET_KEY, StoreFactory

from server.documents.storage import LocalStore, object_key

REPOSITORY = Path(__file__).resolve().parents[2]
FILE_MIB = 200
MAX_GROWTH_MIB = 60

SCRIPT = textwrap.dedent(
    """
    import asyncio, hashlib, json, sys
    from pathlib import Path

    from server.documents.storage import LocalStore, S3Store

    MiB = 1024 * 1024
    spec = json.loads(sys.argv[1])


    def status_kib(field):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise LookupError(field)


    def reset_peak():
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
        except OSError:
            pass  # then VmHWM is this process's own peak since start: imports, a few MiB over


    async def source(total_mib, block):
        for _ in range(total_mib):
            yield block  # the same 1 MiB object each time: the source itself holds 1 MiB


    async def main():
        if spec["kind"] == "local":
            store = LocalStore(Path(spec["location"]), "signing-key")
        else:
            store = S3Store(
                spec["endpoint"], spec["access_key"], spec["secret_key"], spec["location"],
                spec["region"], secure=False,
            )
        block = bytes(range(256)) * 4096
        await store.put_stream(spec["warm_key"], source(1, block), max_bytes=MiB)
        reset_peak()
        before = status_kib("VmRSS")
        stored = await store.put_stream(
            spec["key"], source(spec["mib"], block), max_bytes=spec["mib"] * MiB
        )
        after = status_kib("VmHWM")
        # The meter itself: 32 MiB held on purpose must show as at least that much growth.
        reset_peak()
        probe_before = status_kib("VmRSS")
        probe = b"\\x01" * (32 * MiB)
        probe_kib = status_kib("VmHWM") - probe_before
        del probe
        expected = hashlib.sha256()
        for _ in range(spec["mib"]):
            expected.update(block)
        await store.aclose()
        print(json.dumps({
            "before_kib": before, "after_kib": after, "size": stored.size,
            "sha256": stored.sha256, "expected_sha256": expected.hexdigest(),
            "probe_kib": probe_kib,
        }))


    asyncio.run(main())
    """
)


async def test_upload_streams_a_file_larger_than_the_memory_it_may_use(
    store_factory: StoreFactory,
) -> None:
    store = store_factory.make()
    tenant = uuid.uuid4()
    key = object_key(tenant, uuid.uuid4(), uuid.uuid4())
    location = str(store.root) if isinstance(store, LocalStore) else store.bucket
    spec = {
        "kind": store_factory.kind,
        "location": location,
        "endpoint": store_factory.endpoint,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "region": REGION,
        "warm_key": object_key(tenant, uuid.uuid4(), uuid.uuid4()),
        "key": key,
        "mib": FILE_MIB,
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SCRIPT,
            json.dumps(spec),
            cwd=REPOSITORY,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, stderr.decode()[-3000:]
        measured = json.loads(stdout.decode().strip().splitlines()[-1])
        growth_mib = (measured["after_kib"] - measured["before_kib"]) / 1024
        before, peak = measured["before_kib"] / 1024, measured["after_kib"] / 1024
        print(
            f"{store_factory.kind}: {FILE_MIB} MiB uploaded; RSS {before:.1f} MiB before, "
            f"peak {peak:.1f} MiB during (+{growth_mib:.1f} MiB); meter check: 32 MiB held "
            f"showed as +{measured['probe_kib'] / 1024:.1f} MiB"
        )
        assert measured["probe_kib"] >= 31 * 1024, "the RSS meter does not see allocations"
        assert measured["size"] == FILE_MIB * 1024 * 1024
        assert measured["sha256"] == measured["expected_sha256"]
        stat = await store.stat(key)
        assert stat is not None
        assert stat.size == FILE_MIB * 1024 * 1024
        assert growth_mib < MAX_GROWTH_MIB
    finally:
        # 200 MiB should not outlive the test (in moto's memory or the tmp directory).
        async for stored_key in store.list_keys(f"{tenant}/"):
            await store.delete(stored_key)
