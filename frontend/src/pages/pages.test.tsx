import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider, setTextLocale } from "../i18n";
import { json, renderWith } from "../test/render";
import { signedIn, WhenSignedIn } from "../test/signedIn";
import { AccountPage } from "./AccountPage";
import { NewTicketPage } from "./NewTicketPage";
import { NotificationsPage, summaryText } from "./NotificationsPage";
import { RegisterPage } from "./RegisterPage";
import { SignInPage } from "./SignInPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  setTextLocale("en");
});

describe("AccountPage language switch", () => {
  const account = () =>
    renderWith(
      <I18nProvider>
        <WhenSignedIn>
          <AccountPage />
        </WhenSignedIn>
      </I18nProvider>,
      signedIn(() => json(404, { detail: "Not found", code: "not_found" })),
      "/account",
    );

  it("redraws the page in the chosen language at once and remembers the choice", async () => {
    account();
    const language = await screen.findByLabelText("Language");
    expect([...(language as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "Browser default (English)",
      "English",
      "Deutsch",
    ]);
    expect((language as HTMLSelectElement).value).toBe("");
    fireEvent.change(language, { target: { value: "de" } });
    expect(await screen.findByRole("heading", { name: "Ihr Konto" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Überall abmelden" })).toBeTruthy();
    expect((screen.getByLabelText("Sprache") as HTMLSelectElement).value).toBe("de");
    expect(localStorage.getItem("servicedesk.locale")).toBe("de");
    expect(document.documentElement.lang).toBe("de");

    fireEvent.change(screen.getByLabelText("Sprache"), { target: { value: "" } });
    expect(await screen.findByRole("heading", { name: "Your account" })).toBeTruthy();
    expect(localStorage.getItem("servicedesk.locale")).toBeNull();
  });

  it("starts in the remembered language", async () => {
    localStorage.setItem("servicedesk.locale", "de");
    account();
    expect(await screen.findByRole("heading", { name: "Ihr Konto" })).toBeTruthy();
    expect((screen.getByLabelText("Sprache") as HTMLSelectElement).value).toBe("de");
    expect(screen.getByRole("option", { name: "Wie der Browser (English)" })).toBeTruthy();
  });
});

describe("SignInPage", () => {
  it("speaks German with a German reader, the link inside its sentence", () => {
    setTextLocale("de");
    renderWith(<SignInPage />, () => json(401, {}), "/login");
    expect(screen.getByRole("heading", { name: "Beim Service Desk anmelden" })).toBeTruthy();
    expect(screen.getByLabelText("Benutzername oder E-Mail")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Anmelden" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Konto anlegen" }).parentElement?.textContent).toBe("Neu hier? Konto anlegen");
  });
});

describe("RegisterPage", () => {
  it("shows every password rule the server says is broken, in words", async () => {
    renderWith(<RegisterPage />, () =>
      json(422, {
        detail: "The password does not meet the password rules",
        code: "weak_password",
        errors: [
          { rule: "min_length", message: "At least 8 characters." },
          { rule: "numeric", message: "The password cannot be entirely numeric." },
        ],
      }),
    );
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "ada" } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "1234" } });
    fireEvent.change(screen.getByLabelText("Repeat the password"), { target: { value: "1234" } });
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("At least 8 characters.");
    expect(alert.textContent).toContain("The password cannot be entirely numeric.");
    expect(alert.textContent).not.toContain("{");
  });
});

