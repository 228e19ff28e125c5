"""The transactional outbox: events written with the change that causes them (DESIGN decision 5)."""

from server.outbox.service import Event, emit, emit_many

__all__ = ["Event", "emit", "emit_many"]
