"""Editing in the portal (issue 8): a project's details, its assessment's dependencies and measure
owners, a measure's progress, a major change, a review's minutes and an inspection's report.

Each test prepares its own project through the API as the demo users, does the edit through the
screens in a fresh signed-in browser, then reads the outcome back through the API. Screenshots go to
var/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, expect
from portal_support import (
    CATEGORIES,
    DRAFT_TITLE,
    ERRORS,
    RETURNED_TITLE,
    Portal,
    _ok,
    save_assessment,
    session_as,
)

from server import clock

PDF = b"%PDF-1.4\n%%EOF\n"
PI = "iph.researcher"
RM = "iph.research-management"
SM = "iph.safety-management"


def _propose(portal: Portal, title: str) -> str:
    start = clock.today()
    result = portal.gql(
        PI,
        f"""mutation($u: ID!, $i: ProjectInput!) {{ createProject(orgUnitId: $u, input: $i) {{
            __typename ... on ProjectSaved {{ project {{ id }} }} {ERRORS} }} }}""",
        {
            "u": portal.ids["IPH"],
            "i": {
                "title": title,
                "departmentId": portal.ids["dept"],
                "principalInvestigatorId": portal.ids[PI],
                "startDate": start.isoformat(),
                "endDate": (start + timedelta(days=730)).isoformat(),
                "summary": "研究内容",
            },
        },
    )["createProject"]
    return str(_ok(result)["project"]["id"])


def _project(portal: Portal, project_id: str, user: str = PI) -> dict[str, Any]:
    data = portal.gql(
        user,
        """query($id: ID!) { project(id: $id) { title endDate state version
            majorChanges { description suspended resolvedAt }
            inspections { summary reportDocumentId }
            documents { id title kind }
            assessments { number reviews { stage method minutesDocumentId } }
            currentAssessment { id number state version
              dependencies { item itemKind sourceCountry }
              riskPoints { category measures { id description status owner { id } } } } } }""",
        {"id": project_id},
    )
    return dict(data["project"])


def _submitted(portal: Portal, title: str) -> str:
    """A proposed project, assessed (every category, one measure each) and submitted."""
    project_id = _propose(portal, title)
    assessment = _project(portal, project_id)["currentAssessment"]
    save_assessment(
        portal,
        PI,
        assessment,
        {
            "riskPoints": [
                {
                    "category": c,
                    "description": f"{c} 风险点",
                    "likelihood": 2,
                    "impact": 2,
                    "measures": [{"description": f"{title} {c} 防范措施"}],
                }
                for c in CATEGORIES
            ],
            "dependencies": [{"item": "光刻胶", "itemKind": "material", "sourceCountry": "日本"}],
        },
    )
    version = _project(portal, project_id)["version"]
    _ok(
        portal.gql(
            PI,
            f"""mutation($a: ID!, $v: Int) {{ submitProject(assessmentId: $a, expectedVersion: $v)
                {{ __typename {ERRORS} }} }}""",
            {"a": assessment["id"], "v": version},
        )["submitProject"]
    )
    return project_id


def _implementing(portal: Portal, title: str) -> str:
    """A submitted project that passed the institute's review, approved and started."""
    project_id = _submitted(portal, title)
    assessment_id = _project(portal, project_id)["currentAssessment"]["id"]
    _ok(
        portal.gql(
            RM,
            f"""mutation($i: ReviewInput!) {{ recordReview(input: $i) {{ __typename
                {ERRORS} }} }}""",
            {
                "i": {
                    "assessmentId": assessment_id,
                    "stage": "INSTITUTE",
                    "method": "ADMINISTRATIVE",
                    "opinionAccuracy": "准确",
                    "opinionMeasures": "可行",
                    "decision": "PASS",
                }
            },
        )["recordReview"]
    )
    for user, name in ((RM, "approveProject"), (PI, "startProject")):
        version = _project(portal, project_id)["version"]
        _ok(
            portal.gql(
                user,
                f"""mutation($id: ID!, $v: Int!) {{ {name}(id: $id, expectedVersion: $v)
                    {{ __typename {ERRORS} }} }}""",
                {"id": project_id, "v": version},
            )[name]
        )
    assert _project(portal, project_id)["state"] == "IMPLEMENTING"
    return project_id


