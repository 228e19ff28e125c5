"""The authorization gate against its expected decisions (DESIGN decision 4, rule IDs in names).

`policies/decisions.csv` is the hand-checked truth: every role of `server.tenancy.roles` x every
scope x every object/action of `policies/policy.csv` x the relations none/self, plus for each
object every other relation its policy lines name (`uploader` for `org_unit_document`). The
Casbin enforcer must agree with every row. The gate's own work (scope from the HQ → branch →
institute hierarchy, NotFound outside the visible tenants, Forbidden with a reason inside) is
checked on hand-built principals. No database is needed.
"""

from __future__ import annotations

import csv
import itertools
import re
import uuid
from pathlib import Path

import pytest

from server.auth.principal import ANONYMOUS, SYSTEM, Grant, Principal
from server.authz.gate import Target, authorize, enforcer, is_allowed, scope_of
from server.errors import Forbidden, NotFound, Unauthenticated
from server.rules import RULE_IDS
from server.tenancy.roles import Role, UnitKind

POLICIES = Path(__file__).resolve().parents[2] / "policies"
DECISIONS = POLICIES / "decisions.csv"
POLICY = POLICIES / "policy.csv"
README = POLICIES / "README.md"

SCOPES = ("own", "supervised", "all")
RELATIONS = ("none", "self")

KNOWN_RULE_IDS = RULE_IDS
RULE_ID = re.compile(r"\b(?:ORG|R)-[A-Z]+(?:-[A-Z]+)*\b")


# --- policy.csv and decisions.csv ---------------------------------------------------------


def policy_lines() -> list[tuple[str, ...]]:
    """The p and g lines of policy.csv, as tuples of stripped fields."""
    lines = []
    for raw in POLICY.read_text(encoding="utf-8").splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        lines.append(tuple(f.strip() for f in text.split(",")))
    return lines


def relations_of(obj: str) -> tuple[str, ...]:
    """none/self, plus the relations that the p lines for `obj` name (e.g. `uploader`)."""
    named = {
        line[5] for line in policy_lines() if line[0] == "p" and line[3] == obj and line[5] != "*"
    }
    return RELATIONS + tuple(sorted(named - set(RELATIONS)))


def decision_rows() -> list[dict[str, str]]:
    with DECISIONS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def row_id(row: dict[str, str]) -> str:
    return "{role}-{scope}-{object}-{action}-{relation}-{expected}".format(**row)


ROWS = decision_rows()


def test_decisions_csv_has_the_expected_header() -> None:
    with DECISIONS.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["role", "scope", "object", "action", "relation", "expected"]


def test_decisions_csv_rows_are_well_formed_and_unique() -> None:
    roles = {r.value for r in Role}
    seen: set[tuple[str, ...]] = set()
    for row in ROWS:
        assert row["role"] in roles, row
        assert row["scope"] in SCOPES, row
        assert row["relation"] in relations_of(row["object"]), row
        assert row["expected"] in {"allow", "deny"}, row
        key = (row["role"], row["scope"], row["object"], row["action"], row["relation"])
        assert key not in seen, f"duplicate row {key}"
        seen.add(key)


def test_decisions_csv_covers_every_role_scope_permission_and_relation() -> None:
    """No role, scope, object/action of policy.csv or relation is missing from the matrix."""
    obj_acts = {(line[3], line[4]) for line in policy_lines() if line[0] == "p"}
    present = {(r["role"], r["scope"], r["object"], r["action"], r["relation"]) for r in ROWS}
    missing = [
        (role.value, scope, obj, act, rel)
        for role, scope, (obj, act) in itertools.product(Role, SCOPES, obj_acts)
        for rel in relations_of(obj)
        if (role.value, scope, obj, act, rel) not in present
    ]
    assert not missing, f"decisions.csv lacks {len(missing)} rows, e.g. {missing[:5]}"


@pytest.mark.parametrize("row", ROWS, ids=[row_id(r) for r in ROWS])
def test_enforcer_matches_decisions_csv(row: dict[str, str]) -> None:
    """Every expected decision of the matrix; anything not allowed by a line is denied."""
    decided = enforcer().enforce(
        row["role"], row["scope"], row["object"], row["action"], row["relation"]
    )
    assert ("allow" if decided else "deny") == row["expected"]


