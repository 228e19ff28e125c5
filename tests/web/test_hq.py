"""Supervision and HQ screens in real headless Chromium (issue 8): the evaluation, the warning
list that blocks a new proposal, the oversight views, users and roles.

Each person signs in afresh in a browser context of their own. Screenshots go to var/screenshots/.
The evaluation uses a past year (this year minus 3) so that it clashes with nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect
from portal_support import NewPage, Portal

from server import clock

YEAR = clock.today().year - 3
BANNED_TITLE = "受警示名录限制的新项目"


async def test_hq_publishes_an_evaluation_and_a_ban_blocks_a_new_proposal(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    hq, hq_dialogs = await signed_in("hq.safety-committee-office")

    # The evaluation of a past year: run, adjust one rating (a reason is required), publish.
    await hq.get_by_role("link", name="考核评估").click()
    await expect(hq.get_by_role("heading", name="考核评估", level=1)).to_be_visible()
    await hq.get_by_label("年度", exact=True).fill(str(YEAR))
    await hq.get_by_role("button", name="运行评估").click()
    detail = hq.get_by_test_id("run-detail")
    await expect(detail.get_by_role("heading", level=2)).to_contain_text(f"{YEAR} 年度评估")
    await expect(detail.get_by_test_id("run-state")).to_have_text("草稿")
    rows = hq.locator("[data-testid=run-ratings] > tbody > tr")
    await expect(rows).to_have_count(4)
    ims = rows.filter(has_text="微系统研究所")
    await ims.get_by_label("调整为").select_option("YELLOW")
    await ims.get_by_role("button", name="调整等级").click()
    reason = ims.get_by_label("调整理由")
    await expect(reason).to_have_attribute("aria-invalid", "true")
    await expect(reason).to_be_focused()
    await expect(ims.get_by_text("必填。")).to_be_visible()
    await reason.fill("年内发生一般事件，提高一级")
    await ims.get_by_role("button", name="调整等级").click()
    await expect(hq.get_by_test_id("evaluation-status")).to_have_text("已调整。")
    await expect(ims).to_contain_text("年内发生一般事件，提高一级")
    await hq.screenshot(path=screenshots / "evaluation-draft.png", full_page=True)
    await detail.get_by_role("button", name="发布评估结果").click()
    await expect(detail.get_by_test_id("run-state")).to_have_text("已发布")
    assert hq_dialogs == [f"发布后 {YEAR} 年度评估结果不能再修改，并将通知各单位。确定发布吗？"]
    await expect(detail.get_by_role("button", name="发布评估结果")).to_have_count(0)
    await hq.screenshot(path=screenshots / "evaluation-published.png", full_page=True)
    runs = portal.gql("hq.safety-committee-office", "{ evaluationRuns { year state } }")
    assert {"year": YEAR, "state": "PUBLISHED"} in runs["evaluationRuns"]

    # A ban on the researcher, through the form (a missing reason is shown at its field first).
    await hq.get_by_role("link", name="警示名录").click()
    await expect(hq.get_by_role("heading", name="警示名录", level=1)).to_be_visible()
    # The list's own institute filter carries the same label; the ban's form is meant here.
    ban = hq.get_by_role("form", name="列入警示名录")
    await ban.get_by_label("研究所", exact=True).select_option(portal.ids["IPH"])
    await hq.get_by_label("对象类型").select_option("PERSON")
    await hq.get_by_label("人员", exact=True).select_option(portal.ids["iph.researcher"])
    await hq.get_by_label("来源").select_option("VIOLATION")
    await hq.get_by_label("禁止新立项目").check()
    await hq.get_by_role("button", name="列入警示名录").click()
    why = hq.get_by_label("原因", exact=True)
    await expect(why).to_have_attribute("aria-invalid", "true")
    await expect(why).to_be_focused()
    await why.fill("违反科研项目安全管理规定")
    await hq.get_by_role("button", name="列入警示名录").click()
    await expect(hq.get_by_test_id("warning-list-status")).to_have_text("已列入警示名录。")
    entry = hq.get_by_test_id("warning-entry").filter(has_text="违反科研项目安全管理规定")
    await expect(entry).to_have_count(1)
    await expect(entry.get_by_test_id("entry-state")).to_have_text("有效")
    await expect(entry).to_contain_text("禁止立项")
    await entry.get_by_text("变更记录").click()
    await expect(entry.locator("ol.timeline li")).to_have_count(1)
    await hq.screenshot(path=screenshots / "warning-list.png", full_page=True)

    # The researcher's new project cannot be submitted: the page shows the R-WARNLIST reason.
    researcher, researcher_dialogs = await signed_in("iph.researcher")
    await expect(researcher.get_by_role("link", name="考核评估")).to_have_count(0)
    await expect(researcher.get_by_role("link", name="警示名录")).to_have_count(0)
    await researcher.get_by_role("link", name="科研项目", exact=True).click()
    await researcher.get_by_role("link", name="提出项目").click()
    await expect(researcher.get_by_role("heading", name="提出项目", level=1)).to_be_visible()
    await researcher.get_by_label("项目名称").fill(BANNED_TITLE)
    await researcher.get_by_label("所属部门").select_option(index=1)
    await researcher.get_by_label("结束日期").fill(f"{clock.today().year + 2}-12-31")
    await researcher.get_by_label("项目简介").fill("研究内容")
    await researcher.get_by_role("button", name="创建项目").click()
    await expect(researcher).to_have_url(re.compile(r"/projects/[^/]+/assessment$"))
    project_id = researcher.url.rsplit("/", 2)[-2]
    await expect(researcher.get_by_role("heading", level=1)).to_contain_text(BANNED_TITLE)
    await researcher.get_by_role("button", name="提交评审").click()
    await expect(researcher.get_by_test_id("save-error")).to_contain_text("R-WARNLIST")
    await expect(researcher.get_by_test_id("save-error")).to_contain_text(
        "违反科研项目安全管理规定"
    )
    assert researcher_dialogs == ["提交后评估不能再修改，确定提交评审吗？"]
    await researcher.screenshot(path=screenshots / "submit-refused-warnlist.png", full_page=True)
    standing = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { state warningListStanding { banned } } }",
        {"id": project_id},
    )["project"]
    assert standing == {"state": "DRAFT", "warningListStanding": {"banned": True}}

    # HQ lifts the entry after a confirmation, with a reason, so nothing else is affected.
    hq_dialogs.clear()
    await entry.get_by_role("button", name="解除").click()
    await entry.get_by_label("解除理由").fill("整改完成")
    await entry.get_by_role("button", name="解除").click()
    await expect(entry.get_by_test_id("entry-state")).to_have_text("已解除")
    assert len(hq_dialogs) == 1 and hq_dialogs[0].startswith("解除后该条目不再生效")
    await expect(entry.get_by_role("button", name="修改")).to_have_count(0)
    await expect(entry.locator("ol.timeline li")).to_have_count(2)
    standing = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { warningListStanding { banned flagged } } }",
        {"id": project_id},
    )["project"]
    assert standing == {"warningListStanding": {"banned": False, "flagged": False}}

    # HQ's oversight covers every institute and shows the year's published ratings.
    await hq.get_by_role("link", name="监督总览").click()
    await expect(hq.get_by_role("heading", name="监督总览", level=1)).to_be_visible()
    await expect(hq.locator("[data-testid=projects-by-institute] tbody tr")).to_have_count(5)
    await hq.get_by_label("评估年度").fill(str(YEAR))
    await hq.get_by_label("评估年度").press("Enter")
    await expect(hq).to_have_url(re.compile(rf"year={YEAR}"))
    await expect(hq.locator("[data-testid=ratings] tbody tr")).to_have_count(4)
    await expect(hq.get_by_test_id("ratings")).to_contain_text("年内发生一般事件，提高一级")
    await hq.screenshot(path=screenshots / "oversight-hq.png", full_page=True)


async def test_the_branch_supervisor_sees_only_its_institutes_and_exports(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    page, _ = await signed_in("bj.supervisor")
    await page.get_by_role("link", name="监督总览").click()
    await expect(page.get_by_role("heading", name="监督总览", level=1)).to_be_visible()
    institutes = page.get_by_test_id("oversight-institutes")
    await expect(institutes).to_contain_text("物理研究所")
    await expect(institutes).to_contain_text("自动化研究所")
    await expect(institutes).not_to_contain_text("有机化学研究所")
    await expect(institutes).not_to_contain_text("微系统研究所")
    table = page.get_by_test_id("projects-by-institute")
    await expect(table.locator("tbody tr")).to_have_count(3)  # two institutes and the sum
    await expect(table).not_to_contain_text("有机化学研究所")
    await expect(page.get_by_test_id("heatmap").locator("tbody tr")).to_have_count(5)
    await expect(page.locator("svg[role=img]")).to_have_count(3)
    await page.screenshot(path=screenshots / "oversight-branch.png", full_page=True)

    # The Excel export is fetched with the bearer token and saved.
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="导出 Excel").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")

    # Narrowed to one institute.
    await page.get_by_label("查看范围").select_option(portal.ids["IPH"])
    await expect(page.get_by_test_id("oversight-unit")).to_have_text("物理研究所")
    await expect(table.locator("tbody tr")).to_have_count(2)

    # The warning list is read-only for a branch.
    await page.get_by_role("link", name="警示名录").click()
    await expect(page.get_by_text("只读：名录由院机关管理。")).to_be_visible()
    await expect(page.get_by_role("button", name="列入警示名录")).to_have_count(0)

    # In English too (and back, which is also kept on the server).
    await page.get_by_role("link", name="监督总览").click()
    await page.get_by_role("button", name="切换为英文界面").click()
    await expect(page.get_by_role("heading", name="Oversight", level=1)).to_be_visible()
    await expect(
        page.get_by_role("heading", name="Risk heatmap (likelihood × impact)")
    ).to_be_visible()
    await page.screenshot(path=screenshots / "oversight-en.png", full_page=True)
    await page.get_by_role("button", name="Switch to Chinese").click()
    await expect(page.get_by_role("heading", name="监督总览", level=1)).to_be_visible()


async def test_a_tenant_admin_grants_and_revokes_a_role(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    page, dialogs = await signed_in("iph.tenant-admin")
    await page.get_by_role("link", name="用户与角色").click()
    await expect(page.get_by_role("heading", name="用户与角色", level=1)).to_be_visible()
    row = page.get_by_test_id("users").locator("tbody tr").filter(has_text="iph.researcher")
    await expect(row).to_have_count(1)
    await row.get_by_role("button", name="授予").click()
    await expect(row.get_by_text("必填。")).to_be_visible()
    await row.get_by_label("要授予的角色").select_option("PUBLIC_OPINION_OFFICER")
    await row.get_by_role("button", name="授予").click()
    revoke = row.get_by_role("button", name=re.compile("^撤销.*舆情应对人员"))
    await expect(revoke).to_be_visible()
    roles = portal.gql(
        "iph.tenant-admin",
        "query($id: ID!) { user(id: $id) { roles { role } } }",
        {"id": portal.ids["iph.researcher"]},
    )["user"]["roles"]
    assert "PUBLIC_OPINION_OFFICER" in [r["role"] for r in roles]
    await page.screenshot(path=screenshots / "users.png", full_page=True)
    await revoke.click()
    await expect(revoke).to_have_count(0)
    assert dialogs and dialogs[-1].startswith("确定撤销")
    roles = portal.gql(
        "iph.tenant-admin",
        "query($id: ID!) { user(id: $id) { roles { role } } }",
        {"id": portal.ids["iph.researcher"]},
    )["user"]["roles"]
    assert "PUBLIC_OPINION_OFFICER" not in [r["role"] for r in roles]

    # A new person, with a role: a missing name and a weak password are shown at their fields.
    await page.get_by_text("新建用户").click()
    await page.get_by_role("button", name="创建用户").click()
    username = page.get_by_label("用户名", exact=True)
    await expect(username).to_have_attribute("aria-invalid", "true")
    await expect(username).to_be_focused()
    await username.fill("iph.new-officer")
    await page.get_by_label("姓名", exact=True).fill("新安全员")
    password = page.get_by_label("初始密码")
    await password.fill("short")
    await page.get_by_label("安全管理部门").check()
    await page.get_by_role("button", name="创建用户").click()
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#cu-password-error")).to_contain_text("12")
    await password.fill("Quite-Long-Passw0rd")
    await page.get_by_role("button", name="创建用户").click()
    new_row = page.get_by_test_id("users").locator("tbody tr").filter(has_text="iph.new-officer")
    await expect(new_row).to_contain_text("安全管理部门")