def _measures(project: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for p in project["currentAssessment"]["riskPoints"] for m in p["measures"]]


async def test_r_own_the_pi_edits_a_returned_projects_details_from_prefilled_values(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = portal.ids["returned"]
    # Research management approves projects but does not undertake this one: no edit for it.
    async with session_as(browser, portal, RM) as s:
        await s.page.goto(f"/projects/{project_id}")
        await expect(s.page.get_by_test_id("project-state")).to_have_text("退回修改")
        await expect(s.page.get_by_role("button", name="修改项目信息")).to_have_count(0)

    async with session_as(browser, portal, PI) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        section = page.get_by_test_id("edit-project")
        await section.get_by_role("button", name="修改项目信息").click()
        title = section.get_by_label("项目名称")
        await expect(title).to_have_value(RETURNED_TITLE)
        await expect(section.get_by_label("经费来源")).to_have_value("院先导专项")
        await expect(section.get_by_label("研究领域（以逗号分隔）")).to_have_value("凝聚态物理")
        await title.fill("")
        await section.get_by_role("button", name="保存修改").click()
        await expect(title).to_have_attribute("aria-invalid", "true")
        await expect(title).to_be_focused()
        await expect(section.get_by_text("必填。")).to_be_visible()
        await title.fill("低温量子材料制备与表征研究")
        await section.get_by_label("结束日期").fill("2029-06-30")
        await section.get_by_label("人工智能").check()
        await page.screenshot(path=screenshots / "edit-project.png", full_page=True)
        await section.get_by_role("button", name="保存修改").click()
        await expect(section.get_by_test_id("edit-project-done")).to_have_text("项目信息已保存。")
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "低温量子材料制备与表征研究"
        )
        assert s.dialogs == []

    stored = portal.gql(
        PI,
        "query($id: ID!) { project(id: $id) { title endDate fundingSource sensitiveFields } }",
        {"id": project_id},
    )["project"]
    assert stored == {
        "title": "低温量子材料制备与表征研究",
        "endDate": "2029-06-30",
        "fundingSource": "院先导专项",
        "sensitiveFields": ["ARTIFICIAL_INTELLIGENCE"],
    }


async def test_r_assess_dependencies_and_a_measures_owner_are_edited_in_the_assessment_editor(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = portal.ids["returned"]
    users = portal.gql(
        PI, "{ viewer { orgUnit { users(first: 100) { nodes { id username displayName } } } } }"
    )["viewer"]["orgUnit"]["users"]["nodes"]
    owner = next(u for u in users if u["username"] == "iph.safety-management")
    async with session_as(browser, portal, PI) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}/assessment")
        box = page.get_by_test_id("category-DATA_SECURITY")
        picker = box.get_by_label("措施 1 的责任人")
        await expect(picker).to_have_value(portal.ids[PI])
        await picker.select_option(label=owner["displayName"])

        deps = page.get_by_test_id("dependencies")
        await expect(deps.get_by_role("group", name="依赖 1").get_by_label("名称")).to_have_value(
            "稀释制冷机"
        )
        await deps.get_by_role("button", name="添加依赖").click()
        second = deps.get_by_role("group", name="依赖 2")
        await second.get_by_label("名称").fill("高纯氦-3")
        await second.get_by_label("类型").select_option(label="材料")
        await page.get_by_role("button", name="保存", exact=True).click()
        country = second.get_by_label("来源国家或地区")
        await expect(country).to_have_attribute("aria-invalid", "true")
        await expect(country).to_be_focused()
        await country.fill("美国")
        await second.get_by_label("有国内替代").check()
        await page.screenshot(path=screenshots / "edit-assessment-dependencies.png", full_page=True)
        await page.get_by_role("button", name="保存", exact=True).click()
        await expect(page.get_by_test_id("save-status")).to_contain_text("已保存")

    current = _project(portal, project_id)["currentAssessment"]
    assert current["state"] == "DRAFT"
    assert [(d["item"], d["itemKind"], d["sourceCountry"]) for d in current["dependencies"]] == [
        ("稀释制冷机", "equipment", "芬兰"),
        ("高纯氦-3", "material", "美国"),
    ]
    owners = {
        p["category"]: [m["owner"]["id"] if m["owner"] else None for m in p["measures"]]
        for p in current["riskPoints"]
    }
    assert owners["DATA_SECURITY"] == [owner["id"]]
    assert owners["SAFETY"] == [portal.ids[PI]]


