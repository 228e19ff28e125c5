"""Relay-style global IDs and cursor connections."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from server.errors import NotFound
from server.pagination import Page

N = TypeVar("N")
M = TypeVar("M")


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, *parts: uuid.UUID) -> strawberry.ID:
    raw = ":".join([type_name, *(p.hex for p in parts)])
    return strawberry.ID(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


# How many UUIDs each node type's ID carries: the org unit's own id, or (tenant, row).
ID_PARTS = {
    "OrgUnit": 1,
    "User": 2,
    "Department": 2,
    "ApiToken": 2,
    "AuditEntry": 2,
    "Document": 2,
    "DocumentVersion": 2,
    "DocumentUpload": 2,
    "Project": 2,
    "Assessment": 2,
    "Measure": 2,
    "Filing": 2,
    "Hazard": 2,
    "HandlingRecommendation": 2,
    "Inspection": 2,
    "Incident": 2,
    "OutcomeRelease": 2,
    "Notice": 2,
    "WebhookEndpoint": 2,
    "OutboxEvent": 2,
    "EvaluationRun": 2,
    "UnitRating": 2,
    "WarningListEntry": 2,
    "Reward": 2,
    "WarningSignal": 2,
}


def from_global_id(global_id: str, expected: str | None = None) -> tuple[str, list[uuid.UUID]]:
    """Decode; a malformed ID, or one of another type or shape, is simply not found."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, *parts = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        ids = [uuid.UUID(hex=p) for p in parts]
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise NotFound("No object has this ID.", field="id") from exc
    if expected is not None and type_name != expected:
        raise NotFound(f"No {expected} has this ID.", field="id")
    if len(ids) != ID_PARTS.get(type_name, -1):
        raise NotFound("No object has this ID.", field="id")
    return type_name, ids


def tenant_key(global_id: str, type_name: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(tenant_id, row id) of a tenant row's global ID; not found unless it is a `type_name`."""
    _, (tenant_id, row_id) = from_global_id(global_id, type_name)
    return tenant_id, row_id


def org_unit_id(global_id: str) -> uuid.UUID:
    """The id of an org unit's global ID; not found unless it is an `OrgUnit`."""
    _, (unit_id,) = from_global_id(global_id, "OrgUnit")
    return unit_id


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    nodes: list[N]
    page_info: PageInfo


def connection(page: Page[M], convert: Callable[[M], N]) -> Connection[N]:
    nodes: Sequence[N] = [convert(item) for item in page.items]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=list(nodes),
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )
