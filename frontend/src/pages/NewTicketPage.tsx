/** File a ticket. "AI suggest" fills title, category and priority from the description. */
import { useMemo, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../api/errors";
import { suggest, type Priority, type Suggestion } from "../api/extras";
import { useAuth } from "../auth/AuthContext";
import { useAsync } from "../components/useAsync";
import { ErrorMessage, SelectField, TextArea, TextField } from "../components/ui";
import { t } from "../i18n";
import { priorityLabel } from "../i18n/labels";
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
      return t("ticket.new.ai503");
    }
    if (error.status === 502) {
      return t("ticket.new.ai502");
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
      setSuggestNote(t("ticket.new.describeFirst"));
      return;
    }
    setSuggesting(true);
    setSuggestNote(null);
    try {
      const s = await suggest(api, form.description, form.title);
      setSuggestion(s);
      setForm((f) => ({ ...f, title: s.title, category: s.category, priority: s.priority }));
      setSuggestNote(t("ticket.new.filledIn"));
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
    { value: "", label: t("ticket.new.defaultSystem", { name: "TTS" }) },
    ...(systems.data ?? []).map((s) => ({ value: s.name, label: `${s.name}${s.description ? ` — ${s.description}` : ""}` })),
  ];

  return (
    <section aria-labelledby="new-ticket-title">
      <h1 id="new-ticket-title">{t("common.nav.newTicket")}</h1>
      <form className="card" onSubmit={submit}>
        <ErrorMessage error={error} />
        <TextArea
          label={t("common.field.description")}
          name="description"
          hint={t("ticket.new.descriptionHint")}
          required
          rows={6}
          maxLength={20000}
          value={form.description}
          onChange={set("description")}
        />
        <div className="ai-row">
          <button type="button" onClick={() => void askAi()} disabled={suggesting}>
            {suggesting ? t("ticket.new.asking") : t("ticket.new.suggest")}
          </button>
          <div className="ai-note" role="status" aria-live="polite">
            {suggestNote ? <p>{suggestNote}</p> : null}
            {suggestion?.summary ? (
              <p className="summary">
                {t("ticket.new.summary", { summary: suggestion.summary })}{" "}
                <span className="muted">({suggestion.model})</span>
              </p>
            ) : null}
          </div>
        </div>
        <TextField
          label={t("common.field.title")}
          name="title"
          hint={t("ticket.new.titleHint")}
          required
          minLength={5}
          maxLength={200}
          value={form.title}
          onChange={set("title")}
        />
        <div className="row">
          <TextField label={t("common.field.category")} name="category" maxLength={100} value={form.category} onChange={set("category")} />
          <SelectField
            label={t("common.field.priority")}
            name="priority"
            options={PRIORITIES.map((p) => ({ value: p, label: priorityLabel(p) }))}
            value={form.priority}
            onChange={set("priority")}
          />
          <SelectField label={t("ticket.new.system")} name="system" options={systemOptions} value={form.system} onChange={set("system")} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("ticket.new.filing") : t("ticket.new.file")}
        </button>
      </form>
    </section>
  );
}
