/** Create an account; a weak password lists every rule it breaks (the server decides). */
import { useState, type FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, TextField } from "../components/ui";
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
        <h1 id="register-title">Create an account</h1>
        <ErrorMessage error={error} />
        <TextField label="Username" name="username" autoComplete="username" required
          minLength={1} maxLength={150} value={form.username} onChange={set("username")} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required
          value={form.email} onChange={set("email")} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters; not a common password, not only digits, not like your username or email. A few words make a good one."
          required
          value={form.password}
          onChange={set("password")}
        />
        <TextField
          label="Repeat the password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={mismatch}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        {mismatch ? <p className="field-error" role="alert">The two passwords differ.</p> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
