"""Fixtures of the project tests."""

from __future__ import annotations

from typing import Any

import pytest
from project_support import Flow


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f
