"""Logs are JSON lines carrying the request id, user and tenant of the request."""

from __future__ import annotations

import io
import json
import logging

import structlog

from server import logging as app_logging


async def test_request_log_is_json_with_request_user_and_tenant(as_user, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    app_logging.configure("INFO")
    try:
        api = as_user("iph.researcher")
        response = await api.post("{ viewer { user { username } } }")
        request_id = response.headers["x-request-id"]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    entry = next(e for e in lines if e.get("event") == "request")
    assert entry["request_id"] == request_id
    assert entry["user_id"] and entry["tenant_id"]
    assert entry["status"] == 200 and entry["path"] == "/graphql"
