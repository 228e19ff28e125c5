"""Documents through the real app, on both stores: upload, versions, sensitivity, links, sweep.

Every test that takes `docs` runs twice: on local disk and on an S3-protocol server over HTTP.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from storage_support import ooxml

from schema.relay import from_global_id
from server.app import create_app
from server.audit.models import AuditEntry
from server.db.engine import ALL_TENANTS, scope
from server.documents import attachments
from server.documents.models import Document, DocumentUpload
from server.documents.storage import LocalStore
from server.documents.sweep import sweep

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200

START = """
mutation($input: StartUploadInput!) {
  startUpload(input: $input) {
    __typename
    ... on UploadStarted { ticket { uploadId documentId uploadUrl presignedPutUrl expiresAt } }
    ... on UserError { code message field }
  }
}
"""
CONFIRM = """
mutation($id: ID!) {
  confirmUpload(uploadId: $id) {
    __typename
    ... on VersionCommitted { document { id latestVersion } version { number sha256 size } }
    ... on UserError { code message field }
  }
}
"""
DOCS = """
query($unit: ID!) {
  documents(attachedTo: {type: ORG_UNIT, id: $unit}) {
    id title kind sensitivity latestVersion attachedId
    versions { id number size sha256 contentType fileName state withdrawnReason }
  }
}
"""
LINK = """
mutation($id: ID!) {
  createDownloadLink(versionId: $id) {
    __typename
    ... on DownloadLinkIssued { link { url expiresAt version { number } } }
    ... on UserError { code message }
  }
}
"""
WITHDRAW = """
mutation($id: ID!, $reason: String!) {
  withdrawDocumentVersion(versionId: $id, reason: $reason) {
    __typename
    ... on VersionWithdrawn { version { state withdrawnBy withdrawnReason } }
    ... on UserError { code message }
  }
}
"""


@dataclasses.dataclass
class Docs:
    """An app wired to one store, with helpers to drive it as the demo users."""

    kind: str
    app: Any
    client: httpx.AsyncClient
    tokens: dict[str, str]
    units: dict[str, str]

    @property
    def store(self) -> Any:
        return self.app.state.store

    async def gql(self, user: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {self.tokens[user]}"},
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]

    async def start(
        self,
        user: str,
        *,
        unit: str = "IPH",
        data: bytes = PDF,
        name: str = "预案.pdf",
        sensitivity: str = "INTERNAL",
        document_id: str | None = None,
        declare: bool = True,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"fileName": name}
        if declare:
            payload |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if document_id:
            payload["documentId"] = document_id
        else:
            payload["newDocument"] = {
                "attachedTo": {"type": "ORG_UNIT", "id": self.units[unit]},
                "kind": "EMERGENCY_RESPONSE_PLAN",
                "sensitivity": sensitivity,
                "title": f"应急处置预案 {uuid.uuid4().hex[:6]}",
            }
        return (await self.gql(user, START, {"input": payload}))["startUpload"]

    async def put(self, user: str, ticket: dict[str, Any], data: bytes) -> httpx.Response:
        return await self.client.put(
            ticket["uploadUrl"],
            content=data,
            headers={"authorization": f"Bearer {self.tokens[user]}"},
        )

    async def upload(self, user: str, data: bytes = PDF, **kw: Any) -> dict[str, Any]:
        started = await self.start(user, data=data, **kw)
        assert started["__typename"] == "UploadStarted", started
        response = await self.put(user, started["ticket"], data)
        assert response.status_code == 201, response.text
        return started["ticket"]  # type: ignore[no-any-return]

    async def documents(self, user: str, unit: str = "IPH") -> list[dict[str, Any]]:
        return (await self.gql(user, DOCS, {"unit": self.units[unit]}))["documents"]  # type: ignore[no-any-return]

    async def document(self, user: str, document_id: str) -> dict[str, Any] | None:
        return next((d for d in await self.documents(user) if d["id"] == document_id), None)

    async def fetch(self, url: str) -> httpx.Response:
        if url.startswith("/"):
            return await self.client.get(url)
        async with httpx.AsyncClient() as outside:
            return await outside.get(url)


@pytest.fixture(params=["local", "s3"])
async def docs(
    request: pytest.FixtureRequest,
    settings: Any,
    owner_url: str,
    tokens: dict[str, str],
    tmp_path: Any,
) -> AsyncIterator[Docs]:
    changes: dict[str, Any] = {"data_dir": tmp_path, "upload_max_bytes": 256 * 1024}
    if request.param == "s3":
        changes |= {
            "s3_endpoint": request.getfixturevalue("s3_endpoint"),
            "s3_access_key": "testing",
            "s3_secret_key": "testing",
            "s3_bucket": f"docs-{uuid.uuid4().hex[:12]}",
            "s3_secure": False,
        }
    app = create_app(dataclasses.replace(settings, **changes), owner_url)
    await app.state.store.prepare()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        hq = await client.post(
            "/graphql",
            json={"query": "{ orgUnits(first: 100) { nodes { id code } } }"},
            headers={"authorization": f"Bearer {tokens['hq.platform-admin']}"},
        )
        units = {n["code"]: n["id"] for n in hq.json()["data"]["orgUnits"]["nodes"]}
        yield Docs(request.param, app, client, tokens, units)
    await app.state.store.aclose()
    await app.state.engine.dispose()


async def _count(sessions: Any, model: Any, **where: Any) -> int:
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return int(await session.scalar(stmt))


async def _keys(store: Any, unit_gid: str) -> list[str]:
    tenant = from_global_id(unit_gid, "OrgUnit")[1][0]
    return [k async for k in store.list_keys(f"{tenant}/")]


# ---------------------------------------------------------------------------------------------


async def test_upload_stream_then_list_and_download(docs: Docs, sessions: Any):
    ticket = await docs.upload("iph.coordination-leader")
    doc = await docs.document("iph.coordination-leader", ticket["documentId"])
    assert doc is not None and doc["latestVersion"] == 1
    (version,) = doc["versions"]
    assert (version["size"], version["sha256"]) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (version["contentType"], version["fileName"]) == ("application/pdf", "预案.pdf")

    link = (await docs.gql("iph.coordination-leader", LINK, {"id": version["id"]}))[
        "createDownloadLink"
    ]
    assert link["__typename"] == "DownloadLinkIssued", link
    response = await docs.fetch(link["link"]["url"])
    assert response.status_code == 200 and response.content == PDF
    assert "attachment" in response.headers["content-disposition"]
    # Every link handed out is in the audit log.
    assert (
        await _count(
            sessions,
            AuditEntry,
            action="document.download_link",
            object_id=str(from_global_id(version["id"])[1][1]),
        )
        == 1
    )


async def test_replacement_is_a_new_version_and_old_ones_stay_readable(docs: Docs):
    first = await docs.upload("iph.coordination-leader")
    second_bytes = PDF.replace(b"Catalog", b"Catalog /V2")
    await docs.upload("iph.coordination-leader", data=second_bytes, document_id=first["documentId"])
    doc = await docs.document("iph.researcher", first["documentId"])
    assert doc is not None and [v["number"] for v in doc["versions"]] == [2, 1]
    old = doc["versions"][1]
    link = (await docs.gql("iph.researcher", LINK, {"id": old["id"]}))["createDownloadLink"]
    assert (await docs.fetch(link["link"]["url"])).content == PDF


async def test_disguised_executable_is_refused_and_leaves_nothing(docs: Docs, sessions: Any):
    before = await _keys(docs.store, docs.units["IPH"])
    tickets = await _count(sessions, DocumentUpload)
    started = await docs.start("iph.coordination-leader", data=ELF, name="report.pdf")
    response = await docs.put("iph.coordination-leader", started["ticket"], ELF)
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "DISALLOWED_TYPE"
    assert await _keys(docs.store, docs.units["IPH"]) == before
    assert await _count(sessions, DocumentUpload) == tickets
    doc_id = from_global_id(started["ticket"]["documentId"])[1][1]
    assert await _count(sessions, Document, id=doc_id) == 0


async def test_oversized_upload_is_refused_and_leaves_nothing(docs: Docs, sessions: Any):
    big = PDF + b"0" * (300 * 1024)
    before = await _keys(docs.store, docs.units["IPH"])
    started = await docs.start("iph.coordination-leader", data=big, declare=False)
    response = await docs.put("iph.coordination-leader", started["ticket"], big)
    assert response.status_code == 413, response.text
    assert await _keys(docs.store, docs.units["IPH"]) == before
    # Announcing an oversized file is refused before any byte moves.
    refused = await docs.start("iph.coordination-leader", data=big)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "size")


async def test_checksum_mismatch_is_refused_and_leaves_nothing(docs: Docs, sessions: Any):
    before = await _keys(docs.store, docs.units["IPH"])
    started = await docs.start("iph.coordination-leader", data=PDF)
    response = await docs.put("iph.coordination-leader", started["ticket"], PDF + b"tampered")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CHECKSUM_MISMATCH"
    assert await _keys(docs.store, docs.units["IPH"]) == before


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a/b.pdf", "C:\\x\\y.pdf", "bad\x00.pdf", "ok\n.pdf"]
)
async def test_bad_file_names_are_refused(docs: Docs, name: str):
    refused = await docs.start("iph.coordination-leader", name=name)
    assert (refused["__typename"], refused["code"]) == ("InvalidInputError", "BAD_FILE_NAME")


@pytest.mark.parametrize("docs", ["local"], indirect=True)
async def test_local_store_has_no_presigned_uploads(docs: Docs):
    started = await docs.start("iph.coordination-leader")
    assert started["ticket"]["presignedPutUrl"] is None
    assert started["ticket"]["uploadUrl"].startswith("/uploads/")


@pytest.mark.parametrize("docs", ["s3"], indirect=True)
async def test_presigned_put_then_confirm(docs: Docs, sessions: Any):
    started = await docs.start("iph.coordination-leader")
    ticket = started["ticket"]
    async with httpx.AsyncClient() as outside:
        early = await docs.gql("iph.coordination-leader", CONFIRM, {"id": ticket["uploadId"]})
        assert early["confirmUpload"]["code"] == "NOTHING_UPLOADED"
        put = await outside.put(ticket["presignedPutUrl"], content=PDF)
        assert put.status_code == 200
    done = await docs.gql("iph.coordination-leader", CONFIRM, {"id": ticket["uploadId"]})
    assert done["confirmUpload"]["__typename"] == "VersionCommitted", done
    assert done["confirmUpload"]["version"]["sha256"] == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize("docs", ["s3"], indirect=True)
async def test_presigned_checksum_mismatch_leaves_nothing(docs: Docs, sessions: Any):
    before = await _keys(docs.store, docs.units["IPH"])
    started = await docs.start("iph.coordination-leader")
    async with httpx.AsyncClient() as outside:
        await outside.put(started["ticket"]["presignedPutUrl"], content=PDF + b"evil")
    done = await docs.gql("iph.coordination-leader", CONFIRM, {"id": started["ticket"]["uploadId"]})
    assert done["confirmUpload"]["code"] == "CHECKSUM_MISMATCH"
    assert await _keys(docs.store, docs.units["IPH"]) == before
    upload_id = from_global_id(started["ticket"]["uploadId"])[1][1]
    assert await _count(sessions, DocumentUpload, id=upload_id) == 0


async def test_uploads_to_another_tenant_are_not_found(docs: Docs):
    refused = await docs.start("ioc.tenant-admin", unit="IPH")
    assert refused["code"] == "NOT_FOUND"
    mine = await docs.start("iph.coordination-leader")
    # Another person's ticket, even with a valid sign-in, is not found.
    response = await docs.put("ioc.tenant-admin", mine["ticket"], PDF)
    assert response.status_code == 404
    response = await docs.client.put(mine["ticket"]["uploadUrl"], content=PDF)
    assert response.status_code == 401


async def test_sensitivity_decides_who_reads(docs: Docs):
    restricted = await docs.upload("iph.legal-representative", sensitivity="RESTRICTED")
    internal = await docs.upload("iph.coordination-leader", sensitivity="INTERNAL")
    public = await docs.upload("iph.coordination-leader", sensitivity="PUBLIC")
    expectations = {
        # reader: (restricted, internal, public)
        "iph.secrecy-officer": (True, True, True),
        "iph.coordination-member": (True, True, True),
        "iph.researcher": (False, True, True),
        "bj.supervisor": (False, True, True),
        "hq.safety-committee-office": (True, True, True),
        "hq.business-department": (False, True, True),
    }
    for reader, expected in expectations.items():
        seen = {d["id"] for d in await docs.documents(reader)}
        got = tuple(t["documentId"] in seen for t in (restricted, internal, public))
        assert got == expected, reader
    # Neither the list nor a direct lookup shows a restricted document to the wrong reader.
    query = "query($id: ID!) { document(id: $id) { title } }"
    hidden = await docs.gql("iph.researcher", query, {"id": restricted["documentId"]})
    assert hidden["document"] is None
    # Another institute sees nothing of IPH's documents.
    response = await docs.client.post(
        "/graphql",
        json={"query": DOCS, "variables": {"unit": docs.units["IPH"]}},
        headers={"authorization": f"Bearer {docs.tokens['ioc.tenant-admin']}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_restricted_version_link_is_not_handed_to_the_wrong_reader(docs: Docs, sessions: Any):
    ticket = await docs.upload("iph.legal-representative", sensitivity="RESTRICTED")
    doc = await docs.document("iph.legal-representative", ticket["documentId"])
    assert doc is not None
    version_id = doc["versions"][0]["id"]
    for outsider in ("iph.researcher", "ioc.tenant-admin", "hq.business-department"):
        refused = (await docs.gql(outsider, LINK, {"id": version_id}))["createDownloadLink"]
        assert refused["code"] == "NOT_FOUND", outsider
    assert (
        await _count(
            sessions,
            AuditEntry,
            action="document.download_link",
            object_id=str(from_global_id(version_id)[1][1]),
        )
        == 0
    )


@pytest.mark.parametrize("docs", ["local"], indirect=True)
async def test_tampered_local_link_is_refused(docs: Docs):
    """HMAC links belong to the local store; S3 checks its own (see test_object_store.py)."""
    ticket = await docs.upload("iph.coordination-leader")
    doc = await docs.document("iph.coordination-leader", ticket["documentId"])
    assert doc is not None
    link = await docs.gql("iph.coordination-leader", LINK, {"id": doc["versions"][0]["id"]})
    url = link["createDownloadLink"]["link"]["url"]
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    response = await docs.fetch(tampered)
    assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] in {
        "LINK_INVALID",
        "LINK_EXPIRED",
    }


async def test_withdrawal_keeps_bytes_and_records_who_and_why(docs: Docs):
    ticket = await docs.upload("iph.coordination-member")
    doc = await docs.document("iph.coordination-member", ticket["documentId"])
    assert doc is not None
    version_id = doc["versions"][0]["id"]
    refused = await docs.gql("iph.researcher", WITHDRAW, {"id": version_id, "reason": "no"})
    assert refused["withdrawDocumentVersion"]["code"] == "FORBIDDEN"
    done = await docs.gql(
        "iph.coordination-member", WITHDRAW, {"id": version_id, "reason": "上传错了文件"}
    )
    assert done["withdrawDocumentVersion"]["version"]["state"] == "WITHDRAWN"
    assert done["withdrawDocumentVersion"]["version"]["withdrawnReason"] == "上传错了文件"
    assert await docs.store.exists(
        f"{from_global_id(docs.units['IPH'])[1][0]}/"
        f"{from_global_id(ticket['documentId'])[1][1]}/{from_global_id(ticket['uploadId'])[1][1]}"
    )
    link = await docs.gql("iph.coordination-member", LINK, {"id": version_id})
    assert link["createDownloadLink"]["code"] == "CONFLICT"


async def test_locked_object_refuses_new_versions(docs: Docs, monkeypatch: pytest.MonkeyPatch):
    """A document attached to an approved or closed object cannot get a new version."""
    ticket = await docs.upload("iph.coordination-leader")
    pending = await docs.start("iph.coordination-leader", document_id=ticket["documentId"])
    real = attachments._RESOLVERS["org_unit"]

    async def locked(session: Any, principal: Any, object_id: Any) -> Any:
        target = await real(session, principal, object_id)
        return dataclasses.replace(target, locked=True) if target else None

    monkeypatch.setitem(attachments._RESOLVERS, "org_unit", locked)
    refused = await docs.start("iph.coordination-leader", document_id=ticket["documentId"])
    assert refused["code"] == "CONFLICT"
    # An upload opened before the lock is refused when its bytes arrive, and leaves nothing.
    before = await _keys(docs.store, docs.units["IPH"])
    response = await docs.put("iph.coordination-leader", pending["ticket"], PDF)
    assert response.status_code == 409
    assert await _keys(docs.store, docs.units["IPH"]) == before


async def test_sweep_reports_and_repairs_orphans_and_missing_objects(docs: Docs, sessions: Any):
    ticket = await docs.upload("iph.coordination-leader")
    tenant = from_global_id(docs.units["IPH"])[1][0]
    orphan = f"{tenant}/{uuid.uuid4()}/{uuid.uuid4()}"

    async def chunks() -> AsyncIterator[bytes]:
        yield b"left behind by a crash"

    await docs.store.put_stream(orphan, chunks(), max_bytes=1024)
    version_key = (
        f"{tenant}/{from_global_id(ticket['documentId'])[1][1]}/"
        f"{from_global_id(ticket['uploadId'])[1][1]}"
    )
    await docs.store.delete(version_key)  # lost behind the application's back
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        report = await sweep(session, docs.store, apply=False)
        assert orphan in report.orphan_objects and version_key in report.missing_objects
        await session.rollback()
        await scope(session, ALL_TENANTS)
        await sweep(session, docs.store, apply=True)
        await session.commit()
    assert not await docs.store.exists(orphan)
    doc = await docs.document("iph.coordination-leader", ticket["documentId"])
    assert doc is not None and doc["versions"][0]["state"] == "MISSING"


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX = ooxml("word/document.xml", DOCX_MAIN, "<w:document/>")


async def test_type_is_detected_from_bytes_not_the_name(docs: Docs):
    ticket = await docs.upload(
        "iph.coordination-leader",
        data=DOCX,
        name="纪要.bin",
    )
    doc = await docs.document("iph.coordination-leader", ticket["documentId"])
    assert doc is not None
    assert doc["versions"][0]["contentType"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


async def test_local_store_is_the_default(settings: Any):
    from server.documents.storage import store_from_settings

    assert isinstance(store_from_settings(settings), LocalStore)


@pytest.mark.parametrize("docs", ["local"], indirect=True)
async def test_an_institute_portal_uploads_with_its_api_token(docs: Docs):
    """Other systems (an institute's portal) upload as their token's role (R-OWN: research
    management files review material)."""
    created = await docs.gql(
        "iph.tenant-admin",
        """mutation($u: ID!) { createApiToken(input: {orgUnitId: $u, name: "portal",
             role: RESEARCH_MANAGEMENT}) { ... on ApiTokenCreated { token } } }""",
        {"u": docs.units["IPH"]},
    )
    docs.tokens["portal"] = created["createApiToken"]["token"]
    ticket = await docs.upload("portal")
    doc = await docs.document("portal", ticket["documentId"])
    assert doc is not None and doc["versions"][0]["number"] == 1


@pytest.mark.parametrize("docs", ["local"], indirect=True)
async def test_permission_is_checked_again_when_the_bytes_land(docs: Docs, sessions: Any):
    admin = "iph.tenant-admin"
    person = f"doc-{uuid.uuid4().hex[:8]}"
    password = f"Pw-{uuid.uuid4().hex[:10]}-Zq9"
    made = await docs.gql(
        admin,
        """mutation($u: ID!, $n: String!, $p: String!) { createUser(input: {orgUnitId: $u,
             username: $n, displayName: "临时", password: $p, roles: [SAFETY_MANAGEMENT]})
             { ... on UserSaved { user { id } } } }""",
        {"u": docs.units["IPH"], "n": person, "p": password},
    )
    user_id = made["createUser"]["user"]["id"]
    login = await docs.client.post(
        "/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p, "
            "delivery: BODY) { ... on SignedIn { accessToken } } }",
            "variables": {"u": person, "p": password},
        },
    )
    docs.tokens[person] = login.json()["data"]["login"]["accessToken"]
    started = await docs.start(person)
    revoke = (
        "mutation($id: ID!) { revokeRole(userId: $id, role: SAFETY_MANAGEMENT) { __typename } }"
    )
    await docs.gql(admin, revoke, {"id": user_id})
    before = await _keys(docs.store, docs.units["IPH"])
    response = await docs.put(person, started["ticket"], PDF)
    assert response.status_code == 403, response.text
    assert await _keys(docs.store, docs.units["IPH"]) == before
