"""The rubric: which statistics count, how much, and where the levels begin (R-EVAL).

score = Σ weight × min(value / cap, 1), on 0..100 (weights are percentages adding up to 100);
the level is the highest whose threshold the score reaches (blue below yellow's).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from server.errors import InvalidInput
from server.evaluations.models import Level

# The statistics of a unit's year, in the guidance's terms (R-EVAL: hazards and incidents; the
# rest are the rule breaches the issue names).
STATISTICS: dict[str, tuple[str, str]] = {
    "hazards_general": ("一般隐患数", "general hazards found"),
    "hazards_major": ("重大隐患数", "major hazards found"),
    "hazards_overdue": ("逾期整改隐患数", "hazards rectified late or still late"),
    "hazards_unrectified": ("未整改隐患数", "hazards not rectified at year end"),
    "incidents_general": ("一般事件事故数", "general incidents"),
    "incidents_major": ("重大事件事故数", "major and especially major incidents"),
    "permit_violations": ("许可违规项目数", "projects under way without a valid permit"),
    "filing_violations": ("备案违规项目数", "projects under way without the required filing"),
    "assessment_gaps": ("评估缺失项目数", "projects approved without a passed assessment"),
    "inspection_gap": ("未检查项目占比", "share of projects under way not inspected this year"),
}

DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "hazards_general": {"weight": 5, "cap": 20},
    "hazards_major": {"weight": 15, "cap": 3},
    "hazards_overdue": {"weight": 15, "cap": 5},
    "hazards_unrectified": {"weight": 10, "cap": 10},
    "incidents_general": {"weight": 10, "cap": 3},
    "incidents_major": {"weight": 20, "cap": 1},
    "permit_violations": {"weight": 10, "cap": 1},
    "filing_violations": {"weight": 5, "cap": 1},
    "assessment_gaps": {"weight": 5, "cap": 1},
    "inspection_gap": {"weight": 5, "cap": 1},
}
DEFAULT_THRESHOLDS: dict[str, float] = {"yellow": 15, "orange": 35, "red": 60}

LEVELS_ABOVE_BLUE = (Level.YELLOW, Level.ORANGE, Level.RED)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rubric:
    version: int
    weights: dict[str, dict[str, float]]
    thresholds: dict[str, float]

    def validate(self) -> None:
        """Refuse a rubric that cannot rate: unknown or missing statistics, weights not adding
        up to 100, caps not positive, thresholds not ascending within 0..100."""
        if set(self.weights) != set(STATISTICS):
            unknown = sorted(set(self.weights) - set(STATISTICS))
            missing = sorted(set(STATISTICS) - set(self.weights))
            raise InvalidInput(
                f"Give a weight and cap for each statistic (unknown: {unknown}, "
                f"missing: {missing}).",
                field="weights",
            )
        for name, spec in self.weights.items():
            weight, cap = spec.get("weight"), spec.get("cap")
            if not isinstance(weight, int | float) or weight < 0:
                raise InvalidInput(f"The weight of {name} must be 0 or more.", field="weights")
            if not isinstance(cap, int | float) or cap <= 0:
                raise InvalidInput(f"The cap of {name} must be above 0.", field="weights")
        total = sum(Decimal(str(s["weight"])) for s in self.weights.values())
        if total != 100:
            raise InvalidInput(f"The weights add up to {total}, not 100.", field="weights")
        if set(self.thresholds) != {lv.value for lv in LEVELS_ABOVE_BLUE}:
            raise InvalidInput("Give the yellow, orange and red thresholds.", field="thresholds")
        values = [self.thresholds[lv.value] for lv in LEVELS_ABOVE_BLUE]
        if not all(isinstance(v, int | float) for v in values) or not (
            0 < values[0] < values[1] < values[2] <= 100
        ):
            raise InvalidInput(
                "Thresholds must ascend: 0 < yellow < orange < red ≤ 100.", field="thresholds"
            )

    def rate(self, statistics: dict[str, float]) -> tuple[Decimal, Level, list[dict[str, Any]]]:
        """The score, its level and the breakdown that explains it."""
        breakdown = []
        score = Decimal(0)
        for name, spec in self.weights.items():
            value = Decimal(str(statistics.get(name, 0)))
            share = min(value / Decimal(str(spec["cap"])), Decimal(1))
            points = (Decimal(str(spec["weight"])) * share).quantize(CENT, ROUND_HALF_UP)
            score += points
            breakdown.append(
                {
                    "statistic": name,
                    "value": float(value),
                    "weight": spec["weight"],
                    "cap": spec["cap"],
                    "points": float(points),
                }
            )
        level = Level.BLUE
        for candidate in LEVELS_ABOVE_BLUE:
            if score >= Decimal(str(self.thresholds[candidate.value])):
                level = candidate
        return score, level, breakdown
