"""GraphQL types of early-warning signals (监测预警)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from schema.context import Info
from schema.projects.types import Project
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit
from server.authz import Target, is_allowed
from server.signals import models
from server.signals.indicators import Thresholds
from server.signals.models import SignalEventKind, SignalLevel, SignalState, SubjectType
from server.signals.settings import IndicatorSetting

for _enum, _name in (
    (SignalLevel, "WarningLevel"),
    (SignalState, "WarningSignalState"),
    (SubjectType, "WarningSubjectType"),
    (SignalEventKind, "WarningSignalEventKind"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.type(description="The smallest value that raises each level; null: level unused.")
class WarningThresholds:
    blue: int | None
    yellow: int | None
    orange: int | None
    red: int | None

    @classmethod
    def of(cls, t: Thresholds) -> WarningThresholds:
        return cls(blue=t.blue, yellow=t.yellow, orange=t.orange, red=t.red)


@strawberry.type(description="An early-warning indicator and the thresholds HQ set for it.")
class WarningIndicator:
    name: str
    scope: SubjectType = strawberry.field(description="Measured per project or per unit.")
    title_zh: str
    title_en: str
    counts: str = strawberry.field(description="What the value is; a larger value is worse.")
    rules: str
    thresholds: WarningThresholds
    defaults: WarningThresholds
    version: int = strawberry.field(description="0 while the defaults apply.")
    set_at: datetime | None
    set_by: str | None

    @classmethod
    def of(cls, s: IndicatorSetting) -> WarningIndicator:
        i = s.indicator
        return cls(
            name=i.name,
            scope=i.scope,
            title_zh=i.title_zh,
            title_en=i.title_en,
            counts=i.counts,
            rules=i.rules,
            thresholds=WarningThresholds.of(s.thresholds),
            defaults=WarningThresholds.of(i.defaults),
            version=s.version,
            set_at=s.set_at,
            set_by=s.set_by,
        )


@strawberry.type(description="A step in a signal's life.")
class WarningSignalEvent:
    kind: SignalEventKind
    level: SignalLevel = strawberry.field(description="The level after it (when cleared: before).")
    value: int | None = strawberry.field(description="Null: the subject is no longer measured.")
    at: datetime

    @classmethod
    def of(cls, e: models.WarningSignalEvent) -> WarningSignalEvent:
        return cls(kind=SignalEventKind(e.kind), level=SignalLevel(e.level), value=e.value, at=e.at)


@strawberry.type(description="An early-warning signal (预警信号) about a project or a unit.")
class WarningSignal(Node):
    indicator: str
    subject_type: SubjectType
    level: SignalLevel
    value: int = strawberry.field(description="The indicator's value when last measured.")
    state: SignalState
    opened_at: datetime
    last_changed_at: datetime = strawberry.field(description="The last change of level or state.")
    cleared_at: datetime | None
    project_id: strawberry.ID | None
    row: strawberry.Private[models.WarningSignal]

    @classmethod
    def of(cls, s: models.WarningSignal) -> WarningSignal:
        is_project = s.subject_type == SubjectType.PROJECT.value
        return cls(
            id=to_global_id("WarningSignal", s.tenant_id, s.id),
            indicator=s.indicator,
            subject_type=SubjectType(s.subject_type),
            level=SignalLevel(s.level),
            value=s.value,
            state=SignalState(s.state),
            opened_at=s.opened_at,
            last_changed_at=s.last_changed_at,
            cleared_at=s.cleared_at,
            project_id=to_global_id("Project", s.tenant_id, s.subject_id) if is_project else None,
            row=s,
        )

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.row.tenant_id, self.row.id)

    @strawberry.field(description="The unit: the signal's own subject, or the project's.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.row.tenant_id)
        return OrgUnit.of(unit) if unit is not None else None

    @strawberry.field(description="The project a project signal is about.")
    async def project(self, info: Info) -> Project | None:
        if self.row.subject_type != SubjectType.PROJECT.value:
            return None
        row = await info.context.loaders.project_by_key.load(
            (self.row.tenant_id, self.row.subject_id)
        )
        readable = Target("project", self.row.tenant_id)  # reading needs no R-OWN relation
        if row is None or not is_allowed(info.context.principal, "read", readable):
            return None
        return Project.of(row)

    @strawberry.field(description="Opened, escalated, de-escalated, cleared: oldest first.")
    async def history(self, info: Info) -> list[WarningSignalEvent]:
        rows = await info.context.loaders.events_by_signal.load(self.key)
        return [WarningSignalEvent.of(e) for e in rows]
