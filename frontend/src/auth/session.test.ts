import { beforeEach, describe, expect, it, vi } from "vitest";
import { REFRESH_KEY, Session, expiryOf } from "./session";

/** A JWT-shaped token expiring at `exp` (seconds); the client never verifies it. */
function jwt(exp: number, id = Math.random().toString(36).slice(2)): string {
  const b64 = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  return `${b64({ alg: "HS256" })}.${b64({ exp, jti: id })}.sig`;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const NOW = 1_800_000_000_000;

describe("Session", () => {
  let storage: Storage;
  beforeEach(() => {
    localStorage.clear();
    storage = localStorage;
  });

  function pair(n: number) {
    return { access: jwt(NOW / 1000 + 900, `a${n}`), refresh: `refresh-${n}`, token_type: "bearer", expires_in: 900 };
  }

  it("keeps the access token in memory and only the refresh token in storage", async () => {
    const fetch = vi.fn(async () => json(200, pair(1)));
    const session = new Session({ storage, fetch, now: () => NOW });
    await session.signIn({ username: "ada", password: "analytical engine" });
    expect(storage.getItem(REFRESH_KEY)).toBe("refresh-1");
    expect(Object.values({ ...localStorage })).not.toContain(pair(1).access);
    expect(await session.accessToken()).toBe(pair(1).access);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("refreshes once for many concurrent callers and stores the rotated token", async () => {
    storage.setItem(REFRESH_KEY, "refresh-0");
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      expect(JSON.parse(String(init?.body))).toEqual({ refresh: "refresh-0" });
      return json(200, pair(1));
    });
    const session = new Session({ storage, fetch, now: () => NOW });
    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(new Set(tokens)).toEqual(new Set([pair(1).access]));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(storage.getItem(REFRESH_KEY)).toBe("refresh-1");
  });

  it("refreshes shortly before the access token expires", async () => {
    let now = NOW;
    let n = 0;
    const fetch = vi.fn(async () => json(200, pair(++n)));
    const session = new Session({ storage, fetch, now: () => now });
    await session.signIn({ username: "ada", password: "x" });
    now = NOW + 880_000; // 20 s before expiry: inside the margin
    expect(await session.accessToken()).toBe(pair(2).access);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("runs every refresh under the cross-tab lock", async () => {
    storage.setItem(REFRESH_KEY, "refresh-0");
    const request = vi.fn((_name: string, work: () => Promise<unknown>) => work());
    const locks = { request } as unknown as LockManager;
    const session = new Session({ storage, fetch: async () => json(200, pair(1)), locks, now: () => NOW });
    await session.accessToken();
    expect(request).toHaveBeenCalledWith("servicedesk-token-refresh", expect.any(Function));
  });

  it("signs out when the refresh token is refused", async () => {
    storage.setItem(REFRESH_KEY, "refresh-used");
    const session = new Session({ storage, fetch: async () => json(401, { code: "token_invalid" }), now: () => NOW });
    const changes = vi.fn();
    session.subscribe(changes);
    expect(await session.accessToken()).toBeNull();
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(changes).toHaveBeenCalled();
  });

  it("revokes on the server, then forgets, on sign out", async () => {
    const calls: string[] = [];
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push(String(url));
      if (String(url) === "/api/auth/logout") {
        expect(new Headers(init?.headers).get("Authorization")).toBe(`Bearer ${pair(1).access}`);
        expect(JSON.parse(String(init?.body))).toEqual({ refresh: "refresh-1" });
        return new Response(null, { status: 204 });
      }
      return json(200, pair(1));
    });
    const session = new Session({ storage, fetch, now: () => NOW });
    await session.signIn({ username: "ada", password: "x" });
    await session.signOut();
    expect(calls).toEqual(["/api/token", "/api/auth/logout"]);
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
    expect(session.signedIn).toBe(false);
  });

  it("signs this tab out when another tab removes the refresh token", async () => {
    const session = new Session({ storage, fetch: async () => json(200, pair(1)), now: () => NOW });
    await session.signIn({ username: "ada", password: "x" });
    storage.removeItem(REFRESH_KEY);
    session.storageChanged(REFRESH_KEY, null);
    expect(session.signedIn).toBe(false);
  });

  it("reads the expiry of a token and treats garbage as expired", () => {
    expect(expiryOf(jwt(123))).toBe(123_000);
    expect(expiryOf("not a token")).toBe(0);
  });
});
