"""Database access: engines, sessions, the per-transaction tenant scope, the embedded server."""
