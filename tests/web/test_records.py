"""The project's records in the portal (issue 8): documents, permits, outcome release reviews.

A draft project of iph.researcher is made through the API; in the browser the researcher uploads
a document (a missing title marked first), replaces it with a second version, downloads it through
its signed link and withdraws the first version (asked first). The project is then started through
the API (which locks its documents); research management records a permit (missing fields marked
first); the researcher submits an outcome, the four officers responsible review its five aspects
and research management decides its release. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser, expect
from portal_support import ERRORS, Portal, draft_project, gql_ok, session_as, start_project

from server import clock

TITLE = "高通量材料计算数据库"
OUTCOME = "材料数据库建设论文"
HAZARD = "计算数据备份缺失"
FILED = "国际合作气候数据共享"
INCIDENT = "计算集群数据误删"


async def test_documents_permits_and_an_outcome_release_review(
    browser: Browser, portal: Portal, screenshots: Path, tmp_path: Path
) -> None:
    project_id = draft_project(portal, TITLE)
    first = tmp_path / "数据管理计划.pdf"
    first.write_bytes(b"%PDF-1.4\n% v1\n%%EOF\n")
    second = tmp_path / "数据管理计划-修订.pdf"
    second.write_bytes(b"%PDF-1.4\n% v2, revised\n%%EOF\n")

    # 1. The researcher uploads a document, then a second version; downloads it; withdraws v1.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        docs = page.locator("section", has=page.get_by_role("heading", name="文档", level=2))
        await expect(docs.get_by_text("尚无文档。")).to_be_visible()
        await docs.get_by_label("文件").set_input_files(first)
        await docs.get_by_role("button", name="上传").click()
        title = docs.get_by_label("文档名称")
        await expect(title).to_have_attribute("aria-invalid", "true")
        await expect(title).to_be_focused()
        await title.fill("数据管理计划")
        await docs.get_by_label("文档类型").select_option("OTHER")
        await docs.get_by_role("button", name="上传").click()
        await expect(page.get_by_test_id("document")).to_contain_text("版本 1")
        await expect(page.get_by_test_id("document-version")).to_contain_text("v1")

        await docs.get_by_label("上传为新版本（可选）").select_option(label="数据管理计划")
        await docs.get_by_label("文件").set_input_files(second)
        await docs.get_by_role("button", name="上传").click()
        await expect(page.get_by_test_id("document")).to_contain_text("版本 2")
        await expect(page.get_by_test_id("document-version")).to_have_count(2)
        await page.screenshot(path=screenshots / "records-documents.png", full_page=True)

        async with page.expect_download() as info:
            await page.get_by_role("button", name="下载 数据管理计划 v2").click()
        download = await info.value
        saved = await asyncio.to_thread(Path(await download.path()).read_bytes)
        assert saved == second.read_bytes()

        await page.get_by_role("button", name="撤回 数据管理计划 v1").click()
        await page.get_by_label("撤回原因").fill("已被修订版取代")
        await page.get_by_role("button", name="撤回", exact=True).click()
        await expect(page.get_by_test_id("document-version").last).to_contain_text("已撤回")
        assert any("撤回第 1 版" in d for d in s.dialogs)

        # Once approved the documents are locked; the project is started through the API.
        start_project(portal, project_id)
        await page.reload()
        await expect(page.get_by_test_id("project-state")).to_have_text("实施中")
        await expect(page.get_by_test_id("document-version").last).to_contain_text("已撤回")

        # ... and submits an outcome for release review.
        outcomes = page.locator("section", has=page.get_by_role("heading", name="成果发布审查"))
        await outcomes.get_by_label("成果类型").select_option("PAPER")
        await outcomes.get_by_label("成果名称").fill(OUTCOME)
        await outcomes.get_by_label("发布渠道").fill("学术期刊")
        await outcomes.get_by_role("button", name="提交成果发布审查").click()
        await expect(page.get_by_test_id("outcome")).to_contain_text(OUTCOME)
        await expect(page.get_by_test_id("outcome-decision")).to_contain_text("尚未决定")

    # 2. Research management records a permit (missing fields marked first).
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await page.get_by_role("button", name="登记行政许可").click()
        authority = page.get_by_label("发证机关")
        await expect(authority).to_have_attribute("aria-invalid", "true")
        await expect(authority).to_be_focused()
        await authority.fill("国家数据局")
        await page.get_by_label("许可证号").fill("SJ-2026-0017")
        await page.get_by_label("许可范围").fill("科学数据跨境共享")
        await page.get_by_label("有效期至").fill((clock.today() + timedelta(days=365)).isoformat())
        await page.get_by_role("button", name="登记行政许可").click()
        await expect(page.get_by_test_id("permits")).to_contain_text("SJ-2026-0017")
        await expect(page.get_by_test_id("permits")).to_contain_text("今日有效")
        await page.screenshot(path=screenshots / "records-permit.png", full_page=True)

    # 3. The officers responsible review the five aspects; research management decides.
    reviewers = [
        ("iph.secrecy-officer", ["SECRECY"]),
        ("iph.research-management", ["DATA_SECURITY", "PATENT"]),
        ("iph.public-opinion-officer", ["PUBLIC_OPINION"]),
        ("iph.coordination-member", ["ETHICS"]),
    ]
    reviewed = 0
    for user, aspects in reviewers:
        async with session_as(browser, portal, user) as s:
            page = s.page
            await page.goto(f"/projects/{project_id}")
            outcome = page.get_by_test_id("outcome")
            rows = outcome.locator("tbody tr")
            # The reviews so far are listed before this officer starts.
            if reviewed:
                await expect(rows).to_have_count(reviewed)
            for aspect in aspects:
                await outcome.get_by_label("审查方面").select_option(aspect)
                await outcome.get_by_label("结论").select_option("FIT")
                await outcome.get_by_label("意见", exact=True).fill("同意")
                await outcome.get_by_role("button", name="审查").click()
                # Wait for this review to be listed before starting the next one.
                reviewed += 1
                await expect(rows).to_have_count(reviewed)
            assert any("审查意见" in d for d in s.dialogs)

    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        outcome = page.get_by_test_id("outcome")
        await expect(outcome.locator("tbody tr")).to_have_count(5)
        await outcome.get_by_label("决定").select_option("APPROVE")
        await outcome.get_by_label("说明").fill("同意发布")
        await outcome.get_by_role("button", name="发布决定").click()
        await expect(page.get_by_test_id("outcome-decision")).to_contain_text("同意发布")
        assert any("发布决定" in d for d in s.dialogs)
        await page.screenshot(path=screenshots / "records-outcome.png", full_page=True)

    # 4. Closing: the open hazard is handed over with a reason, then the project is closed.
    for name in ("enterOutcomeStage", "startClosing"):
        version = portal.gql(
            "iph.researcher", "query($id: ID!) { project(id: $id) { version } }", {"id": project_id}
        )["project"]["version"]
        gql_ok(
            portal,
            "iph.researcher",
            name,
            f"mutation($id: ID!, $v: Int!) {{ {name}(id: $id, expectedVersion: $v) "
            f"{{ __typename {ERRORS} }} }}",
            {"id": project_id, "v": version},
        )
    gql_ok(
        portal,
        "iph.researcher",
        "reportHazard",
        f"""mutation($p: ID!) {{ reportHazard(projectId: $p, title: "{HAZARD}",
            description: "备份未异地存放", severity: GENERAL) {{ __typename {ERRORS} }} }}""",
        {"p": project_id},
    )
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await expect(page.get_by_test_id("project-state")).to_have_text("结题中")
        handover = page.get_by_test_id("handover")
        await expect(handover).to_contain_text(HAZARD)
        await handover.get_by_role("button", name="移交").click()
        reason = handover.get_by_label(f"移交原因：{HAZARD}")
        await expect(reason).to_have_attribute("aria-invalid", "true")
        await reason.fill("由数据中心在后续项目中整改")
        await handover.get_by_role("button", name="移交").click()
        await expect(handover).to_contain_text("已移交")
        assert any(HAZARD in d for d in s.dialogs)
        await page.screenshot(path=screenshots / "records-closure.png", full_page=True)
        actions = page.get_by_test_id("actions")
        await actions.get_by_role("button", name="结题").first.click()
        await page.get_by_label("项目风险工作总结").fill("风险防范措施均已落实，隐患已移交")
        await actions.get_by_role("button", name="结题").last.click()
        await expect(page.get_by_test_id("project-state")).to_have_text("已结题")
        await expect(page.get_by_test_id("closure-summary")).to_contain_text("风险防范措施均已落实")


async def test_a_major_incident_special_meeting_and_closing(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    unit = portal.gql("iph.researcher", "{ viewer { orgUnit { id name } } }")["viewer"]["orgUnit"]
    incident = gql_ok(
        portal,
        "iph.researcher",
        "reportIncident",
        f"""mutation($u: ID!, $i: IncidentInput!) {{ reportIncident(orgUnitId: $u, input: $i) {{
            __typename ... on IncidentSaved {{ incident {{ id }} }} {ERRORS} }} }}""",
        {
            "u": unit["id"],
            "i": {
                "title": INCIDENT,
                "occurredAt": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
                "place": "数据中心机房",
                "category": "DATA_SECURITY",
                "severity": "MAJOR",
                "immediateMeasures": "断开外网连接",
            },
        },
    )["incident"]

    # HQ's coordination group sees the incident with its unit and records the special meeting.
    async with session_as(browser, portal, "hq.hq-coordination-group") as s:
        page = s.page
        await page.goto("/incidents")
        row = page.get_by_test_id("incidents").get_by_role("row", name=re.compile(INCIDENT))
        await expect(row).to_contain_text(unit["name"])
        await row.get_by_role("link", name=INCIDENT).click()
        await expect(page.get_by_test_id("incident-unit")).to_have_text(unit["name"])
        await page.get_by_role("button", name="记录专题会议").click()
        minutes = page.get_by_label("会议纪要")
        await expect(minutes).to_have_attribute("aria-invalid", "true")
        await expect(minutes).to_be_focused()
        await minutes.fill("听取事件报告，分析原因")
        await page.get_by_label("会议决定").fill("全院开展数据安全专项检查")
        await page.get_by_role("button", name="记录专题会议").click()
        await expect(page.get_by_test_id("special-meetings")).to_contain_text("专项检查")
        assert any("专题会议" in d for d in s.dialogs)
        await page.screenshot(path=screenshots / "records-incident-meeting.png", full_page=True)

    # The institute's coordination group leader closes it with the lessons learned.
    async with session_as(browser, portal, "iph.coordination-leader") as s:
        page = s.page
        await page.goto(f"/incidents/{incident['id']}")
        await page.get_by_role("button", name="结案").click()
        lessons = page.get_by_label("经验教训")
        await expect(lessons).to_have_attribute("aria-invalid", "true")
        await lessons.fill("数据访问须双人复核")
        await page.get_by_role("button", name="结案").click()
        await expect(page.get_by_test_id("incident-state")).to_have_text("已结案")
        await expect(page.get_by_test_id("incident-closed")).to_contain_text("双人复核")


async def test_filing_signed_and_decided_by_hq(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = draft_project(portal, FILED, filing=True)
    start_project(portal, project_id, implement=False)

    # The legal representative signs and files it.
    async with session_as(browser, portal, "iph.legal-representative") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await expect(page.get_by_test_id("project-state")).to_have_text("已立项")
        actions = page.get_by_test_id("actions")
        await actions.get_by_role("button", name="备案").first.click()
        await page.get_by_label("法定代表人声明（可选）").fill("本人已审阅风险评估并承诺落实")
        await actions.get_by_role("button", name="备案").last.click()
        await expect(page.get_by_test_id("project-state")).to_have_text("备案中")
        await expect(page.get_by_test_id("filings")).to_contain_text("已报备")

    # HQ's business department records it (a missing decision marked first).
    async with session_as(browser, portal, "hq.business-department") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await page.get_by_role("button", name="院机关备案决定").click()
        decision = page.get_by_label("决定", exact=True)
        await expect(decision).to_have_attribute("aria-invalid", "true")
        await decision.select_option("RECORD")
        await page.get_by_label("意见").fill("同意备案")
        await page.get_by_role("button", name="院机关备案决定").click()
        await expect(page.get_by_test_id("filings")).to_contain_text("已备案")
        await expect(page.get_by_test_id("filings")).to_contain_text("同意备案")
        assert any("备案决定" in d for d in s.dialogs)
        await page.screenshot(path=screenshots / "records-filing.png", full_page=True)
