/** The app's own 404: for any address it does not know (the gateway serves the app for them). */
import { t, tx } from "../i18n";
import { Link, useRouter } from "../router";

export function NotFoundPage({ signedIn = true }: { signedIn?: boolean }) {
  const { location } = useRouter();
  const body = (
    <section className="centered-text not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t("common.notFound.title")}</h1>
      <p>{tx("common.notFound.text", { path: <span className="mono">{location.pathname}</span> })}</p>
      <p>
        {signedIn ? <Link to="/tickets">{t("common.notFound.toTickets")}</Link> : <Link to="/login">{t("common.notFound.signIn")}</Link>}
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
