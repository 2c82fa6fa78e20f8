/**
 * The API client. Paths and bodies are typed from `schema.d.ts`, which openapi-typescript
 * generates from `openapi.json`, a snapshot of the gateway's `/openapi.json` (a browser
 * test keeps the snapshot equal to the live document). Each call carries the access token,
 * refreshes it once on a 401 and retries; a failure becomes an `ApiError` in words.
 */
import type { components, paths } from "./schema";
import { describe, ApiError } from "./errors";
import type { Session } from "../auth/session";

export type Schemas = components["schemas"];
export type ApiPath = keyof paths;
type Method = "get" | "post" | "put" | "patch" | "delete";

type Json<R> = R extends { content: { "application/json": infer J } } ? J : null;
type Responses<O> = O extends { responses: infer R } ? R : never;
type Ok<O> =
  200 extends keyof Responses<O>
    ? Json<Responses<O>[200]>
    : 201 extends keyof Responses<O>
      ? Json<Responses<O>[201]>
      : null;
type Op<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;
type BodyOf<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : O extends { requestBody?: { content: { "application/json": infer B } } }
    ? B
    : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type PathOf<O> = O extends { parameters: { path: infer Q } } ? Q : never;

/** Paths that have method M. */
type With<M extends Method> = {
  [P in ApiPath]: paths[P][M] extends undefined | never ? never : P;
}[ApiPath];

export interface CallOptions<O> {
  path?: PathOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

type Scalar = string | number | boolean | null | undefined;

/** `/api/tickets/{ticket_id}` with `{ticket_id: 7}` -> `/api/tickets/7`, plus the query. */
export function buildUrl(
  template: string,
  path?: Record<string, Scalar>,
  query?: Record<string, Scalar>,
): string {
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

async function parse(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export class Api {
  constructor(
    private readonly session: Session,
    private readonly fetchFn: typeof fetch = (...args) => fetch(...args),
  ) {}

  /** A request with the bearer token; one refresh-and-retry on 401. Returns the Response. */
  async send(url: string, init: RequestInit = {}): Promise<Response> {
    const token = await this.session.accessToken();
    let response = await this.fetchFn(url, withToken(init, token));
    if (response.status === 401 && token) {
      const fresh = await this.session.renew(token);
      if (fresh) response = await this.fetchFn(url, withToken(init, fresh));
    }
    if (response.status === 401 && token) {
      // The refresh failed too: the session is over (revoked, expired, signed out elsewhere).
      this.session.forget();
    }
    return response;
  }

  /** `send`, then the JSON body; an ApiError for any non-2xx answer. */
  async json<T>(url: string, init: RequestInit = {}): Promise<T> {
    const response = await this.send(url, init);
    const data = await parse(response);
    if (!response.ok) throw describe(response.status, data, response.headers);
    return data as T;
  }

  private call<O>(method: string, template: string, options: CallOptions<O> = {}) {
    const url = buildUrl(
      template,
      options.path as Record<string, Scalar> | undefined,
      options.query as Record<string, Scalar> | undefined,
    );
    const headers: Record<string, string> = { ...options.headers };
    const init: RequestInit = { method, headers, signal: options.signal };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return this.json<Ok<O>>(url, init);
  }

  get<P extends With<"get">>(path: P, options?: CallOptions<Op<P, "get">>) {
    return this.call<Op<P, "get">>("GET", path, options);
  }
  post<P extends With<"post">>(path: P, options?: CallOptions<Op<P, "post">>) {
    return this.call<Op<P, "post">>("POST", path, options);
  }
  put<P extends With<"put">>(path: P, options?: CallOptions<Op<P, "put">>) {
    return this.call<Op<P, "put">>("PUT", path, options);
  }
  patch<P extends With<"patch">>(path: P, options?: CallOptions<Op<P, "patch">>) {
    return this.call<Op<P, "patch">>("PATCH", path, options);
  }
  delete<P extends With<"delete">>(path: P, options?: CallOptions<Op<P, "delete">>) {
    return this.call<Op<P, "delete">>("DELETE", path, options);
  }

  /** Download a file that needs the bearer token, and hand it to the browser to save. */
  async download(url: string, fallbackName: string): Promise<void> {
    const response = await this.send(url);
    if (!response.ok) throw describe(response.status, await parse(response), response.headers);
    const blob = await response.blob();
    saveBlob(blob, filenameFrom(response.headers.get("Content-Disposition")) ?? fallbackName);
  }

  /**
   * Upload one file as multipart `file`, reporting progress (0..1). XMLHttpRequest, because
   * fetch cannot report upload progress.
   */
  async upload<T>(url: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
    const attempt = (token: string | null) => xhrUpload(url, file, token, onProgress);
    const token = await this.session.accessToken();
    let result = await attempt(token);
    if (result.status === 401 && token) {
      const fresh = await this.session.renew(token);
      if (fresh) result = await attempt(fresh);
    }
    if (result.status < 200 || result.status >= 300) {
      throw describe(result.status, result.body, result.headers);
    }
    return result.body as T;
  }
}

function withToken(init: RequestInit, token: string | null): RequestInit {
  if (!token) return init;
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return { ...init, headers };
}

interface XhrResult {
  status: number;
  body: unknown;
  headers: Headers;
}

function xhrUpload(
  url: string,
  file: File,
  token: string | null,
  onProgress: (fraction: number) => void,
): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      const headers = new Headers();
      const retry = xhr.getResponseHeader("Retry-After");
      if (retry) headers.set("Retry-After", retry);
      resolve({ status: xhr.status, body, headers });
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/** The filename of a `Content-Disposition` header (RFC 6266: `filename*` wins). */
export function filenameFrom(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain filename */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(header);
  return plain ? (plain[1] ?? plain[2] ?? null) : null;
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export { ApiError };
