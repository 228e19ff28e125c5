"""The exported SDL; `schema/schema.graphql` must equal `sdl()` (a test checks it)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from schema import build_schema
from server.config import Settings


def sdl() -> str:
    """The development schema (production only removes introspection, not types)."""
    settings = replace(Settings.from_env(), production=False)
    return build_schema(settings).as_str() + "\n"


SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"
