"""The portal in real headless Chromium against the real server (issue 8, first screens).

Each test signs in afresh in a new browser context. Screenshots of each screen go to
var/screenshots/ as test artifacts.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from portal_support import DRAFT_TITLE, RETURNED_TITLE, Portal, accept_dialogs, new_page, sign_in


@pytest.fixture
async def page(browser: Browser, portal: Portal) -> AsyncIterator[Page]:
    problems: list[str] = []
    context, p = await new_page(browser, portal, problems)
    yield p
    await context.close()
    assert not problems, problems


async def test_sign_in_shows_the_error_at_the_field_then_my_work(
    page: Page, portal: Portal, screenshots: Path
) -> None:
    await page.goto("/")
    await expect(page.get_by_role("heading", name="登录平台")).to_be_visible()
    await page.screenshot(path=screenshots / "sign-in.png")
    await page.get_by_label("用户名").fill("iph.researcher")
    await page.get_by_label("密码").fill("not the password")
    await page.get_by_role("button", name="登录").click()
    password = page.get_by_label("密码")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#password-error")).to_be_visible()
    await expect(password).to_be_focused()
    await page.screenshot(path=screenshots / "sign-in-error.png")

    await sign_in(page, portal)
    unread = portal.unread("iph.researcher")
    assert unread >= 1
    await expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))
    await expect(page.get_by_test_id("inbox-unread")).to_have_text(f"未读 {unread}")
    notices = page.locator("ul.notices > li")
    await expect(notices.first).to_be_visible()
    await expect(page.locator("ul.notices")).to_contain_text(RETURNED_TITLE)
    await page.screenshot(path=screenshots / "my-work.png", full_page=True)


async def test_marking_a_notice_read_lowers_the_unread_count(page: Page, portal: Portal) -> None:
    await sign_in(page, portal)
    before = portal.unread("iph.researcher")
    assert before > 0, "the portal fixture leaves iph.researcher unread notices"
    await page.locator("li.notice.unread").first.get_by_role("button", name="标为已读").click()
    await expect(page.get_by_test_id("inbox-unread")).to_have_text(f"未读 {before - 1}")
    assert portal.unread("iph.researcher") == before - 1


async def test_projects_list_filters_and_the_project_page(
    page: Page, portal: Portal, screenshots: Path
) -> None:
    await sign_in(page, portal)
    await page.get_by_role("link", name="科研项目").click()
    await expect(page.get_by_role("heading", name="科研项目", level=1)).to_be_visible()
    table = page.locator("table.projects")
    await expect(table).to_contain_text(RETURNED_TITLE)
    await expect(table).to_contain_text(DRAFT_TITLE)
    await page.screenshot(path=screenshots / "projects.png", full_page=True)

    await page.get_by_label("状态").select_option("RETURNED")
    await page.get_by_role("button", name="筛选", exact=True).click()
    await expect(page).to_have_url(re.compile(r"state=RETURNED"))
    await expect(table).to_contain_text(RETURNED_TITLE)
    await expect(table).not_to_contain_text(DRAFT_TITLE)

    await page.get_by_label("状态").select_option("CLOSED")
    await page.get_by_role("button", name="筛选", exact=True).click()
    await expect(page.get_by_text("没有符合条件的项目。")).to_be_visible()
    await page.get_by_role("button", name="清除").click()
    await expect(table).to_contain_text(DRAFT_TITLE)

    await page.get_by_role("link", name=RETURNED_TITLE).click()
    await expect(page.get_by_role("heading", name=RETURNED_TITLE, level=1)).to_be_visible()
    await expect(page.get_by_test_id("project-state")).to_have_text("退回修改")
    transitions = page.get_by_test_id("transitions")
    await expect(transitions).to_contain_text("提交评审")
    await expect(transitions).to_contain_text("终止")
    await expect(page.get_by_test_id("timeline")).to_contain_text("单位审核")
    await expect(page.get_by_test_id("risk-points").locator("tbody tr")).to_have_count(7)
    await expect(page.get_by_test_id("risk-points")).to_contain_text("科学数据安全风险")
    await page.screenshot(path=screenshots / "project.png", full_page=True)

    # A reload of a deep link: the server serves the app, the refresh cookie renews the session.
    await page.reload()
    await expect(page.get_by_role("heading", name=RETURNED_TITLE, level=1)).to_be_visible()


async def test_switch_to_english_and_back(page: Page, portal: Portal, screenshots: Path) -> None:
    await sign_in(page, portal)
    await page.get_by_role("button", name="切换为英文界面").click()
    await expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_role("link", name="Research projects").click()
    await expect(page.get_by_label("State")).to_be_visible()
    await page.screenshot(path=screenshots / "projects-en.png", full_page=True)
    # The language is kept on the server too (notices are worded in it).
    viewer = portal.gql("iph.researcher", "{ viewer { locale } }")
    assert viewer["viewer"]["locale"] == "en"

    await page.get_by_role("button", name="Switch to Chinese").click()
    await expect(page.get_by_role("heading", name="科研项目", level=1)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert portal.gql("iph.researcher", "{ viewer { locale } }")["viewer"]["locale"] == "zh"


async def test_another_institute_does_not_see_the_project(page: Page, portal: Portal) -> None:
    await sign_in(page, portal, "iau.researcher")
    await page.goto(f"/projects/{portal.ids['returned']}")
    await expect(page.get_by_text("未找到该项目，或您无权查看。")).to_be_visible()


async def test_assessment_editor_checks_fields_and_saves(
    page: Page, portal: Portal, screenshots: Path
) -> None:
    await sign_in(page, portal)
    await page.goto(f"/projects/{portal.ids['draft']}")
    await page.get_by_role("link", name="编辑风险评估").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(DRAFT_TITLE)
    await expect(page.get_by_test_id("matrix").locator("tbody tr")).to_have_count(5)

    data = page.get_by_test_id("category-DATA_SECURITY")
    await data.get_by_role("button", name="添加风险点").click()
    await page.get_by_role("button", name="保存").click()
    description = data.get_by_label("风险点描述")
    await expect(description).to_have_attribute("aria-invalid", "true")
    await expect(description).to_be_focused()
    await expect(data.get_by_text("必填。")).to_be_visible()

    await description.fill("实验数据跨境传输")
    await expect(data.get_by_text("必填。")).to_have_count(0)
    await expect(description).not_to_have_attribute("aria-invalid", "true")
    await data.get_by_label("可能性").select_option("4")
    await data.get_by_label("影响程度").select_option("3")
    await expect(data.locator("output")).to_have_text("风险等级：高")
    await data.get_by_role("button", name="添加防范措施").click()
    await data.get_by_label("防范措施 1").fill("数据出境安全评估")
    secrecy = page.get_by_test_id("category-CONFIDENTIALITY")
    await secrecy.get_by_label("本项目不涉及此类风险").check()
    await secrecy.get_by_label("不涉及的理由").fill("不涉及国家秘密")
    await page.screenshot(path=screenshots / "assessment-editor.png", full_page=True)
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_test_id("save-status")).to_contain_text("已保存")

    saved = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { currentAssessment { overallLevel "
        "notApplicable { category reason } riskPoints { category level measures "
        "{ description } } } } }",
        {"id": portal.ids["draft"]},
    )["project"]["currentAssessment"]
    assert saved["overallLevel"] == "HIGH"
    assert saved["notApplicable"] == [{"category": "CONFIDENTIALITY", "reason": "不涉及国家秘密"}]
    assert saved["riskPoints"] == [
        {
            "category": "DATA_SECURITY",
            "level": "HIGH",
            "measures": [{"description": "数据出境安全评估"}],
        }
    ]
    await page.get_by_role("link", name=f"← {DRAFT_TITLE}").click()
    await expect(page.get_by_test_id("risk-points")).to_contain_text("实验数据跨境传输")


async def test_submitting_an_incomplete_assessment_asks_first_and_shows_why_not(
    page: Page, portal: Portal
) -> None:
    await sign_in(page, portal)
    await page.goto(f"/projects/{portal.ids['draft']}/assessment")
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    await page.get_by_role("button", name="提交评审").click()
    await expect(page.get_by_test_id("save-error")).to_be_visible()
    assert dialogs == ["提交后评估不能再修改，确定提交评审吗？"]
    assert (
        portal.gql(
            "iph.researcher",
            "query($id: ID!) { project(id: $id) { state } }",
            {"id": portal.ids["draft"]},
        )["project"]["state"]
        == "DRAFT"
    )
    # The server's own words (its messages are in English whatever the language).
    await expect(page.get_by_test_id("save-error")).to_contain_text("incomplete")


def test_the_server_answers_the_app_s_own_paths_with_the_app(portal: Portal) -> None:
    deep = httpx.get(f"{portal.base}/projects/anything")
    assert deep.status_code == 200
    assert '<div id="root">' in deep.text
    assert httpx.get(f"{portal.base}/assets/missing.js").status_code == 404
    assert httpx.get(f"{portal.base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{portal.base}/graphql", headers={"accept": "text/html"}).status_code == 200
