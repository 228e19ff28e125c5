"""A small HTTP load generator: N concurrent httpx workers send a fixed number of requests.

Importable (`run_load`) and runnable as a script: the benchmarks start it as a child process
(`python loadgen.py < spec.json`, result as JSON on stdout) so that the client's own CPU does not
run on the server's event loop. The spec is a JSON object with the keys of `run_load`.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from contextlib import AsyncExitStack
from typing import Any

import httpx


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def run_load(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    concurrency: int = 16,
    total: int = 2000,
    warmup: int = 0,
    reject_substring: str | None = None,
) -> dict[str, Any]:
    """Send `warmup` then `total` requests with `concurrency` workers; measure the `total` ones.

    A response, warm-up included, counts as failed unless its status is 200 and, when
    `reject_substring` is given, its body does not contain it (for GraphQL: `"errors"`).
    """
    content = body.encode() if body is not None else None
    reject = reject_substring.encode() if reject_substring else None
    failures = 0
    first_failure: str | None = None
    latencies: list[float] = []

    async def worker(
        client: httpx.AsyncClient, budget: list[int], sink: list[float] | None
    ) -> None:
        nonlocal failures, first_failure
        while budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            response = await client.request(method, url, content=content)
            elapsed = time.perf_counter() - started
            data = response.content
            if response.status_code != 200 or (reject is not None and reject in data):
                failures += 1
                if first_failure is None:
                    first_failure = f"{response.status_code}: {data[:500]!r}"
            if sink is not None:
                sink.append(elapsed)

    # One client (one keep-alive connection) per worker: a shared httpx pool slows down as the
    # number of connections grows, and the load generator must not be the bottleneck.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(limits=limits, timeout=60.0, headers=headers)
            )
            for _ in range(concurrency)
        ]
        if warmup:
            left = [warmup]
            await asyncio.gather(*(worker(c, left, None) for c in clients))
        left = [total]
        started = time.perf_counter()
        await asyncio.gather(*(worker(c, left, latencies) for c in clients))
        wall = time.perf_counter() - started

    ordered = sorted(latencies)
    ms = [v * 1000 for v in ordered]
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "failures": failures,
        "first_failure": first_failure,
        "seconds": round(wall, 3),
        "requests_per_second": round(len(latencies) / wall, 1),
        "latency_ms": {
            "mean": round(statistics.fmean(ms), 3),
            "p50": round(percentile(ms, 50), 3),
            "p95": round(percentile(ms, 95), 3),
            "p99": round(percentile(ms, 99), 3),
            "max": round(ms[-1], 3),
        },
    }


def main() -> None:
    spec = json.load(sys.stdin)
    url = spec.pop("url")
    result = asyncio.run(run_load(url, **spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
