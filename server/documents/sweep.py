"""The sweep: storage and records must agree (nothing lost, nothing orphaned).

Reports, and with `apply` repairs: objects that no committed version or live upload refers to are
removed; expired upload tickets are removed; versions whose object is missing are marked missing
(never deleted: the record of what was there stays).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import SYSTEM
from server.db.base import utcnow
from server.documents.models import DocumentUpload, DocumentVersion, VersionState
from server.documents.storage import ObjectStore

log = structlog.get_logger(__name__)


@dataclass
class SweepReport:
    orphan_objects: list[str] = field(default_factory=list)
    missing_objects: list[str] = field(default_factory=list)
    expired_uploads: int = 0
    applied: bool = False

    @property
    def clean(self) -> bool:
        return not (self.orphan_objects or self.missing_objects or self.expired_uploads)


async def sweep(session: AsyncSession, store: ObjectStore, *, apply: bool) -> SweepReport:
    """`session` must see every tenant (the CLI's system session)."""
    # Storage is listed before the records are read: an object committed meanwhile is then
    # found among the records, never taken for an orphan.
    stored = {key async for key in store.list_keys("")}
    now = utcnow()
    versions = (
        (
            await session.execute(
                select(DocumentVersion).where(DocumentVersion.state != VersionState.MISSING.value)
            )
        )
        .scalars()
        .all()
    )
    live_uploads = set(
        (
            await session.execute(
                select(DocumentUpload.object_key).where(DocumentUpload.expires_at > now)
            )
        ).scalars()
    )
    expired = (
        (await session.execute(select(DocumentUpload).where(DocumentUpload.expires_at <= now)))
        .scalars()
        .all()
    )
    committed = {v.object_key for v in versions}
    report = SweepReport(
        orphan_objects=sorted(stored - committed - live_uploads),
        missing_objects=sorted(v.object_key for v in versions if v.object_key not in stored),
        expired_uploads=len(expired),
        applied=apply,
    )
    if not apply:
        return report
    for key in report.orphan_objects:
        await store.delete(key)
        log.info("sweep_removed_orphan", key=key)
    if expired:
        await session.execute(delete(DocumentUpload).where(DocumentUpload.expires_at <= now))
    missing = set(report.missing_objects)
    for version in versions:
        if version.object_key in missing:
            version.state = VersionState.MISSING.value
            await audit.record(
                session,
                SYSTEM,
                tenant_id=version.tenant_id,
                action="document.version_missing",
                object_type="document_version",
                object_id=version.id,
                changes={"object_key": version.object_key, "state": version.state},
            )
    await session.flush()
    return report
