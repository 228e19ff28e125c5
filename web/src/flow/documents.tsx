// Documents of one object (a hazard, or the unit itself): the list with versions and downloads
// through a short-lived link, and an upload of a new document or of a new version. Also the
// one download helper and a small link to a single document (an outcome's material, a permit).
import { useState, type FormEvent, type ReactNode } from "react";
import { request, userError } from "../api";
import { graphql } from "../gql";
import type { AttachableType, DocumentKind } from "../gql/graphql";
import { useI18n } from "../i18n";
import { ErrorBox, Loading, useLoad } from "../util";
import { useAttachText } from "./attach-text";
import { ChoiceSelect, Field, FormStatus, requireFields, useForm, valuesOf } from "./forms";
import { SENSITIVITIES, useRecordsText } from "./records-text";
import { FileField, uploadFile } from "./upload";

/** What the document list shows of a document; the project's records query it too. */
export const DocumentListItemFragment = graphql(`
  fragment DocumentListItem on Document {
    id
    title
    kind
    sensitivity
    uploadedBy
    createdAt
    latestVersion
    versions {
      id
      number
      size
      fileName
      uploadedBy
      createdAt
      state
      withdrawnBy
      withdrawnReason
    }
  }
`);

const AttachedDocumentsDoc = graphql(`
  query AttachedDocuments($type: AttachableType!, $id: ID!) {
    documents(attachedTo: { type: $type, id: $id }) {
      ...DocumentListItem
    }
  }
`);

