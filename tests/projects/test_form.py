"""The Research Project Security Risk Assessment Form (《科研项目安全风险评估表》) as DOCX and PDF.

Downloaded over the real app; the Chinese text is read back out of both files (pypdf for the
PDF, python-docx for the DOCX), so a font or encoding that lost it would fail here.
"""

from __future__ import annotations

import dataclasses
import io
import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import unquote

import docx
import httpx
import pypdf
from project_support import Flow
from sqlalchemy import select

from schema.relay import from_global_id
from server.audit.models import AuditEntry
from server.db.engine import ALL_TENANTS, scope
from server.projects.form import (
    FORM_TITLE,
    SIGNATORIES,
    CategorySection,
    DependencyRow,
    FormData,
    MatrixInfo,
    MeasureRow,
    RiskPointRow,
    render_docx,
    render_pdf,
)
from server.projects.vocabulary import CATEGORY_TITLES_ZH, RiskCategory

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _flat(text: str) -> str:
    """Whitespace out: table cells wrap, and a wrap may fall anywhere in a line of Chinese."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def assert_contains(text: str, *needles: str) -> None:
    flat = _flat(text)
    missing = [n for n in needles if _flat(n) not in flat]
    assert not missing, f"missing {missing} in:\n{text}"


def form_url(assessment_gid: str, fmt: str) -> str:
    tenant, assessment = from_global_id(assessment_gid, "Assessment")[1]
    return f"/forms/assessments/{tenant}/{assessment}.{fmt}"


async def download(flow: Flow, user: str | None, url: str) -> httpx.Response:
    headers = {"authorization": f"Bearer {flow.tokens[user]}"} if user else {}
    return await flow.client.get(url, headers=headers)


async def audit_entries(sessions: Any, assessment_gid: str) -> list[AuditEntry]:
    assessment = from_global_id(assessment_gid, "Assessment")[1][1]
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        rows = await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.action == "assessment.form_export",
                AuditEntry.object_id == str(assessment),
            )
            .order_by(AuditEntry.seq)
        )
        return list(rows)


async def saved_project(flow: Flow) -> tuple[dict[str, Any], str]:
    """A project whose assessment is saved complete (a draft); its assessment's global ID."""
    project = (await flow.create())["project"]
    saved = await flow.save("iph.researcher", project)
    assert saved["__typename"] == "AssessmentSaved", saved
    return project, saved["assessment"]["id"]


EXPECTED = (
    FORM_TITLE,
    *CATEGORY_TITLES_ZH.values(),
    "科学数据安全风险",
    "光刻胶",
    "日本",
    "6个月",
    "DATA_SECURITY 风险点",
    "可能产生的后果和影响",
    "防范措施",
    "可能的后果",
    "低",
    *SIGNATORIES,  # 项目负责人（签字）, 科研管理部门（盖章）, 单位负责人（签字）
)


async def test_r_assess_form_downloads_as_pdf_and_docx_with_chinese_text(flow: Flow, sessions: Any):
    project, assessment = await saved_project(flow)
    shown = (
        await flow.gql(
            "iph.researcher",
            "query($id: ID!) { project(id: $id) { "
            "orgUnit { name } department { name } principalInvestigator { displayName } } }",
            {"id": project["id"]},
        )
    )["project"]
    expected = (
        *EXPECTED,
        project["title"],
        shown["orgUnit"]["name"],
        shown["department"]["name"],
        shown["principalInvestigator"]["displayName"],
        "草稿",
        "第1版",
    )

    pdf = await download(flow, "iph.researcher", form_url(assessment, "pdf"))
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith(
        f"{FORM_TITLE}-{project['title']}-第1版.pdf"
    )
    text = pdf_text(pdf.content)
    assert_contains(text, *expected)
    # Chinese is text in the PDF, not pictures of it: the title comes back as a line of its own.
    assert FORM_TITLE in [line.strip() for line in text.splitlines()]

    word = await download(flow, "iph.researcher", form_url(assessment, "docx"))
    assert word.status_code == 200, word.text
    assert word.headers["content-type"] == DOCX_TYPE
    assert word.content.startswith(b"PK")
    assert unquote(word.headers["content-disposition"]).endswith(".docx")
    assert_contains(docx_text(word.content), *expected)

    entries = await audit_entries(sessions, assessment)
    assert [e.changes["format"] for e in entries] == ["pdf", "docx"]
    researcher = from_global_id(flow.ids["iph.researcher"], "User")[1][1]
    assert {e.actor_user_id for e in entries} == {researcher}
    assert entries[0].changes["version"] == 1
    assert entries[0].changes["project"] == str(from_global_id(project["id"], "Project")[1][1])


async def test_r_review_form_of_a_passed_assessment_carries_the_review(flow: Flow):
    approved = await flow.approved()
    current = await flow.project("iph.researcher", approved["id"])
    assessment = current["currentAssessment"]["id"]
    expected = (
        "评审意见",
        "科研管理部门评审",
        "行政审批",
        "通过",
        "风险分析准确",
        "措施合理、有效、可执行",
        "评审通过",
        "已立项",
    )
    pdf = await download(flow, "iph.researcher", form_url(assessment, "pdf"))
    assert pdf.status_code == 200, pdf.text
    assert_contains(pdf_text(pdf.content), *expected)
    word = await download(flow, "iph.research-management", form_url(assessment, "docx"))
    assert word.status_code == 200, word.text
    assert_contains(docx_text(word.content), *expected)


