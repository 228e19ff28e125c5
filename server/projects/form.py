"""The Research Project Security Risk Assessment Form (《科研项目安全风险评估表》, R-ASSESS).

`form_data` gathers one assessment version into a plain `FormData`, in Chinese, after the gate
allowed the principal to read the project. `render_docx` and `render_pdf` are pure functions of
that data: the same form as a Word document (python-docx) and as a PDF (reportlab), the PDF in
the built-in CID font STSong-Light so Chinese renders without shipping a font file.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.auth.principal import Principal
from server.projects.assessments import load_assessment
from server.projects.matrix import Matrix
from server.projects.models import (
    ChokepointDependency,
    MitigationMeasure,
    Review,
    RiskPoint,
)
from server.projects.vocabulary import (
    CATEGORY_TITLES_ZH,
    AssessmentState,
    MeasureStatus,
    ProjectState,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)
from server.tenancy.models import Department, OrgUnit, User

FORM_TITLE = "科研项目安全风险评估表"

LEVEL_ZH = {
    RiskLevel.LOW: "低",
    RiskLevel.MEDIUM: "中",
    RiskLevel.HIGH: "高",
    RiskLevel.CRITICAL: "极高",
}
SENSITIVE_FIELD_ZH: dict[str, str] = {
    SensitiveField.ARTIFICIAL_INTELLIGENCE: "人工智能",
    SensitiveField.GENE_EDITING: "基因编辑",
    SensitiveField.MEDICAL_DIAGNOSIS: "医疗诊断",
    SensitiveField.AUTONOMOUS_DRIVING: "自动驾驶",
    SensitiveField.DRONES: "无人机",
    SensitiveField.SERVICE_ROBOTS: "服务机器人",
}
PROJECT_STATE_ZH = {
    ProjectState.DRAFT: "草稿",
    ProjectState.SUBMITTED: "已提交评审",
    ProjectState.RETURNED: "退回修改",
    ProjectState.REJECTED: "未通过",
    ProjectState.APPROVED: "已立项",
    ProjectState.FILING: "备案中",
    ProjectState.IMPLEMENTING: "实施中",
    ProjectState.SUSPENDED: "已暂停",
    ProjectState.OUTCOME: "成果阶段",
    ProjectState.CLOSING: "结题中",
    ProjectState.CLOSED: "已结题",
    ProjectState.TERMINATED: "已终止",
}
ASSESSMENT_STATE_ZH = {
    AssessmentState.DRAFT: "草稿",
    AssessmentState.SUBMITTED: "已提交评审",
    AssessmentState.PASSED: "评审通过",
    AssessmentState.RETURNED: "退回修改",
    AssessmentState.FAILED: "评审未通过",
}
MEASURE_STATUS_ZH = {
    MeasureStatus.PLANNED: "计划中",
    MeasureStatus.IN_PROGRESS: "落实中",
    MeasureStatus.DONE: "已落实",
}
REVIEW_STAGE_ZH = {
    ReviewStage.INSTITUTE: "科研管理部门评审",
    ReviewStage.COORDINATION: "协调小组组长审签",
    ReviewStage.HQ: "院机关业务部门复审",
}
REVIEW_METHOD_ZH = {
    ReviewMethod.ADMINISTRATIVE: "行政审批",
    ReviewMethod.MEETING: "会议评审",
}
REVIEW_DECISION_ZH = {
    ReviewDecision.PASS: "通过",
    ReviewDecision.RETURN: "退回修改",
    ReviewDecision.FAIL: "不通过",
}
ITEM_KIND_ZH = {"technology": "技术", "material": "材料", "equipment": "设备"}
NUMERALS_ZH = "一二三四五六七八九十"
SIGNATORIES = ("项目负责人（签字）", "科研管理部门（盖章）", "单位负责人（签字）")
NOT_RATED = "未评定"
LEVEL_COLOURS = {"低": "#d9f2d9", "中": "#fff2b3", "高": "#ffd1a3", "极高": "#f5b3b3"}


@dataclass(frozen=True)
class MeasureRow:
    description: str
    owner: str  # the owner's name, or "" when none was named
    due_date: date | None
    status: str  # Chinese


@dataclass(frozen=True)
class RiskPointRow:
    description: str
    likelihood: int
    impact: int
    level: str  # Chinese: 低/中/高/极高
    consequences: str
    measures: tuple[MeasureRow, ...]


@dataclass(frozen=True)
class CategorySection:
    category: str  # RiskCategory value
    title: str  # Chinese, as the guidance names it
    risk_points: tuple[RiskPointRow, ...]
    not_applicable_reason: str | None


@dataclass(frozen=True)
class DependencyRow:
    item: str
    kind: str  # Chinese: 技术/材料/设备
    source_country: str
    supplier: str
    domestic_substitute: bool
    stock_or_lead_time: str


@dataclass(frozen=True)
class ReviewRow:
    stage: str  # Chinese
    method: str  # Chinese
    decision: str  # Chinese
    opinion_accuracy: str
    opinion_measures: str
    reviewer: str
    reviewed_on: date


@dataclass(frozen=True)
class MatrixInfo:
    size: int
    medium_from: int
    high_from: int
    critical_from: int
    plan_required_from: str  # Chinese level
    letter_required_from: str  # Chinese level
    # grid[i][j]: the level (Chinese) of likelihood size - i and impact j + 1.
    grid: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FormData:
    tenant_id: uuid.UUID
    project_id: uuid.UUID
    assessment_id: uuid.UUID
    project_title: str
    institute: str
    department: str
    principal_investigator: str
    start_date: date
    end_date: date
    funding_source: str
    research_fields: tuple[str, ...]
    sensitive_fields: tuple[str, ...]  # Chinese
    project_state: str  # Chinese
    deployed_by_hq: bool
    hq_department: str | None
    international_cooperation: bool
    national_filing_required: bool
    national_approval_required: bool
    major_impact: bool
    filing_required: bool
    assessment_number: int
    assessment_state: str  # Chinese
    overall_level: str  # Chinese, or 未评定
    reason_for_version: str | None
    submitted_on: date | None
    decided_on: date | None
    plan_required: bool
    letter_required: bool
    matrix: MatrixInfo
    categories: tuple[CategorySection, ...]
    dependencies: tuple[DependencyRow, ...]
    reviews: tuple[ReviewRow, ...]
    generated_on: date

    def file_name(self, extension: str) -> str:
        title = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in self.project_title)
        return f"{FORM_TITLE}-{title.strip() or '项目'}-第{self.assessment_number}版.{extension}"


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(clock.zone()).date() if moment else None


async def form_data(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    assessment_id: uuid.UUID,
) -> FormData:
    """One assessment version as its form; not found for whoever may not read the project."""
    access, assessment = await load_assessment(session, principal, tenant_id, assessment_id)
    project = access.project
    institute = await session.get(OrgUnit, project.tenant_id)
    department = await session.get(Department, (project.tenant_id, project.department_id))

    points = (
        await session.scalars(
            select(RiskPoint)
            .where(RiskPoint.tenant_id == tenant_id, RiskPoint.assessment_id == assessment.id)
            .order_by(RiskPoint.position)
        )
    ).all()
    measures = (
        await session.scalars(
            select(MitigationMeasure)
            .where(
                MitigationMeasure.tenant_id == tenant_id,
                MitigationMeasure.assessment_id == assessment.id,
            )
            .order_by(MitigationMeasure.position)
        )
    ).all()
    dependencies = (
        await session.scalars(
            select(ChokepointDependency)
            .where(
                ChokepointDependency.tenant_id == tenant_id,
                ChokepointDependency.assessment_id == assessment.id,
            )
            .order_by(ChokepointDependency.position)
        )
    ).all()
    reviews = (
        await session.scalars(
            select(Review)
            .where(Review.tenant_id == tenant_id, Review.assessment_id == assessment.id)
            .order_by(Review.created_at, Review.id)
        )
    ).all()
    wanted = {project.pi_user_id} | {m.owner_user_id for m in measures if m.owner_user_id}
    names = {
        u.id: u.display_name
        for u in (
            await session.scalars(
                select(User).where(User.tenant_id == project.tenant_id, User.id.in_(wanted))
            )
        )
    }

    by_point: dict[uuid.UUID, list[MeasureRow]] = {}
    for m in measures:
        by_point.setdefault(m.risk_point_id, []).append(
            MeasureRow(
                description=m.description,
                owner=names.get(m.owner_user_id, "") if m.owner_user_id else "",
                due_date=m.due_date,
                status=MEASURE_STATUS_ZH[MeasureStatus(m.status)],
            )
        )
    sections = tuple(
        CategorySection(
            category=category.value,
            title=CATEGORY_TITLES_ZH[category],
            risk_points=tuple(
                RiskPointRow(
                    description=p.description,
                    likelihood=p.likelihood,
                    impact=p.impact,
                    level=LEVEL_ZH[RiskLevel(p.level)],
                    consequences=p.consequences,
                    measures=tuple(by_point.get(p.id, ())),
                )
                for p in points
                if p.category == category.value
            ),
            not_applicable_reason=assessment.not_applicable.get(category.value),
        )
        for category in RiskCategory
    )
    matrix = Matrix.from_json(assessment.matrix)
    overall = RiskLevel(assessment.overall_level) if assessment.overall_level else None
    return FormData(
        tenant_id=project.tenant_id,
        project_id=project.id,
        assessment_id=assessment.id,
        project_title=project.title,
        institute=institute.name if institute else "",
        department=department.name if department else "",
        principal_investigator=names.get(project.pi_user_id, ""),
        start_date=project.start_date,
        end_date=project.end_date,
        funding_source=project.funding_source,
        research_fields=tuple(project.research_fields),
        sensitive_fields=tuple(SENSITIVE_FIELD_ZH.get(f, f) for f in project.sensitive_fields),
        project_state=PROJECT_STATE_ZH[ProjectState(project.state)],
        deployed_by_hq=project.deployed_by_hq,
        hq_department=project.hq_department,
        international_cooperation=project.international_cooperation,
        national_filing_required=project.national_filing_required,
        national_approval_required=project.national_approval_required,
        major_impact=project.major_impact,
        filing_required=project.filing_required,
        assessment_number=assessment.number,
        assessment_state=ASSESSMENT_STATE_ZH[AssessmentState(assessment.state)],
        overall_level=LEVEL_ZH[overall] if overall else NOT_RATED,
        reason_for_version=assessment.reason_for_version,
        submitted_on=_day(assessment.submitted_at),
        decided_on=_day(assessment.decided_at),
        plan_required=bool(overall and matrix.plan_required(overall)),
        letter_required=bool(overall and matrix.letter_required(overall)),
        matrix=MatrixInfo(
            size=matrix.size,
            medium_from=matrix.thresholds["medium"],
            high_from=matrix.thresholds["high"],
            critical_from=matrix.thresholds["critical"],
            plan_required_from=LEVEL_ZH[RiskLevel(matrix.plan_required_from)],
            letter_required_from=LEVEL_ZH[RiskLevel(matrix.letter_required_from)],
            grid=tuple(
                tuple(
                    LEVEL_ZH[matrix.level(likelihood, impact)]
                    for impact in range(1, matrix.size + 1)
                )
                for likelihood in range(matrix.size, 0, -1)
            ),
        ),
        categories=sections,
        dependencies=tuple(
            DependencyRow(
                item=d.item,
                kind=ITEM_KIND_ZH.get(d.item_kind, d.item_kind),
                source_country=d.source_country,
                supplier=d.supplier,
                domestic_substitute=d.domestic_substitute,
                stock_or_lead_time=d.stock_or_lead_time,
            )
            for d in dependencies
        ),
        reviews=tuple(
            ReviewRow(
                stage=REVIEW_STAGE_ZH[ReviewStage(r.stage)],
                method=REVIEW_METHOD_ZH[ReviewMethod(r.method)],
                decision=REVIEW_DECISION_ZH[ReviewDecision(r.decision)],
                opinion_accuracy=r.opinion_accuracy,
                opinion_measures=r.opinion_measures,
                reviewer=r.reviewer_label,
                reviewed_on=r.created_at.astimezone(clock.zone()).date(),
            )
            for r in reviews
        ),
        generated_on=clock.today(),
    )


# --- the form's content, shared by both renderers -------------------------------------------


def _date_zh(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _header_rows(data: FormData) -> list[tuple[str, str, str, str]]:
    """The header table: four columns, label / value / label / value."""
    rows = [
        ("项目名称", data.project_title, "项目状态", data.project_state),
        ("承担单位", data.institute, "承担部门", data.department),
        (
            "项目负责人",
            data.principal_investigator,
            "起止日期",
            f"{_date_zh(data.start_date)}至{_date_zh(data.end_date)}",
        ),
        ("经费来源", data.funding_source, "研究领域", "、".join(data.research_fields)),
        (
            "敏感领域",
            "、".join(data.sensitive_fields) or "无",
            "院机关部署",
            _yes_no(data.deployed_by_hq)
            + (f"（{data.hq_department}）" if data.deployed_by_hq and data.hq_department else ""),
        ),
        (
            "国际合作",
            _yes_no(data.international_cooperation),
            "重大影响",
            _yes_no(data.major_impact),
        ),
        (
            "需向国家备案",
            _yes_no(data.national_filing_required),
            "需国家行政审批",
            _yes_no(data.national_approval_required),
        ),
        (
            "评估版本",
            f"第{data.assessment_number}版",
            "评估状态",
            data.assessment_state,
        ),
        (
            "综合风险等级",
            data.overall_level,
            "需向院机关备案",
            _yes_no(data.filing_required),
        ),
        (
            "需附应急处置预案",
            _yes_no(data.plan_required),
            "需签订责任书或承诺书",
            _yes_no(data.letter_required),
        ),
        ("提交日期", _date_zh(data.submitted_on), "评审决定日期", _date_zh(data.decided_on)),
    ]
    if data.reason_for_version:
        rows.append(("修订原因", data.reason_for_version, "", ""))
    return rows


def _matrix_note(m: MatrixInfo) -> str:
    return (
        f"风险矩阵：{m.size}×{m.size}，风险值＝可能性×影响程度（各为1至{m.size}）；"
        f"风险值{m.medium_from}及以上为中，{m.high_from}及以上为高，"
        f"{m.critical_from}及以上为极高，其余为低。"
        f"综合风险等级为{m.plan_required_from}及以上的，须制定应急处置预案；"
        f"为{m.letter_required_from}及以上的，须签订责任书或承诺书。"
    )


def _measure_text(index: int, m: MeasureRow) -> str:
    details = [f"责任人：{m.owner or '未指定'}"]
    details.append(f"完成时限：{_date_zh(m.due_date) or '未定'}")
    details.append(f"状态：{m.status}")
    return f"{index}. {m.description}（{'；'.join(details)}）"


POINT_HEADER = (
    "序号",
    "风险点",
    "可能性",
    "影响\n程度",
    "风险\n等级",
    "可能产生的后果和影响",
    "防范措施",
)
DEPENDENCY_HEADER = (
    "序号",
    "关键技术/材料/设备",
    "类别",
    "来源国家或地区",
    "供应商",
    "国内替代",
    "库存或供货周期",
)
REVIEW_HEADER = ("评审环节", "方式", "结论", "风险分析准确性意见", "防范措施意见", "评审人", "日期")

# Column widths in centimetres of a 17 cm wide text area (the PDF scales them to its frame).
HEADER_WIDTHS = (3, 5.5, 3, 5.5)
POINT_WIDTHS = (1.2, 3.2, 1.4, 1.4, 1.4, 3.0, 5.4)
DEPENDENCY_WIDTHS = (1.2, 3.4, 1.3, 2.5, 3.2, 1.5, 3.9)
REVIEW_WIDTHS = (2.6, 1.6, 1.4, 3.4, 3.4, 2.2, 2.4)


def _point_rows(section: CategorySection) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            p.description,
            str(p.likelihood),
            str(p.impact),
            p.level,
            p.consequences,
            "\n".join(_measure_text(j, m) for j, m in enumerate(p.measures, 1)) or "无",
        )
        for i, p in enumerate(section.risk_points, 1)
    ]


def _dependency_rows(data: FormData) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            d.item,
            d.kind,
            d.source_country,
            d.supplier,
            "有" if d.domestic_substitute else "无",
            d.stock_or_lead_time,
        )
        for i, d in enumerate(data.dependencies, 1)
    ]


def _review_rows(data: FormData) -> list[tuple[str, ...]]:
    return [
        (
            r.stage,
            r.method,
            r.decision,
            r.opinion_accuracy,
            r.opinion_measures,
            r.reviewer,
            _date_zh(r.reviewed_on),
        )
        for r in data.reviews
    ]


def _section_heading(index: int, section: CategorySection) -> str:
    return f"{NUMERALS_ZH[index]}、{section.title}"


def _section_note(section: CategorySection) -> str | None:
    if section.not_applicable_reason is not None:
        return f"不适用。理由：{section.not_applicable_reason}"
    if not section.risk_points:
        return "（未填写）"
    return None


FOOTER = "本表由科技安全风险评估平台生成"


def _signature_line(who: str) -> str:
    return f"{who}：____________________　　日期：____年____月____日"


# --- DOCX ------------------------------------------------------------------------------------


def _on(tag: str) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def render_docx(data: FormData) -> bytes:
    """The form as a Word document (python-docx)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    normal: Any = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    # Word picks the East Asian font from its own attribute; without it Chinese falls back.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    core = doc.core_properties
    core.title = f"{FORM_TITLE} - {data.project_title}"
    core.author = data.institute
    moment = datetime(data.generated_on.year, data.generated_on.month, data.generated_on.day)
    core.created = core.modified = moment
    core.last_modified_by = data.institute
    core.revision = 1

    def heading(text: str, *, size: float, center: bool = False) -> None:
        paragraph = doc.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run(text)
        run.bold = True
        run.font.size = Pt(size)

    def table(
        header: Sequence[str] | None,
        rows: Iterable[Sequence[str]],
        widths: Sequence[float],
        *,
        shade_levels: bool = False,
    ) -> None:
        body = [list(r) for r in rows]
        all_rows = ([list(header)] if header else []) + body
        t = doc.add_table(rows=len(all_rows), cols=len(widths))
        t.style = doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        if header:
            # The header row repeats on every page the table runs onto.
            t.rows[0]._tr.get_or_add_trPr().append(_on("w:tblHeader"))
        for r, values in enumerate(all_rows):
            for c, value in enumerate(values):
                cell = t.cell(r, c)
                cell.width = Cm(widths[c])
                cell.text = value
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
                        if header and r == 0:
                            run.bold = True
                fill = LEVEL_COLOURS.get(value) if shade_levels and r and c else None
                if fill:
                    shd = OxmlElement("w:shd")
                    shd.set(qn("w:val"), "clear")
                    shd.set(qn("w:fill"), fill.lstrip("#"))
                    cell._tc.get_or_add_tcPr().append(shd)
        doc.add_paragraph()

    heading(FORM_TITLE, size=18, center=True)
    dated = doc.add_paragraph(f"导出日期：{_date_zh(data.generated_on)}")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table(None, _header_rows(data), HEADER_WIDTHS)

    heading("风险矩阵", size=12)
    doc.add_paragraph(_matrix_note(data.matrix))
    size = data.matrix.size
    grid_rows = [(str(size - i), *levels) for i, levels in enumerate(data.matrix.grid)]
    table(
        ("可能性＼影响程度", *(str(j) for j in range(1, size + 1))),
        grid_rows,
        (3.2, *([13.8 / size] * size)),
        shade_levels=True,
    )

    for index, cat in enumerate(data.categories):
        heading(_section_heading(index, cat), size=12)
        note = _section_note(cat)
        if note:
            doc.add_paragraph(note)
        else:
            table(POINT_HEADER, _point_rows(cat), POINT_WIDTHS)
        if cat.category == RiskCategory.CHOKEPOINT.value and cat.not_applicable_reason is None:
            doc.add_paragraph("关键技术、材料、设备依赖情况：")
            if data.dependencies:
                table(DEPENDENCY_HEADER, _dependency_rows(data), DEPENDENCY_WIDTHS)
            else:
                doc.add_paragraph("无")

    heading(f"{NUMERALS_ZH[len(data.categories)]}、评审意见", size=12)
    if data.reviews:
        table(REVIEW_HEADER, _review_rows(data), REVIEW_WIDTHS)
    else:
        doc.add_paragraph("（尚无评审记录）")

    heading("签字", size=12)
    for who in SIGNATORIES:
        doc.add_paragraph(_signature_line(who))
    footer = doc.add_paragraph(FOOTER)
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------