def test_g_lines_group_roles_never_users() -> None:
    """A `g` line groups a role under a role group; a user's roles come from the database."""
    roles = {r.value for r in Role}
    g_lines = [line for line in policy_lines() if line[0] == "g"]
    groups = {line[2] for line in g_lines}
    assert g_lines
    for line in g_lines:
        assert len(line) == 3, line
        assert line[1] in roles, f"g line member is not a role: {line}"
        assert line[2] in groups | roles, line
    p_subjects = {line[1] for line in policy_lines() if line[0] == "p"}
    assert p_subjects <= roles | groups, p_subjects - roles - groups


# --- policies/README.md maps every line to its rule IDs ----------------------------------

README_LINE = re.compile(r"`\s*([pg]\s*,[^`]*)`")


def readme_table() -> dict[tuple[str, ...], str]:
    """Rows of the README table: quoted policy line → the rest of the row (with the rule IDs)."""
    table: dict[tuple[str, ...], str] = {}
    for raw in README.read_text(encoding="utf-8").splitlines():
        text = raw.strip()
        if not text.startswith("|"):
            continue
        cells = [c.strip() for c in text.strip("|").split("|")]
        for i, cell in enumerate(cells):
            m = README_LINE.fullmatch(cell)
            if m:
                key = tuple(f.strip() for f in m.group(1).split(","))
                table[key] = " | ".join(cells[i + 1 :])
                break
    return table


def test_every_policy_line_is_mapped_in_readme() -> None:
    table = readme_table()
    missing = [", ".join(line) for line in policy_lines() if line not in table]
    assert not missing, f"policies/README.md does not map these policy.csv lines: {missing}"


def test_readme_maps_no_line_that_policy_lacks() -> None:
    lines = set(policy_lines())
    stale = [", ".join(key) for key in readme_table() if key not in lines]
    assert not stale, f"policies/README.md maps lines policy.csv does not have: {stale}"


def test_readme_cites_known_rule_ids_for_every_line() -> None:
    for key, rest in readme_table().items():
        cited = set(RULE_ID.findall(rest))
        assert cited, f"no rule ID for {', '.join(key)}"
        assert cited <= KNOWN_RULE_IDS, f"unknown rule IDs {cited - KNOWN_RULE_IDS}"


# --- the gate: scope from the hierarchy, NotFound / Forbidden / Unauthenticated ----------

HQ = uuid.uuid4()
BRANCH = uuid.uuid4()
OTHER_BRANCH = uuid.uuid4()
INSTITUTE = uuid.uuid4()  # supervised by BRANCH
OTHER_INSTITUTE = uuid.uuid4()  # supervised by OTHER_BRANCH


def institute_grant(role: Role, unit: uuid.UUID = INSTITUTE) -> Grant:
    return Grant(role=role, unit_id=unit, unit_kind=UnitKind.INSTITUTE)


def branch_grant(role: Role = Role.BRANCH_SUPERVISOR, unit: uuid.UUID = BRANCH) -> Grant:
    supervised = {BRANCH: {INSTITUTE}, OTHER_BRANCH: {OTHER_INSTITUTE}}[unit]
    return Grant(
        role=role, unit_id=unit, unit_kind=UnitKind.BRANCH, supervised=frozenset(supervised)
    )


def hq_grant(role: Role) -> Grant:
    return Grant(role=role, unit_id=HQ, unit_kind=UnitKind.HQ)


def person(*grants: Grant) -> Principal:
    return Principal(
        user_id=uuid.uuid4(), tenant_id=grants[0].unit_id, label="someone", grants=grants
    )


def test_ORG_INST_institute_grant_on_own_tenant_is_own() -> None:
    grant = institute_grant(Role.RESEARCHER)
    assert scope_of(grant, INSTITUTE) == "own"
    assert scope_of(grant, OTHER_INSTITUTE) is None
    assert scope_of(grant, BRANCH) is None
    assert scope_of(grant, HQ) is None
    researcher = person(grant)
    assert is_allowed(researcher, "read", Target("user", INSTITUTE))
    authorize(researcher, "read", Target("department", INSTITUTE))


def test_ORG_INST_institute_grant_on_another_institute_is_not_found() -> None:
    admin = person(institute_grant(Role.TENANT_ADMIN))
    assert not is_allowed(admin, "manage", Target("user", OTHER_INSTITUTE))
    with pytest.raises(NotFound):
        authorize(admin, "manage", Target("user", OTHER_INSTITUTE))


