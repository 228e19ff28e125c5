"""The GraphQL schema is the contract: the committed SDL must match the code."""

from __future__ import annotations

from schema.sdl import SDL_PATH, sdl


def test_committed_schema_matches_code():
    assert SDL_PATH.read_text() == sdl(), (
        "schema/schema.graphql is stale: run `make schema` (python -m server.cli export-schema)"
    )
