"""The inbox, webhook endpoints and parked events over GraphQL (issue 6, items 1 and 2).

Notices come from a real flow through the real handler (`deliver()`), or, where only the API is
at stake (paging, statement counts, parked events), are written straight into the tables.
"""

from __future__ import annotations

import uuid
from typing import Any

from sql_statements import sql_statements
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from schema.relay import tenant_key, to_global_id
from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.notices.dispatch import WEBHOOK_TOPIC
from server.notices.models import Channel, DeliveryStatus, Notice, NoticeDelivery
from server.outbox.models import OutboxEvent
from server.tenancy.models import User

MANAGER = "iph.research-management"
PI = "iph.researcher"

COUNT = "{ unreadNoticeCount }"
INBOX = """query($n: Int!, $unread: Boolean! = false) {
  inbox(first: $n, unreadOnly: $unread) {
    pageInfo { hasNextPage }
    nodes {
      id topic title body createdAt readAt read subjectId
      deliveries { channel target status attempts lastError sentAt }
    }
  }
}"""
MARK = """mutation($ids: [ID!]!) { markNoticesRead(ids: $ids) { __typename
  ... on NoticesMarked { count unreadCount } ... on UserError { code message field } } }"""
MARK_ALL = """mutation { markAllNoticesRead { __typename
  ... on NoticesMarked { count unreadCount } ... on UserError { code message field } } }"""
SET_LOCALE = """mutation($id: ID!, $l: String!) { updateUser(input: {id: $id, locale: $l}) {
  __typename ... on UserError { code message } } }"""
REGISTER = """mutation($u: ID!, $url: String!, $topics: [String!]!, $d: String! = "") {
  registerWebhook(orgUnitId: $u, url: $url, topics: $topics, description: $d) { __typename
    ... on WebhookRegistered { secret webhookEndpoint { id url description topics active } }
    ... on UserError { code message field } } }"""
ENDPOINTS = """query($u: ID!) { webhookEndpoints(orgUnitId: $u) {
  id url description topics active createdAt } }"""
DISABLE = """mutation($id: ID!) { disableWebhook(id: $id) { __typename
  ... on WebhookEndpointSaved { webhookEndpoint { id active } }
  ... on UserError { code message } } }"""
FAILED = """query($n: Int! = 100) { failedEvents(first: $n) { nodes {
  id topic orgUnitId orgUnit { code } attempts lastError createdAt failedAt payload } } }"""
RETRY = """mutation($id: ID!) { retryEvent(id: $id) { __typename
  ... on OutboxEventRetried { event { id attempts failedAt lastError } }
  ... on UserError { code message field } } }"""


async def _count(api: Any) -> int:
    return int((await api(COUNT))["unreadNoticeCount"])


