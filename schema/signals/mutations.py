"""Mutations of early-warning signals: HQ's thresholds."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.signals.types import WarningIndicator
from server.signals import service
from server.signals.indicators import Thresholds


@strawberry.input(description="The smallest value that raises each level; null leaves it unused.")
class WarningThresholdsInput:
    blue: int | None = None
    yellow: int | None = None
    orange: int | None = None
    red: int | None = None


@strawberry.type
class IndicatorThresholdsSaved:
    indicator: WarningIndicator


IndicatorThresholdsResult = Annotated[
    IndicatorThresholdsSaved | MutationError, strawberry.union("IndicatorThresholdsResult")
]


@strawberry.type
class SignalsMutation:
    @strawberry.mutation(
        description="HQ Safety Committee Office: new thresholds for one indicator (they must "
        "rise from blue to red); the next evaluation applies them."
    )
    async def set_indicator_thresholds(
        self, info: Info, indicator: str, thresholds: WarningThresholdsInput
    ) -> IndicatorThresholdsResult:
        ctx = info.context

        async def work() -> IndicatorThresholdsSaved:
            saved = await service.set_thresholds(
                ctx.session,
                ctx.principal,
                indicator,
                Thresholds(
                    blue=thresholds.blue,
                    yellow=thresholds.yellow,
                    orange=thresholds.orange,
                    red=thresholds.red,
                ),
            )
            return IndicatorThresholdsSaved(indicator=WarningIndicator.of(saved))

        return await run_mutation(info, work)
