import { useState } from "react";
import { Link } from "react-router";
import { request, userError } from "../api";
import { graphql } from "../gql";
import type { InboxQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useUnread } from "../unread";
import { Tasks } from "./Tasks";
import { Empty, ErrorBox, Loading, globalIdType, useLoad } from "../util";

const InboxDoc = graphql(`
  query Inbox($unreadOnly: Boolean!, $after: String) {
    inbox(unreadOnly: $unreadOnly, first: 20, after: $after) {
      nodes {
        id
        topic
        title
        body
        createdAt
        read
        subjectId
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const MarkReadDoc = graphql(`
  mutation MarkNoticesRead($ids: [ID!]!) {
    markNoticesRead(ids: $ids) {
      __typename
      ... on NoticesMarked {
        unreadCount
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const MarkAllReadDoc = graphql(`
  mutation MarkAllNoticesRead {
    markAllNoticesRead {
      __typename
      ... on NoticesMarked {
        unreadCount
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

type Notice = InboxQuery["inbox"]["nodes"][number];

export function MyWork() {
  const i18n = useI18n();
  const { t } = i18n;
  const { unread, setUnread } = useUnread();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [more, setMore] = useState<Notice[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const inbox = useLoad(async () => {
    const d = await request(InboxDoc, { unreadOnly, after: null });
    setMore([]);
    setCursor(d.inbox.pageInfo.hasNextPage ? (d.inbox.pageInfo.endCursor ?? null) : null);
    return d.inbox.nodes;
  }, [unreadOnly]);

  const notices = [...(inbox.data ?? []), ...more];

  const loadMore = async () => {
    const d = await request(InboxDoc, { unreadOnly, after: cursor });
    setMore((m) => [...m, ...d.inbox.nodes]);
    setCursor(d.inbox.pageInfo.hasNextPage ? (d.inbox.pageInfo.endCursor ?? null) : null);
  };

  const mark = async (ids: string[] | "all") => {
    setActionError(null);
    try {
      const result =
        ids === "all"
          ? (await request(MarkAllReadDoc)).markAllNoticesRead
          : (await request(MarkReadDoc, { ids })).markNoticesRead;
      const err = userError(result);
      if (err) {
        setActionError(err.message);
        return;
      }
      if (result.__typename === "NoticesMarked") setUnread(result.unreadCount);
      inbox.reload();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>{t("navMyWork")}</h1>
      <Tasks />
      <section aria-labelledby="inbox-title">
        <div className="section-head">
          <h2 id="inbox-title">
            {t("inbox")}
            {unread !== null && (
              <span className="count" data-testid="inbox-unread">
                {t("unread")} {unread}
              </span>
            )}
          </h2>
          <label className="inline">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(e) => setUnreadOnly(e.target.checked)}
            />
            {t("unreadOnly")}
          </label>
          <button type="button" onClick={() => void mark("all")} disabled={!unread}>
            {t("markAllRead")}
          </button>
        </div>
        {actionError && <ErrorBox error={actionError} />}
        {inbox.loading && !inbox.data && <Loading />}
        {inbox.error && <ErrorBox error={inbox.error} retry={inbox.reload} />}
        {inbox.data && notices.length === 0 && <Empty>{t("inboxEmpty")}</Empty>}
        {notices.length > 0 && (
          <ul className="notices">
            {notices.map((n) => (
              <li key={n.id} className={n.read ? "notice" : "notice unread"}>
                <div className="notice-head">
                  <span className="sr-only">{n.read ? t("read") : t("unread")}</span>
                  <strong>
                    {n.subjectId && globalIdType(n.subjectId) === "Project" ? (
                      <Link to={`/projects/${n.subjectId}`}>{n.title}</Link>
                    ) : (
                      n.title
                    )}
                  </strong>
                  <time dateTime={n.createdAt}>{i18n.dateTime(n.createdAt)}</time>
                </div>
                <p>{n.body}</p>
                {!n.read && (
                  <button type="button" onClick={() => void mark([n.id])}>
                    {t("markRead")}
                    <span className="sr-only">: {n.title}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {cursor && (
          <button type="button" onClick={() => void loadMore()}>
            {t("loadMore")}
          </button>
        )}
      </section>
    </>
  );
}
