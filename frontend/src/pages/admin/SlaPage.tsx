/**
 * A system's SLA policy (contract §13): business calendar and per-priority targets, with
 * every problem of a refused save (422) shown beside its field; superusers add systems.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../../api/errors";
import { useAuth, useUser } from "../../auth/AuthContext";
import { roleIn } from "../../auth/roles";
import { duration } from "../../components/sla";
import { useAsync } from "../../components/useAsync";
import { ErrorMessage, Loading, Notice, SelectField, TextField, When } from "../../components/ui";
import { t, tx } from "../../i18n";
import { priorityLabel } from "../../i18n/labels";
import {
  inWords,
  PRIORITIES,
  problemsByField,
  toBody,
  toDraft,
  WEEKDAYS,
  weekdayName,
  type Priority,
  type SlaDraft,
} from "./slaForm";
import "./admin.css";

const TIMEZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

export function SlaPage() {
  const { api } = useAuth();
  const user = useUser();
  const systems = useAsync(() => api.get("/api/systems"), [api]);
  const mine = (systems.data ?? []).filter((s) => roleIn(user, s.name) === "admin");
  const [system, setSystem] = useState("");
  const chosen = system || mine[0]?.name || "";

  return (
    <section aria-labelledby="sla-admin-title">
      <h1 id="sla-admin-title">{t("common.title.admin-sla")}</h1>
      <p className="muted">{t("admin.sla.intro")}</p>
      <ErrorMessage error={systems.error} onRetry={() => void systems.reload()} />
      {systems.loading && !systems.data ? <Loading what={t("admin.sla.loadingSystems")} /> : null}
      {systems.data && !systems.error && mine.length === 0 ? <p className="empty">{t("admin.sla.noSystems")}</p> : null}
      {mine.length ? (
        <div className="card">
          <SelectField
            label={t("admin.sla.system")}
            options={mine.map((s) => ({
              value: s.name,
              label: s.description && s.description !== s.name ? t("admin.sla.systemOption", { code: s.name, name: s.description }) : s.name,
            }))}
            value={chosen}
            onChange={(e) => setSystem(e.target.value)}
          />
        </div>
      ) : null}
      {chosen ? <PolicyEditor key={chosen} system={chosen} /> : null}
      {user.is_superuser ? (
        <AddSystem
          onAdded={(code) => {
            void systems.reload();
            setSystem(code);
          }}
        />
      ) : null}
    </section>
  );
}

/** A labelled control with its hint and the server's problems for it. */
function Field({ label, hint, problems, children }: {
  label: string;
  hint?: string;
  problems?: string[];
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", problems?.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={problems?.length ? "field invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-describedby": described || undefined, "aria-invalid": problems?.length ? true : undefined })}
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
      <FieldProblems id={`${id}-error`} problems={problems} />
    </div>
  );
}

function FieldProblems({ id, problems }: { id?: string; problems?: string[] }) {
  if (!problems?.length) return null;
  return (
    <div className="field-error" id={id}>
      {problems.map((p) => (
        <p key={p}>
          <span aria-hidden="true">✕ </span>
          {p}
        </p>
      ))}
    </div>
  );
}

