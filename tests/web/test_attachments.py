"""Attachments and the remaining decisions in the portal (issue 8), in real headless Chromium.

An outcome's material and a permit's document are uploaded with them and downloaded from them;
a hazard takes documents besides its rectification evidence and, once closed, is reopened (asked
first, with a reason); HQ's ban carries an end date (checked next to its field) that the warning
list keeps; HQ rewards a person; a unit's own documents are listed, versioned and downloaded.
Every outcome is read back through the API. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect
from portal_support import ERRORS, Portal, draft_project, gql_ok, session_as, start_project

from server import clock

HAZARD = "实验废液暂存不规范"
MAJOR = "高压气瓶固定缺失"


def _upload(portal: Portal, user: str, new: dict[str, Any], name: str, data: bytes) -> str:
    """A document uploaded through the API (a ticket, then the bytes); its ID."""
    started = gql_ok(
        portal,
        user,
        "startUpload",
        f"""mutation($i: StartUploadInput!) {{ startUpload(input: $i) {{ __typename
            ... on UploadStarted {{ ticket {{ uploadUrl documentId }} }} {ERRORS} }} }}""",
        {"i": {"fileName": name, "size": len(data), "newDocument": new}},
    )["ticket"]
    response = httpx.put(
        f"{portal.base}{started['uploadUrl']}",
        content=data,
        headers={"authorization": f"Bearer {portal.token(user)}"},
        timeout=30,
    )
    assert response.status_code < 300, response.text
    return str(started["documentId"])


def _document(portal: Portal, user: str, document_id: str) -> dict[str, Any]:
    data = portal.gql(
        user,
        """query($id: ID!) { document(id: $id) { id title kind attachedType latestVersion
             versions { id number state } } }""",
        {"id": document_id},
    )
    assert data["document"], document_id
    return data["document"]  # type: ignore[no-any-return]


async def _download(page: Page, button_name: str) -> bytes:
    async with page.expect_download() as info:
        await page.get_by_role("button", name=button_name).click()
    download = await info.value
    return await asyncio.to_thread(Path(await download.path()).read_bytes)


def _hazard_step(
    portal: Portal, user: str, name: str, hazard_id: str, args: str, **kw: Any
) -> None:
    version = portal.gql(
        user, "query($id: ID!) { hazard(id: $id) { version } }", {"id": hazard_id}
    )["hazard"]["version"]
    variables = {"id": hazard_id, "v": version, **kw}
    params = "".join(f", ${k}: {t}" for k, t in _TYPES.items() if k in kw)
    gql_ok(
        portal,
        user,
        name,
        f"mutation($id: ID!, $v: Int!{params}) {{ {name}(hazardId: $id, expectedVersion: $v, "
        f"{args}) {{ __typename {ERRORS} }} }}",
        variables,
    )


_TYPES = {"owner": "ID!", "deadline": "Date!", "note": "String!", "adequate": "Boolean!"}


def _rectified(portal: Portal, title: str, severity: str, *, adequate: bool) -> str:
    """A hazard of the draft project, planned, rectified with evidence and verified."""
    hazard = gql_ok(
        portal,
        "iph.safety-management",
        "reportHazard",
        f"""mutation($p: ID!, $t: String!) {{ reportHazard(projectId: $p, title: $t,
            description: "检查中发现", severity: {severity}) {{ __typename
            ... on HazardSaved {{ hazard {{ id }} }} {ERRORS} }} }}""",
        {"p": portal.ids["draft"], "t": title},
    )["hazard"]
    hid = str(hazard["id"])
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    _hazard_step(
        portal,
        "iph.safety-management",
        "planRectification",
        hid,
        'ownerId: $owner, deadline: $deadline, plan: "限期整改"',
        owner=portal.ids["iph.researcher"],
        deadline=deadline,
    )
    _upload(
        portal,
        "iph.researcher",
        {
            "attachedTo": {"type": "HAZARD", "id": hid},
            "kind": "RECTIFICATION_EVIDENCE",
            "sensitivity": "INTERNAL",
            "title": "整改照片",
        },
        "整改照片.pdf",
        b"%PDF-1.4\n% evidence\n%%EOF\n",
    )
    _hazard_step(portal, "iph.researcher", "submitRectification", hid, "note: $note", note="已整改")
    _hazard_step(
        portal,
        "iph.safety-management",
        "verifyRectification",
        hid,
        "adequate: $adequate, note: $note",
        adequate=adequate,
        note="验收",
    )
    return hid


async def test_R_OUTCOME_material_and_R_PERMIT_document_are_attached_and_downloaded(
    browser: Browser, portal: Portal, screenshots: Path, tmp_path: Path
) -> None:
    project_id = draft_project(portal, "深海传感器数据处理")
    start_project(portal, project_id)
    material = tmp_path / "论文初稿.pdf"
    material.write_bytes(b"%PDF-1.4\n% outcome material\n%%EOF\n")
    permit = tmp_path / "许可证.pdf"
    permit.write_bytes(b"%PDF-1.4\n% permit SJ-2026-0042\n%%EOF\n")

    # R-OUTCOME: the researcher submits an outcome with its material.
    async with session_as(browser, portal, "iph.researcher") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        outcomes = page.locator("section", has=page.get_by_role("heading", name="成果发布审查"))
        await outcomes.get_by_label("成果类型").select_option("PAPER")
        await outcomes.get_by_label("成果名称").fill("深海传感数据论文")
        await outcomes.get_by_label("发布渠道").fill("学术期刊")
        await outcomes.get_by_label("成果材料文件（可选）").set_input_files(material)
        await outcomes.get_by_role("button", name="提交成果发布审查").click()
        shown = page.get_by_test_id("outcome-material")
        await expect(shown).to_contain_text("成果材料: 深海传感数据论文")
        saved = await _download(page, "下载 成果材料 深海传感数据论文")
        assert saved == material.read_bytes()
        await page.screenshot(path=screenshots / "attachments-outcome-material.png", full_page=True)

    outcome = portal.gql(
        "iph.researcher",
        "query($p: ID!) { outcomes(projectId: $p) { nodes { title materialDocumentId } } }",
        {"p": project_id},
    )["outcomes"]["nodes"][0]
    assert outcome["materialDocumentId"]
    doc = _document(portal, "iph.researcher", outcome["materialDocumentId"])
    assert doc["kind"] == "OUTCOME_MATERIAL" and doc["attachedType"] == "project"

    # R-PERMIT: research management records a permit with its document.
    async with session_as(browser, portal, "iph.research-management") as s:
        page = s.page
        await page.goto(f"/projects/{project_id}")
        await page.get_by_label("发证机关").fill("国家海洋局")
        await page.get_by_label("许可证号").fill("SJ-2026-0042")
        await page.get_by_label("许可范围").fill("深海数据采集")
        await page.get_by_label("有效期至").fill((clock.today() + timedelta(days=365)).isoformat())
        await page.get_by_label("许可文件（可选）").set_input_files(permit)
        await page.get_by_role("button", name="登记行政许可").click()
        await expect(page.get_by_test_id("permits")).to_contain_text("SJ-2026-0042")
        await expect(page.get_by_test_id("permit-document")).to_contain_text("许可文件")
        saved = await _download(page, "下载 许可文件 国家海洋局 SJ-2026-0042")
        assert saved == permit.read_bytes()
        await page.screenshot(path=screenshots / "attachments-permit.png", full_page=True)

    permits = portal.gql(
        "iph.research-management",
        "query($id: ID!) { project(id: $id) { permits { permitNumber documentId } } }",
        {"id": project_id},
    )["project"]["permits"]
    (recorded,) = [p for p in permits if p["permitNumber"] == "SJ-2026-0042"]
    assert recorded["documentId"]
    assert _document(portal, "iph.research-management", recorded["documentId"])["kind"] == "PERMIT"


async def test_R_HAZARD_documents_on_the_hazard_and_reopening_a_closed_hazard(
    browser: Browser, portal: Portal, screenshots: Path, tmp_path: Path
) -> None:
    hazard_id = _rectified(portal, HAZARD, "GENERAL", adequate=True)
    report = tmp_path / "复查报告.pdf"
    report.write_bytes(b"%PDF-1.4\n% inspection report\n%%EOF\n")

    async with session_as(browser, portal, "iph.safety-management") as s:
        page = s.page
        await page.goto(f"/hazards/{hazard_id}")
        await expect(page.get_by_test_id("hazard-state")).to_have_text("已销号")
        docs = page.get_by_test_id("hd-documents")
        await expect(docs).to_contain_text("整改照片")  # the evidence is the hazard's too
        await docs.get_by_label("文件").set_input_files(report)
        await docs.get_by_role("button", name="上传").click()
        title = docs.get_by_label("文档名称")
        await expect(title).to_have_attribute("aria-invalid", "true")
        await expect(title).to_be_focused()
        await title.fill("隐患复查报告")
        await docs.get_by_label("文档类型").select_option("INSPECTION_REPORT")
        await docs.get_by_role("button", name="上传").click()
        await expect(
            docs.get_by_test_id("hd-document").filter(has_text="隐患复查报告")
        ).to_contain_text("版本 1")
        assert await _download(page, "下载 隐患复查报告 v1") == report.read_bytes()

        # Reopening asks for a reason, then for confirmation.
        reopen = page.locator("section", has=page.get_by_role("heading", name="重新打开隐患"))
        await reopen.get_by_role("button", name="重新打开隐患").click()
        reason = reopen.get_by_label("重新打开原因")
        await expect(reason).to_have_attribute("aria-invalid", "true")
        await expect(reason).to_be_focused()
        await reason.fill("复查发现废液仍混放")
        await reopen.get_by_role("button", name="重新打开隐患").click()
        await expect(page.get_by_test_id("hazard-state")).to_have_text("待整改")
        await expect(page.get_by_test_id("hazard-reopened")).to_have_text("1")
        assert any(HAZARD in d and "重新打开" in d for d in s.dialogs)
        await page.screenshot(path=screenshots / "attachments-hazard.png", full_page=True)

    data = portal.gql(
        "iph.safety-management",
        """query($id: ID!) { hazard(id: $id) { state reopened }
             documents(attachedTo: {type: HAZARD, id: $id}) { title kind latestVersion } }""",
        {"id": hazard_id},
    )
    assert data["hazard"] == {"state": "OPEN", "reopened": 1}
    assert {"title": "隐患复查报告", "kind": "INSPECTION_REPORT", "latestVersion": 1} in data[
        "documents"
    ]


async def test_R_OVERDUE_a_ban_ends_on_the_date_HQ_gives(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    hazard_id = _rectified(portal, MAJOR, "MAJOR", adequate=False)
    rec = gql_ok(
        portal,
        "bj.supervisor",
        "recommendHandling",
        f"""mutation($h: ID!) {{ recommendHandling(hazardId: $h, reason: "整改不到位") {{
            __typename ... on RecommendationSaved {{ recommendation {{ id }} }} {ERRORS} }} }}""",
        {"h": hazard_id},
    )["recommendation"]
    ends = (clock.today() + timedelta(days=180)).isoformat()

    async with session_as(browser, portal, "hq.business-department") as s:
        page = s.page
        await page.goto(f"/hazards/{hazard_id}")
        decide = page.locator("form", has=page.get_by_role("button", name="作出决定"))
        await decide.get_by_label("禁止新项目").check()
        await decide.get_by_label("项目负责人").check()
        end = decide.get_by_label("禁止期限至（可选，不填为直至解除）")
        await end.fill(clock.today().isoformat())
        await decide.get_by_label("决定说明").fill("负责人一年内不得申请新项目")
        await decide.get_by_role("button", name="作出决定").click()
        await expect(end).to_have_attribute("aria-invalid", "true")
        await expect(end).to_be_focused()
        await expect(decide.locator(".field-error")).to_contain_text("禁止期限须晚于")
        await end.fill(ends)
        await decide.get_by_role("button", name="作出决定").click()
        await expect(page.get_by_text("禁止新项目 · ")).to_be_visible()
        await page.screenshot(path=screenshots / "attachments-ban-end.png", full_page=True)

    entries = portal.gql(
        "hq.business-department",
        """query($u: ID!) { warningList(filter: {orgUnitId: $u, bansOnly: true}, first: 100) {
             nodes { id sourceId subjectKind subjectId startsOn endsOn ban } } }""",
        {"u": portal.ids["IPH"]},
    )["warningList"]["nodes"]
    (entry,) = [e for e in entries if e["sourceId"] == rec["id"]]
    assert entry["subjectKind"] == "PERSON"
    assert entry["subjectId"] == portal.ids["iph.researcher"]
    assert entry["startsOn"] == clock.today().isoformat() and entry["endsOn"] == ends
    # The ban stops the researcher's new projects (R-WARNLIST): lift it for the other tests.
    gql_ok(
        portal,
        "hq.business-department",
        "liftWarningListEntry",
        f"""mutation($id: ID!) {{ liftWarningListEntry(id: $id, reason: "测试结束") {{
            __typename {ERRORS} }} }}""",
        {"id": entry["id"]},
    )


async def test_R_REWARD_HQ_rewards_a_person(
    browser: Browser, portal: Portal, screenshots: Path
) -> None:
    async with session_as(browser, portal, "hq.safety-committee-office") as s:
        page = s.page
        await page.goto("/settings")
        rewards = page.locator("section", has=page.get_by_role("heading", name="奖励登记"))
        await rewards.get_by_label("个人").check()
        person = rewards.get_by_label("人员")
        await expect(person).to_be_disabled()
        await rewards.get_by_label("研究所").select_option(portal.ids["IPH"])
        await expect(person).to_be_enabled()
        await rewards.get_by_role("button", name="登记奖励").click()
        await expect(person).to_have_attribute("aria-invalid", "true")
        await person.select_option(portal.ids["iph.researcher"])
        await rewards.get_by_label("奖励事由").select_option("POLICY_ADOPTED")
        await rewards.get_by_label("表彰内容").fill("关键设备替代方案被国家采纳")
        await rewards.get_by_role("button", name="登记奖励").click()
        await expect(
            rewards.get_by_role("listitem").filter(has_text="关键设备替代方案")
        ).to_contain_text("（个人）")
        await page.screenshot(path=screenshots / "attachments-reward.png", full_page=True)

    rewards_data = portal.gql(
        "hq.safety-committee-office",
        """{ rewards(first: 100) { nodes { recipientKind recipientId recipientLabel reason
             citation orgUnit { id } } } }""",
    )["rewards"]["nodes"]
    (reward,) = [r for r in rewards_data if r["citation"] == "关键设备替代方案被国家采纳"]
    assert reward["recipientKind"] == "PERSON"
    assert reward["recipientId"] == portal.ids["iph.researcher"]
    assert reward["orgUnit"]["id"] == portal.ids["IPH"] and reward["reason"] == "POLICY_ADOPTED"


async def test_ORG_INST_DUTY_the_units_own_documents(
    browser: Browser, portal: Portal, screenshots: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "应急预案.pdf"
    plan.write_bytes(b"%PDF-1.4\n% plan v1\n%%EOF\n")
    revised = tmp_path / "应急预案-修订.pdf"
    revised.write_bytes(b"%PDF-1.4\n% plan v2, revised\n%%EOF\n")

    async with session_as(browser, portal, "iph.safety-management") as s:
        page = s.page
        await page.get_by_test_id("main-nav").get_by_role("link", name="本单位文档").click()
        await expect(page.get_by_role("heading", name="本单位文档", level=1)).to_be_visible()
        docs = page.get_by_test_id("ud-documents")
        await expect(docs).to_contain_text("尚无文档。")
        await docs.get_by_label("文档名称").fill("科技安全突发事件应急预案")
        await docs.get_by_label("文档类型").select_option("EMERGENCY_RESPONSE_PLAN")
        await docs.get_by_role("button", name="上传").click()
        file_field = docs.get_by_label("文件", exact=True)
        await expect(file_field).to_have_attribute("aria-invalid", "true")
        await file_field.set_input_files(plan)
        await docs.get_by_role("button", name="上传").click()
        await expect(docs.get_by_test_id("ud-document")).to_contain_text("版本 1")
        await docs.get_by_label("上传为新版本（可选）").select_option(
            label="科技安全突发事件应急预案"
        )
        await docs.get_by_label("文件", exact=True).set_input_files(revised)
        await docs.get_by_role("button", name="上传").click()
        await expect(docs.get_by_test_id("ud-version")).to_have_count(2)
        assert await _download(page, "下载 科技安全突发事件应急预案 v2") == revised.read_bytes()
        await page.screenshot(path=screenshots / "attachments-unit-documents.png", full_page=True)

    # HQ reads an institute's own documents by choosing the unit; it uploads to its own only.
    async with session_as(browser, portal, "hq.safety-committee-office") as s:
        page = s.page
        await page.get_by_test_id("main-nav").get_by_role("link", name="本单位文档").click()
        await page.get_by_label("单位", exact=True).select_option(portal.ids["IPH"])
        docs = page.get_by_test_id("ud-documents")
        await expect(docs.get_by_test_id("ud-document")).to_contain_text("科技安全突发事件应急预案")
        await expect(page.get_by_text("只可查看其他单位的文档")).to_be_visible()
        await expect(docs.get_by_role("button", name="上传")).to_have_count(0)

    listed = portal.gql(
        "iph.researcher",
        """query($u: ID!) { documents(attachedTo: {type: ORG_UNIT, id: $u}) {
             title kind latestVersion } }""",
        {"u": portal.ids["IPH"]},
    )["documents"]
    assert {
        "title": "科技安全突发事件应急预案",
        "kind": "EMERGENCY_RESPONSE_PLAN",
        "latestVersion": 2,
    } in listed
