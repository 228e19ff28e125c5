"""The rows of one generated institute, drawn deterministically from its own random stream.

Pure: no database. Each institute's rows depend only on the seed, its code, how many projects it
gets and the day the academy is generated for, so the same arguments give the same academy.
The `Tally` counts, while the rows are drawn, what the oversight view must later report (by
hand, in Python), so the tests can hold the SQL aggregates against it.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from server import clock
from server.datagen import catalogue as cat
from server.documents.models import Document, DocumentKind, DocumentVersion, Sensitivity
from server.incidents.models import (
    Incident,
    IncidentSeverity,
    IncidentState,
    IncidentUpdate,
    SpecialMeeting,
    UpdateKind,
)
from server.inspections.models import (
    CheckResult,
    Hazard,
    HazardSeverity,
    HazardSource,
    HazardState,
    Inspection,
    MeasureCheck,
    Supervision,
)
from server.oversight.service import LIVE_STATES, month_starts
from server.projects.matrix import Matrix
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
)
from server.projects.vocabulary import (
    AssessmentState,
    FilingState,
    MeasureStatus,
    ProjectState,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)
from server.tenancy.models import Department, Login, Membership, User
from server.tenancy.roles import Role

Row = dict[str, Any]
LIVE = set(LIVE_STATES)
# States reached only after approval (R-GATE): the assessment passed.
APPROVED_ON = {
    ProjectState.APPROVED,
    ProjectState.FILING,
    ProjectState.IMPLEMENTING,
    ProjectState.SUSPENDED,
    ProjectState.OUTCOME,
    ProjectState.CLOSING,
    ProjectState.CLOSED,
}
# States in which work has started: inspections, hazards and incidents happen.
STARTED = {
    ProjectState.IMPLEMENTING,
    ProjectState.SUSPENDED,
    ProjectState.OUTCOME,
    ProjectState.CLOSING,
    ProjectState.CLOSED,
}
# A few of each role at every institute; researchers scale with the projects.
INSTITUTE_STAFF = {
    Role.LEGAL_REPRESENTATIVE: 1,
    Role.COORDINATION_LEADER: 1,
    Role.COORDINATION_MEMBER: 2,
    Role.RESEARCH_MANAGEMENT: 2,
    Role.SAFETY_MANAGEMENT: 2,
    Role.PUBLIC_OPINION_OFFICER: 1,
    Role.SECRECY_OFFICER: 1,
    Role.TENANT_ADMIN: 1,
}
DEFAULT_MATRIX = Matrix()


def username(unit_code: str, role: Role, n: int) -> str:
    """`gen-b01-i02.research-management-1`: lower-case, unique across the academy."""
    return f"{unit_code.lower()}.{role.value.replace('_', '-')}-{n}"


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Tally:
    """What was generated, counted in Python as the rows are drawn."""

    rows: Counter[str] = field(default_factory=Counter)
    projects: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, state)
    levels: Counter[tuple[str | None, bool]] = field(default_factory=Counter)  # (level, live)
    sensitive: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (field, live)
    sensitive_any: Counter[bool] = field(default_factory=Counter)  # live
    # Live projects' current assessments:
    points: Counter[tuple[str, str]] = field(default_factory=Counter)  # (category, level)
    category_projects: Counter[str] = field(default_factory=Counter)
    heatmap: Counter[tuple[int, int]] = field(default_factory=Counter)
    exposure: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    overdue: Counter[str] = field(default_factory=Counter)  # severity
    open_incidents: Counter[str] = field(default_factory=Counter)  # severity
    new_projects: Counter[date] = field(default_factory=Counter)  # month
    hazards_found: Counter[date] = field(default_factory=Counter)
    incidents_reported: Counter[date] = field(default_factory=Counter)

    def add_exposure(self, key: tuple[str, str, str], code: str, substitute: bool) -> None:
        # [projects, institutes, projects without a domestic substitute]
        entry = self.exposure.setdefault(key, [0, set(), 0])
        entry[0] += 1
        entry[1].add(code)
        entry[2] += 0 if substitute else 1

    def merge(self, other: Tally) -> None:
        for name in (
            "rows",
            "projects",
            "levels",
            "sensitive",
            "sensitive_any",
            "points",
            "category_projects",
            "heatmap",
            "overdue",
            "open_incidents",
            "new_projects",
            "hazards_found",
            "incidents_reported",
        ):
            getattr(self, name).update(getattr(other, name))
        for key, (projects, codes, without) in other.exposure.items():
            entry = self.exposure.setdefault(key, [0, set(), 0])
            entry[0] += projects
            entry[1] |= codes
            entry[2] += without


@dataclass(frozen=True)
class Institute:
    """A generated institute to fill."""

    id: uuid.UUID
    code: str
    name: str
    branch_id: uuid.UUID
    branch_label: str
    projects: int


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    label: str
    department_id: uuid.UUID | None


@dataclass
class Point:
    id: uuid.UUID
    category: RiskCategory
    likelihood: int
    impact: int
    level: RiskLevel
    measures: list[uuid.UUID]


class UnitRows:
    """Rows of one org unit, drawn from the unit's own random stream; in `tables` by table."""

    def __init__(
        self, unit_id: uuid.UUID, code: str, *, seed: int, today: date, password_hash: str
    ) -> None:
        self.t = unit_id
        self.code = code
        # Reproducible test data, not secrets: a seeded stream per unit.
        self.rng = random.Random(f"{seed}/{code}")  # noqa: S311
        self.today = today
        self.zone = clock.zone()
        # Everything happened before today began (academy time zone): fixed for a given day.
        self.now = datetime.combine(today, datetime.min.time(), self.zone)
        self.password_hash = password_hash
        # Rows by table name.
        self.tables: dict[str, list[Row]] = defaultdict(list)

    def id(self) -> uuid.UUID:
        return new_uuid(self.rng)

    def add(self, model: Any, **row: Any) -> Row:
        row.setdefault("tenant_id", self.t)
        self.tables[model.__tablename__].append(row)
        return row

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def person(self, role: Role, n: int, label: str, dept: uuid.UUID | None) -> Person:
        """A user holding `role`, in the global login directory; the password hash is shared."""
        user_id = self.id()
        name = username(self.code, role, n)
        created = self.days_ago(1000)
        self.add(
            User,
            id=user_id,
            username=name,
            display_name=label,
            email=f"{name}@example.org",
            locale="zh",
            department_id=dept,
            password_hash=self.password_hash,
            disabled=False,
            failed_logins=0,
            locked_until=None,
            password_changed_at=created,
            created_at=created,
        )
        self.tables[Login.__tablename__].append(
            {"username": name, "tenant_id": self.t, "user_id": user_id}
        )
        self.add(
            Membership,
            id=self.id(),
            user_id=user_id,
            role=role.value,
            granted_by=None,
            created_at=created,
        )
        return Person(user_id, label, dept)


