"""Tasks waiting for me, HQ settings, hazard supervision and the header's layout in real headless
Chromium (issue 8).

A reviewer (iph.research-management) finds a submitted project among their tasks and opens it;
HQ (hq.safety-committee-office) saves a rubric whose weights do not add up to 100 (the error is
shown at the field) and then a valid one; the branch supervisor (bj.supervisor) supervises a
hazard; the header stays one line at 1280 and 1024 px. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from portal_support import CATEGORIES, ERRORS, NewPage, Portal, _create, _ok, save_assessment

from server import clock

SUBMITTED_TITLE = "待审核的光谱成像项目"
HAZARD_TITLE = "实验室通风不足"


def _submitted_project(portal: Portal) -> str:
    """A project submitted for the institute's review, made through the API."""
    project = _create(portal, SUBMITTED_TITLE)
    assessment = project["currentAssessment"]
    save_assessment(
        portal,
        "iph.researcher",
        assessment,
        {
            "riskPoints": [
                {
                    "category": c,
                    "description": f"{c} 风险点",
                    "likelihood": 2,
                    "impact": 2,
                    "consequences": "可能的后果",
                    "measures": [
                        {
                            "description": "防范措施",
                            "ownerId": portal.ids["iph.researcher"],
                            "dueDate": (clock.today() + timedelta(days=90)).isoformat(),
                        }
                    ],
                }
                for c in CATEGORIES
            ],
            "dependencies": [
                {
                    "item": "单光子探测器",
                    "itemKind": "equipment",
                    "sourceCountry": "瑞士",
                    "supplier": "某供应商",
                    "domesticSubstitute": False,
                    "stockOrLeadTime": "6个月",
                }
            ],
        },
    )
    fresh = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { version currentAssessment { id } } }",
        {"id": project["id"]},
    )["project"]
    _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($a: ID!, $v: Int) {{ submitProject(assessmentId: $a, expectedVersion: $v)
                {{ __typename {ERRORS} }} }}""",
            {"a": fresh["currentAssessment"]["id"], "v": fresh["version"]},
        )["submitProject"]
    )
    return str(project["id"])


async def test_reviewer_sees_a_submitted_project_among_their_tasks(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    project_id = _submitted_project(portal)
    page, _ = await signed_in("iph.research-management")
    tasks = page.get_by_test_id("tasks")
    await expect(tasks.get_by_role("heading", name="待办事项")).to_be_visible()
    task = tasks.get_by_role("link", name=SUBMITTED_TITLE)
    await expect(task).to_be_visible()
    await expect(tasks).to_contain_text("待审核")
    await page.screenshot(path=screenshots / "tasks-reviewer.png", full_page=True)
    await task.focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{portal.base}/projects/{project_id}")
    await expect(page.get_by_role("heading", name=SUBMITTED_TITLE, level=1)).to_be_visible()


async def test_hq_saves_the_rubric_only_when_the_weights_add_up(
    signed_in: NewPage, screenshots: Path
) -> None:
    page, dialogs = await signed_in("hq.safety-committee-office")
    await page.get_by_test_id("main-nav").get_by_role("link", name="设置").click()
    await expect(page.get_by_role("heading", name="总部设置", level=1)).to_be_visible()
    total = page.get_by_test_id("weights-total")
    await expect(total).to_have_text("权重合计：100%")
    first = page.locator("input[id^=rubric-w-]").first
    original = await first.input_value()
    await first.fill(str(float(original) + 5))
    await expect(total).to_contain_text("105")
    await page.get_by_role("button", name="保存评价细则").click()
    error = page.get_by_test_id("weights-error")
    await expect(error).to_contain_text("各项权重之和须为100")
    await expect(first).to_have_attribute("aria-invalid", "true")
    assert dialogs == []  # nothing is asked before the form is valid
    await page.screenshot(path=screenshots / "settings-rubric-error.png", full_page=True)

    await first.fill(original)
    await expect(total).to_have_text("权重合计：100%")
    await expect(error).to_have_count(0)
    await page.get_by_label("说明").fill("调整说明")
    await page.get_by_role("button", name="保存评价细则").click()
    await expect(page.get_by_test_id("rubric-done")).to_contain_text("已保存评价细则第")
    assert len(dialogs) == 1
    await expect(page.get_by_role("heading", name="预警指标阈值")).to_be_visible()
    await expect(page.get_by_role("heading", name="奖励登记")).to_be_visible()
    await page.screenshot(path=screenshots / "settings.png", full_page=True)


def _hazard(portal: Portal) -> str:
    result: Any = portal.gql(
        "iph.safety-management",
        f"""mutation($p: ID!) {{ reportHazard(projectId: $p, title: "{HAZARD_TITLE}",
            description: "通风橱风速不足", severity: MAJOR) {{ __typename
            ... on HazardSaved {{ hazard {{ id }} }} {ERRORS} }} }}""",
        {"p": portal.ids["draft"]},
    )["reportHazard"]
    return str(_ok(result)["hazard"]["id"])


async def test_branch_supervisor_supervises_a_hazard(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    hazard_id = _hazard(portal)
    page, dialogs = await signed_in("bj.supervisor")
    await page.get_by_test_id("main-nav").get_by_role("link", name="风险隐患").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=HAZARD_TITLE))
    await expect(row).to_contain_text("新型超导薄膜表征")  # the project's title
    await row.get_by_role("link", name=HAZARD_TITLE).click()
    await expect(page).to_have_url(f"{portal.base}/hazards/{hazard_id}")
    supervision = page.get_by_test_id("supervision")
    await expect(supervision).to_contain_text("尚无督办记录")
    await supervision.get_by_role("button", name="督办").click()
    await expect(page.get_by_label("督办意见")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("督办意见").fill("请于两周内完成整改并报送材料")
    await page.get_by_label("办结期限（可选）").fill(
        (clock.today() + timedelta(days=14)).isoformat()
    )
    await supervision.get_by_role("button", name="督办").click()
    await expect(page.get_by_test_id("supervisions")).to_contain_text("请于两周内完成整改")
    assert dialogs and "督办" in dialogs[-1]
    await page.screenshot(path=screenshots / "hazard-supervision.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 1024])
async def test_the_header_stays_one_line(signed_in: NewPage, width: int, screenshots: Path) -> None:
    page, _ = await signed_in("hq.safety-committee-office", width)
    header = await page.locator("header.top").bounding_box()
    nav = await page.get_by_test_id("main-nav").bounding_box()
    assert header and nav
    assert header["height"] < 60, header  # one line, nothing wrapped
    assert nav["width"] < 260 and nav["y"] >= header["height"] - 1, nav  # a sidebar below it
    links = page.get_by_test_id("main-nav").get_by_role("link")
    assert await links.count() >= 8
    for n in range(await links.count()):
        box = await links.nth(n).bounding_box()
        assert box and box["x"] + box["width"] <= nav["x"] + nav["width"] + 1, box
    # The keyboard reaches the links, with a visible focus.
    await page.get_by_test_id("main-nav").get_by_role("link", name="科研项目").focus()
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    await page.screenshot(path=screenshots / f"header-{width}.png")