async def test_r_inspect_the_pi_reports_a_measures_progress_on_the_project_page(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    title = "量子传感器件研制"
    project_id = _implementing(portal, title)
    measure = f"{title} SAFETY 防范措施"
    async with session_as(browser, portal, PI) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        status = page.get_by_label(f"落实情况：{measure}")
        await expect(status).to_have_value("PLANNED")
        await status.select_option("IN_PROGRESS")
        await page.screenshot(path=screenshots / "edit-measure-status.png", full_page=True)
        await page.get_by_role("button", name=f"更新 {measure}").click()
        await expect(page.get_by_test_id("measure-status-done")).to_have_text(
            f"已更新“{measure}”的落实情况。"
        )
    stored = {m["description"]: m["status"] for m in _measures(_project(portal, project_id))}
    assert stored[measure] == "IN_PROGRESS"
    assert [v for k, v in stored.items() if k != measure] == ["PLANNED"] * (len(CATEGORIES) - 1)

    # Research management inspects the measures; it does not report their progress.
    async with session_as(browser, portal, RM) as s:
        await s.page.goto(f"/projects/{project_id}")
        await expect(s.page.get_by_test_id("risk-points")).to_contain_text("落实情况：落实中")
        await expect(s.page.get_by_role("button", name=f"更新 {measure}")).to_have_count(0)


async def test_r_inspect_an_inspection_attaches_its_report_document(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = _implementing(portal, "高通量材料计算平台")
    # Safety management inspects and attaches the report (policies/policy.csv lets inspectors
    # upload project documents).
    async with session_as(browser, portal, SM) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        form = page.get_by_test_id("inspection-form")
        await form.get_by_role("button", name="记录监督检查").click()
        await form.get_by_label("检查情况").fill("措施落实，报告附后")
        await form.get_by_label("检查报告文件（可选）").set_input_files(
            files=[{"name": "检查报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        await page.screenshot(path=screenshots / "edit-inspection-report.png", full_page=True)
        await form.get_by_role("button", name="记录监督检查").last.click()
        await expect(page.get_by_test_id("inspections")).to_contain_text("措施落实，报告附后")

    project = _project(portal, project_id, RM)
    reports = [d for d in project["documents"] if d["kind"] == "INSPECTION_REPORT"]
    assert [d["title"] for d in reports] == ["监督检查报告"]
    assert project["inspections"] == [
        {"summary": "措施落实，报告附后", "reportDocumentId": reports[0]["id"]}
    ]


async def test_r_review_a_review_by_meeting_attaches_its_minutes(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = _submitted(portal, "深海原位探测装备")
    async with session_as(browser, portal, RM) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        review = page.get_by_test_id("review")
        await expect(review.get_by_label("会议纪要文件")).to_have_count(0)
        await review.get_by_label("评审方式").select_option("MEETING")
        await review.get_by_label("风险分析是否准确、全面的意见").fill("风险分析准确")
        await review.get_by_label("防范措施是否合理、有效、可执行的意见").fill("措施可行")
        await review.get_by_label("结论").select_option("PASS")
        await review.get_by_role("button", name="记录评审意见").click()
        minutes = review.get_by_label("会议纪要文件")
        await expect(minutes).to_have_attribute("aria-invalid", "true")
        await expect(minutes).to_be_focused()
        await expect(review.get_by_text("会议评审须附会议纪要。")).to_be_visible()
        assert s.dialogs == []
        await minutes.set_input_files(
            files=[{"name": "评审会纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        await expect(review.get_by_text("会议评审须附会议纪要。")).to_have_count(0)
        await page.screenshot(path=screenshots / "edit-review-minutes.png", full_page=True)
        await review.get_by_role("button", name="记录评审意见").click()
        await expect(page.get_by_test_id("timeline")).to_contain_text("单位审核")
        assert len(s.dialogs) == 1 and "通过" in s.dialogs[0]

    project = _project(portal, project_id, RM)
    minutes_docs = [d for d in project["documents"] if d["kind"] == "MEETING_MINUTES"]
    assert [d["title"] for d in minutes_docs] == ["评审会议纪要"]
    reviews = [r for a in project["assessments"] for r in a["reviews"]]
    assert reviews == [
        {"stage": "INSTITUTE", "method": "MEETING", "minutesDocumentId": minutes_docs[0]["id"]}
    ]


async def test_r_change_a_major_change_suspends_the_project_and_opens_a_reassessment(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = _implementing(portal, "脑机接口临床前研究")
    async with session_as(browser, portal, RM) as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        changes = page.get_by_test_id("major-changes")
        await expect(changes.get_by_text("暂无重大变化记录。")).to_be_visible()
        await changes.get_by_role("button", name="报告重大变化").click()
        form = changes.get_by_role("form", name="报告重大变化")
        await form.get_by_role("button", name="报告重大变化").click()
        description = form.get_by_label("变化情况说明")
        await expect(description).to_have_attribute("aria-invalid", "true")
        await expect(description).to_be_focused()
        assert s.dialogs == []
        await description.fill("新增境外合作单位参与动物实验")
        await form.get_by_label("暂停项目实施，落实有效措施后再重新启动").check()
        await page.screenshot(path=screenshots / "edit-major-change.png", full_page=True)
        await form.get_by_role("button", name="报告重大变化").click()
        await expect(page.get_by_test_id("project-state")).to_have_text("已暂停")
        await expect(changes.get_by_test_id("major-change-list")).to_contain_text(
            "新增境外合作单位参与动物实验"
        )
        await expect(changes.get_by_text("上一次重大变化尚在重新评估")).to_be_visible()
        await expect(changes.get_by_role("button", name="报告重大变化")).to_have_count(0)
        assert s.dialogs == [
            "报告重大变化后，项目将暂停实施并重新进行风险评估（生成新版本评估草稿），"
            "并上报院业务管理部门。此操作不可撤销，确定报告吗？"
        ]
        await page.screenshot(path=screenshots / "edit-major-change-declared.png", full_page=True)

    project = _project(portal, project_id)
    assert project["state"] == "SUSPENDED"
    assert project["majorChanges"] == [
        {"description": "新增境外合作单位参与动物实验", "suspended": True, "resolvedAt": None}
    ]
    assert (project["currentAssessment"]["number"], project["currentAssessment"]["state"]) == (
        2,
        "DRAFT",
    )


async def test_the_project_edit_form_in_english_is_labelled_and_cancel_keeps_the_project(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    project_id = portal.ids["draft"]
    async with session_as(browser, portal, PI) as s:
        page = s.page
        await page.get_by_role("button", name="切换为英文界面").click()
        await page.goto(f"/projects/{project_id}")
        section = page.get_by_test_id("edit-project")
        await section.get_by_role("button", name="Edit project details").click()
        title = section.get_by_label("Title")
        await expect(title).to_have_value(DRAFT_TITLE)
        await expect(title).to_be_focused()
        await expect(section.get_by_label("Principal investigator")).to_have_value(portal.ids[PI])
        await title.fill("A title that is not saved")
        await page.screenshot(path=screenshots / "edit-project-en.png", full_page=True)
        await section.get_by_role("button", name="Cancel").click()
        await expect(section.get_by_label("Title")).to_have_count(0)
        await expect(section.get_by_role("button", name="Edit project details")).to_be_focused()
        await page.get_by_role("button", name="Switch to Chinese").click()
        await expect(page.get_by_role("heading", name=DRAFT_TITLE, level=1)).to_be_visible()
    stored = portal.gql(PI, "query($id: ID!) { project(id: $id) { title } }", {"id": project_id})
    assert stored["project"]["title"] == DRAFT_TITLE
