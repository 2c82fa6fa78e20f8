/** Each system's workflow as a table, and an editor that replaces it (validated server-side). */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { ErrorMessage, humanise, Loading, Notice, TextArea, TableScroll } from "../../components/ui";

type Workflow = Schemas["WorkflowRead"];

export function WorkflowsPage() {
  const { api } = useAuth();
  const workflows = useAsync(() => api.get("/api/workflows"), [api]);
  return (
    <section aria-labelledby="workflows-title">
      <h1 id="workflows-title">Workflows</h1>
      <ErrorMessage error={workflows.error} onRetry={() => void workflows.reload()} />
      {workflows.loading && !workflows.data ? <Loading what="workflows" /> : null}
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
      setParseError(`The workflow is not valid JSON: ${(err as Error).message}`);
      return;
    }
    try {
      await api.put("/api/workflows/{system}", { path: { system: w.system }, body });
      setDone(`Workflow of ${w.system} replaced.`);
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
      <p>
        States:{" "}
        {w.states.map((s) => (
          <span key={s.name} className={`badge badge-${s.name}`}>
            {humanise(s.name)}
            {s.name === w.initial ? " (initial)" : ""}
            {s.terminal ? " (final)" : ""}
          </span>
        ))}
      </p>
      <TableScroll label={`Transitions of ${w.system}`}><table className="table">
        <caption className="visually-hidden">Transitions of {w.system}</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Who may</th>
          </tr>
        </thead>
        <tbody>
          {w.transitions.map((t) => (
            <tr key={`${t.from}-${t.to}`}>
              <td>{humanise(t.from)}</td>
              <td>{humanise(t.to)}</td>
              <td>{t.roles.map(humanise).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table></TableScroll>
      {editing ? (
        <form onSubmit={save}>
          <ErrorMessage error={error} />
          <ErrorMessage error={parseError} message={parseError ?? undefined} />
          <TextArea label={`Workflow of ${w.system} (JSON)`} rows={16} className="mono" spellCheck={false}
            hint="initial, states [{name, terminal?}], transitions [{from, to, roles}]; roles: requester, agent, manager, admin."
            value={text} onChange={(e) => setText(e.target.value)} />
          <div className="button-row">
            <button type="submit" className="primary">Replace workflow</button>
            <button type="button" onClick={() => { setEditing(false); setText(editable(w)); setError(null); }}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setEditing(true)}>
          Edit workflow of {w.system}
        </button>
      )}
    </section>
  );
}
