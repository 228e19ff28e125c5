"""Who is told what: the one routing table, from the guidance.

Each row: the event topic, the audiences it goes to, the rules that demand it, and the notice
title in Chinese (the default) and English. Titles take `{project}`, `{unit}`, `{hazard}`,
`{incident}`, `{deadline}`, ... from the notice's params; a missing one renders empty.
An audience may carry a condition on the event's payload (`Audience.only_if`): a warning
signal goes to different people for a project and for a unit, and to the branch academy only
from orange on.
The README shows this table (`python -m server.cli notices routes`); a test keeps the copy equal,
and another fails if the code emits a topic that has no row.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.notices.audiences import (
    HAZARD_OWNER,
    MANAGING_BODY,
    MEASURE_OWNER,
    UNDERTAKERS,
    Audience,
    branch,
    hq,
    unit,
)
from server.tenancy.roles import Role


@dataclass(frozen=True)
class Route:
    topic: str
    audiences: tuple[Audience, ...]
    rules: str
    zh: str
    en: str


def _r(topic: str, audiences: tuple[Audience, ...], rules: str, zh: str, en: str) -> Route:
    return Route(topic, audiences, rules, zh, en)


SCO = hq(Role.SAFETY_COMMITTEE_OFFICE)
HQ_BUSINESS = hq(Role.BUSINESS_DEPARTMENT)
HQ_GROUP = hq(Role.HQ_COORDINATION_GROUP)
COORDINATION_LEADER = unit(Role.COORDINATION_LEADER)
SAFETY = unit(Role.SAFETY_MANAGEMENT)
LEGAL = unit(Role.LEGAL_REPRESENTATIVE)
RESEARCH_MANAGEMENT = unit(Role.RESEARCH_MANAGEMENT)
BRANCH = branch()

# A warning signal is about a project or a unit (payload `subject_type`); its level decides
# whether the branch academy hears of it too.
SIGNAL_AUDIENCES = (
    MANAGING_BODY.only_if("subject_type", "project"),
    UNDERTAKERS.only_if("subject_type", "project"),
    SAFETY.only_if("subject_type", "project"),
    LEGAL.only_if("subject_type", "unit"),
    COORDINATION_LEADER.only_if("subject_type", "unit"),
    BRANCH.only_if("level", "orange", "red"),
)

ROUTES: dict[str, Route] = {
    r.topic: r
    for r in [
        # Proposal, assessment and review (R-ASSESS, R-REVIEW, R-GATE).
        # Every submission also emits assessment.submitted, which tells the reviewers once.
        _r("project.submit", (), "R-REVIEW",
           "项目“{project}”已提交评审", "Project “{project}” submitted for review"),
        _r("assessment.submitted", (MANAGING_BODY,), "R-ASSESS, R-REVIEW",
           "项目“{project}”的安全风险评估待审核",
           "Risk assessment of “{project}” awaits review"),
        _r("assessment.reviewed", (UNDERTAKERS,), "R-REVIEW",
           "项目“{project}”的风险评估审核结果：{decision}",
           "Review of the risk assessment of “{project}”: {decision}"),
        _r("project.return", (UNDERTAKERS,), "R-REVIEW",
           "项目“{project}”被退回修改", "Project “{project}” returned for changes"),
        _r("project.reject", (UNDERTAKERS,), "R-GATE",
           "项目“{project}”未通过评审", "Project “{project}” did not pass review"),
        _r("project.approve", (UNDERTAKERS,), "R-GATE",
           "项目“{project}”已立项", "Project “{project}” approved"),
        _r("project.sensitive_field", (SCO, HQ_BUSINESS), "R-SENSITIVE",
           "敏感领域项目“{project}”（{unit}）", "Sensitive-field project “{project}” ({unit_en})"),
        # Filing, permits, start and changes (R-FILING, R-PERMIT, R-CHANGE).
        _r("project.file", (UNDERTAKERS,), "R-FILING",
           "项目“{project}”进入备案", "Project “{project}” goes to filing"),
        _r("project.filing_submitted", (HQ_BUSINESS,), "R-FILING",
           "{unit}报送项目“{project}”备案", "{unit_en} filed project “{project}”"),
        _r("project.filing_decided", (UNDERTAKERS, RESEARCH_MANAGEMENT, LEGAL), "R-FILING",
           "项目“{project}”备案结果：{state}", "Filing of “{project}”: {state}"),
        _r("project.start", (UNDERTAKERS, SAFETY), "R-PERMIT, R-INSPECT",
           "项目“{project}”开始实施", "Project “{project}” started"),
        _r("project.major_change", (HQ_BUSINESS, UNDERTAKERS), "R-CHANGE",
           "项目“{project}”发生重大变化，需重新评估",
           "Major change in “{project}”: re-assessment required"),
        _r("project.suspend", (UNDERTAKERS,), "R-CHANGE, R-OVERDUE",
           "项目“{project}”已暂停", "Project “{project}” suspended"),
        _r("project.resume", (UNDERTAKERS,), "R-CHANGE",
           "项目“{project}”已恢复实施", "Project “{project}” resumed"),
        _r("project.terminate", (UNDERTAKERS, SAFETY), "R-OWN",
           "项目“{project}”已终止", "Project “{project}” terminated"),
        _r("project.enter_outcome", (UNDERTAKERS,), "R-OUTCOME",
           "项目“{project}”进入成果阶段", "Project “{project}” entered the outcome stage"),
        _r("project.start_closing", (MANAGING_BODY,), "R-CLOSE",
           "项目“{project}”申请结题", "Project “{project}” is closing"),
        _r("project.close", (UNDERTAKERS,), "R-CLOSE",
           "项目“{project}”已结题", "Project “{project}” closed"),
        # Monitoring (R-INSPECT, R-HAZARD, R-SUPERVISE, R-OVERDUE).
        _r("inspection.recorded", (UNDERTAKERS,), "R-INSPECT",
           "项目“{project}”监督检查已记录", "Inspection of “{project}” recorded"),
        _r("hazard.reported", (SAFETY, RESEARCH_MANAGEMENT), "R-HAZARD, R-REPORT",
           "项目“{project}”发现风险隐患：{hazard}", "Hazard found in “{project}”: {hazard}"),
        _r("hazard.assigned", (HAZARD_OWNER, COORDINATION_LEADER), "R-HAZARD",
           "隐患“{hazard}”整改任务，期限 {deadline}",
           "Rectify hazard “{hazard}” by {deadline}"),
        _r("hazard.supervised", (HAZARD_OWNER, COORDINATION_LEADER), "R-SUPERVISE, R-OVERDUE",
           "隐患“{hazard}”被督办", "Hazard “{hazard}” is under supervision (督办)"),
        _r("hazard.verified", (HAZARD_OWNER,), "R-HAZARD",
           "隐患“{hazard}”整改验证结果已出", "Rectification of “{hazard}” verified"),
        _r("hazard.handling_recommended", (HQ_BUSINESS,), "R-OVERDUE",
           "项目处理建议：{unit}项目“{project}”", "Project-handling recommendation: “{project}”"),
        _r("hazard.handling_decided", (LEGAL, RESEARCH_MANAGEMENT, UNDERTAKERS), "R-OVERDUE",
           "院机关对项目“{project}”作出处理决定：{decision}",
           "HQ decided on “{project}”: {decision}"),
        # Incidents (R-INCIDENT): up the chain at once.
        _r("incident.reported", (BRANCH, SCO), "R-INCIDENT",
           "{unit}报告事件事故：{incident}", "{unit_en} reported an incident: {incident}"),
        _r("incident.major", (HQ_GROUP,), "R-INCIDENT",
           "重大事件事故：{incident}（{unit}）", "Major incident: {incident} ({unit_en})"),
        _r("incident.follow_up", (BRANCH, SCO), "R-INCIDENT",
           "事件事故“{incident}”续报", "Follow-up report on incident “{incident}”"),
        _r("incident.investigation", (BRANCH, SCO), "R-INCIDENT",
           "事件事故“{incident}”调查进展", "Investigation of incident “{incident}”"),
        _r("incident.public_opinion", (BRANCH, SCO), "R-INCIDENT",
           "事件事故“{incident}”舆情监测", "Public opinion on incident “{incident}”"),
        _r("incident.false_statement", (BRANCH, SCO), "R-INCIDENT",
           "事件事故“{incident}”不实言论", "False statements about incident “{incident}”"),
        _r("incident.special_meeting", (LEGAL, SAFETY), "R-INCIDENT",
           "院级协调小组就“{incident}”召开专题会议",
           "HQ group held a special meeting on “{incident}”"),
        # Outcomes (R-OUTCOME).
        _r("outcome.submitted",
           (unit(Role.SECRECY_OFFICER), RESEARCH_MANAGEMENT, unit(Role.PUBLIC_OPINION_OFFICER),
            unit(Role.COORDINATION_MEMBER), COORDINATION_LEADER),
           "R-OUTCOME",
           "项目“{project}”成果发布待安全审查", "Outcome of “{project}” awaits release review"),
        _r("outcome.decided", (UNDERTAKERS,), "R-OUTCOME",
           "项目“{project}”成果发布审查结论：{decision}",
           "Release review of “{project}”: {decision}"),
        # The scheduler's reminders and escalations (workers/scheduler.py).
        _r("inspection.due", (MANAGING_BODY, SAFETY), "R-INSPECT",
           "项目“{project}”应于 {due} 前接受监督检查", "Inspection of “{project}” due by {due}"),
        _r("hazard.deadline_near", (HAZARD_OWNER,), "R-HAZARD",
           "隐患“{hazard}”整改期限 {deadline} 将至", "Rectification of “{hazard}” due {deadline}"),
        _r("hazard.overdue", (HAZARD_OWNER, COORDINATION_LEADER), "R-OVERDUE",
           "隐患“{hazard}”整改已逾期（期限 {deadline}）",
           "Rectification of “{hazard}” is overdue (deadline {deadline})"),
        _r("hazard.escalated_branch", (BRANCH, COORDINATION_LEADER), "R-OVERDUE, R-SUPERVISE",
           "{unit}隐患“{hazard}”逾期 {days} 天未整改，请督办",
           "{unit_en}: hazard “{hazard}” {days} days overdue; please supervise"),
        _r("hazard.escalated_hq", (HQ_BUSINESS,), "R-OVERDUE",
           "{unit}隐患“{hazard}”逾期 {days} 天未整改",
           "{unit_en}: hazard “{hazard}” {days} days overdue"),
        _r("permit.expiring", (UNDERTAKERS, MANAGING_BODY), "R-PERMIT",
           "项目“{project}”的许可将于 {valid_until} 到期",
           "Permit of “{project}” expires on {valid_until}"),
        _r("permit.expired", (UNDERTAKERS, MANAGING_BODY, SAFETY), "R-PERMIT",
           "项目“{project}”的许可已于 {valid_until} 到期，不得超时限实施",
           "Permit of “{project}” expired on {valid_until}: work must not go on"),
        _r("incident.follow_up_overdue", (SAFETY, LEGAL, BRANCH), "R-INCIDENT",
           "事件事故“{incident}”续报已超时", "Follow-up report on “{incident}” is late"),
        _r("measure.overdue", (MEASURE_OWNER, UNDERTAKERS), "R-INSPECT",
           "项目“{project}”的防范措施已逾期：{measure}",
           "Mitigation measure past due in “{project}”: {measure}"),
        # Early-warning signals (server/signals): a project's to those who manage and undertake
        # it and the unit's safety management, a unit's to those who answer for the unit;
        # orange and red also to the branch academy (ORG-INST-DUTY, R-SUPERVISE).
        _r("signal.opened", SIGNAL_AUDIENCES, "ORG-INST-DUTY, R-SUPERVISE",
           "{level}预警：{indicator_zh}（{unit}，指标值 {value}）",
           "Warning ({level}): {indicator_en} — {unit}, value {value}"),
        _r("signal.escalated", SIGNAL_AUDIENCES, "ORG-INST-DUTY, R-SUPERVISE",
           "预警升级为{level}：{indicator_zh}（{unit}，指标值 {value}）",
           "Warning raised to {level}: {indicator_en} — {unit}, value {value}"),
        _r("signal.cleared", SIGNAL_AUDIENCES, "ORG-INST-DUTY, R-SUPERVISE",
           "预警解除：{indicator_zh}（{unit}）", "Warning cleared: {indicator_en} — {unit}"),
        # The yearly evaluation and the warning list (R-EVAL, R-WARNLIST).
        _r("evaluation.published", (LEGAL,), "R-EVAL",
           "{year} 年度科技安全风险评估结果：{level}",
           "S&T security evaluation {year}: {level}"),
        _r("evaluation.warning", (LEGAL, COORDINATION_LEADER, BRANCH), "R-EVAL",
           "警示通报：{unit} {year} 年度评估为{level}",
           "Warning notice (警示通报): {unit_en} rated {level} for {year}"),
        _r("evaluation.deployment_recommendation", (HQ_BUSINESS,), "R-EVAL",
           "项目部署建议：{unit} {year} 年度评估为{level}，审慎部署新项目",
           "Project-deployment recommendation: {unit_en} rated {level} for {year}"),
        _r("warning_list.entry_added", (LEGAL, RESEARCH_MANAGEMENT), "R-WARNLIST",
           "列入警示名录：{subject}", "Put on the warning list: {subject}"),
        _r("warning_list.entry_lifted", (LEGAL, RESEARCH_MANAGEMENT), "R-WARNLIST",
           "移出警示名录：{subject}", "Taken off the warning list: {subject}"),
    ]
}  # fmt: skip


def render_markdown() -> str:
    lines = [
        "| event | who is told | rules | notice (zh) |",
        "| --- | --- | --- | --- |",
    ]
    for route in ROUTES.values():
        who = "; ".join(a.describe() for a in route.audiences) or "nobody (recorded only)"
        lines.append(f"| `{route.topic}` | {who} | {route.rules} | {route.zh} |")
    return "\n".join(lines) + "\n"
