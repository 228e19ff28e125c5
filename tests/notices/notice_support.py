"""Helpers of the notice tests: report an incident through the API, read notices from the
database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.relay import from_global_id
from server.db.engine import ALL_TENANTS, scope
from server.notices.models import Notice, NoticeDelivery
from server.tenancy.models import User

REPORT = """mutation($u: ID!, $i: IncidentInput!) { reportIncident(orgUnitId: $u, input: $i) {
  __typename ... on IncidentSaved { incident { id } } ... on UserError { code message } } }"""


def incident_input(severity: str = "GENERAL", title: str = "实验室起火") -> dict[str, Any]:
    return {
        "title": title,
        "occurredAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "place": "3号楼201",
        "category": "SAFETY",
        "severity": severity,
        "immediateMeasures": "疏散人员，切断电源",
        "injuries": 0,
        "losses": "",
        "publicOpinion": "",
    }


async def report_incident(flow: Any, severity: str = "GENERAL", title: str = "实验室起火") -> str:
    """Report an incident of IPH as its researcher; returns the incident's uuid."""
    data = await flow.gql(
        "iph.researcher",
        REPORT,
        {"u": flow.ids["IPH"], "i": incident_input(severity, title)},
    )
    return str(from_global_id(data["reportIncident"]["incident"]["id"])[1][1])


async def notices_about(
    sessions: async_sessionmaker[AsyncSession], subject_id: str, topic: str | None = None
) -> list[tuple[str, str]]:
    """(username, topic) of every notice about the object, sorted."""
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        stmt = (
            select(User.username, Notice.topic)
            .join(User, (User.tenant_id == Notice.tenant_id) & (User.id == Notice.user_id))
            .where(Notice.subject_id == uuid.UUID(subject_id))
        )
        if topic is not None:
            stmt = stmt.where(Notice.topic == topic)
        return sorted((u, t) for u, t in await session.execute(stmt))


async def deliveries_about(
    sessions: async_sessionmaker[AsyncSession], subject_id: str, channel: str
) -> list[NoticeDelivery]:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        rows = await session.execute(
            select(NoticeDelivery)
            .join(
                Notice,
                (Notice.tenant_id == NoticeDelivery.tenant_id)
                & (Notice.id == NoticeDelivery.notice_id),
            )
            .where(Notice.subject_id == uuid.UUID(subject_id), NoticeDelivery.channel == channel)
        )
        return list(rows.scalars())
