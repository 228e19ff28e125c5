"""Tables of the documents domain: documents, their versions, and upload tickets."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped

if TYPE_CHECKING:
    from server.auth.principal import Principal


class DocumentKind(enum.StrEnum):
    RISK_ASSESSMENT_FORM = "risk_assessment_form"  # 科研项目安全风险评估表 (R-ASSESS)
    EMERGENCY_RESPONSE_PLAN = "emergency_response_plan"  # 应急处置预案 (R-PLAN)
    RESPONSIBILITY_LETTER = "responsibility_letter"  # 责任书 (R-PLAN)
    COMMITMENT_LETTER = "commitment_letter"  # 承诺书 (R-PLAN)
    MEETING_MINUTES = "meeting_minutes"  # 会议纪要 (R-REVIEW, R-INCIDENT)
    PERMIT = "permit"  # 行政许可 (R-PERMIT)
    INSPECTION_REPORT = "inspection_report"  # 检查报告 (R-INSPECT)
    RECTIFICATION_EVIDENCE = "rectification_evidence"  # 整改材料 (R-HAZARD)
    INCIDENT_REPORT = "incident_report"  # 事件报告 (R-INCIDENT)
    OUTCOME_MATERIAL = "outcome_material"  # 成果材料 (R-OUTCOME)
    CLOSURE_SUMMARY = "closure_summary"  # 结题总结 (R-CLOSE)
    OTHER = "other"


class Sensitivity(enum.StrEnum):
    PUBLIC = "public"  # anyone who can see the unit
    INTERNAL = "internal"  # those who may read the object it is attached to
    RESTRICTED = "restricted"  # only the roles the guidance names for that object


class Document(TenantOwned, Timestamped, Base):
    """A document attached to one object of its tenant (a generic link, not a column per kind)."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("sensitivity IN ('public','internal','restricted')", name="sensitivity"),
        # A page of projects loads their documents by the object they are attached to.
        Index("ix_documents_attached", "tenant_id", "attached_id"),
    )

    attached_type: Mapped[str] = mapped_column(String(40))
    attached_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(40))
    sensitivity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_by_label: Mapped[str] = mapped_column(String(200))
    latest_version: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def resource_type(self) -> str:
        # The policy names readers per kind of object: `org_unit_document`, `project_document`...
        return f"{self.attached_type}_document"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        if principal.actor_id is not None and principal.actor_id == self.uploaded_by:
            return frozenset({"uploader"})
        return frozenset()


class VersionState(enum.StrEnum):
    COMMITTED = "committed"
    WITHDRAWN = "withdrawn"  # hidden from normal use; the bytes are kept
    MISSING = "missing"  # the sweep found no object behind it


class DocumentVersion(TenantOwned, Timestamped, Base):
    """One uploaded file of a document: each replacement is a new version."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "document_id", "number"),
        UniqueConstraint("tenant_id", "object_key"),
        ForeignKeyConstraint(["tenant_id", "document_id"], ["documents.tenant_id", "documents.id"]),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_by_label: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=VersionState.COMMITTED.value)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    withdrawn_by_label: Mapped[str | None] = mapped_column(String(200))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))

    resource_type: ClassVar[str] = "document_version"


class DocumentUpload(TenantOwned, Timestamped, Base):
    """An upload in progress: what was asked for, until its bytes are checked and committed.

    For a new document it also carries the document's metadata, so that no document row exists
    before its first version does. Deleted when the upload commits or fails.
    """

    __tablename__ = "document_uploads"
    __table_args__ = (UniqueConstraint("tenant_id", "object_key"),)

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    new_document: Mapped[bool] = mapped_column(default=False)
    attached_type: Mapped[str] = mapped_column(String(40))
    attached_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(40))
    sensitivity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    object_key: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(200))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)
    declared_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
