"""Due and overdue work, found by the scheduler and announced through the outbox once per step."""
