import { describe, expect, it, vi } from "vitest";
import { Session, REFRESH_KEY } from "../auth/session";
import { Api, buildUrl, filenameFrom } from "./client";
import { ApiError } from "./errors";

const NOW = 1_800_000_000_000;
const b64 = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
const token = (name: string) => `${b64({ alg: "HS256" })}.${b64({ exp: NOW / 1000 + 900, name })}.sig`;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("Api", () => {
  it("refreshes the token once on a 401 and retries the request", async () => {
    localStorage.setItem(REFRESH_KEY, "r1");
    const seen: string[] = [];
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      const path = String(url);
      if (path === "/api/token/refresh") {
        const next = seen.includes("refresh") ? "second" : "first";
        seen.push("refresh");
        return json(200, { access: token(next), refresh: `r-${next}`, token_type: "bearer", expires_in: 900 });
      }
      const auth = new Headers(init?.headers).get("Authorization") ?? "";
      seen.push(auth.includes(b64({ exp: NOW / 1000 + 900, name: "first" }).slice(0, 20)) ? "first" : "other");
      return seen.filter((s) => s === "refresh").length === 1
        ? json(401, { detail: "Token revoked", code: "token_invalid" })
        : json(200, { id: "u1" });
    });
    const session = new Session({ storage: localStorage, fetch, now: () => NOW });
    const api = new Api(session, fetch);
    const me = await api.get("/api/users/me");
    expect(me).toEqual({ id: "u1" });
    expect(seen.filter((s) => s === "refresh")).toHaveLength(2);
    expect(localStorage.getItem(REFRESH_KEY)).toBe("r-second");
  });

  it("ends the session when the retry is refused too", async () => {
    localStorage.setItem(REFRESH_KEY, "r1");
    const fetch = vi.fn(async (url: RequestInfo | URL) =>
      String(url) === "/api/token/refresh"
        ? json(200, { access: token("x"), refresh: "r2", token_type: "bearer", expires_in: 900 })
        : json(401, { detail: "Not authenticated", code: "not_authenticated" }),
    );
    const session = new Session({ storage: localStorage, fetch, now: () => NOW });
    const api = new Api(session, fetch);
    await expect(api.get("/api/users/me")).rejects.toBeInstanceOf(ApiError);
    expect(session.signedIn).toBe(false);
  });

  it("sends typed bodies as JSON and turns errors into words", async () => {
    localStorage.clear();
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      expect(new Headers(init?.headers).get("Content-Type")).toBe("application/json");
      return json(409, { detail: "That username is taken", code: "username_taken" });
    });
    const api = new Api(new Session({ storage: localStorage, fetch, now: () => NOW }), fetch);
    const failure = api.post("/api/auth/register", { body: { username: "ada", email: "a@b.c", password: "x" } });
    await expect(failure).rejects.toMatchObject({ status: 409, message: "That username is taken." });
  });
});

describe("buildUrl", () => {
  it("fills path parameters and drops empty query values", () => {
    expect(buildUrl("/api/tickets/{ticket_id}/comments", { ticket_id: 7 })).toBe("/api/tickets/7/comments");
    expect(buildUrl("/api/tickets", undefined, { q: "vpn down", status: "", limit: 25, offset: 0 })).toBe(
      "/api/tickets?q=vpn+down&limit=25&offset=0",
    );
    expect(buildUrl("/api/workflows/{system}", { system: "A/B" })).toBe("/api/workflows/A%2FB");
  });
});

describe("filenameFrom", () => {
  it("prefers the UTF-8 filename* of Content-Disposition", () => {
    expect(filenameFrom(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`)).toBe("résumé.pdf");
    expect(filenameFrom('attachment; filename="tickets-20261123T120000Z.csv"')).toBe("tickets-20261123T120000Z.csv");
    expect(filenameFrom(null)).toBeNull();
  });
});
