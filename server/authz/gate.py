"""The one authorization gate over Casbin.

Casbin holds only role → permission lines (`policies/policy.csv`). The principal's roles come
from the database once per request (`server.auth.principal`); the domain hierarchy HQ → branch →
institute becomes a *scope* computed here; the R-OWN relations (approver manages, undertaker is
responsible) are computed on the resource itself by its `relations_to()`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import casbin

from server.auth.principal import Grant, Principal
from server.errors import Forbidden, NotFound, Unauthenticated
from server.tenancy.roles import UnitKind

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"


class Resource(Protocol):
    """What the gate decides on: a type name, the owning tenant, and R-OWN relations."""

    @property
    def resource_type(self) -> str: ...

    @property
    def tenant_id(self) -> uuid.UUID: ...

    def relations_to(self, principal: Principal) -> frozenset[str]: ...


@dataclass(frozen=True)
class Target:
    """A resource described by hand: a collection, or an object about to be created."""

    resource_type: str
    tenant_id: uuid.UUID
    relations: frozenset[str] = field(default=frozenset())

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return self.relations


@cache
def enforcer() -> casbin.Enforcer:
    """Loaded once per process from `policies/`; the policy never changes while running."""
    return casbin.Enforcer(str(POLICY_DIR / "model.conf"), str(POLICY_DIR / "policy.csv"))


@cache
def decide(role: str, scope: str, obj: str, act: str, rel: str) -> bool:
    """Casbin's decision, memoised: it depends only on these five words and the fixed policy.

    Casbin evaluates its matcher against every policy line (about 0.1-0.2 ms here); the inputs
    take a few thousand distinct values at most, so after warm-up a decision is a dict lookup.
    """
    return bool(enforcer().enforce(role, scope, obj, act, rel))


def scope_of(grant: Grant, tenant_id: uuid.UUID) -> str | None:
    """How the unit holding `grant` reaches `tenant_id`: own, supervised, all, or not at all."""
    if grant.unit_id == tenant_id:
        return "own"
    if grant.unit_kind is UnitKind.BRANCH and tenant_id in grant.supervised:
        return "supervised"
    if grant.unit_kind is UnitKind.HQ:
        return "all"
    return None


def is_allowed(principal: Principal, action: str, resource: Resource) -> bool:
    """The decision alone, for filtering lists; `authorize()` is the gate that raises."""
    if principal.system:
        return True
    tenant_id = resource.tenant_id
    relations = resource.relations_to(principal) or frozenset({"none"})
    for grant in principal.grants:
        scope = scope_of(grant, tenant_id)
        if scope is None:
            continue
        for rel in relations:
            if decide(grant.role.value, scope, resource.resource_type, action, rel):
                return True
    return False


def authorize(principal: Principal, action: str, resource: Resource) -> None:
    """Raise unless `principal` may do `action` to `resource`; deny by default.

    Outside the principal's visible tenants the answer is NotFound, so nothing leaks that the
    object exists; inside, a refusal is Forbidden with a reason a person can act on.
    """
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    if not principal.can_see(resource.tenant_id):
        raise NotFound(f"No such {resource.resource_type.replace('_', ' ')}.")
    if not is_allowed(principal, action, resource):
        roles = ", ".join(sorted(r.value for r in principal.roles)) or "no role"
        raise Forbidden(
            f"Your roles ({roles}) do not allow '{action}' on this "
            f"{resource.resource_type.replace('_', ' ')}."
        )
