"""The browser tests' data, made through the real server's GraphQL API as the demo users, and
the one way they open a page and sign a person in."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Dialog, Page, expect

from server import clock

CATEGORIES = [
    "CHOKEPOINT",
    "SAFETY",
    "COMPLIANCE",
    "DATA_SECURITY",
    "ETHICS",
    "PUBLIC_OPINION",
    "CONFIDENTIALITY",
]
RETURNED_TITLE = "低温量子材料制备研究"
DRAFT_TITLE = "新型超导薄膜表征"
ERRORS = "... on UserError { code message field }"


@dataclass
class Portal:
    base: str
    passwords: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            data = self.gql(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p, "
                "delivery: BODY) { __typename ... on SignedIn { accessToken } } }",
                {"u": user, "p": self.passwords[user]},
            )
            assert data["login"]["__typename"] == "SignedIn", data
            self._tokens[user] = data["login"]["accessToken"]
        return self._tokens[user]

    def gql(self, user: str | None, query: str, variables: dict[str, Any] | None = None) -> Any:
        headers = {"authorization": f"Bearer {self.token(user)}"} if user else {}
        response = httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    def unread(self, user: str) -> int:
        return int(self.gql(user, "{ unreadNoticeCount }")["unreadNoticeCount"])


def _ok(result: dict[str, Any]) -> dict[str, Any]:
    assert not result["__typename"].endswith("Error"), result
    return result


def save_assessment(
    portal: Portal, user: str, assessment: dict[str, Any], fields: dict[str, Any]
) -> None:
    """Save the assessment (its id and version given) with these fields; it must succeed."""
    gql_ok(
        portal,
        user,
        "saveAssessment",
        f"""mutation($i: AssessmentInput!) {{ saveAssessment(input: $i) {{ __typename
            {ERRORS} }} }}""",
        {
            "i": {
                "assessmentId": assessment["id"],
                "expectedVersion": assessment["version"],
                **fields,
            }
        },
    )


def gql_ok(portal: Portal, user: str, name: str, query: str, variables: dict[str, Any]) -> Any:
    """The mutation's (or query's) field `name`, which must not be an error."""
    result = portal.gql(user, query, variables)[name]
    assert not result["__typename"].endswith("Error"), result
    return result


def draft_project(portal: Portal, title: str, *, filing: bool = False) -> str:
    """A new project of iph.researcher, still a draft (its documents may take new versions)."""
    if "IPH" not in portal.ids:
        _learn_ids(portal)
    start = clock.today()
    project = gql_ok(
        portal,
        "iph.researcher",
        "createProject",
        f"""mutation($u: ID!, $i: ProjectInput!) {{ createProject(orgUnitId: $u, input: $i) {{
            __typename ... on ProjectSaved {{ project {{ id currentAssessment
            {{ id version }} }} }} {ERRORS} }} }}""",
        {
            "u": portal.ids["IPH"],
            "i": {
                "title": title,
                "nationalFilingRequired": filing,
                "departmentId": portal.ids["dept"],
                "principalInvestigatorId": portal.ids["iph.researcher"],
                "startDate": start.isoformat(),
                "endDate": (start + timedelta(days=730)).isoformat(),
                "summary": "材料计算数据的汇集与共享",
                "fundingSource": "院先导专项",
                "researchFields": ["材料科学"],
            },
        },
    )["project"]
    return str(project["id"])


def start_project(portal: Portal, pid: str, *, implement: bool = True) -> None:
    """Assess, review, approve and (unless told not to) start the project through the API."""
    assessment = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { currentAssessment { id version } } }",
        {"id": pid},
    )["project"]["currentAssessment"]
    start = clock.today()
    save_assessment(
        portal,
        "iph.researcher",
        assessment,
        {
            "riskPoints": [
                {
                    "category": "DATA_SECURITY",
                    "description": "计算数据外泄",
                    "likelihood": 2,
                    "impact": 2,
                    "consequences": "数据泄露",
                    "measures": [
                        {
                            "description": "访问控制",
                            "ownerId": portal.ids["iph.researcher"],
                            "dueDate": (start + timedelta(days=90)).isoformat(),
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

    gql_ok(
        portal,
        "iph.researcher",
        "submitProject",
        f"""mutation($a: ID!, $v: Int) {{ submitProject(assessmentId: $a, expectedVersion: $v)
            {{ __typename {ERRORS} }} }}""",
        {"a": assessment["id"], "v": version()},
    )
    gql_ok(
        portal,
        "iph.research-management",
        "recordReview",
        f"mutation($i: ReviewInput!) {{ recordReview(input: $i) {{ __typename {ERRORS} }} }}",
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
    )
    steps = [("iph.research-management", "approveProject")]
    if implement:
        steps.append(("iph.researcher", "startProject"))
    for user, name in steps:
        gql_ok(
            portal,
            user,
            name,
            f"mutation($id: ID!, $v: Int!) {{ {name}(id: $id, expectedVersion: $v) "
            f"{{ __typename {ERRORS} }} }}",
            {"id": pid, "v": version()},
        )


# --- In the browser ------------------------------------------------------------------------------

# Opens a page signed in as the user (optionally at another width); gives it and the confirmations
# answered on it.
NewPage = Callable[..., Awaitable[tuple[Page, list[str]]]]


async def new_page(
    browser: Browser,
    portal: Portal,
    problems: list[str],
    *,
    who: str = "",
    width: int = 1280,
) -> tuple[BrowserContext, Page]:
    """A fresh context and page; its page errors and console errors go to `problems`."""
    context = await browser.new_context(
        base_url=portal.base,
        locale="zh-CN",
        viewport={"width": width, "height": 860},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    prefix = f"{who}: " if who else ""
    page.on("pageerror", lambda error: problems.append(f"{prefix}page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{prefix}console: {message.text}") if message.type == "error" else None
        ),
    )
    return context, page


def accept_dialogs(page: Page, dialogs: list[str]) -> None:
    """Accept every confirmation the page asks, keeping its message."""

    async def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)


async def sign_in(page: Page, portal: Portal, user: str = "iph.researcher") -> None:
    """With the keyboard only: the username field has focus on arrival."""
    await page.goto("/")
    await expect(page.get_by_label("用户名")).to_be_focused()
    await page.keyboard.type(user)
    await page.keyboard.press("Tab")
    await page.keyboard.type(portal.passwords[user])
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="我的工作", level=1)).to_be_visible()


class Session:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []


@asynccontextmanager
async def session_as(browser: Browser, portal: Portal, user: str) -> AsyncIterator[Session]:
    """A fresh context signed in as `user`; confirmations are accepted; no page may log errors."""
    problems: list[str] = []
    context, page = await new_page(browser, portal, problems)
    session = Session(page)
    accept_dialogs(page, session.dialogs)
    await page.goto("/")
    await page.get_by_label("用户名").fill(user)
    await page.get_by_label("密码").fill(portal.passwords[user])
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="我的工作", level=1)).to_be_visible()
    try:
        yield session
    finally:
        await context.close()
    assert not problems, problems


def _learn_ids(portal: Portal) -> None:
    """IPH's id, its first department's and its people's, by username."""
    unit = portal.gql(
        "iph.tenant-admin",
        "{ viewer { orgUnit { id departments { id } "
        "users(first: 100) { nodes { id username } } } } }",
    )["viewer"]["orgUnit"]
    portal.ids["IPH"] = unit["id"]
    portal.ids["dept"] = unit["departments"][0]["id"]
    for node in unit["users"]["nodes"]:
        portal.ids[node["username"]] = node["id"]


