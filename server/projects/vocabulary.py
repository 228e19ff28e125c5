"""The guidance's vocabulary for projects: categories, sensitive fields, levels, states."""

from __future__ import annotations

import enum


class RiskCategory(enum.StrEnum):
    """The seven categories of R-ASSESS, in the guidance's order."""

    CHOKEPOINT = "chokepoint"  # 关键技术/材料/设备被外部"卡脖子"
    SAFETY = "safety"  # 实施过程中重大人员伤亡、财产损失
    COMPLIANCE = "compliance"  # 违反科技管理法律法规
    DATA_SECURITY = "data_security"  # 科学数据安全
    ETHICS = "ethics"  # 科技伦理道德
    PUBLIC_OPINION = "public_opinion"  # 社会舆情
    CONFIDENTIALITY = "confidentiality"  # 保密


CATEGORY_TITLES_ZH = {
    RiskCategory.CHOKEPOINT: '关键技术、材料、设备被外部"卡脖子"风险',
    RiskCategory.SAFETY: "项目实施过程中发生重大人员伤亡、财产损失风险",
    RiskCategory.COMPLIANCE: "违反科技管理相关法律法规风险",
    RiskCategory.DATA_SECURITY: "科学数据安全风险",
    RiskCategory.ETHICS: "科技伦理道德风险",
    RiskCategory.PUBLIC_OPINION: "社会舆情风险",
    RiskCategory.CONFIDENTIALITY: "保密风险",
}


class SensitiveField(enum.StrEnum):
    """R-SENSITIVE: fields that get heightened attention and strict measures."""

    ARTIFICIAL_INTELLIGENCE = "artificial_intelligence"  # 人工智能
    GENE_EDITING = "gene_editing"  # 基因编辑
    MEDICAL_DIAGNOSIS = "medical_diagnosis"  # 医疗诊断
    AUTONOMOUS_DRIVING = "autonomous_driving"  # 自动驾驶
    DRONES = "drones"  # 无人机
    SERVICE_ROBOTS = "service_robots"  # 服务机器人


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class ProjectState(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已提交评审
    RETURNED = "returned"  # 退回修改
    REJECTED = "rejected"  # 未通过
    APPROVED = "approved"  # 已立项
    FILING = "filing"  # 备案中
    IMPLEMENTING = "implementing"  # 实施中
    SUSPENDED = "suspended"  # 已暂停
    OUTCOME = "outcome"  # 成果阶段
    CLOSING = "closing"  # 结题中
    CLOSED = "closed"  # 已结题
    TERMINATED = "terminated"  # 已终止


class AssessmentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PASSED = "passed"
    RETURNED = "returned"
    FAILED = "failed"


class ReviewStage(enum.StrEnum):
    """Who reviews (R-REVIEW): the institute's research management; for a sensitive field also
    the coordination group leader (R-SENSITIVE); for an HQ-deployed project, HQ re-review."""

    INSTITUTE = "institute"
    COORDINATION = "coordination"
    HQ = "hq"


class ReviewMethod(enum.StrEnum):
    ADMINISTRATIVE = "administrative"  # 行政审批
    MEETING = "meeting"  # 会议 (minutes attached)


class ReviewDecision(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - a review decision, not a password
    RETURN = "return"
    FAIL = "fail"


class MeasureStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class FilingState(enum.StrEnum):
    SUBMITTED = "submitted"  # signed by the legal representative, with the HQ department
    ARGUMENTATION_REQUIRED = "argumentation_required"  # 需论证和审批
    RECORDED = "recorded"  # 已备案 (or argued and approved)
