"""The institute's main flow in the portal, as each kind of user (issue 8).

iph.researcher proposes a project, assesses it and submits it; iph.research-management reviews and
approves it; the researcher starts it; iph.safety-management records an inspection; the researcher
reports a hazard; safety management plans its rectification with the researcher as owner; the
owner uploads evidence and submits; research management verifies. Then the researcher reports an
incident, and the branch (bj.supervisor) and HQ (hq.safety-committee-office) see it in their
lists. Every step goes through the screens; each user signs in afresh in a browser context of
their own; confirmations are answered yes and recorded. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect
from portal_support import Portal, session_as

TITLE = "极紫外光刻工艺数据平台"
HAZARD = "洁净间排风机异响"
INCIDENT = "光刻胶溶剂泄漏"
EVIDENCE = b"%PDF-1.4\n%%EOF\n"


def _state(portal: Portal, user: str, project_id: str) -> str:
    data = portal.gql(user, "query($id: ID!) { project(id: $id) { state } }", {"id": project_id})
    return str(data["project"]["state"])


async def test_the_main_flow_from_proposal_to_a_verified_rectification_and_an_incident(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    # 1. The researcher proposes the project: a field error first, then the editor.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.get_by_role("link", name="科研项目", exact=True).click()
        await page.get_by_role("link", name="提出项目").click()
        await expect(page.get_by_role("heading", name="提出项目", level=1)).to_be_visible()
        await page.get_by_role("button", name="创建项目").click()
        title = page.get_by_label("项目名称")
        await expect(title).to_have_attribute("aria-invalid", "true")
        await expect(title).to_be_focused()
        await title.fill(TITLE)
        await page.get_by_label("所属部门").select_option(index=1)
        await page.get_by_label("结束日期").fill("2030-12-31")
        await page.get_by_label("项目简介").fill("建设光刻工艺数据的采集与分析平台")
        await page.screenshot(path=screenshots / "flow-propose.png", full_page=True)
        await page.get_by_role("button", name="创建项目").click()
        await expect(page).to_have_url(re.compile(r"/projects/[^/]+/assessment$"))
        project_id = page.url.rsplit("/", 2)[-2]

        # 2. ... assesses it: two risk points with measures, the other categories do not apply.
        for category, text in (("DATA_SECURITY", "工艺数据外泄"), ("SAFETY", "溶剂挥发")):
            box = page.get_by_test_id(f"category-{category}")
            await box.get_by_role("button", name="添加风险点").click()
            await box.get_by_label("风险点描述").fill(text)
            await box.get_by_label("可能性").select_option("2")
            await box.get_by_label("影响程度").select_option("2")
            await box.get_by_role("button", name="添加防范措施").click()
            await box.get_by_label("防范措施 1").fill(f"{text}防范措施")
        for category in ("CHOKEPOINT", "COMPLIANCE", "ETHICS", "PUBLIC_OPINION", "CONFIDENTIALITY"):
            box = page.get_by_test_id(f"category-{category}")
            await box.get_by_label("本项目不涉及此类风险").check()
            await box.get_by_label("不涉及的理由").fill("本项目不涉及")
        await page.get_by_role("button", name="保存").click()
        await expect(page.get_by_test_id("save-status")).to_contain_text("已保存")
        await page.get_by_role("button", name="提交评审").click()
        await expect(page.get_by_text("当前评估不是草稿，不能编辑。")).to_be_visible()
        await page.goto(f"/projects/{project_id}")
        await expect(page.get_by_test_id("project-state")).to_have_text("已提交评审")
        assert _state(portal, "iph.researcher", project_id) == "SUBMITTED"
        assert "提交后评估不能再修改，确定提交评审吗？" in s.dialogs

    # 3. Research management reviews (a field error first) and approves.
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await expect(page.get_by_test_id("project-state")).to_have_text("已提交评审")
        review = page.get_by_test_id("review")
        await review.get_by_role("button", name="记录评审意见").click()
        accuracy = review.get_by_label("风险分析是否准确、全面的意见")
        await expect(accuracy).to_have_attribute("aria-invalid", "true")
        await expect(accuracy).to_be_focused()
        await accuracy.fill("风险分析准确、全面")
        await review.get_by_label("防范措施是否合理、有效、可执行的意见").fill("措施可行")
        await review.get_by_label("结论").select_option("PASS")
        await page.screenshot(path=screenshots / "flow-review.png", full_page=True)
        await review.get_by_role("button", name="记录评审意见").click()
        await expect(page.get_by_test_id("timeline")).to_contain_text("单位审核")
        await page.get_by_test_id("actions").get_by_role("button", name="立项").click()
        await expect(page.get_by_test_id("project-state")).to_have_text("已立项")
        assert any("通过" in d for d in s.dialogs) and any("立项" in d for d in s.dialogs)

    # 4. The researcher starts implementing.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await page.get_by_test_id("actions").get_by_role("button", name="开始实施").click()
        await expect(page.get_by_test_id("project-state")).to_have_text("实施中")
        await page.screenshot(path=screenshots / "flow-project-implementing.png", full_page=True)

    # 5. Safety management records an inspection: every measure checked.
    async with session_as(browser, portal, "iph.safety-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        form = page.get_by_test_id("inspection-form")
        await form.get_by_role("button", name="记录监督检查").click()
        await form.get_by_label("检查情况").fill("防范措施基本落实")
        await form.get_by_label("落实情况：溶剂挥发防范措施").select_option("PARTLY")
        await form.get_by_label("说明：溶剂挥发防范措施").fill("通风柜待更换")
        await page.screenshot(path=screenshots / "flow-inspection.png", full_page=True)
        await form.get_by_role("button", name="记录监督检查").last.click()
        await expect(page.get_by_test_id("inspections")).to_contain_text("防范措施基本落实")

    # 6. The researcher reports a hazard.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await page.get_by_role("button", name="报告隐患").click()
        await page.get_by_label("隐患名称").fill(HAZARD)
        await page.get_by_label("隐患描述").fill("排风机运行时有异响，风量下降")
        await page.get_by_label("风险类别（可选）").select_option("SAFETY")
        await page.get_by_role("button", name="报告隐患").last.click()
        hazards = page.get_by_test_id("hazards")
        await expect(hazards).to_contain_text(HAZARD)
        await expect(hazards).to_contain_text("待整改")
        await page.get_by_label("只看逾期").check()
        await expect(hazards).to_contain_text("没有符合条件的隐患。")
        await page.get_by_label("只看逾期").uncheck()
        await expect(hazards).to_contain_text(HAZARD)

    # 7. Safety management plans the rectification with the researcher as owner.
    async with session_as(browser, portal, "iph.safety-management") as s:
        page = s.page
        await page.get_by_role("link", name="风险隐患", exact=True).click()
        await page.get_by_role("link", name=HAZARD).click()
        await expect(page.get_by_role("heading", name=HAZARD, level=1)).to_be_visible()
        await page.get_by_label("整改责任人").select_option(portal.ids["iph.researcher"])
        await page.get_by_label("整改期限").fill("2030-06-30")
        await page.get_by_label("整改措施").fill("更换排风机轴承")
        await page.get_by_role("button", name="制定整改方案").click()
        await expect(page.get_by_test_id("hazard-state")).to_have_text("整改中")
        hazard_url = page.url
        await page.screenshot(path=screenshots / "flow-hazard-plan.png", full_page=True)

    # 8. The owner: submitting without evidence is stopped; upload, then submit.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.goto(hazard_url)
        await page.get_by_label("整改情况说明").fill("已更换轴承，风量恢复")
        await page.get_by_role("button", name="提交整改").click()
        await expect(page.get_by_text("提交整改前请先上传整改材料。")).to_be_visible()
        await page.get_by_label("选择整改材料文件").set_input_files(
            files=[{"name": "整改材料.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}]
        )
        await page.get_by_role("button", name="上传整改材料").click()
        await expect(page.get_by_test_id("upload-done")).to_have_text("已上传：整改材料.pdf")
        await expect(page.get_by_test_id("evidence")).to_contain_text("整改材料.pdf")
        await page.screenshot(path=screenshots / "flow-hazard-evidence.png", full_page=True)
        await page.get_by_role("button", name="提交整改").click()
        await expect(page.get_by_test_id("hazard-state")).to_have_text("待验收")

    # 9. Someone else verifies it.
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(hazard_url)
        await page.get_by_label("整改到位，销号").check()
        await page.get_by_label("验收意见").fill("现场复查合格")
        await page.screenshot(path=screenshots / "flow-hazard-verify.png", full_page=True)
        await page.get_by_role("button", name="验收").click()
        await expect(page.get_by_test_id("hazard-state")).to_have_text("已销号")
        assert "验收结论记录后不能修改，确定吗？" in s.dialogs

    # 10. The researcher reports an incident and adds a follow-up.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.get_by_role("link", name="事件事故", exact=True).click()
        await expect(page.get_by_role("heading", name="事件事故", level=1)).to_be_visible()
        await page.get_by_role("link", name="报告事件事故").click()
        await page.get_by_label("事件名称").fill(INCIDENT)
        await page.get_by_label("发生地点").fill("3号楼洁净间")
        await page.get_by_label("风险类别", exact=True).select_option("SAFETY")
        await page.get_by_label("已采取的处置措施").fill("疏散人员，开启应急排风")
        await page.get_by_label("受伤人数").fill("1")
        await page.screenshot(path=screenshots / "flow-incident-report.png", full_page=True)
        await page.get_by_role("button", name="报告事件事故").click()
        await expect(page.get_by_role("heading", name=INCIDENT, level=1)).to_be_visible()
        await expect(page.get_by_test_id("incident-state")).to_have_text("已报告")
        assert "事件事故报告后立即上报分院和院机关，确定报告吗？" in s.dialogs
        incident_url = page.url
        # Follow-ups are for safety management, the branch and HQ, not for the reporter.
        await expect(page.get_by_text("暂无后续记录。")).to_be_visible()
        await expect(page.get_by_role("button", name="添加记录")).to_have_count(0)

    # 11. The branch and HQ see it in their incident lists.
    for viewer in ("bj.supervisor", "hq.safety-committee-office"):
        async with session_as(browser, portal, viewer) as s:
            page = s.page
            await page.get_by_role("link", name="事件事故", exact=True).click()
            await expect(page.get_by_test_id("incidents")).to_contain_text(INCIDENT)
            await page.screenshot(path=screenshots / f"flow-incidents-{viewer}.png", full_page=True)
            if viewer == "bj.supervisor":
                await page.get_by_role("link", name=INCIDENT).click()
                await expect(page).to_have_url(incident_url)
                await page.get_by_label("记录类型").select_option("INVESTIGATION")
                await page.get_by_label("内容").fill("分院调查组已进驻")
                await page.get_by_role("button", name="添加记录").click()
                await expect(page.get_by_test_id("incident-updates")).to_contain_text("分院调查组")
                await expect(page.get_by_test_id("incident-state")).to_have_text("调查中")
                await page.screenshot(path=screenshots / "flow-incident.png", full_page=True)


async def test_a_transition_that_needs_a_reason_asks_for_it_by_keyboard(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    """Research management terminates the returned project with the keyboard only."""
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{portal.ids['returned']}")
        actions = page.get_by_test_id("actions")
        terminate = actions.get_by_role("button", name="终止").first
        await terminate.focus()
        await page.keyboard.press("Enter")
        await expect(terminate).to_have_attribute("aria-expanded", "true")
        await page.keyboard.press("Tab")
        reason = actions.get_by_label("原因")
        await expect(reason).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(reason).to_have_attribute("aria-invalid", "true")
        await expect(reason).to_be_focused()
        await expect(actions.get_by_text("必填。")).to_be_visible()
        assert s.dialogs == []
        await page.keyboard.type("项目组解散")
        await expect(actions.get_by_text("必填。")).to_have_count(0)
        await page.screenshot(path=screenshots / "flow-terminate.png", full_page=True)
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.get_by_test_id("project-state")).to_have_text("已终止")
        assert s.dialogs == ["确定要“终止”吗？此操作不可撤销。"]
        await expect(page.get_by_test_id("timeline")).to_contain_text("项目组解散")


async def test_the_incident_form_in_english_marks_the_missing_fields(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    async with session_as(browser, portal, "iph.safety-management") as s:
        page = s.page
        await page.get_by_role("button", name="切换为英文界面").click()
        await page.get_by_role("link", name="Incidents", exact=True).click()
        await expect(page.get_by_role("heading", name="Incidents", level=1)).to_be_visible()
        await page.get_by_role("link", name="Report an incident").click()
        await page.get_by_role("button", name="Report an incident").click()
        title = page.get_by_label("Incident", exact=True)
        await expect(title).to_have_attribute("aria-invalid", "true")
        await expect(title).to_be_focused()
        await expect(page.get_by_text("Required.")).to_have_count(4)
        await expect(page.get_by_text("Please correct the marked fields first.")).to_be_visible()
        assert s.dialogs == []
        await page.screenshot(path=screenshots / "flow-incident-report-en.png", full_page=True)
        await page.get_by_role("button", name="Switch to Chinese").click()
        await expect(page.get_by_role("heading", name="报告事件事故", level=1)).to_be_visible()