async def _user(session: AsyncSession, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


async def _make_notices(
    sessions: async_sessionmaker[AsyncSession], username: str, n: int, *, deliveries: bool = False
) -> list[str]:
    """`n` unread notices for `username` (newest last), each with an e-mail and a webhook
    delivery when asked; returns their global IDs."""
    ids = []
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        user = await _user(session, username)
        for i in range(n):
            notice = Notice(
                tenant_id=user.tenant_id,
                user_id=user.id,
                source_id=uuid.uuid4(),
                topic="hazard.overdue",
                params={"hazard": f"隐患 {i}", "deadline": "2026-01-01", "unit": "物理所"},
                subject_type="org_unit",
                subject_tenant_id=user.tenant_id,
                subject_id=user.tenant_id,
                created_at=utcnow(),
            )
            session.add(notice)
            await session.flush()
            if deliveries:
                session.add_all(
                    [
                        NoticeDelivery(
                            tenant_id=user.tenant_id,
                            notice_id=notice.id,
                            channel=Channel.EMAIL.value,
                            target=f"{username}@example.org",
                            status=DeliveryStatus.SKIPPED.value,
                            last_error="SMTP is not configured (SMTP_HOST)",
                        ),
                        NoticeDelivery(
                            tenant_id=user.tenant_id,
                            notice_id=notice.id,
                            channel=Channel.WEBHOOK.value,
                            target=str(uuid.uuid4()),
                            status=DeliveryStatus.SENT.value,
                            attempts=1,
                            sent_at=utcnow(),
                        ),
                    ]
                )
            ids.append(to_global_id("Notice", notice.tenant_id, notice.id))
    return ids


async def _read_at(sessions: async_sessionmaker[AsyncSession], global_id: str) -> Any:
    tenant_id, notice_id = tenant_key(global_id, "Notice")
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        notice = await session.get(Notice, (tenant_id, notice_id))
        assert notice is not None
        return notice.read_at


# --- the inbox from a real flow -----------------------------------------------------------


async def test_R_REVIEW_submitted_assessment_reaches_the_managing_body_inbox_in_its_language(
    flow: Any, deliver: Any, as_user: Any
):
    """R-OWN / R-REVIEW: research management approves, so it is told an assessment awaits it."""
    await deliver()  # whatever earlier tests left pending
    manager = as_user(MANAGER)
    before = await _count(manager)
    project = (await flow.create())["project"]
    assert (await flow.save(PI, project))["__typename"] == "AssessmentSaved"
    assert (await flow.submit(PI, project))["__typename"] == "AssessmentSaved"
    assert await deliver() >= 1
    assert await _count(manager) == before + 1

    newest = (await manager(INBOX, {"n": 1}))["inbox"]["nodes"][0]
    title = project["title"]
    assert newest["topic"] == "assessment.submitted"
    assert newest["title"] == f"项目“{title}”的安全风险评估待审核"
    assert f"项目：{title}" in newest["body"]
    assert (newest["read"], newest["readAt"]) == (False, None)
    # The subject is the project, and its ID is one `node(id:)` resolves.
    assert newest["subjectId"] == project["id"]
    node = await manager(
        "query($id: ID!) { node(id: $id) { __typename id } }", {"id": project["id"]}
    )
    assert node["node"] == {"__typename": "Project", "id": project["id"]}
    # The researcher submitted it; the notice is not theirs to see.
    theirs = (await as_user(PI)(INBOX, {"n": 100}))["inbox"]["nodes"]
    assert newest["id"] not in {n["id"] for n in theirs}

    # The same notice, read by the same person after switching to English.
    me = flow.ids[MANAGER]
    assert (await manager(SET_LOCALE, {"id": me, "l": "en"}))["updateUser"]["__typename"] == (
        "UserSaved"
    )
    try:
        english = (await manager(INBOX, {"n": 1}))["inbox"]["nodes"][0]
        assert english["id"] == newest["id"]
        assert english["title"] == f"Risk assessment of “{title}” awaits review"
        assert f"Project: {title}" in english["body"]
    finally:
        await manager(SET_LOCALE, {"id": me, "l": "zh"})


# --- marking read ---------------------------------------------------------------------------


async def test_marking_own_notices_read_lowers_the_unread_count(
    as_user: Any, sessions: async_sessionmaker[AsyncSession]
):
    api = as_user("iph.safety-management")
    first, second, third = await _make_notices(sessions, "iph.safety-management", 3)
    before = await _count(api)

    marked = (await api(MARK, {"ids": [first, second]}))["markNoticesRead"]
    assert marked == {"__typename": "NoticesMarked", "count": 2, "unreadCount": before - 2}
    assert await _read_at(sessions, first) is not None
    unread = (await api(INBOX, {"n": 100, "unread": True}))["inbox"]["nodes"]
    assert third in {n["id"] for n in unread}
    assert not {first, second} & {n["id"] for n in unread}
    # Marking again changes nothing and is no error.
    again = (await api(MARK, {"ids": [first]}))["markNoticesRead"]
    assert again == {"__typename": "NoticesMarked", "count": 0, "unreadCount": before - 2}
    shown = {n["id"]: n for n in (await api(INBOX, {"n": 100}))["inbox"]["nodes"]}
    assert shown[first]["read"] is True and shown[first]["readAt"]

    everything = (await api(MARK_ALL))["markAllNoticesRead"]
    assert everything == {"__typename": "NoticesMarked", "count": before - 2, "unreadCount": 0}
    assert await _count(api) == 0


async def test_someone_elses_notice_is_not_found_and_nothing_changes(
    as_user: Any, sessions: async_sessionmaker[AsyncSession]
):
    """A colleague's notice, even in the same institute, is not found (relation `self` only)."""
    (mine,) = await _make_notices(sessions, "iph.coordination-leader", 1)
    (theirs,) = await _make_notices(sessions, "iph.legal-representative", 1)
    leader = as_user("iph.coordination-leader")
    before = await _count(leader)
    for ids in ([theirs], [mine, theirs]):
        refused = (await leader(MARK, {"ids": ids}))["markNoticesRead"]
        assert refused["__typename"] == "NotFoundError", refused
    assert await _read_at(sessions, theirs) is None
    assert await _read_at(sessions, mine) is None
    assert await _count(leader) == before
    # The tenant admin manages users, not their inboxes.
    admin = (await as_user("iph.tenant-admin")(MARK, {"ids": [theirs]}))["markNoticesRead"]
    assert admin["__typename"] == "NotFoundError"
    assert await _read_at(sessions, theirs) is None


async def test_bad_notice_id_lists_are_refused(as_user: Any, sessions: async_sessionmaker[Any]):
    api = as_user("iph.coordination-leader")
    empty = (await api(MARK, {"ids": []}))["markNoticesRead"]
    assert (empty["__typename"], empty["field"]) == ("InvalidInputError", "ids")
    garbage = (await api(MARK, {"ids": ["garbage"]}))["markNoticesRead"]
    assert (garbage["__typename"], garbage["field"]) == ("NotFoundError", "ids")
    # A real global ID of another type is no notice either.
    unit = (await api("{ viewer { orgUnit { id } } }"))["viewer"]["orgUnit"]["id"]
    other = (await api(MARK, {"ids": [unit]}))["markNoticesRead"]
    assert other["__typename"] == "NotFoundError"


async def test_the_inbox_is_only_for_people_who_signed_in(anon: Any):
    response = await anon.post(COUNT)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    marked = (await anon(MARK_ALL))["markAllNoticesRead"]
    assert marked["__typename"] == "UnauthenticatedError"


async def test_a_page_of_50_notices_costs_as_many_statements_as_a_page_of_5(
    app: Any, as_user: Any, sessions: async_sessionmaker[AsyncSession]
):
    """DESIGN decision 8: deliveries come through a DataLoader, one statement per page."""
    username = "iph.public-opinion-officer"
    await _make_notices(sessions, username, 55, deliveries=True)
    api = as_user(username)
    engine: AsyncEngine = app.state.engine

    async def page(n: int) -> tuple[list[dict[str, Any]], list[str]]:
        await api(INBOX, {"n": n})  # warm: the first request may prepare what later ones reuse
        with sql_statements(engine) as statements:
            data = await api(INBOX, {"n": n})
        return data["inbox"]["nodes"], statements

    small, small_statements = await page(5)
    large, large_statements = await page(50)
    print(
        f"\nSQL statements per request: inbox page of {len(small)}: {len(small_statements)}; "
        f"page of {len(large)}: {len(large_statements)}"
    )
    assert (len(small), len(large)) == (5, 50)
    for nodes in (small, large):
        assert all(
            [d["channel"] for d in n["deliveries"]] == ["EMAIL", "WEBHOOK"] for n in nodes
        ), nodes[0]
    email, webhook = large[0]["deliveries"]
    assert email["target"] == f"{username}@example.org"
    assert (email["status"], email["lastError"]) == (
        "SKIPPED",
        "SMTP is not configured (SMTP_HOST)",
    )
    assert (webhook["status"], webhook["attempts"]) == ("SENT", 1) and webhook["sentAt"]
    assert tenant_key(webhook["target"], "WebhookEndpoint")  # shown as the endpoint's global ID
    assert large[0]["title"] == "隐患“隐患 54”整改已逾期（期限 2026-01-01）"
    assert len(large_statements) == len(small_statements), "\n".join(
        ["page of 5:", *small_statements, "", "page of 50:", *large_statements]
    )


# --- webhook endpoints ----------------------------------------------------------------------


async def test_ORG_INST_tenant_admin_registers_a_webhook_and_sees_its_secret_once(
    as_user: Any, flow: Any
):
    admin = as_user("iph.tenant-admin")
    iph = flow.ids["IPH"]
    url = f"https://hooks.iph.example/{uuid.uuid4().hex[:8]}"
    topics = ["incident.reported", "hazard.overdue"]
    created = (await admin(REGISTER, {"u": iph, "url": url, "topics": topics, "d": "所内门户"}))[
        "registerWebhook"
    ]
    assert created["__typename"] == "WebhookRegistered", created
    secret = created["secret"]
    endpoint = created["webhookEndpoint"]
    assert len(secret) >= 32
    assert endpoint == {
        "id": endpoint["id"],
        "url": url,
        "description": "所内门户",
        "topics": sorted(topics),
        "active": True,
    }
    try:
        response = await admin.post(ENDPOINTS, {"u": iph})
        assert secret not in response.text
        listed = {e["id"]: e for e in response.json()["data"]["webhookEndpoints"]}
        assert listed[endpoint["id"]]["url"] == url
        # The type has no field that could show the secret.
        fields = await admin('{ __type(name: "WebhookEndpoint") { fields { name } } }')
        assert "secret" not in {f["name"] for f in fields["__type"]["fields"]}
        # The same URL twice is a conflict.
        twice = (await admin(REGISTER, {"u": iph, "url": url, "topics": []}))["registerWebhook"]
        assert (twice["__typename"], twice["field"]) == ("ConflictError", "url")
    finally:
        disabled = (await admin(DISABLE, {"id": endpoint["id"]}))["disableWebhook"]
    assert disabled["webhookEndpoint"] == {"id": endpoint["id"], "active": False}
    listed = {e["id"]: e for e in (await admin(ENDPOINTS, {"u": iph}))["webhookEndpoints"]}
    assert listed[endpoint["id"]]["active"] is False


async def test_bad_webhook_urls_and_unknown_topics_are_refused(as_user: Any, flow: Any):
    admin = as_user("iph.tenant-admin")
    iph = flow.ids["IPH"]
    before = (await admin(ENDPOINTS, {"u": iph}))["webhookEndpoints"]
    for url in (
        "not a url",
        "ftp://hooks.iph.example/x",
        "https://user:secret@hooks.iph.example/x",
        "https:///no-host",
        "https://hooks.iph.example/" + "x" * 400,
    ):
        refused = (await admin(REGISTER, {"u": iph, "url": url, "topics": []}))["registerWebhook"]
        assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "url"), url
    unknown = (
        await admin(
            REGISTER,
            {"u": iph, "url": "https://hooks.iph.example/t", "topics": ["hazard.exploded"]},
        )
    )["registerWebhook"]
    assert (unknown["__typename"], unknown["field"]) == ("InvalidInputError", "topics")
    assert "hazard.exploded" in unknown["message"]
    assert (await admin(ENDPOINTS, {"u": iph}))["webhookEndpoints"] == before
    # The topics there are, to choose from.
    topics = {t["topic"] for t in (await admin("{ noticeTopics { topic rules } }"))["noticeTopics"]}
    assert {"incident.reported", "hazard.overdue"} <= topics


