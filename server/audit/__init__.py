"""The append-only, hash-chained audit log (DESIGN decision 7)."""

from server.audit.service import record, verify

__all__ = ["record", "verify"]
