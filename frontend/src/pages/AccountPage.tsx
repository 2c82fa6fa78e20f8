/**
 * The caller's account: the language, the display name others see, roles, "sign out everywhere" (every session on every device),
 * password change (which signs out everywhere too), and two-step sign-in with TOTP.
 */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import { useAuth, useUser } from "../auth/AuthContext";
import { ErrorMessage, Notice, SelectField, TextField } from "../components/ui";
import { hasText, LOCALE_NAMES, LOCALES, t, useLocale } from "../i18n";
import { roleLabel } from "../i18n/labels";
import { browserLocale, isLocale } from "../i18n/locale";
import { useRouter } from "../router";
import "./account.css";

/** A role in words: the shared ones, plus "user" (global) and "manager" (per system). */
function anyRole(role: string): string {
  const own = `account.role.${role}`;
  return !hasText(`common.role.${role}`) && hasText(own) ? t(own) : roleLabel(role);
}

export function AccountPage() {
  const user = useUser();
  const systems = Object.entries(user.systems);
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{t("common.title.account")}</h1>
      <LanguageSwitch />
      <div className="card">
        <dl className="details">
          <div>
            <dt>{t("common.field.username")}</dt>
            <dd>{user.username}</dd>
          </div>
          <div>
            <dt>{t("account.displayName")}</dt>
            <dd>{user.display_name || user.username}</dd>
          </div>
          <div>
            <dt>{t("common.field.email")}</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>{t("account.userId")}</dt>
            <dd className="mono">{user.id}</dd>
          </div>
          <div>
            <dt>{t("account.globalRoles")}</dt>
            <dd>{user.roles.map(anyRole).join(", ")}</dd>
          </div>
          <div className="wide">
            <dt>{t("account.systemRoles")}</dt>
            <dd>
              {systems.length
                ? systems.map(([s, r]) => `${s}: ${anyRole(String(r))}`).join(" · ")
                : t("account.userEverywhere")}
            </dd>
          </div>
        </dl>
      </div>
      <DisplayName />
      <SignOutEverywhere />
      <PasswordChange />
      <TwoStep />
    </section>
  );
}

/**
 * The language: the browser's (the default) or one chosen here, kept in this browser. The
 * whole app redraws in it at once (`I18nProvider` remounts it).
 */
function LanguageSwitch() {
  const { chosen, choose } = useLocale();
  const options = [
    { value: "", label: t("account.browserDefault", { name: LOCALE_NAMES[browserLocale()] }) },
    ...LOCALES.map((locale) => ({ value: locale, label: LOCALE_NAMES[locale] })),
  ];
  return (
    <div className="card language-switch">
      <SelectField label={t("account.language")} hint={t("account.languageHint")} options={options}
        value={chosen ?? ""} onChange={(e) => choose(isLocale(e.target.value) ? e.target.value : null)} />
    </div>
  );
}

/** `PATCH /api/users/me {display_name}`: the name shown on tickets, comments and history. */
function DisplayName() {
  const { api, reloadUser } = useAuth();
  const user = useUser();
  const [name, setName] = useState(user.display_name || user.username);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api.patch("/api/users/me", { body: { display_name: name.trim() } });
      await reloadUser();
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="name-title">
      <h2 id="name-title">{t("account.name.title")}</h2>
      <ErrorMessage error={error} />
      {done ? <Notice>{t("account.name.saved")}</Notice> : null}
      <TextField label={t("account.displayName")} hint={t("account.name.hint")}
        required maxLength={100} autoComplete="name" value={name}
        onChange={(e) => { setName(e.target.value); setDone(false); }} />
      <button type="submit" disabled={busy || !name.trim()}>
        {busy ? t("common.saving") : t("account.name.save")}
      </button>
    </form>
  );
}

function SignOutEverywhere() {
  const { api, session } = useAuth();
  const { navigate } = useRouter();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const signOutEverywhere = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post("/api/auth/logout-all");
      // The server ended every session of ours: forget this one too, in every tab.
      session.forget();
      navigate("/login", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">{t("account.sessions.title")}</h2>
      <p className="muted">{t("account.sessions.text")}</p>
      <ErrorMessage error={error} />
      <button type="button" onClick={() => void signOutEverywhere()} disabled={busy}>
        {t("account.sessions.button")}
      </button>
    </section>
  );
}

function PasswordChange() {
  const { api, session } = useAuth();
  const { navigate } = useRouter();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post("/api/users/me/password", {
        body: { current_password: current, new_password: next },
      });
      // The server revoked every token of ours: sign out here too, in every tab.
      session.forget();
      navigate("/login", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">{t("account.password.title")}</h2>
      <p className="muted">{t("account.password.text")}</p>
      <ErrorMessage error={error} />
      <TextField label={t("common.field.current_password")} type="password" autoComplete="current-password" required
        value={current} onChange={(e) => setCurrent(e.target.value)} />
      <TextField label={t("common.field.new_password")} type="password" autoComplete="new-password" required
        hint={t("account.password.hint")}
        value={next} onChange={(e) => setNext(e.target.value)} />
      <button type="submit" disabled={busy}>
        {t("account.password.button")}
      </button>
    </form>
  );
}

function TwoStep() {
  const { api, reloadUser } = useAuth();
  const user = useUser();
  const [enrolment, setEnrolment] = useState<Schemas["TotpEnrolment"] | null>(null);
  const [otp, setOtp] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (work: () => Promise<unknown>, message: string) => {
    setError(null);
    setDone(null);
    try {
      await work();
      setDone(message);
      setOtp("");
      await reloadUser();
    } catch (err) {
      setError(err);
    }
  };

  const start = () =>
    run(async () => setEnrolment(await api.post("/api/users/me/mfa/totp")), t("account.totp.addKey"));
  const verify = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post("/api/users/me/mfa/totp/verify", { body: { otp } });
      setEnrolment(null);
    }, t("account.totp.onDone"));
  };
  const disable = (event: FormEvent) => {
    event.preventDefault();
    void run(() => api.delete("/api/users/me/mfa/totp", { body: { otp } }), t("account.totp.offDone"));
  };

  return (
    <section className="card" aria-labelledby="twostep-title">
      <h2 id="twostep-title">{t("account.totp.title")}</h2>
      <ErrorMessage error={error} />
      {done ? <Notice>{done}</Notice> : null}
      {user.mfa_enabled ? (
        <form onSubmit={disable}>
          <p>{t("account.totp.on")}</p>
          <TextField label={t("account.totp.offCode")} inputMode="numeric" autoComplete="one-time-code"
            required value={otp} onChange={(e) => setOtp(e.target.value.trim())} />
          <button type="submit">{t("account.totp.turnOff")}</button>
        </form>
      ) : enrolment ? (
        <form onSubmit={verify}>
          <p>{t("account.totp.keyIntro")}</p>
          <p className="mono secret" aria-label={t("account.totp.secret")}>{enrolment.secret}</p>
          <p>
            <a href={enrolment.otpauth_uri}>{t("account.totp.openApp")}</a>
          </p>
          <TextField label={t("account.totp.code")} inputMode="numeric" autoComplete="one-time-code" required
            value={otp} onChange={(e) => setOtp(e.target.value.trim())} />
          <button type="submit" className="primary">{t("account.totp.confirm")}</button>
        </form>
      ) : (
        <>
          <p>{t("account.totp.off")}</p>
          <button type="button" onClick={() => void start()}>{t("account.totp.setUp")}</button>
        </>
      )}
    </section>
  );
}
