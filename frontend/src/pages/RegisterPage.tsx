/** Create an account; a weak password lists every rule it breaks (the server decides). */
import { useState, type FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, TextField } from "../components/ui";
import { t, tx } from "../i18n";
import { Link, useRouter } from "../router";

export function RegisterPage() {
  const { api } = useAuth();
  const { navigate } = useRouter();
  const [form, setForm] = useState({ username: "", email: "", password: "" });
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = confirm !== "" && confirm !== form.password;

  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [name]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await api.post("/api/auth/register", { body: form });
      navigate("/login?registered=1", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered" id="main">
      <form className="card narrow" onSubmit={submit} aria-labelledby="register-title">
        <h1 id="register-title">{t("account.register.title")}</h1>
        <ErrorMessage error={error} />
        <TextField label={t("common.field.username")} name="username" autoComplete="username" required
          minLength={1} maxLength={150} value={form.username} onChange={set("username")} />
        <TextField label={t("common.field.email")} name="email" type="email" autoComplete="email" required
          value={form.email} onChange={set("email")} />
        <TextField
          label={t("common.field.password")}
          name="password"
          type="password"
          autoComplete="new-password"
          hint={t("account.register.passwordHint")}
          required
          value={form.password}
          onChange={set("password")}
        />
        <TextField
          label={t("account.register.repeat")}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={mismatch}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        {mismatch ? <p className="field-error" role="alert">{t("account.register.mismatch")}</p> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("account.register.busy") : t("account.register.button")}
        </button>
        <p>
          {tx("account.register.haveOne", { link: <Link to="/login">{t("account.register.signIn")}</Link> })}
        </p>
      </form>
    </main>
  );
}
