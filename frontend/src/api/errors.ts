/**
 * Errors in words. The API answers `{detail, code, errors?}`; the user sees sentences, never
 * JSON. `describe` is the one place a failed response becomes a message.
 */
import { getLocale, hasText, t, tn, type MessageKey } from "../i18n";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Every individual problem, e.g. each password rule broken. */
    readonly problems: string[] = [],
    /** The same problems with the field each one names (`calendar.start`), where known. */
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** One problem tied to a field: `path` is dotted (`targets.high.resolution_minutes`). */
export interface FieldProblem {
  path: string;
  message: string;
}

interface ErrorBody {
  detail?: unknown;
  code?: unknown;
  errors?: unknown;
}

/** Statuses with words of their own in the catalogue (`common.error.<status>`). */
const KNOWN_STATUS = new Set([400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 502, 503, 504]);

function statusText(status: number): string | undefined {
  return KNOWN_STATUS.has(status) ? t(`common.error.${status}` as MessageKey) : undefined;
}

function fieldName(field: string): string {
  const key = `common.field.${field}`;
  return hasText(key) ? t(key) : field.replace(/_/g, " ");
}

/** A sentence for one validation error item (`{loc, msg}`, `{rule, message}` or a string). */
function problem(item: unknown): string | null {
  if (typeof item === "string") return item;
  if (!item || typeof item !== "object") return null;
  const entry = item as Record<string, unknown>;
  if (typeof entry.message === "string") return entry.message;
  if (typeof entry.msg !== "string") return null;
  const loc = Array.isArray(entry.loc) ? entry.loc : [];
  const field = loc.filter((part) => part !== "body" && typeof part === "string").pop();
  const name = typeof field === "string" ? fieldName(field) : "";
  const msg = entry.msg.replace(/^Value error, /, "");
  return name ? `${name}: ${msg}` : msg;
}

const LEADING_PATH = /^([a-z_]+(?:\.[a-z_]+|\[\d+\])*)/;

/**
 * The field one error item names: pydantic's `loc` (without `body`, list indexes as
 * `[i]`), or the dotted path a string problem starts with (`calendar.start: …`).
 */
export function fieldOf(item: unknown): FieldProblem | null {
  if (typeof item === "string") {
    const path = LEADING_PATH.exec(item)?.[1];
    return path && path.includes(".") ? { path, message: item } : null;
  }
  if (!item || typeof item !== "object") return null;
  const entry = item as Record<string, unknown>;
  if (typeof entry.msg !== "string" || !Array.isArray(entry.loc)) return null;
  const parts = entry.loc.filter((part) => part !== "body");
  const path = parts
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i ? "." : ""}${String(part)}`))
    .join("");
  return path ? { path, message: entry.msg.replace(/^Value error, /, "") } : null;
}

function retryAfter(headers: Headers | undefined): string {
  const seconds = Number(headers?.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0
    ? ` ${tn("common.error.retryIn", seconds)}`
    : ` ${t("common.error.retryShortly")}`;
}

/** The error a failed response stands for; `body` is its parsed JSON, if it had any. */
export function describe(status: number, body: unknown, headers?: Headers): ApiError {
  const data: ErrorBody = body && typeof body === "object" ? (body as ErrorBody) : {};
  const code = typeof data.code === "string" ? data.code : `http_${status}`;
  const problems = Array.isArray(data.errors)
    ? data.errors.map(problem).filter((p): p is string => p !== null)
    : [];
  const fields = Array.isArray(data.errors)
    ? data.errors.map(fieldOf).filter((f): f is FieldProblem => f !== null)
    : [];
  // The API's own words are English: another language reads the status's words instead.
  const detail = typeof data.detail === "string" && data.detail ? data.detail : undefined;
  let message = (getLocale() === "en" ? detail : undefined) ?? statusText(status) ?? detail;
  if (!message) message = t("common.error.status", { status: String(status) });
  if (code === "validation_error" && problems.length) message = t("common.error.422");
  if (status === 429) message = t("common.error.429") + retryAfter(headers);
  if (!/[.!?]$/.test(message)) message += ".";
  return new ApiError(status, code, message, problems, fields);
}

/** What to show for anything thrown: an ApiError's words, or a network failure's. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return t("common.error.offline");
  if (error instanceof Error && error.name === "AbortError") return t("common.error.cancelled");
  return t("common.error.unknown");
}