# One of reportlab's built-in CID fonts (Adobe-GB1): PDF readers supply the glyphs, so no font
# file ships with the platform and the text stays extractable (UniGB-UCS2-H encoding).
PDF_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def render_pdf(data: FormData) -> bytes:
    """The form as a PDF (reportlab platypus), Chinese in the built-in CID font STSong-Light."""
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    title = ParagraphStyle(
        "title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm
    )
    h2 = ParagraphStyle(
        "h2", parent=body, fontSize=12, leading=18, spaceBefore=4 * mm, keepWithNext=1
    )
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    width = A4[0] - 36 * mm

    def table(
        header: Sequence[str] | None,
        rows: Iterable[Sequence[str]],
        weights: Sequence[float],
        extra: Sequence[tuple[Any, ...]] = (),
    ) -> Table:
        all_rows = ([list(header)] if header else []) + [list(r) for r in rows]
        total = sum(weights)
        t = Table(
            [[para(v, cell) for v in r] for r in all_rows],
            colWidths=[width * w / total for w in weights],
            repeatRows=1 if header else 0,
            splitInRow=1,
            hAlign="CENTER",
        )
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            # TOP, not MIDDLE: with splitInRow, reportlab 5.1 repeats the header row over whole
            # pages when a middle-aligned row is split across pages.
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")))
        t.setStyle(TableStyle([*style, *extra]))
        return t

    story: list[Any] = [
        para(FORM_TITLE, title),
        para(f"导出日期：{_date_zh(data.generated_on)}", right),
        Spacer(1, 2 * mm),
        table(
            None,
            _header_rows(data),
            HEADER_WIDTHS,
            [
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f2f2f2")),
            ],
        ),
        para("风险矩阵", h2),
        para(_matrix_note(data.matrix)),
        Spacer(1, 2 * mm),
    ]
    size = data.matrix.size
    shading = [
        ("BACKGROUND", (j + 1, i + 1), (j + 1, i + 1), colors.HexColor(LEVEL_COLOURS[level]))
        for i, levels in enumerate(data.matrix.grid)
        for j, level in enumerate(levels)
        if level in LEVEL_COLOURS
    ]
    story.append(
        table(
            ("可能性＼影响程度", *(str(j) for j in range(1, size + 1))),
            [(str(size - i), *levels) for i, levels in enumerate(data.matrix.grid)],
            (3.2, *([13.8 / size] * size)),
            shading,
        )
    )
    for index, cat in enumerate(data.categories):
        story.append(para(_section_heading(index, cat), h2))
        note = _section_note(cat)
        if note:
            story.append(para(note))
        else:
            story.append(table(POINT_HEADER, _point_rows(cat), POINT_WIDTHS))
        if cat.category == RiskCategory.CHOKEPOINT.value and cat.not_applicable_reason is None:
            story.append(Spacer(1, 2 * mm))
            story.append(para("关键技术、材料、设备依赖情况："))
            if data.dependencies:
                story.append(table(DEPENDENCY_HEADER, _dependency_rows(data), DEPENDENCY_WIDTHS))
            else:
                story.append(para("无"))
    story.append(para(f"{NUMERALS_ZH[len(data.categories)]}、评审意见", h2))
    if data.reviews:
        story.append(table(REVIEW_HEADER, _review_rows(data), REVIEW_WIDTHS))
    else:
        story.append(para("（尚无评审记录）"))
    signatures: list[Any] = [para("签字", h2)]
    for who in SIGNATORIES:
        signatures += [Spacer(1, 4 * mm), para(_signature_line(who))]
    story.append(KeepTogether(signatures))

    def page_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(PDF_FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{FOOTER}　第 {doc.page} 页")
        canvas.restoreState()

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{FORM_TITLE} - {data.project_title}",
        author=data.institute,
        lang="zh-CN",
        invariant=True,
    ).build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
