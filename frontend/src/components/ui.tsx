/** Small building blocks: labelled fields, messages in words, a pager. Classes only (CSP). */
import {
  useId,
  type Ref,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { ApiError, messageOf } from "../api/errors";
import { formatDateTime, t } from "../i18n";
import { humanise as tidy } from "../i18n/labels";

interface FieldShell {
  label: string;
  hint?: string;
}

function Shell({ id, label, hint, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function TextField({
  label,
  hint,
  ...input
}: FieldShell & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint}>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
    </Shell>
  );
}

export function TextArea({ label, hint, ...input }: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint}>
      <textarea id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
    </Shell>
  );
}

interface SelectProps extends FieldShell, SelectHTMLAttributes<HTMLSelectElement> {
  options: readonly (string | { value: string; label: string })[];
}

export function SelectField({ label, hint, options, ...select }: SelectProps) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint}>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...select}>
        {options.map((o) => {
          const { value, label: text } = typeof o === "string" ? { value: o, label: o || t("common.any") } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </Shell>
  );
}

export function Checkbox({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" {...input} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/**
 * The one error component: the error in words, each individual problem listed (e.g. every
 * password rule) and, for a failed load, a "Try again" button that reruns it. A page shows
 * this instead of its content or its empty-state message, never beside them.
 */
export function ErrorMessage({
  error,
  onRetry,
  message,
}: {
  error: unknown;
  onRetry?: () => void;
  /** Words to show instead of the error's own. */
  message?: string;
}) {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="error" role="alert">
      <p>{message ?? messageOf(error)}</p>
      {problems.length ? (
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="retry" onClick={onRetry}>
          {t("common.tryAgain")}
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

/** Loading placeholder: grey lines where the content will be (said in words to screen readers). */
export function Loading({ what, lines = 3 }: { what: string; lines?: number }) {
  return (
    <div className="skeleton loading" role="status" aria-busy="true">
      <span className="visually-hidden">{t("common.loading", { what })}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" aria-hidden="true" />
      ))}
    </div>
  );
}

interface LoadState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => unknown;
}

/**
 * What a page shows for a load (`useAsync`): the error with "Try again", or a skeleton
 * while nothing has arrived (or a retry runs), or `children(data)` — exactly one of the three.
 */
export function Loaded<T>({
  state,
  what,
  lines,
  children,
}: {
  state: LoadState<T>;
  what: string;
  lines?: number;
  children: (data: T) => ReactNode;
}) {
  const retrying = state.loading && state.error;
  if (state.error && !retrying) return <ErrorMessage error={state.error} onRetry={() => void state.reload()} />;
  if (state.data === undefined || retrying) return state.loading ? <Loading what={what} lines={lines} /> : null;
  return <>{children(state.data)}</>;
}

/**
 * A wide table's box: the table scrolls inside it on a narrow screen, never the page. It can
 * take focus, so a keyboard user can scroll it too.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="group" aria-label={label}>
      {children}
    </div>
  );
}

interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  label: string;
}

export function Pager({ offset, limit, total, onChange, label }: PagerProps) {
  if (total === 0) return null;
  const last = Math.min(offset + limit, total);
  const lastPage = Math.floor((total - 1) / limit) * limit;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(0)}>
        {t("common.pager.first")}
      </button>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t("common.pager.previous")}
      </button>
      <span>{t("common.pager.range", { from: offset + 1, to: last, total })}</span>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)}>
        {t("common.pager.next")}
      </button>
      <button type="button" disabled={last >= total} onClick={() => onChange(lastPage)}>
        {t("common.pager.last")}
      </button>
    </nav>
  );
}

/** A moment, in the reader's language and time zone. */
export function When({ at }: { at: string }) {
  return <time dateTime={at}>{formatDateTime(at)}</time>;
}

export function Badge({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`badge badge-${kind.replace(/[^a-z_]/g, "")}`}>{children}</span>;
}

/** A data value tidied for reading; states and priorities have their own words (`i18n/labels`). */
export const humanise = tidy;
