"""Early-warning signals over GraphQL and for the oversight views: HQ's thresholds, who sees
which signals (ORG-INST, ORG-BRANCH, ORG-HQ), a unit's signals reaching the people who answer
for the unit, and a page of signals at a fixed number of SQL statements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from notice_support import report_incident
from signal_support import owner_sql, run_evaluation, uid
from sql_statements import sql_statements
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import clock
from server.audit.models import AuditEntry
from server.auth.service import principal_for_user
from server.db.engine import ALL_TENANTS, scope
from server.notices import messages
from server.notices.models import Notice
from server.signals.indicators import INDICATORS, At
from server.signals.models import SignalLevel, WarningSignal
from server.signals.service import open_signals_summary
from server.tenancy.models import OrgUnit, User

SET = """mutation($n: String!, $t: WarningThresholdsInput!) {
  setIndicatorThresholds(indicator: $n, thresholds: $t) { __typename
    ... on IndicatorThresholdsSaved { indicator { name version thresholds { blue yellow orange red }
      setBy } }
    ... on UserError { code message field } } }"""
INDICATORS_QUERY = """{ warningIndicators { name scope titleZh titleEn counts rules version
  thresholds { blue yellow orange red } defaults { blue yellow orange red } } }"""
SIGNALS = """query($f: WarningSignalFilter, $n: Int!) { warningSignals(filter: $f, first: $n) {
  pageInfo { hasNextPage }
  nodes { id indicator subjectType level value state openedAt lastChangedAt clearedAt projectId
    orgUnit { code } project { id title } history { kind level value at } } } }"""


async def _audit_count(owner_engine: AsyncEngine) -> int:
    async with owner_engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def _indicator(as_user: Any, user: str, name: str) -> dict[str, Any]:
    data = await as_user(user)(INDICATORS_QUERY)
    return next(i for i in data["warningIndicators"] if i["name"] == name)


async def test_ORG_HQ_thresholds_out_of_order_are_refused_and_change_nothing(
    as_user, owner_engine, hq_thresholds
):
    office = as_user("hq.safety-committee-office")
    before = await _indicator(as_user, "hq.safety-committee-office", "measures_past_due")
    audit_before = await _audit_count(owner_engine)
    for thresholds in (
        {"blue": 5, "yellow": 3},  # falling
        {"blue": 1, "yellow": 3, "orange": 3, "red": 8},  # not strictly rising
        {"yellow": 4, "red": 2},  # falling across an unused level
        {},  # nothing at all
    ):
        data = await office(SET, {"n": "measures_past_due", "t": thresholds})
        result = data["setIndicatorThresholds"]
        assert result["__typename"] == "InvalidInputError", (thresholds, result)
        assert result["field"] == "thresholds"
    unknown = await office(SET, {"n": "no_such_indicator", "t": {"red": 1}})
    assert unknown["setIndicatorThresholds"]["field"] == "indicator"
    assert await _indicator(as_user, "hq.safety-committee-office", "measures_past_due") == before
    assert await _audit_count(owner_engine) == audit_before

    # Only the Safety Committee Office: another HQ department is refused, with a reason.
    other = await as_user("hq.business-department")(
        SET, {"n": "measures_past_due", "t": {"red": 9}}
    )
    assert other["setIndicatorThresholds"]["__typename"] == "ForbiddenError"

    # In order (a level may be unused): a new version, audited, shown to every unit.
    saved = await office(SET, {"n": "measures_past_due", "t": {"yellow": 2, "red": 4}})
    indicator = saved["setIndicatorThresholds"]["indicator"]
    assert indicator["version"] == before["version"] + 1
    assert indicator["thresholds"] == {"blue": None, "yellow": 2, "orange": None, "red": 4}
    assert indicator["setBy"]  # the office's display name
    assert await _audit_count(owner_engine) == audit_before + 1
    seen = await _indicator(as_user, "iph.researcher", "measures_past_due")
    assert seen["thresholds"] == indicator["thresholds"]
    assert seen["defaults"] == {"blue": 1, "yellow": 3, "orange": 5, "red": 8}
    # The same thresholds again: nothing new.
    same = await office(SET, {"n": "measures_past_due", "t": {"yellow": 2, "red": 4}})
    assert same["setIndicatorThresholds"]["indicator"]["version"] == indicator["version"]
    data = await as_user("bj.supervisor")(INDICATORS_QUERY)
    assert {i["name"] for i in data["warningIndicators"]} == set(INDICATORS)


async def _value_now(sessions: Any, name: str, unit: uuid.UUID) -> int:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        rows = await session.execute(INDICATORS[name].query(At(now, clock.today(now))))
        return next((int(v) for _, s, v in rows if s == unit), 0)


async def _unit_id(sessions: Any, code: str) -> uuid.UUID:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        found = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
        assert found is not None
        return found


async def _open_signal(sessions: Any, name: str, unit: uuid.UUID) -> WarningSignal | None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        return await session.scalar(
            select(WarningSignal).where(
                WarningSignal.indicator == name,
                WarningSignal.subject_id == unit,
                WarningSignal.state == "open",
            )
        )


async def _notices_of(sessions: Any, signal_id: uuid.UUID, topic: str) -> list[tuple[str, Notice]]:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        rows = await session.execute(
            select(User.username, Notice)
            .join(User, (User.tenant_id == Notice.tenant_id) & (User.id == Notice.user_id))
            .where(Notice.topic == topic, Notice.params["signal_id"].astext == str(signal_id))
        )
        return sorted(((u, n) for u, n in rows), key=lambda r: r[0])


async def test_R_INCIDENT_unit_signal_goes_to_those_who_answer_for_the_unit(
    flow, as_user, sessions, deliver, hq_thresholds
):
    iph = await _unit_id(sessions, "IPH")
    name = "incidents_90_days"
    start = await _value_now(sessions, name, iph)  # other tests' incidents count too
    office = as_user("hq.safety-committee-office")
    saved = await office(
        SET, {"n": name, "t": {"blue": start + 1, "yellow": start + 2, "orange": start + 4}}
    )
    assert saved["setIndicatorThresholds"]["__typename"] == "IndicatorThresholdsSaved", saved
    await run_evaluation(sessions)  # whatever was open for IPH clears under the new thresholds
    assert await _open_signal(sessions, name, iph) is None

    await report_incident(flow, "GENERAL", "样品泄漏")
    await run_evaluation(sessions)
    signal = await _open_signal(sessions, name, iph)
    assert signal is not None and (signal.level, signal.value) == ("blue", start + 1)
    await deliver()
    told = await _notices_of(sessions, signal.id, "signal.opened")
    assert [u for u, _ in told] == ["iph.coordination-leader", "iph.legal-representative"]
    notice = told[0][1]
    assert (notice.subject_type, notice.subject_id) == ("org_unit", iph)  # links to the unit
    zh = messages.render(notice.topic, notice.params, "zh").title
    en = messages.render(notice.topic, notice.params, "en").title
    assert "蓝色预警" in zh and "近90天事件事故" in zh
    assert "Incidents in the last 90 days" in en and "blue" in en

    # A major incident weighs three: orange, and the branch academy is told too.
    await report_incident(flow, "MAJOR", "爆燃")
    await run_evaluation(sessions)
    signal = await _open_signal(sessions, name, iph)
    assert signal is not None and (signal.level, signal.value) == ("orange", start + 4)
    await deliver()
    told = await _notices_of(sessions, signal.id, "signal.escalated")
    assert [u for u, _ in told] == [
        "bj.supervisor",
        "iph.coordination-leader",
        "iph.legal-representative",
    ]


@pytest.fixture
async def signals_everywhere(flow, as_user, sessions, owner_engine) -> dict[str, Any]:
    """Open signals at IPH (a project's, under BJ) and at IOC (a unit's, under SH)."""
    project = await flow.approved()
    await flow.fire("iph.researcher", "startProject", project["id"])
    await owner_sql(
        owner_engine,
        "UPDATE mitigation_measures SET due_date = :d WHERE assessment_id = (SELECT "
        "current_assessment_id FROM projects WHERE id = CAST(:p AS uuid))",
        d=datetime.now(UTC).date() - timedelta(days=3),
        p=uid(project["id"]),
    )
    ioc = as_user("ioc.researcher")
    listed = await ioc("{ orgUnits(first: 10) { nodes { id code } } }")
    units = {n["code"]: n["id"] for n in listed["orgUnits"]["nodes"]}
    reported = await ioc(
        """mutation($u: ID!, $t: DateTime!) { reportIncident(orgUnitId: $u, input: {
             title: "设备起火", occurredAt: $t, place: "实验楼", category: SAFETY,
             severity: ESPECIALLY_MAJOR, immediateMeasures: "疏散"}) { __typename } }""",
        {"u": units["IOC"], "t": (datetime.now(UTC) - timedelta(hours=2)).isoformat()},
    )
    assert reported["reportIncident"]["__typename"] == "IncidentSaved"
    await run_evaluation(sessions)
    return {"project": project["id"]}


async def test_ORG_BRANCH_ORG_INST_who_sees_which_signals(as_user, signals_everywhere):
    project = signals_everywhere["project"]
    everything = {"state": "OPEN"}

    async def codes(user: str, f: dict[str, Any]) -> set[str]:
        data = await as_user(user)(SIGNALS, {"f": f, "n": 100})
        return {n["orgUnit"]["code"] for n in data["warningSignals"]["nodes"]}

    assert {"IPH", "IOC"} <= await codes("hq.safety-committee-office", everything)
    assert await codes("bj.supervisor", everything) <= {"IPH", "IAU"}
    assert "IPH" in await codes("bj.supervisor", everything)
    assert await codes("sh.supervisor", everything) <= {"IOC", "IMS"}
    assert await codes("ioc.researcher", everything) == {"IOC"}
    assert await codes("iph.researcher", everything) == {"IPH"}

    # Another institute asking for IPH's signals, or for one of its projects, learns nothing.
    for f in ({"projectId": project}, {"orgUnitId": await _global_unit(as_user, "IPH")}):
        assert await codes("ioc.researcher", f) == set()
    # IPH's own people see the project's signal, with its project and history.
    data = await as_user("iph.safety-management")(SIGNALS, {"f": {"projectId": project}, "n": 10})
    [signal] = data["warningSignals"]["nodes"]
    assert signal["indicator"] == "measures_past_due" and signal["level"] == "ORANGE"
    assert signal["project"]["id"] == project == signal["projectId"]
    assert [h["kind"] for h in signal["history"]] == ["OPENED"]


async def _global_unit(as_user: Any, code: str) -> str:
    data = await as_user("hq.safety-committee-office")(
        "{ orgUnits(first: 10) { nodes { id code } } }"
    )
    return next(n["id"] for n in data["orgUnits"]["nodes"] if n["code"] == code)


async def test_a_page_of_signals_costs_the_same_statements_whatever_its_size(
    app, as_user, sessions, owner_engine, signals_everywhere
):
    """DataLoaders: unit, project and history per page, not per signal."""
    marker = f"probe_{uuid.uuid4().hex[:8]}"
    iph = await _unit_id(sessions, "IPH")
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        project_ids = list(
            (await session.execute(select(WarningSignal.subject_id).where(
                WarningSignal.tenant_id == iph, WarningSignal.subject_type == "project"
            ).limit(1))).scalars()
        )  # fmt: skip
    # 60 cleared signals of a probe indicator (evaluations never touch cleared ones), half
    # about a project, each with two history rows.
    await owner_sql(
        owner_engine,
        """
        WITH s AS (
          INSERT INTO warning_signals (tenant_id, id, indicator, subject_type, subject_id, level,
            value, state, opened_at, last_changed_at, cleared_at)
          SELECT CAST(:t AS uuid), gen_random_uuid(), :m,
            CASE WHEN n % 2 = 0 THEN 'project' ELSE 'unit' END,
            CASE WHEN n % 2 = 0 THEN CAST(:p AS uuid) ELSE CAST(:t AS uuid) END,
            'yellow', n, 'cleared', now() - n * interval '1 minute', now(), now()
          FROM generate_series(1, 60) AS n RETURNING tenant_id, id, level, value)
        INSERT INTO warning_signal_events (tenant_id, id, signal_id, kind, level, value, at)
        SELECT tenant_id, gen_random_uuid(), id, k, level, value, now()
        FROM s, unnest(ARRAY['opened', 'cleared']) AS k
        """,
        t=str(iph),
        m=marker,
        p=str(project_ids[0]),
    )
    hq = as_user("hq.safety-committee-office")
    counts = []
    for size in (5, 50):
        with sql_statements(app.state.engine) as seen:
            data = await hq(SIGNALS, {"f": {"indicator": marker, "state": "CLEARED"}, "n": size})
        nodes = data["warningSignals"]["nodes"]
        assert len(nodes) == size
        assert all(len(n["history"]) == 2 and n["orgUnit"]["code"] == "IPH" for n in nodes)
        assert any(n["project"] for n in nodes)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


async def test_open_signals_summary_for_the_oversight_views(
    sessions, app_engine, signals_everywhere
):
    iph, iau, ioc = [await _unit_id(sessions, c) for c in ("IPH", "IAU", "IOC")]
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        bj = await session.scalar(select(User).where(User.username == "bj.supervisor"))
        assert bj is not None
        open_counts = dict(
            (
                await session.execute(
                    select(WarningSignal.tenant_id, func.count())
                    .where(WarningSignal.state == "open")
                    .group_by(WarningSignal.tenant_id)
                )
            ).all()
        )
    async with sessions() as session, session.begin():
        principal = await principal_for_user(session, tenant_id=bj.tenant_id, user_id=bj.id)
        assert principal is not None
        with sql_statements(app_engine) as seen:
            summary = await open_signals_summary(session, principal, [iph, iau, ioc])
    # A branch academy: its institutes only; IOC (under SH) is left out, not an error.
    assert len(seen) == 2
    assert summary.total == open_counts.get(iph, 0) + open_counts.get(iau, 0)
    assert {s.signal.tenant_id for s in summary.signals} <= {iph, iau}
    assert summary.by_indicator["measures_past_due"][SignalLevel.ORANGE] >= 1
    titled = [s for s in summary.signals if s.signal.subject_type == "project"]
    assert titled and all(s.project_title and s.unit_name == "物理研究所" for s in titled)
    ranks = [SignalLevel(s.signal.level).rank for s in summary.signals]
    assert ranks == sorted(ranks, reverse=True)  # red first
