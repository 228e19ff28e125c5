"""The transactional outbox: events written with the change that causes them (DESIGN decision 5)."""