def seed_portal(portal: Portal) -> None:
    """A project returned by the institute's review (two notices to its PI) and a draft."""
    _learn_ids(portal)
    returned = _create(portal, RETURNED_TITLE)
    portal.ids["returned"] = returned["id"]
    assessment = returned["currentAssessment"]
    save_assessment(
        portal,
        "iph.researcher",
        assessment,
        {
            "riskPoints": [
                {
                    "category": c,
                    "description": f"{c} 风险点",
                    "likelihood": 2 + n % 3,
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
                for n, c in enumerate(CATEGORIES)
            ],
            "dependencies": [
                {
                    "item": "稀释制冷机",
                    "itemKind": "equipment",
                    "sourceCountry": "芬兰",
                    "supplier": "某供应商",
                    "domesticSubstitute": False,
                    "stockOrLeadTime": "9个月",
                }
            ],
        },
    )
    project = portal.gql(
        "iph.researcher",
        "query($id: ID!) { project(id: $id) { version currentAssessment { id } } }",
        {"id": returned["id"]},
    )["project"]
    _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($a: ID!, $v: Int) {{ submitProject(assessmentId: $a, expectedVersion: $v)
                {{ __typename {ERRORS} }} }}""",
            {"a": project["currentAssessment"]["id"], "v": project["version"]},
        )["submitProject"]
    )
    _ok(
        portal.gql(
            "iph.research-management",
            f"""mutation($i: ReviewInput!) {{ recordReview(input: $i) {{ __typename
                {ERRORS} }} }}""",
            {
                "i": {
                    "assessmentId": project["currentAssessment"]["id"],
                    "stage": "INSTITUTE",
                    "method": "ADMINISTRATIVE",
                    "opinionAccuracy": "风险点分析不够具体",
                    "opinionMeasures": "补充数据安全防范措施",
                    "decision": "RETURN",
                }
            },
        )["recordReview"]
    )
    portal.ids["draft"] = _create(portal, DRAFT_TITLE)["id"]
    # The server's in-process relay and worker turn the review into the PI's notices.
    deadline = time.monotonic() + 30
    while portal.unread("iph.researcher") < 2:
        assert time.monotonic() < deadline, "the review's notices did not reach the PI"
        time.sleep(0.3)


def _create(portal: Portal, title: str) -> dict[str, Any]:
    start = clock.today()
    result = portal.gql(
        "iph.researcher",
        f"""mutation($u: ID!, $i: ProjectInput!) {{ createProject(orgUnitId: $u, input: $i) {{
            __typename ... on ProjectSaved {{ project {{ id version currentAssessment
            {{ id version }} }} }} {ERRORS} }} }}""",
        {
            "u": portal.ids["IPH"],
            "i": {
                "title": title,
                "departmentId": portal.ids["dept"],
                "principalInvestigatorId": portal.ids["iph.researcher"],
                "startDate": start.isoformat(),
                "endDate": (start + timedelta(days=730)).isoformat(),
                "summary": "研究内容",
                "fundingSource": "院先导专项",
                "researchFields": ["凝聚态物理"],
            },
        },
    )["createProject"]
    return _ok(result)["project"]  # type: ignore[no-any-return]
