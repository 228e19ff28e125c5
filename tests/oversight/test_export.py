"""`GET /exports/oversight.xlsx`: the oversight view as an Excel workbook, one sheet per panel,
read back with openpyxl and held against the generated counts; every export is audited."""

from __future__ import annotations

import io
from collections import Counter

from openpyxl import load_workbook
from sqlalchemy import func, select

from schema.relay import to_global_id
from server.audit.models import AuditEntry
from server.db.engine import ALL_TENANTS, scope, session_factory
from server.oversight.workbook import CONTENT_TYPE
from server.projects.vocabulary import ProjectState
from server.tenancy.roles import Role

SHEETS = [
    "概况 Summary",
    "项目 Projects",
    "敏感领域 Sensitive fields",
    "风险等级 Levels",
    "风险类别 Categories",
    "热力图 Heatmap",
    "逾期隐患 Overdue hazards",
    "未结事件 Open incidents",
    "趋势 Trends",
    "卡脖子 Chokepoints",
    "年度评估 Ratings",
    "预警信号 Warning signals",
]


async def _exports(academy, tenant_id) -> int:
    async with session_factory(academy.owner)() as session:
        await scope(session, ALL_TENANTS)
        return int(
            await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "oversight.export", AuditEntry.tenant_id == tenant_id)
            )
            or 0
        )


async def _get(academy, username: str, unit_id=None):
    api = await academy.api(username)
    params = {"orgUnitId": to_global_id("OrgUnit", unit_id)} if unit_id else {}
    return await academy.client.get(
        "/exports/oversight.xlsx", params=params, headers={"authorization": f"Bearer {api.token}"}
    )


async def test_ORG_HQ_DUTY_the_workbook_holds_every_panel_and_the_generated_counts(academy):
    hq = await academy.api("hq.safety-committee-office")
    view = (await hq("{ oversight { exportUrl } }"))["oversight"]
    response = await academy.client.get(
        view["exportUrl"], headers={"authorization": f"Bearer {hq.token}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE
    assert "oversight-HQ-" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == SHEETS
    tally = academy.manifest.tally

    summary = {row[0]: row[1] for row in book["概况 Summary"].iter_rows(values_only=True) if row}
    total = sum(tally.projects.values())
    assert summary["项目总数 Projects"] == total
    assert summary["逾期隐患 Overdue hazards"] == sum(tally.overdue.values())
    assert summary["未结事件事故 Open incidents"] == sum(tally.open_incidents.values())
    assert summary["导出人 Exported by"] == "院机关 safety_committee_office"

    projects = list(book["项目 Projects"].iter_rows(values_only=True))
    header, rows, totals = projects[0], projects[1:-1], projects[-1]
    states = list(ProjectState)
    assert len(header) == 2 + len(states) + 2
    for inst in academy.manifest.institutes:
        row = next(r for r in rows if r[0] == inst.code)
        assert list(row[2 : 2 + len(states)]) == [tally.projects[(inst.code, s)] for s in states]
        assert row[-2] == inst.projects
    assert totals[1] == "合计 Total" and totals[-2] == total

    heatmap = list(book["热力图 Heatmap"].iter_rows(values_only=True))[1:]
    shown = Counter(
        {(row[0], impact): n for row in heatmap for impact, n in enumerate(row[1:], 1) if n}
    )
    assert shown == +tally.heatmap

    overdue = list(book["逾期隐患 Overdue hazards"].iter_rows(values_only=True))[1:]
    assert len(overdue) == sum(tally.overdue.values())
    assert [r[7] for r in overdue] == sorted((r[7] for r in overdue), reverse=True)
    incidents = list(book["未结事件 Open incidents"].iter_rows(values_only=True))[1:]
    assert len(incidents) == sum(tally.open_incidents.values())
    trends = list(book["趋势 Trends"].iter_rows(values_only=True))[1:]
    assert len(trends) == 12 and sum(r[1] for r in trends) == sum(tally.new_projects.values())
    chokepoints = list(book["卡脖子 Chokepoints"].iter_rows(values_only=True))[1:]
    assert len(chokepoints) == len(tally.exposure)


async def test_every_export_is_audited_in_the_unit_whose_view_it_is(academy):
    branch_id, branch_code = academy.manifest.branches[0]
    supervisor = academy.manifest.user(branch_code, Role.BRANCH_SUPERVISOR)
    before = await _exports(academy, branch_id)
    response = await _get(academy, supervisor)
    assert response.status_code == 200, response.text
    assert await _exports(academy, branch_id) == before + 1


async def test_ORG_BRANCH_exporting_another_branchs_institute_is_not_found_and_not_audited(
    academy,
):
    (branch_id, branch_code), (other_id, _) = academy.manifest.branches[:2]
    theirs = next(i for i in academy.manifest.institutes if i.branch_id == other_id)
    supervisor = academy.manifest.user(branch_code, Role.BRANCH_SUPERVISOR)
    before = await _exports(academy, theirs.id), await _exports(academy, branch_id)
    response = await _get(academy, supervisor, theirs.id)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert theirs.code not in response.text
    assert (await _exports(academy, theirs.id), await _exports(academy, branch_id)) == before


async def test_exports_need_a_valid_token_and_a_unit_id(academy):
    response = await academy.client.get("/exports/oversight.xlsx")
    assert response.status_code == 401
    response = await academy.client.get(
        "/exports/oversight.xlsx", headers={"authorization": "Bearer forged"}
    )
    assert response.status_code == 401
    hq = await academy.api("hq.safety-committee-office")
    response = await academy.client.get(
        "/exports/oversight.xlsx",
        params={"orgUnitId": "garbage"},
        headers={"authorization": f"Bearer {hq.token}"},
    )
    assert response.status_code == 404
