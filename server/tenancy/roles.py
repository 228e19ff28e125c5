"""Roles, named after the guidance's organisation rules (ORG-*), and where each may be held."""

from __future__ import annotations

import enum


class UnitKind(enum.StrEnum):
    HQ = "hq"  # 院机关 (ORG-HQ)
    BRANCH = "branch"  # 分院 (ORG-BRANCH)
    INSTITUTE = "institute"  # 院属单位 (ORG-INST)


class Role(enum.StrEnum):
    # Institute (ORG-INST)
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    COORDINATION_LEADER = "coordination_leader"  # 所级协调小组组长
    COORDINATION_MEMBER = "coordination_member"  # 所级协调小组成员
    RESEARCH_MANAGEMENT = "research_management"  # 科研管理部门
    SAFETY_MANAGEMENT = "safety_management"  # 安全管理部门
    RESEARCHER = "researcher"  # 科研人员 (科研部门)
    PUBLIC_OPINION_OFFICER = "public_opinion_officer"  # 舆情应对部门
    SECRECY_OFFICER = "secrecy_officer"  # 保密管理
    TENANT_ADMIN = "tenant_admin"  # 单位系统管理员
    # Branch academy (ORG-BRANCH)
    BRANCH_SUPERVISOR = "branch_supervisor"  # 分院监管人员
    # HQ (ORG-HQ)
    SAFETY_COMMITTEE_OFFICE = "safety_committee_office"  # 院安委办
    HQ_COORDINATION_GROUP = "hq_coordination_group"  # 院级科技安全管理协调小组
    BUSINESS_DEPARTMENT = "business_department"  # 院机关业务管理部门
    PLATFORM_ADMIN = "platform_admin"  # 平台管理员


ROLE_UNIT_KIND: dict[Role, UnitKind] = {
    Role.LEGAL_REPRESENTATIVE: UnitKind.INSTITUTE,
    Role.COORDINATION_LEADER: UnitKind.INSTITUTE,
    Role.COORDINATION_MEMBER: UnitKind.INSTITUTE,
    Role.RESEARCH_MANAGEMENT: UnitKind.INSTITUTE,
    Role.SAFETY_MANAGEMENT: UnitKind.INSTITUTE,
    Role.RESEARCHER: UnitKind.INSTITUTE,
    Role.PUBLIC_OPINION_OFFICER: UnitKind.INSTITUTE,
    Role.SECRECY_OFFICER: UnitKind.INSTITUTE,
    Role.TENANT_ADMIN: UnitKind.INSTITUTE,
    Role.BRANCH_SUPERVISOR: UnitKind.BRANCH,
    Role.SAFETY_COMMITTEE_OFFICE: UnitKind.HQ,
    Role.HQ_COORDINATION_GROUP: UnitKind.HQ,
    Role.BUSINESS_DEPARTMENT: UnitKind.HQ,
    Role.PLATFORM_ADMIN: UnitKind.HQ,
}

ROLE_TITLES_ZH: dict[Role, str] = {
    Role.LEGAL_REPRESENTATIVE: "法定代表人",
    Role.COORDINATION_LEADER: "所级协调小组组长",
    Role.COORDINATION_MEMBER: "所级协调小组成员",
    Role.RESEARCH_MANAGEMENT: "科研管理部门",
    Role.SAFETY_MANAGEMENT: "安全管理部门",
    Role.RESEARCHER: "科研人员",
    Role.PUBLIC_OPINION_OFFICER: "舆情应对人员",
    Role.SECRECY_OFFICER: "保密管理人员",
    Role.TENANT_ADMIN: "单位管理员",
    Role.BRANCH_SUPERVISOR: "分院监管人员",
    Role.SAFETY_COMMITTEE_OFFICE: "院安委办",
    Role.HQ_COORDINATION_GROUP: "院级科技安全管理协调小组",
    Role.BUSINESS_DEPARTMENT: "院机关业务管理部门",
    Role.PLATFORM_ADMIN: "平台管理员",
}
