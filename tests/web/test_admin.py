"""Tenant administration and the two added task kinds in real headless Chromium (issue 8).

IPH's tenant admin disables and re-enables a person (asked first; the person cannot sign in while
disabled), sets a password (the server's password rule shown at the field first), creates a
department, and changes a person's name, e-mail and department. A tenant admin never reaches
another institute's people, through the screen or the API; HQ's platform admin picks another
unit and manages its people. HQ's business department finds a filing waiting for its decision
among its tasks, and each outcome reviewer the outcome still waiting for their aspect; each task
opens the project page where it is done. Every outcome is checked through the API or a sign-in.
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect
from portal_support import CATEGORIES, ERRORS, NewPage, Portal, _ok, save_assessment

from server import clock

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p, delivery: BODY)
  { __typename } }"""
USER = """query($id: ID!) { user(id: $id) { displayName email departmentId disabled } }"""
FILED = "国际合作气候数据共享平台"
OUTCOME = "超导薄膜表征方法论文"


def _signs_in(portal: Portal, username: str, password: str) -> bool:
    return portal.gql(None, LOGIN, {"u": username, "p": password})["login"]["__typename"] == (
        "SignedIn"
    )


def _unit(portal: Portal, admin: str) -> dict[str, Any]:
    return portal.gql(  # type: ignore[no-any-return]
        admin,
        "{ viewer { orgUnit { id departments { id name } "
        "users(first: 100) { nodes { id username } } } } }",
    )["viewer"]["orgUnit"]


def _person(portal: Portal, admin: str = "iph.tenant-admin") -> tuple[str, str, str]:
    """A new person of the admin's unit (username, password, id), made through the API."""
    username = f"{admin.split('.')[0]}.tmp-{uuid.uuid4().hex[:6]}"
    password = f"Start-{uuid.uuid4().hex[:8]}-Pw"
    result = portal.gql(
        admin,
        f"""mutation($i: CreateUserInput!) {{ createUser(input: $i) {{ __typename
            ... on UserSaved {{ user {{ id }} }} {ERRORS} }} }}""",
        {
            "i": {
                "orgUnitId": _unit(portal, admin)["id"],
                "username": username,
                "displayName": "临时人员",
                "password": password,
                "roles": ["RESEARCHER"],
            }
        },
    )["createUser"]
    return username, password, str(_ok(result)["user"]["id"])


async def _open_users(page: Page) -> None:
    await page.get_by_test_id("main-nav").get_by_role("link", name="用户与角色").click()
    await expect(page.get_by_role("heading", name="用户与角色", level=1)).to_be_visible()


async def _manage(page: Page, username: str) -> None:
    await page.get_by_role("button", name=f"管理 {username}", exact=True).click()


