import { describe, expect, it } from "vitest";
import { APP_SEGMENTS, matchRoute } from "./routes";
import { safeNext } from "./pages/SignInPage";

describe("matchRoute", () => {
  it("knows every page and ignores trailing slashes", () => {
    expect(matchRoute("/")).toEqual({ name: "home" });
    expect(matchRoute("/tickets/")).toEqual({ name: "tickets" });
    expect(matchRoute("/tickets/new")).toEqual({ name: "new-ticket" });
    expect(matchRoute("/tickets/42")).toEqual({ name: "ticket", id: 42 });
    expect(matchRoute("/admin/ops")).toEqual({ name: "admin-ops" });
    expect(matchRoute("/tickets/abc")).toEqual({ name: "not-found" });
  });

  it("tells the gateway the first segment of every route, and never api", () => {
    for (const path of ["/login", "/register", "/tickets/3", "/notifications", "/account", "/admin/audit"]) {
      expect(APP_SEGMENTS).toContain(path.split("/")[1]);
    }
    expect(APP_SEGMENTS).not.toContain("api");
  });
});

describe("safeNext", () => {
  it("follows same-site paths only (no open redirect)", () => {
    expect(safeNext("/tickets/7")).toBe("/tickets/7");
    expect(safeNext("//evil.example/x")).toBe("/tickets");
    expect(safeNext("https://evil.example")).toBe("/tickets");
    expect(safeNext("/\\evil.example")).toBe("/tickets");
    expect(safeNext(null)).toBe("/tickets");
  });
});

describe("isCurrent", () => {
  it("marks the tickets link on the list and a ticket, not on the new-ticket form", async () => {
    const { isCurrent } = await import("./components/Layout");
    expect(isCurrent("/tickets", "/tickets")).toBe(true);
    expect(isCurrent("/tickets", "/tickets/12")).toBe(true);
    expect(isCurrent("/tickets", "/tickets/new")).toBe(false);
    expect(isCurrent("/tickets/new", "/tickets/new")).toBe(true);
    expect(isCurrent("/admin/users", "/admin/users")).toBe(true);
  });
});
