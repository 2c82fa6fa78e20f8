/**
 * The app's client-side routes. `APP_SEGMENTS` (the first path segment of every route) is
 * written into the build as `app-routes.json`; the gateway answers `index.html` for those
 * paths only, so an unknown path stays a JSON 404 and `/api/*` never gets the app.
 */
export const APP_SEGMENTS = [
  "login",
  "register",
  "tickets",
  "notifications",
  "account",
  "admin",
] as const;

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "register" }
  | { name: "tickets" }
  | { name: "new-ticket" }
  | { name: "ticket"; id: number }
  | { name: "notifications" }
  | { name: "account" }
  | { name: "admin-users" }
  | { name: "admin-workflows" }
  | { name: "admin-audit" }
  | { name: "admin-ops" }
  | { name: "admin-sla" }
  | { name: "not-found" };

const STATIC: Record<string, Route> = {
  "/": { name: "home" },
  "/login": { name: "login" },
  "/register": { name: "register" },
  "/tickets": { name: "tickets" },
  "/tickets/new": { name: "new-ticket" },
  "/notifications": { name: "notifications" },
  "/account": { name: "account" },
  "/admin/users": { name: "admin-users" },
  "/admin/workflows": { name: "admin-workflows" },
  "/admin/audit": { name: "admin-audit" },
  "/admin/ops": { name: "admin-ops" },
  "/admin/sla": { name: "admin-sla" },
};

/** The route for a location pathname (trailing slashes ignored). */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  const fixed = STATIC[path];
  if (fixed) return fixed;
  const ticket = /^\/tickets\/(\d{1,15})$/.exec(path);
  if (ticket?.[1]) return { name: "ticket", id: Number(ticket[1]) };
  return { name: "not-found" };
}

/** Routes a signed-out visitor may see; every other one sends them to sign in. */
export function isPublic(route: Route): boolean {
  return route.name === "login" || route.name === "register" || route.name === "not-found";
}

export function isAdminRoute(route: Route): boolean {
  return route.name.startsWith("admin-");
}
