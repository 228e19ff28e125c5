"""Throughput of the authorization gate: `is_allowed()` and `authorize()` on hand-built principals.

Each case runs in a tight `time.perf_counter()` loop until it has made 300,000 calls or used its
time budget (BENCH_AUTHZ_SECONDS), whichever comes first; slow paths therefore make fewer calls.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from server.auth.principal import Grant, Principal
from server.authz.gate import POLICY_DIR, Target, authorize, enforcer, is_allowed
from server.errors import Forbidden, NotFound
from server.tenancy.roles import Role, UnitKind

pytestmark = pytest.mark.bench

MAX_CALLS = 300_000
BATCH = 500

HQ = uuid.uuid4()
BRANCH = uuid.uuid4()
INSTITUTE = uuid.uuid4()
SISTER = uuid.uuid4()  # another institute of the same branch
ELSEWHERE = uuid.uuid4()  # an institute of another branch

# An institute user with three roles, in the order `build_principal` gives them (sorted).
STAFF = Principal(
    user_id=uuid.uuid4(),
    tenant_id=INSTITUTE,
    label="institute staff",
    grants=tuple(
        Grant(role=r, unit_id=INSTITUTE, unit_kind=UnitKind.INSTITUTE)
        for r in sorted({Role.RESEARCHER, Role.RESEARCH_MANAGEMENT, Role.TENANT_ADMIN})
    ),
)
SUPERVISOR = Principal(
    user_id=uuid.uuid4(),
    tenant_id=BRANCH,
    label="branch supervisor",
    grants=(
        Grant(
            role=Role.BRANCH_SUPERVISOR,
            unit_id=BRANCH,
            unit_kind=UnitKind.BRANCH,
            supervised=frozenset({INSTITUTE, SISTER}),
        ),
    ),
)
HQ_OFFICE = Principal(
    user_id=uuid.uuid4(),
    tenant_id=HQ,
    label="HQ",
    grants=(
        Grant(role=Role.SAFETY_COMMITTEE_OFFICE, unit_id=HQ, unit_kind=UnitKind.HQ),
        Grant(role=Role.PLATFORM_ADMIN, unit_id=HQ, unit_kind=UnitKind.HQ),
    ),
)


def _raises(exc: type[Exception], fn: Callable[[], object]) -> Callable[[], str]:
    def call() -> str:
        try:
            fn()
        except exc:
            return exc.__name__
        return "returned"

    return call


def _cases() -> dict[str, tuple[Callable[[], object], object]]:
    """name → (zero-argument call, the result it must give)."""
    e = enforcer()
    user_here = Target("user", INSTITUTE)
    own_record = Target("user", INSTITUTE, frozenset({"self"}))
    unit_here = Target("org_unit", INSTITUTE)
    user_elsewhere = Target("user", ELSEWHERE)
    audit_here = Target("audit_entry", INSTITUTE)
    return {
        # Casbin alone, one request tuple.
        "casbin_enforce_allowed": (
            lambda: e.enforce("researcher", "own", "user", "read", "none"),
            True,
        ),
        "casbin_enforce_denied": (
            lambda: e.enforce("researcher", "own", "org_unit", "manage", "none"),
            False,
        ),
        # The decision (used to filter every row of a list).
        "is_allowed_allowed_first_grant": (lambda: is_allowed(STAFF, "read", user_here), True),
        "is_allowed_allowed_third_grant": (lambda: is_allowed(STAFF, "manage", user_here), True),
        "is_allowed_allowed_relation_self": (
            lambda: is_allowed(STAFF, "update_self", own_record),
            True,
        ),
        "is_allowed_allowed_branch_supervised": (
            lambda: is_allowed(SUPERVISOR, "read", user_here),
            True,
        ),
        "is_allowed_allowed_hq_all": (lambda: is_allowed(HQ_OFFICE, "read", audit_here), True),
        "is_allowed_denied_own_tenant_3_grants": (
            lambda: is_allowed(STAFF, "manage", unit_here),
            False,
        ),
        "is_allowed_denied_other_tenant": (
            lambda: is_allowed(STAFF, "read", user_elsewhere),
            False,
        ),
        # The gate that raises.
        "authorize_allowed": (lambda: authorize(STAFF, "read", user_here), None),
        "authorize_denied_forbidden": (
            _raises(Forbidden, lambda: authorize(STAFF, "manage", unit_here)),
            "Forbidden",
        ),
        "authorize_denied_not_found": (
            _raises(NotFound, lambda: authorize(STAFF, "read", user_elsewhere)),
            "NotFound",
        ),
    }


def _measure(call: Callable[[], object], budget: float) -> dict[str, Any]:
    calls = 0
    elapsed = 0.0
    while calls < MAX_CALLS and elapsed < budget:
        batch = range(min(BATCH, MAX_CALLS - calls))
        started = time.perf_counter()
        for _ in batch:
            call()
        elapsed += time.perf_counter() - started
        calls += len(batch)
    return {
        "calls": calls,
        "seconds": round(elapsed, 4),
        "ops_per_second": round(calls / elapsed),
        "us_per_call": round(elapsed / calls * 1e6, 3),
    }


def _policy_lines() -> dict[str, int]:
    counts = {"p": 0, "g": 0}
    for line in (POLICY_DIR / "policy.csv").read_text(encoding="utf-8").splitlines():
        kind = line.split(",", 1)[0].strip()
        if kind in counts:
            counts[kind] += 1
    return counts


def test_authorization_throughput(bench_record: Any, bench_settings: Any) -> None:
    budget = bench_settings.authz_seconds
    cases = _cases()
    for name, (call, expected) in cases.items():
        assert call() == expected, name  # also warms the enforcer and its caches
    results = {name: _measure(call, budget) for name, (call, _) in cases.items()}
    per_row = results["is_allowed_allowed_first_grant"]["us_per_call"]
    entry = bench_record(
        "authz",
        {
            "description": "is_allowed()/authorize() in a perf_counter loop; institute principal "
            "with 3 grants, branch supervisor, HQ with 2 grants",
            "max_calls_per_case": MAX_CALLS,
            "seconds_budget_per_case": budget,
            "policy_lines": _policy_lines(),
            "cases": results,
            # Lists filter each row through is_allowed(): the gate's share of a page of 100.
            "derived": {"gate_ms_per_list_of_100": round(per_row * 100 / 1000, 3)},
        },
    )
    for name, figures in entry["cases"].items():
        print(
            f"{name:42s} {figures['ops_per_second']:>10,} ops/s "
            f"{figures['us_per_call']:>10.3f} µs/call ({figures['calls']:,} calls)"
        )
