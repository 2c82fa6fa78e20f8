/** A scripted API for a signed-in user: token refresh, `/api/users/me`, then `routes`. */
import type { ReactNode } from "react";
import { useAuth } from "../auth/AuthContext";
import { json, type Handler } from "./render";

export const ME = {
  id: "u-admin", username: "root", display_name: "Rita Root", email: "r@example.com",
  is_active: true, is_admin: true, is_superuser: true, roles: ["admin"], systems: {},
  mfa_enabled: false, created_at: "2026-01-01T00:00:00Z",
};

export function signedIn(routes: Handler, me: object = ME): Handler {
  localStorage.setItem("servicedesk.refresh", "r");
  return (url, init) => {
    if (url === "/api/token/refresh") {
      const b64 = (v: object) => btoa(JSON.stringify(v)).replace(/=+$/, "");
      const access = `${b64({})}.${b64({ exp: Date.now() / 1000 + 900 })}.s`;
      return json(200, { access, refresh: "r2", token_type: "bearer", expires_in: 900 });
    }
    if (url === "/api/users/me" && (!init?.method || init.method === "GET")) return json(200, me);
    return routes(url, init);
  };
}

/** Render `children` once the user is loaded (pages call `useUser`). */
export function WhenSignedIn({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  return user ? <>{children}</> : null;
}
