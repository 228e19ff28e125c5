"""The likelihood × impact matrix (R-ASSESS) and the plan thresholds (R-PLAN), per institute."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from server.errors import InvalidInput
from server.projects.vocabulary import RiskLevel


def _default_cadence() -> dict[str, int]:
    # R-INSPECT: months between inspections by overall level.
    return {"critical": 1, "high": 3, "medium": 6, "low": 12}


def _default_thresholds() -> dict[str, int]:
    # Score = likelihood × impact on 1..5: 1-4 low, 5-9 medium, 10-16 high, 17-25 critical.
    return {"medium": 5, "high": 10, "critical": 17}


@dataclass(frozen=True)
class Matrix:
    size: int = 5
    thresholds: dict[str, int] = field(default_factory=_default_thresholds)
    # From this overall level on, an emergency response plan and a responsibility or
    # commitment letter must be attached before approval (R-PLAN).
    plan_required_from: str = RiskLevel.HIGH.value
    letter_required_from: str = RiskLevel.HIGH.value
    inspection_months: dict[str, int] = field(default_factory=_default_cadence)

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Matrix:
        return cls(**raw) if raw else cls()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> Matrix:
        if not 3 <= self.size <= 10:
            raise InvalidInput("The matrix is 3×3 to 10×10.", field="size")
        t = self.thresholds
        if set(t) != {"medium", "high", "critical"} or not (
            1 < t["medium"] < t["high"] < t["critical"] <= self.size * self.size
        ):
            raise InvalidInput(
                "Thresholds are medium < high < critical scores within the matrix.",
                field="thresholds",
            )
        for name in (self.plan_required_from, self.letter_required_from):
            RiskLevel(name)
        months = self.inspection_months
        if set(months) != {lv.value for lv in RiskLevel} or not all(
            1 <= m <= 24 for m in months.values()
        ):
            raise InvalidInput(
                "Give every level an inspection interval of 1 to 24 months.",
                field="inspectionMonths",
            )
        return self

    def level(self, likelihood: int, impact: int) -> RiskLevel:
        for value, name in ((likelihood, "likelihood"), (impact, "impact")):
            if not 1 <= value <= self.size:
                raise InvalidInput(f"The {name} is 1 to {self.size} on this matrix.", field=name)
        score = likelihood * impact
        if score >= self.thresholds["critical"]:
            return RiskLevel.CRITICAL
        if score >= self.thresholds["high"]:
            return RiskLevel.HIGH
        if score >= self.thresholds["medium"]:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW

    def plan_required(self, overall: RiskLevel) -> bool:
        return overall.rank >= RiskLevel(self.plan_required_from).rank

    def letter_required(self, overall: RiskLevel) -> bool:
        return overall.rank >= RiskLevel(self.letter_required_from).rank
