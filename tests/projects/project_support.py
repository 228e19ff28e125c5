"""Helpers to drive projects through the real GraphQL API as the demo users."""

from __future__ import annotations

import hashlib
import uuid
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
PROJECT_FIELDS = """
  id title state version allowedTransitions stateReason sensitiveFields filingRequired
  currentAssessment { id number state version overallLevel }
"""
ERRORS = "... on UserError { code message field }"


@dataclass
class Flow:
    """A GraphQL client for one app, signed in as any demo user by name."""

    client: httpx.AsyncClient
    tokens: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    async def raw(self, user: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.tokens[user]}"},
        )
        return response

    async def gql(self, user: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.raw(user, query, variables)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    async def setup(self) -> None:
        """Global IDs of IPH, its first department, and its people."""
        data = await self.gql(
            "iph.tenant-admin",
            "{ viewer { orgUnit { id departments { id } "
            "users(first: 100) { nodes { id username } } } } }",
        )
        unit = data["viewer"]["orgUnit"]
        self.ids["IPH"] = unit["id"]
        self.ids["dept"] = unit["departments"][0]["id"]
        for node in unit["users"]["nodes"]:
            self.ids[node["username"]] = node["id"]

    async def create(self, user: str = "iph.researcher", **overrides: Any) -> dict[str, Any]:
        start = clock.today()
        data = {
            "title": f"课题 {uuid.uuid4().hex[:6]}",
            "departmentId": self.ids["dept"],
            "principalInvestigatorId": self.ids[user]
            if user in self.ids
            else self.ids["iph.researcher"],
            "startDate": start.isoformat(),
            "endDate": (start + timedelta(days=365)).isoformat(),
            "summary": "研究内容",
            "fundingSource": "院先导专项",
            "researchFields": ["凝聚态物理"],
        } | overrides
        result = await self.gql(
            user,
            f"""mutation($u: ID!, $i: ProjectInput!) {{
                 createProject(orgUnitId: $u, input: $i) {{ __typename
                 ... on ProjectSaved {{ project {{ {PROJECT_FIELDS} }} }} {ERRORS} }} }}""",
            {"u": self.ids["IPH"], "i": data},
        )
        return result["createProject"]  # type: ignore[no-any-return]

    async def project(self, user: str, project_id: str) -> dict[str, Any]:
        data = await self.gql(
            user,
            f"query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}",
            {"id": project_id},
        )
        return data["project"]  # type: ignore[no-any-return]

    async def save(
        self, user: str, project: dict[str, Any], *, level: int = 2, **overrides: Any
    ) -> dict[str, Any]:
        """A complete assessment: one risk point with a measure per category, one dependency."""
        assessment = (await self.project(user, project["id"]))["currentAssessment"]
        content = {
            "assessmentId": assessment["id"],
            "expectedVersion": assessment["version"],
            "riskPoints": [
                {
                    "category": c,
                    "description": f"{c} 风险点",
                    "likelihood": level,
                    "impact": level,
                    "consequences": "可能的后果",
                    "measures": [
                        {
                            "description": "防范措施",
                            "ownerId": self.ids["iph.researcher"],
                            "dueDate": (clock.today() + timedelta(days=90)).isoformat(),
                        }
                    ],
                }
                for c in CATEGORIES
            ],
            "dependencies": [
                {
                    "item": "光刻胶",
                    "itemKind": "material",
                    "sourceCountry": "日本",
                    "supplier": "某供应商",
                    "domesticSubstitute": False,
                    "stockOrLeadTime": "6个月",
                }
            ],
        } | overrides
        result = await self.gql(
            user,
            f"""mutation($i: AssessmentInput!) {{ saveAssessment(input: $i) {{ __typename
                 ... on AssessmentSaved {{ assessment {{ id number state version overallLevel }} }}
                 {ERRORS} }} }}""",
            {"i": content},
        )
        return result["saveAssessment"]  # type: ignore[no-any-return]

    async def submit(self, user: str, project: dict[str, Any]) -> dict[str, Any]:
        current = await self.project(user, project["id"])
        result = await self.gql(
            user,
            f"""mutation($a: ID!, $v: Int) {{
                 submitProject(assessmentId: $a, expectedVersion: $v) {{ __typename
                 ... on AssessmentSaved {{ assessment {{ id state overallLevel }} }}
                 {ERRORS} }} }}""",
            {"a": current["currentAssessment"]["id"], "v": current["version"]},
        )
        return result["submitProject"]  # type: ignore[no-any-return]

    async def review(
        self,
        user: str,
        project: dict[str, Any],
        *,
        stage: str = "INSTITUTE",
        decision: str = "PASS",
        method: str = "ADMINISTRATIVE",
        minutes: str | None = None,
    ) -> dict[str, Any]:
        current = await self.project(user, project["id"])
        result = await self.gql(
            user,
            f"""mutation($i: ReviewInput!) {{ recordReview(input: $i) {{ __typename
                 ... on ReviewRecorded {{ assessment {{ state number }} review {{ decision }} }}
                 {ERRORS} }} }}""",
            {
                "i": {
                    "assessmentId": current["currentAssessment"]["id"],
                    "stage": stage,
                    "method": method,
                    "opinionAccuracy": "风险分析准确",
                    "opinionMeasures": "措施合理、有效、可执行",
                    "decision": decision,
                    "minutesDocumentId": minutes,
                }
            },
        )
        return result["recordReview"]  # type: ignore[no-any-return]

    async def fire(self, user: str, mutation: str, project_id: str, **args: Any) -> dict[str, Any]:
        current = await self.project(user, project_id) or {"version": 0}
        extra = "".join(f", {k}: ${k}" for k in args)
        decl = "".join(f", ${k}: String!" for k in args)
        result = await self.gql(
            user,
            f"""mutation($id: ID!, $v: Int!{decl}) {{
                 {mutation}(id: $id, expectedVersion: $v{extra}) {{ __typename
                 ... on ProjectSaved {{ project {{ {PROJECT_FIELDS} }} }} {ERRORS} }} }}""",
            {"id": project_id, "v": current["version"], **args},
        )
        return result[mutation]  # type: ignore[no-any-return]

    async def attach(
        self, user: str, project_id: str, kind: str, data: bytes = b"%PDF-1.4\n%%EOF\n"
    ) -> str:
        started = await self.gql(
            user,
            """mutation($i: StartUploadInput!) { startUpload(input: $i) { __typename
                 ... on UploadStarted { ticket { uploadUrl documentId } }
                 ... on UserError { code message } } }""",
            {
                "i": {
                    "fileName": f"{kind.lower()}.pdf",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "newDocument": {
                        "attachedTo": {"type": "PROJECT", "id": project_id},
                        "kind": kind,
                        "sensitivity": "INTERNAL",
                        "title": kind,
                    },
                }
            },
        )
        ticket = started["startUpload"]["ticket"]
        response = await self.client.put(
            ticket["uploadUrl"],
            content=data,
            headers={"authorization": f"Bearer {self.tokens[user]}"},
        )
        assert response.status_code == 201, response.text
        return ticket["documentId"]  # type: ignore[no-any-return]

    async def approved(self, **overrides: Any) -> dict[str, Any]:
        """A project taken through assessment and review to approval."""
        project = (await self.create(**overrides))["project"]
        assert (await self.save("iph.researcher", project))["__typename"] == "AssessmentSaved"
        assert (await self.submit("iph.researcher", project))["__typename"] == "AssessmentSaved"
        assert (await self.review("iph.research-management", project))[
            "__typename"
        ] == "ReviewRecorded"
        fired = await self.fire("iph.research-management", "approveProject", project["id"])
        assert fired["__typename"] == "ProjectSaved", fired
        return fired["project"]  # type: ignore[no-any-return]


HAZARD_FIELDS = "id state version overdue inadequateRectifications source severity"


async def report_hazard(
    flow: Flow, user: str, project_id: str, *, severity: str = "GENERAL"
) -> dict[str, Any]:
    result = await flow.gql(
        user,
        f"""mutation($p: ID!, $s: HazardSeverity!) {{ reportHazard(projectId: $p,
             title: "通风系统故障", description: "实验室通风不足", severity: $s, category: SAFETY)
             {{ __typename ... on HazardSaved {{ hazard {{ {HAZARD_FIELDS} }} }} {ERRORS} }} }}""",
        {"p": project_id, "s": severity},
    )
    return result["reportHazard"]  # type: ignore[no-any-return]


async def hazard_step(
    flow: Flow, user: str, mutation: str, hazard: dict[str, Any], **args: Any
) -> dict[str, Any]:
    """Fire a hazard mutation with the hazard's current version."""
    current = await flow.gql(
        user, "query($id: ID!) { hazard(id: $id) { version } }", {"id": hazard["id"]}
    )
    version = current["hazard"]["version"] if current["hazard"] else 0
    types = {
        "ownerId": "ID!",
        "deadline": "Date!",
        "plan": "String!",
        "note": "String!",
        "adequate": "Boolean!",
        "reason": "String!",
    }
    decl = "".join(f", ${k}: {types[k]}" for k in args)
    call = "".join(f", {k}: ${k}" for k in args)
    result = await flow.gql(
        user,
        f"""mutation($h: ID!, $v: Int!{decl}) {{ {mutation}(hazardId: $h, expectedVersion: $v{call})
             {{ __typename ... on HazardSaved {{ hazard {{ {HAZARD_FIELDS} }} }} {ERRORS} }} }}""",
        {"h": hazard["id"], "v": version, **args},
    )
    return result[mutation]  # type: ignore[no-any-return]


async def attach_evidence(flow: Flow, user: str, hazard_id: str) -> None:
    data = b"%PDF-1.4\n%%EOF\n"
    started = await flow.gql(
        user,
        """mutation($i: StartUploadInput!) { startUpload(input: $i) { __typename
             ... on UploadStarted { ticket { uploadUrl } } ... on UserError { code message } } }""",
        {
            "i": {
                "fileName": "整改材料.pdf",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "newDocument": {
                    "attachedTo": {"type": "HAZARD", "id": hazard_id},
                    "kind": "RECTIFICATION_EVIDENCE",
                    "sensitivity": "INTERNAL",
                    "title": "整改材料",
                },
            }
        },
    )
    assert started["startUpload"]["__typename"] == "UploadStarted", started
    response = await flow.client.put(
        started["startUpload"]["ticket"]["uploadUrl"],
        content=data,
        headers={"authorization": f"Bearer {flow.tokens[user]}"},
    )
    assert response.status_code == 201, response.text
