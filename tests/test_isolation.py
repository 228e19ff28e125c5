"""Adversarial tenant isolation over GraphQL (ORG-INST: each institute is a tenant).

A user of one institute tries every query and mutation on another institute's objects and learns
nothing; a branch academy sees only its own institutes (ORG-BRANCH); HQ sees all (ORG-HQ).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schema.sdl import sdl
from server.audit.models import AuditEntry

UNIT_IDS = "{ orgUnits(first: 100) { nodes { id code } } }"
USERS_OF = "query($id: ID!) { users(orgUnitId: $id, first: 100) { nodes { id username } } }"


@pytest.fixture(scope="module")
async def ids(as_user):
    """Global IDs of units, users and an API token, as HQ sees them."""
    hq = as_user("hq.platform-admin")
    units = {n["code"]: n["id"] for n in (await hq(UNIT_IDS))["orgUnits"]["nodes"]}
    users = {}
    for code in ("IPH", "IOC"):
        data = await hq(USERS_OF, {"id": units[code]})
        users.update({n["username"]: n["id"] for n in data["users"]["nodes"]})
    created = await as_user("iph.tenant-admin")(
        """mutation($u: ID!) {
             createApiToken(input: {orgUnitId: $u, name: "victim", role: RESEARCHER})
           { __typename ... on ApiTokenCreated { apiToken { id } } } }""",
        {"u": units["IPH"]},
    )
    token_id = created["createApiToken"]["apiToken"]["id"]
    dept = await as_user("iph.tenant-admin")(
        "query($id: ID!) { orgUnit(id: $id) { departments { id } } }", {"id": units["IPH"]}
    )
    leader = as_user("iph.coordination-leader")
    started = await leader(
        """mutation($u: ID!) { startUpload(input: {fileName: "plan.pdf", newDocument: {
             attachedTo: {type: ORG_UNIT, id: $u}, kind: EMERGENCY_RESPONSE_PLAN,
             sensitivity: PUBLIC, title: "预案"}}) { ... on UploadStarted {
             ticket { uploadId documentId uploadUrl } } } }""",
        {"u": units["IPH"]},
    )
    ticket = started["startUpload"]["ticket"]
    put = await leader.client.put(
        ticket["uploadUrl"],
        content=b"%PDF-1.4\n%%EOF\n",
        headers={"authorization": f"Bearer {leader.token}"},
    )
    assert put.status_code == 201, put.text
    pending = await leader(
        """mutation($d: ID!) { startUpload(input: {fileName: "v2.pdf", documentId: $d}) {
             ... on UploadStarted { ticket { uploadId } } } }""",
        {"d": ticket["documentId"]},
    )
    versions = await leader(
        "query($d: ID!) { document(id: $d) { versions { id } } }", {"d": ticket["documentId"]}
    )
    return {
        "document": ticket["documentId"],
        "version": versions["document"]["versions"][0]["id"],
        "upload": pending["startUpload"]["ticket"]["uploadId"],
        "units": units,
        "users": users,
        "token": token_id,
        "dept": dept["orgUnit"]["departments"][0]["id"],
    }


# Every mutation, aimed at IPH's objects. The test below checks that this list is complete.
FOREIGN_MUTATIONS = {
    "createOrgUnit": (
        'mutation($p: ID!) { createOrgUnit(input: {kind: INSTITUTE, code: "X1", '
        'name: "x", parentId: $p}) { __typename } }',
        lambda i: {"p": i["units"]["BJ"]},
    ),
    "updateOrgUnit": (
        'mutation($id: ID!) { updateOrgUnit(input: {id: $id, name: "pwned"}) { __typename } }',
        lambda i: {"id": i["units"]["IPH"]},
    ),
    "createDepartment": (
        'mutation($u: ID!) { createDepartment(orgUnitId: $u, name: "x") { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "createUser": (
        'mutation($u: ID!) { createUser(input: {orgUnitId: $u, username: "smuggled", '
        'displayName: "x", password: "Very-Long-Passw0rd"}) { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "updateUser": (
        'mutation($id: ID!) { updateUser(input: {id: $id, displayName: "pwned"}) { __typename } }',
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "setUserDisabled": (
        "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { __typename } }",
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "setPassword": (
        "mutation($id: ID!) { setPassword(input: {userId: $id, newPassword: "
        '"Another-Passw0rd-1"}) { __typename } }',
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "grantRole": (
        "mutation($id: ID!) { grantRole(userId: $id, role: TENANT_ADMIN) { __typename } }",
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "revokeRole": (
        "mutation($id: ID!) { revokeRole(userId: $id, role: TENANT_ADMIN) { __typename } }",
        lambda i: {"id": i["users"]["iph.tenant-admin"]},
    ),
    "createApiToken": (
        'mutation($u: ID!) { createApiToken(input: {orgUnitId: $u, name: "x", '
        "role: RESEARCHER}) { __typename } }",
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "startUpload": (
        'mutation($d: ID!) { startUpload(input: {fileName: "x.pdf", documentId: $d}) '
        "{ __typename } }",
        lambda i: {"d": i["document"]},
    ),
    "confirmUpload": (
        "mutation($u: ID!) { confirmUpload(uploadId: $u) { __typename } }",
        lambda i: {"u": i["upload"]},
    ),
    "createDownloadLink": (
        "mutation($v: ID!) { createDownloadLink(versionId: $v) { __typename } }",
        lambda i: {"v": i["version"]},
    ),
    "withdrawDocumentVersion": (
        'mutation($v: ID!) { withdrawDocumentVersion(versionId: $v, reason: "x") { __typename } }',
        lambda i: {"v": i["version"]},
    ),
    "revokeApiToken": (
        "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }",
        lambda i: {"id": i["token"]},
    ),
}
SIGN_IN_MUTATIONS = {"login", "refresh", "logout"}


def test_every_mutation_is_attacked():
    import re

    block = sdl().split("type Mutation {", 1)[1].split("\n}", 1)[0]
    names = set(re.findall(r"^\s+(\w+)\(", block, re.M))
    assert names - SIGN_IN_MUTATIONS == set(FOREIGN_MUTATIONS)


async def _audit_count(owner_engine) -> int:
    async with owner_engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.mark.parametrize("attacker", ["ioc.tenant-admin", "ioc.researcher"])
@pytest.mark.parametrize("name", sorted(FOREIGN_MUTATIONS))
async def test_ORG_INST_foreign_institute_mutation_is_not_found(
    as_user, ids, owner_engine, attacker, name
):
    query, variables = FOREIGN_MUTATIONS[name]
    before = await _audit_count(owner_engine)
    data = await as_user(attacker)(query, variables(ids))
    result = data[name]["__typename"]
    assert result == "NotFoundError", (name, data)
    assert await _audit_count(owner_engine) == before


async def test_ORG_INST_foreign_institute_queries_learn_nothing(as_user, ids):
    ioc = as_user("ioc.tenant-admin")
    units = ids["units"]
    assert (await ioc("query($id: ID!) { orgUnit(id: $id) { name } }", {"id": units["IPH"]}))[
        "orgUnit"
    ] is None
    assert (
        await ioc(
            "query($id: ID!) { user(id: $id) { username } }", {"id": ids["users"]["iph.researcher"]}
        )
    )["user"] is None
    listed = await ioc(UNIT_IDS)
    assert {n["code"] for n in listed["orgUnits"]["nodes"]} == {"IOC"}
    everyone = await ioc("{ users(first: 100) { nodes { username } } }")
    assert all(n["username"].startswith("ioc.") for n in everyone["users"]["nodes"])
    # Listing another institute's users by ID: an error that says only "not found".
    response = await ioc.post(USERS_OF, {"id": units["IPH"]})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "IPH" not in response.text and "物理" not in response.text
    # An unknown ID and a foreign ID look the same.
    unknown = await ioc.post(USERS_OF, {"id": units["IPH"][:-2] + "AA"})
    assert unknown.json()["errors"][0]["message"] in {
        body["errors"][0]["message"],
        "No object has this ID.",
    }


async def test_ORG_INST_data_unchanged_after_attacks(as_user, ids):
    data = await as_user("iph.tenant-admin")(
        "query($id: ID!) { user(id: $id) { displayName disabled roles { role } } }",
        {"id": ids["users"]["iph.researcher"]},
    )
    assert data["user"]["disabled"] is False
    assert data["user"]["displayName"] != "pwned"
    assert [r["role"] for r in data["user"]["roles"]] == ["RESEARCHER"]


async def test_ORG_BRANCH_supervisor_sees_only_its_own_institutes(as_user, ids):
    bj = as_user("bj.supervisor")
    codes = {n["code"] for n in (await bj(UNIT_IDS))["orgUnits"]["nodes"]}
    assert codes == {"BJ", "IPH", "IAU"}
    users = await bj("{ users(first: 100) { nodes { username orgUnit { code } } } }")
    assert {n["orgUnit"]["code"] for n in users["users"]["nodes"]} == {"BJ", "IPH", "IAU"}
    assert (
        await bj(
            "query($id: ID!) { user(id: $id) { username } }", {"id": ids["users"]["ioc.researcher"]}
        )
    )["user"] is None
    # Supervising is not managing: a branch cannot change an institute's people.
    data = await bj(FOREIGN_MUTATIONS["updateUser"][0], {"id": ids["users"]["iph.researcher"]})
    assert data["updateUser"]["__typename"] == "ForbiddenError"


async def test_ORG_HQ_sees_every_unit(as_user):
    for username in ("hq.safety-committee-office", "hq.business-department"):
        codes = {n["code"] for n in (await as_user(username)(UNIT_IDS))["orgUnits"]["nodes"]}
        assert {"HQ", "BJ", "SH", "IPH", "IAU", "IOC", "IMS"} <= codes


async def test_ORG_INST_node_query_hides_foreign_objects(as_user, ids):
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    ioc = as_user("ioc.tenant-admin")
    for foreign in (
        ids["units"]["IPH"],
        ids["users"]["iph.researcher"],
        ids["token"],
        ids["document"],
        ids["version"],
        "garbage",
    ):
        assert (await ioc(query, {"id": foreign}))["node"] is None
    own = await ioc(query, {"id": ids["users"]["ioc.researcher"]})
    assert own["node"] == {"__typename": "User", "id": ids["users"]["ioc.researcher"]}
