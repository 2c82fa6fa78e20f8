/**
 * Errors in words. The API answers `{detail, code, errors?}`; the user sees sentences, never
 * JSON. `describe` is the one place a failed response becomes a message.
 */

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

const BY_STATUS: Record<number, string> = {
  400: "The request was not understood.",
  401: "Please sign in again.",
  403: "You are not allowed to do that.",
  404: "That was not found, or you cannot see it.",
  409: "That conflicts with the current state. Reload and try again.",
  413: "That is too large.",
  415: "That file type is not allowed. Images, PDF and plain text are.",
  422: "Some of the values are not valid.",
  429: "Too many requests.",
  500: "The service desk hit an error. Try again.",
  502: "A service did not answer properly. Try again shortly.",
  503: "The service is unavailable right now. Try again shortly.",
  504: "A service took too long to answer. Try again shortly.",
};

const FIELD_NAMES: Record<string, string> = {
  username: "Username",
  email: "Email",
  password: "Password",
  new_password: "New password",
  current_password: "Current password",
  title: "Title",
  description: "Description",
  category: "Category",
  priority: "Priority",
  body: "Comment",
  otp: "Code",
};

/** A sentence for one validation error item (`{loc, msg}`, `{rule, message}` or a string). */
function problem(item: unknown): string | null {
  if (typeof item === "string") return item;
  if (!item || typeof item !== "object") return null;
  const entry = item as Record<string, unknown>;
  if (typeof entry.message === "string") return entry.message;
  if (typeof entry.msg !== "string") return null;
  const loc = Array.isArray(entry.loc) ? entry.loc : [];
  const field = loc.filter((part) => part !== "body" && typeof part === "string").pop();
  const name = typeof field === "string" ? (FIELD_NAMES[field] ?? field.replace(/_/g, " ")) : "";
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
    ? ` Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`
    : " Try again shortly.";
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
  let message = typeof data.detail === "string" && data.detail ? data.detail : BY_STATUS[status];
  if (!message) message = `The request failed (status ${status}).`;
  if (code === "validation_error" && problems.length) message = "Some of the values are not valid.";
  if (status === 429) message = "Too many requests." + retryAfter(headers);
  if (!/[.!?]$/.test(message)) message += ".";
  return new ApiError(status, code, message, problems, fields);
}

/** What to show for anything thrown: an ApiError's words, or a network failure's. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the service desk. Check your connection.";
  if (error instanceof Error && error.name === "AbortError") return "The request was cancelled.";
  return "Something went wrong. Try again.";
}