class InstitutePlan(UnitRows):
    """Every row of one institute: its people, projects and everything that happened to them."""

    def __init__(self, inst: Institute, *, seed: int, today: date, password_hash: str) -> None:
        super().__init__(inst.id, inst.code, seed=seed, today=today, password_hash=password_hash)
        self.inst = inst
        self.months = set(month_starts(today))
        self.tally = Tally()
        self.people: dict[Role, list[Person]] = {}
        self.departments: list[uuid.UUID] = []

    # --- helpers ------------------------------------------------------------------------

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max((end - start).total_seconds(), 0.0)
        return start + timedelta(seconds=self.rng.uniform(0, span))

    def month(self, at: datetime) -> date | None:
        m = at.astimezone(self.zone).date().replace(day=1)
        return m if m in self.months else None

    def score(self, bump: int) -> int:
        value = self.rng.choices(range(1, 6), cat.SCORE_WEIGHTS)[0]
        return min(5, value + bump)

    # --- people -------------------------------------------------------------------------

    def staff(self) -> None:
        dept_names = ["科研管理处", "安全保卫处"] + [
            f"第{n}研究室" for n in range(1, self.rng.randint(3, 8) + 1)
        ]
        for name in dept_names:
            dept_id = self.id()
            self.add(
                Department,
                id=dept_id,
                name=name,
                kind="research" if name.endswith("研究室") else "management",
                created_at=self.days_ago(1500),
            )
            self.departments.append(dept_id)
        research_depts = self.departments[2:]
        counts = dict(INSTITUTE_STAFF)
        counts[Role.RESEARCHER] = max(4, min(200, self.inst.projects // 8))
        for role, count in counts.items():
            for n in range(1, count + 1):
                if role is Role.RESEARCH_MANAGEMENT:
                    dept: uuid.UUID | None = self.departments[0]
                elif role is Role.SAFETY_MANAGEMENT:
                    dept = self.departments[1]
                elif role is Role.RESEARCHER:
                    dept = research_depts[n % len(research_depts)]
                else:
                    dept = None
                label = f"{self.inst.name} {role.value} {n}"
                self.people.setdefault(role, []).append(self.person(role, n, label, dept))

    def one(self, role: Role) -> Person:
        return self.rng.choice(self.people[role])

    # --- projects -----------------------------------------------------------------------

    def projects(self) -> None:
        states = list(cat.STATE_MIX)
        weights = [cat.STATE_MIX[s][0] for s in states]
        fields = list(cat.SENSITIVE_WEIGHTS)
        field_weights = list(cat.SENSITIVE_WEIGHTS.values())
        for n in range(self.inst.projects):
            state = self.rng.choices(states, weights)[0]
            _, young, old = cat.STATE_MIX[state]
            self.project(n, state, young, old, fields, field_weights)

    def project(
        self,
        n: int,
        state: ProjectState,
        young: int,
        old: int,
        fields: Sequence[SensitiveField],
        field_weights: Sequence[int],
    ) -> None:
        rng = self.rng
        project_id = self.id()
        created = self.days_ago(rng.uniform(young, old))
        researchers = self.people[Role.RESEARCHER]
        pi = rng.choice(researchers)
        members = rng.sample(
            [p for p in researchers if p.id != pi.id],
            k=min(rng.randint(0, 3), len(researchers) - 1),
        )
        sensitive: list[SensitiveField] = []
        roll = rng.random()
        if roll < 0.12:
            sensitive = [rng.choices(fields, field_weights)[0]]
            if roll < 0.02:
                sensitive = sorted({*sensitive, rng.choices(fields, field_weights)[0]})
        hq = rng.random() < 0.08
        start = (created + timedelta(days=rng.randint(30, 120))).date()
        end = start + timedelta(days=rng.randint(365, 1825))
        # Terminated projects stopped either before approval or after it.
        approved = state in APPROVED_ON or (state is ProjectState.TERMINATED and rng.random() < 0.7)
        started = state in STARTED or (state is ProjectState.TERMINATED and approved)
        changed = self.between(created + timedelta(days=young / 2), self.now)
        active_until = (
            changed if state in {ProjectState.CLOSED, ProjectState.TERMINATED} else self.now
        )
        flags = {
            "international_cooperation": rng.random() < 0.07,
            "national_filing_required": rng.random() < 0.03,
            "national_approval_required": rng.random() < 0.05,
            "major_impact": rng.random() < 0.02,
        }
        topic = rng.choice(cat.RESEARCH_TOPICS)
        project = self.add(
            Project,
            id=project_id,
            title=f"{topic}{rng.choice(cat.PROJECT_KINDS)}（{self.inst.code}-{n + 1:05d}）",
            summary=f"围绕{topic}开展研究。",
            department_id=pi.department_id,
            pi_user_id=pi.id,
            deployed_by_hq=hq,
            hq_department=rng.choice(cat.HQ_DEPARTMENTS) if hq else None,
            funding_source=rng.choice(cat.FUNDING_SOURCES),
            start_date=start,
            end_date=end,
            research_fields=[topic],
            sensitive_fields=[f.value for f in sensitive],
            state=state.value,
            state_changed_at=changed,
            state_reason="按计划执行"
            if state is not ProjectState.SUSPENDED
            else "整改期间暂停实施",
            current_assessment_id=None,
            closure_summary="项目风险工作总结：措施落实到位。"
            if state is ProjectState.CLOSED
            else None,
            created_by=pi.id,
            lock_version=1,
            created_at=created,
            **flags,
        )
        for m in members:
            self.add(
                ProjectMember, id=self.id(), project_id=project_id, user_id=m.id, created_at=created
            )
        team = [pi, *members]
        current, points, level = self.assessments(
            project, state, approved, sensitive, team, created
        )
        project["current_assessment_id"] = current["id"]
        live = state in LIVE
        code = self.inst.code
        t = self.tally
        t.projects[(code, state.value)] += 1
        if (month := self.month(created)) is not None:
            t.new_projects[month] += 1
        t.levels[(level.value if level else None, live)] += 1
        for f in sensitive:
            t.sensitive[(f.value, live)] += 1
        if sensitive:
            t.sensitive_any[live] += 1
        if live:
            for p in points:
                t.points[(p.category.value, p.level.value)] += 1
                t.heatmap[(p.likelihood, p.impact)] += 1
            for c in {p.category.value for p in points}:
                t.category_projects[c] += 1
        filing_required = any(
            flags[k]
            for k in ("international_cooperation", "national_filing_required", "major_impact")
        )
        if filing_required and state in APPROVED_ON - {ProjectState.APPROVED}:
            self.filing(project_id, state, created)
        if flags["national_approval_required"] and started:
            self.permit(project_id, start, end, created)
        if started:
            inspections = self.inspections(project_id, current, points, start, active_until)
            self.hazards(project_id, state, team, inspections, start, active_until)
            self.incidents(project_id, start, active_until)
        if current["state"] != AssessmentState.DRAFT.value:
            self.document(
                project_id,
                DocumentKind.RISK_ASSESSMENT_FORM,
                "科研项目安全风险评估表",
                pi,
                current.get("submitted_at") or created,
            )
        if approved and level is not None and level.rank >= RiskLevel.HIGH.rank:
            # R-PLAN: an emergency response plan and a responsibility letter before approval.
            self.document(
                project_id, DocumentKind.EMERGENCY_RESPONSE_PLAN, "应急处置预案", pi, created
            )
            self.document(project_id, DocumentKind.RESPONSIBILITY_LETTER, "安全责任书", pi, created)

    # --- assessments --------------------------------------------------------------------

    def content(
        self,
        assessment_id: uuid.UUID,
        sensitive: Sequence[SensitiveField],
        team: Sequence[Person],
        start: datetime,
        measures_done: float,
    ) -> tuple[list[Point], list[Row], dict[str, str]]:
        rng = self.rng
        bump = 1 if sensitive and rng.random() < 0.5 else 0
        points: list[Point] = []
        not_applicable: dict[str, str] = {}
        position = 0
        for category in RiskCategory:
            if rng.random() >= cat.CATEGORY_APPLICABLE[category]:
                not_applicable[category.value] = "经分析，本项目不涉及该类风险"
                continue
            for _ in range(1 if rng.random() < 0.75 else 2):
                likelihood, impact = self.score(bump), self.score(bump)
                point = Point(
                    self.id(),
                    category,
                    likelihood,
                    impact,
                    DEFAULT_MATRIX.level(likelihood, impact),
                    [],
                )
                self.add(
                    RiskPoint,
                    id=point.id,
                    assessment_id=assessment_id,
                    category=category.value,
                    position=position,
                    description=cat.RISK_POINT_TEXT[category],
                    likelihood=likelihood,
                    impact=impact,
                    level=point.level.value,
                    consequences="可能造成项目延期或损失",
                )
                position += 1
                for m in range(1 if rng.random() < 0.7 else 2):
                    measure = self.id()
                    roll = rng.random()
                    status = (
                        MeasureStatus.DONE
                        if roll < measures_done
                        else MeasureStatus.IN_PROGRESS
                        if roll < measures_done + (1 - measures_done) / 2
                        else MeasureStatus.PLANNED
                    )
                    self.add(
                        MitigationMeasure,
                        id=measure,
                        assessment_id=assessment_id,
                        risk_point_id=point.id,
                        position=m,
                        description=rng.choice(cat.MEASURE_TEXT),
                        owner_user_id=rng.choice(team).id,
                        due_date=(start + timedelta(days=rng.randint(30, 365))).date(),
                        status=status.value,
                    )
                    point.measures.append(measure)
                points.append(point)
        deps: list[Row] = []
        if any(p.category is RiskCategory.CHOKEPOINT for p in points):
            weights = [1 / (i + 1) for i in range(len(cat.DEPENDENCIES))]
            chosen = {
                rng.choices(range(len(cat.DEPENDENCIES)), weights)[0]
                for _ in range(rng.randint(1, 2))
            }
            for position, index in enumerate(sorted(chosen)):
                item, kind, country, supplier, substitute = cat.DEPENDENCIES[index]
                deps.append(
                    self.add(
                        ChokepointDependency,
                        id=self.id(),
                        assessment_id=assessment_id,
                        position=position,
                        item=item,
                        item_kind=kind,
                        source_country=country,
                        supplier=supplier,
                        domestic_substitute=rng.random() < substitute,
                        stock_or_lead_time=f"{rng.randint(1, 12)}个月",
                    )
                )
        return points, deps, not_applicable

    def assessment(
        self,
        project: Row,
        number: int,
        state: AssessmentState,
        created: datetime,
        *,
        sensitive: Sequence[SensitiveField],
        team: Sequence[Person],
        empty: bool = False,
        measures_done: float = 0.0,
        reason: str | None = None,
    ) -> tuple[Row, list[Point], list[Row]]:
        assessment_id = self.id()
        points: list[Point] = []
        deps: list[Row] = []
        not_applicable: dict[str, str] = {}
        if not empty:
            points, deps, not_applicable = self.content(
                assessment_id, sensitive, team, created, measures_done
            )
        level = max((p.level for p in points), key=lambda lv: lv.rank) if points else None
        submitted = (
            None
            if state is AssessmentState.DRAFT
            else created + timedelta(days=self.rng.randint(3, 20))
        )
        decided = (
            submitted + timedelta(days=self.rng.randint(3, 30))
            if submitted and state is not AssessmentState.SUBMITTED
            else None
        )
        row = self.add(
            RiskAssessment,
            id=assessment_id,
            project_id=project["id"],
            number=number,
            state=state.value,
            matrix=DEFAULT_MATRIX.to_json(),
            overall_level=level.value if level else None,
            not_applicable=not_applicable,
            reason_for_version=reason,
            submitted_at=submitted,
            decided_at=decided,
            created_by=project["pi_user_id"],
            lock_version=1,
            created_at=created,
        )
        return row, points, deps

    def assessments(
        self,
        project: Row,
        state: ProjectState,
        approved: bool,
        sensitive: Sequence[SensitiveField],
        team: Sequence[Person],
        created: datetime,
    ) -> tuple[Row, list[Point], RiskLevel | None]:
        """The assessment versions the project's history left, and its current one."""
        A = AssessmentState
        kw: dict[str, Any] = {"sensitive": sensitive, "team": team}
        done = {
            ProjectState.IMPLEMENTING: 0.5,
            ProjectState.SUSPENDED: 0.4,
            ProjectState.OUTCOME: 0.85,
            ProjectState.CLOSING: 0.95,
            ProjectState.CLOSED: 1.0,
        }.get(state, 0.0)
        if state is ProjectState.DRAFT or (state is ProjectState.TERMINATED and not approved):
            current, points, deps = self.assessment(
                project, 1, A.DRAFT, created, empty=self.rng.random() < 0.4, **kw
            )
        elif state is ProjectState.SUBMITTED:
            current, points, deps = self.assessment(project, 1, A.SUBMITTED, created, **kw)
        elif state is ProjectState.RETURNED:
            first, _, _ = self.assessment(project, 1, A.RETURNED, created, **kw)
            self.review(project, first, ReviewStage.INSTITUTE, ReviewDecision.RETURN)
            current, points, deps = self.assessment(
                project, 2, A.DRAFT, first["decided_at"], reason="after return of version 1", **kw
            )
        elif state is ProjectState.REJECTED:
            current, points, deps = self.assessment(project, 1, A.FAILED, created, **kw)
            self.review(project, current, ReviewStage.INSTITUTE, ReviewDecision.FAIL)
        else:
            current, points, deps = self.assessment(
                project, 1, A.PASSED, created, measures_done=done, **kw
            )
            self.passed_reviews(project, current, sensitive)
            if state is ProjectState.IMPLEMENTING and self.rng.random() < 0.03:
                # R-CHANGE: a major change, re-assessed and passed; the project went on.
                current, points, deps = self.major_change(project, current, done, **kw)
        level = max((p.level for p in points), key=lambda lv: lv.rank) if points else None
        if current["state"] == A.PASSED.value and state in LIVE:
            for dep in deps:
                self.tally.add_exposure(
                    (dep["item"], dep["item_kind"], dep["source_country"]),
                    self.inst.code,
                    dep["domestic_substitute"],
                )
        return current, points, level

    def major_change(
        self, project: Row, first: Row, done: float, **kw: Any
    ) -> tuple[Row, list[Point], list[Row]]:
        at = first["decided_at"] + timedelta(days=self.rng.randint(60, 300))
        at = min(at, self.now - timedelta(days=40))
        second, points, deps = self.assessment(
            project,
            2,
            AssessmentState.PASSED,
            at,
            measures_done=done,
            reason="major change",
            **kw,
        )
        self.passed_reviews(project, second, ())
        self.add(
            MajorChange,
            id=self.id(),
            project_id=project["id"],
            description="研究方案发生重大调整",
            declared_by_label=self.one(Role.RESEARCH_MANAGEMENT).label,
            suspended=False,
            assessment_id=second["id"],
            resolved_at=second["decided_at"],
            created_at=at,
        )
        return second, points, deps

    def passed_reviews(
        self, project: Row, assessment: Row, sensitive: Sequence[SensitiveField]
    ) -> None:
        self.review(project, assessment, ReviewStage.INSTITUTE, ReviewDecision.PASS)
        if sensitive:
            self.review(project, assessment, ReviewStage.COORDINATION, ReviewDecision.PASS)
        if project["deployed_by_hq"]:
            self.review(project, assessment, ReviewStage.HQ, ReviewDecision.PASS)

    def review(
        self, project: Row, assessment: Row, stage: ReviewStage, decision: ReviewDecision
    ) -> None:
        by_meeting = stage is ReviewStage.INSTITUTE and self.rng.random() < 0.2
        at = assessment["decided_at"] or self.now
        if stage is ReviewStage.HQ:
            reviewer_id, label = None, f"院机关{project['hq_department']}"
        else:
            role = (
                Role.RESEARCH_MANAGEMENT
                if stage is ReviewStage.INSTITUTE
                else Role.COORDINATION_LEADER
            )
            reviewer = self.one(role)
            reviewer_id, label = reviewer.id, reviewer.label
        minutes = None
        if by_meeting:
            minutes = self.document(
                project["id"], DocumentKind.MEETING_MINUTES, "评审会议纪要", reviewer, at
            )
        self.add(
            Review,
            id=self.id(),
            project_id=project["id"],
            assessment_id=assessment["id"],
            stage=stage.value,
            method=(ReviewMethod.MEETING if by_meeting else ReviewMethod.ADMINISTRATIVE).value,
            minutes_document_id=minutes,
            opinion_accuracy="风险分析准确"
            if decision is ReviewDecision.PASS
            else "风险分析不充分",
            opinion_measures="措施合理、有效、可执行"
            if decision is ReviewDecision.PASS
            else "措施需完善",
            decision=decision.value,
            reviewer_user_id=reviewer_id,
            reviewer_label=label,
            created_at=at,
        )

    # --- filing, permits ----------------------------------------------------------------

    def filing(self, project_id: uuid.UUID, state: ProjectState, created: datetime) -> None:
        signed = self.one(Role.LEGAL_REPRESENTATIVE)
        at = created + timedelta(days=self.rng.randint(20, 60))
        pending = state is ProjectState.FILING
        self.add(
            Filing,
            id=self.id(),
            project_id=project_id,
            state=(FilingState.SUBMITTED if pending else FilingState.RECORDED).value,
            signed_by=signed.id,
            signed_by_label=signed.label,
            statement="所长签字报备",
            hq_decided_by_label=None if pending else "院机关业务管理部门",
            hq_decided_at=None if pending else at + timedelta(days=10),
            hq_comment=None if pending else "同意备案",
            created_at=at,
        )

    def permit(self, project_id: uuid.UUID, start: date, end: date, created: datetime) -> None:
        document = self.document(
            project_id,
            DocumentKind.PERMIT,
            "行政许可决定书",
            self.one(Role.RESEARCH_MANAGEMENT),
            created,
        )
        self.add(
            Permit,
            id=self.id(),
            project_id=project_id,
            authority="国家主管部门",
            permit_number=f"许可-{self.rng.randrange(10**8):08d}",
            scope="按批准范围实施",
            valid_from=start - timedelta(days=10),
            valid_until=end + timedelta(days=self.rng.choice([-200, 30, 180, 365])),
            document_id=document,
            recorded_by_label=self.one(Role.RESEARCH_MANAGEMENT).label,
            created_at=created,
        )

    # --- inspections, hazards, incidents ------------------------------------------------

    def inspections(
        self,
        project_id: uuid.UUID,
        assessment: Row,
        points: Sequence[Point],
        start: date,
        until: datetime,
    ) -> list[tuple[uuid.UUID, date]]:
        rng = self.rng
        begin = datetime.combine(start, datetime.min.time(), self.zone)
        if begin >= until:
            return []
        made = []
        for _ in range(rng.choices([0, 1, 2, 3], [40, 35, 18, 7])[0]):
            inspection = self.id()
            on = self.between(begin, until).date()
            kind = rng.choices(["institute", "branch", "hq"], [80, 15, 5])[0]
            label = {
                "institute": self.one(Role.SAFETY_MANAGEMENT).label,
                "branch": self.inst.branch_label,
                "hq": "院安委办",
            }[kind]
            report = None
            if rng.random() < 0.3:
                report = self.document(
                    project_id,
                    DocumentKind.INSPECTION_REPORT,
                    "监督检查报告",
                    self.one(Role.SAFETY_MANAGEMENT),
                    datetime.combine(on, datetime.min.time(), self.zone),
                )
            self.add(
                Inspection,
                id=inspection,
                project_id=project_id,
                assessment_id=assessment["id"],
                inspected_on=on,
                inspector_label=label,
                inspector_unit_kind=kind,
                summary="检查防范措施落实情况",
                report_document_id=report,
                created_at=datetime.combine(on, datetime.min.time(), self.zone),
            )
            for p in points:
                for measure in p.measures:
                    self.add(
                        MeasureCheck,
                        id=self.id(),
                        inspection_id=inspection,
                        measure_id=measure,
                        result=rng.choices(list(CheckResult), [75, 20, 5])[0].value,
                        note="",
                    )
            made.append((inspection, on))
        return made

    def hazards(
        self,
        project_id: uuid.UUID,
        state: ProjectState,
        team: Sequence[Person],
        inspections: Sequence[tuple[uuid.UUID, date]],
        start: date,
        until: datetime,
    ) -> None:
        rng = self.rng
        begin = datetime.combine(start, datetime.min.time(), self.zone)
        if begin >= until:
            return
        for _ in range(rng.choices([0, 1, 2, 3, 4], [50, 28, 13, 6, 3])[0]):
            inspection = None
            source = rng.choices(list(HazardSource), [45, 35, 20])[0]
            if source is HazardSource.INSPECTION and inspections:
                inspection, on = rng.choice(inspections)
                found = datetime.combine(on, datetime.min.time(), self.zone) + timedelta(hours=10)
            else:
                if source is HazardSource.INSPECTION:
                    source = HazardSource.SELF_REPORT
                found = self.between(begin, until)
            found = min(found, self.now - timedelta(hours=1))
            severity = HazardSeverity.MAJOR if rng.random() < 0.1 else HazardSeverity.GENERAL
            age = (self.now - found).days
            handed_over = None
            if state is ProjectState.CLOSED:
                hazard_state = HazardState.CLOSED if rng.random() < 0.92 else HazardState.RECTIFYING
                if hazard_state is HazardState.RECTIFYING:
                    handed_over = "项目结题时移交安全管理部门继续整改"
            else:
                weights = [3, 6, 3, 88] if age > 120 else [20, 40, 15, 25]
                hazard_state = rng.choices(
                    [
                        HazardState.OPEN,
                        HazardState.RECTIFYING,
                        HazardState.AWAITING_VERIFICATION,
                        HazardState.CLOSED,
                    ],
                    weights,
                )[0]
            planned = hazard_state is not HazardState.OPEN
            owner = (
                (rng.choice(team) if rng.random() < 0.6 else self.one(Role.SAFETY_MANAGEMENT))
                if planned
                else None
            )
            deadline = (found + timedelta(days=rng.randint(15, 60))).date() if planned else None
            closed = hazard_state is HazardState.CLOSED
            rectified = (
                found + timedelta(days=rng.randint(5, 40))
                if hazard_state in {HazardState.AWAITING_VERIFICATION, HazardState.CLOSED}
                else None
            )
            if rectified is not None:
                rectified = min(rectified, self.now - timedelta(minutes=30))
            verified = (
                min(
                    rectified + timedelta(days=rng.randint(1, 10)), self.now - timedelta(minutes=10)
                )
                if closed and rectified
                else None
            )
            hazard_id = self.id()
            reporter = (
                rng.choice(team)
                if source is HazardSource.SELF_REPORT
                else self.one(Role.SAFETY_MANAGEMENT)
            )
            category = rng.choice(list(RiskCategory))
            self.add(
                Hazard,
                id=hazard_id,
                project_id=project_id,
                source=source.value,
                inspection_id=inspection,
                title=rng.choice(cat.HAZARD_TITLES),
                description="检查发现的风险隐患",
                category=category.value,
                severity=severity.value,
                state=hazard_state.value,
                reported_by=reporter.id,
                reported_by_label=reporter.label,
                owner_user_id=owner.id if owner else None,
                deadline=deadline,
                plan="制定整改方案并落实" if planned else None,
                rectified_by=owner.id if owner and rectified else None,
                rectified_at=rectified,
                rectification_note="已完成整改" if rectified else None,
                verified_by_label=self.one(Role.SAFETY_MANAGEMENT).label if verified else None,
                verified_at=verified,
                verification_note="整改到位" if verified else None,
                rejections=1 if rng.random() < 0.08 else 0,
                reopened=0,
                handed_over_reason=handed_over,
                handed_over_by_label=self.one(Role.RESEARCH_MANAGEMENT).label
                if handed_over
                else None,
                handed_over_at=until if handed_over else None,
                lock_version=1,
                created_at=found,
            )
            if (month := self.month(found)) is not None:
                self.tally.hazards_found[month] += 1
            if not closed and deadline is not None and deadline < self.today:
                self.tally.overdue[severity.value] += 1
                if rng.random() < 0.3:
                    # 督办 by the branch academy (R-SUPERVISE, R-OVERDUE).
                    self.add(
                        Supervision,
                        id=self.id(),
                        hazard_id=hazard_id,
                        by_label=self.inst.branch_label,
                        by_unit_id=self.inst.branch_id,
                        comment="请限期完成整改",
                        deadline=self.today + timedelta(days=14),
                        created_at=self.now - timedelta(days=rng.randint(1, 20)),
                    )
            if closed and rng.random() < 0.5:
                self.document(
                    hazard_id,
                    DocumentKind.RECTIFICATION_EVIDENCE,
                    "整改材料",
                    owner or self.one(Role.SAFETY_MANAGEMENT),
                    rectified or found,
                    attached="hazard",
                )

    def incidents(self, project_id: uuid.UUID | None, start: date, until: datetime) -> None:
        if self.rng.random() >= 0.016:
            return
        begin = max(datetime.combine(start, datetime.min.time(), self.zone), self.days_ago(4 * 365))
        if begin >= until:
            return
        self.incident(project_id, self.between(begin, until))

    def incident(self, project_id: uuid.UUID | None, occurred: datetime) -> None:
        rng = self.rng
        severity = rng.choices(list(IncidentSeverity), [85, 12, 3])[0]
        limit = {"general": 24, "major": 2, "especially_major": 1}[severity.value]
        late = rng.random() < 0.1
        delay = rng.uniform(limit + 1, limit + 48) if late else rng.uniform(0.1, limit)
        reported = min(occurred + timedelta(hours=delay), self.now - timedelta(minutes=5))
        age = (self.now - occurred).days
        if age > 180:
            state = IncidentState.CLOSED if rng.random() < 0.92 else IncidentState.INVESTIGATING
        else:
            state = rng.choices(list(IncidentState), [30, 40, 30])[0]
        closed = state is IncidentState.CLOSED
        closed_at = (
            min(reported + timedelta(days=rng.randint(5, 60)), self.now - timedelta(minutes=1))
            if closed
            else None
        )
        incident_id = self.id()
        reporter = self.one(Role.SAFETY_MANAGEMENT)
        self.add(
            Incident,
            id=incident_id,
            project_id=project_id,
            title=rng.choice(cat.INCIDENT_TITLES),
            occurred_at=occurred,
            place=rng.choice(cat.PLACES),
            category=rng.choice(list(RiskCategory)).value,
            severity=severity.value,
            deaths=0,
            injuries=rng.choice([0, 0, 0, 1, 2]),
            losses="直接经济损失若干",
            public_opinion="暂无负面舆情",
            immediate_measures="立即停止实验并疏散人员",
            state=state.value,
            reported_by_label=reporter.label,
            reported_at=reported,
            report_limit_hours=limit,
            follow_up_due_at=None if closed else reported + timedelta(hours=24),
            lessons_learned="加强培训与检查" if closed else None,
            closed_at=closed_at,
            created_at=reported,
        )
        for n in range(rng.randint(1, 2)):
            self.add(
                IncidentUpdate,
                id=self.id(),
                incident_id=incident_id,
                kind=UpdateKind.FOLLOW_UP.value,
                text="续报处置进展",
                by_label=reporter.label,
                created_at=min(
                    reported + timedelta(hours=12 * (n + 1)), self.now - timedelta(minutes=2)
                ),
            )
        if closed and severity is not IncidentSeverity.GENERAL:
            self.add(
                SpecialMeeting,
                id=self.id(),
                incident_id=incident_id,
                held_on=(reported + timedelta(days=3)).date(),
                minutes="院级协调小组专题会议纪要",
                decisions="加强全院同类风险排查",
                recorded_by_label="院安委办",
                created_at=reported + timedelta(days=3),
            )
        if not closed:
            self.tally.open_incidents[severity.value] += 1
        if (month := self.month(reported)) is not None:
            self.tally.incidents_reported[month] += 1

    # --- documents (metadata only: no bytes are stored) ---------------------------------

    def document(
        self,
        attached_id: uuid.UUID,
        kind: DocumentKind,
        title: str,
        by: Person,
        at: datetime,
        *,
        attached: str = "project",
    ) -> uuid.UUID:
        rng = self.rng
        document_id = self.id()
        versions = 1 if rng.random() < 0.85 else 2
        self.add(
            Document,
            id=document_id,
            attached_type=attached,
            attached_id=attached_id,
            kind=kind.value,
            sensitivity=(
                Sensitivity.RESTRICTED if rng.random() < 0.1 else Sensitivity.INTERNAL
            ).value,
            title=title,
            uploaded_by=by.id,
            uploaded_by_label=by.label,
            latest_version=versions,
            created_at=at,
        )
        for number in range(1, versions + 1):
            version_id = self.id()
            self.add(
                DocumentVersion,
                id=version_id,
                document_id=document_id,
                number=number,
                object_key=f"{self.t}/{document_id}/{version_id}",
                size=rng.randrange(20_000, 5_000_000),
                sha256=f"{rng.getrandbits(256):064x}",
                content_type="application/pdf",
                file_name=f"{title}-v{number}.pdf",
                uploaded_by=by.id,
                uploaded_by_label=by.label,
                state="committed",
                created_at=at + timedelta(days=number - 1),
            )
        return document_id

    # --- all of it ----------------------------------------------------------------------

    def build(self) -> InstitutePlan:
        self.staff()
        self.projects()
        # A few incidents of the unit itself, not of a project.
        if self.rng.random() < 0.3:
            self.incident(None, self.days_ago(self.rng.uniform(1, 700)))
        for table, rows in self.tables.items():
            self.tally.rows[table] += len(rows)
        return self