async def test_tenant_admin_disables_and_re_enables_a_user(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    username, password, _ = _person(portal)
    page, dialogs = await signed_in("iph.tenant-admin")
    await _open_users(page)
    await _manage(page, username)
    account = page.get_by_role("group", name=f"账号状态: {username}")
    await account.get_by_role("button", name="停用账号").click()
    await expect(account).to_contain_text(f"已停用“{username}”")
    assert dialogs and "停用" in dialogs[-1] and username in dialogs[-1]
    row = page.locator(f'tr[data-username="{username}"]')
    await expect(row).to_have_class(re.compile("user-disabled"))
    await expect(row.get_by_test_id("user-disabled")).to_have_text("已停用")
    await page.screenshot(path=screenshots / "admin-user-disabled.png", full_page=True)
    assert not _signs_in(portal, username, password)

    await account.get_by_role("button", name="重新启用账号").click()
    await expect(account).to_contain_text(f"已重新启用“{username}”")
    assert "重新启用" in dialogs[-1]
    await expect(row).not_to_have_class(re.compile("user-disabled"))
    assert _signs_in(portal, username, password)


async def test_tenant_admin_sets_a_password_after_the_rule_is_shown_at_the_field(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    username, old_password, _ = _person(portal)
    page, dialogs = await signed_in("iph.tenant-admin")
    await _open_users(page)
    await _manage(page, username)
    form = page.get_by_role("form", name=f"设置密码: {username}")
    field = form.get_by_label("新密码")
    await field.fill("short")
    await form.get_by_role("button", name="设置新密码").click()
    error = form.locator(".field-error")
    await expect(error).to_contain_text("password")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_be_focused()
    await page.screenshot(path=screenshots / "admin-password-error.png", full_page=True)
    assert _signs_in(portal, username, old_password)  # nothing changed yet

    new_password = f"Reset-{uuid.uuid4().hex[:8]}-Pw"
    await field.fill(new_password)
    await expect(error).to_have_count(0)
    await form.get_by_role("button", name="设置新密码").click()
    await expect(form.get_by_test_id(f"password-{username}-done")).to_contain_text("已为")
    assert "设置新密码" in dialogs[-1]
    assert _signs_in(portal, username, new_password)
    assert not _signs_in(portal, username, old_password)


async def test_tenant_admin_creates_a_department_and_edits_a_person(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    username, _, user_id = _person(portal)
    dept_name = f"保密技术研究室{uuid.uuid4().hex[:4]}"
    page, dialogs = await signed_in("iph.tenant-admin")
    await _open_users(page)
    departments = page.get_by_test_id("departments")
    await departments.get_by_role("button", name="新建部门").click()
    name = departments.get_by_label("部门名称")
    await expect(name).to_have_attribute("aria-invalid", "true")
    assert dialogs == []  # nothing is asked before the form is valid
    await name.fill(dept_name)
    await departments.get_by_label("部门类别").select_option("safety_management")
    await departments.get_by_role("button", name="新建部门").click()
    await expect(departments.get_by_test_id("department-list")).to_contain_text(dept_name)
    assert "新建部门" in dialogs[-1]
    created = {d["name"]: d["id"] for d in _unit(portal, "iph.tenant-admin")["departments"]}
    assert dept_name in created

    await _manage(page, username)
    form = page.get_by_role("form", name=f"基本信息: {username}")
    await form.get_by_label("姓名").fill("")
    await form.get_by_role("button", name="保存基本信息").click()
    await expect(form.get_by_label("姓名")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("姓名").fill("王保密")
    await form.get_by_label("电子邮箱").fill("wang.baomi@iph.example.cn")
    await form.get_by_label("所属部门").select_option(label=dept_name)
    await form.get_by_role("button", name="保存基本信息").click()
    await expect(form.get_by_test_id(f"profile-{username}-done")).to_be_visible()
    row = page.locator(f'tr[data-username="{username}"]')
    await expect(row).to_contain_text("王保密")
    await expect(row).to_contain_text(dept_name)
    await page.screenshot(path=screenshots / "admin-user-edit.png", full_page=True)
    saved = portal.gql("iph.tenant-admin", USER, {"id": user_id})["user"]
    assert saved == {
        "displayName": "王保密",
        "email": "wang.baomi@iph.example.cn",
        "departmentId": created[dept_name],
        "disabled": False,
    }


async def test_ORG_INST_a_tenant_admin_never_reaches_another_institutes_people(
    signed_in: NewPage, portal: Portal
) -> None:
    """Adversarial: another unit's id in the address, and the API called directly."""
    iau = _unit(portal, "iau.tenant-admin")
    iau_researcher = next(
        u["id"] for u in iau["users"]["nodes"] if u["username"] == "iau.researcher"
    )
    page, _ = await signed_in("iph.tenant-admin")
    await _open_users(page)
    await expect(page.locator("#admin-unit")).to_have_count(0)  # no unit picker
    await page.goto(f"/users?unit={iau['id']}")
    users = page.get_by_test_id("users")
    await expect(users).to_contain_text("iph.researcher")
    await expect(users).not_to_contain_text("iau.")
    await expect(page.get_by_test_id("departments")).not_to_contain_text("自动化研究所")

    def raw(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{portal.base}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {portal.token('iph.tenant-admin')}"},
            timeout=30,
        )
        return response.json()  # type: ignore[no-any-return]

    listed = raw(
        "query($u: ID!) { users(orgUnitId: $u, first: 100) { nodes { username } } }",
        {"u": iau["id"]},
    )
    assert listed.get("errors") or not listed["data"]["users"]["nodes"], listed
    for query, variables in (
        (
            "mutation($u: ID!) { setUserDisabled(userId: $u, disabled: true) { __typename } }",
            {"u": iau_researcher},
        ),
        (
            """mutation($i: SetPasswordInput!) { setPassword(input: $i) { __typename } }""",
            {"i": {"userId": iau_researcher, "newPassword": "Hijack-Attempt-99"}},
        ),
        (
            """mutation($u: ID!) { createDepartment(orgUnitId: $u, name: "外所部门")
               { __typename } }""",
            {"u": iau["id"]},
        ),
    ):
        answer = raw(query, variables)
        result = next(iter(answer["data"].values()))
        assert result["__typename"] in {"NotFoundError", "ForbiddenError"}, answer
    assert _signs_in(portal, "iau.researcher", portal.passwords["iau.researcher"])
    names = {d["name"] for d in _unit(portal, "iau.tenant-admin")["departments"]}
    assert "外所部门" not in names


async def test_platform_admin_picks_another_unit_and_manages_its_people(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    username, password, user_id = _person(portal, "iau.tenant-admin")
    page, dialogs = await signed_in("hq.platform-admin")
    await _open_users(page)
    picker = page.get_by_label("管理的单位")
    await expect(picker).to_have_value(re.compile(".+"))
    await expect(page.get_by_test_id("users")).to_contain_text("hq.platform-admin")
    await picker.select_option(label="自动化研究所 (IAU)")
    users = page.get_by_test_id("users")
    await expect(users).to_contain_text(username)
    await expect(users).not_to_contain_text("hq.platform-admin")
    await expect(page).to_have_url(re.compile(r"/users\?unit="))

    await _manage(page, username)
    form = page.get_by_role("form", name=f"基本信息: {username}")
    await form.get_by_label("姓名").fill("自动化所 张三")
    await form.get_by_role("button", name="保存基本信息").click()
    await expect(page.locator(f'tr[data-username="{username}"]')).to_contain_text("自动化所 张三")
    account = page.get_by_role("group", name=f"账号状态: {username}")
    await account.get_by_role("button", name="停用账号").click()
    await expect(account).to_contain_text(f"已停用“{username}”")
    assert dialogs and username in dialogs[-1]
    await page.screenshot(path=screenshots / "admin-platform-other-unit.png", full_page=True)
    saved = portal.gql("iau.tenant-admin", USER, {"id": user_id})["user"]
    assert saved["displayName"] == "自动化所 张三" and saved["disabled"] is True
    assert not _signs_in(portal, username, password)


# --- Tasks: filings waiting for HQ's decision, outcomes waiting for an aspect review -----------


def _project(portal: Portal, title: str, *, filing: bool = False, start: bool = True) -> str:
    """An approved IPH project (filed with HQ, or started), made through the API."""
    unit = _unit(portal, "iph.tenant-admin")
    people = {u["username"]: u["id"] for u in unit["users"]["nodes"]}
    today = clock.today()
    project = _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($u: ID!, $i: ProjectInput!) {{ createProject(orgUnitId: $u, input: $i)
                {{ __typename ... on ProjectSaved {{ project {{ id currentAssessment {{ id version
                }} }} }} {ERRORS} }} }}""",
            {
                "u": unit["id"],
                "i": {
                    "title": title,
                    "nationalFilingRequired": filing,
                    "departmentId": unit["departments"][0]["id"],
                    "principalInvestigatorId": people["iph.researcher"],
                    "startDate": today.isoformat(),
                    "endDate": (today + timedelta(days=730)).isoformat(),
                    "summary": "研究内容",
                    "fundingSource": "院先导专项",
                    "researchFields": ["凝聚态物理"],
                },
            },
        )["createProject"]
    )["project"]
    pid, assessment = str(project["id"]), project["currentAssessment"]
    save_assessment(
        portal,
        "iph.researcher",
        assessment,
        {
            "riskPoints": [
                {
                    "category": "DATA_SECURITY",
                    "description": "数据外泄",
                    "likelihood": 2,
                    "impact": 2,
                    "consequences": "数据泄露",
                    "measures": [
                        {
                            "description": "访问控制",
                            "ownerId": people["iph.researcher"],
                            "dueDate": (today + timedelta(days=90)).isoformat(),
                        }
                    ],
                }
            ],
            "notApplicable": [
                {"category": c, "reason": "本项目不涉及"}
                for c in CATEGORIES
                if c != "DATA_SECURITY"
            ],
        },
    )

    def version() -> int:
        data = portal.gql(
            "iph.researcher", "query($id: ID!) { project(id: $id) { version } }", {"id": pid}
        )
        return int(data["project"]["version"])

    _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($a: ID!, $v: Int) {{ submitProject(assessmentId: $a, expectedVersion: $v)
                {{ __typename {ERRORS} }} }}""",
            {"a": assessment["id"], "v": version()},
        )["submitProject"]
    )
    _ok(
        portal.gql(
            "iph.research-management",
            f"""mutation($i: ReviewInput!) {{ recordReview(input: $i) {{ __typename
                {ERRORS} }} }}""",
            {
                "i": {
                    "assessmentId": assessment["id"],
                    "stage": "INSTITUTE",
                    "method": "ADMINISTRATIVE",
                    "opinionAccuracy": "准确",
                    "opinionMeasures": "可行",
                    "decision": "PASS",
                }
            },
        )["recordReview"]
    )
    steps = [("iph.research-management", "approveProject", "")]
    if filing:
        steps.append(("iph.legal-representative", "fileProject", ', statement: "同意报备"'))
    elif start:
        steps.append(("iph.researcher", "startProject", ""))
    for user, name, extra in steps:
        _ok(
            portal.gql(
                user,
                f"mutation($id: ID!, $v: Int!) {{ {name}(id: $id, expectedVersion: $v{extra}) "
                f"{{ __typename {ERRORS} }} }}",
                {"id": pid, "v": version()},
            )[name]
        )
    return pid


async def test_R_FILING_a_filing_awaits_the_hq_business_departments_decision(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    project_id = _project(portal, FILED, filing=True)
    page, _ = await signed_in("hq.business-department")
    tasks = page.get_by_test_id("tasks")
    task = tasks.get_by_role("listitem").filter(has=page.get_by_role("link", name=FILED))
    await expect(task).to_contain_text("待院机关备案决定")
    await expect(task).to_contain_text("物理研究所")
    await page.screenshot(path=screenshots / "tasks-filing.png", full_page=True)
    await task.get_by_role("link", name=FILED).focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{portal.base}/projects/{project_id}#filing-h")
    await expect(page.get_by_role("heading", name=FILED, level=1)).to_be_visible()
    await expect(page.get_by_role("button", name="院机关备案决定")).to_be_visible()

    # Nobody else decides filings: the institute's reviewer does not get the task.
    other, _ = await signed_in("iph.research-management")
    await expect(other.get_by_test_id("tasks").get_by_role("heading")).to_be_visible()
    await expect(other.get_by_test_id("tasks")).not_to_contain_text(FILED)

    # Once recorded, the task is gone.
    filing = portal.gql(
        "hq.business-department",
        "query($id: ID!) { project(id: $id) { filings { id } } }",
        {"id": project_id},
    )["project"]["filings"][-1]["id"]
    _ok(
        portal.gql(
            "hq.business-department",
            f"""mutation($f: ID!) {{ decideFiling(filingId: $f, decision: RECORD) {{ __typename
                {ERRORS} }} }}""",
            {"f": filing},
        )["decideFiling"]
    )
    await page.goto("/work")
    await expect(page.get_by_test_id("tasks").get_by_role("heading")).to_be_visible()
    await expect(page.get_by_test_id("tasks")).not_to_contain_text(FILED)


async def test_R_OUTCOME_an_outcome_awaits_each_aspect_reviewer(
    signed_in: NewPage, portal: Portal, screenshots: Path
) -> None:
    project_id = _project(portal, "超导薄膜表征方法研究")
    outcome = _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($p: ID!) {{ submitOutcome(projectId: $p, kind: PAPER,
                title: "{OUTCOME}", channel: "物理学报") {{ __typename
                ... on OutcomeSaved {{ outcome {{ id }} }} {ERRORS} }} }}""",
            {"p": project_id},
        )["submitOutcome"]
    )["outcome"]["id"]

    page, _ = await signed_in("iph.secrecy-officer")
    task = (
        page.get_by_test_id("tasks")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name=OUTCOME))
    )
    await expect(task).to_contain_text("待成果发布审查（保密）")
    await page.screenshot(path=screenshots / "tasks-outcome-review.png", full_page=True)
    await task.get_by_role("link", name=OUTCOME).click()
    await expect(page).to_have_url(f"{portal.base}/projects/{project_id}#outcomes-h")
    await expect(page.get_by_test_id("outcomes")).to_contain_text(OUTCOME)

    manager, _ = await signed_in("iph.research-management")
    await expect(manager.get_by_test_id("tasks")).to_contain_text(
        "待成果发布审查（数据安全、专利）"
    )
    researcher, _ = await signed_in("iph.researcher")
    await expect(researcher.get_by_test_id("tasks").get_by_role("heading")).to_be_visible()
    await expect(researcher.get_by_test_id("tasks")).not_to_contain_text(OUTCOME)

    # Once the secrecy review is recorded it no longer waits for the secrecy officer.
    _ok(
        portal.gql(
            "iph.secrecy-officer",
            f"""mutation($o: ID!) {{ reviewOutcome(outcomeId: $o, aspect: SECRECY, verdict: FIT,
                opinion: "不涉密") {{ __typename {ERRORS} }} }}""",
            {"o": outcome},
        )["reviewOutcome"]
    )
    await page.goto("/work")
    await expect(page.get_by_test_id("tasks").get_by_role("heading")).to_be_visible()
    await expect(page.get_by_test_id("tasks")).not_to_contain_text(OUTCOME)
