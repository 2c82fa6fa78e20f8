import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setTextLocale } from "../../i18n";
import { json, renderWith } from "../../test/render";
import { signedIn, WhenSignedIn } from "../../test/signedIn";
import { readUserQuery, userQueryUrl } from "./userQuery";
import { SEARCH_DELAY_MS, UsersPage } from "./UsersPage";

beforeEach(() => {
  vi.spyOn(window, "scrollTo").mockImplementation(() => {}); // jsdom has none
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  localStorage.clear();
  setTextLocale("en");
});

const user = (n: number, extra: object = {}) => ({
  id: `u${n}`, username: `user${n}`, email: `user${n}@example.com`, display_name: `User Number ${n}`,
  is_active: true, is_admin: false, is_superuser: false, roles: ["user"], systems: {}, mfa_enabled: false,
  created_at: `2026-03-${String(n).padStart(2, "0")}T10:00:00Z`, ...extra,
});
const ADA = user(1, { username: "ada", email: "ada@lovelace.example", display_name: "Ada Lovelace", systems: { TTS: "agent" } });

/** The API as the page sees it: every `/api/users` query is recorded; `q` filters by name or e-mail. */
function api(people = [ADA, user(2), user(3)]) {
  const queries: URLSearchParams[] = [];
  const handler = signedIn((url) => {
    if (url === "/api/systems") return json(200, [{ name: "TTS", description: "" }]);
    if (url.startsWith("/api/users?") || url === "/api/users") {
      const query = new URL(url, "http://x").searchParams;
      queries.push(query);
      const q = (query.get("q") ?? "").toLowerCase();
      const items = people.filter((p) => !q || `${p.username} ${p.email} ${p.display_name}`.toLowerCase().includes(q));
      return json(200, { items, total: items.length });
    }
    return json(404, { detail: "Not found", code: "not_found" });
  });
  return { handler, queries, last: () => queries[queries.length - 1]! };
}

const show = (handler: ReturnType<typeof api>["handler"], path = "/admin/users") =>
  renderWith(<WhenSignedIn><UsersPage /></WhenSignedIn>, handler, path);

describe("UsersPage", () => {
  it("asks for the newest first, 50 a page, and shows each user as a card", async () => {
    const { handler, last } = api();
    show(handler);
    const list = await screen.findByRole("list", { name: "Users" });
    expect(last().get("sort")).toBe("-created_at");
    expect(last().get("limit")).toBe("50");
    expect(last().get("q")).toBeNull();
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);
    expect(within(list).getByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
    expect(within(list).getByText("TTS: Agent")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("3 users");
    expect((screen.getByLabelText("Sort by") as HTMLSelectElement).value).toBe("-created_at");
  });

  it("searches as one types, after a pause, and puts the search in the address", async () => {
    const { handler, queries, last } = api();
    show(handler);
    await screen.findByRole("list", { name: "Users" });
    vi.useFakeTimers();
    const box = screen.getByRole("searchbox", { name: "Search users" });
    fireEvent.change(box, { target: { value: "lov" } });
    fireEvent.change(box, { target: { value: "lovel" } });
    act(() => vi.advanceTimersByTime(SEARCH_DELAY_MS - 50));
    expect(queries.every((q) => q.get("q") === null)).toBe(true); // not yet: still typing
    act(() => vi.advanceTimersByTime(100));
    vi.useRealTimers();
    await waitFor(() => expect(last().get("q")).toBe("lovel"));
    expect(queries.filter((q) => q.get("q") !== null)).toHaveLength(1); // one request for the pause
    expect(window.location.pathname + window.location.search).toBe("/admin/users?q=lovel");
    expect(await screen.findByText("1 user matches “lovel”")).toBeTruthy();
    expect(screen.getAllByRole("listitem")).toHaveLength(1);
  });

  it("searches at once on Enter, and a bookmarked search is run and shown in the box", async () => {
    const { handler, last } = api();
    show(handler, "/admin/users?q=user2&sort=display_name");
    expect(await screen.findByText("1 user matches “user2”")).toBeTruthy();
    expect(last().get("q")).toBe("user2");
    expect(last().get("sort")).toBe("display_name");
    expect((screen.getByRole("searchbox") as HTMLInputElement).value).toBe("user2");
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "ada@" } });
    fireEvent.submit(screen.getByRole("search"));
    await waitFor(() => expect(last().get("q")).toBe("ada@"));
    expect(window.location.search).toBe("?q=ada%40&sort=display_name");
  });

  it("says which search found nobody, and clears it", async () => {
    const { handler, last } = api();
    show(handler, "/admin/users?q=nobody-here");
    expect(await screen.findByText("No users match “nobody-here”.")).toBeTruthy();
    expect(screen.queryByRole("list", { name: "Users" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Clear the search" }));
    await screen.findByRole("list", { name: "Users" });
    expect(last().get("q")).toBeNull();
    expect(window.location.search).toBe("");
    expect((screen.getByRole("searchbox") as HTMLInputElement).value).toBe("");
    expect(document.activeElement).toBe(screen.getByRole("searchbox"));
  });

  it("sorts by the chosen order from the first page", async () => {
    const { handler, last } = api();
    show(handler, "/admin/users?offset=50");
    await screen.findByRole("list", { name: "Users" });
    expect(last().get("offset")).toBe("50");
    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "display_name" } });
    await waitFor(() => expect(last().get("sort")).toBe("display_name"));
    expect(last().get("offset")).toBe("0");
    expect(window.location.search).toBe("?sort=display_name");
  });

  it("speaks German", async () => {
    setTextLocale("de");
    const { handler } = api();
    show(handler, "/admin/users?q=niemand");
    expect(await screen.findByText("Keine Benutzer passen zu „niemand“.")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Benutzer und Rollen");
    expect(screen.getByRole("searchbox", { name: "Benutzer suchen" })).toBeTruthy();
  });
});

describe("the users page's address", () => {
  it("leaves defaults out and ignores what it does not know", () => {
    expect(userQueryUrl({ q: "", sort: "-created_at", offset: 0 })).toBe("/admin/users");
    expect(userQueryUrl({ q: "a b", sort: "email", offset: 50 })).toBe("/admin/users?q=a+b&sort=email&offset=50");
    expect(readUserQuery(new URLSearchParams("sort=password&offset=-3&q=%20x%20"))).toEqual({
      q: "x", sort: "-created_at", offset: 0,
    });
  });
});
