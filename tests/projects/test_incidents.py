"""Incidents (R-INCIDENT): reported up the chain at once; follow-ups, investigation, opinion
records; the HQ group's special meeting on a major one; closure with lessons learned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from project_support import Flow
from sqlalchemy import func, select

from schema.relay import from_global_id
from server import clock
from server.outbox.models import OutboxEvent

REPORT = """mutation($u: ID!, $i: IncidentInput!) { reportIncident(orgUnitId: $u, input: $i) {
  __typename ... on IncidentSaved { incident { id state severity reportedLate } }
  ... on UserError { code message field } } }"""
UPDATE = """mutation($i: ID!, $k: IncidentUpdateKind!, $t: String!) { addIncidentUpdate(
  incidentId: $i, kind: $k, text: $t) { __typename ... on IncidentSaved { incident { state
  updates { kind text } } } ... on UserError { code message } } }"""
MEETING = """mutation($i: ID!, $d: Date!) { recordSpecialMeeting(incidentId: $i, heldOn: $d,
  minutes: "会议纪要", decisions: "停工整顿") { __typename ... on IncidentSaved { incident {
  specialMeetings { decisions } } } ... on UserError { code message } } }"""
CLOSE = """mutation($i: ID!) { closeIncident(incidentId: $i, lessonsLearned: "加强培训") {
  __typename ... on IncidentSaved { incident { state lessonsLearned } }
  ... on UserError { code message } } }"""
LIST = "{ incidents(first: 100) { nodes { id } } }"


def _input(severity: str = "GENERAL", **overrides: Any) -> dict[str, Any]:
    return {
        "title": "实验室起火",
        "occurredAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "place": "3号楼201",
        "category": "SAFETY",
        "severity": severity,
        "immediateMeasures": "疏散人员，切断电源",
        "injuries": 1,
        "losses": "设备损毁",
        "publicOpinion": "暂无",
    } | overrides


async def test_R_INCIDENT_reaches_the_branch_and_HQ_at_once(flow: Flow, owner_engine: Any):
    reported = await flow.gql("iph.researcher", REPORT, {"u": flow.ids["IPH"], "i": _input()})
    incident = reported["reportIncident"]["incident"]
    assert (incident["state"], incident["reportedLate"]) == ("REPORTED", False)
    for viewer in ("bj.supervisor", "hq.safety-committee-office"):
        seen = {n["id"] for n in (await flow.gql(viewer, LIST))["incidents"]["nodes"]}
        assert incident["id"] in seen, viewer
    for outsider in ("sh.supervisor", "ioc.tenant-admin"):
        seen = {n["id"] for n in (await flow.gql(outsider, LIST))["incidents"]["nodes"]}
        assert incident["id"] not in seen, outsider
    async with owner_engine.connect() as conn:
        told = await conn.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.topic == "incident.reported",
                OutboxEvent.payload["incident_id"].astext
                == str(from_global_id(incident["id"])[1][1]),
            )
        )
    assert told == 1


async def test_R_INCIDENT_bad_reports_change_nothing(flow: Flow):
    future = _input(occurredAt=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    refused = await flow.gql("iph.researcher", REPORT, {"u": flow.ids["IPH"], "i": future})
    assert refused["reportIncident"]["field"] == "occurredAt"
    hq = await flow.gql("hq.platform-admin", "{ orgUnits(first: 100) { nodes { id code } } }")
    ioc = next(n["id"] for n in hq["orgUnits"]["nodes"] if n["code"] == "IOC")
    foreign = await flow.gql("iph.researcher", REPORT, {"u": ioc, "i": _input()})
    assert foreign["reportIncident"]["code"] == "NOT_FOUND"
    late = _input(occurredAt=(datetime.now(UTC) - timedelta(days=3)).isoformat())
    reported = await flow.gql("iph.researcher", REPORT, {"u": flow.ids["IPH"], "i": late})
    assert reported["reportIncident"]["incident"]["reportedLate"] is True


async def test_R_INCIDENT_records_meeting_and_closure(flow: Flow):
    major = await flow.gql("iph.researcher", REPORT, {"u": flow.ids["IPH"], "i": _input("MAJOR")})
    iid = major["reportIncident"]["incident"]["id"]
    follow = await flow.gql(
        "iph.safety-management", UPDATE, {"i": iid, "k": "FOLLOW_UP", "t": "火已扑灭"}
    )
    assert follow["addIncidentUpdate"]["__typename"] == "IncidentSaved"
    assert (await flow.gql("iph.researcher", UPDATE, {"i": iid, "k": "FOLLOW_UP", "t": "x"}))[
        "addIncidentUpdate"
    ]["code"] == "FORBIDDEN"
    opinion = await flow.gql(
        "iph.public-opinion-officer",
        UPDATE,
        {"i": iid, "k": "FALSE_STATEMENT", "t": "网传伤亡不实"},
    )
    assert opinion["addIncidentUpdate"]["__typename"] == "IncidentSaved"
    investigating = await flow.gql(
        "bj.supervisor", UPDATE, {"i": iid, "k": "INVESTIGATION", "t": "分院调查组进驻"}
    )
    assert investigating["addIncidentUpdate"]["incident"]["state"] == "INVESTIGATING"
    early = await flow.gql("iph.coordination-leader", CLOSE, {"i": iid})
    assert early["closeIncident"]["code"] == "CONFLICT"  # the HQ group meets first
    today = clock.today().isoformat()
    assert (await flow.gql("iph.coordination-leader", MEETING, {"i": iid, "d": today}))[
        "recordSpecialMeeting"
    ]["code"] == "FORBIDDEN"
    met = await flow.gql("hq.hq-coordination-group", MEETING, {"i": iid, "d": today})
    assert met["recordSpecialMeeting"]["incident"]["specialMeetings"][0]["decisions"] == "停工整顿"
    closed = await flow.gql("iph.coordination-leader", CLOSE, {"i": iid})
    assert closed["closeIncident"]["incident"]["state"] == "CLOSED"
    again = await flow.gql("iph.safety-management", UPDATE, {"i": iid, "k": "FOLLOW_UP", "t": "x"})
    assert again["addIncidentUpdate"]["code"] == "CONFLICT"
