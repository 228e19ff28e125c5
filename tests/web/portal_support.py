"""The browser tests' data, made through the real server's GraphQL API as the demo users."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

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


def seed_portal(portal: Portal) -> None:
    """A project returned by the institute's review (two notices to its PI) and a draft."""
    unit = portal.gql(
        "iph.tenant-admin",
        "{ viewer { orgUnit { id departments { id } "
        "users(first: 100) { nodes { id username } } } } }",
    )["viewer"]["orgUnit"]
    portal.ids["IPH"] = unit["id"]
    portal.ids["dept"] = unit["departments"][0]["id"]
    for node in unit["users"]["nodes"]:
        portal.ids[node["username"]] = node["id"]

    returned = _create(portal, RETURNED_TITLE)
    portal.ids["returned"] = returned["id"]
    assessment = returned["currentAssessment"]
    _ok(
        portal.gql(
            "iph.researcher",
            f"""mutation($i: AssessmentInput!) {{ saveAssessment(input: $i) {{ __typename
                {ERRORS} }} }}""",
            {
                "i": {
                    "assessmentId": assessment["id"],
                    "expectedVersion": assessment["version"],
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
                }
            },
        )["saveAssessment"]
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
