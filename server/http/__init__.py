"""HTTP plumbing: middleware, health checks, metrics."""
