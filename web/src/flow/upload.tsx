// One way to upload a file: ask for a ticket (startUpload), then PUT the bytes with the bearer
// token, reporting progress; and one file control with its progress bar. Used for rectification
// evidence and for project documents.
import type { ReactNode } from "react";
import { request, uploadWithToken, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import type { DocumentKind, StartUploadInput } from "../gql/graphql";
import { Field, type Errors } from "./forms";

const StartUploadDoc = graphql(`
  mutation StartUpload($input: StartUploadInput!) {
    startUpload(input: $input) {
      __typename
      ... on UploadStarted {
        ticket {
          uploadUrl
          documentId
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

/** Upload `file` under `input`; the server's typed refusal, or null once the bytes are in.
 * `onDocument` learns the document's ID (to link it, e.g. as an outcome's material). */
export async function uploadFile(
  input: StartUploadInput,
  file: File,
  onProgress: (percent: number) => void,
  onDocument?: (documentId: string) => void,
): Promise<FieldError | null> {
  const { error, documentId } = await uploadDocument(input, file, onProgress);
  if (documentId) onDocument?.(documentId);
  return error;
}

/** As uploadFile, also giving the document's id: a review's minutes or an inspection's report
 * is uploaded first and then named by id in the record. */
export async function uploadDocument(
  input: StartUploadInput,
  file: File,
  onProgress: (percent: number) => void,
): Promise<{ error: FieldError | null; documentId: string | null }> {
  const started = await request(StartUploadDoc, { input });
  const error = userError(started.startUpload);
  if (error) return { error, documentId: null };
  if (started.startUpload.__typename !== "UploadStarted") return { error: null, documentId: null };
  onProgress(0);
  await uploadWithToken(started.startUpload.ticket.uploadUrl, file, onProgress);
  return { error: null, documentId: started.startUpload.ticket.documentId };
}

/** A labelled file input and, while uploading, a labelled progress bar. */
export function FileField({
  prefix,
  label,
  errors,
  percent,
  progressLabel,
  onFile,
}: {
  prefix: string;
  label: string;
  errors: Errors;
  percent: number | null;
  progressLabel: (percent: number) => ReactNode;
  onFile: (file: File | null) => void;
}) {
  return (
    <>
      <Field prefix={prefix} name="file" label={label} errors={errors}>
        {(p) => <input {...p} type="file" onChange={(e) => onFile(e.target.files?.[0] ?? null)} />}
      </Field>
      {percent !== null && (
        <p>
          <label htmlFor={`${prefix}-progress`}>{progressLabel(percent)}</label>{" "}
          <progress id={`${prefix}-progress`} max={100} value={percent} />
        </p>
      )}
    </>
  );
}

/** Upload `file` as a new internal document of the project, unless it is the one uploaded last
 * time (a refused record is sent again without a second copy of its file). */
export async function attachToProject(
  projectId: string,
  kind: DocumentKind,
  title: string,
  file: File,
  last: { file: File; id: string } | null,
  remember: (uploaded: { file: File; id: string }) => void,
  onProgress: (percent: number) => void,
): Promise<{ error: FieldError | null; documentId: string | null }> {
  if (last?.file === file) return { error: null, documentId: last.id };
  const result = await uploadDocument(
    {
      fileName: file.name,
      size: file.size,
      newDocument: { attachedTo: { type: "PROJECT", id: projectId }, kind, sensitivity: "INTERNAL", title },
    },
    file,
    onProgress,
  );
  if (result.error) return { error: { ...result.error, field: "file" }, documentId: null };
  if (result.documentId) remember({ file, id: result.documentId });
  return result;
}
