"""Every table, imported in one place so Alembic and tests see the whole metadata."""

from server.audit.models import AuditEntry, AuditHead
from server.auth.models import ApiToken, AuthSession, LoginAttempt
from server.db.base import Base
from server.documents.models import Document, DocumentUpload, DocumentVersion
from server.evaluations.models import EvaluationRun, Rubric, UnitRating
from server.incidents.models import Incident, IncidentUpdate, SpecialMeeting
from server.inspections.models import (
    HandlingRecommendation,
    Hazard,
    Inspection,
    MeasureCheck,
    Supervision,
)
from server.notices.models import Notice, NoticeDelivery, ScheduledStep, WebhookEndpoint
from server.outbox.models import OutboxEvent
from server.outcomes.models import AspectReview, OutcomeRelease
from server.projects.models import (
    ChokepointDependency,
    Filing,
    MajorChange,
    MitigationMeasure,
    Permit,
    Project,
    ProjectMember,
    Review,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from server.signals.models import IndicatorThresholds, WarningSignal, WarningSignalEvent
from server.tenancy.models import Department, Login, Membership, OrgUnit, User
from server.warnlist.models import Reward, WarningListEntry, WarningListEvent

__all__ = [
    "ApiToken",
    "AspectReview",
    "AuditEntry",
    "AuditHead",
    "AuthSession",
    "Base",
    "ChokepointDependency",
    "Department",
    "Document",
    "DocumentUpload",
    "DocumentVersion",
    "EvaluationRun",
    "Filing",
    "HandlingRecommendation",
    "Hazard",
    "Incident",
    "IncidentUpdate",
    "IndicatorThresholds",
    "Inspection",
    "Login",
    "LoginAttempt",
    "MajorChange",
    "MeasureCheck",
    "Membership",
    "MitigationMeasure",
    "Notice",
    "NoticeDelivery",
    "OrgUnit",
    "OutboxEvent",
    "OutcomeRelease",
    "Permit",
    "Project",
    "ProjectMember",
    "Review",
    "Reward",
    "RiskAssessment",
    "RiskPoint",
    "RiskSettings",
    "Rubric",
    "ScheduledStep",
    "SpecialMeeting",
    "Supervision",
    "UnitRating",
    "User",
    "WarningListEntry",
    "WarningListEvent",
    "WarningSignal",
    "WarningSignalEvent",
    "WebhookEndpoint",
]
