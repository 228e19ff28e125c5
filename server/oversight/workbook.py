"""The oversight view as an Excel workbook: one sheet per panel, headers in Chinese and English."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from server import clock
from server.incidents.models import IncidentSeverity, IncidentState
from server.inspections.models import HazardSeverity, HazardState
from server.oversight.service import Overview
from server.projects.form import (
    ITEM_KIND_ZH,
    LEVEL_ZH,
    PROJECT_STATE_ZH,
    SENSITIVE_FIELD_ZH,
)
from server.projects.vocabulary import CATEGORY_TITLES_ZH, ProjectState, RiskLevel
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_KIND_ZH = {UnitKind.HQ: "院机关", UnitKind.BRANCH: "分院", UnitKind.INSTITUTE: "研究所"}
HAZARD_SEVERITY_ZH = {HazardSeverity.GENERAL: "一般隐患", HazardSeverity.MAJOR: "重大隐患"}
HAZARD_STATE_ZH = {
    HazardState.OPEN: "待整改",
    HazardState.RECTIFYING: "整改中",
    HazardState.AWAITING_VERIFICATION: "待验证",
    HazardState.CLOSED: "已销号",
}
INCIDENT_SEVERITY_ZH = {
    IncidentSeverity.GENERAL: "一般",
    IncidentSeverity.MAJOR: "重大",
    IncidentSeverity.ESPECIALLY_MAJOR: "特别重大",
}
INCIDENT_STATE_ZH = {
    IncidentState.REPORTED: "已报告",
    IncidentState.INVESTIGATING: "调查处理中",
    IncidentState.CLOSED: "已结案",
}
NOT_RATED = "未评定"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def _local(at: datetime) -> datetime:
    """Excel has no time zones: write the academy's wall-clock time."""
    return at.astimezone(clock.zone()).replace(tzinfo=None)


def _unit(u: OrgUnit) -> list[Any]:
    return [u.code, u.name]


def _table(ws: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """On a new sheet: a header row (bold, frozen, filtered), then `rows`."""
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = ws.cell(2, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(ws.max_row, 2)}"
    for i, title in enumerate(header, start=1):
        width = max(10, min(48, len(title) + 4))
        ws.column_dimensions[get_column_letter(i)].width = width


def _summary(ws: Worksheet, o: Overview, *, exported_by: str, exported_at: datetime) -> None:
    s = o.scope
    ws.append(["科技安全风险监管概况 S&T security oversight"])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    rows: list[list[Any]] = [
        ["单位 Unit", s.unit.name, s.unit.code],
        ["范围 Scope", UNIT_KIND_ZH[s.kind], s.kind.value],
        ["研究所数 Institutes", len(s.institutes)],
        ["统计日 As of", s.today],
        ["导出时间 Exported at", _local(exported_at)],
        ["导出人 Exported by", exported_by],
        [],
        ["项目总数 Projects", o.projects.all.total],
        ["在研项目 Live projects", o.projects.all.live],
        ["敏感领域项目 Projects in sensitive fields", o.sensitive_fields.projects],
        ["逾期隐患 Overdue hazards", o.overdue_hazards.count],
        ["未结事件事故 Open incidents", o.open_incidents.count],
        ["卡脖子依赖项 Key foreign dependencies", o.chokepoints.dependencies],
    ]
    for row in rows:
        ws.append(row)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 28
    ws.cell(5, 2).number_format = "yyyy-mm-dd"
    ws.cell(6, 2).number_format = "yyyy-mm-dd hh:mm"


def _projects(ws: Worksheet, o: Overview) -> None:
    states = list(ProjectState)
    header = [
        "代码 Code",
        "研究所 Institute",
        *(f"{PROJECT_STATE_ZH[st]} {st.value}" for st in states),
        "合计 Total",
        "在研 Live",
    ]
    rows = [
        [*_unit(u), *(c.by_state[st] for st in states), c.total, c.live]
        for u, c in o.projects.institutes
    ]
    a = o.projects.all
    rows.append(["", "合计 Total", *(a.by_state[st] for st in states), a.total, a.live])
    _table(ws, header, rows)


def _sensitive(ws: Worksheet, o: Overview) -> None:
    f = o.sensitive_fields
    rows: list[list[Any]] = [
        [f"{SENSITIVE_FIELD_ZH[c.field]} {c.field.value}", c.projects, c.live] for c in f.fields
    ]
    rows.append(["任一敏感领域 Any sensitive field", f.projects, f.live])
    _table(ws, ["敏感领域 Sensitive field", "项目 Projects", "在研 Live"], rows)


def _levels(ws: Worksheet, o: Overview) -> None:
    rows = [
        [
            f"{LEVEL_ZH[c.level]} {c.level.value}" if c.level else f"{NOT_RATED} none",
            c.projects,
            c.live,
        ]
        for c in o.levels
    ]
    _table(ws, ["总体风险等级 Overall level", "项目 Projects", "在研 Live"], rows)


def _categories(ws: Worksheet, o: Overview) -> None:
    levels = list(RiskLevel)
    header = [
        "风险类别 Category",
        *(f"{LEVEL_ZH[lv]} {lv.value}" for lv in levels),
        "风险点 Points",
    ]
    rows = [
        [
            f"{CATEGORY_TITLES_ZH[c.category]} ({c.category.value})",
            *(c.by_level[lv] for lv in levels),
            c.points,
        ]
        for c in o.risk_points.by_category
    ]
    _table(ws, header, rows)
    ws.column_dimensions["A"].width = 60


def _heatmap(ws: Worksheet, o: Overview) -> None:
    h = o.risk_points.heatmap
    counts = {(c.likelihood, c.impact): c.points for c in h.cells}
    header = ["可能性＼影响 Likelihood＼Impact", *(str(i) for i in range(1, h.size + 1))]
    rows = [
        [lk, *(counts.get((lk, im), 0) for im in range(1, h.size + 1))]
        for lk in range(h.size, 0, -1)
    ]
    _table(ws, header, rows)
    ws.column_dimensions["A"].width = 30


def _overdue(ws: Worksheet, o: Overview) -> None:
    header = [
        "代码 Code",
        "研究所 Institute",
        "项目 Project",
        "隐患 Hazard",
        "等级 Severity",
        "状态 State",
        "整改期限 Deadline",
        "逾期天数 Days overdue",
    ]
    rows = [
        [
            *_unit(r.institute),
            r.project_title,
            r.hazard.title,
            HAZARD_SEVERITY_ZH[HazardSeverity(r.hazard.severity)],
            HAZARD_STATE_ZH[HazardState(r.hazard.state)],
            r.hazard.deadline,
            r.days_overdue,
        ]
        for r in o.overdue_hazards.oldest
    ]
    _table(ws, header, rows)
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        row[0].number_format = "yyyy-mm-dd"


def _incidents(ws: Worksheet, o: Overview) -> None:
    header = [
        "代码 Code",
        "研究所 Institute",
        "事件事故 Incident",
        "等级 Severity",
        "状态 State",
        "发生时间 Occurred at",
        "项目 Project",
        "迟报 Reported late",
    ]
    rows = [
        [
            *_unit(r.institute),
            r.incident.title,
            INCIDENT_SEVERITY_ZH[IncidentSeverity(r.incident.severity)],
            INCIDENT_STATE_ZH[IncidentState(r.incident.state)],
            _local(r.incident.occurred_at),
            r.project_title or "",
            "是" if r.incident.reported_late else "否",
        ]
        for r in o.open_incidents.latest
    ]
    _table(ws, header, rows)
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].number_format = "yyyy-mm-dd hh:mm"


