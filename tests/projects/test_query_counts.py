"""A page of projects with everything a list view shows costs a fixed number of SQL statements.

The `projects` query resolves relations through the per-request DataLoaders (schema/loaders.py):
each relation costs one statement per page, whatever the page size. Here a page of 5 and a page of
100 (`settings.page_size_max`) must send exactly as many statements to the database, counted with
a `before_cursor_execute` listener on the app's engine, as tests/bench/test_bench_http.py does.

The projects are made through the service layer (as the system), 105 of them, all with members;
every third one has a saved assessment (risk points, measures with an owner, a dependency) and
every fourth one an attached document with a committed version. The five newest include each
kind, so the page of 5 reaches every loader the page of 100 does: a difference in the counts is
then a statement per project (an N+1), not a loader the smaller page never needed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sql_statements import sql_statements
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server import clock
from server.auth.principal import SYSTEM
from server.config import Settings
from server.db.base import new_id
from server.db.engine import ALL_TENANTS, scope
from server.documents.models import Document, DocumentKind, DocumentVersion, Sensitivity
from server.projects import assessments
from server.projects.service import ProjectInput, create_project
from server.projects.vocabulary import RiskCategory
from server.tenancy.models import Department, OrgUnit, User

PROJECTS = 105
LISTER = "iph.research-management"

PAGE = """
query($f: ProjectFilter, $n: Int!) { projects(filter: $f, first: $n) {
  pageInfo { hasNextPage }
  nodes {
    id title state version allowedTransitions
    orgUnit { id code name }
    department { id name }
    principalInvestigator { id username displayName }
    members { id username }
    currentAssessment {
      id number state overallLevel
      riskPoints { category level measures { id description status owner { username } } }
      dependencies { item sourceCountry }
      reviews { decision }
    }
    documents { id title kind versions { id number state } }
  }
} }
"""


def _content(owner: uuid.UUID) -> assessments.AssessmentContent:
    measure = assessments.MeasureInput(
        description="防范措施", owner_user_id=owner, due_date=clock.today() + timedelta(days=90)
    )
    return assessments.AssessmentContent(
        risk_points=[
            assessments.RiskPointInput(
                category=category,
                description=f"{category.value} 风险点",
                likelihood=2,
                impact=2,
                measures=[measure],
            )
            for category in RiskCategory
        ],
        dependencies=[
            assessments.DependencyInput(item="光刻胶", item_kind="material", source_country="日本")
        ],
    )


async def _attach(session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID) -> None:
    document = Document(
        tenant_id=tenant_id,
        id=new_id(),
        attached_type="project",
        attached_id=project_id,
        kind=DocumentKind.EMERGENCY_RESPONSE_PLAN.value,
        sensitivity=Sensitivity.INTERNAL.value,
        title="应急处置预案",
        uploaded_by_label="system",
        latest_version=1,
    )
    session.add(document)
    await session.flush()
    session.add(
        DocumentVersion(
            tenant_id=tenant_id,
            document_id=document.id,
            number=1,
            object_key=f"test/{uuid.uuid4().hex}",
            size=15,
            sha256="0" * 64,
            content_type="application/pdf",
            file_name="plan.pdf",
            uploaded_by_label="system",
        )
    )


async def _make_projects(sessions: async_sessionmaker[AsyncSession], marker: str) -> None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit).where(OrgUnit.code == "IPH"))
        assert iph is not None
        dept = await session.scalar(
            select(Department.id).where(Department.tenant_id == iph.id).limit(1)
        )
        assert dept is not None
        people = {
            u.username: u.id
            for u in (await session.execute(select(User).where(User.tenant_id == iph.id))).scalars()
        }
        start = clock.today()
        for n in range(PROJECTS):
            project = await create_project(
                session,
                SYSTEM,
                unit_id=iph.id,
                data=ProjectInput(
                    title=f"{marker} {n:03d}",
                    department_id=dept,
                    pi_user_id=people["iph.researcher"],
                    start_date=start,
                    end_date=start + timedelta(days=365),
                    member_ids=[people["iph.coordination-member"], people["iph.secrecy-officer"]],
                ),
            )
            assert project.current_assessment_id is not None
            if n % 3 == 0:
                await assessments.save_assessment(
                    session,
                    SYSTEM,
                    iph.id,
                    project.current_assessment_id,
                    expected_version=1,
                    content=_content(people["iph.researcher"]),
                )
            if n % 4 == 0:
                await _attach(session, iph.id, project.id)


async def test_a_page_of_100_projects_costs_as_many_statements_as_a_page_of_5(
    app: Any, as_user: Any, sessions: async_sessionmaker[AsyncSession], settings: Settings
):
    marker = f"QC-{uuid.uuid4().hex[:8]}"
    await _make_projects(sessions, marker)
    api = as_user(LISTER)
    engine: AsyncEngine = app.state.engine
    assert settings.page_size_max == 100

    async def page(n: int) -> tuple[list[dict[str, Any]], list[str]]:
        variables = {"f": {"search": marker}, "n": n}
        await api(PAGE, variables)  # warm: the first request may prepare what later ones reuse
        with sql_statements(engine) as statements:
            data = await api(PAGE, variables)
        return data["projects"]["nodes"], statements

    small, small_statements = await page(5)
    large, large_statements = await page(settings.page_size_max)
    print(
        f"\nSQL statements per request: page of {len(small)} projects: {len(small_statements)}; "
        f"page of {len(large)}: {len(large_statements)}"
    )
    assert (len(small), len(large)) == (5, 100)
    # Every loader was reached in both pages: the newest five have each kind of data.
    for nodes in (small, large):
        with_points = [n for n in nodes if n["currentAssessment"]["riskPoints"]]
        assert with_points and all(
            m["owner"]["username"] == "iph.researcher"
            for n in with_points
            for p in n["currentAssessment"]["riskPoints"]
            for m in p["measures"]
        )
        assert any(n["documents"] and n["documents"][0]["versions"] for n in nodes)
        assert all(len(n["members"]) == 2 and n["principalInvestigator"] for n in nodes)
        assert all(n["department"] and n["orgUnit"]["code"] == "IPH" for n in nodes)
    assert len(large_statements) == len(small_statements), "\n".join(
        ["page of 5:", *small_statements, "", "page of 100:", *large_statements]
    )
