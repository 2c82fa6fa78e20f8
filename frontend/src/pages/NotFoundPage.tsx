/** The app's own 404: for any address it does not know (the gateway serves the app for them). */
import { Link, useRouter } from "../router";

export function NotFoundPage({ signedIn = true }: { signedIn?: boolean }) {
  const { location } = useRouter();
  const body = (
    <section className="centered-text not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        There is no page at <span className="mono">{location.pathname}</span>.
      </p>
      <p>
        {signedIn ? <Link to="/tickets">Go to the tickets</Link> : <Link to="/login">Sign in</Link>}
      </p>
    </section>
  );
  if (signedIn) return body;
  return (
    <main className="centered" id="main">
      {body}
    </main>
  );
}