def test_ORG_BRANCH_branch_grant_over_supervised_institute_is_supervised() -> None:
    grant = branch_grant()
    assert scope_of(grant, BRANCH) == "own"
    assert scope_of(grant, INSTITUTE) == "supervised"
    supervisor = person(grant)
    assert is_allowed(supervisor, "read", Target("user", INSTITUTE))
    authorize(supervisor, "read", Target("department", INSTITUTE))
    authorize(supervisor, "read", Target("org_unit", INSTITUTE))


def test_ORG_BRANCH_branch_grant_over_unsupervised_institute_is_not_found() -> None:
    grant = branch_grant()
    assert scope_of(grant, OTHER_INSTITUTE) is None
    assert scope_of(grant, OTHER_BRANCH) is None
    assert scope_of(grant, HQ) is None
    supervisor = person(grant)
    assert not is_allowed(supervisor, "read", Target("user", OTHER_INSTITUTE))
    with pytest.raises(NotFound, match="No such user"):
        authorize(supervisor, "read", Target("user", OTHER_INSTITUTE))


def test_ORG_BRANCH_branch_supervisor_does_not_manage_supervised_institutes() -> None:
    supervisor = person(branch_grant())
    with pytest.raises(Forbidden):
        authorize(supervisor, "manage", Target("user", INSTITUTE))


@pytest.mark.parametrize("unit", [INSTITUTE, OTHER_INSTITUTE, BRANCH, OTHER_BRANCH])
def test_ORG_HQ_hq_grant_is_all(unit: uuid.UUID) -> None:
    grant = hq_grant(Role.BUSINESS_DEPARTMENT)
    assert scope_of(grant, unit) == "all"
    authorize(person(grant), "read", Target("user", unit))


def test_ORG_HQ_hq_grant_on_hq_itself_is_own() -> None:
    grant = hq_grant(Role.SAFETY_COMMITTEE_OFFICE)
    assert scope_of(grant, HQ) == "own"
    authorize(person(grant), "read", Target("audit_entry", HQ))


def test_ORG_HQ_DUTY_safety_committee_office_reads_audit_of_any_institute() -> None:
    office = person(hq_grant(Role.SAFETY_COMMITTEE_OFFICE))
    authorize(office, "read", Target("audit_entry", OTHER_INSTITUTE))
    business = person(hq_grant(Role.BUSINESS_DEPARTMENT))
    with pytest.raises(Forbidden):
        authorize(business, "read", Target("audit_entry", INSTITUTE))


def test_anonymous_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        authorize(ANONYMOUS, "read", Target("org_unit", INSTITUTE))
    assert not is_allowed(ANONYMOUS, "read", Target("org_unit", INSTITUTE))


def test_system_principal_is_allowed_everything() -> None:
    assert is_allowed(SYSTEM, "manage", Target("org_unit", INSTITUTE))
    authorize(SYSTEM, "read", Target("audit_entry", OTHER_INSTITUTE))


def test_visible_but_denied_is_forbidden_naming_the_roles() -> None:
    principal = person(institute_grant(Role.RESEARCHER), institute_grant(Role.SECRECY_OFFICER))
    with pytest.raises(Forbidden) as info:
        authorize(principal, "manage", Target("user", INSTITUTE))
    message = info.value.message
    assert "researcher, secrecy_officer" in message
    assert "'manage'" in message
    assert "user" in message


def test_forbidden_for_a_principal_without_roles_says_so() -> None:
    principal = Principal(user_id=uuid.uuid4(), tenant_id=INSTITUTE, label="no roles")
    with pytest.raises(Forbidden, match="no role"):
        authorize(principal, "read", Target("user", INSTITUTE))


def test_ORG_INST_any_grant_that_allows_is_enough() -> None:
    principal = person(institute_grant(Role.RESEARCHER), institute_grant(Role.TENANT_ADMIN))
    authorize(principal, "manage", Target("membership", INSTITUTE))


def test_R_OWN_update_self_needs_the_self_relation_on_the_resource() -> None:
    researcher = person(institute_grant(Role.RESEARCHER))
    authorize(researcher, "update_self", Target("user", INSTITUTE, frozenset({"self"})))
    with pytest.raises(Forbidden):
        authorize(researcher, "update_self", Target("user", INSTITUTE))
    # The self relation grants update_self only, not manage.
    with pytest.raises(Forbidden):
        authorize(researcher, "manage", Target("user", INSTITUTE, frozenset({"self"})))


def test_R_OWN_relations_are_tried_one_by_one() -> None:
    supervisor = person(branch_grant())
    own_record = Target("user", BRANCH, frozenset({"approver", "self"}))
    authorize(supervisor, "update_self", own_record)
