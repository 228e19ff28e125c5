"""The outbox events of warning signals: opened, escalated, cleared (a de-escalation is kept
in the signal's history only: nobody needs to act on it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server import outbox
from server.signals.indicators import INDICATORS
from server.signals.models import SignalEventKind, SignalLevel, SubjectType


@dataclass(frozen=True)
class Change:
    """One step in a signal's life, as an evaluation found it."""

    kind: SignalEventKind
    signal_id: uuid.UUID
    tenant_id: uuid.UUID
    indicator: str
    subject_type: SubjectType
    subject_id: uuid.UUID
    level: SignalLevel  # the new level; for a cleared signal, the level it had
    value: int | None
    previous: SignalLevel | None = None


def _payload(change: Change) -> dict[str, Any]:
    indicator = INDICATORS.get(change.indicator)
    payload: dict[str, Any] = {
        "signal_id": str(change.signal_id),
        "indicator": change.indicator,
        "indicator_zh": indicator.title_zh if indicator else change.indicator,
        "indicator_en": indicator.title_en if indicator else change.indicator,
        "subject_type": change.subject_type.value,
        # The routing table reads the level's code (orange and red also go to the branch);
        # notices show it in words (server.notices.messages).
        "level": change.level.value,
    }
    if change.value is not None:
        payload["value"] = change.value
    if change.previous is not None:
        payload["previous_level"] = change.previous.value
    if change.subject_type is SubjectType.PROJECT:
        # The notice links to the project; a unit's signal links to the unit.
        payload["project_id"] = str(change.subject_id)
    return payload


def event_for(change: Change) -> outbox.Event | None:
    if change.kind is SignalEventKind.OPENED:
        return outbox.Event(
            tenant_id=change.tenant_id, topic="signal.opened", payload=_payload(change)
        )
    if change.kind is SignalEventKind.ESCALATED:
        return outbox.Event(
            tenant_id=change.tenant_id, topic="signal.escalated", payload=_payload(change)
        )
    if change.kind is SignalEventKind.CLEARED:
        return outbox.Event(
            tenant_id=change.tenant_id, topic="signal.cleared", payload=_payload(change)
        )
    return None