async def test_r_own_form_is_not_found_outside_the_institute_and_needs_sign_in(
    flow: Flow, sessions: Any
):
    _, assessment = await saved_project(flow)
    url = form_url(assessment, "pdf")

    other = await download(flow, "ioc.tenant-admin", url)
    assert other.status_code == 404, other.text
    assert other.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    anonymous = await download(flow, None, url)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    forged = await flow.client.get(url, headers={"authorization": "Bearer not-a-token"})
    assert forged.status_code == 401, forged.text

    tenant = from_global_id(assessment, "Assessment")[1][0]
    for wrong in (
        form_url(assessment, "xlsx"),
        f"/forms/assessments/{tenant}/{uuid.uuid4()}.pdf",
        f"/forms/assessments/{tenant}/not-a-uuid.pdf",
    ):
        response = await download(flow, "iph.researcher", wrong)
        assert response.status_code == 404, (wrong, response.text)

    # Refusals export nothing and so leave no export in the audit log.
    assert await audit_entries(sessions, assessment) == []


def _form(**overrides: Any) -> FormData:
    today = date(2025, 3, 1)
    long_text = "数据跨境传输可能违反《科学数据管理办法》的规定。" * 60
    sections = []
    for category in RiskCategory:
        if category is RiskCategory.ETHICS:
            sections.append(
                CategorySection(
                    category, CATEGORY_TITLES_ZH[category], (), "不涉及人类受试者和实验动物"
                )
            )
            continue
        point = RiskPointRow(
            description=long_text if category is RiskCategory.DATA_SECURITY else "风险点",
            likelihood=5,
            impact=5,
            level="极高",
            consequences="后果 & <影响>",
            measures=(
                MeasureRow("分级分类管理", "张三", today, "计划中"),
                MeasureRow("签订保密协议", "", None, "已落实"),
            ),
        )
        sections.append(CategorySection(category, CATEGORY_TITLES_ZH[category], (point,), None))
    base = FormData(
        tenant_id=uuid.uuid4(),
        project_id=uuid.uuid4(),
        assessment_id=uuid.uuid4(),
        project_title="面向/自动驾驶的多模态大模型",
        institute="物理研究所",
        department="第一研究室",
        principal_investigator="李四",
        start_date=today,
        end_date=date(2027, 2, 28),
        funding_source="院先导专项",
        research_fields=("人工智能",),
        sensitive_fields=("人工智能", "自动驾驶"),
        project_state="草稿",
        deployed_by_hq=True,
        hq_department="前沿科学与教育局",
        international_cooperation=True,
        national_filing_required=False,
        national_approval_required=False,
        major_impact=False,
        filing_required=True,
        assessment_number=2,
        assessment_state="草稿",
        overall_level="极高",
        reason_for_version="重大变更后重新评估",
        submitted_on=None,
        decided_on=None,
        plan_required=True,
        letter_required=True,
        matrix=MatrixInfo(3, 3, 6, 9, "高", "高", (("中", "高", "极高"),) * 3),
        categories=tuple(sections),
        dependencies=(DependencyRow("EUV光刻机", "设备", "荷兰", "", False, ""),),
        reviews=(),
        generated_on=today,
    )
    return dataclasses.replace(base, **overrides)


def test_r_assess_renderers_are_pure_and_wrap_long_chinese_text():
    data = _form()
    pdf = render_pdf(data)
    # Pure: the same form gives the same PDF, byte for byte.
    assert render_pdf(data) == pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # The long risk point splits across pages instead of failing, and only the header row
    # repeats on the pages it runs onto (not page after page of headers).
    assert 3 <= len(reader.pages) <= 7
    assert all(page.extract_text().count("防范措施") <= 3 for page in reader.pages)
    text = pdf_text(pdf)
    expected = (
        "不适用。理由：不涉及人类受试者和实验动物",
        "后果 & <影响>",
        "责任人：张三",
        "责任人：未指定",
        "EUV光刻机",
        "人工智能、自动驾驶",
        "前沿科学与教育局",
        "重大变更后重新评估",
        "（尚无评审记录）",
        "极高",
    )
    assert_contains(text, *expected)
    assert_contains(docx_text(render_docx(data)), *expected)
    assert data.file_name("pdf") == f"{FORM_TITLE}-面向_自动驾驶的多模态大模型-第2版.pdf"


async def test_the_api_hands_out_the_form_address(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    data = await flow.gql(
        "iph.researcher",
        """query($id: ID!) { project(id: $id) { currentAssessment {
             id pdf: formUrl(format: "pdf") docx: formUrl(format: "docx") } } }""",
        {"id": project["id"]},
    )
    current = data["project"]["currentAssessment"]
    assert current["pdf"] == form_url(current["id"], "pdf")
    response = await download(flow, "iph.researcher", current["docx"])
    assert response.status_code == 200 and response.content[:2] == b"PK"