async def test_ORG_INST_webhooks_are_the_institutes_own_admins_business(as_user: Any, flow: Any):
    iph = flow.ids["IPH"]
    variables = {"u": iph, "url": "https://evil.example/hook", "topics": []}
    foreign = (await as_user("ioc.tenant-admin")(REGISTER, variables))["registerWebhook"]
    assert foreign["__typename"] == "NotFoundError"
    colleague = (await as_user(PI)(REGISTER, variables))["registerWebhook"]
    assert colleague["__typename"] == "ForbiddenError"
    response = await as_user("ioc.tenant-admin").post(ENDPOINTS, {"u": iph})
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    response = await as_user(PI).post(ENDPOINTS, {"u": iph})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    urls = {
        e["url"]
        for e in (await as_user("iph.tenant-admin")(ENDPOINTS, {"u": iph}))["webhookEndpoints"]
    }
    assert "https://evil.example/hook" not in urls


# --- parked events --------------------------------------------------------------------------


async def _parked_webhook_event(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    """A `notice.webhook` event parked after its retries, with its FAILED delivery.

    The delivery's endpoint does not exist, so a retried event is handled (skipped) without
    reaching any network.
    """
    (notice_id,) = await _make_notices(sessions, "iph.secrecy-officer", 1)
    tenant_id, nid = tenant_key(notice_id, "Notice")
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        delivery = NoticeDelivery(
            tenant_id=tenant_id,
            notice_id=nid,
            channel=Channel.WEBHOOK.value,
            target=str(uuid.uuid4()),
            status=DeliveryStatus.FAILED.value,
            attempts=8,
            last_error="ConnectError: connection refused",
        )
        session.add(delivery)
        await session.flush()
        event = OutboxEvent(
            tenant_id=tenant_id,
            topic=WEBHOOK_TOPIC,
            payload={"delivery_id": str(delivery.id)},
            available_at=utcnow(),
            attempts=8,
            last_error="ConnectError: connection refused",
            failed_at=utcnow(),
        )
        session.add(event)
        await session.flush()
        return to_global_id("OutboxEvent", tenant_id, event.id), str(delivery.id)


async def _delivery_status(sessions: async_sessionmaker[AsyncSession], delivery_id: str) -> str:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        status = await session.scalar(
            select(NoticeDelivery.status).where(NoticeDelivery.id == uuid.UUID(delivery_id))
        )
        assert status is not None
        return status


async def test_failed_events_are_for_platform_admins_only(
    as_user: Any, anon: Any, sessions: async_sessionmaker[AsyncSession]
):
    event_id, _ = await _parked_webhook_event(sessions)
    for username in ("iph.tenant-admin", "hq.safety-committee-office", "bj.supervisor"):
        response = await as_user(username).post(FAILED)
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", username
    assert (await anon.post(FAILED)).json()["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    listed = {
        e["id"]: e for e in (await as_user("hq.platform-admin")(FAILED))["failedEvents"]["nodes"]
    }
    parked = listed[event_id]
    assert parked["topic"] == WEBHOOK_TOPIC
    assert parked["orgUnit"] == {"code": "IPH"}
    assert (parked["attempts"], parked["lastError"]) == (8, "ConnectError: connection refused")
    assert parked["failedAt"] and parked["createdAt"]
    assert set(parked["payload"]) == {"delivery_id"}


async def test_retry_event_gives_a_parked_event_fresh_attempts(
    as_user: Any, deliver: Any, sessions: async_sessionmaker[AsyncSession]
):
    event_id, delivery_id = await _parked_webhook_event(sessions)
    # Seeing the event is not managing it: an institute's admin may not retry it.
    refused = (await as_user("iph.tenant-admin")(RETRY, {"id": event_id}))["retryEvent"]
    assert refused["__typename"] == "ForbiddenError"
    assert await _delivery_status(sessions, delivery_id) == "failed"

    admin = as_user("hq.platform-admin")
    retried = (await admin(RETRY, {"id": event_id}))["retryEvent"]
    assert retried["__typename"] == "OutboxEventRetried", retried
    assert retried["event"]["id"] == event_id
    assert (retried["event"]["attempts"], retried["event"]["failedAt"]) == (0, None)
    assert await _delivery_status(sessions, delivery_id) == "pending"
    listed = (await admin(FAILED))["failedEvents"]["nodes"]
    assert event_id not in {e["id"] for e in listed}
    # Not parked any more: nothing to retry.
    again = (await admin(RETRY, {"id": event_id}))["retryEvent"]
    assert (again["__typename"], again["field"]) == ("ConflictError", "id")
    # The worker picks it up again (its endpoint is gone, so the delivery is skipped).
    await deliver()
    assert await _delivery_status(sessions, delivery_id) == "skipped"
    unknown = await admin(RETRY, {"id": to_global_id("OutboxEvent", uuid.uuid4(), uuid.uuid4())})
    assert unknown["retryEvent"]["__typename"] == "NotFoundError"