def _trends(ws: Worksheet, o: Overview) -> None:
    t = o.trends
    rows = [
        [p.month.strftime("%Y-%m"), p.count, h.count, i.count]
        for p, h, i in zip(t.new_projects, t.hazards_found, t.incidents_reported, strict=True)
    ]
    _table(
        ws,
        ["月份 Month", "新增项目 New projects", "发现隐患 Hazards found", "报告事件 Incidents"],
        rows,
    )


def _chokepoints(ws: Worksheet, o: Overview) -> None:
    header = [
        "关键技术/材料/设备 Item",
        "类型 Kind",
        "来源国家 Source country",
        "依赖项目 Projects",
        "涉及研究所 Institutes",
        "无国产替代 Without domestic substitute",
    ]
    rows = [
        [
            d.item,
            ITEM_KIND_ZH.get(d.item_kind, d.item_kind),
            d.source_country,
            d.projects,
            d.institutes,
            d.without_substitute,
        ]
        for d in o.chokepoints.top
    ]
    _table(ws, header, rows)
    ws.column_dimensions["A"].width = 36


RATING_ZH = {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}


def _ratings(ws: Worksheet, o: Overview) -> None:
    header = [
        "年度 Year",
        "研究所 Institute",
        "得分 Score",
        "计算等级 Computed",
        "评定等级 Level",
        "调整理由 Adjustment reason",
        "已发布 Published",
    ]
    units = {u.id: u for u in o.scope.institutes}
    rows = [
        [
            r.year,
            units[r.tenant_id].name if r.tenant_id in units else str(r.tenant_id),
            float(r.score),
            f"{RATING_ZH[r.computed_level]} {r.computed_level}",
            f"{RATING_ZH[r.level]} {r.level}",
            r.adjusted_reason or "",
            "是 yes" if r.published_at else "否 no (draft)",
        ]
        for r in o.ratings
    ]
    _table(ws, header, rows)


def _signals(ws: Worksheet, o: Overview) -> None:
    header = [
        "研究所 Institute",
        "项目 Project",
        "指标 Indicator",
        "等级 Level",
        "值 Value",
        "发出 Opened",
    ]
    found = o.signals.signals if o.signals is not None else []
    rows = [
        [
            s.unit_name,
            s.project_title or "",
            s.signal.indicator,
            f"{RATING_ZH[s.signal.level]} {s.signal.level}",
            s.signal.value,
            _local(s.signal.opened_at),
        ]
        for s in found
    ]
    _table(ws, header, rows)


# Sheet title → how it is filled, in the workbook's order (titles ≤ 31 characters).
SHEETS = [
    ("项目 Projects", _projects),
    ("敏感领域 Sensitive fields", _sensitive),
    ("风险等级 Levels", _levels),
    ("风险类别 Categories", _categories),
    ("热力图 Heatmap", _heatmap),
    ("逾期隐患 Overdue hazards", _overdue),
    ("未结事件 Open incidents", _incidents),
    ("趋势 Trends", _trends),
    ("卡脖子 Chokepoints", _chokepoints),
    ("年度评估 Ratings", _ratings),
    ("预警信号 Warning signals", _signals),
]


def render(overview: Overview, *, exported_by: str, exported_at: datetime) -> bytes:
    """The workbook's bytes: a summary sheet, then one sheet per panel."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概况 Summary"
    _summary(summary, overview, exported_by=exported_by, exported_at=exported_at)
    for title, fill in SHEETS:
        fill(book.create_sheet(title), overview)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
