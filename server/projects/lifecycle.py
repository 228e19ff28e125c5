"""The project lifecycle: one explicit state machine, in this one table.

Each transition names the states it leaves, the state it reaches, the action the gate checks
(`policies/policy.csv` says which roles, at which scope and R-OWN relation, may fire it), and its
guard. The README renders this table (`python -m server.cli projects transitions`); a test keeps
the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from server.projects.errors import GuardFailed, NotAllowed
from server.projects.vocabulary import AssessmentState, FilingState
from server.projects.vocabulary import ProjectState as S


@dataclass(frozen=True)
class Facts:
    """What the guards look at, loaded by the service before a transition is fired."""

    assessment_state: AssessmentState | None
    assessment_problems: tuple[str, ...]  # why the current draft cannot be submitted
    missing_documents: tuple[str, ...]  # R-PLAN documents the overall level requires
    filing_required: bool
    filing_state: FilingState | None
    permit_required: bool
    permit_valid: bool
    open_change: bool  # a major change whose re-assessment has not passed yet
    reason_given: bool
    open_hazards: int = 0  # neither closed nor handed over (R-CLOSE)
    # R-WARNLIST: active entries on the unit, department or PI — bans bar the project; other
    # entries flag it, and a flagged project needs a passed HQ re-review before approval.
    warning_bans: tuple[str, ...] = ()
    warning_flags: tuple[str, ...] = ()
    hq_review_passed: bool = False


Guard = Callable[[Facts], str | None]


def _not_banned(f: Facts) -> str | None:
    if f.warning_bans:
        return "R-WARNLIST: barred from new projects: " + "; ".join(f.warning_bans)
    return None


def _assessment_complete(f: Facts) -> str | None:
    if barred := _not_banned(f):
        return barred
    if f.assessment_state is not AssessmentState.DRAFT:
        return "The project's current assessment is not a draft."
    if f.assessment_problems:
        return "The assessment is incomplete: " + "; ".join(f.assessment_problems)
    return None


def _gate(f: Facts) -> str | None:
    if barred := _not_banned(f):
        return barred
    # R-GATE: no approval (不得立项) without a passed assessment of the current version.
    if f.assessment_state is not AssessmentState.PASSED:
        return "R-GATE: the current risk assessment has not passed review."
    if f.warning_flags and not f.hq_review_passed:
        return "R-WARNLIST: on the warning list, so HQ must re-review first: " + "; ".join(
            f.warning_flags
        )
    # R-PLAN: by overall level, an emergency plan and a responsibility/commitment letter.
    if f.missing_documents:
        return "R-PLAN: attach " + ", ".join(f.missing_documents) + " first."
    return None


def _filing_needed(f: Facts) -> str | None:
    return None if f.filing_required else "R-FILING: this project does not need filing."


def _may_start(f: Facts) -> str | None:
    if f.filing_required and f.filing_state is not FilingState.RECORDED:
        return "R-FILING: implementation starts only after HQ has recorded the filing."
    if f.permit_required and not f.permit_valid:
        return "R-PERMIT: implementation starts only with a valid permit."
    return None


def _may_resume(f: Facts) -> str | None:
    if f.open_change:
        return "R-CHANGE: the re-assessment of the major change has not passed yet."
    if f.permit_required and not f.permit_valid:
        return "R-PERMIT: the permit is not valid; renew it first."
    return None


def _within_permit(f: Facts) -> str | None:
    if f.permit_required and not f.permit_valid:
        return "R-PERMIT: no valid permit covers today; work beyond its time is refused."
    return None


def _reason(f: Facts) -> str | None:
    return None if f.reason_given else "Give a reason."


def _may_close(f: Facts) -> str | None:
    if not f.reason_given:
        return "R-CLOSE: give the summary of the project's risk work (experience and lessons)."
    if f.open_hazards:
        return (
            f"R-CLOSE: {f.open_hazards} hazard(s) are still open; close them or hand them over "
            "with a reason."
        )
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[S]
    target: S
    action: str
    who: str
    guard_text: str
    guard: Guard | None = field(default=None, compare=False)
    # Fired by the service as the consequence of something else (a review decision), not by a
    # mutation of its own.
    internal: bool = False


def _t(
    name: str,
    sources: set[S],
    target: S,
    action: str,
    who: str,
    guard_text: str = "",
    guard: Guard | None = None,
    internal: bool = False,
) -> Transition:
    return Transition(name, frozenset(sources), target, action, who, guard_text, guard, internal)


ACTIVE = {S.APPROVED, S.FILING, S.IMPLEMENTING, S.SUSPENDED, S.OUTCOME, S.CLOSING}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t(
            "submit",
            {S.DRAFT, S.RETURNED},
            S.SUBMITTED,
            "submit",
            "undertakers (PI, members)",
            "the current assessment is a complete draft (R-ASSESS); no ban on the unit, "
            "department or PI (R-WARNLIST)",
            _assessment_complete,
        ),
        _t(
            "return",
            {S.SUBMITTED},
            S.RETURNED,
            "review",
            "a reviewer's decision 'return'",
            "",
            None,
            internal=True,
        ),
        _t(
            "reject",
            {S.SUBMITTED},
            S.REJECTED,
            "review",
            "a reviewer's decision 'fail'",
            "",
            None,
            internal=True,
        ),
        _t(
            "approve",
            {S.SUBMITTED},
            S.APPROVED,
            "approve",
            "the approving body (research management; HQ business department if HQ deploys it)",
            "the current assessment passed every required review (R-GATE); R-PLAN documents "
            "attached; no ban, and HQ re-review passed if on the warning list (R-WARNLIST)",
            _gate,
        ),
        _t(
            "file",
            {S.APPROVED},
            S.FILING,
            "file",
            "the legal representative signs",
            "the project meets the filing criteria (R-FILING)",
            _filing_needed,
        ),
        _t(
            "start",
            {S.APPROVED, S.FILING},
            S.IMPLEMENTING,
            "start",
            "undertakers",
            "filing recorded where required (R-FILING); a valid permit where "
            "national approval is required (R-PERMIT)",
            _may_start,
        ),
        _t(
            "suspend",
            {S.IMPLEMENTING},
            S.SUSPENDED,
            "suspend",
            "the approving body; HQ business department",
            "a reason",
            _reason,
        ),
        _t(
            "resume",
            {S.SUSPENDED},
            S.IMPLEMENTING,
            "resume",
            "the approving body",
            "no major change awaiting its re-assessment (R-CHANGE); a valid permit where required",
            _may_resume,
        ),
        _t(
            "enter_outcome",
            {S.IMPLEMENTING},
            S.OUTCOME,
            "advance",
            "undertakers",
            "a valid permit where required (R-PERMIT)",
            _within_permit,
        ),
        _t(
            "start_closing",
            {S.OUTCOME},
            S.CLOSING,
            "advance",
            "undertakers",
            "a valid permit where required (R-PERMIT)",
            _within_permit,
        ),
        _t(
            "close",
            {S.CLOSING},
            S.CLOSED,
            "close",
            "the approving body",
            "a risk-work summary; every hazard closed or handed over with a reason (R-CLOSE)",
            _may_close,
        ),
        _t(
            "terminate",
            {S.DRAFT, S.SUBMITTED, S.RETURNED, *ACTIVE},
            S.TERMINATED,
            "terminate",
            "the approving body",
            "a reason",
            _reason,
        ),
    ]
}


def allowed_from(state: S) -> list[str]:
    """Names of the transitions a mutation may fire from `state`."""
    return [t.name for t in TRANSITIONS.values() if state in t.sources and not t.internal]


def render_markdown() -> str:
    """The table as the README shows it."""
    rows = [
        "| transition | from | to | who (gate action) | guard |",
        "|---|---|---|---|---|",
    ]
    order = list(S)
    for t in TRANSITIONS.values():
        sources = ", ".join(s.value for s in sorted(t.sources, key=order.index))
        rows.append(
            f"| `{t.name}` | {sources} | {t.target.value} | {t.who} (`{t.action}`) | "
            f"{t.guard_text or '—'} |"
        )
    return "\n".join(rows) + "\n"


__all__ = ["TRANSITIONS", "Facts", "GuardFailed", "NotAllowed", "Transition", "allowed_from"]