function PolicyEditor({ system }: { system: string }) {
  const { api } = useAuth();
  const policy = useAsync(() => api.get("/api/sla/{system}", { path: { system } }), [api, system]);
  const waiting = useWaitForNewSystem(policy.error, policy.reload);
  const [draft, setDraft] = useState<SlaDraft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (policy.data) setDraft(toDraft(policy.data));
  }, [policy.data]);

  if (waiting) return <Loading what={t("admin.sla.waitingNew", { system })} />;
  if (policy.error) return <ErrorMessage error={policy.error} onRetry={() => void policy.reload()} />;
  if (!draft || !policy.data) return <Loading what={t("admin.sla.loadingPolicy", { system })} />;

  const byField = error instanceof ApiError ? problemsByField(error.fields) : {};
  const set = (change: Partial<SlaDraft>) => {
    setSaved(false);
    setDraft({ ...draft, ...change });
  };
  const setTarget = (p: Priority, name: "first_response_minutes" | "resolution_minutes", value: string) =>
    set({ targets: { ...draft.targets, [p]: { ...draft.targets[p], [name]: value } } });
  const toggleDay = (day: number, on: boolean) =>
    set({ working_days: on ? [...draft.working_days, day] : draft.working_days.filter((d) => d !== day) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const stored = await api.put("/api/sla/{system}", { path: { system }, body: toBody(draft) });
      policy.setData(stored);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const daysProblems = byField["calendar.working_days"];
  return (
    <form className="card sla-form" onSubmit={submit} aria-labelledby="policy-title" noValidate>
      <h2 id="policy-title">{t("admin.sla.policyOf", { system })}</h2>
      {policy.data.updated_at ? (
        <p className="muted">
          {tx("admin.sla.lastChanged", { time: <When at={policy.data.updated_at} /> })}
        </p>
      ) : null}
      <SaveError error={error} />
      {saved ? <Notice>{t("admin.sla.saved")}</Notice> : null}
      <fieldset>
        <legend>{t("admin.sla.calendar")}</legend>
        <Field label={t("admin.sla.timezone")} hint={t("admin.sla.timezoneHint")} problems={byField["calendar.timezone"]}>
          {(props) => (
            <>
              <input {...props} list="sla-timezones" value={draft.timezone} autoComplete="off"
                onChange={(e) => set({ timezone: e.target.value })} />
              <datalist id="sla-timezones">
                {TIMEZONES.map((z) => <option key={z} value={z} />)}
              </datalist>
            </>
          )}
        </Field>
        <fieldset className={daysProblems?.length ? "invalid" : undefined} aria-describedby={daysProblems?.length ? "days-error" : undefined}>
          <legend>{t("admin.sla.workingDays")}</legend>
          <div className="days">
            {WEEKDAYS.map((day) => (
              <DayBox key={day} name={weekdayName(day)} checked={draft.working_days.includes(day)}
                onChange={(on) => toggleDay(day, on)} />
            ))}
          </div>
          <FieldProblems id="days-error" problems={daysProblems} />
        </fieldset>
        <div className="row">
          <Field label={t("admin.sla.start")} hint={t("admin.sla.startHint")} problems={byField["calendar.start"]}>
            {(props) => <input {...props} inputMode="numeric" value={draft.start} onChange={(e) => set({ start: e.target.value })} />}
          </Field>
          <Field label={t("admin.sla.end")} hint={t("admin.sla.endHint")} problems={byField["calendar.end"]}>
            {(props) => <input {...props} inputMode="numeric" value={draft.end} onChange={(e) => set({ end: e.target.value })} />}
          </Field>
        </div>
        <Field label={t("admin.sla.holidays")} hint={t("admin.sla.holidaysHint")} problems={byField["calendar.holidays"]}>
          {(props) => <textarea {...props} rows={4} value={draft.holidays} onChange={(e) => set({ holidays: e.target.value })} />}
        </Field>
      </fieldset>
      <div className="targets-grid">
        {PRIORITIES.map((p) => (
          <fieldset key={p}>
            <legend>{t("admin.sla.priority", { priority: priorityLabel(p) })}</legend>
            <Field label={t("admin.sla.firstResponse")} hint={minutesHint(draft.targets[p].first_response_minutes)}
              problems={byField[`targets.${p}.first_response_minutes`]}>
              {(props) => <input {...props} type="number" min={1} step={1} inputMode="numeric"
                value={draft.targets[p].first_response_minutes}
                onChange={(e) => setTarget(p, "first_response_minutes", e.target.value)} />}
            </Field>
            <Field label={t("admin.sla.resolution")} hint={minutesHint(draft.targets[p].resolution_minutes)}
              problems={byField[`targets.${p}.resolution_minutes`]}>
              {(props) => <input {...props} type="number" min={1} step={1} inputMode="numeric"
                value={draft.targets[p].resolution_minutes}
                onChange={(e) => setTarget(p, "resolution_minutes", e.target.value)} />}
            </Field>
          </fieldset>
        ))}
      </div>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("common.saving") : t("admin.sla.save")}
        </button>
        <button type="button" disabled={busy} onClick={() => { setError(null); setSaved(false); setDraft(toDraft(policy.data!)); }}>
          {t("admin.sla.undo")}
        </button>
      </div>
    </form>
  );
}

/** The refused save: every problem in words (each is beside its field too). */
function SaveError({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || !error.problems.length) return <ErrorMessage error={error} />;
  return (
    <div className="error" role="alert">
      <p>{t("admin.sla.problems", { message: error.message })}</p>
      <ul>
        {error.problems.map((p) => (
          <li key={p}>{inWords(p)}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Auth owns systems; tickets gives a new one its default policy when `system.created`
 * reaches it, so right after "Add a system" the policy may 404 for a moment: retry a few
 * times before calling it an error.
 */
function useWaitForNewSystem(error: unknown, reload: () => Promise<void>): boolean {
  const [tries, setTries] = useState(0);
  const missing = error instanceof ApiError && error.status === 404 && tries < RETRIES;
  useEffect(() => {
    if (!missing) return;
    const timer = window.setTimeout(() => {
      setTries((n) => n + 1);
      void reload();
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [missing, reload, tries]);
  return missing;
}

const RETRIES = 15;

/** "480" -> "8 h of working time"; empty -> "No target". */
function minutesHint(text: string): string | undefined {
  if (!text.trim()) return t("admin.sla.noTarget");
  const minutes = Number(text);
  return Number.isInteger(minutes) && minutes > 0 ? t("admin.sla.workingTime", { duration: duration(minutes * 60) }) : undefined;
}

function DayBox({ name, checked, onChange }: { name: string; checked: boolean; onChange: (on: boolean) => void }) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{name}</label>
    </div>
  );
}

/** Superusers: a new system, with the default workflow and SLA policy. */
function AddSystem({ onAdded }: { onAdded: (code: string) => void }) {
  const { api } = useAuth();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const made = await api.post("/api/systems", { body: { code: code.trim(), name: name.trim() } });
      setDone(t("admin.sla.added", { code: made.code }));
      setCode("");
      setName("");
      onAdded(made.code);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-system-title">
      <h2 id="add-system-title">{t("admin.sla.add")}</h2>
      <ErrorMessage error={error} />
      {done ? <Notice>{done}</Notice> : null}
      <div className="row">
        <TextField label={t("admin.sla.code")} hint={t("admin.sla.codeHint")} required maxLength={16} value={code}
          onChange={(e) => setCode(e.target.value.toUpperCase())} />
        <TextField label={t("admin.sla.name")} hint={t("admin.sla.nameHint")} required maxLength={100} value={name}
          onChange={(e) => setName(e.target.value)} />
      </div>
      <button type="submit" disabled={busy || !code.trim() || !name.trim()}>
        {t("admin.sla.addButton")}
      </button>
    </form>
  );
}
