/**
 * The queue's views (`GET /api/views`: the built-ins, then one's own and shared ones), each
 * with its count. A view is a link to the list with the view's filters and sort in the URL
 * (bookmarkable); the one the list shows now is `aria-current`. The current filters can be
 * saved as a new view, and one's own views deleted. Wide screens show it beside the list; a
 * phone shows the same list above it, wrapping.
 */
import { useState } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/Dialog";
import { useAsync } from "../../components/useAsync";
import { ErrorMessage, TextField } from "../../components/ui";
import { formatNumber, hasText, t, tn } from "../../i18n";
import { Link } from "../../router";
import { listPath, sameFilters, viewBody, viewFilters, type Filters } from "./query";

type View = Schemas["ViewRead"];

/** A built-in's name in the reader's language; a saved view's as its owner wrote it. */
export function viewName(view: View): string {
  const key = `list.view.${view.id}`;
  return view.builtin && hasText(key) ? t(key) : view.name;
}

interface Props {
  filters: Filters;
  /** Changes when the counts may have changed (a bulk change): they are loaded again. */
  version: number;
}

function ViewLink({ view, current, onDelete }: { view: View; current: boolean; onDelete: () => void }) {
  const name = viewName(view);
  return (
    <li className={current ? "view current" : "view"}>
      <Link to={listPath(viewFilters(view))} aria-current={current ? "page" : undefined}>
        <span className="view-name">
          {name}
          {view.shared ? <span className="muted"> ({t("list.views.shared")})</span> : null}
        </span>
        {/* Read as "Unassigned 12 tickets": the number alone would say little. */}
        <span className="view-count">
          {formatNumber(view.count)}
          <span className="visually-hidden"> {tn("list.views.unit", view.count)}</span>
        </span>
      </Link>
      {view.editable ? (
        <button type="button" className="view-delete" aria-label={t("list.views.delete", { name })} onClick={onDelete}>
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </li>
  );
}

function SaveView({ filters, onSaved }: { filters: Filters; onSaved: (name: string) => void }) {
  const { api } = useAuth();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  if (!open) {
    return (
      <button type="button" className="link save-view" onClick={() => setOpen(true)}>
        {t("list.views.save")}
      </button>
    );
  }
  const save = async () => {
    setError(null);
    try {
      await api.post("/api/views", { body: viewBody(name.trim(), filters) });
      setOpen(false);
      setName("");
      onSaved(name.trim());
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form
      className="save-view-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <TextField label={t("list.views.name")} value={name} required maxLength={100} autoFocus onChange={(e) => setName(e.target.value)} />
      <ErrorMessage error={error} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={!name.trim()}>
          {t("list.views.saveButton")}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

export function ViewsSidebar({ filters, version }: Props) {
  const { api } = useAuth();
  const views = useAsync(() => api.get("/api/views"), [api, version]);
  const [doomed, setDoomed] = useState<View | null>(null);
  const [said, setSaid] = useState("");
  const [error, setError] = useState<unknown>(null);

  const remove = async (view: View) => {
    setDoomed(null);
    setError(null);
    try {
      await api.delete("/api/views/{view_id}", { path: { view_id: view.id } });
      setSaid(t("list.views.deleted", { name: view.name }));
      void views.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <nav className="views" aria-labelledby="views-title">
      <h2 id="views-title">{t("list.views.title")}</h2>
      <ErrorMessage error={views.error} onRetry={() => void views.reload()} />
      <ul>
        {(views.data?.items ?? []).map((view) => (
          <ViewLink
            key={view.id}
            view={view}
            current={sameFilters(viewFilters(view), filters)}
            onDelete={() => setDoomed(view)}
          />
        ))}
      </ul>
      <SaveView
        filters={filters}
        onSaved={(name) => {
          setSaid(t("list.views.saved", { name }));
          void views.reload();
        }}
      />
      <ErrorMessage error={error} />
      <p className="hint" role="status">
        {said}
      </p>
      {doomed ? (
        <ConfirmDialog
          title={t("list.views.deleteTitle", { name: doomed.name })}
          confirm={t("list.views.deleteConfirm")}
          onConfirm={() => void remove(doomed)}
          onCancel={() => setDoomed(null)}
        >
          <p>{t("list.views.deleteText")}</p>
        </ConfirmDialog>
      ) : null}
    </nav>
  );
}
