/**
 * The caller's account: the display name others see, roles, "sign out everywhere" (every session on every device),
 * password change (which signs out everywhere too), and two-step sign-in with TOTP.
 */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import { useAuth, useUser } from "../auth/AuthContext";
import { ErrorMessage, humanise, Notice, TextField } from "../components/ui";
import { useRouter } from "../router";

export function AccountPage() {
  const user = useUser();
  const systems = Object.entries(user.systems);
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <div className="card">
        <dl className="details">
          <div>
            <dt>Username</dt>
            <dd>{user.username}</dd>
          </div>
          <div>
            <dt>Display name</dt>
            <dd>{user.display_name || user.username}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>User id</dt>
            <dd className="mono">{user.id}</dd>
          </div>
          <div>
            <dt>Global roles</dt>
            <dd>{user.roles.map(humanise).join(", ")}</dd>
          </div>
          <div className="wide">
            <dt>Roles per system</dt>
            <dd>
              {systems.length
                ? systems.map(([s, r]) => `${s}: ${humanise(String(r))}`).join(" · ")
                : "User everywhere"}
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
      <h2 id="name-title">Your name</h2>
      <ErrorMessage error={error} />
      {done ? <Notice>Saved. Tickets show your new name within seconds.</Notice> : null}
      <TextField label="Display name" hint="What others see on tickets and comments; 1 to 100 characters."
        required maxLength={100} autoComplete="name" value={name}
        onChange={(e) => { setName(e.target.value); setDone(false); }} />
      <button type="submit" disabled={busy || !name.trim()}>
        {busy ? "Saving…" : "Save name"}
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
      <h2 id="everywhere-title">Sessions</h2>
      <p className="muted">
        Lost a device, or signed in somewhere you should not have? This ends every session of
        yours, in every browser and on every device, this one included.
      </p>
      <ErrorMessage error={error} />
      <button type="button" onClick={() => void signOutEverywhere()} disabled={busy}>
        Sign out everywhere
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
      <h2 id="password-title">Change password</h2>
      <p className="muted">Changing it signs you out everywhere: every browser and device.</p>
      <ErrorMessage error={error} />
      <TextField label="Current password" type="password" autoComplete="current-password" required
        value={current} onChange={(e) => setCurrent(e.target.value)} />
      <TextField label="New password" type="password" autoComplete="new-password" required
        hint="At least 8 characters; not common, not only digits, not like your name; not one of your last five."
        value={next} onChange={(e) => setNext(e.target.value)} />
      <button type="submit" disabled={busy}>
        Change password and sign out everywhere
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
    run(async () => setEnrolment(await api.post("/api/users/me/mfa/totp")), "Add the key to your authenticator app, then enter the code it shows.");
  const verify = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post("/api/users/me/mfa/totp/verify", { body: { otp } });
      setEnrolment(null);
    }, "Two-step sign-in is on.");
  };
  const disable = (event: FormEvent) => {
    event.preventDefault();
    void run(() => api.delete("/api/users/me/mfa/totp", { body: { otp } }), "Two-step sign-in is off.");
  };

  return (
    <section className="card" aria-labelledby="twostep-title">
      <h2 id="twostep-title">Two-step sign-in (TOTP)</h2>
      <ErrorMessage error={error} />
      {done ? <Notice>{done}</Notice> : null}
      {user.mfa_enabled ? (
        <form onSubmit={disable}>
          <p>On: signing in asks for a code from your authenticator app.</p>
          <TextField label="Current code (to turn it off)" inputMode="numeric" autoComplete="one-time-code"
            required value={otp} onChange={(e) => setOtp(e.target.value.trim())} />
          <button type="submit">Turn off two-step sign-in</button>
        </form>
      ) : enrolment ? (
        <form onSubmit={verify}>
          <p>Add this key to your authenticator app (by hand, or open the link on a phone that has one):</p>
          <p className="mono secret" aria-label="Secret key">{enrolment.secret}</p>
          <p>
            <a href={enrolment.otpauth_uri}>Open in an authenticator app</a>
          </p>
          <TextField label="Code from the app" inputMode="numeric" autoComplete="one-time-code" required
            value={otp} onChange={(e) => setOtp(e.target.value.trim())} />
          <button type="submit" className="primary">Confirm and turn on</button>
        </form>
      ) : (
        <>
          <p>Off. Turn it on to need a code from an authenticator app at every sign-in.</p>
          <button type="button" onClick={() => void start()}>Set up two-step sign-in</button>
        </>
      )}
    </section>
  );
}