describe("NewTicketPage", () => {
  const signedIn = () => localStorage.setItem("servicedesk.refresh", "r");
  const me = { id: "u1", username: "ada", email: "a@b.c", is_active: true, is_admin: false,
    is_superuser: false, roles: ["user"], systems: {}, mfa_enabled: false, created_at: "" };

  function api(suggest: () => Response) {
    return (url: string) => {
      if (url === "/api/token/refresh") {
        const b64 = (v: object) => btoa(JSON.stringify(v)).replace(/=+$/, "");
        const access = `${b64({})}.${b64({ exp: Date.now() / 1000 + 900 })}.s`;
        return json(200, { access, refresh: "r2", token_type: "bearer", expires_in: 900 });
      }
      if (url === "/api/users/me") return json(200, me);
      if (url === "/api/systems") return json(200, [{ name: "TTS", description: "" }]);
      if (url === "/api/ai/suggest") return suggest();
      return json(404, { detail: "Not found", code: "not_found" });
    };
  }

  it("fills title, category and priority from AI suggest", async () => {
    signedIn();
    renderWith(<NewTicketPage />, api(() =>
      json(200, { title: "VPN down in Leeds", category: "network", priority: "urgent", summary: "Office VPN outage.", model: "m" }),
    ));
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "The VPN is down for everyone" } });
    fireEvent.click(screen.getByRole("button", { name: "AI suggest" }));
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("VPN down in Leeds"));
    expect((screen.getByLabelText("Category") as HTMLInputElement).value).toBe("network");
    expect((screen.getByLabelText("Priority") as HTMLSelectElement).value).toBe("urgent");
    expect(screen.getByText(/Office VPN outage/)).toBeTruthy();
  });

  it("says the AI is unavailable (503) without blocking the form", async () => {
    signedIn();
    renderWith(<NewTicketPage />, api(() => json(503, { detail: "The model is unavailable", code: "ai_unavailable" })));
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "Printer jammed" } });
    fireEvent.click(screen.getByRole("button", { name: "AI suggest" }));
    expect(await screen.findByText(/AI suggestions are unavailable right now/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "File ticket" }) as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("NotificationsPage", () => {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const grouped = {
    id: 7, kind: "ticket.status_changed", ticket_id: 12, event_id: null, read_at: null,
    title: "Ticket #12 “VPN drops”: status Open → In progress → Waiting; 1 comment",
    body: "Ana Lima moved #12 to In progress\nAna Lima moved #12 to Waiting\nAna Lima commented: try again",
    created_at: minutesAgo(30), updated_at: minutesAgo(5), count: 3,
  };
  const single = {
    id: 8, kind: "ticket.sla.warning", ticket_id: 13, event_id: null, read_at: minutesAgo(1),
    title: "SLA warning on #13", body: "Resolution is due soon.",
    created_at: minutesAgo(120), updated_at: minutesAgo(120), count: 1,
  };

  function inbox() {
    const calls: string[] = [];
    const handler = signedIn((url, init) => {
      calls.push(`${init?.method ?? "GET"} ${url}`);
      if (url.startsWith("/api/notifications?")) return json(200, { items: [grouped, single], total: 2, unread: 1 });
      if (url === "/api/notifications/7/read") return json(200, { ...grouped, read_at: minutesAgo(0) });
      return json(404, { detail: "Not found", code: "not_found" });
    });
    renderWith(<WhenSignedIn><NotificationsPage /></WhenSignedIn>, handler, "/notifications");
    return calls;
  }

  it("shows each ticket's burst: the ticket, how many changes, when the latest came, each change", async () => {
    const calls = inbox();
    const link = await screen.findByRole("link", { name: "Open ticket #12" });
    const entry = link.closest("li")!;
    expect(within(entry).getByText("3 changes")).toBeTruthy();
    const when = within(entry).getByText("5 minutes ago");
    expect(when.tagName).toBe("TIME");
    expect(when.getAttribute("dateTime")).toBe(grouped.updated_at);
    expect(when.getAttribute("title")).toMatch(/\d{4}/);
    const changes = within(entry).getByRole("list", { name: "Changes" });
    expect(within(changes).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Ana Lima moved #12 to In progress",
      "Ana Lima moved #12 to Waiting",
      "Ana Lima commented: try again",
    ]);
    const other = screen.getByRole("link", { name: "Open ticket #13" }).closest("li")!;
    expect(within(other).getByText("1 change")).toBeTruthy();
    expect(within(other).getByText("SLA warning")).toBeTruthy();
    expect(within(other).queryByRole("button")).toBeNull(); // already read
    fireEvent.click(within(entry).getByRole("button", { name: `Mark “${grouped.title}” as read` }));
    await waitFor(() => expect(calls).toContain("POST /api/notifications/7/read"));
  });

  it("speaks German around the service's own texts", async () => {
    setTextLocale("de");
    inbox();
    const link = await screen.findByRole("link", { name: "Ticket #12 öffnen" });
    const entry = link.closest("li")!;
    expect(within(entry).getByText("3 Änderungen")).toBeTruthy();
    expect(within(entry).getByText("vor 5 Minuten")).toBeTruthy();
    expect(within(entry).getByRole("list", { name: "Änderungen" }).getAttribute("lang")).toBe("en");
    expect(screen.getByRole("heading", { name: /Benachrichtigungen \(1 ungelesen\)/ })).toBeTruthy();
    expect(screen.getByText("SLA-Warnung")).toBeTruthy();
  });

  it("says what changed in the reader's words where the entry carries its summary", () => {
    const summary = {
      ticket: { id: 12, title: "VPN drops" },
      moves: [["2026-12-04T10:00:00Z", "open", "in_progress"], ["2026-12-04T10:01:00Z", "in_progress", "waiting"]] as [string, string, string][],
      assigned_by: "Ana Lima",
      comments: 2,
      notes: 0,
      created: false,
    };
    const nothing = { ticket: { id: 12, title: "VPN drops" }, comments: 0, notes: 0, created: false };
    expect(summaryText(summary)).toBe("“VPN drops”: status Open → In progress → Waiting; assigned to you by Ana Lima; 2 comments");
    setTextLocale("de");
    expect(summaryText(summary)).toBe("„VPN drops“: Status Offen → In Bearbeitung → Wartend; Ihnen zugewiesen von Ana Lima; 2 Kommentare");
    expect(summaryText({ ...nothing, notes: 1 })).toBe("„VPN drops“: 1 interne Notiz");
    expect(summaryText(null)).toBeNull();
    expect(summaryText(nothing)).toBeNull();
  });
});
