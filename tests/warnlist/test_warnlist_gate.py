"""R-WARNLIST at the approval gate: a ban bars submission and approval; a listing without a
ban means HQ must re-review before approval. R-OVERDUE's bans land on the list."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from schema.relay import from_global_id
from server.auth.principal import SYSTEM
from server.db.engine import ALL_TENANTS, scope
from server.projects.models import Project
from server.warnlist import service as warnlist
from server.warnlist.models import EntrySource, SubjectKind, WarningListEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "projects"))

from project_support import Flow


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f


async def _project(sessions: Any, global_id: str) -> Project:
    tenant, pid = from_global_id(global_id)[1]
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        project = await session.get(Project, (tenant, pid))
        assert project is not None
        return project


async def _list(
    sessions: Any, project: Project, kind: SubjectKind, *, ban: bool
) -> WarningListEntry:
    subject = {
        SubjectKind.UNIT: project.tenant_id,
        SubjectKind.BUSINESS_UNIT: project.department_id,
        SubjectKind.PERSON: project.pi_user_id,
    }[kind]
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        return await warnlist.add_entry(
            session,
            SYSTEM,
            project.tenant_id,
            warnlist.EntryInput(
                subject_kind=kind,
                subject_id=subject,
                reason="重大事件事故，后果严重",
                source=EntrySource.INCIDENT,
                ban=ban,
            ),
        )


async def _lift(sessions: Any, entry: WarningListEntry) -> None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        await warnlist.lift_entry(session, SYSTEM, entry.tenant_id, entry.id, reason="整改到位")


async def test_R_WARNLIST_a_banned_person_or_business_unit_cannot_submit_or_be_approved(
    flow: Flow, sessions
):
    created = (await flow.create())["project"]
    row = await _project(sessions, created["id"])
    assert (await flow.save("iph.researcher", created))["__typename"] == "AssessmentSaved"
    ban = await _list(sessions, row, SubjectKind.PERSON, ban=True)
    refused = await flow.submit("iph.researcher", created)
    assert "R-WARNLIST" in refused["message"], refused
    await _lift(sessions, ban)
    assert (await flow.submit("iph.researcher", created))["__typename"] == "AssessmentSaved"
    assert (await flow.review("iph.research-management", created))["__typename"] == (
        "ReviewRecorded"
    )
    # Banned between review and approval: the department this time.
    ban = await _list(sessions, row, SubjectKind.BUSINESS_UNIT, ban=True)
    refused = await flow.fire("iph.research-management", "approveProject", created["id"])
    assert "R-WARNLIST" in refused["message"] and "barred" in refused["message"], refused
    await _lift(sessions, ban)
    approved = await flow.fire("iph.research-management", "approveProject", created["id"])
    assert approved["project"]["state"] == "APPROVED"


async def test_R_WARNLIST_a_listed_unit_needs_HQ_re_review_before_approval(flow: Flow, sessions):
    created = (await flow.create())["project"]
    row = await _project(sessions, created["id"])
    entry = await _list(sessions, row, SubjectKind.UNIT, ban=False)
    try:
        assert (await flow.save("iph.researcher", created))["__typename"] == "AssessmentSaved"
        # Listed, not banned: the proposal may go in.
        assert (await flow.submit("iph.researcher", created))["__typename"] == "AssessmentSaved"
        institute = await flow.review("iph.research-management", created)
        # The institute's pass is not enough: the HQ stage is now required.
        assert institute["assessment"]["state"] == "SUBMITTED"
        refused = await flow.fire("iph.research-management", "approveProject", created["id"])
        assert "R-GATE" in refused["message"], refused
        hq = await flow.review("hq.business-department", created, stage="HQ")
        assert hq["assessment"]["state"] == "PASSED", hq
        approved = await flow.fire("iph.research-management", "approveProject", created["id"])
        assert approved["project"]["state"] == "APPROVED", approved
    finally:
        await _lift(sessions, entry)


async def test_R_WARNLIST_listed_after_the_assessment_passed_still_needs_HQ(flow: Flow, sessions):
    created = (await flow.create())["project"]
    row = await _project(sessions, created["id"])
    assert (await flow.save("iph.researcher", created))["__typename"] == "AssessmentSaved"
    assert (await flow.submit("iph.researcher", created))["__typename"] == "AssessmentSaved"
    passed = await flow.review("iph.research-management", created)
    assert passed["assessment"]["state"] == "PASSED"
    entry = await _list(sessions, row, SubjectKind.PERSON, ban=False)
    try:
        refused = await flow.fire("iph.research-management", "approveProject", created["id"])
        assert "R-WARNLIST" in refused["message"] and "HQ must re-review" in refused["message"]
        hq = await flow.review("hq.business-department", created, stage="HQ")
        assert hq["__typename"] == "ReviewRecorded", hq
        approved = await flow.fire("iph.research-management", "approveProject", created["id"])
        assert approved["project"]["state"] == "APPROVED", approved
    finally:
        await _lift(sessions, entry)


async def test_R_WARNLIST_an_unlisted_institute_project_gets_no_HQ_review(flow: Flow):
    created = (await flow.create())["project"]
    assert (await flow.save("iph.researcher", created))["__typename"] == "AssessmentSaved"
    assert (await flow.submit("iph.researcher", created))["__typename"] == "AssessmentSaved"
    refused = await flow.review("hq.business-department", created, stage="HQ")
    assert refused["__typename"] == "InvalidInputError", refused


async def test_R_WARNLIST_entries_lapse_at_their_end_and_lifts_are_kept_in_history(sessions):
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        entry = (
            await session.scalars(
                select(WarningListEntry).where(WarningListEntry.lifted_at.is_not(None)).limit(1)
            )
        ).first()
        assert entry is not None  # lifted by the tests above
        assert not entry.active_on(entry.starts_on)
        lapsed = WarningListEntry(
            tenant_id=entry.tenant_id,
            id=uuid.uuid4(),
            subject_kind="unit",
            subject_id=entry.tenant_id,
            subject_label="x",
            reason="x",
            source="violation",
            ban=True,
            starts_on=entry.starts_on.replace(year=entry.starts_on.year - 2),
            ends_on=entry.starts_on.replace(year=entry.starts_on.year - 1),
            created_by_label="x",
        )
        assert not lapsed.active_on(entry.starts_on)
        assert lapsed.active_on(lapsed.starts_on)
