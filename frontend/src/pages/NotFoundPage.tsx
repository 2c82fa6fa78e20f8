import { Link } from "../router";

export function NotFoundPage() {
  return (
    <section className="centered-text">
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to="/tickets">Go to the tickets</Link>.
      </p>
    </section>
  );
}
