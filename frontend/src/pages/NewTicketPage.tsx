/** File a ticket. "AI suggest" fills title, category and priority from the description. */
import { useMemo, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../api/errors";
import { suggest, type Priority, type Suggestion } from "../api/extras";
import { useAuth } from "../auth/AuthContext";
import { useAsync } from "../components/useAsync";
import { ErrorMessage, humanise, SelectField, TextArea, TextField } from "../components/ui";
import { useRouter } from "../router";
import { PRIORITIES } from "./TicketListPage";

function newKey(): string {
  return typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Words for a failed suggestion: the model being down is normal, not an error to fix. */
export function suggestionProblem(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 503 || error.status === 504 || error.status === 404) {
      return "AI suggestions are unavailable right now. Fill in the fields yourself; the ticket can be filed anyway.";
    }
    if (error.status === 502) {
      return "The AI answer could not be used this time. Try again, or fill in the fields yourself.";
    }
  }
  return messageOf(error);
}

export function NewTicketPage() {
  const { api } = useAuth();
  const { navigate } = useRouter();
  const systems = useAsync(() => api.get("/api/systems"), [api]);
  const [form, setForm] = useState({
    title: "",
    description: "",
    category: "",
    priority: "medium" as Priority,
    system: "",
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [suggesting, setSuggesting] = useState(false);
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [suggestNote, setSuggestNote] = useState<string | null>(null);
  // One key per form: a retried submit (double click, flaky network) files one ticket.
  const idempotencyKey = useMemo(newKey, []);

  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [name]: event.target.value });

  const askAi = async () => {
    if (!form.description.trim()) {
      setSuggestNote("Describe the problem first; the suggestion is made from the description.");
      return;
    }
    setSuggesting(true);
    setSuggestNote(null);
    try {
      const s = await suggest(api, form.description, form.title);
      setSuggestion(s);
      setForm((f) => ({ ...f, title: s.title, category: s.category, priority: s.priority }));
      setSuggestNote("Title, category and priority filled in from the AI suggestion. Check them before filing.");
    } catch (err) {
      setSuggestion(null);
      setSuggestNote(suggestionProblem(err));
    } finally {
      setSuggesting(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.post("/api/tickets", {
        body: {
          title: form.title,
          description: form.description,
          priority: form.priority,
          category: form.category.trim() || null,
          system: form.system || null,
        },
        headers: { "Idempotency-Key": idempotencyKey },
      });
      navigate(`/tickets/${ticket.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const systemOptions = [
    { value: "", label: "Default (TTS)" },
    ...(systems.data ?? []).map((s) => ({ value: s.name, label: `${s.name}${s.description ? ` — ${s.description}` : ""}` })),
  ];

  return (
    <section aria-labelledby="new-ticket-title">
      <h1 id="new-ticket-title">New ticket</h1>
      <form className="card" onSubmit={submit}>
        <ErrorMessage error={error} />
        <TextArea
          label="Description"
          name="description"
          hint="What happened, what you expected, and anything you tried."
          required
          rows={6}
          maxLength={20000}
          value={form.description}
          onChange={set("description")}
        />
        <div className="ai-row">
          <button type="button" onClick={() => void askAi()} disabled={suggesting}>
            {suggesting ? "Asking the AI…" : "AI suggest"}
          </button>
          <div className="ai-note" role="status" aria-live="polite">
            {suggestNote ? <p>{suggestNote}</p> : null}
            {suggestion?.summary ? (
              <p className="summary">
                Summary: {suggestion.summary} <span className="muted">({suggestion.model})</span>
              </p>
            ) : null}
          </div>
        </div>
        <TextField
          label="Title"
          name="title"
          hint="5 to 200 characters."
          required
          minLength={5}
          maxLength={200}
          value={form.title}
          onChange={set("title")}
        />
        <div className="row">
          <TextField label="Category" name="category" maxLength={100} value={form.category} onChange={set("category")} />
          <SelectField
            label="Priority"
            name="priority"
            options={PRIORITIES.map((p) => ({ value: p, label: humanise(p) }))}
            value={form.priority}
            onChange={set("priority")}
          />
          <SelectField label="System" name="system" options={systemOptions} value={form.system} onChange={set("system")} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Filing…" : "File ticket"}
        </button>
      </form>
    </section>
  );
}