const DownloadLinkDoc = graphql(`
  mutation AttachmentDownloadLink($id: ID!) {
    createDownloadLink(versionId: $id) {
      __typename
      ... on DownloadLinkIssued {
        link {
          url
        }
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

/** Fetch a short-lived link for the version and follow it; an error message, or null. */
export async function downloadVersion(versionId: string, fileName: string): Promise<string | null> {
  try {
    const result = (await request(DownloadLinkDoc, { id: versionId })).createDownloadLink;
    const error = userError(result);
    if (error) return error.message;
    if (result.__typename !== "DownloadLinkIssued") return null;
    const a = document.createElement("a");
    a.href = result.link.url;
    a.download = fileName;
    a.rel = "noopener";
    document.body.appendChild(a);
    a.click();
    a.remove();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

type Version = { id: string; number: number; fileName: string; state: string };
export type LinkedDocument = { id: string; title: string; versions: Version[] };

/** One document named by ID (an outcome's material, a permit's file) with a download button. */
export function DocumentLink({
  documentId,
  documents,
  label,
  testId,
}: {
  documentId: string;
  documents: LinkedDocument[];
  label: string;
  testId: string;
}) {
  const { at } = useAttachText();
  const [error, setError] = useState<string | null>(null);
  const doc = documents.find((d) => d.id === documentId);
  const latest = doc?.versions.find((v) => v.state === "COMMITTED");
  return (
    <span data-testid={testId}>
      {label}: {doc ? doc.title : at("documentGone")}
      {doc && latest && (
        <>
          {" "}
          <button
            type="button"
            aria-label={`${at("download")} ${label} ${doc.title}`}
            onClick={() => void downloadVersion(latest.id, latest.fileName).then(setError)}
          >
            {at("download")}
          </button>
        </>
      )}
      {error && (
        <span className="field-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </span>
  );
}

/** The words the document list and upload use; records-text.ts and attach-text.ts both have them. */
type DocKey =
  | "documentsEmpty"
  | "download"
  | "version"
  | "versions"
  | "withdrawn"
  | "required"
  | "upload"
  | "uploading"
  | "uploaded"
  | "newVersionOf"
  | "newDocument"
  | "docTitle"
  | "docKind"
  | "sensitivity"
  | "file";
export type DocText = (key: DocKey, vars?: Record<string, string | number>) => string;

type ListedVersion = {
  id: string;
  number: number;
  size: number;
  fileName: string;
  uploadedBy: string;
  createdAt: string;
  state: string;
  withdrawnBy?: string | null;
  withdrawnReason?: string | null;
};
export type ListedDocument = { id: string; title: string; kind: DocumentKind; latestVersion: number; versions: ListedVersion[] };

/** Documents with their versions and a download button for each committed version. */
export function DocumentList({
  documents,
  text,
  testIds,
  actions,
}: {
  documents: ListedDocument[];
  text: DocText;
  testIds: { list?: string; item: string; version: string };
  /** More buttons after a committed version's download (withdrawing it, on the project page). */
  actions?: (d: ListedDocument, v: ListedVersion) => ReactNode;
}) {
  const { docKind } = useRecordsText();
  const i18n = useI18n();
  const [linkError, setLinkError] = useState<string | null>(null);
  return (
    <>
      {linkError && <ErrorBox error={linkError} />}
      {documents.length === 0 ? (
        <p className="empty">{text("documentsEmpty")}</p>
      ) : (
        <ul className="documents" data-testid={testIds.list}>
          {documents.map((d) => (
            <li key={d.id} data-testid={testIds.item}>
              <strong>{d.title}</strong> · {docKind(d.kind)} · {text("version")} {d.latestVersion}
              <ol className="versions" aria-label={`${d.title} ${text("versions")}`}>
                {d.versions.map((v) => (
                  <li key={v.id} data-testid={testIds.version}>
                    v{v.number} · {v.fileName} · {Math.max(1, Math.round(v.size / 1024))} KB · {v.uploadedBy} ·{" "}
                    {i18n.dateTime(v.createdAt)}
                    {v.state === "WITHDRAWN" && (
                      <span>
                        {" "}
                        — <em>{text("withdrawn")}</em> ({v.withdrawnBy}: {v.withdrawnReason})
                      </span>
                    )}
                    {v.state === "COMMITTED" && (
                      <>
                        {" "}
                        <button
                          type="button"
                          aria-label={`${text("download")} ${d.title} v${v.number}`}
                          onClick={() => {
                            setLinkError(null);
                            void downloadVersion(v.id, v.fileName).then(setLinkError);
                          }}
                        >
                          {text("download")}
                        </button>
                        {actions && (
                          <>
                            {" "}
                            {actions(d, v)}
                          </>
                        )}
                      </>
                    )}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The documents attached to one object, with upload (when `canUpload`) of the given kinds. */
export function AttachedDocuments({
  type,
  id,
  kinds,
  canUpload,
  prefix,
}: {
  type: AttachableType;
  id: string;
  kinds: DocumentKind[];
  canUpload: boolean;
  prefix: string;
}) {
  const { at } = useAttachText();
  const docs = useLoad(() => request(AttachedDocumentsDoc, { type, id }), [type, id]);
  const list = docs.data?.documents ?? [];
  return (
    <div data-testid={`${prefix}-documents`}>
      {docs.loading && !docs.data && <Loading />}
      {docs.error && <ErrorBox error={docs.error} retry={docs.reload} />}
      {docs.data && (
        <DocumentList
          documents={list}
          text={at}
          testIds={{ item: `${prefix}-document`, version: `${prefix}-version` }}
        />
      )}
      {canUpload && docs.data && (
        <UploadDocumentForm
          type={type}
          id={id}
          kinds={kinds}
          prefix={prefix}
          documents={list}
          uploaded={docs.reload}
          text={at}
        />
      )}
    </div>
  );
}

/** Upload a new document of one of `kinds` attached to the object, or a new version of one of `documents`. */
export function UploadDocumentForm({
  type,
  id,
  kinds,
  prefix,
  documents,
  uploaded,
  text,
  statusTestId = `${prefix}-upload`,
}: {
  type: AttachableType;
  id: string;
  kinds: DocumentKind[];
  prefix: string;
  documents: { id: string; title: string }[];
  uploaded: () => void;
  text: DocText;
  statusTestId?: string;
}) {
  const { docKind, sensitivity } = useRecordsText();
  const fields = ["file", "title", "kind", "documentId"];
  const form = useForm(prefix, fields);
  const [file, setFile] = useState<File | null>(null);
  const [target, setTarget] = useState("");
  const [percent, setPercent] = useState<number | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const values = valuesOf(el, ["title", "kind", "sensitivity"] as const);
    const chosen = file;
    const check = target ? {} : requireFields(values, ["title", "kind"], text("required"));
    if (!chosen) check.file = text("required");
    const ok = await form.submit(
      check,
      async () => {
        if (!chosen) return null;
        const error = await uploadFile(
          {
            fileName: chosen.name,
            size: chosen.size,
            ...(target
              ? { documentId: target }
              : {
                  newDocument: {
                    attachedTo: { type, id },
                    kind: values.kind as DocumentKind,
                    sensitivity: values.sensitivity as (typeof SENSITIVITIES)[number],
                    title: values.title,
                  },
                }),
          },
          chosen,
          setPercent,
        );
        if (!error) return null;
        return error.field && fields.includes(error.field) ? error : { ...error, field: "file" };
      },
      text("uploaded", { name: chosen?.name ?? "" }),
    );
    setPercent(null);
    if (ok) {
      setFile(null);
      setTarget("");
      el.reset();
      uploaded();
    }
  };
  return (
    <form
      className="flow-form"
      onSubmit={(e) => void onSubmit(e)}
      onChange={form.onEdit}
      noValidate
      aria-labelledby={`${prefix}-upload-h`}
    >
      <h3 id={`${prefix}-upload-h`}>{text("upload")}</h3>
      {documents.length > 0 && (
        <Field prefix={prefix} name="documentId" label={text("newVersionOf")} errors={form.errors}>
          {(p) => (
            <select {...p} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">{text("newDocument")}</option>
              {documents.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.title}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {!target && (
        <>
          <Field prefix={prefix} name="title" label={text("docTitle")} errors={form.errors}>
            {(p) => <input {...p} />}
          </Field>
          <Field prefix={prefix} name="kind" label={text("docKind")} errors={form.errors}>
            {(p) => <ChoiceSelect control={p} values={kinds} label={docKind} />}
          </Field>
          <Field prefix={prefix} name="sensitivity" label={text("sensitivity")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue="INTERNAL">
                {SENSITIVITIES.map((s) => (
                  <option key={s} value={s}>
                    {sensitivity(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      )}
      <FileField
        prefix={prefix}
        label={text("file")}
        errors={form.errors}
        percent={percent}
        progressLabel={(pct) => text("uploading", { pct })}
        onFile={(chosen) => {
          setFile(chosen);
          form.touched("file");
        }}
      />
      <FormStatus error={form.formError} notice={form.notice} testId={statusTestId} />
      <button type="submit" className="primary" disabled={form.busy}>
        {text("upload")}
      </button>
    </form>
  );
}
