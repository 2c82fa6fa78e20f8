/**
 * Tokens, as the auth service delivers them: both in the JSON body of `POST /api/token`.
 *
 * - The access token lives in memory only (this object), never in storage.
 * - The refresh token is kept in `localStorage` so a reload or a second tab stays signed in.
 *   It is single-use (rotation): using one twice revokes its whole family. So every refresh,
 *   in every tab, runs under one Web Lock (`navigator.locks`) and reads the newest refresh
 *   token from storage inside the lock; concurrent callers in a tab share one promise.
 * - Signing out revokes the access token and the refresh family on the server, and removes
 *   the stored token; the `storage` event signs every other tab out too.
 * See frontend/README.md ("Tokens") for why not a cookie.
 */
import type { components } from "../api/schema";
import { describe } from "../api/errors";

type TokenPair = components["schemas"]["TokenPair"];

export const REFRESH_KEY = "servicedesk.refresh";
const LOCK_NAME = "servicedesk-token-refresh";
/** Refresh this long before the access token expires. */
const MARGIN_MS = 30_000;

export interface SessionDeps {
  storage: Storage;
  fetch: typeof fetch;
  locks?: LockManager;
  now?: () => number;
}

export interface SignInForm {
  username: string;
  password: string;
  otp?: string;
}

/** `exp` (ms) of a JWT, read without verifying (the server verifies; we only schedule). */
export function expiryOf(token: string): number {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export class Session {
  private access: string | null = null;
  private inflight: Promise<string | null> | null = null;
  private listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether this tab holds a refresh token (it may still turn out to be revoked). */
  get signedIn(): boolean {
    return this.access !== null || this.deps.storage.getItem(REFRESH_KEY) !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private store(pair: TokenPair): string {
    this.access = pair.access;
    this.deps.storage.setItem(REFRESH_KEY, pair.refresh);
    return pair.access;
  }

  /** `POST /api/token`; throws an ApiError (`mfa_required`, `invalid_credentials`, …). */
  async signIn(form: SignInForm): Promise<void> {
    const body: Record<string, string> = { username: form.username, password: form.password };
    if (form.otp) body.otp = form.otp;
    const response = await this.deps.fetch("/api/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await json(response);
    if (!response.ok) throw describe(response.status, data, response.headers);
    this.store(data as TokenPair);
    this.changed();
  }

  /** A usable access token: the one in memory, or a fresh one; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (this.access && expiryOf(this.access) - this.now() > MARGIN_MS) return this.access;
    if (this.deps.storage.getItem(REFRESH_KEY) === null) return this.dropAccess();
    return this.refresh();
  }

  /** Trade the stored refresh token for a new pair; one at a time across every tab. */
  refresh(): Promise<string | null> {
    this.inflight ??= this.locked(() => this.rotate()).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The server refused `stale` (401): refresh unless another call already replaced it. */
  async renew(stale: string): Promise<string | null> {
    if (this.access && this.access !== stale) return this.access;
    this.access = null;
    return this.refresh();
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const locks = this.deps.locks;
    return locks ? (locks.request(LOCK_NAME, work) as unknown as Promise<T>) : work();
  }

  private async rotate(): Promise<string | null> {
    const refresh = this.deps.storage.getItem(REFRESH_KEY);
    if (refresh === null) return this.dropAccess();
    const response = await this.deps.fetch("/api/token/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh }),
    });
    if (response.status === 401) {
      // Used, revoked or expired: unless another tab rotated meanwhile, we are signed out.
      if (this.deps.storage.getItem(REFRESH_KEY) === refresh) this.forget();
      return this.dropAccess();
    }
    const data = await json(response);
    if (!response.ok) throw describe(response.status, data, response.headers);
    return this.store(data as TokenPair);
  }

  private dropAccess(): null {
    const had = this.access !== null;
    this.access = null;
    if (had) this.changed();
    return null;
  }

  /** Forget every token in this browser (no server call). */
  forget(): void {
    this.deps.storage.removeItem(REFRESH_KEY);
    this.access = null;
    this.changed();
  }

  /** Revoke the tokens on the server (best effort), then forget them here and in every tab. */
  async signOut(): Promise<void> {
    const refresh = this.deps.storage.getItem(REFRESH_KEY);
    const access = await this.accessToken().catch(() => null);
    try {
      if (access && refresh) {
        await this.deps.fetch("/api/auth/logout", {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${access}` },
          body: JSON.stringify({ refresh: this.deps.storage.getItem(REFRESH_KEY) ?? refresh }),
        });
      }
    } finally {
      this.forget();
    }
  }

  /** Another tab removed or replaced the refresh token (`storage` event). */
  storageChanged(key: string | null, newValue: string | null): void {
    if (key !== REFRESH_KEY && key !== null) return;
    if (newValue === null) {
      this.access = null;
      this.changed();
    }
  }
}
