// A small typed GraphQL client. The access token lives only in memory; the refresh token is the
// httpOnly cookie set by `login(delivery: COOKIE)`, traded for a new access token by `refresh`.
import { graphql } from "./gql";
import type { TypedDocumentString } from "./gql/graphql";

export class ApiError extends Error {}

/** A typed error of a mutation result (InvalidInputError, ConflictError, ...). */
export interface FieldError {
  __typename: string;
  code: string;
  message: string;
  field?: string | null;
}

let accessToken: string | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let renewing: Promise<boolean> | null = null;
const signedOutListeners = new Set<() => void>();

export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const RefreshDoc = graphql(`
  mutation Refresh {
    refresh(delivery: COOKIE) {
      __typename
      ... on SignedIn {
        accessToken
        accessExpiresAt
      }
    }
  }
`);

/** Keep the token and renew it a minute before it expires. */
export function setSession(token: string | null, expiresAt?: string): void {
  accessToken = token;
  clearTimeout(renewTimer);
  if (token && expiresAt) {
    const wait = Math.max(5_000, new Date(expiresAt).getTime() - Date.now() - 60_000);
    renewTimer = setTimeout(() => void renew(), wait);
  }
}

/** Trade the refresh cookie for a new access token; false when the session is over. */
export function renew(): Promise<boolean> {
  renewing ??= (async () => {
    try {
      const data = await send(RefreshDoc, {});
      if (data.refresh.__typename === "SignedIn") {
        setSession(data.refresh.accessToken, data.refresh.accessExpiresAt);
        return true;
      }
      setSession(null);
      return false;
    } catch {
      return false;
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

async function send<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: JSON.stringify({ query: doc.toString(), variables }),
  });
  if (response.status === 401) throw new Unauthenticated();
  let body: { data?: R; errors?: { message: string }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`HTTP ${response.status}`);
  }
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  if (!body.data) throw new ApiError(`HTTP ${response.status}`);
  return body.data;
}

class Unauthenticated extends ApiError {}

/** Run an operation; on an expired or revoked access token renew once, then give up. */
export async function request<R, V>(
  doc: TypedDocumentString<R, V>,
  ...[variables]: V extends Record<string, never> ? [V?] : [V]
): Promise<R> {
  const vars = (variables ?? {}) as V;
  try {
    return await send(doc, vars);
  } catch (error) {
    if (!(error instanceof Unauthenticated)) throw error;
    if (await renew()) return send(doc, vars);
    setSession(null);
    signedOutListeners.forEach((l) => l());
    throw error;
  }
}

/** The typed error in a mutation's result union, if it is one. */
export function userError(result: { __typename?: string }): FieldError | null {
  return result.__typename?.endsWith("Error") ? (result as FieldError) : null;
}

/** GET a file that needs the bearer token (the assessment form) and hand it to the browser. */
export async function downloadWithToken(url: string, fileName: string): Promise<void> {
  const get = () =>
    fetch(url, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
  let response = await get();
  if (response.status === 401 && (await renew())) response = await get();
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`);
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** PUT a file to an upload ticket's URL with the bearer token, reporting progress (0–100). */
export async function uploadWithToken(
  url: string,
  file: Blob,
  onProgress: (percent: number) => void,
): Promise<void> {
  const put = () =>
    new Promise<number>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      if (accessToken) xhr.setRequestHeader("authorization", `Bearer ${accessToken}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total));
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) onProgress(100);
        resolve(xhr.status);
      };
      xhr.onerror = () => reject(new ApiError("network error"));
      xhr.send(file);
    });
  let status = await put();
  if (status === 401 && (await renew())) status = await put();
  if (status < 200 || status >= 300) throw new ApiError(`HTTP ${status}`);
}
