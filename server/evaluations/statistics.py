"""A year's statistics of every institute, computed in SQL (one statement per source table,
grouped by unit) — the inputs the rubric rates (R-EVAL)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.evaluations.rubric import STATISTICS

HAZARDS = text(
    """
    SELECT tenant_id,
      count(*) FILTER (WHERE severity = 'general' AND created_at >= :s AND created_at < :e),
      count(*) FILTER (WHERE severity = 'major' AND created_at >= :s AND created_at < :e),
      count(*) FILTER (WHERE deadline >= :sd AND deadline < :late_before
                       AND handed_over_at IS NULL
                       AND (verified_at IS NULL
                            OR (verified_at AT TIME ZONE :tz)::date > deadline)),
      count(*) FILTER (WHERE created_at < :e AND handed_over_at IS NULL
                       AND (verified_at IS NULL OR verified_at >= :e))
    FROM hazards GROUP BY tenant_id
    """
)
INCIDENTS = text(
    """
    SELECT tenant_id,
      count(*) FILTER (WHERE severity = 'general'),
      count(*) FILTER (WHERE severity IN ('major', 'especially_major'))
    FROM incidents WHERE occurred_at >= :s AND occurred_at < :e GROUP BY tenant_id
    """
)
PROJECTS = text(
    """
    SELECT p.tenant_id,
      count(*) FILTER (WHERE p.national_approval_required AND p.state = ANY(:under_way)
        AND NOT EXISTS (SELECT 1 FROM permits m WHERE m.tenant_id = p.tenant_id
                        AND m.project_id = p.id AND m.valid_from < :ed
                        AND m.valid_until >= :sd)),
      count(*) FILTER (WHERE (p.national_filing_required OR p.international_cooperation
                              OR p.major_impact) AND p.state = ANY(:under_way)
        AND NOT EXISTS (SELECT 1 FROM filings f WHERE f.tenant_id = p.tenant_id
                        AND f.project_id = p.id AND f.state = 'recorded')),
      count(*) FILTER (WHERE p.state = ANY(:approved_on)
        AND NOT EXISTS (SELECT 1 FROM risk_assessments a WHERE a.tenant_id = p.tenant_id
                        AND a.project_id = p.id AND a.state = 'passed')),
      count(*) FILTER (WHERE p.state = ANY(:under_way)),
      count(*) FILTER (WHERE p.state = ANY(:under_way)
        AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.tenant_id = p.tenant_id
                        AND i.project_id = p.id AND i.inspected_on >= :sd
                        AND i.inspected_on < :ed))
    FROM projects p WHERE p.created_at < :e GROUP BY p.tenant_id
    """
)


def _bounds(year: int) -> dict[str, object]:
    zone = clock.zone()
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    today = clock.today()
    return {
        "s": datetime(year, 1, 1, tzinfo=zone),
        "e": datetime(year + 1, 1, 1, tzinfo=zone),
        "sd": start,
        "ed": end,
        # A deadline counts as missed once it has passed, and at the latest at year end.
        "late_before": min(end, today),
        "tz": zone.key,
        "under_way": ["implementing", "suspended", "outcome", "closing"],
        "approved_on": [
            "approved", "filing", "implementing", "suspended", "outcome", "closing", "closed"
        ],
    }  # fmt: skip


async def year_statistics(
    session: AsyncSession, year: int, units: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, float]]:
    """Every statistic of STATISTICS for each unit (zero where nothing happened)."""
    stats = {u: dict.fromkeys(STATISTICS, 0.0) for u in units}
    params = _bounds(year)
    for row in await session.execute(HAZARDS, params):
        if row[0] in stats:
            stats[row[0]].update(
                hazards_general=row[1],
                hazards_major=row[2],
                hazards_overdue=row[3],
                hazards_unrectified=row[4],
            )
    for row in await session.execute(INCIDENTS, params):
        if row[0] in stats:
            stats[row[0]].update(incidents_general=row[1], incidents_major=row[2])
    for row in await session.execute(PROJECTS, params):
        if row[0] in stats:
            under_way, uninspected = row[4], row[5]
            stats[row[0]].update(
                permit_violations=row[1],
                filing_violations=row[2],
                assessment_gaps=row[3],
                inspection_gap=round(uninspected / under_way, 4) if under_way else 0.0,
            )
    return {u: {k: float(v) for k, v in s.items()} for u, s in stats.items()}
