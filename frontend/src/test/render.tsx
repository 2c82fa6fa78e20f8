/** Render a page inside the app's providers with a scripted `fetch`. */
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";
import { AuthProvider } from "../auth/AuthContext";
import { Session } from "../auth/session";
import { RouterProvider } from "../router";

export type Handler = (url: string, init?: RequestInit) => Response | Promise<Response>;

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

export function renderWith(ui: ReactNode, handler: Handler, path = "/") {
  window.history.replaceState(null, "", path);
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => handler(String(url), init));
  vi.stubGlobal("fetch", fetch);
  const session = new Session({ storage: localStorage, fetch });
  const view = render(
    <RouterProvider>
      <AuthProvider session={session}>{ui}</AuthProvider>
    </RouterProvider>,
  );
  return { ...view, fetch, session };
}
