"""The one authorization gate: `authorize(principal, action, resource)` (DESIGN decision 4)."""

from server.authz.gate import Resource, Target, authorize, is_allowed, scope_of

__all__ = ["Resource", "Target", "authorize", "is_allowed", "scope_of"]
