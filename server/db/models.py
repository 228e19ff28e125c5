"""Every table, imported in one place so Alembic and tests see the whole metadata."""

from server.audit.models import AuditEntry, AuditHead
from server.auth.models import ApiToken, AuthSession, LoginAttempt
from server.db.base import Base
from server.documents.models import Document, DocumentUpload, DocumentVersion
from server.incidents.models import Incident, IncidentUpdate, SpecialMeeting
from server.inspections.models import (
    HandlingRecommendation,
    Hazard,
    Inspection,
    MeasureCheck,
    ProjectBan,
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
from server.tenancy.models import Department, Login, Membership, OrgUnit, User

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
    "Filing",
    "HandlingRecommendation",
    "Hazard",
    "Incident",
    "IncidentUpdate",
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
    "ProjectBan",
    "ProjectMember",
    "Review",
    "RiskAssessment",
    "RiskPoint",
    "RiskSettings",
    "ScheduledStep",
    "SpecialMeeting",
    "Supervision",
    "User",
    "WebhookEndpoint",
]
