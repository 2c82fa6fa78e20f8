/** Each system's workflow as a table, and an editor that replaces it (validated server-side). */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { ErrorMessage, Loading, Notice, TextArea, TableScroll } from "../../components/ui";
import { t } from "../../i18n";
import { roleLabel, stateLabel } from "../../i18n/labels";
import "./admin.css";

type Workflow = Schemas["WorkflowRead"];

export function WorkflowsPage() {
  const { api } = useAuth();
  const workflows = useAsync(() => api.get("/api/workflows"), [api]);
  return (
    <section aria-labelledby="workflows-title">
      <h1 id="workflows-title">{t("common.title.admin-workflows")}</h1>
      <ErrorMessage error={workflows.error} onRetry={() => void workflows.reload()} />
      {workflows.loading && !workflows.data ? <Loading what={t("admin.workflows.loading")} /> : null}
      {(workflows.error ? [] : (workflows.data ?? [])).map((w) => (
        <WorkflowCard key={w.system} workflow={w} onSaved={() => void workflows.reload()} />
      ))}
    </section>
  );
}

function editable(w: Workflow): string {
  const { initial, states, transitions } = w;
  return JSON.stringify({ initial, states, transitions }, null, 2);
}

function WorkflowCard({ workflow: w, onSaved }: { workflow: Workflow; onSaved: () => void }) {
  const { api } = useAuth();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(() => editable(w));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    let body: Schemas["WorkflowWrite"];
    try {
      body = JSON.parse(text) as Schemas["WorkflowWrite"];
      setParseError(null);
    } catch (err) {
      setParseError(t("admin.workflows.notJson", { error: (err as Error).message }));
      return;
    }
    try {
      await api.put("/api/workflows/{system}", { path: { system: w.system }, body });
      setDone(t("admin.workflows.replaced", { system: w.system }));
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="card" aria-labelledby={`wf-${w.system}`}>
      <h2 id={`wf-${w.system}`}>{w.system}</h2>
      {done ? <Notice>{done}</Notice> : null}
      <div className="workflow-states">
        <h3 id={`wf-${w.system}-states`}>{t("admin.workflows.states")}</h3>
        <ul aria-labelledby={`wf-${w.system}-states`}>
          {w.states.map((s) => (
            <li key={s.name} className={`badge badge-${s.name}`}>
              {stateLabel(s.name)}
              {s.name === w.initial ? ` (${t("admin.workflows.initial")})` : ""}
              {s.terminal ? ` (${t("admin.workflows.final")})` : ""}
            </li>
          ))}
        </ul>
      </div>
      <TableScroll label={t("admin.workflows.transitions", { system: w.system })}><table className="table">
        <caption className="visually-hidden">{t("admin.workflows.transitions", { system: w.system })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.workflows.from")}</th>
            <th scope="col">{t("admin.workflows.to")}</th>
            <th scope="col">{t("admin.workflows.who")}</th>
          </tr>
        </thead>
        <tbody>
          {w.transitions.map((move) => (
            <tr key={`${move.from}-${move.to}`}>
              <td>{stateLabel(move.from)}</td>
              <td>{stateLabel(move.to)}</td>
              <td>{move.roles.map(roleLabel).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table></TableScroll>
      {editing ? (
        <form onSubmit={save}>
          <ErrorMessage error={error} />
          <ErrorMessage error={parseError} message={parseError ?? undefined} />
          <TextArea label={t("admin.workflows.editor", { system: w.system })} rows={16} className="mono" spellCheck={false}
            hint={t("admin.workflows.editorHint")}
            value={text} onChange={(e) => setText(e.target.value)} />
          <div className="button-row">
            <button type="submit" className="primary">{t("admin.workflows.replace")}</button>
            <button type="button" onClick={() => { setEditing(false); setText(editable(w)); setError(null); }}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setEditing(true)}>
          {t("admin.workflows.edit", { system: w.system })}
        </button>
      )}
    </section>
  );
}
