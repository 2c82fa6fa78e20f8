/** Sign in; asks for the TOTP code when the account has it on (`mfa_required`). */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, TextField } from "../components/ui";
import { t, tx } from "../i18n";
import { Link, useRouter } from "../router";

/** Only a same-site path may be a `next` target (no open redirect). */
export function safeNext(next: string | null): string {
  return next && /^\/(?!\/)[\w\-/]*$/.test(next) ? next : "/tickets";
}

export function SignInPage() {
  const { signIn } = useAuth();
  const { navigate, location } = useRouter();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [needOtp, setNeedOtp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const registered = location.search.get("registered") === "1";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ username, password, otp: needOtp ? otp : undefined });
      navigate(safeNext(location.search.get("next")), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && (err.code === "mfa_required" || err.code === "mfa_invalid")) {
        setNeedOtp(true);
        if (err.code === "mfa_required") {
          setBusy(false);
          return;
        }
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered" id="main">
      <form className="card narrow" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">{t("account.signIn.title")}</h1>
        {registered ? <p className="notice" role="status">{t("account.signIn.ready")}</p> : null}
        <ErrorMessage error={error} />
        <TextField
          label={t("account.signIn.username")}
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <TextField
          label={t("common.field.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {needOtp ? (
          <TextField
            label={t("account.signIn.otp")}
            name="otp"
            hint={t("account.signIn.otpHint")}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6,8}"
            required
            autoFocus
            value={otp}
            onChange={(e) => setOtp(e.target.value.trim())}
          />
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("account.signIn.busy") : t("account.signIn.button")}
        </button>
        <p>
          {tx("account.signIn.newHere", { link: <Link to="/register">{t("account.signIn.register")}</Link> })}
        </p>
      </form>
    </main>
  );
}
