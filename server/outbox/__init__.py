"""The transactional outbox: events written with the change that causes them (DESIGN decision 5)."""

from server.outbox.service import emit

__all__ = ["emit"]
